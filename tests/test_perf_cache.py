"""The render cache (cache.py) and the compressed journal: every cached render gives way to a write in the very
next read, in JSON and XML, for getOrderDetails and templated getOrderList."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from flask.testing import FlaskClient

from sterling_mock.client.wire import Doc, from_json
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Call, Fake
from sterling_mock.mock_server.domain.orders import cache
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC, Api

TEMPLATE = (
    b"<OrderList><Order OrderHeaderKey='' OrderNo='' CustomerPONo=''><OrderLines><OrderLine PrimeLineNo='' "
    b"OrderedQty=''><Item ItemID=''/></OrderLine></OrderLines></Order></OrderList>"
)


def _create(api: Api, po: str = "PO-1", lines: int = 2) -> str:
    out = api(
        "createOrder",
        {
            "EnterpriseCode": "Matrix-R",
            "CustomerPONo": po,
            "OrderLines": {
                "OrderLine": [
                    {"OrderedQty": "2", "Item": {"ItemID": f"SKU-{n}"}, "LinePriceInfo": {"UnitPrice": "5"}}
                    for n in range(lines)
                ]
            },
        },
    )
    return str(out["OrderHeaderKey"])


def _rows(app_client: FlaskClient) -> int:
    fake: Fake = app_client.application.extensions["sterling_mock"]
    with fake.store.read() as tx:
        return int(tx.conn.execute("SELECT count(*) FROM render_cache").fetchone()[0])


def _details(api: Api, key: str, fmt: str) -> Doc:
    return api("getOrderDetails", {"OrderHeaderKey": key}, fmt)


def _templated_list(client: FlaskClient, fmt: str, order_no: str) -> Doc:
    response = client.post(
        "/smcfs/restapi/invoke/getOrderList?_templateId=perfList",
        data=orjson.dumps({"OrderNo": order_no}),
        headers={**BASIC, "Content-Type": "application/json", "Accept": f"application/{fmt}"},
    )
    assert response.status_code == 200, response.data[:500]
    if fmt == "xml":
        from sterling_mock.client.wire import from_xml

        return from_xml(response.data)[1]
    return from_json(response.data)


def _lines(order: Doc) -> list[Doc]:
    found = order["OrderLines"]["OrderLine"]
    return found if isinstance(found, list) else [found]


def test_details_change_is_visible_in_the_very_next_read(api: Api, client: FlaskClient, fmt: str) -> None:
    key = _create(api)
    first = _details(api, key, fmt)
    assert first["CustomerPONo"] == "PO-1"
    assert _rows(client) >= 1  # the read filled the cache...
    assert _details(api, key, fmt) == first  # ...and a second read is served from it, unchanged
    api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "PO-2"}, fmt)
    assert _details(api, key, fmt)["CustomerPONo"] == "PO-2"
    api("changeOrder", {"OrderHeaderKey": key, "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}}, fmt)
    assert len(_lines(_details(api, key, fmt))) == 3


def test_cached_and_uncached_bodies_are_byte_identical(api: Api, client: FlaskClient, fmt: str) -> None:
    key = _create(api)
    first = api.raw("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    second = api.raw("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    assert _rows(client) >= 1
    assert first.data == second.data
    assert first.headers["Content-Type"] == second.headers["Content-Type"]


def test_templated_list_change_is_visible_in_the_very_next_read(
    api: Api, client: FlaskClient, fmt: str
) -> None:
    client.put("/_fake/templates/perfList", data=TEMPLATE)
    key = _create(api, "PO-A")
    order_no = str(_details(api, key, "json")["OrderNo"])
    first = _templated_list(client, fmt, order_no)
    assert first["Order"][0]["CustomerPONo"] == "PO-A"
    assert _templated_list(client, fmt, order_no) == first
    api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "PO-B"}, fmt)
    assert _templated_list(client, fmt, order_no)["Order"][0]["CustomerPONo"] == "PO-B"
    api(
        "changeOrder",
        {
            "OrderHeaderKey": key,
            "OrderLines": {"OrderLine": [{"OrderedQty": "4", "Item": {"ItemID": "NEW"}}]},
        },
        fmt,
    )
    lines = _lines(_templated_list(client, fmt, order_no)["Order"][0])
    assert [line["Item"]["ItemID"] for line in lines] == ["SKU-0", "SKU-1", "NEW"]


def test_a_changed_template_renders_afresh(api: Api, client: FlaskClient) -> None:
    client.put("/_fake/templates/perfList", data=TEMPLATE)
    key = _create(api)
    order_no = str(_details(api, key, "json")["OrderNo"])
    assert "OrderLines" in _templated_list(client, "json", order_no)["Order"][0]
    client.put("/_fake/templates/perfList", data=b"<OrderList><Order OrderNo=''/></OrderList>")
    assert _templated_list(client, "json", order_no)["Order"][0] == {"OrderNo": order_no}


def test_delete_and_reset_drop_cached_rows(api: Api, client: FlaskClient) -> None:
    key = _create(api)
    _details(api, key, "xml")
    # XML callers cache XML and JSON (the journal keeps JSON), and the JSON body's journal form
    assert _rows(client) == 3
    api("deleteOrder", {"OrderHeaderKey": key, "Action": "DELETE"})
    assert _rows(client) == 0
    key = _create(api)
    _details(api, key, "json")
    assert _rows(client) == 2
    client.post("/_fake/reset", json={})
    assert _rows(client) == 0


def test_a_render_from_an_older_snapshot_is_never_stored(tmp_path: Path) -> None:
    """The race the cache must survive across processes: a reader renders, a writer commits, then the
    reader stores its (now stale) render.  The insert checks the stored document, so nothing lands."""
    fake = Fake(Settings(db=str(tmp_path / "race.db"), demo_orders=0))
    out = fake.invoke(
        Call(api="createOrder", user="admin"),
        {"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}},
    )
    key = str(out.doc["OrderHeaderKey"]) if out.doc else ""
    with fake.store.read() as tx:
        stale_source = tx.get_order_bytes("default", key)
    assert stale_source is not None
    fake.invoke(Call(api="changeOrder", user="admin"), {"OrderHeaderKey": key, "CustomerPONo": "NEW"})
    with fake.store.write() as tx:
        tx.put_renders("default", [(key, "details.json.x", b'{"stale":true}', stale_source)], cache.KEEP)
        assert tx.cached_renders("default", key, "details.json.x", "details.json.x") == {}
        fresh = tx.get_order_bytes("default", key)
        assert fresh is not None
        tx.put_renders("default", [(key, "details.json.x", b"{}", fresh)], cache.KEEP)
        assert tx.cached_renders("default", key, "details.json.x", "details.json.x") == {
            "details.json.x": b"{}"
        }


def test_the_cache_keeps_only_the_newest_rows(tmp_path: Path) -> None:
    fake = Fake(Settings(db=str(tmp_path / "keep.db"), demo_orders=0))
    keys = []
    for _ in range(5):
        out = fake.invoke(
            Call(api="createOrder", user="admin"),
            {"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}},
        )
        keys.append(str(out.doc["OrderHeaderKey"]) if out.doc else "")
    with fake.store.write() as tx:
        for key in keys:
            source = tx.get_order_bytes("default", key) or b""
            tx.put_renders("default", [(key, "k", b"body", source)], 3)
        assert tx.conn.execute("SELECT count(*) FROM render_cache").fetchone()[0] == 3


def test_settings_that_shape_a_render_are_part_of_its_kind(tmp_path: Path) -> None:
    """Two servers with different quantity formats over one store never serve each other's renders."""
    db = str(tmp_path / "shared.db")
    decimal = create_app(Settings(db=db, demo_orders=0, quantity_format="decimal")).test_client()
    integer = create_app(Settings(db=db, demo_orders=0, quantity_format="int")).test_client()
    key = _create(Api(decimal))
    qty = {
        name: _lines(Api(client)("getOrderDetails", {"OrderHeaderKey": key}))[0]["OrderedQty"]
        for name, client in (("decimal", decimal), ("int", integer), ("decimal again", decimal))
    }
    assert qty == {"decimal": "2.00", "int": "2", "decimal again": "2.00"}


@pytest.mark.parametrize("fmt_", ["json", "xml"])
def test_journal_keeps_large_outputs_intact(api: Api, client: FlaskClient, fmt_: str) -> None:
    """Large journal documents are stored compressed; the journal route answers them whole, as JSON."""
    key = _create(api, lines=2)  # ≈ 9 KB: past the compression threshold, under the truncation one
    body = api.raw("getOrderDetails", {"OrderHeaderKey": key}, fmt_)
    entries: list[dict[str, Any]] = client.get("/_fake/journal?api=getOrderDetails").get_json()["entries"]
    output = entries[-1]["output"]
    expected = body.get_json() if fmt_ == "json" else Api(client)("getOrderDetails", {"OrderHeaderKey": key})
    assert output == expected
    assert len(orjson.dumps(output)) > 1024  # past the compression threshold
