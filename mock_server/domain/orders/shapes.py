"""Attributes and elements kept apart: for each element the fake stores (order, line, shipment, release and
their parts), which names are its attributes (columns) and which its child elements (related records).

In Sterling an attribute is a column and an element is a related record; they never share a slot.  The JSON
mapping makes a string an attribute and an object or array an element, so a client can send either under
any name.  The fake decides once, here, for every API's input (``ApiSpec`` runs ``conform`` before the
function): a value of the wrong kind for its name is **ignored** — nothing is stored under that name — as
real Sterling ignores what is not a column or a child of the entity [INF].  ``violations`` finds the same
mistakes in a stored record: a write refuses to store one (``model.save``), a read names it instead of
failing, ``sterling-mock repair`` drops it, and the store's invariants count it.

A name is judged by its parent element: ``Reference`` is an attribute of ``HeaderCharge`` and an element of
``References``.  Under an element this table does not know, a name that is an element wherever it is known
(``OrderLines``, ``Notes``, ``Item``...) or ends in ``List`` must still be an element, and a name ending like a
column (``...Key``, ``...Code``, ``...Type``) must be an attribute; other names are taken as given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import UnreadableRecord
from sterling_mock.mock_server.domain.orders import render

_ORDER_DERIVED = (
    "AllowedModifications ChargeTransactionDetails AdditionalAddresses InvoicedTotals RemainingTotals "
    "ProductServiceAssocs ExchangeOrders OverallTotals OrderStatuses PriceInfo OrderHoldTypes"
).split()
_LINE_DERIVED = (
    "OrderLineOptions ProductItems ServiceAssociations ProductAssociations DeliveryAssociations CapacityAllocations "
    "WorkOrders Instructions KitLines AdditionalAddresses Schedules LineOverallTotals LineInvoicedTotals "
    "LineRemainingTotals OrderStatuses OrderHoldTypes PersonInfoShipTo"
).split()
_ORDER_HEADER_ELEMENTS = (
    "PriceInfo OrderLines PersonInfoShipTo PersonInfoBillTo PersonInfoContact PaymentMethods HeaderCharges "
    "HeaderTaxes Notes OrderDates References Instructions Extn"
).split()
_LINE_ELEMENTS = "Item LinePriceInfo LineCharges LineTaxes Notes References Extn".split()
#: The wrappers of repeated records: wrapper -> the record it repeats.
WRAPPERS = {
    "OrderLines": "OrderLine",
    "Notes": "Note",
    "References": "Reference",
    "PaymentMethods": "PaymentMethod",
    "HeaderCharges": "HeaderCharge",
    "HeaderTaxes": "HeaderTax",
    "LineCharges": "LineCharge",
    "LineTaxes": "LineTax",
    "OrderDates": "OrderDate",
    "Instructions": "Instruction",
    "OrderStatuses": "OrderStatus",
    "Schedules": "Schedule",
    "ShipmentLines": "ShipmentLine",
    "OrderHoldTypes": "OrderHoldType",
    "OrderReleases": "OrderRelease",
    "CustomerContactList": "CustomerContact",
    "CustomerAdditionalAddressList": "CustomerAdditionalAddress",
    "CustomerPaymentMethodList": "CustomerPaymentMethod",
    "ItemAliasList": "ItemAlias",
}
_WRAPPER_ATTRIBUTES = {
    "Notes": ("NumberOfNotes",),
    "Instructions": ("NumberOfInstructions",),
    "WorkOrders": ("NumberOfWorkOrders",),
    "KitLines": ("NumberOfKitLines",),
    "AdditionalAddresses": ("NumberOfAdditionalAddresses",),
}
_PERSON = tuple(render.PERSON_ATTRS)
_AUDIT = tuple(render.AUDIT_ATTRS)

#: element -> (its attributes, its child elements), as the fake stores and renders them.
SHAPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _declare(
    element: str, attributes: tuple[str, ...] | list[str], elements: tuple[str, ...] | list[str]
) -> None:
    known_attrs, known_elements = SHAPES.get(element, (frozenset(), frozenset()))
    SHAPES[element] = (known_attrs | set(attributes), known_elements | set(elements))


_declare(
    "Order",
    [*render.ORDER_ATTRS, *render.LIST_ATTRS, *_AUDIT, "OrderHeaderKey", "ReqDeliveryDate", "ReqShipDate"],
    [*_ORDER_HEADER_ELEMENTS, *_ORDER_DERIVED],
)
_declare("OrderLine", [*render.LINE_ATTRS, *_AUDIT, "ReqShipDate"], [*_LINE_ELEMENTS, *_LINE_DERIVED])
_declare("Item", render.ITEM_ATTRS, ["Extn"])
_declare("LinePriceInfo", render.LINE_PRICE_ATTRS, [])
_declare("LineOverallTotals", render.LINE_TOTAL_ATTRS, [])
_declare("OverallTotals", render.TOTALS_ATTRS, [])
_declare("PriceInfo", ["Currency", "EnterpriseCurrency", "TotalAmount"], [])
_declare("OrderStatus", render.STATUS_ATTRS, ["Details", "KitDetails"])
_declare("PaymentMethod", render.PAYMENT_ATTRS, ["PaymentDetails", "PaymentDetailsList", "PersonInfoBillTo"])
_declare("HeaderCharge", render.HEADER_CHARGE_ATTRS, [])
_declare("HeaderTax", render.HEADER_TAX_ATTRS, [])
_declare("LineCharge", render.HEADER_CHARGE_ATTRS, [])
_declare("LineTax", render.HEADER_TAX_ATTRS, [])
_declare("Note", ["NoteText", "NotesKey", "ContactTime", "ContactUser", "ReasonCode", "Priority"], [])
_declare("Reference", ["Name", "Value"], [])
_declare("OrderDate", ["DateTypeId", "ActualDate", "ExpectedDate", "RequestedDate", "CommittedDate"], [])
for _person in ("PersonInfoShipTo", "PersonInfoBillTo", "PersonInfoContact", "ToAddress", "FromAddress"):
    _declare(_person, _PERSON, ["Extn"])
_declare(
    "Shipment",
    [
        "ShipmentKey",
        "ShipmentNo",
        "ShipNode",
        "SellerOrganizationCode",
        "BuyerOrganizationCode",
        "EnterpriseCode",
        "DocumentType",
        "OrderHeaderKey",
        "OrderNo",
        "Status",
        "StatusDate",
        *_AUDIT,
    ],
    ["ShipmentLines", "ToAddress", "FromAddress", "Extn", "Containers"],
)
_declare(
    "ShipmentLine",
    [
        "ShipmentLineKey",
        "ShipmentLineNo",
        "OrderHeaderKey",
        "OrderLineKey",
        "OrderReleaseKey",
        "ReleaseNo",
        "OrderNo",
        "DocumentType",
        "PrimeLineNo",
        "SubLineNo",
        "ItemID",
        "UnitOfMeasure",
        "ProductClass",
        "Quantity",
    ],
    ["Extn"],
)
_declare(
    "OrderRelease",
    [
        "OrderReleaseKey",
        "OrderHeaderKey",
        "ReleaseNo",
        "ShipNode",
        "Status",
        "EnterpriseCode",
        "DocumentType",
    ],
    ["OrderLines", "PersonInfoShipTo", "Extn", "Order"],
)
# master data (issue 23's catalogue and customers): the children their merges read as elements
_declare(
    "Item",
    ["ItemID", "ItemKey", "UnitOfMeasure", "OrganizationCode", "ItemGroupCode"],
    [
        "PrimaryInformation",
        "ClassificationCodes",
        "InventoryParameters",
        "ItemAliasList",
        "Extn",
        "AdditionalAttributeList",
        "AlternateUOMList",
        "Components",
        "CategoryList",
        "ComputedPrice",
    ],
)
_declare(
    "PrimaryInformation", ["Description", "ShortDescription", "ItemType", "Status", "DefaultProductClass"], []
)
_declare(
    "Customer",
    ["CustomerID", "CustomerKey", "CustomerType", "Status", "OrganizationCode"],
    ["CustomerContactList", "Extn", "BuyerOrganization", "CustomerCurrencyList"],
)
_declare(
    "CustomerContact",
    ["CustomerContactID", "FirstName", "LastName", "EmailID", "DayPhone"],
    ["CustomerAdditionalAddressList", "CustomerPaymentMethodList", "Extn"],
)
for _wrapper, _record in WRAPPERS.items():
    _declare(_wrapper, _WRAPPER_ATTRIBUTES.get(_wrapper, ()), [_record])

#: Names that are elements wherever this table knows them: under any element, they stay elements.
ALWAYS_ELEMENTS = frozenset(
    {name for _, elements in SHAPES.values() for name in elements}
    - {name for attributes, _ in SHAPES.values() for name in attributes}
)


#: parent -> name -> True (an element) or False (an attribute), the names always elements merged in.
_ALWAYS: dict[str, bool] = dict.fromkeys(ALWAYS_ELEMENTS, True)
_TABLE: dict[str, dict[str, bool]] = {
    parent: {**_ALWAYS, **dict.fromkeys(attributes, False), **dict.fromkeys(elements, True)}
    for parent, (attributes, elements) in SHAPES.items()
}


#: Sterling's naming: a column's name ends like one of these (``CustomerType``, ``OrganizationCode``...) ...
COLUMN_SUFFIXES = (
    "Key",
    "ID",
    "Id",
    "No",
    "Qty",
    "Flag",
    "Date",
    "Amount",
    "Code",
    "Type",
    "Name",
    "Desc",
    "Description",
    "Level",
    "Phone",
    "Percentage",
)
#: ... except these elements (seen in the fake's schemas), and names used both ways, taken as given.
NOT_COLUMNS = frozenset(
    {
        "CommonCode",
        "HoldType",
        "InventoryDemandType",
        "InventorySupplyType",
        "ModificationType",
        "OrderAuditLevel",
        "OrderHoldType",
        "OrderStatus",
        "Status",
        "ID",
    }
)


def _wanted(table: dict[str, bool], name: str) -> bool | None:
    """True (an element), False (an attribute) or None (taken as given) for ``name`` in an element whose
    table is ``table``.  A name the table does not know is judged by Sterling's naming: a list wrapper
    (``ItemAliasList``, ``CustomerContactList``; not ``TotalOrderList``) is an element, a name ending like a
    column (``CustomerType``, ``OrganizationCode``, ``ExtnLoyaltyId``) an attribute."""
    wanted = table.get(name)
    if wanted is not None or name in NOT_COLUMNS:
        return wanted
    if name.endswith("List"):
        return not name.startswith("Total")
    return False if name.endswith(COLUMN_SUFFIXES) else None


def kind(parent: str, name: str) -> str | None:
    """``"attribute"``, ``"element"``, or None (not known: taken as given) for ``name`` under ``parent``."""
    wanted = _wanted(_TABLE.get(parent, _ALWAYS), name)
    return None if wanted is None else "element" if wanted else "attribute"


def conform(root: str, doc: Doc) -> Doc:
    """``doc`` (the element ``root``) without the values whose kind is wrong for their name, at any depth:
    an attribute named like a child element, or an element where an attribute belongs.  ``doc`` is not
    changed; a document without such values comes back as it is (no copy)."""
    if clean(root, doc):
        return doc
    table = _TABLE.get(root, _ALWAYS)
    out: Doc | None = None
    for name, value in doc.items():
        wanted = _wanted(table, name)
        scalar = type(value) is str
        if wanted is not None and wanted is scalar:  # an element given as a string, or the reverse
            if out is None:
                out = dict(doc)
            del out[name]
            continue
        if scalar:
            continue
        fixed: Any = value
        if type(value) is dict:
            fixed = conform(name, value)
        elif type(value) is list:
            items = [conform(name, item) if type(item) is dict else item for item in value]
            if any(new is not old for new, old in zip(items, value, strict=True)):
                fixed = items
        if fixed is not value:
            if out is None:
                out = dict(doc)
            out[name] = fixed
    return doc if out is None else out


def clean(root: str, doc: Doc) -> bool:
    """True when no value under ``doc`` (the element ``root``) has the wrong kind for its name (the fast path
    of ``violations``: a write checks every order it stores)."""
    table = _TABLE.get(root, _ALWAYS)
    for name, value in doc.items():
        kind_of = type(value)
        wanted = _wanted(table, name)
        if kind_of is str:
            if wanted is True:
                return False
        elif wanted is False:
            return False
        elif kind_of is dict:
            if not clean(name, value):
                return False
        elif kind_of is list:
            for item in value:
                if type(item) is not dict or not clean(name, item):
                    return False
        else:
            return False
    return True


def violations(root: str, doc: Any, path: str = "") -> list[str]:
    """Where a stored record (the element ``root``) holds a value of the wrong kind for its name: paths like
    ``Order/@OrderLines`` (an attribute where an element belongs) or ``Order/OrderLines/OrderLine[2]/ShipNode``
    (an element where an attribute belongs)."""
    if not path and type(doc) is dict and clean(root, doc):
        return []
    where = path or root
    if type(doc) is not dict:
        return [f"{where} (not an element)"]
    table = _TABLE.get(root, _ALWAYS)
    found: list[str] = []
    for name, value in doc.items():
        scalar = type(value) is str
        wanted = _wanted(table, name)
        if wanted is not None and wanted is scalar:
            found.append(f"{where}/@{name}" if scalar else f"{where}/{name}")
        elif scalar:
            continue
        elif type(value) is dict:
            found += violations(name, value, f"{where}/{name}")
        elif type(value) is list:
            for index, item in enumerate(value, start=1):
                found += violations(name, item, f"{where}/{name}[{index}]")
    return found


def repaired(root: str, doc: Doc) -> Doc:
    """A stored record with its misplaced values dropped (what ``sterling-mock repair`` writes back)."""
    out = conform(root, doc)
    for name, value in list(out.items()):  # non-element items of a list (never written by the codec)
        if isinstance(value, list) and any(not isinstance(item, dict) for item in value):
            out = dict(out) if out is doc else out
            out[name] = [item for item in value if isinstance(item, dict)]
    return out


def unreadable(root: str, key: str, problem: str) -> UnreadableRecord:
    """The error a read answers when it meets a record it cannot read: it names the record, not a 500."""
    return UnreadableRecord.naming(root, key, problem)


def check_stored(root: str, key: str, doc: Doc) -> None:
    """Raise ``unreadable`` when a stored record holds a value of the wrong kind for its name."""
    problems = violations(root, doc)
    if problems:
        raise unreadable(root, key, ", ".join(problems[:5]))


def rendering(root: str, key: str, doc: Doc, render: Callable[..., Doc], *args: Any) -> Doc:
    """``render(doc, *args)`` of a stored record, or ``unreadable`` naming the record when it cannot be."""
    try:
        return render(doc, *args)
    except Exception as exc:
        check_stored(root, key, doc)
        raise unreadable(root, key, f"{type(exc).__name__}: {exc}") from exc
