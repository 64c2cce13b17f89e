"""No input may break an order (issue 21): an attribute named like a child element, or an element where an
attribute belongs, is ignored at every door and never stored; a write whose result could not be rendered is
refused with nothing changed; an order poisoned by an older version answers a clear error naming it, and
``sterling-mock repair`` lists and repairs it.  Runs on both stores (the suite's PostgreSQL pass)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from hardening import doors
from sterling_mock.client.wire import from_xml
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC, Api

ORDER: dict[str, Any] = {
    "EnterpriseCode": "Matrix-R",
    "PersonInfoShipTo": {"FirstName": "Ada", "City": "Leeds"},
    "PriceInfo": {"Currency": "USD"},
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "2", "Item": {"ItemID": "MUG-1"}, "LinePriceInfo": {"UnitPrice": "5"}},
            {"OrderedQty": "1", "Item": {"ItemID": "TEE-2"}, "LinePriceInfo": {"UnitPrice": "7"}},
        ]
    },
    "Notes": {"Note": [{"NoteText": "first"}]},
}
#: A template that names every part of an order (the fuzzer's; an element named without attributes returns
#: them all).
FULL_TEMPLATE: dict[str, Any] = doors.FULL_TEMPLATE["Order"]
#: Elements of an order header, each given as an attribute (a string) on changeOrder.
HEADER_ELEMENTS = [
    "OrderLines",
    "Notes",
    "PersonInfoShipTo",
    "PersonInfoBillTo",
    "PriceInfo",
    "Extn",
    "OrderDates",
    "References",
    "HeaderCharges",
    "HeaderTaxes",
    "PaymentMethods",
    "OverallTotals",
    "OrderStatuses",
    "Instructions",
]
LINE_ELEMENTS = [
    "Item",
    "LinePriceInfo",
    "Notes",
    "Extn",
    "OrderStatuses",
    "LineOverallTotals",
    "LineCharges",
]


@pytest.fixture
def order(api: Api) -> str:
    return str(api("createOrder", ORDER)["OrderHeaderKey"])


def readable(api: Api, key: str) -> dict[str, Any]:
    """The order answers getOrderDetails (default, in JSON and XML, and through the full template) and is
    listed by getOrderList with its key; the default details come back."""
    details = api.raw("getOrderDetails", {"OrderHeaderKey": key})
    assert details.status_code == 200, details.data[:500]
    assert api.raw("getOrderDetails", {"OrderHeaderKey": key}, "xml").status_code == 200
    api.client.put("/_fake/templates/noPoisonFull", json=FULL_TEMPLATE)
    full = api.raw("getOrderDetails", {"OrderHeaderKey": key}, query="?_templateId=noPoisonFull")
    assert full.status_code == 200, full.data[:500]
    listed = api("getOrderList", {"OrderHeaderKey": key})
    assert [o["OrderHeaderKey"] for o in listed.get("Order", [])] == [key]
    out: dict[str, Any] = json.loads(details.data)
    out["_full"] = json.loads(full.data)
    return out


def test_issue_reproduction_order_lines_as_an_attribute(api: Api, order: str) -> None:
    response = api.raw("changeOrder", {"OrderHeaderKey": order, "OrderLines": "oops"})
    assert response.status_code < 500, response.data
    details = readable(api, order)
    assert len(details["OrderLines"]["OrderLine"]) == 2
    assert "oops" not in json.dumps(details["_full"])


def test_issue_reproduction_notes_as_an_xml_attribute(client: FlaskClient, api: Api, order: str) -> None:
    body = f'<Order OrderHeaderKey="{order}" Notes="x"/>'
    headers = {**BASIC, "Content-Type": "application/xml"}
    response = client.post("/smcfs/restapi/invoke/changeOrder", data=body, headers=headers)
    assert response.status_code < 500, response.data
    readable(api, order)
    # and a later changeOrder that adds a note works, the first note kept
    api("changeOrder", {"OrderHeaderKey": order, "Notes": {"Note": [{"NoteText": "second"}]}})
    notes = readable(api, order)["_full"]["Notes"]["Note"]
    assert [n["NoteText"] for n in notes] == ["first", "second"]


@pytest.mark.parametrize("name", HEADER_ELEMENTS)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_header_element_given_as_an_attribute_is_ignored(api: Api, order: str, name: str, fmt: str) -> None:
    before = readable(api, order)
    response = api.raw("changeOrder", {"OrderHeaderKey": order, name: "x"}, fmt)
    assert response.status_code < 500, response.data
    after = readable(api, order)
    assert after["OrderLines"] == before["OrderLines"]
    value = after["_full"].get(name)
    assert not isinstance(value, str), f"{name} stored as the attribute {value!r}"
    # the element still works afterwards
    api("changeOrder", {"OrderHeaderKey": order, "Notes": {"Note": [{"NoteText": "later"}]}}, fmt)
    readable(api, order)


@pytest.mark.parametrize("name", LINE_ELEMENTS)
def test_line_element_given_as_an_attribute_is_ignored(api: Api, order: str, name: str) -> None:
    line = {"PrimeLineNo": "1", name: "x"}
    response = api.raw("changeOrder", {"OrderHeaderKey": order, "OrderLines": {"OrderLine": [line]}})
    assert response.status_code < 500, response.data
    details = readable(api, order)
    first = details["_full"]["OrderLines"]["OrderLine"][0]
    assert not isinstance(first.get(name), str), (
        f"OrderLine/{name} stored as the attribute {first.get(name)!r}"
    )
    assert first["Item"]["ItemID"] == "MUG-1"


@pytest.mark.parametrize("name", ["OrderLines", "Notes", "PersonInfoShipTo", "PriceInfo", "Extn"])
def test_create_with_an_element_given_as_an_attribute(api: Api, name: str) -> None:
    doc = {**ORDER, name: "x"}
    response = api.raw("createOrder", doc)
    assert response.status_code < 500, response.data
    if response.status_code == 200:
        key = json.loads(response.data)["OrderHeaderKey"]
        full = readable(api, key)["_full"]
        assert not isinstance(full.get(name), str)


@pytest.mark.parametrize(
    "change",
    [
        {"OrderName": {"Nested": {"Deeper": "x"}}},
        {"CustomerPONo": [{"A": "1"}, {"B": "2"}]},
        {"OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "ShipNode": {"X": "1"}}]}},
        {"OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "Item": {"ItemDesc": {"X": "1"}}}]}},
        {"PersonInfoShipTo": {"City": {"Name": "Leeds"}}},
        {"Notes": {"Note": [{"NoteText": {"Text": "x"}}]}},
    ],
)
def test_element_given_where_an_attribute_belongs_is_ignored(
    api: Api, order: str, change: dict[str, Any]
) -> None:
    response = api.raw("changeOrder", {"OrderHeaderKey": order, **change})
    assert response.status_code < 500, response.data
    full = readable(api, order)["_full"]
    assert not isinstance(full.get("OrderName"), dict)
    assert not isinstance(full.get("CustomerPONo"), (dict, list))
    assert isinstance(full["PersonInfoShipTo"].get("City", ""), str)
    line = full["OrderLines"]["OrderLine"][0]
    assert isinstance(line.get("ShipNode", ""), str) and isinstance(line["Item"].get("ItemDesc", ""), str)
    # the attribute itself still works afterwards
    api("changeOrder", {"OrderHeaderKey": order, "OrderName": "named", "CustomerPONo": "PO-9"})
    assert readable(api, order)["_full"]["OrderName"] == "named"


@pytest.mark.parametrize("door", ["resource", "interop", "multiApi", "executeFlow"])
def test_every_door_keeps_the_order_readable(client: FlaskClient, api: Api, order: str, door: str) -> None:
    change = {"OrderHeaderKey": order, "OrderLines": "oops", "Notes": "x", "PriceInfo": "1"}
    headers = {**BASIC, "Content-Type": "application/json"}
    if door == "resource":
        response = client.patch(f"/smcfs/restapi/order/{order}", data=json.dumps(change), headers=headers)
    elif door == "interop":
        xml = f'<Order OrderHeaderKey="{order}" OrderLines="oops" Notes="x" PriceInfo="1"/>'
        form = (
            "InteropApiName=changeOrder&YFSEnvironment.userId=admin&YFSEnvironment.password=password"
            f"&InteropApiData={quote(xml)}"
        )
        response = client.post(
            "/smcfs/interop/InteropHttpServlet",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert b"MOCK0500" not in response.data
    elif door == "multiApi":
        doc = {"API": [{"Name": "changeOrder", "Input": {"Order": change}}]}
        response = api.raw("multiApi", doc, root="MultiApi")
    else:
        client.post("/_fake/flows", json={"name": "poisonFlow", "api": "changeOrder"})
        response = client.post(
            "/smcfs/restapi/executeFlow/poisonFlow", data=json.dumps({"Order": change}), headers=headers
        )
    assert response.status_code < 500, response.data
    details = readable(api, order)
    assert len(details["OrderLines"]["OrderLine"]) == 2


def test_shipment_and_release_keep_their_shape(api: Api, order: str) -> None:
    """scheduleOrder, releaseOrder and createShipment given element names as attributes store nothing there."""
    api.raw("scheduleOrder", {"OrderHeaderKey": order, "OrderLines": "x"}, root="ScheduleOrder")
    api.raw("releaseOrder", {"OrderHeaderKey": order, "OrderReleases": "x"}, root="ReleaseOrder")
    releases = api("getOrderReleaseList", {"OrderHeaderKey": order}, root="OrderRelease")
    for release in releases.get("OrderRelease", []):
        assert not isinstance(release.get("OrderLines"), str)
    shipment = {
        "ShipmentLines": "x",
        "ShipNode": "DC_EAST",
        "ShipmentLine": "y",
        "Extn": "z",
        "OrderHeaderKey": order,
    }
    api.raw("createShipment", shipment, root="Shipment")
    readable(api, order)
    listed = api.raw("getShipmentListForOrder", {"OrderHeaderKey": order})
    assert listed.status_code == 200, listed.data[:300]


# ------------------------------------------------------------------------------------ a poisoned store


def _poison(app: Flask, key: str, **values: Any) -> None:
    """Write an order as an older version could have left it: a string where the model keeps an element."""
    store = app.extensions["sterling_mock"].store
    with store.write() as tx:
        raw = tx.conn.execute("SELECT doc FROM orders WHERE ns='default' AND ohk=?", (key,)).fetchone()[0]
        doc = orjson.loads(raw)
        doc.update(values)
        tx.conn.execute("UPDATE orders SET doc=? WHERE ns='default' AND ohk=?", (orjson.dumps(doc), key))
        tx.conn.execute("DELETE FROM render_cache WHERE ns='default' AND ohk=?", (key,))


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Flask, str]:
    db = str(tmp_path / "poisoned.db")
    app = create_app(Settings(db=db, demo_orders=0))
    return app, db


def test_a_poisoned_order_answers_a_clear_error_naming_it(stored: tuple[Flask, str]) -> None:
    app, _ = stored
    api = Api(app.test_client())
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    other = api("createOrder", ORDER)["OrderHeaderKey"]
    _poison(app, key, OrderLines="oops", Notes="x")
    for fmt in ("json", "xml"):
        response = api.raw("getOrderDetails", {"OrderHeaderKey": key}, fmt)
        assert 400 <= response.status_code < 500, response.data
        text = response.data.decode()
        assert key in text and "repair" in text
        if fmt == "xml":
            assert from_xml(response.data)[0] == "Errors"
        else:
            assert json.loads(response.data)["errors"][0]["ErrorCode"] != "MOCK0500"
    response = api.raw("changeOrder", {"OrderHeaderKey": key, "Notes": {"Note": [{"NoteText": "n"}]}})
    assert 400 <= response.status_code < 500 and key in response.data.decode(), response.data
    # a templated list that has to render it names it too
    api.client.put(
        "/_fake/templates/noPoisonList", json={"Order": [{"OrderNo": "", "OrderLines": {"OrderLine": [{}]}}]}
    )
    response = api.raw("getOrderList", {"EnterpriseCode": "Matrix-R"}, query="?_templateId=noPoisonList")
    assert response.status_code == 409 and key in response.data.decode(), response.data[:500]
    # the other orders are served as before, the list too
    readable(api, other)
    listed = api("getOrderList", {"EnterpriseCode": "Matrix-R"})
    assert {o["OrderHeaderKey"] for o in listed["Order"]} == {key, other}


def test_repair_lists_then_repairs_a_poisoned_order(
    stored: tuple[Flask, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from sterling_mock.mock_server.__main__ import main

    app, db = stored
    api = Api(app.test_client())
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    healthy = api("createOrder", ORDER)["OrderHeaderKey"]
    _poison(app, key, OrderLines="oops", Notes="x", OrderName={"Nested": "y"})
    capsys.readouterr()

    assert main(["repair", "--db", db, "--dry-run"]) == 1  # found something, changed nothing
    out = capsys.readouterr().out
    assert key in out and "OrderLines" in out and "Notes" in out and "OrderName" in out
    assert healthy not in out
    assert api.raw("getOrderDetails", {"OrderHeaderKey": key}).status_code >= 400

    assert main(["repair", "--db", db]) == 0
    out = capsys.readouterr().out
    assert key in out and "repaired 1" in out
    details = readable(api, key)
    assert (
        details["OrderLines"].get("OrderLine", []) == []
    )  # the string is dropped; the lines it replaced are gone
    assert not isinstance(details["_full"].get("Notes"), str)
    api("changeOrder", {"OrderHeaderKey": key, "Notes": {"Note": [{"NoteText": "after repair"}]}})
    assert main(["repair", "--db", db, "--dry-run"]) == 0
    assert "no unreadable records" in capsys.readouterr().out


def test_a_write_whose_result_cannot_be_rendered_changes_nothing(
    app: Flask, api: Api, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: if the model ever let a shape through that the renderer cannot take, the write is
    refused with a Sterling-shaped 4xx naming the order, and the order stays as it was."""
    before = readable(api, order)
    from sterling_mock.mock_server.domain.orders import render

    original = render.order_details

    def broken(order_doc: dict[str, Any], *args: Any, **kw: Any) -> Any:
        if order_doc.get("OrderName") == "break-the-renderer":
            raise TypeError("simulated renderer failure")
        return original(order_doc, *args, **kw)

    monkeypatch.setattr(render, "order_details", broken)
    response = api.raw("changeOrder", {"OrderHeaderKey": order, "OrderName": "break-the-renderer"})
    assert 400 <= response.status_code < 500, response.data
    error = json.loads(response.data)["errors"][0]
    assert error["ErrorCode"] != "MOCK0500" and order in json.dumps(error)
    monkeypatch.setattr(render, "order_details", original)
    after = readable(api, order)
    assert after["_full"].get("OrderName") != "break-the-renderer"
    assert after["OrderLines"] == before["OrderLines"]


