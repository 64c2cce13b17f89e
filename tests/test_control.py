"""State control through HTTP: reset, seed, summary, state export/import, templates, protection and errors."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api
from tests.test_control_support import NS, Ctl, create, order_count


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def test_reset_gives_fresh_state(api: Api, ctl: Ctl) -> None:
    create(api)
    ctl.ok("POST", "faults", {"api": "x", "action": {"type": "latency", "ms": 1}})
    ctl.ok("POST", "clock", {"freeze": True})
    ctl.ok("PUT", "throttle", {"enabled": True})
    assert ctl.ok("POST", "reset") == {"reset": ["default"]}
    summary = ctl.ok("GET", "summary")
    assert (
        summary["orders"] == 0
        and summary["faults"] == 0
        and summary["journal"] == {"entries": 0, "dropped": 0}
    )
    assert summary["clock"]["frozen"] is False and ctl.ok("GET", "throttle")["enabled"] is False


def test_seed_is_deterministic_per_seed_and_clock(ctl: Ctl) -> None:
    def seeded(ns: str, seed: int) -> dict[str, object]:
        ctl.ok("POST", "clock", {"freeze": True, "set": "2025-02-01T00:00:00Z"}, ns=ns)
        assert ctl.ok("POST", "seed", {"orders": 30, "seed": seed}, ns=ns) == {"created": 30}
        state = ctl.ok("GET", "state", ns=ns)
        return {
            "orders": state["tables"]["orders"],
            "summary": ctl.ok("GET", "summary", ns=ns)["by_enterprise"],
        }

    first = seeded("s1", 42)
    assert first == seeded("s2", 42)
    assert first != seeded("s3", 43)
    assert len(first["summary"]) > 1  # type: ignore[arg-type]  # several enterprises


def test_seed_options_enterprises_and_dates(api: Api, ctl: Ctl) -> None:
    body = {
        "orders": 25,
        "seed": 1,
        "enterprises": ["ACME", "Initech"],
        "from": "2024-01-01",
        "to": "2024-01-31",
    }
    ctl.ok("POST", "seed", body)
    summary = ctl.ok("GET", "summary")
    assert set(summary["by_enterprise"]) == {"ACME", "Initech"} and summary["orders"] == 25
    listed = api("getOrderList", {"MaximumRecords": "100"})
    dates = sorted(order["OrderDate"] for order in listed["Order"])
    assert dates[0] >= "2024-01-01" and dates[-1] <= "2024-01-31T23:59:59+00:00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"orders": -1}, "orders"),
        ({"orders": "many"}, "orders"),
        ({"seed": "x"}, "seed"),
        ({"enterprises": []}, "enterprises"),
        ({"statuses": {"1100": "a"}}, "statuses"),
        ({"from": "not a date"}, "from"),
        ({"from": "2024-02-01", "to": "2024-01-01"}, "from"),
    ],
)
def test_bad_seed_requests(ctl: Ctl, body: dict[str, object], field: str) -> None:
    status, error = ctl("POST", "seed", body)
    assert status == 400 and error["error"]["message"].startswith(f"{field}:")


def test_summary_counts(api: Api, ctl: Ctl) -> None:
    create(api, EnterpriseCode="Aurora")
    create(api, seed=2, EnterpriseCode="Aurora")
    create(api, seed=3, EnterpriseCode="Globex", DocumentType="0003")
    summary = ctl.ok("GET", "summary")
    assert summary["orders"] == 3
    assert summary["by_status"] == {"1100": 3}
    assert summary["by_enterprise"] == {"Aurora": 2, "Globex": 1}
    assert summary["by_document_type"] == {"0001": 2, "0003": 1}
    assert summary["throttle"] == {"allowed": 0, "throttled": 0}
    assert summary["journal"] == {"entries": 3, "dropped": 0}


def test_state_export_import_round_trip_into_another_namespace(api: Api, ctl: Ctl, fmt: str) -> None:
    made = create(api, fmt)
    ctl.ok("POST", "faults", {"api": "getOrderList", "action": {"type": "latency", "ms": 1}})
    snapshot = ctl.ok("GET", "state")
    assert snapshot["format"] == "sterling-mock-snapshot" and snapshot["namespace"] == "default"
    assert "journal" not in snapshot["tables"] and "tokens" not in snapshot["tables"]
    imported = ctl.ok("PUT", "state", snapshot, ns="copy")["imported"]
    assert imported["orders"] == 1 and imported["faults"] == 1
    original = api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, fmt)
    copied = api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, fmt, headers={NS: "copy"})
    assert copied == original
    api(
        "changeOrder",
        {"OrderHeaderKey": made["OrderHeaderKey"], "CustomerPONo": "CHANGED"},
        fmt,
        headers={NS: "copy"},
    )
    assert api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, fmt) == original
    # importing replaces: the target's own orders are gone
    create(api, fmt, ns="copy", seed=9)
    ctl.ok("PUT", "state", snapshot, ns="copy")
    assert order_count(ctl, "copy") == 1


def test_an_edited_snapshot_is_answered_from_its_edit_not_from_a_cached_body(api: Api, ctl: Ctl) -> None:
    """The render cache is derived: an import empties it and ignores one a snapshot still carries (snapshots
    exported before it was left out had it), so getOrderDetails never serves a body from before the edit."""
    made = create(api)
    key = made["OrderHeaderKey"]
    api("getOrderDetails", {"OrderHeaderKey": key})  # its body is cached now
    snapshot = ctl.ok("GET", "state")
    assert "render_cache" not in snapshot["tables"]
    row = snapshot["tables"]["orders"][0]
    doc = json.loads(row["doc"]["text"])
    doc["CustomerPONo"] = "EDITED-IN-THE-SNAPSHOT"
    row["doc"] = {"text": json.dumps(doc)}
    snapshot["tables"]["render_cache"] = [
        {"ohk": key, "kind": "details.json.stale", "body": {"text": "{}"}}
    ]  # as an older export carried it
    ctl.ok("PUT", "state", snapshot)
    assert api("getOrderDetails", {"OrderHeaderKey": key})["CustomerPONo"] == "EDITED-IN-THE-SNAPSHOT"


def test_an_edited_snapshot_is_found_by_what_its_orders_now_say(api: Api, ctl: Ctl) -> None:
    """Query columns and list renders are derived again from each imported document: an order whose date,
    status and PO number were edited in the snapshot is listed and filtered by the edit."""
    key = create(api)["OrderHeaderKey"]
    snapshot = ctl.ok("GET", "state")
    row = snapshot["tables"]["orders"][0]
    doc = json.loads(row["doc"]["text"])
    doc.update(OrderDate="2020-01-01T00:00:00+00:00", CustomerPONo="EDITED", Status="Cancelled")
    doc.update(MinOrderStatus="9000", MaxOrderStatus="9000")
    for line in doc["OrderLines"]["OrderLine"]:
        for status in line["OrderStatuses"]["OrderStatus"]:
            status["Status"] = "9000"
    row["doc"] = {"text": json.dumps(doc)}
    ctl.ok("PUT", "state", snapshot, ns="copy")
    where = {NS: "copy"}
    found = api(
        "getOrderList",
        {
            "FromOrderDate": "2019-12-31",
            "ToOrderDate": "2020-01-02",
            "FromStatus": "9000",
            "ToStatus": "9000",
        },
        headers=where,
        root="OrderList",
    )
    orders = found["Order"] if isinstance(found["Order"], list) else [found["Order"]]
    assert [(o["OrderHeaderKey"], o["CustomerPONo"], o["OrderDate"]) for o in orders] == [
        (key, "EDITED", "2020-01-01T00:00:00+00:00")
    ]
    assert api("getOrderList", {"CustomerPONo": "EDITED"}, "xml", headers=where, root="OrderList")


@pytest.mark.parametrize("edit", [{"OrderHeaderKey": "ANOTHER"}, {"OrderDate": None}, {"OrderDate": "soon"}])
def test_a_snapshot_order_that_cannot_be_read_is_refused(api: Api, ctl: Ctl, edit: dict[str, object]) -> None:
    create(api)
    snapshot = ctl.ok("GET", "state")
    row = snapshot["tables"]["orders"][0]
    doc = json.loads(row["doc"]["text"])
    for name, value in edit.items():
        if value is None:
            del doc[name]
        else:
            doc[name] = value
    row["doc"] = {"text": json.dumps(doc)}
    status, error = ctl("PUT", "state", snapshot, ns="copy")
    assert status == 400 and error["error"]["code"] == "INVALID_SNAPSHOT", error
    assert order_count(ctl, "copy") == 0


@pytest.mark.parametrize(
    "snapshot",
    [
        {"format": "other"},
        {"format": "sterling-mock-snapshot", "version": 99, "tables": {}},
        {"format": "sterling-mock-snapshot", "version": 1, "tables": {"nope": []}},
        {"format": "sterling-mock-snapshot", "version": 1, "tables": {"orders": [{"bogus": 1}]}},
        {"format": "sterling-mock-snapshot", "version": 1, "tables": []},
    ],
)
def test_bad_snapshots_change_nothing(api: Api, ctl: Ctl, snapshot: dict[str, object]) -> None:
    create(api)
    status, error = ctl("PUT", "state", snapshot)
    assert status == 400 and error["error"]["code"] == "INVALID_SNAPSHOT"
    assert order_count(ctl) == 1


def test_templates_registered_through_the_control_plane(api: Api, client: FlaskClient) -> None:
    made = create(api)
    response = client.put(
        "/_fake/templates/slim",
        data=b'<Order OrderNo="" Status=""/>',
        headers={"Content-Type": "application/xml"},
    )
    assert response.status_code == 200
    out = api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, query="?_templateId=slim")
    assert set(out) == {"OrderNo", "Status"}
    assert client.delete("/_fake/templates/slim").status_code == 204
    assert api.error("getOrderDetails", {"OrderHeaderKey": "x"}, query="?_templateId=slim")[1][
        "ErrorCode"
    ] == ("MOCK0101")


def test_control_token_protects_every_route() -> None:
    app = create_app(Settings(db=":memory:", demo_orders=0, control_token="s3cret"))
    ctl = Ctl(app.test_client())
    for method, path in (("GET", "health"), ("POST", "reset"), ("GET", "journal"), ("POST", "faults")):
        status, error = ctl(method, path, {})
        assert status == 401 and error["error"]["code"] == "UNAUTHORIZED"
    status, _ = ctl("GET", "summary", headers={"X-Sterling-Mock-Token": "wrong"})
    assert status == 401
    status, data = ctl("GET", "summary", headers={"X-Sterling-Mock-Token": "s3cret"})
    assert status == 200 and data["orders"] == 0


def test_bad_control_requests_answer_json_never_html(client: FlaskClient, ctl: Ctl) -> None:
    response = client.post("/_fake/reset", data=b"{oops", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["error"]["code"] == "INVALID_JSON"
    response = client.post("/_fake/faults", data=b"[1]", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["error"]["code"] == "INVALID_JSON"
    response = client.get("/_fake/no-such-route")
    assert response.status_code == 404 and response.json["error"]["code"] == "NOT_FOUND"
    response = client.delete("/_fake/health")
    assert response.status_code == 405 and response.content_type == "application/json"
    assert ctl("POST", "reset", {"all": "yes"})[0] == 400


def test_the_control_plane_never_answers_under_smcfs(client: FlaskClient) -> None:
    for path in ("/smcfs/_fake/health", "/smcfs/restapi/_fake/health", "/smcfs/restapi/invoke/_fake"):
        response = client.get(path)
        assert response.status_code in (404, 405)
        assert b'"status":"ok"' not in response.data
