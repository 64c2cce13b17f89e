"""What the order detail page shows of the catalogue (issue 23): the customer an order's ``BillToID`` names and
the item master record behind each line, read through the APIs (getCustomerDetails, getItemDetails) as any
client would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import SterlingError

ApiDoc = Callable[[str, str, Doc], Doc]


def customer_of(ns: str, order: Doc, api_doc: ApiDoc) -> Doc | None:
    """The order's customer with its first contact (``contact``), or None when BillToID names nobody."""
    customer_id = str(order.get("BillToID") or "")
    if not customer_id:
        return None
    for query in (
        {"CustomerID": customer_id, "OrganizationCode": str(order.get("EnterpriseCode", ""))},
        {"CustomerID": customer_id},
    ):
        try:
            found = api_doc(ns, "getCustomerDetails", query)
        except SterlingError:
            continue
        contacts = as_list((found.get("CustomerContactList") or {}).get("CustomerContact"))
        return {**found, "contact": contacts[0] if contacts else {}}
    return None


def items_of(ns: str, lines: list[Doc], api_doc: ApiDoc) -> dict[str, Any]:
    """ItemID -> the item master record (PrimaryInformation, ComputedPrice) of each line's item on file."""
    out: dict[str, Any] = {}
    for line in lines:
        item = line.get("Item") or {}
        item_id = str(item.get("ItemID", ""))
        if not item_id or item_id in out:
            continue
        query = {
            "ItemID": item_id,
            **({"UnitOfMeasure": item["UnitOfMeasure"]} if item.get("UnitOfMeasure") else {}),
        }
        try:
            out[item_id] = api_doc(ns, "getItemDetails", query)
        except SterlingError:
            out[item_id] = None
    return out
