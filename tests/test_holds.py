"""Holds (issue 25): put and resolved through createOrder and changeOrder at order and line level, flags,
blocking of scheduling, release and shipment, strict mode, audit, the hold lists, and cancelOrder."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api

ORDER: dict[str, Any] = {
    "EnterpriseCode": "DEFAULT",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "2", "Item": {"ItemID": "SKU1"}, "LinePriceInfo": {"UnitPrice": "10"}},
            {"OrderedQty": "1", "Item": {"ItemID": "SKU2"}, "LinePriceInfo": {"UnitPrice": "5"}},
        ]
    },
}
HOLDS_TEMPLATE = {
    "OrderNo": "",
    "HoldFlag": "",
    "HoldReasonCode": "",
    "OrderHoldTypes": {"OrderHoldType": {}},
    "OrderLines": {"OrderLine": {"PrimeLineNo": "", "HoldFlag": "", "OrderHoldTypes": {"OrderHoldType": {}}}},
}


def create(api: Api, fmt: str = "json", **extra: Any) -> str:
    return str(api("createOrder", {**ORDER, **extra}, fmt)["OrderHeaderKey"])


def details(api: Api, key: str, fmt: str = "json", template: dict[str, Any] | None = None) -> dict[str, Any]:
    if template is None:
        return api("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    doc = {
        "API": {
            "Name": "getOrderDetails",
            "Input": {"Order": {"OrderHeaderKey": key}},
            "Template": {"Order": template},
        }
    }
    out = api("multiApi", doc, fmt, root="MultiApi")
    entry = as_list(out["API"])[0]
    return dict(entry["Output"]["Order"])


def hold(hold_type: str, status: str = "", reason: str = "") -> dict[str, str]:
    return {k: v for k, v in {"HoldType": hold_type, "Status": status, "ReasonText": reason}.items() if v}


def test_create_with_holds_sets_the_flags(api: Api, fmt: str) -> None:
    key = create(api, fmt, OrderHoldTypes={"OrderHoldType": [hold("FRAUD_HOLD", reason="score 91")]})
    order = details(api, key, fmt)
    assert (order["HoldFlag"], order["HoldReasonCode"]) == ("Y", "FRAUD_HOLD")
    assert "OrderHoldTypes" not in order  # by template only (reference §14)
    held = details(api, key, fmt, HOLDS_TEMPLATE)
    entry = as_list(held["OrderHoldTypes"]["OrderHoldType"])[0]
    assert (entry["HoldType"], entry["Status"], entry["ReasonText"]) == ("FRAUD_HOLD", "1100", "score 91")


def test_ibm_connector_json_form_is_read(api: Api, client: Any) -> None:
    body = {**ORDER, "OrderHoldTypes": [{"OrderHoldType": {"HoldType": "PAYMENT_HOLD", "ReasonText": "x"}}]}
    key = create(api, **body)
    assert details(api, key)["HoldReasonCode"] == "PAYMENT_HOLD"


def test_held_order_is_not_scheduled_then_moves_on_once_resolved(api: Api, fmt: str) -> None:
    """The story: hold -> refused -> resolve -> schedule, release, ship."""
    key = create(api, fmt, OrderHoldTypes={"OrderHoldType": [hold("FRAUD_HOLD")]})
    before = details(api, key, fmt)
    status, error = api.error("scheduleOrder", {"OrderHeaderKey": key}, fmt, root="ScheduleOrder")
    assert status == 400 and error["ErrorCode"] == "MOCK0700"
    after = details(api, key, fmt)
    assert after == before  # nothing changed
    api(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold("FRAUD_HOLD", "1300")]}},
        fmt,
    )
    order = details(api, key, fmt)
    assert (order["HoldFlag"], order["HoldReasonCode"]) == ("N", "")
    api("scheduleOrder", {"OrderHeaderKey": key}, fmt, root="ScheduleOrder")
    api("releaseOrder", {"OrderHeaderKey": key}, fmt, root="ReleaseOrder")
    api("confirmShipment", {"OrderHeaderKey": key}, fmt, root="Shipment")
    assert details(api, key, fmt)["MaxOrderStatus"] == "3700"
    held = details(api, key, fmt, HOLDS_TEMPLATE)
    entry = as_list(held["OrderHoldTypes"]["OrderHoldType"])[0]
    assert (entry["Status"], entry["ResolverUserId"]) == ("1300", "admin")


def test_release_and_shipment_blocked_by_a_later_hold(api: Api) -> None:
    key = create(api)
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    api("changeOrder", {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold("PAYMENT_HOLD")]}})
    _, error = api.error("releaseOrder", {"OrderHeaderKey": key}, root="ReleaseOrder")
    assert error["ErrorCode"] == "MOCK0700"
    api(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold("PAYMENT_HOLD", "1300")]}},
    )
    api("releaseOrder", {"OrderHeaderKey": key}, root="ReleaseOrder")
    api(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold("ADDRESS_VERIFICATION")]}},
    )
    _, error = api.error("confirmShipment", {"OrderHeaderKey": key}, root="Shipment")
    assert error["ErrorCode"] == "MOCK0700"
    assert details(api, key)["MaxOrderStatus"] == "3200"


def test_line_hold_skips_the_line(api: Api) -> None:
    lines = [dict(line) for line in ORDER["OrderLines"]["OrderLine"]]
    lines[1]["OrderHoldTypes"] = {"OrderHoldType": [hold("ITEM_REVIEW")]}
    key = create(api, OrderLines={"OrderLine": lines})
    order = details(api, key)
    assert order["HoldFlag"] == "N"
    assert [ln["HoldFlag"] for ln in as_list(order["OrderLines"]["OrderLine"])] == ["N", "Y"]
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    statuses = [ln["MaxLineStatus"] for ln in as_list(details(api, key)["OrderLines"]["OrderLine"])]
    assert statuses == ["1500", "1100"]
    resolve = {
        "OrderHeaderKey": key,
        "OrderLines": {
            "OrderLine": [
                {"PrimeLineNo": "2", "OrderHoldTypes": {"OrderHoldType": [hold("ITEM_REVIEW", "1300")]}}
            ]
        },
    }
    api("changeOrder", resolve)
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    assert details(api, key)["MinOrderStatus"] == "1500"


def test_unknown_hold_type_blocks_by_default(api: Api) -> None:
    key = create(api, OrderHoldTypes={"OrderHoldType": [hold("MY_OWN_HOLD")]})
    _, error = api.error("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    assert error["ErrorCode"] == "MOCK0700" and "MY_OWN_HOLD" in str(error["MoreInfo"])


def test_lenient_resolve_of_an_absent_hold_creates_it(api: Api) -> None:
    """IBM support 553315: a hold type not on the order is created at 1100 even when Status says 1300."""
    key = create(api)
    api(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold("TEST_HOLD", "1300")]}},
    )
    assert details(api, key)["HoldFlag"] == "Y"


@pytest.fixture
def strict_api() -> Api:
    app: Flask = create_app(Settings(db=":memory:", demo_orders=0, strict_hold_types=True))
    return Api(app.test_client())


def test_strict_mode_refuses_unknown_types_and_absent_holds(strict_api: Api, fmt: str) -> None:
    status, error = strict_api.error(
        "createOrder", {**ORDER, "OrderHoldTypes": {"OrderHoldType": [hold("NO_SUCH")]}}, fmt
    )
    assert (status, error["ErrorCode"]) == (400, "MOCK0701")
    listed = strict_api("getOrderList", {"EnterpriseCode": "DEFAULT"}, fmt)
    assert listed["TotalOrderList"] == "0"  # nothing created
    key = create(strict_api, fmt)
    before = details(strict_api, key, fmt)
    _, error = strict_api.error(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold("FRAUD_HOLD", "1300")]}},
        fmt,
    )
    assert error["ErrorCode"] == "MOCK0702"
    assert details(strict_api, key, fmt) == before


def test_bad_hold_input(api: Api, fmt: str) -> None:
    _, error = api.error(
        "createOrder", {**ORDER, "OrderHoldTypes": {"OrderHoldType": [{"ReasonText": "x"}]}}, fmt
    )
    assert error["ErrorCode"] == "MOCK0100"
    _, error = api.error(
        "createOrder", {**ORDER, "OrderHoldTypes": {"OrderHoldType": [hold("FRAUD_HOLD", "1200")]}}, fmt
    )
    assert error["ErrorCode"] == "MOCK0101"


def test_holds_are_audited(api: Api) -> None:
    key = create(api)
    api(
        "changeOrder",
        {
            "OrderHeaderKey": key,
            "OrderHoldTypes": {"OrderHoldType": [hold("FRAUD_HOLD")]},
            "ModificationReasonCode": "FRAUD",
        },
    )
    api(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold("FRAUD_HOLD", "1300")]}},
    )
    audits = as_list(api("getOrderAuditList", {"OrderHeaderKey": key}, root="OrderAudit")["OrderAudit"])
    types = [
        {
            t["Name"]
            for level in as_list(a["OrderAuditLevels"]["OrderAuditLevel"])
            for t in as_list(level["ModificationTypes"]["ModificationType"])
        }
        for a in audits
    ]
    assert sum("HOLD" in t for t in types) == 2
    template = {
        "OrderAudit": {
            "OrderAuditLevels": {
                "OrderAuditLevel": {
                    "OrderAuditDetails": {"OrderAuditDetail": {"Attributes": {"Attribute": {}}}}
                }
            }
        }
    }
    doc = {
        "API": {
            "Name": "getOrderAuditList",
            "Input": {"OrderAudit": {"OrderHeaderKey": key}},
            "Template": {"OrderAuditList": template},
        }
    }
    out = as_list(api("multiApi", doc, root="MultiApi")["API"])[0]["Output"]["OrderAuditList"]
    holds = [
        {a["Name"]: a["NewValue"] for a in as_list(d["Attributes"]["Attribute"])}
        for audit in as_list(out["OrderAudit"])
        for level in as_list(audit["OrderAuditLevels"]["OrderAuditLevel"])
        for d in as_list((level.get("OrderAuditDetails") or {}).get("OrderAuditDetail"))
        if d["AuditType"] == "OrderHoldType"
    ]
    assert holds == [{"HoldType": "FRAUD_HOLD", "Status": "1100"}, {"Status": "1300"}]


def test_hold_lists(api: Api, fmt: str) -> None:
    first = create(api, fmt, OrderHoldTypes={"OrderHoldType": [hold("FRAUD_HOLD"), hold("PAYMENT_HOLD")]})
    create(api, fmt, OrderHoldTypes={"OrderHoldType": [hold("FRAUD_HOLD")]})
    api(
        "changeOrder",
        {"OrderHeaderKey": first, "OrderHoldTypes": {"OrderHoldType": [hold("PAYMENT_HOLD", "1300")]}},
        fmt,
    )
    mine = api("getOrderHoldTypeList", {"OrderHeaderKey": first}, fmt, root="OrderHoldType")
    assert mine["TotalOrderHoldTypeList"] == "2"
    waiting = api("getOrderHoldTypeList", {"Status": "1100"}, fmt, root="OrderHoldType")
    assert [h["HoldType"] for h in as_list(waiting["OrderHoldType"])] == ["FRAUD_HOLD", "FRAUD_HOLD"]
    types = api("getHoldTypeList", {"OrganizationCode": "DEFAULT"}, fmt, root="HoldType")
    assert "FRAUD_HOLD" in [h["HoldType"] for h in as_list(types["HoldType"])]
    _, error = api.error("getOrderHoldTypeList", {"OrderHeaderKey": "404"}, fmt, root="OrderHoldType")
    assert error["ErrorCode"] == "YFS10003"


# ------------------------------------------------------------------------------------------ cancelOrder


def test_cancel_order_whole(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    out = api(
        "cancelOrder",
        {"OrderHeaderKey": key, "ModificationReasonCode": "CUST", "ModificationReasonText": "asked"},
        fmt,
    )
    assert set(out) == {"OrderNo", "DocumentType", "EnterpriseCode", "OrderLines"}
    assert [ln["OrderedQty"] for ln in as_list(out["OrderLines"]["OrderLine"])] == ["0.00", "0.00"]
    assert details(api, key, fmt)["Status"] == "Cancelled"
    audits = as_list(api("getOrderAuditList", {"OrderHeaderKey": key}, fmt, root="OrderAudit")["OrderAudit"])
    assert audits[-1]["ReasonCode"] == "CUST"


def test_cancel_order_by_line_and_refusals(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    out = api(
        "cancelOrder",
        {"OrderHeaderKey": key, "OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "QuantityToCancel": "1"}]}},
        fmt,
    )
    assert [ln["OrderedQty"] for ln in as_list(out["OrderLines"]["OrderLine"])] == ["1.00"]
    before = details(api, key, fmt)
    _, error = api.error(
        "cancelOrder",
        {"OrderHeaderKey": key, "OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "QuantityToCancel": "5"}]}},
        fmt,
    )
    assert error["ErrorCode"] == "MOCK0201"
    _, error = api.error(
        "cancelOrder",
        {"OrderHeaderKey": key, "OrderLines": {"OrderLine": [{"PrimeLineNo": "9", "QuantityToCancel": "1"}]}},
        fmt,
    )
    assert error["ErrorCode"] == "MOCK0310"
    assert details(api, key, fmt) == before
    for call, root in (("scheduleOrder", "ScheduleOrder"), ("releaseOrder", "ReleaseOrder")):
        api(call, {"OrderHeaderKey": key}, fmt, root=root)
    api("confirmShipment", {"OrderHeaderKey": key}, fmt, root="Shipment")
    _, error = api.error("cancelOrder", {"OrderHeaderKey": key}, fmt)
    assert error["ErrorCode"] == "MOCK0201"  # nothing cancels once shipped


def test_common_code_hold_types_are_configured(strict_api: Api) -> None:
    """Hold types of CodeType ORDER_HOLD_TYPE (getCommonCodeList) count as configured."""
    codes = strict_api(
        "getCommonCodeList",
        {"CodeType": "ORDER_HOLD_TYPE", "OrganizationCode": "Matrix-R"},
        root="CommonCode",
    )
    value = as_list(codes["CommonCode"])[0]["CodeValue"]
    listed = strict_api("getHoldTypeList", {"OrganizationCode": "Matrix-R"}, root="HoldType")
    assert value in [h["HoldType"] for h in as_list(listed["HoldType"])]
    order = {**ORDER, "EnterpriseCode": "Matrix-R", "OrderHoldTypes": {"OrderHoldType": [hold(value)]}}
    assert strict_api("createOrder", order)["OrderNo"]


def test_lifecycle_agents_skip_held_orders(api: Api, client: Any) -> None:
    held = create(api, OrderHoldTypes={"OrderHoldType": [hold("FRAUD_HOLD")]})
    free = create(api)
    moved = client.post("/_fake/agents/run", json={"steps": 3}).get_json()["moved"]
    assert moved.get("1100->1500") == 1
    assert details(api, held)["MaxOrderStatus"] == "1100"
    assert details(api, free)["MaxOrderStatus"] == "3700"
    api(
        "changeOrder",
        {"OrderHeaderKey": held, "OrderHoldTypes": {"OrderHoldType": [hold("FRAUD_HOLD", "1300")]}},
    )
    client.post("/_fake/agents/run", json={"steps": 3})
    assert details(api, held)["MaxOrderStatus"] == "3700"  # moves on once resolved


def test_a_deleted_orders_holds_are_not_listed(api: Api) -> None:
    key = create(api, OrderHoldTypes={"OrderHoldType": [hold("FRAUD_HOLD")]})
    api("deleteOrder", {"OrderHeaderKey": key})
    assert (
        api("getOrderHoldTypeList", {"Status": "1100"}, root="OrderHoldType")["TotalOrderHoldTypeList"] == "0"
    )


def test_change_order_status_respects_holds(api: Api) -> None:
    key = create(api, OrderHoldTypes={"OrderHoldType": [hold("FRAUD_HOLD")]})
    move = {"OrderHeaderKey": key, "BaseDropStatus": "1500", "TransactionId": "SCHEDULE.0001"}
    _, error = api.error("changeOrderStatus", move, root="OrderStatusChange")
    assert error["ErrorCode"] == "MOCK0700"
    api(
        "changeOrderStatus", {**move, "BaseDropStatus": "1300"}, root="OrderStatusChange"
    )  # backorder: allowed
    assert details(api, key)["MaxOrderStatus"] == "1300"
