"""The catalogue family: manageItem, getItemList, getItemDetails, getCompleteItemList, getItemNodeDefnList
(reference §14).  Items live in ``domain/catalog`` (the defaults, then the namespace's own table)."""

from __future__ import annotations

from collections.abc import Callable

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.lists import ListResult
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import InvalidValue
from sterling_mock.mock_server.domain.catalog import items, nodes
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.domain.queries.query import CompiledQuery, compile_query, present
from sterling_mock.mock_server.domain.queries.templates import apply_template, item_template


def listed(
    ctx: Ctx,
    doc: Doc,
    names: tuple[str, str, str],
    found: tuple[list[Doc], bool],
    shape: Callable[[Doc], Doc],
) -> Output:
    """A list answer: ``<Root Last<Entity>Key LastRecordSet Total<Entity>List>`` with one element per record
    (``names`` = root, item element, key attribute), the default ``shape`` or the caller's template."""
    root, element, key = names
    docs, more = found
    entity = root[: -len("List")]
    attrs = {
        f"Last{key}": str(docs[-1].get(key, "")) if docs else "",
        "LastRecordSet": "N" if more else "Y",
        f"Total{entity}List": str(len(docs)),
    }
    if present(doc, "MaximumRecords"):
        attrs["MaximumRecords"] = str(doc["MaximumRecords"])
    if ctx.template is None:
        shaped = [shape(d) for d in docs]
    else:
        sub = item_template(ctx.template, element)
        shaped = (
            [] if sub is None else [apply_template(element, shape(d), sub, keep_paging=False) for d in docs]
        )
    return ListResult(root, element, attrs, ctx.fmt, None, shaped).output()  # the order lists' envelope


def cap(ctx: Ctx, query: CompiledQuery) -> int:
    return query.max_records or ctx.settings.default_max_records


# ------------------------------------------------------------------------------------------ the APIs


def manage_item(ctx: Ctx, doc: Doc) -> Output:
    """manageItem: creates, changes (``Action="Manage"``, the default [INF]) or deletes (``Delete``) the items
    of ``ItemList/Item``, keyed by ItemID + OrganizationCode + UnitOfMeasure (``EACH`` when absent [INF]).

    A change replaces the attributes it gives, in the item and in its PrimaryInformation, ClassificationCodes,
    InventoryParameters and Extn; ItemAliasList/ItemAlias merge by AliasName; other child lists are replaced
    [INF].  Every item is checked before any is written (Y/N flags, numbers, lengths; OrganizationCode must be
    an organization of the master data, else MOCK0202 [INF]); deleting an unknown item is YCM0033 and changes
    nothing [INF].  Answers nothing: HTTP 204 over REST [OBS], ``<Output/>`` through
    multiApi and interop.  Left out: item-node definitions, kits and bundles, pricing rules.
    """
    given = items.entries(doc)
    checked = [items.check(item) for item in given]
    plan: list[tuple[str, Doc, Doc | None]] = []
    seen: set[tuple[str, str, str]] = set()
    known = {str(o["OrganizationCode"]) for o in nodes.organizations(ctx)}
    for (action, item_id, org, uom), item in zip(checked, given, strict=True):
        if org not in known:
            nodes.organization(ctx, org)  # MOCK0202, naming the organization
        if (item_id, org, uom) in seen:
            raise InvalidValue(
                f"Item {item_id} ({org}, {uom}) is given twice.", attributes={"ItemID": item_id}
            )
        seen.add((item_id, org, uom))
        old = next(
            iter(records.find(ctx, records.ITEMS, ItemID=item_id, OrganizationCode=org, UnitOfMeasure=uom)),
            None,
        )
        if action == "DELETE" and old is None:
            items.required(ctx, {"ItemID": item_id, "OrganizationCode": org, "UnitOfMeasure": uom})
        plan.append((action, item, old))
    records.materialise(ctx, records.ITEMS)
    for (action, item, old), (_, _, _, uom) in zip(plan, checked, strict=True):
        if action == "DELETE" and old is not None:
            records.remove(ctx, records.ITEMS, str(old["ItemKey"]))
        else:
            key = str(old["ItemKey"]) if old else ctx.new_key()
            records.put(ctx, records.ITEMS, items.merged(old, item, key, uom))
    return Output.none()


