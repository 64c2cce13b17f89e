"""Alerts (issue 25): createException, getExceptionList, getExceptionListForOrder, resolveException, and
the alerts the fake raises itself (backorder, hold, payment decline), each switchable."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api

ORDER: dict[str, Any] = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "5000", "Item": {"ItemID": "SHOE-100"}, "LinePriceInfo": {"UnitPrice": "1"}}
        ]
    },
}


def strict(**extra: Any) -> Api:
    app: Flask = create_app(Settings(db=":memory:", demo_orders=0, strict_master_data=True, **extra))
    return Api(app.test_client())


def test_backorder_alert_raised_and_resolved(fmt: str) -> None:
    """The story: a line backordered raises an alert; a person resolves it."""
    api = strict()
    key = api("createOrder", ORDER, fmt)["OrderHeaderKey"]
    api("scheduleOrder", {"OrderHeaderKey": key}, fmt, root="ScheduleOrder")
    order = api("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    assert order["MinOrderStatus"] == "1300"
    found = api("getExceptionListForOrder", {"OrderHeaderKey": key}, fmt, root="Inbox")
    assert found["TotalInboxList"] == "1"
    alert = as_list(found["Inbox"])[0]
    assert (alert["ExceptionType"], alert["Status"], alert["OrderNo"]) == (
        "LINE_BACKORDERED",
        "OPEN",
        order["OrderNo"],
    )
    refs = {r["Name"]: r["Value"] for r in as_list(alert["InboxReferencesList"]["InboxReferences"])}
    assert float(refs["Quantity"]) > 0
    out = api(
        "resolveException",
        {"Inbox": {"InboxKey": alert["InboxKey"]}, "AuditDetail": "restocked"},
        fmt,
        root="ResolutionDetails",
    )
    assert (out["Status"], out["ActiveFlag"], out["ResolvedBy"]) == ("CLOSED", "N", "admin")
    open_ones = api("getExceptionList", {"Status": "OPEN"}, fmt, root="Inbox")
    assert open_ones["TotalInboxList"] == "0"
    closed = as_list(api("getExceptionList", {"Status": "CLOSED"}, fmt, root="Inbox")["Inbox"])[0]
    assert [a["Action"] for a in as_list(closed["InboxAuditList"]["InboxAudit"])] == ["CREATE", "RESOLVE"]


def test_alerts_are_switchable() -> None:
    api = strict(alert_on_backorder=False, alert_on_hold=False)
    key = api("createOrder", {**ORDER, "OrderHoldTypes": {"OrderHoldType": [{"HoldType": "PAYMENT_HOLD"}]}})[
        "OrderHeaderKey"
    ]
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    assert api("getExceptionList", {}, root="Inbox")["TotalInboxList"] == "0"


def test_hold_raises_an_alert(api: Api) -> None:
    key = api(
        "createOrder",
        {
            **ORDER,
            "EnterpriseCode": "DEFAULT",
            "OrderHoldTypes": {"OrderHoldType": [{"HoldType": "FRAUD_HOLD"}]},
        },
    )["OrderHeaderKey"]
    alert = as_list(api("getExceptionList", {"ExceptionType": "ORDER_ON_HOLD"}, root="Inbox")["Inbox"])[0]
    assert (alert["OrderHeaderKey"], alert["QueueId"]) == (key, "HOLD_QUEUE")


def test_create_exception_and_filters(api: Api, fmt: str) -> None:
    key = api("createOrder", {**ORDER, "EnterpriseCode": "DEFAULT"}, fmt)["OrderHeaderKey"]
    doc = {
        "ExceptionType": "CUSTOMER_CALL",
        "Description": "Wants a callback",
        "Priority": "1",
        "QueueId": "CSR",
        "OrderHeaderKey": key,
        "InboxReferencesList": {
            "InboxReferences": [{"Name": "Phone", "Value": "555", "ReferenceType": "TEXT"}]
        },
    }
    out = api("createException", doc, fmt, root="Inbox")
    assert out["InboxKey"] and out["Status"] == "OPEN" and out["GeneratedOn"]
    api("createException", {"ExceptionType": "OTHER", "Priority": "5"}, fmt, root="Inbox")
    urgent = api("getExceptionList", {"Priority": "3", "PriorityQryType": "LT"}, fmt, root="Inbox")
    assert [a["ExceptionType"] for a in as_list(urgent["Inbox"])] == ["CUSTOMER_CALL"]
    by_order = api("getExceptionListForOrder", {"OrderHeaderKey": key}, fmt, root="Inbox")
    assert as_list(by_order["Inbox"])[0]["QueueId"] == "CSR"


def test_alert_errors_change_nothing(api: Api, fmt: str) -> None:
    _, error = api.error("createException", {"Description": "no type"}, fmt, root="Inbox")
    assert error["ErrorCode"] == "MOCK0100"
    _, error = api.error(
        "createException", {"ExceptionType": "X", "OrderHeaderKey": "404"}, fmt, root="Inbox"
    )
    assert error["ErrorCode"] == "YFS10003"
    _, error = api.error("resolveException", {"Inbox": {"InboxKey": "404"}}, fmt, root="ResolutionDetails")
    assert error["ErrorCode"] == "MOCK0740"
    _, error = api.error("getExceptionListForOrder", {"OrderHeaderKey": "404"}, fmt, root="Inbox")
    assert error["ErrorCode"] == "YFS10003"
    assert api("getExceptionList", {}, fmt, root="Inbox")["TotalInboxList"] == "0"


@pytest.mark.parametrize("setting", ["alert_on_payment_decline"])
def test_settings_exist(setting: str) -> None:
    assert getattr(Settings(), setting) is True
