"""The fulfilment lifecycle through the REST surface: scheduleOrder, releaseOrder, changeOrderStatus,
getOrderReleaseList, and the walk Created -> Scheduled -> Released -> Included In Shipment -> Shipped."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api
from tests.test_lists import at, fake_of

ORDER: dict[str, Any] = {
    "EnterpriseCode": "Matrix-R",
    "OrderNo": "L-1",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "3", "Item": {"ItemID": "SHOE-100"}, "LinePriceInfo": {"UnitPrice": "10.00"}},
            {"OrderedQty": "1", "Item": {"ItemID": "MUG-100"}, "LinePriceInfo": {"UnitPrice": "5.00"}},
        ]
    },
}
TEMPLATE = "?_templateId=stamps"
STAMPS = {
    "OrderNo": "",
    "Modifyts": "",
    "Status": "",
    "OrderLines": {"OrderLine": {"Modifyts": "", "Status": ""}},
}


@pytest.fixture(autouse=True)
def stamps_template(app: Flask) -> None:
    with fake_of(app).store.write() as tx:
        tx.kv_put("_templates", "stamps", STAMPS)


def create(api: Api, fmt: str = "json", **extra: Any) -> str:
    return str(api("createOrder", {**ORDER, **extra}, fmt)["OrderHeaderKey"])


def details(api: Api, key: str, fmt: str = "json") -> dict[str, Any]:
    return api("getOrderDetails", {"OrderHeaderKey": key}, fmt)


def summary(order: dict[str, Any]) -> tuple[str, str, str]:
    return order["Status"], order["MinOrderStatus"], order["MaxOrderStatus"]


def rows(order: dict[str, Any], line: int = 0) -> list[tuple[str, str]]:
    found = as_list(order["OrderLines"]["OrderLine"])[line]
    return [(r["Status"], r["StatusQty"]) for r in as_list(found["OrderStatuses"].get("OrderStatus"))]


def schedule(api: Api, key: str, fmt: str = "json", **extra: str) -> None:
    assert api("scheduleOrder", {"OrderHeaderKey": key, **extra}, fmt, root="ScheduleOrder") == {}


def release(api: Api, key: str, fmt: str = "json") -> None:
    assert api("releaseOrder", {"OrderHeaderKey": key}, fmt, root="ReleaseOrder") == {}


def ship_line(api: Api, key: str, prime: str, qty: str, fmt: str = "json") -> dict[str, Any]:
    line = {"OrderHeaderKey": key, "PrimeLineNo": prime, "SubLineNo": "1", "Quantity": qty}
    return api("createShipment", {"ShipmentLines": {"ShipmentLine": [line]}}, fmt, root="Shipment")


def test_full_lifecycle(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    assert summary(details(api, key, fmt)) == ("Created", "1100", "1100")
    schedule(api, key, fmt)
    order = details(api, key, fmt)
    assert summary(order) == ("Scheduled", "1500", "1500")
    line = as_list(order["OrderLines"]["OrderLine"])[0]
    assert (line["Status"], line["MinLineStatus"], line["MaxLineStatusDesc"]) == (
        "Scheduled",
        "1500",
        "Scheduled",
    )
    status_row = as_list(line["OrderStatuses"]["OrderStatus"])[0]
    assert status_row["ShipNode"] == "DC_EAST" and status_row["StatusDescription"] == "Scheduled"
    release(api, key, fmt)
    assert summary(details(api, key, fmt)) == ("Released", "3200", "3200")
    shipment = api(
        "createShipment",
        {
            "ShipmentLines": {
                "ShipmentLine": [
                    {"OrderHeaderKey": key, "PrimeLineNo": "1", "SubLineNo": "1", "Quantity": "3"},
                    {"OrderHeaderKey": key, "PrimeLineNo": "2", "SubLineNo": "1", "Quantity": "1"},
                ]
            }
        },
        fmt,
        root="Shipment",
    )
    assert sorted(shipment) == ["SellerOrganizationCode", "ShipNode", "ShipmentKey", "ShipmentNo"]
    assert summary(details(api, key, fmt)) == ("Included In Shipment", "3350", "3350")
    confirmed = api(
        "confirmShipment",
        {"ShipmentKey": shipment["ShipmentKey"], "TrackingNo": "1Z999"},
        fmt,
        root="Shipment",
    )
    assert confirmed == shipment
    order = details(api, key, fmt)
    assert summary(order) == ("Shipped", "3700", "3700")
    assert rows(order) == [("3700", "3.00")] and order["OrderLines"]["OrderLine"][0]["RemainingQty"] == "0.00"


def test_void_apis_answer_204_with_no_body(api: Api) -> None:
    key = create(api)
    response = api.raw("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    assert response.status_code == 204 and response.data == b"" and "Content-Type" not in response.headers
    response = api.raw("releaseOrder", {"OrderHeaderKey": key}, "xml", root="ReleaseOrder")
    assert response.status_code == 204 and response.data == b""


def test_void_apis_through_multiapi_give_empty_output(api: Api) -> None:
    create(api)
    natural = {"EnterpriseCode": "Matrix-R", "OrderNo": "L-1", "DocumentType": ""}
    out = api(
        "multiApi",
        {
            "API": [
                {"Name": "scheduleOrder", "Input": {"ScheduleOrder": {**natural, "CheckInventory": "Y"}}},
                {
                    "Name": "releaseOrder",
                    "Input": {"ReleaseOrder": {**natural, "IgnoreTransactionDependencies": "Y"}},
                },
            ]
        },
        "xml",
        root="MultiApi",
    )
    assert [a["Output"] for a in as_list(out["API"])] == [{}, {}]
    assert (
        details(api, api("getOrderList", {"OrderNo": "L-1"})["Order"][0]["OrderHeaderKey"])["Status"]
        == "Released"
    )


def test_schedule_and_release_in_one_call(api: Api) -> None:
    key = create(api)
    schedule(api, key, ScheduleAndRelease="Y")
    assert summary(details(api, key)) == ("Released", "3200", "3200")


def test_nothing_to_schedule_or_release_changes_nothing(app: Flask, api: Api) -> None:
    key = create(api)
    at(app, "2025-03-01T10:00:00Z")
    release(api, key)
    schedule(api, key)
    at(app, "2025-03-02T10:00:00Z")
    schedule(api, key)
    order = api("getOrderDetails", {"OrderHeaderKey": key}, query=TEMPLATE)
    assert order["Modifyts"] == "2025-03-01T10:00:00+00:00"


def test_partial_shipment_reads_partially_shipped(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    schedule(api, key, fmt)
    release(api, key, fmt)
    shipment = ship_line(api, key, "1", "1", fmt)
    api("confirmShipment", {"ShipmentKey": shipment["ShipmentKey"]}, fmt, root="Shipment")
    order = details(api, key, fmt)
    assert summary(order) == ("Partially Shipped", "3200", "3700")
    assert (order["MinOrderStatusDesc"], order["MaxOrderStatusDesc"]) == ("Released", "Shipped")
    line = order["OrderLines"]["OrderLine"][0]
    assert (line["Status"], line["MinLineStatus"], line["MaxLineStatus"]) == (
        "Partially Shipped",
        "3200",
        "3700",
    )
    assert sorted(rows(order)) == [("3200", "2.00"), ("3700", "1.00")]
    assert line["RemainingQty"] == "2.00"


def test_modifyts_and_audit_on_every_transition(app: Flask, api: Api) -> None:
    key = create(api)
    stamps = []
    for day, step in enumerate((schedule, release), start=1):
        at(app, f"2025-04-0{day}T08:00:00Z")
        step(api, key)
        stamps.append(api("getOrderDetails", {"OrderHeaderKey": key}, query=TEMPLATE)["Modifyts"])
    assert stamps == ["2025-04-01T08:00:00+00:00", "2025-04-02T08:00:00+00:00"]
    audits = as_list(api("getOrderAuditList", {"OrderHeaderKey": key}, root="OrderAudit")["OrderAudit"])
    names = [
        t["Name"]
        for a in audits
        for level in as_list(a["OrderAuditLevels"]["OrderAuditLevel"])
        if level["ModificationLevel"] == "ORDER"
        for t in as_list(level["ModificationTypes"]["ModificationType"])
    ]
    assert "SCHEDULE" in names and "RELEASE" in names
    found = api("getOrderList", {"FromModifyts": "2025-04-02T00:00:00Z", "ModifytsQryType": "GE"})
    assert [o["OrderHeaderKey"] for o in found["Order"]] == [key]


# ------------------------------------------------------------------------------------------ releases


def test_release_list(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    lines = ORDER["OrderLines"]["OrderLine"]
    other = create(
        api, fmt, OrderNo="L-2", OrderLines={"OrderLine": [{**lines[0], "ShipNode": "DC_WEST"}, lines[1]]}
    )
    for order_key in (key, other):
        schedule(api, order_key, fmt)
        release(api, order_key, fmt)
    out = api("getOrderReleaseList", {"OrderHeaderKey": other}, fmt, root="OrderRelease")
    assert (out["TotalOrderReleaseList"], out["LastRecordSet"], out["ReadFromHistory"]) == ("2", "Y", "")
    releases = as_list(out["OrderRelease"])
    assert [(r["ReleaseNo"], r["ShipNode"], r["Status"]) for r in releases] == [
        ("1", "DC_EAST", "3200"),
        ("2", "DC_WEST", "3200"),
    ]
    assert out["LastOrderReleaseKey"] == releases[-1]["OrderReleaseKey"]
    west = as_list(releases[1]["OrderLines"]["OrderLine"])
    assert [(ln["PrimeLineNo"], ln["StatusQuantity"]) for ln in west] == [("1", "3.00")]
    by_node = api("getOrderReleaseList", {"ShipNode": "DC_EAST"}, fmt, root="OrderRelease")
    assert by_node["TotalOrderReleaseList"] == "2"
    capped = api("getOrderReleaseList", {"MaximumRecords": "1"}, fmt, root="OrderRelease")
    assert (capped["TotalOrderReleaseList"], capped["LastRecordSet"]) == ("1", "N")


def test_release_list_with_a_template_through_multiapi(api: Api) -> None:
    key = create(api)
    schedule(api, key)
    release(api, key)
    template = {
        "OrderReleaseList": {
            "TotalOrderReleaseList": "",
            "OrderRelease": {"OrderReleaseKey": "", "ShipNode": ""},
        }
    }
    call = {
        "Name": "getOrderReleaseList",
        "Input": {"OrderRelease": {"OrderHeaderKey": key}},
        "Template": template,
    }
    out = api("multiApi", {"API": [call]}, "xml", root="MultiApi")
    listed = as_list(out["API"])[0]["Output"]["OrderReleaseList"]
    assert listed["TotalOrderReleaseList"] == "1"
    assert sorted(as_list(listed["OrderRelease"])[0]) == ["OrderReleaseKey", "ShipNode"]


def test_cancel_after_release_frees_release_quantity(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    schedule(api, key, fmt)
    release(api, key, fmt)
    line_key = details(api, key, fmt)["OrderLines"]["OrderLine"][0]["OrderLineKey"]
    change = {
        "OrderHeaderKey": key,
        "OrderLines": {"OrderLine": [{"OrderLineKey": line_key, "OrderedQty": "1"}]},
    }
    api("changeOrder", change, fmt)
    order = details(api, key, fmt)
    assert rows(order) == [("3200", "1.00"), ("9000", "2.00")]
    assert summary(order) == ("Released", "3200", "3200")
    out = api("getOrderReleaseList", {"OrderHeaderKey": key}, fmt, root="OrderRelease")
    first = as_list(as_list(out["OrderRelease"])[0]["OrderLines"]["OrderLine"])[0]
    assert first["StatusQuantity"] == "1.00"


def test_shipped_quantity_cannot_be_cancelled(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    schedule(api, key, fmt, ScheduleAndRelease="Y")
    shipment = ship_line(api, key, "1", "2", fmt)
    api("confirmShipment", {"ShipmentKey": shipment["ShipmentKey"]}, fmt, root="Shipment")
    partial = {"OrderHeaderKey": key, "OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "OrderedQty": "1"}]}}
    status, error = api.error("changeOrder", partial, fmt)
    assert (status, error["ErrorCode"]) == (400, "MOCK0201")
    assert sorted(rows(details(api, key, fmt))) == [("3200", "1.00"), ("3700", "2.00")]
    api("changeOrder", {"OrderHeaderKey": key, "Action": "CANCEL"}, fmt)  # cancels what is still open
    order = details(api, key, fmt)
    assert sorted(rows(order)) == [("3700", "2.00"), ("9000", "1.00")]
    assert summary(order) == ("Shipped", "3700", "3700")
    assert rows(order, 1) == [("9000", "1.00")]


# ------------------------------------------------------------------------------------------ changeOrderStatus


def status_change(key: str, target: str, **extra: Any) -> dict[str, Any]:
    return {
        "OrderHeaderKey": key,
        "BaseDropStatus": target,
        "TransactionId": "READY_FOR_SHIP.0001.ex",
        **extra,
    }


def test_change_status_to_a_sub_status_and_on(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    schedule(api, key, fmt, ScheduleAndRelease="Y")
    out = api(
        "changeOrderStatus",
        status_change(key, "3200.10", ChangeForAllAvailableQty=""),
        fmt,
        root="OrderStatusChange",
    )
    assert out == {
        "DocumentType": "0001",
        "OrderNo": "L-1",
        "OrderHeaderKey": key,
        "EnterpriseCode": "Matrix-R",
    }
    order = details(api, key, fmt)
    assert summary(order) == ("3200.10", "3200.10", "3200.10")
    shipment = ship_line(api, key, "1", "3", fmt)
    assert rows(details(api, key, fmt)) == [("3350", "3.00")]
    assert shipment["ShipNode"] == "DC_EAST"


def test_change_status_per_line_quantity(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    line = {"PrimeLineNo": "1", "SubLineNo": "1", "Quantity": "2", "BaseDropStatus": "1300"}
    doc = status_change(key, "1300", OrderLines={"OrderLine": [line]})
    api("changeOrderStatus", doc, fmt, root="OrderStatusChange")
    order = details(api, key, fmt)
    assert sorted(rows(order)) == [("1100", "1.00"), ("1300", "2.00")]
    assert summary(order) == ("Partially Backordered", "1100", "1300")
    schedule(api, key, fmt)  # backordered quantity is picked up again
    assert rows(details(api, key, fmt)) == [("1500", "3.00")]


def test_invalid_transition_refused_with_nothing_changed(app: Flask, api: Api, fmt: str) -> None:
    key = create(api, fmt)
    at(app, "2025-05-01T00:00:00Z")
    before = api("getOrderDetails", {"OrderHeaderKey": key}, fmt, query=TEMPLATE)
    at(app, "2025-05-02T00:00:00Z")
    status, error = api.error("changeOrderStatus", status_change(key, "3700"), fmt, root="OrderStatusChange")
    assert (status, error["ErrorCode"]) == (400, "MOCK0200")
    assert error["ErrorDescription"] == "The requested status change is not allowed by the pipeline."
    line = {"PrimeLineNo": "1", "Quantity": "5"}
    doc = status_change(key, "1300", OrderLines={"OrderLine": [line]})
    status, error = api.error("changeOrderStatus", doc, fmt, root="OrderStatusChange")
    assert error["ErrorCode"] == "MOCK0200"
    status, error = api.error("changeOrderStatus", status_change(key, "4242"), fmt, root="OrderStatusChange")
    assert error["ErrorCode"] == "MOCK0200"
    assert api("getOrderDetails", {"OrderHeaderKey": key}, fmt, query=TEMPLATE) == before


def test_ignore_transaction_dependencies_allows_any_move(api: Api) -> None:
    key = create(api)
    doc = status_change(key, "3700", IgnoreTransactionDependencies="Y")
    api("changeOrderStatus", doc, root="OrderStatusChange")
    assert summary(details(api, key)) == ("Shipped", "3700", "3700")
    _status, error = api.error("changeOrderStatus", status_change(key, "1100"), root="OrderStatusChange")
    assert error["ErrorCode"] == "MOCK0200"


def test_allow_any_transition_setting() -> None:
    api = Api(create_app(Settings(db=":memory:", demo_orders=0, allow_any_transition=True)).test_client())
    key = create(api)
    api("changeOrderStatus", status_change(key, "3350"), root="OrderStatusChange")
    assert summary(details(api, key)) == ("Included In Shipment", "3350", "3350")


def test_change_status_limited_to_a_release(api: Api) -> None:
    lines = ORDER["OrderLines"]["OrderLine"]
    key = create(api, OrderLines={"OrderLine": [{**lines[0], "ShipNode": "DC_WEST"}, lines[1]]})
    schedule(api, key, ScheduleAndRelease="Y")
    api("changeOrderStatus", status_change(key, "3200.10", ReleaseNo="2"), root="OrderStatusChange")
    order = details(api, key)
    assert rows(order, 0) == [("3200.10", "3.00")] and rows(order, 1) == [("3200", "1.00")]
    _status, error = api.error(
        "changeOrderStatus", status_change(key, "3300", ReleaseNo="9"), root="OrderStatusChange"
    )
    assert error["ErrorCode"] == "MOCK0200"


def test_mandatory_base_drop_status_and_quantity(api: Api) -> None:
    key = create(api)
    _status, error = api.error("changeOrderStatus", {"OrderHeaderKey": key}, root="OrderStatusChange")
    assert error["ErrorCode"] == "MOCK0100"
    doc = status_change(key, "1300", OrderLines={"OrderLine": [{"PrimeLineNo": "1"}]})
    _status, error = api.error("changeOrderStatus", doc, root="OrderStatusChange")
    assert error["ErrorCode"] == "MOCK0100"
    _status, error = api.error("scheduleOrder", {"OrderHeaderKey": "nope"}, root="ScheduleOrder")
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YFS10003", "YFS:Invalid Order")


# ------------------------------------------------------------------------------------------ pipelines, advance


def test_pipeline_file_changes_descriptions(tmp_path: Any) -> None:
    config = tmp_path / "pipeline.json"
    config.write_text('{"0001": {"statuses": {"3200.10": "Ready For Ship", "1500": "Planned"}}}')
    app = create_app(Settings(db=":memory:", demo_orders=0, pipeline_file=str(config)))
    api = Api(app.test_client())
    key = create(api)
    schedule(api, key)
    assert details(api, key)["Status"] == "Planned"
    release(api, key)
    api("changeOrderStatus", status_change(key, "3200.10"), root="OrderStatusChange")
    order = details(api, key)
    assert (order["Status"], order["MaxOrderStatusDesc"]) == ("Ready For Ship", "Ready For Ship")
