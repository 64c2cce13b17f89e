"""Payments and invoices (issue 25): payment methods, processOrderPayments (authorise, charge, limits,
declines from the control plane), invoices on shipment and by createOrderInvoice, totals on the order."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api

CARD = {"PaymentType": "CREDIT_CARD", "CreditCardType": "VISA", "CreditCardNo": "4111111111111111",
        "CreditCardExpDate": "12/2030", "CreditCardName": "Ada Lovelace"}  # fmt: skip
GIFT = {"PaymentType": "GIFT_CARD", "SvcNo": "6006491234567890", "ChargeSequence": "1", "UnlimitedCharges": "N",
        "MaxChargeLimit": "15"}  # fmt: skip
ORDER: dict[str, Any] = {
    "EnterpriseCode": "DEFAULT",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "2", "Item": {"ItemID": "SKU1"}, "LinePriceInfo": {"UnitPrice": "10"}},
            {"OrderedQty": "1", "Item": {"ItemID": "SKU2"}, "LinePriceInfo": {"UnitPrice": "5"}},
        ]
    },
    "HeaderCharges": {
        "HeaderCharge": [{"ChargeCategory": "Shipping", "ChargeName": "Ship", "ChargeAmount": "5"}]
    },
}


def create(api: Api, fmt: str = "json", methods: list[dict[str, str]] | None = None) -> str:
    doc = {**ORDER, "PaymentMethods": {"PaymentMethod": methods if methods is not None else [dict(CARD)]}}
    return str(api("createOrder", doc, fmt)["OrderHeaderKey"])


def details(api: Api, key: str, fmt: str = "json") -> dict[str, Any]:
    return api("getOrderDetails", {"OrderHeaderKey": key}, fmt)


def ship(api: Api, key: str, fmt: str = "json") -> None:
    api("scheduleOrder", {"OrderHeaderKey": key}, fmt, root="ScheduleOrder")
    api("releaseOrder", {"OrderHeaderKey": key}, fmt, root="ReleaseOrder")
    api("confirmShipment", {"OrderHeaderKey": key}, fmt, root="Shipment")


def ctd(order: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    node = order["ChargeTransactionDetails"]
    return node, as_list(node.get("ChargeTransactionDetail"))


def test_payment_method_display_numbers(api: Api, fmt: str) -> None:
    key = create(api, fmt, [dict(CARD), dict(GIFT)])
    methods = as_list(details(api, key, fmt)["PaymentMethods"]["PaymentMethod"])
    assert methods[0]["DisplayCreditCardNo"] == "1111"
    assert methods[1]["DisplaySvcNo"] == "7890"


def test_authorise_ship_invoice_charge(api: Api, fmt: str) -> None:
    """The story: authorise, ship, invoice (on confirmation), charge."""
    key = create(api, fmt)
    order = details(api, key, fmt)
    totals, records = ctd(order)
    assert (totals["TotalOpenAuthorizations"], records) == ("0.00", [])
    out = api("processOrderPayments", {"OrderHeaderKey": key}, fmt)
    assert out["PaymentStatus"] == "AUTHORIZED"
    order = details(api, key, fmt)
    totals, records = ctd(order)
    assert totals["TotalOpenAuthorizations"] == "30.00"  # 2x10 + 5 + 5 shipping
    assert [(r["ChargeType"], r["RequestAmount"], r["Status"]) for r in records] == [
        ("AUTHORIZATION", "30.00", "CHECKED")
    ]
    assert records[0]["AuthorizationID"].startswith("AUTH")
    ship(api, key, fmt)
    order = details(api, key, fmt)
    assert order["InvoicedTotals"]["GrandTotal"] == "30.00"
    assert order["RemainingTotals"]["GrandTotal"] == "0.00"
    assert as_list(order["OrderLines"]["OrderLine"])[0]["InvoicedQty"] == "2.00"
    invoices = api("getOrderInvoiceList", {"OrderHeaderKey": key}, fmt, root="OrderInvoice")
    assert invoices["TotalOrderInvoiceList"] == "1"
    invoice = as_list(invoices["OrderInvoice"])[0]
    assert (invoice["InvoiceType"], invoice["TotalAmount"]) == ("SHIPMENT", "30.00")
    detail = api(
        "getOrderInvoiceDetails", {"OrderInvoiceKey": invoice["OrderInvoiceKey"]}, fmt, root="OrderInvoice"
    )
    lines = as_list(detail["InvoiceHeader"]["LineDetails"]["LineDetail"])
    assert [(ln["ItemID"], ln["LineTotal"]) for ln in lines] == [("SKU1", "20.00"), ("SKU2", "5.00")]
    assert as_list(detail["InvoiceHeader"]["HeaderChargeList"]["HeaderCharge"])[0]["ChargeAmount"] == "5"
    assert details(api, key, fmt)["PaymentStatus"] == "AUTHORIZED"
    out = api("processOrderPayments", {"OrderHeaderKey": key}, fmt)
    assert out["PaymentStatus"] == "PAID"
    totals, records = ctd(details(api, key, fmt))
    assert (totals["TotalOpenAuthorizations"], totals["TotalDebits"]) == ("0.00", "30.00")
    assert [r["ChargeType"] for r in records] == ["AUTHORIZATION", "CHARGE"]


def test_charge_sequence_and_limits(api: Api) -> None:
    key = create(api, "json", [dict(CARD, ChargeSequence="2"), dict(GIFT, MaxChargeLimit="12")])
    api("processOrderPayments", {"OrderHeaderKey": key})
    _, records = ctd(details(api, key))
    assert [r["RequestAmount"] for r in records] == ["12.00", "18.00"]  # the gift card first, to its limit
    assert records[0]["PaymentKey"] != records[1]["PaymentKey"]


def test_charging_more_than_authorised_changes_nothing(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    api("processOrderPayments", {"OrderHeaderKey": key}, fmt)
    before = details(api, key, fmt)
    pay_key = as_list(before["PaymentMethods"]["PaymentMethod"])[0]
    request = {"OrderHeaderKey": key, "PaymentMethods": {"PaymentMethod": [
        {"PaymentType": "CREDIT_CARD", "CreditCardNo": CARD["CreditCardNo"],
         "PaymentDetails": {"ChargeType": "CHARGE", "RequestAmount": "31"}}]}}  # fmt: skip
    status, error = api.error("processOrderPayments", request, fmt)
    assert (status, error["ErrorCode"]) == (400, "MOCK0711")
    assert details(api, key, fmt) == before
    request["PaymentMethods"]["PaymentMethod"][0]["PaymentDetails"]["RequestAmount"] = "12.50"
    api("processOrderPayments", request, fmt)
    totals, _ = ctd(details(api, key, fmt))
    assert (totals["TotalOpenAuthorizations"], totals["TotalDebits"]) == ("17.50", "12.50")
    assert pay_key["PaymentType"] == "CREDIT_CARD"


def test_bad_payment_input(api: Api, fmt: str) -> None:
    _, error = api.error(
        "createOrder", {**ORDER, "PaymentMethods": {"PaymentMethod": [dict(GIFT, MaxChargeLimit="x")]}}, fmt
    )
    assert error["ErrorCode"] == "MOCK0101"
    key = create(api, fmt)
    request = {
        "OrderHeaderKey": key,
        "PaymentMethods": {
            "PaymentMethod": [
                {
                    "PaymentKey": "nope",
                    "PaymentDetails": {"ChargeType": "AUTHORIZATION", "RequestAmount": "1"},
                }
            ]
        },
    }
    _, error = api.error("processOrderPayments", request, fmt)
    assert error["ErrorCode"] == "MOCK0101"


def test_declined_authorisation_from_the_control_plane(client: FlaskClient, api: Api, fmt: str) -> None:
    key = create(api, fmt)
    response = client.post("/_fake/payments/decline", json={"times": 1, "reason": "Insufficient funds"})
    assert response.status_code == 200
    out = api("processOrderPayments", {"OrderHeaderKey": key}, fmt)
    assert out["PaymentStatus"] == "AWAIT_PAY_INFO"
    totals, records = ctd(details(api, key, fmt))
    assert [(r["Status"], r["AuthorizationID"]) for r in records] == [("ERROR", "")]
    assert totals["TotalOpenAuthorizations"] == "0.00"
    alerts = api("getExceptionListForOrder", {"OrderHeaderKey": key}, fmt, root="Inbox")
    assert [a["ExceptionType"] for a in as_list(alerts["Inbox"])] == ["PAYMENT_DECLINED"]
    assert client.get("/_fake/payments/decline").get_json()["decline"] is None  # used up
    assert api("processOrderPayments", {"OrderHeaderKey": key}, fmt)["PaymentStatus"] == "AUTHORIZED"
    assert client.post("/_fake/payments/decline", json={"times": 0}).status_code == 400


@pytest.fixture
def manual_api() -> Api:
    app: Flask = create_app(Settings(db=":memory:", demo_orders=0, invoice_on_shipment=False))
    return Api(app.test_client())


def test_manual_invoices(manual_api: Api, fmt: str) -> None:
    api = manual_api
    key = create(api, fmt)
    _, error = api.error("createOrderInvoice", {"OrderHeaderKey": key}, fmt)
    assert error["ErrorCode"] == "MOCK0721"  # nothing shipped
    ship(api, key, fmt)
    assert details(api, key, fmt)["InvoicedTotals"]["GrandTotal"] == "0.00"
    out = api(
        "createOrderInvoice",
        {"OrderHeaderKey": key, "OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "Quantity": "1"}]}},
        fmt,
    )
    assert (out["InvoiceType"], out["TotalAmount"]) == ("ORDER", "15.00")  # 10 + shipping 5
    _, error = api.error(
        "createOrderInvoice",
        {"OrderHeaderKey": key, "OrderLines": {"OrderLine": [{"PrimeLineNo": "1", "Quantity": "2"}]}},
        fmt,
    )
    assert error["ErrorCode"] == "MOCK0721"
    api("createOrderInvoice", {"OrderHeaderKey": key}, fmt)
    order = details(api, key, fmt)
    assert (order["InvoicedTotals"]["GrandTotal"], order["RemainingTotals"]["GrandTotal"]) == (
        "30.00",
        "0.00",
    )
    listed = api("getOrderInvoiceList", {"InvoiceType": "ORDER"}, fmt, root="OrderInvoice")
    assert listed["TotalOrderInvoiceList"] == "2"
    _, error = api.error("getOrderInvoiceDetails", {"OrderInvoiceKey": "missing"}, fmt, root="OrderInvoice")
    assert error["ErrorCode"] == "MOCK0720"
