"""The item master: manageItem's changes, the list query over items and the shapes items are answered in.

An item is one document per ItemID + OrganizationCode + UnitOfMeasure, with ``PrimaryInformation``,
``ClassificationCodes``, ``InventoryParameters``, ``ItemAliasList/ItemAlias``, ``CategoryList/Category``,
``ComputedPrice`` and ``Extn`` children.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import InvalidValue, ItemNotFound, MandatoryMissing
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.domain.queries.query import CompiledQuery, compile_query, present

FIELDS = {
    "ItemID": "text",
    "ItemKey": "text",
    "OrganizationCode": "text",
    "UnitOfMeasure": "text",
    "GlobalItemID": "text",
    "ItemGroupCode": "text",
}
PRIMARY_FIELDS = {
    "Description": "text",
    "ShortDescription": "text",
    "DefaultProductClass": "text",
    "ItemType": "text",
    "Status": "text",
    "ManufacturerName": "text",
    "UnitCost": "number",
}
#: Children of the default getItemList item; getItemDetails adds DETAIL_LISTS (empty wrappers when absent).
LIST_CHILDREN = ("PrimaryInformation", "ClassificationCodes", "InventoryParameters", "ItemAliasList", "Extn")
DETAIL_LISTS = ("AdditionalAttributeList", "AlternateUOMList", "Components", "CategoryList")
CHILDREN = frozenset({*LIST_CHILDREN, *DETAIL_LISTS, "ComputedPrice"})
FLAGS = ("IsShippingAllowed", "IsPickupAllowed", "IsDeliveryAllowed", "IsReturnable", "IsSerialTracked")
NUMBERS = (
    "UnitCost",
    "UnitWeight",
    "UnitHeight",
    "UnitLength",
    "UnitWidth",
    "UnitVolume",
    "ListPrice",
    "UnitPrice",
)
ACTIONS = ("MANAGE", "DELETE")
#: Amounts among NUMBERS: kept with two decimals (``286.6`` reads back ``286.60``).
MONEY = ("UnitCost", "ListPrice", "UnitPrice")


# ------------------------------------------------------------------------------------------ reading


def compile_items(doc: Doc) -> CompiledQuery:
    """getItemList's query: Item attributes, and ``PrimaryInformation`` attributes as a child filter."""
    query = compile_query(doc, dict(FIELDS))
    primary = doc.get("PrimaryInformation")
    if isinstance(primary, list):
        primary = primary[0] if primary else None
    if isinstance(primary, dict):
        sub = compile_query(primary, dict(PRIMARY_FIELDS))
        if sub.conditions or sub.complex is not None:
            query.extra.append(lambda view: sub.matches(view.get("PrimaryInformation") or {}))
    return query


def view(doc: Doc) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in doc.items() if isinstance(v, str)}
    primary = doc.get("PrimaryInformation")
    out["PrimaryInformation"] = primary if isinstance(primary, dict) else {}
    return out


def search(ctx: Ctx, query: CompiledQuery, limit: int | None) -> tuple[list[Doc], bool]:
    return records.search(ctx, records.ITEMS, query, limit, view)


def list_item(item: Doc) -> Doc:
    """An item as getItemList answers it by default."""
    out: Doc = {k: v for k, v in item.items() if isinstance(v, str)}
    for name in LIST_CHILDREN:
        value = item.get(name)
        out[name] = value if isinstance(value, dict) else {}
    return out


def detail_item(item: Doc) -> Doc:
    """An item as getItemDetails (and an order line's ItemDetails) answers it."""
    out = list_item(item)
    for name in DETAIL_LISTS:
        value = item.get(name)
        out[name] = value if isinstance(value, dict) else {}
    if isinstance(item.get("ComputedPrice"), dict):
        out["ComputedPrice"] = item["ComputedPrice"]
    return out


def lookup(ctx: Ctx, item_id: str, uom: str = "", org: str = "") -> Doc | None:
    """The item with this ItemID (see ``itemmaster.records.lookup_item``)."""
    return records.lookup_item(ctx, item_id, uom, org)


def required(ctx: Ctx, doc: Doc) -> Doc:
    """getItemDetails' item: by ItemKey, or ItemID (+ OrganizationCode, UnitOfMeasure); YCM0033 otherwise."""
    key = present(doc, "ItemKey")
    item_id = present(doc, "ItemID")
    if key is None and item_id is None:
        raise MandatoryMissing("getItemDetails needs ItemID or ItemKey.", attributes={"Name": "ItemID"})
    org, uom = present(doc, "OrganizationCode") or "", present(doc, "UnitOfMeasure") or ""
    if item_id is not None:
        where = {"ItemID": item_id, **({"OrganizationCode": org} if org else {})}
        found = [
            d
            for d in records.find(ctx, records.ITEMS, **where)
            if (not uom or d.get("UnitOfMeasure") == uom) and (key is None or d.get("ItemKey") == key)
        ]
    else:
        query = compile_query({"ItemKey": key or ""}, {"ItemKey": "text"})
        found = search(ctx, query, 1)[0]
    if not found:
        attributes = {"ItemID": item_id or "", "OrganizationCode": org, "UnitOfMeasure": uom}
        if key is not None:
            attributes["ItemKey"] = key
        raise ItemNotFound(
            f"Item {item_id or key} is not in the catalogue.",
            attributes={k: v for k, v in attributes.items() if v},
        )
    return found[0]


