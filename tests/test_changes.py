"""changeOrder: header changes, cancellation, line actions, refusals that change nothing, Modifyts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import as_list
from tests.conftest import Api
from tests.test_lists import at, fake_of, set_statuses

ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderNo": "C-1",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "3", "Item": {"ItemID": "SHOE"}, "LinePriceInfo": {"UnitPrice": "10.00"}},
            {"OrderedQty": "1", "Item": {"ItemID": "HAT"}, "LinePriceInfo": {"UnitPrice": "5.00"}},
        ]
    },
    "PersonInfoShipTo": {"FirstName": "Ada", "City": "London"},
}
FULL = "?_templateId=full"
TEMPLATE = {
    "OrderNo": "",
    "Modifyts": "",
    "Status": "",
    "MinOrderStatus": "",
    "MaxOrderStatus": "",
    "CustomerPONo": "",
    "ReqDeliveryDate": "",
    "ExtnRef": "",
    "PersonInfoShipTo": {},
    "Notes": {"Note": {}},
    "OrderDates": {"OrderDate": {}},
    "References": {"Reference": {}},
    "Extn": {},
    "PaymentMethods": {"PaymentMethod": {}},
    "HeaderCharges": {"HeaderCharge": {}},
    "OverallTotals": {},
    "OrderLines": {
        "OrderLine": {
            "PrimeLineNo": "",
            "OrderLineKey": "",
            "OrderedQty": "",
            "OriginalOrderedQty": "",
            "Status": "",
            "Modifyts": "",
            "Item": {"ItemID": ""},
            "LinePriceInfo": {"UnitPrice": ""},
            "Notes": {"Note": {}},
            "OrderStatuses": {"OrderStatus": {"Status": "", "StatusQty": ""}},
        }
    },
}


@pytest.fixture
def key(app: Flask, api: Api) -> str:
    with fake_of(app).store.write() as tx:
        tx.kv_put("_templates", "full", TEMPLATE)
    at(app, "2025-03-01T10:00:00+00:00")
    return str(api("createOrder", ORDER)["OrderHeaderKey"])


def details(api: Api, key: str, fmt: str = "json") -> dict[str, Any]:
    return api("getOrderDetails", {"OrderHeaderKey": key}, fmt, query=FULL)


def lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(order["OrderLines"]["OrderLine"])


def rows(line: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["Status"], r["StatusQty"]) for r in as_list(line["OrderStatuses"].get("OrderStatus"))]


def test_default_output_and_modifyts(app: Flask, api: Api, key: str, fmt: str) -> None:
    at(app, "2025-03-02T11:00:00+00:00")
    out = api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "PO-9"}, fmt)
    assert out == {
        "DocumentType": "0001",
        "OrderNo": "C-1",
        "OrderHeaderKey": key,
        "EnterpriseCode": "Matrix-R",
    }
    order = details(api, key, fmt)
    assert (order["CustomerPONo"], order["Modifyts"]) == ("PO-9", "2025-03-02T11:00:00+00:00")
    polled = api("getOrderList", {"FromModifyts": "2025-03-02T10:00:00Z", "ModifytsQryType": "BETWEEN"}, fmt)
    assert polled["TotalOrderList"] == "1"


def test_header_changes_by_natural_key(api: Api, key: str, fmt: str) -> None:
    change = {
        "EnterpriseCode": "Matrix-R",
        "OrderNo": "C-1",
        "DocumentType": "0001",
        "Override": "Y",
        "ReqDeliveryDate": "20250310",
        "ExtnRef": "x-1",
        "CustomerPONo": "",
        "PersonInfoShipTo": {"City": "Leeds", "FirstName": ""},
        "Notes": {"Note": [{"NoteText": "call first"}]},
        "OrderDates": {"OrderDate": [{"DateTypeId": "DELIVERY", "RequestedDate": "2025-03-10"}]},
        "References": {"Reference": [{"Name": "campaign", "Value": "spring"}]},
        "Extn": {"ExtnLoyaltyId": "L-1"},
        "PaymentMethods": {"PaymentMethod": [{"PaymentType": "CREDIT_CARD", "CreditCardType": "VISA"}]},
        "HeaderCharges": {
            "HeaderCharge": [{"ChargeCategory": "Shipping", "ChargeName": "Ship", "ChargeAmount": "4"}]
        },
    }
    api("changeOrder", change, fmt)
    api(
        "changeOrder",
        {
            "OrderHeaderKey": key,
            "Notes": {"Note": [{"NoteText": "second"}]},
            "OrderDates": {"OrderDate": [{"DateTypeId": "DELIVERY", "RequestedDate": "2025-03-12"}]},
            "HeaderCharges": {
                "HeaderCharge": [{"ChargeCategory": "Shipping", "ChargeName": "Ship", "ChargeAmount": "6"}]
            },
        },
        fmt,
    )
    order = details(api, key, fmt)
    assert order["ReqDeliveryDate"] == "2025-03-10T00:00:00+00:00"
    assert (order["ExtnRef"], order["CustomerPONo"]) == ("x-1", "")  # empty = no change
    assert (order["PersonInfoShipTo"]["City"], order["PersonInfoShipTo"]["FirstName"]) == ("Leeds", "Ada")
    assert [n["NoteText"] for n in as_list(order["Notes"]["Note"])] == ["call first", "second"]
    assert [d["RequestedDate"] for d in as_list(order["OrderDates"]["OrderDate"])] == ["2025-03-12"]
    assert as_list(order["References"]["Reference"]) == [{"Name": "campaign", "Value": "spring"}]
    assert order["Extn"] == {"ExtnLoyaltyId": "L-1"}
    assert as_list(order["PaymentMethods"]["PaymentMethod"])[0]["PaymentType"] == "CREDIT_CARD"
    assert as_list(order["HeaderCharges"]["HeaderCharge"])[0]["ChargeAmount"] == "6"
    assert order["OverallTotals"]["GrandTotal"] == "41.00"  # 35 + 6 shipping


def test_cancel_whole_order(api: Api, key: str, fmt: str) -> None:
    api("changeOrder", {"OrderHeaderKey": key, "Action": "CANCEL", "ModificationReasonCode": "CUST"}, fmt)
    order = details(api, key, fmt)
    assert (order["Status"], order["MinOrderStatus"], order["MaxOrderStatus"]) == (
        "Cancelled",
        "9000",
        "9000",
    )
    assert [rows(ln) for ln in lines(order)] == [[("9000", "3.00")], [("9000", "1.00")]]
    assert [ln["OrderedQty"] for ln in lines(order)] == ["0.00", "0.00"]
    assert order["OverallTotals"]["GrandTotal"] == "0.00"
    # a cancelled order cannot be changed
    status, error = api.error("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "x"}, fmt)
    assert (status, error["ErrorCode"]) == (400, "MOCK0201")


def test_cancel_keeps_shipped_quantity(app: Flask, api: Api, key: str, fmt: str) -> None:
    set_statuses(app, key, [[("3700", "1"), ("3200", "2")], [("1500", "1")]])
    api("changeOrder", {"OrderHeaderKey": key, "Action": "CANCEL"}, fmt)
    order = details(api, key, fmt)
    assert [rows(ln) for ln in lines(order)] == [[("3700", "1.00"), ("9000", "2.00")], [("9000", "1.00")]]
    assert (order["MinOrderStatus"], order["MaxOrderStatus"], order["Status"]) == ("3700", "3700", "Shipped")
    _, error = api.error("changeOrder", {"OrderHeaderKey": key, "Action": "CANCEL"}, fmt)
    assert error["ErrorCode"] == "MOCK0201"


def test_lower_ordered_qty_is_a_partial_cancel(app: Flask, api: Api, key: str, fmt: str) -> None:
    set_statuses(app, key, [[("1100", "1"), ("1500", "2")], [("1100", "1")]])
    doc = {
        "OrderHeaderKey": key,
        "OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "SubLineNo": "1", "OrderedQty": "1"}]},
    }
    api("changeOrder", doc, fmt)
    line = lines(details(api, key, fmt))[0]
    # least progressed quantity is cancelled first
    assert rows(line) == [("1500", "1.00"), ("9000", "2.00")]
    assert (line["OrderedQty"], line["OriginalOrderedQty"], line["Status"]) == ("1.00", "3.00", "Scheduled")
    order = details(api, key, fmt)
    assert (order["MinOrderStatus"], order["MaxOrderStatus"], order["Status"]) == (
        "1100",
        "1500",
        "Partially Scheduled",
    )


def test_raise_quantity_and_modify(api: Api, key: str, fmt: str) -> None:
    line_key = lines(details(api, key))[1]["OrderLineKey"]
    doc = {
        "OrderHeaderKey": key,
        "OrderLines": {
            "OrderLine": [
                {
                    "OrderLineKey": line_key,
                    "Action": "MODIFY",
                    "OrderedQty": "4",
                    "LinePriceInfo": {"UnitPrice": "6"},
                    "Notes": {"Note": {"NoteText": "gift"}},
                }
            ]
        },
    }
    api("changeOrder", doc, fmt)
    line = lines(details(api, key, fmt))[1]
    assert (line["OrderedQty"], line["OriginalOrderedQty"], rows(line)) == (
        "4.00",
        "4.00",
        [("1100", "4.00")],
    )
    assert line["LinePriceInfo"]["UnitPrice"] == "6"
    assert as_list(line["Notes"]["Note"])[0]["NoteText"] == "gift"


def test_line_create_cancel_remove(app: Flask, api: Api, key: str, fmt: str) -> None:
    doc = {
        "OrderHeaderKey": key,
        "OrderLines": {
            "OrderLine": [
                {
                    "Action": "CREATE",
                    "OrderedQty": "2",
                    "Item": {"ItemID": "SOCK"},
                    "LinePriceInfo": {"UnitPrice": "2"},
                },
                {"PrimeLineNo": "2", "Action": "CANCEL"},
            ]
        },
    }
    api("changeOrder", doc, fmt)
    order = details(api, key, fmt)
    assert [(ln["PrimeLineNo"], ln["Item"]["ItemID"], ln["Status"]) for ln in lines(order)] == [
        ("1", "SHOE", "Created"),
        ("2", "HAT", "Cancelled"),
        ("3", "SOCK", "Created"),
    ]
    api(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderLines": {"OrderLine": {"PrimeLineNo": "3", "Action": "REMOVE"}}},
        fmt,
    )
    assert [ln["PrimeLineNo"] for ln in lines(details(api, key, fmt))] == ["1", "2"]
    listed = api("getOrderList", {"OrderLine": {"Item": {"ItemID": "SOCK"}}}, fmt)
    assert listed["TotalOrderList"] == "0"  # the line index follows the change
    set_statuses(app, key, [[("1500", "3")], [("9000", "1")]])
    _, error = api.error(
        "changeOrder",
        {"OrderHeaderKey": key, "OrderLines": {"OrderLine": {"PrimeLineNo": "1", "Action": "REMOVE"}}},
        fmt,
    )
    assert error["ErrorCode"] == "MOCK0201"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"OrderLines": {"OrderLine": {"OrderLineKey": "NOPE", "OrderedQty": "1"}}}, "MOCK0310"),
        (
            {"OrderLines": {"OrderLine": {"PrimeLineNo": "9", "Action": "MODIFY", "OrderedQty": "1"}}},
            "MOCK0310",
        ),
        ({"OrderLines": {"OrderLine": {"PrimeLineNo": "1", "Action": "SPLIT"}}}, "MOCK0101"),
        ({"OrderLines": {"OrderLine": {"PrimeLineNo": "1", "OrderedQty": "-1"}}}, "MOCK0101"),
        ({"OrderLines": {"OrderLine": {"PrimeLineNo": "2", "OrderedQty": "0"}}}, "MOCK0201"),  # 1 shipped
        ({"ReqDeliveryDate": "next week"}, "MOCK0102"),
        ({"Action": "DELETE"}, "MOCK0101"),
    ],
)
def test_refusals_change_nothing(
    app: Flask, api: Api, key: str, change: dict[str, Any], code: str, fmt: str
) -> None:
    set_statuses(app, key, [[("1100", "3")], [("3700", "1")]])
    before = details(api, key)
    doc = {"OrderHeaderKey": key, "CustomerPONo": "SHOULD-NOT-STICK", **change}
    status, error = api.error("changeOrder", doc, fmt)
    assert (status, error["ErrorCode"]) == (400, code)
    assert details(api, key) == before
    audits = api("getOrderAuditList", {"OrderHeaderKey": key}, root="OrderAudit")
    assert len(as_list(audits["OrderAudit"])) == 1  # only the createOrder audit


def test_unknown_order(api: Api, fmt: str) -> None:
    _, error = api.error("changeOrder", {"OrderHeaderKey": "404", "CustomerPONo": "x"}, fmt)
    assert error["ErrorCode"] == "YFS10003"


def test_change_with_template(api: Api, key: str, fmt: str) -> None:
    out = api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "T"}, fmt, query="?_templateId=full")
    assert out["CustomerPONo"] == "T" and "OrderLines" in out
