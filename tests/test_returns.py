"""Returns and receipts (issue 25): return orders derived from shipped sales lines, receipts, the refund."""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import as_list
from tests.conftest import Api

SALE: dict[str, Any] = {
    "EnterpriseCode": "DEFAULT",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "3", "Item": {"ItemID": "SKU1"}, "LinePriceInfo": {"UnitPrice": "10"}},
            {"OrderedQty": "1", "Item": {"ItemID": "SKU2"}, "LinePriceInfo": {"UnitPrice": "5"}},
        ]
    },
    "PaymentMethods": {"PaymentMethod": [{"PaymentType": "CREDIT_CARD", "CreditCardNo": "4111111111111111"}]},
}


def shipped_sale(api: Api, fmt: str, *, charge: bool = True) -> tuple[str, list[dict[str, Any]]]:
    key = str(api("createOrder", SALE, fmt)["OrderHeaderKey"])
    if charge:
        api("processOrderPayments", {"OrderHeaderKey": key}, fmt)
    api("scheduleOrder", {"OrderHeaderKey": key}, fmt, root="ScheduleOrder")
    api("releaseOrder", {"OrderHeaderKey": key}, fmt, root="ReleaseOrder")
    api("confirmShipment", {"OrderHeaderKey": key}, fmt, root="Shipment")
    if charge:
        api("processOrderPayments", {"OrderHeaderKey": key}, fmt)
    order = api("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    return key, as_list(order["OrderLines"]["OrderLine"])


def return_doc(sale_key: str, line_key: str, qty: str) -> dict[str, Any]:
    return {
        "EnterpriseCode": "DEFAULT",
        "DocumentType": "0003",
        "DerivedFromOrderHeaderKey": sale_key,
        "OrderLines": {"OrderLine": [{"OrderedQty": qty, "DerivedFromOrderLineKey": line_key}]},
    }


def statuses_of(line: dict[str, Any]) -> dict[str, str]:
    return {r["Status"]: r["StatusQty"] for r in as_list(line["OrderStatuses"]["OrderStatus"])}


def test_ship_return_receive_refund(api: Api, fmt: str) -> None:
    """The story: ship, return, receive, refund."""
    sale, lines = shipped_sale(api, fmt)
    ret = api("createOrder", return_doc(sale, lines[0]["OrderLineKey"], "2"), fmt)
    assert ret["DocumentType"] == "0003"
    sales_line = as_list(api("getOrderDetails", {"OrderHeaderKey": sale}, fmt)["OrderLines"]["OrderLine"])[0]
    assert statuses_of(sales_line) == {"3700": "1.00", "3700.01": "2.00"}
    receipt = api(
        "startReceipt",
        {
            "DocumentType": "0003",
            "ReceivingNode": "DC_EAST",
            "Shipment": {"OrderHeaderKey": ret["OrderHeaderKey"]},
        },
        fmt,
        root="Receipt",
    )
    assert set(receipt) == {"ReceiptHeaderKey", "ReceiptNo", "ShipmentKey", "Status", "ReceivingNode"}
    ret_line = as_list(
        api("getOrderDetails", {"OrderHeaderKey": ret["OrderHeaderKey"]}, fmt)["OrderLines"]["OrderLine"]
    )[0]
    received = api(
        "receiveOrder",
        {
            "ReceiptHeaderKey": receipt["ReceiptHeaderKey"],
            "ReceiptLines": {
                "ReceiptLine": [
                    {"OrderLineKey": ret_line["OrderLineKey"], "Quantity": "2", "DispositionCode": "RESELL"}
                ]
            },
        },
        fmt,
        root="Receipt",
    )
    assert as_list(received["ReceiptLines"]["ReceiptLine"])[0]["DispositionCode"] == "RESELL"
    returned = api("getOrderDetails", {"OrderHeaderKey": ret["OrderHeaderKey"]}, fmt)
    assert returned["Status"] == "Received"
    sale_after = api("getOrderDetails", {"OrderHeaderKey": sale}, fmt)
    assert statuses_of(as_list(sale_after["OrderLines"]["OrderLine"])[0]) == {
        "3700": "1.00",
        "3700.02": "2.00",
    }
    totals = sale_after["ChargeTransactionDetails"]
    assert (totals["TotalDebits"], totals["TotalCredits"]) == ("35.00", "20.00")
    credit = as_list(totals["ChargeTransactionDetail"])[-1]
    assert (credit["ChargeType"], credit["RequestAmount"], credit["CreditAmount"]) == (
        "CHARGE",
        "-20.00",
        "20.00",
    )
    invoices = api("getOrderInvoiceList", {"OrderHeaderKey": ret["OrderHeaderKey"]}, fmt, root="OrderInvoice")
    assert [(i["InvoiceType"], i["TotalAmount"]) for i in as_list(invoices["OrderInvoice"])] == [
        ("RETURN", "20.00")
    ]
    closed = api("closeReceipt", {"ReceiptHeaderKey": receipt["ReceiptHeaderKey"]}, fmt, root="Receipt")
    assert closed["Status"] == "1200"
    assert api("getOrderDetails", {"OrderHeaderKey": ret["OrderHeaderKey"]}, fmt)["MaxOrderStatus"] == "3950"
    listed = api("getReceiptList", {"OrderHeaderKey": ret["OrderHeaderKey"]}, fmt, root="Receipt")
    assert listed["TotalReceiptList"] == "1"


def test_returning_more_than_shipped_changes_nothing(api: Api, fmt: str) -> None:
    sale, lines = shipped_sale(api, fmt, charge=False)
    before = api("getOrderDetails", {"OrderHeaderKey": sale}, fmt)
    status, error = api.error("createOrder", return_doc(sale, lines[0]["OrderLineKey"], "4"), fmt)
    assert (status, error["ErrorCode"]) == (400, "MOCK0730")
    api("createOrder", return_doc(sale, lines[0]["OrderLineKey"], "3"), fmt)
    _, error = api.error("createOrder", return_doc(sale, lines[0]["OrderLineKey"], "1"), fmt)
    assert error["ErrorCode"] == "MOCK0730"  # all of it is on a return already
    listed = api("getOrderList", {"EnterpriseCode": "DEFAULT", "DocumentType": "0003"}, fmt)
    assert listed["TotalOrderList"] == "1"
    assert before["MaxOrderStatus"] == "3700"


def test_return_of_an_unshipped_or_unknown_line(api: Api, fmt: str) -> None:
    key = str(api("createOrder", SALE, fmt)["OrderHeaderKey"])
    line = as_list(api("getOrderDetails", {"OrderHeaderKey": key}, fmt)["OrderLines"]["OrderLine"])[0]
    _, error = api.error("createOrder", return_doc(key, line["OrderLineKey"], "1"), fmt)
    assert error["ErrorCode"] == "MOCK0730"
    _, error = api.error("createOrder", return_doc(key, "nope", "1"), fmt)
    assert error["ErrorCode"] == "MOCK0310"
    _, error = api.error("createOrder", return_doc("404", "nope", "1"), fmt)
    assert error["ErrorCode"] == "YFS10003"


def test_receipt_refusals(api: Api, fmt: str) -> None:
    sale, lines = shipped_sale(api, fmt, charge=False)
    ret = api("createOrder", return_doc(sale, lines[1]["OrderLineKey"], "1"), fmt)
    _, error = api.error("startReceipt", {"Shipment": {"OrderHeaderKey": sale}}, fmt, root="Receipt")
    assert error["ErrorCode"] == "MOCK0101"  # not a return order
    receipt = api(
        "startReceipt", {"Shipment": {"OrderHeaderKey": ret["OrderHeaderKey"]}}, fmt, root="Receipt"
    )
    one = {
        "ReceiptHeaderKey": receipt["ReceiptHeaderKey"],
        "ReceiptLines": {"ReceiptLine": [{"PrimeLineNo": "1", "Quantity": "2"}]},
    }
    _, error = api.error("receiveOrder", one, fmt, root="Receipt")
    assert error["ErrorCode"] == "MOCK0733"
    api("closeReceipt", {"ReceiptHeaderKey": receipt["ReceiptHeaderKey"]}, fmt, root="Receipt")
    before = api("getOrderDetails", {"OrderHeaderKey": ret["OrderHeaderKey"]}, fmt)
    one["ReceiptLines"]["ReceiptLine"][0]["Quantity"] = "1"
    status, error = api.error("receiveOrder", one, fmt, root="Receipt")
    assert (status, error["ErrorCode"]) == (400, "MOCK0732")
    assert api("getOrderDetails", {"OrderHeaderKey": ret["OrderHeaderKey"]}, fmt) == before
    _, error = api.error(
        "receiveOrder", {"ReceiptHeaderKey": "404", "ReceiptLines": one["ReceiptLines"]}, fmt, root="Receipt"
    )
    assert error["ErrorCode"] == "MOCK0731"
