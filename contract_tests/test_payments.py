"""Contract: processOrderPayments writes ChargeTransactionDetails (reference §13); invoices after shipment."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc, as_list

from .sterling import Sterling

pytestmark = [pytest.mark.unverified, pytest.mark.writes]
Make = Callable[..., tuple[str, Doc]]


def test_authorisation_shows_in_the_charge_transactions(sterling: Sterling, new_order: Make) -> None:
    key, _ = new_order(lines=1)
    sterling.invoke("processOrderPayments", {"OrderHeaderKey": key})
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    details = order["ChargeTransactionDetails"]
    records = as_list(details.get("ChargeTransactionDetail"))
    assert records and records[0]["ChargeType"] == "AUTHORIZATION"
    assert float(details["TotalOpenAuthorizations"]) == float(order["OverallTotals"]["GrandTotal"])


def test_shipment_is_invoiced_and_charged(sterling: Sterling, new_order: Make) -> None:
    key, _ = new_order(lines=1)
    sterling.invoke("processOrderPayments", {"OrderHeaderKey": key})
    sterling.invoke("scheduleOrder", {"OrderHeaderKey": key})
    sterling.invoke("releaseOrder", {"OrderHeaderKey": key})
    sterling.invoke("confirmShipment", {"OrderHeaderKey": key})
    invoices = sterling.invoke("getOrderInvoiceList", {"OrderHeaderKey": key})
    assert as_list(invoices["OrderInvoice"])
    sterling.invoke("processOrderPayments", {"OrderHeaderKey": key})
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    assert float(order["ChargeTransactionDetails"]["TotalDebits"]) == float(
        order["InvoicedTotals"]["GrandTotal"]
    )