def test_a_given_order_line_key_that_exists_is_refused_not_a_500(api: Api, order: str) -> None:
    """Found by the fuzzer: getOrderDetails' output sent back to createOrder reuses the lines' keys."""
    taken = api("getOrderDetails", {"OrderHeaderKey": order})["OrderLines"]["OrderLine"][0]["OrderLineKey"]
    line = {"OrderLineKey": taken, "OrderedQty": "1", "Item": {"ItemID": "MUG-1"}}
    for doc in (
        {**ORDER, "OrderLines": {"OrderLine": [line]}},
        {
            **ORDER,
            "OrderLines": {
                "OrderLine": [{**line, "OrderLineKey": "MINE-1"}, {**line, "OrderLineKey": "MINE-1"}]
            },
        },
    ):
        status, error = api.error("createOrder", doc)
        assert (status, error["ErrorCode"]) == (400, "YFC0001"), error
    readable(api, order)
    assert api("getOrderList", {"EnterpriseCode": "Matrix-R"})["Order"][0]["OrderHeaderKey"] == order


@pytest.mark.parametrize(
    "first, then",
    [
        ({"Junk": "x"}, {"Junk": {"N": "1"}}),  # a name no table knows, first an attribute, then an element
        ({"CustomerType": "02"}, {"CustomerType": {"A": "1"}}),  # a column given as an element
        ({}, {"CustomerContactList": "x"}),  # a list wrapper given as an attribute
    ],
)
def test_master_data_records_keep_their_shape(api: Api, first: dict[str, Any], then: dict[str, Any]) -> None:
    """Found by the fuzzer on manageCustomer (500 on the second call): customers are master data too."""
    base = {"CustomerID": "C-21", "OrganizationCode": "Matrix-R", "CustomerType": "02"}
    for doc in ({**base, **first}, {**base, **then}):
        response = api.raw("manageCustomer", doc, root="Customer")
        assert response.status_code < 500, response.data[:300]
    listed = api("getCustomerList", {"CustomerID": "C-21"}, root="Customer")
    assert [c["CustomerID"] for c in listed["Customer"]] == ["C-21"]
    assert isinstance(listed["Customer"][0].get("CustomerType", ""), str)
