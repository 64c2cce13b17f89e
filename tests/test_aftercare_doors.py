"""Every issue 25 API over every door: REST (JSON and XML, in the other tests), multiApi (one transaction:
a failing hold API rolls back what came before it), getPage for the lists, and the interop servlet."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list, from_xml
from tests.conftest import Api
from tests.test_interop import classic_error, java_call

ORDER: dict[str, Any] = {
    "EnterpriseCode": "DEFAULT",
    "OrderLines": {
        "OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "SKU1"}, "LinePriceInfo": {"UnitPrice": "10"}}]
    },
    "PaymentMethods": {"PaymentMethod": [{"PaymentType": "CREDIT_CARD", "CreditCardNo": "4111111111111111"}]},
    "OrderHoldTypes": {"OrderHoldType": [{"HoldType": "FRAUD_HOLD"}]},
}
#: (API, input root, list root, item) of the list APIs, each given an input that finds one record.
LISTS = [
    ("getOrderHoldTypeList", "OrderHoldType", "OrderHoldTypeList", "OrderHoldType"),
    ("getHoldTypeList", "HoldType", "HoldTypeList", "HoldType"),
    ("getOrderInvoiceList", "OrderInvoice", "OrderInvoiceList", "OrderInvoice"),
    ("getExceptionList", "Inbox", "InboxList", "Inbox"),
    ("getExceptionListForOrder", "Inbox", "InboxList", "Inbox"),
    ("getReceiptList", "Receipt", "ReceiptList", "Receipt"),
]


def resolve_pay_and_ship(api: Api, key: str) -> None:
    """Resolve the order's FRAUD_HOLD, authorise its payment, then schedule, release and ship it (the shipment's
    confirmation invoices it)."""
    api(
        "changeOrder",
        {
            "OrderHeaderKey": key,
            "OrderHoldTypes": {"OrderHoldType": [{"HoldType": "FRAUD_HOLD", "Status": "1300"}]},
        },
    )
    api("processOrderPayments", {"OrderHeaderKey": key})
    for call, root in (
        ("scheduleOrder", "ScheduleOrder"),
        ("releaseOrder", "ReleaseOrder"),
        ("confirmShipment", "Shipment"),
    ):
        api(call, {"OrderHeaderKey": key}, root=root)


def return_one_and_start_receipt(api: Api, key: str) -> tuple[str, str]:
    """A return order (0003) of one unit of the shipped order's first line, and a receipt started for it:
    (its OrderHeaderKey, the ReceiptHeaderKey)."""
    line = as_list(api("getOrderDetails", {"OrderHeaderKey": key})["OrderLines"]["OrderLine"])[0]
    ret = api(
        "createOrder",
        {
            "EnterpriseCode": "DEFAULT",
            "DocumentType": "0003",
            "DerivedFromOrderHeaderKey": key,
            "OrderLines": {
                "OrderLine": [{"OrderedQty": "1", "DerivedFromOrderLineKey": line["OrderLineKey"]}]
            },
        },
    )
    receipt = api("startReceipt", {"Shipment": {"OrderHeaderKey": ret["OrderHeaderKey"]}}, root="Receipt")
    return str(ret["OrderHeaderKey"]), str(receipt["ReceiptHeaderKey"])


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    """An order that was held, resolved, authorised, shipped (invoiced), returned and received."""
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    resolve_pay_and_ship(api, key)
    ret, receipt = return_one_and_start_receipt(api, key)
    return {"key": key, "return": ret, "receipt": receipt}


def list_input(name: str, world: dict[str, str]) -> dict[str, str]:
    return {
        "getOrderHoldTypeList": {"OrderHeaderKey": world["key"]},
        "getHoldTypeList": {"HoldType": "FRAUD_HOLD"},
        "getOrderInvoiceList": {"OrderHeaderKey": world["key"]},
        "getExceptionList": {"ExceptionType": "ORDER_ON_HOLD"},
        "getExceptionListForOrder": {"OrderHeaderKey": world["key"]},
        "getReceiptList": {"ReceiptHeaderKey": world["receipt"]},
    }[name]


@pytest.mark.parametrize(("name", "root", "list_root", "item"), LISTS)
def test_lists_through_get_page(
    api: Api, world: dict[str, str], fmt: str, name: str, root: str, list_root: str, item: str
) -> None:
    doc = {
        "PageNumber": "1",
        "PageSize": "5",
        "PaginationStrategy": "GENERIC",
        "API": {"Name": name, "Input": {root: list_input(name, world)}},
    }
    page = api("getPage", doc, fmt, root="Page")
    assert page["IsLastPage"] == "Y"
    assert len(as_list(page["Output"][list_root][item])) == 1


@pytest.mark.parametrize(("name", "root", "list_root", "item"), LISTS)
def test_lists_through_interop(
    client: FlaskClient, world: dict[str, str], name: str, root: str, list_root: str, item: str
) -> None:
    body = java_call(client, name, root, list_input(name, world))
    found_root, doc = from_xml(body)
    assert found_root == list_root and len(as_list(doc[item])) == 1


def test_writes_through_multi_api_roll_back_together(api: Api, world: dict[str, str], fmt: str) -> None:
    """multiApi is one transaction: a refused receipt undoes the cancel and the alert before it."""
    second = api("createOrder", {**ORDER, "OrderHoldTypes": {}}, fmt)["OrderHeaderKey"]
    doc = {
        "API": [
            {"Name": "cancelOrder", "Input": {"Order": {"OrderHeaderKey": second}}},
            {"Name": "createException", "Input": {"Inbox": {"ExceptionType": "X"}}},
            {
                "Name": "receiveOrder",
                "Input": {
                    "Receipt": {
                        "ReceiptHeaderKey": world["receipt"],
                        "ReceiptLines": {"ReceiptLine": [{"PrimeLineNo": "1", "Quantity": "9"}]},
                    }
                },
            },
        ]
    }
    _, error = api.error("multiApi", doc, fmt, root="MultiApi")
    assert error["ErrorCode"] == "MOCK0733"
    assert api("getOrderDetails", {"OrderHeaderKey": second}, fmt)["Status"] == "Created"
    assert api("getExceptionList", {"ExceptionType": "X"}, fmt, root="Inbox")["TotalInboxList"] == "0"
    doc["API"] = [
        *doc["API"][:2],
        {"Name": "processOrderPayments", "Input": {"Order": {"OrderHeaderKey": world["key"]}}},
        {"Name": "getOrderHoldTypeList", "Input": {"OrderHoldType": {"OrderHeaderKey": world["key"]}}},
    ]
    out = api("multiApi", doc, fmt, root="MultiApi")
    outputs = [entry["Output"] for entry in as_list(out["API"])]
    assert set(outputs[0]["Order"]) == {"OrderNo", "DocumentType", "EnterpriseCode", "OrderLines"}
    assert outputs[2]["Order"]["PaymentStatus"] == "PAID"
    assert outputs[3]["OrderHoldTypeList"]["TotalOrderHoldTypeList"] == "1"


def test_writes_and_errors_through_interop(client: FlaskClient, world: dict[str, str]) -> None:
    body = java_call(
        client,
        "receiveOrder",
        "Receipt",
        {
            "ReceiptHeaderKey": world["receipt"],
            "ReceiptLines": {
                "ReceiptLine": [{"PrimeLineNo": "1", "Quantity": "1", "DispositionCode": "RESELL"}]
            },
        },
    )
    assert from_xml(body)[1]["ReceiptHeaderKey"] == world["receipt"]
    java_call(client, "closeReceipt", "Receipt", {"ReceiptHeaderKey": world["receipt"]})
    body = java_call(
        client,
        "receiveOrder",
        "Receipt",
        {
            "ReceiptHeaderKey": world["receipt"],
            "ReceiptLines": {"ReceiptLine": [{"PrimeLineNo": "1", "Quantity": "1"}]},
        },
    )
    assert classic_error(body.decode())["ErrorCode"] == "MOCK0732"
    held = java_call(
        client,
        "createOrder",
        "Order",
        {**ORDER, "OrderHoldTypes": {"OrderHoldType": [{"HoldType": "FRAUD_HOLD"}]}},
    )
    key = from_xml(held)[1]["OrderHeaderKey"]
    body = java_call(client, "scheduleOrder", "ScheduleOrder", {"OrderHeaderKey": key})
    assert classic_error(body.decode())["ErrorCode"] == "MOCK0700"
    body = java_call(
        client, "cancelOrder", "Order", {"OrderHeaderKey": key, "ModificationReasonCode": "FRAUD"}
    )
    assert from_xml(body)[0] == "Order"
    body = java_call(client, "getOrderInvoiceDetails", "OrderInvoice", {"OrderInvoiceKey": "none"})
    assert classic_error(body.decode())["ErrorCode"] == "MOCK0720"
