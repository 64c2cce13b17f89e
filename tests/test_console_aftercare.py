"""The console's order page shows issue 25's records: holds, payment transactions, invoices, the return
(receipts, the sales order it derives from) and alerts."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import Api
from tests.test_aftercare_doors import resolve_pay_and_ship, return_one_and_start_receipt

CONSOLE = "/_fake/console"
ORDER = {
    "EnterpriseCode": "DEFAULT",
    "OrderLines": {
        "OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "SKU1"}, "LinePriceInfo": {"UnitPrice": "10"}}]
    },
    "PaymentMethods": {"PaymentMethod": [{"PaymentType": "CREDIT_CARD", "CreditCardNo": "4111111111111111"}]},
    "OrderHoldTypes": {"OrderHoldType": [{"HoldType": "FRAUD_HOLD", "ReasonText": "score 97"}]},
}


def test_order_page_shows_holds_payments_invoices_returns_and_alerts(api: Api, client: FlaskClient) -> None:
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    text = client.get(f"{CONSOLE}/orders/{key}").data.decode()
    assert "FRAUD_HOLD · active" in text and "score 97" in text and "ORDER_ON_HOLD" in text
    resolve_pay_and_ship(api, key)
    api("processOrderPayments", {"OrderHeaderKey": key})
    text = client.get(f"{CONSOLE}/orders/{key}").data.decode()
    assert "FRAUD_HOLD · resolved" in text and "resolved by admin" in text
    assert "Payment · PAID" in text and "AUTHORIZATION 20.00" in text and "CHARGE 20.00" in text
    assert "SHIPMENT · 20.00" in text
    ret, _ = return_one_and_start_receipt(api, key)
    text = client.get(f"{CONSOLE}/orders/{ret}").data.decode()
    assert f"order {key}" in text and "Receipt Open" in text
