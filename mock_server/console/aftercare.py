"""What the order detail page shows of issue 25: holds (order and lines), charge transactions, invoices,
receipts of a return and the sales order it derives from, and alerts, read through the APIs as a client
would (getOrderHoldTypeList, getOrderInvoiceList, getReceiptList, getExceptionListForOrder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import SterlingError

ApiDoc = Callable[[str, str, Doc], Doc]


def _listed(ns: str, api: str, doc: Doc, item: str, api_doc: ApiDoc) -> list[Doc]:
    try:
        return as_list(api_doc(ns, api, doc).get(item))
    except SterlingError:
        return []


def of_order(ns: str, order: Doc, stored: Doc, api_doc: ApiDoc) -> dict[str, Any]:
    key = {"OrderHeaderKey": str(order.get("OrderHeaderKey", ""))}
    charges = order.get("ChargeTransactionDetails") or {}
    derived = {str(line.get("DerivedFromOrderHeaderKey")) for line in as_list((stored.get("OrderLines") or {})
               .get("OrderLine")) if line.get("DerivedFromOrderHeaderKey")}  # fmt: skip
    return {
        "holds": _listed(ns, "getOrderHoldTypeList", key, "OrderHoldType", api_doc),
        "charges": charges,
        "transactions": as_list(charges.get("ChargeTransactionDetail")),
        "invoices": _listed(ns, "getOrderInvoiceList", key, "OrderInvoice", api_doc),
        "receipts": _listed(ns, "getReceiptList", key, "Receipt", api_doc),
        "alerts": _listed(ns, "getExceptionListForOrder", key, "Inbox", api_doc),
        "derived_from": sorted(derived),
    }