# ------------------------------------------------------------------------------------------ manageItem


def entries(doc: Doc) -> list[Doc]:
    """manageItem's ``Item`` elements, refusing a missing or malformed list."""
    raw = doc.get("Item")
    if raw is None or raw == "" or raw == []:
        raise MandatoryMissing("manageItem needs ItemList/Item.", attributes={"Name": "Item"})
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(item, dict) for item in items):
        raise InvalidValue("ItemList/Item must be elements.", attributes={"Name": "Item"})
    return items


def check(item: Doc) -> tuple[str, str, str, str]:
    """(action, ItemID, OrganizationCode, UnitOfMeasure) of one input item, or an error naming the field."""
    action = (present(item, "Action") or "Manage").upper()
    if action not in ACTIONS:
        raise InvalidValue(
            f"Action={item.get('Action')!r}: use Manage or Delete.",
            attributes={"Name": "Action", "Value": str(item.get("Action"))},
        )
    item_id, org = present(item, "ItemID"), present(item, "OrganizationCode")
    for name, value in (("ItemID", item_id), ("OrganizationCode", org)):
        if value is None:
            raise MandatoryMissing(f"manageItem needs Item/@{name}.", attributes={"Name": name})
        if len(value) > 40:
            raise InvalidValue(
                f"{name} is longer than 40 characters.", attributes={"Name": name, "Value": value}
            )
    for name, value in _leaves(item):
        if name in FLAGS and value not in ("", "Y", "N"):
            raise InvalidValue(f"{name}={value!r}: use Y or N.", attributes={"Name": name, "Value": value})
        if name in NUMBERS and value != "":
            try:
                if not Decimal(value).is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                raise InvalidValue(
                    f"{name}={value!r} is not a number.", attributes={"Name": name, "Value": value}
                ) from None
    return action, str(item_id), str(org), present(item, "UnitOfMeasure") or "EACH"


def _leaves(doc: Doc) -> list[tuple[str, str]]:
    out = []
    for key, value in doc.items():
        if isinstance(value, str):
            out.append((key, value))
        else:
            for sub in as_list(value) if isinstance(value, (dict, list)) else []:
                out.extend(_leaves(sub))
    return out


def merged(old: Doc | None, given: Doc, key: str, uom: str) -> Doc:
    """The stored item after a Manage: attributes and child attributes replaced where given (an empty value
    clears), aliases merged by AliasName, other lists replaced when given."""
    doc: Doc = dict(old or {})
    for name, value in given.items():
        if name == "Action":
            continue
        if isinstance(value, str):
            doc[name] = value
        elif name == "ItemAliasList" and isinstance(value, dict):
            aliases = {a.get("AliasName", ""): a for a in as_list((doc.get(name) or {}).get("ItemAlias"))}
            for alias in as_list(value.get("ItemAlias")):
                aliases[str(alias.get("AliasName", ""))] = {
                    k: v for k, v in alias.items() if isinstance(v, str)
                }
            doc[name] = {"ItemAlias": list(aliases.values())} if aliases else {}
        elif isinstance(value, dict) and name in CHILDREN and not _has_lists(value):
            doc[name] = {**(doc.get(name) or {}), **{k: v for k, v in value.items() if isinstance(v, str)}}
        elif isinstance(value, (dict, list)):
            doc[name] = value if isinstance(value, dict) else (value[0] if value else {})
    doc["ItemKey"] = key
    doc["UnitOfMeasure"] = uom
    doc.setdefault("ItemGroupCode", "PROD")
    primary = doc["PrimaryInformation"] = dict(doc.get("PrimaryInformation") or {})
    primary.setdefault("Status", "3000")
    primary.setdefault("ItemType", "REGULAR")
    primary.setdefault("DefaultProductClass", "GOOD")
    for name in MONEY:  # [INF] amounts are stored with two decimals, as Sterling's money columns answer them
        value = primary.get(name)
        if isinstance(value, str) and value != "":
            primary[name] = f"{Decimal(value):.2f}"
    return doc


def _has_lists(value: Doc) -> bool:
    return any(not isinstance(v, str) for v in value.values())