def get_item_list(ctx: Ctx, doc: Doc) -> Output:
    """getItemList: ``ItemList LastItemKey LastRecordSet TotalItemList`` with the items matching the input
    ``Item`` (every attribute a filter with QryTypes, ``PrimaryInformation`` attributes too, ComplexQuery,
    OrderBy, MaximumRecords, as getOrderList; reference §9).  Default order: ItemKey ascending, so
    ``ItemKeyQryType="GT"`` with the last key is a cursor.

    Default item: its attributes with PrimaryInformation, ClassificationCodes, InventoryParameters,
    ItemAliasList and Extn [DOC template].  Deviations: CallingOrganizationCode is accepted and ignored (no
    catalogue-organization resolution) [INF]; no pricing or availability (GetAvailabilityFromCache etc.).
    """
    query = items.compile_items(doc)
    return listed(
        ctx, doc, ("ItemList", "Item", "ItemKey"), items.search(ctx, query, cap(ctx, query)), items.list_item
    )


def get_complete_item_list(ctx: Ctx, doc: Doc) -> Output:
    """getCompleteItemList: getItemList's query; each item as getItemDetails answers it (with
    AdditionalAttributeList, AlternateUOMList, Components, CategoryList and ComputedPrice) [INF]."""
    query = items.compile_items(doc)
    found = items.search(ctx, query, cap(ctx, query))
    return listed(ctx, doc, ("ItemList", "Item", "ItemKey"), found, items.detail_item)


def get_item_details(ctx: Ctx, doc: Doc) -> Output:
    """getItemDetails by ItemID (+ OrganizationCode, UnitOfMeasure) or ItemKey: the item with its
    PrimaryInformation, ClassificationCodes, InventoryParameters, ItemAliasList, Extn, AdditionalAttributeList,
    AlternateUOMList, Components, CategoryList and ComputedPrice.  An unknown item is YCM0033 "Item Not Found"
    with the ItemID (and the OrganizationCode and UnitOfMeasure given) among the error's attributes [OBS]."""
    found = items.detail_item(items.required(ctx, doc))
    return Output("Item", apply_template("Item", found, ctx.template) if ctx.template else found)


def get_item_node_defn_list(ctx: Ctx, doc: Doc) -> Output:
    """getItemNodeDefnList: one ItemNodeDefn per item and node the master data stocks it at, filtered by
    ItemID, Node, OrganizationCode, UnitOfMeasure (QryTypes as getOrderList) [INF: the fake keeps no
    item-node settings of its own; every definition answers the node's defaults]."""
    query = compile_query(
        doc, {"ItemID": "text", "Node": "text", "OrganizationCode": "text", "UnitOfMeasure": "text"}
    )
    found = [d for d in nodes.item_node_definitions(ctx) if query.matches(d)]
    found = query.sort(found)
    limit = cap(ctx, query)
    return listed(
        ctx,
        doc,
        ("ItemNodeDefnList", "ItemNodeDefn", "ItemNodeDefnKey"),
        (found[:limit], len(found) > limit),
        dict,
    )


APIS = {
    "manageItem": ApiSpec(manage_item, "ItemList", "ItemList", writes=True, void=True),
    "getItemList": ApiSpec(get_item_list, "Item", "ItemList"),
    "getCompleteItemList": ApiSpec(get_complete_item_list, "Item", "ItemList"),
    "getItemDetails": ApiSpec(get_item_details, "Item", "Item"),
    "getItemNodeDefnList": ApiSpec(get_item_node_defn_list, "ItemNodeDefn", "ItemNodeDefnList"),
}
