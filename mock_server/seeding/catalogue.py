"""Demo orders that hang together with the catalogue (issue 23): each seeded order's lines take items of the
namespace's catalogue (ItemID, description, unit of measure, price) and its bill-to and ship-to a customer of
its enterprise (``BillToID`` names the customer).  The picks use a generator of their own, seeded from the
seed, so the rest of every order (dates, statuses, numbers) is what it would be without them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.domain.catalog import customers, nodes
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.domain.queries.query import compile_query

#: Items and customers a seed picks from (enough variety, and cheap to read at the start of a seed).
POOL = 2000
ATTRIBUTE = "_sterling_catalogue"


@dataclass
class Pools:
    rng: random.Random
    items: list[Doc]
    customers: dict[str, list[Doc]]


def attach(faker: Any, ctx: Ctx, seed: int) -> None:
    """Read the namespace's items and customers once and keep them, with the picks' generator, on ``faker``."""
    everything = compile_query({}, {})
    # not the master data's own items: their finite supply would backorder seeded orders that a status mix
    # says must be scheduled (issue 24's inventory); items without supply records are unlimited
    stocked = {str(doc.get("ItemID", "")) for doc in nodes.records(ctx, "item")}
    found_items = [
        i for i in records.search(ctx, records.ITEMS, everything, POOL)[0] if i["ItemID"] not in stocked
    ]
    found = records.search(ctx, records.CUSTOMERS, everything, POOL)[0]
    by_org: dict[str, list[Doc]] = {}
    for customer in found:
        by_org.setdefault(str(customer.get("OrganizationCode", "")), []).append(customer)
    setattr(faker, ATTRIBUTE, Pools(random.Random(f"orders-{seed}"), found_items, by_org))


def dress(faker: Any, doc: Doc) -> Doc:
    """The order input with catalogue items on its lines and one of its enterprise's customers (unchanged when
    ``attach`` was not called or the catalogue is empty)."""
    pools: Pools | None = getattr(faker, ATTRIBUTE, None)
    if pools is None:
        return doc
    rng = pools.rng
    for line in as_list((doc.get("OrderLines") or {}).get("OrderLine")):
        if not pools.items:
            break
        item = rng.choice(pools.items)
        primary = item.get("PrimaryInformation") or {}
        price = (item.get("ComputedPrice") or {}).get("UnitPrice") or primary.get("UnitCost")
        line["Item"] = {
            **(line.get("Item") or {}),
            "ItemID": item["ItemID"],
            "ItemDesc": str(primary.get("Description", "")),
            "UnitOfMeasure": str(item.get("UnitOfMeasure", "EACH")),
            "ProductClass": str(primary.get("DefaultProductClass", "GOOD")),
        }
        if price:
            line.setdefault("LinePriceInfo", {})["UnitPrice"] = str(price)
    choices = pools.customers.get(str(doc.get("EnterpriseCode", ""))) or []
    if choices:
        customer = rng.choice(choices)
        contact = (customers.contacts(customer) or [{}])[0]
        addresses = as_list(
            (contact.get("CustomerAdditionalAddressList") or {}).get("CustomerAdditionalAddress")
        )
        person = dict((addresses[0].get("PersonInfo") or {}) if addresses else {})
        person.pop("Latitude", None)
        person.pop("Longitude", None)
        doc["BillToID"] = str(customer["CustomerID"])
        if contact.get("EmailID"):
            doc["CustomerEMailID"] = str(contact["EmailID"])
            doc["CustomerFirstName"] = str(contact.get("FirstName", ""))
            doc["CustomerLastName"] = str(contact.get("LastName", ""))
        if person:
            doc["PersonInfoBillTo"] = dict(person)
            doc["PersonInfoShipTo"] = dict(person)
    return doc
