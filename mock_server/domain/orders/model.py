"""The order model: building a canonical order from createOrder input, recomputing what Sterling derives
(totals, line and order statuses), loading by key or natural key, and saving with its rendered outputs."""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation
from typing import Any

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.base.errors import (
    InvalidOrder,
    InvalidValue,
    MandatoryMissing,
    RecordAlreadyExists,
    UnrenderableResult,
)
from sterling_mock.mock_server.domain import clock, masterdata, statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.inventory import demand as inventory_demand
from sterling_mock.mock_server.domain.inventory import reservations
from sterling_mock.mock_server.domain.orders import render, shapes
from sterling_mock.mock_server.store.keys import check_keys

TWO = Decimal("0.01")
# Sterling keeps quantities and amounts in fixed-precision decimal columns, so a value of 10^15 or more,
# or a non-zero one below 10^-12, cannot be stored there [INF]; in the fake such values would cost seconds
# of CPU to turn into text (1e999999) or gigabytes of digits (1e-999999999), so they are refused up front.
NUMBER_LIMIT = Decimal("1e15")
NUMBER_FINEST = -12
_WIDE = Context(prec=60)  # sums of bounded values never overflow the rounding to cents
ADDRESS_ELEMENTS = ("PersonInfoShipTo", "PersonInfoBillTo", "PersonInfoContact")


def present(doc: Doc, name: str) -> str | None:
    """An attribute's value, with an empty value treated as absent (reference §2)."""
    value = doc.get(name)
    return value if isinstance(value, str) and value != "" else None


def money(value: Decimal) -> str:
    return str(value.quantize(TWO, context=_WIDE))


def decimal_of(doc: Doc, name: str, default: str = "0", *, minimum: Decimal | None = None) -> Decimal:
    raw = present(doc, name) or default
    try:
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise InvalidValue(
            f"{name}={raw!r} is not a number.", attributes={"Name": name, "Value": raw}
        ) from None
    if abs(value) >= NUMBER_LIMIT or (value and value.adjusted() < NUMBER_FINEST):
        raise InvalidValue(
            f"{name}={raw!r} is out of range (below 10^15; zero or at least 10^-12 in size).",
            attributes={"Name": name, "Value": raw},
        )
    if minimum is not None and value < minimum:
        raise InvalidValue(
            f"{name}={raw!r} must not be below {minimum}.", attributes={"Name": name, "Value": raw}
        )
    return value


def qty_text(value: Decimal) -> str:
    """Quantities stored canonically without trailing zeros; rendering applies the instance's format."""
    normal = value.normalize()
    return format(normal, "f") if normal != normal.to_integral() else str(int(normal))


# ------------------------------------------------------------------------------------------- loading


def natural_key(ctx: Ctx, doc: Doc) -> str | None:
    enterprise = present(doc, "EnterpriseCode")
    order_no = present(doc, "OrderNo")
    if enterprise and order_no:
        document_type = present(doc, "DocumentType") or "0001"
        return ctx.tx.order_key_by_no(ctx.ns, enterprise, document_type, order_no)
    return None


def resolve_key(ctx: Ctx, doc: Doc) -> str:
    """OrderHeaderKey, or EnterpriseCode + OrderNo + DocumentType; YFS10003 when neither finds an order."""
    key = present(doc, "OrderHeaderKey")
    if key is not None:
        if not ctx.tx.order_exists(ctx.ns, key):
            raise InvalidOrder(f"No order with OrderHeaderKey {key}.", attributes={"OrderHeaderKey": key})
        return key
    if not (present(doc, "OrderNo") and present(doc, "EnterpriseCode")):
        raise MandatoryMissing(
            "Give OrderHeaderKey, or EnterpriseCode + OrderNo (+ DocumentType).",
            attributes={"Name": "OrderHeaderKey"},
        )
    found = natural_key(ctx, doc)
    if found is None:
        raise InvalidOrder(
            f"No order {doc.get('OrderNo')} for enterprise {doc.get('EnterpriseCode')}.",
            attributes={"OrderNo": str(doc.get("OrderNo")), "EnterpriseCode": str(doc.get("EnterpriseCode"))},
        )
    return found


def load(ctx: Ctx, doc: Doc) -> Doc:
    key = resolve_key(ctx, doc)
    order = ctx.tx.get_order(ctx.ns, key)
    if order is None:  # pragma: no cover - resolve_key checked it inside the same transaction
        raise InvalidOrder(attributes={"OrderHeaderKey": key})
    ctx.extras.setdefault(LOADED, []).append(key)  # named if the call fails on it (``unreadable_loaded``)
    return order


#: ``ctx.extras`` key: the orders a call loaded, looked at again only if the call fails unexpectedly.
LOADED = "loaded_orders"


def unreadable_loaded(ctx: Ctx) -> Exception | None:
    """When a call failed unexpectedly: the error naming an order it loaded that is stored in a shape this
    version cannot read (written by an older version), or None.  Free while calls succeed."""
    for key in ctx.extras.get(LOADED, ()):
        order = ctx.tx.get_order(ctx.ns, key)
        if order is not None:
            problems = shapes.violations("Order", order)
            if problems:
                return shapes.unreadable("Order", key, ", ".join(problems[:5]))
    return None


# ------------------------------------------------------------------------------------------- creation


def _clean(doc: Doc) -> Doc:
    """Drop empty attributes (an empty value is absent) recursively, keeping structure."""
    out: Doc = {}
    for key, value in doc.items():
        if isinstance(value, str):
            if value != "":
                out[key] = value
        elif isinstance(value, dict):
            out[key] = _clean(value)
        elif isinstance(value, list):
            out[key] = [_clean(item) for item in value if isinstance(item, dict)]
    return out


#: Order attributes the fake reads as values, and elements it reads as one element: a client sending another
#: shape (an element where an attribute belongs, a list where one element belongs) gets MOCK0101.
HEADER_SCALARS = (
    "EnterpriseCode",
    "DocumentType",
    "OrderNo",
    "OrderHeaderKey",
    "OrderDate",
    "DraftOrderFlag",
    "ReqDeliveryDate",
    "ReqShipDate",
    "SellerOrganizationCode",
    "BuyerOrganizationCode",
    "EnteredBy",
    "EntryType",
    "HoldFlag",
    "CustomerEMailID",
    "OrderType",
    "isHistory",
)
HEADER_ELEMENTS = (
    "PriceInfo",
    "OrderLines",
    "PersonInfoShipTo",
    "PersonInfoBillTo",
    "PersonInfoContact",
    "PaymentMethods",
    "HeaderCharges",
    "HeaderTaxes",
    "Notes",
    "OrderDates",
    "References",
    "Instructions",
    "Extn",
)
LINE_SCALARS = (
    "OrderedQty",
    "PrimeLineNo",
    "SubLineNo",
    "OrderLineKey",
    "ShipNode",
    "LineType",
    "DeliveryMethod",
    "OriginalOrderedQty",
    "FulfillmentType",
)
LINE_ELEMENTS = ("Item", "LinePriceInfo", "LineCharges", "LineTaxes", "Notes", "References", "Extn")


def expect_shape(doc: Doc, scalars: tuple[str, ...], elements: tuple[str, ...], where: str) -> None:
    """Refuse an input whose known attributes are not values, or known elements not single elements."""
    for name in scalars:
        if name in doc and not isinstance(doc[name], str):
            raise InvalidValue(
                f"{where}/@{name} must be an attribute value, not an element.", attributes={"Name": name}
            )
    for name in elements:
        if name in doc and not isinstance(doc[name], dict):
            raise InvalidValue(f"{where}/{name} must be one element.", attributes={"Name": name})


def new_order(ctx: Ctx, doc: Doc) -> Doc:
    """The canonical order for a createOrder input: validated; nothing is written here."""
    expect_shape(doc, HEADER_SCALARS, HEADER_ELEMENTS, "Order")
    order = _clean(doc)
    enterprise = present(order, "EnterpriseCode")
    if enterprise is None:
        raise MandatoryMissing(
            "EnterpriseCode is mandatory for createOrder.", attributes={"Name": "EnterpriseCode"}
        )
    document_type = order.setdefault("DocumentType", "0001")
    keys = {name: present(order, name) for name in ("OrderHeaderKey", "OrderNo")}
    check_keys(
        EnterpriseCode=enterprise,
        DocumentType=str(document_type),
        **{name: value for name, value in keys.items() if value is not None},
    )
    stamp = ctx.stamp()
    key = present(order, "OrderHeaderKey") or ctx.new_key()
    ctx.verify(_key_free, key)
    order_no = present(order, "OrderNo") or ctx.sequence_text("order_no:" + enterprise, 100000001, "Y{:09d}")
    ctx.verify(_order_no_free, enterprise, document_type, order_no)
    order.update(OrderHeaderKey=key, OrderNo=order_no, EnterpriseCode=enterprise)
    order["OrderDate"] = clock.normalise_datetime(order.get("OrderDate") or stamp, attribute="OrderDate")
    order.setdefault("SellerOrganizationCode", enterprise)
    order.setdefault("EnteredBy", ctx.user)
    order.setdefault("DraftOrderFlag", "N")
    order.setdefault("isHistory", "N")
    order.setdefault("HoldFlag", "N")
    for attr in ("ReqDeliveryDate", "ReqShipDate"):
        if attr in order:
            order[attr] = clock.normalise_datetime(order[attr], attribute=attr)
    _audit_columns(ctx, order, created=True)
    initial = statuses.DRAFT if order["DraftOrderFlag"] == "Y" else statuses.CREATED
    lines = as_list(child(order, "OrderLines") and order["OrderLines"].get("OrderLine"))
    seen: set[tuple[str, str]] = set()
    built = []
    for index, line in enumerate(lines, start=1):
        built.append(new_line(ctx, order, line, index, initial, seen))
    order["OrderLines"] = {"OrderLine": built}
    for address in ADDRESS_ELEMENTS:
        if isinstance(order.get(address), dict):
            order[address].setdefault("PersonInfoKey", ctx.new_key())
    for payment in as_list(child(order, "PaymentMethods") and order["PaymentMethods"].get("PaymentMethod")):
        payment.setdefault("PaymentKey", ctx.new_key())
    return order  # statuses and totals are derived by ``save`` (``recompute``), which every caller runs next


def _key_free(ctx: Ctx, key: str) -> None:
    if ctx.tx.order_exists(ctx.ns, key):
        raise RecordAlreadyExists(f"OrderHeaderKey {key} exists.", attributes={"OrderHeaderKey": key})


def _order_no_free(ctx: Ctx, enterprise: str, document_type: str, order_no: str) -> None:
    if ctx.tx.order_key_by_no(ctx.ns, enterprise, document_type, order_no) is not None:
        raise RecordAlreadyExists(
            f"Order {order_no} exists for {enterprise} / {document_type}.",
            attributes={"OrderNo": order_no, "EnterpriseCode": enterprise, "DocumentType": document_type},
        )


def new_line(ctx: Ctx, order: Doc, line: Doc, index: int, initial: str, seen: set[tuple[str, str]]) -> Doc:
    """One order line: keys, line numbers, quantity and its initial status row."""
    expect_shape(line, LINE_SCALARS, LINE_ELEMENTS, "OrderLine")
    line = dict(line)
    qty = decimal_of(line, "OrderedQty", "1", minimum=Decimal(0))
    prime = present(line, "PrimeLineNo") or str(index)
    sub = present(line, "SubLineNo") or "1"
    if (prime, sub) in seen:
        raise RecordAlreadyExists(
            f"Two lines share PrimeLineNo {prime} / SubLineNo {sub}.",
            attributes={"PrimeLineNo": prime, "SubLineNo": sub},
        )
    seen.add((prime, sub))
    line.update(PrimeLineNo=prime, SubLineNo=sub, OrderedQty=qty_text(qty))
    line.setdefault("OriginalOrderedQty", qty_text(qty))
    line["OrderLineKey"] = present(line, "OrderLineKey") or ctx.new_key()
    line["OrderHeaderKey"] = order["OrderHeaderKey"]
    item = line.setdefault("Item", {})
    if not isinstance(item, dict):
        item = line["Item"] = {}
    item.setdefault("ItemID", "")
    masterdata.validate_line(ctx, order, line)
    reservations.consume(ctx, order, line)
    item.setdefault("UnitOfMeasure", "EACH")
    item.setdefault("ProductClass", "")
    line.setdefault("LineType", "")
    line.setdefault("DeliveryMethod", "SHP")
    line.setdefault("FulfillmentType", "")
    price = line.setdefault("LinePriceInfo", {})
    decimal_of(price, "UnitPrice", minimum=Decimal(0))  # validate
    price.setdefault("IsPriceLocked", "Y")
    _audit_columns(ctx, line, created=True)
    row = {"Status": initial, "StatusQty": qty_text(qty), "StatusDate": ctx.stamp()}
    if present(line, "ShipNode"):
        row["ShipNode"] = line["ShipNode"]
    line["OrderStatuses"] = {"OrderStatus": [row] if qty > 0 else []}
    return line


def _audit_columns(ctx: Ctx, element: Doc, *, created: bool) -> None:
    stamp = ctx.stamp()
    if created:
        element["Createts"] = stamp
        element["Createuserid"] = ctx.user
        element["Createprogid"] = ctx.progid
    element["Modifyts"] = stamp
    element["Modifyuserid"] = ctx.user
    element["Modifyprogid"] = ctx.progid


def touch(ctx: Ctx, element: Doc) -> None:
    """Record a change: Modifyts and who made it advance (how pollers find changed orders)."""
    _audit_columns(ctx, element, created=False)


# ------------------------------------------------------------------------------------------- derived


def _charges(container: Any, wrapper: str, name: str) -> tuple[Decimal, Decimal]:
    charges = Decimal(0)
    discounts = Decimal(0)
    for charge in as_list(
        container.get(wrapper, {}).get(name) if isinstance(container.get(wrapper), dict) else None
    ):
        amount = (
            decimal_of(charge, "ChargeAmount")
            if present(charge, "ChargeAmount")
            else (decimal_of(charge, "ChargePerLine"))
        )
        is_discount = (
            charge.get("IsDiscount") == "Y" or "DISCOUNT" in str(charge.get("ChargeCategory", "")).upper()
        )
        if is_discount:
            discounts += abs(amount)
        else:
            charges += amount
    return charges, discounts


def _taxes(container: Doc, wrapper: str, name: str) -> Decimal:
    node = container.get(wrapper)
    total = Decimal(0)
    for tax in as_list(node.get(name) if isinstance(node, dict) else None):
        total += decimal_of(tax, "Tax")
    return total


def line_rows(line: Doc) -> list[Doc]:
    node = line.get("OrderStatuses")
    return as_list(node.get("OrderStatus") if isinstance(node, dict) else None)


def quantity_in(line: Doc, code: str) -> Decimal:
    return sum((Decimal(r["StatusQty"]) for r in line_rows(line) if r.get("Status") == code), Decimal(0))


def recompute(ctx: Ctx, order: Doc) -> None:
    """Everything Sterling derives: line statuses and totals, order Min/Max/Status, header totals."""
    pipeline = ctx.pipelines.get(str(order.get("DocumentType", "0001")))
    sub_total = line_charges = line_discounts = line_tax = Decimal(0)
    all_rows: list[tuple[str, float]] = []
    for line in lines_of(order):
        rows = line_rows(line)
        pairs = [(str(r["Status"]), float(r["StatusQty"])) for r in rows]
        all_rows.extend(pairs)
        low, high = statuses.min_max(pairs)
        cancelled = quantity_in(line, statuses.CANCELLED)
        shipped = sum(
            (
                Decimal(r["StatusQty"])
                for r in rows
                if statuses.sort_key(str(r["Status"])) >= statuses.sort_key("3700")
                and r["Status"] != statuses.CANCELLED
            ),
            Decimal(0),
        )
        ordered = Decimal(str(line.get("OriginalOrderedQty", line["OrderedQty"]))) - cancelled
        line["OrderedQty"] = qty_text(max(ordered, Decimal(0)))
        line["OpenQty"] = qty_text(max(ordered - shipped, Decimal(0)))
        line.update(
            MinLineStatus=low,
            MaxLineStatus=high,
            MinLineStatusDesc=pipeline.describe(low),
            MaxLineStatusDesc=pipeline.describe(high),
            Status=statuses.status_text(pipeline, low, high),
        )
        unit = decimal_of(line["LinePriceInfo"], "UnitPrice")
        extended = unit * ordered
        charges, discounts = _charges(line, "LineCharges", "LineCharge")
        tax = _taxes(line, "LineTaxes", "LineTax")
        total = extended + charges - discounts + tax
        line["LineOverallTotals"] = {
            "Charges": money(charges),
            "Discount": money(discounts),
            "ExtendedPrice": money(extended),
            "LineTotal": money(total),
            "OptionPrice": "0.00",
            "PricingQty": qty_text(ordered),
            "Tax": money(tax),
            "UnitPrice": money(unit),
        }
        line["LinePriceInfo"]["LineTotal"] = money(total)
        sub_total += extended
        line_charges += charges
        line_discounts += discounts
        line_tax += tax
    low, high = statuses.min_max(all_rows)
    order.update(
        MinOrderStatus=low,
        MaxOrderStatus=high,
        MinOrderStatusDesc=pipeline.describe(low),
        MaxOrderStatusDesc=pipeline.describe(high),
        Status=statuses.status_text(pipeline, low, high),
    )
    hdr_charges, hdr_discounts = _charges(order, "HeaderCharges", "HeaderCharge")
    hdr_tax = _taxes(order, "HeaderTaxes", "HeaderTax")
    grand_charges = hdr_charges + line_charges
    grand_discount = hdr_discounts + line_discounts
    grand_tax = hdr_tax + line_tax
    grand_total = sub_total + grand_charges - grand_discount + grand_tax
    order["OverallTotals"] = {
        "GrandCharges": money(grand_charges),
        "GrandDiscount": money(grand_discount),
        "GrandTax": money(grand_tax),
        "GrandTotal": money(grand_total),
        "HdrCharges": money(hdr_charges),
        "HdrDiscount": money(hdr_discounts),
        "HdrTax": money(hdr_tax),
        "HdrTotal": money(hdr_charges - hdr_discounts + hdr_tax),
        "LineSubTotal": money(sub_total),
    }
    stored_price = order.get("PriceInfo")
    price: Doc = stored_price if isinstance(stored_price, dict) else {}
    price.setdefault("Currency", "USD")
    price["TotalAmount"] = money(grand_total)
    order["PriceInfo"] = price


def line_named(order: Doc, given: Doc) -> Doc | None:
    """The line ``given`` names by OrderLineKey, or PrimeLineNo + SubLineNo (SubLineNo defaults to 1)."""
    key = present(given, "OrderLineKey")
    prime, sub = present(given, "PrimeLineNo"), present(given, "SubLineNo") or "1"
    for line in lines_of(order):
        if (key and line.get("OrderLineKey") == key) or (
            not key and prime and line.get("PrimeLineNo") == prime and line.get("SubLineNo") == sub
        ):
            return line
    return None


def lines_of(order: Doc) -> list[Doc]:
    node = order.get("OrderLines")
    return as_list(node.get("OrderLine") if isinstance(node, dict) else None)


# ------------------------------------------------------------------------------------------- saving


def save(ctx: Ctx, order: Doc, *, insert: bool) -> None:
    """Write the order, its query columns and its rendered default outputs in the caller's transaction."""
    recompute(ctx, order)
    _write(ctx, order, insert=insert)
    inventory_demand.sync(ctx, order, insert=insert)


def rederive(ctx: Ctx, order: Doc) -> None:
    """Rewrite a stored order's query columns, line index and rendered default outputs from its document as
    it stands, its own derived attributes (statuses, totals) included: what a snapshot import does for every
    order, so an order edited in a snapshot is found by what it now says."""
    _write(ctx, order, insert=False, conformed=False)


def _write(ctx: Ctx, order: Doc, *, insert: bool, conformed: bool = True) -> None:
    order_date = clock.parse_datetime(order["OrderDate"], attribute="OrderDate")
    row = {
        "ohk": order["OrderHeaderKey"],
        "enterprise_code": order["EnterpriseCode"],
        "document_type": order["DocumentType"],
        "order_no": order["OrderNo"],
        "order_date": clock.column_value(order_date),
        "createts": clock.column_value(clock.parse_datetime(order["Createts"])),
        "modifyts": clock.column_value(clock.parse_datetime(order["Modifyts"])),
        "min_status": statuses.sort_key(order["MinOrderStatus"]),
        "max_status": statuses.sort_key(order["MaxOrderStatus"]),
        "doc": order,
        "lines": [
            (line["OrderLineKey"], str(line.get("Item", {}).get("ItemID", ""))) for line in lines_of(order)
        ],
    }
    descriptions = ctx.pipelines.get(order["DocumentType"]).descriptions
    _readable(ctx, order, descriptions, conformed=conformed)
    ctx.tx.save_order(ctx.ns, row, render.prerender(order, ctx.settings, descriptions), insert=insert)


def _readable(ctx: Ctx, order: Doc, descriptions: dict[str, str], *, conformed: bool = True) -> None:
    """A write checks its own result before it commits: the order renders (the full view, which holds the
    default getOrderDetails output), or the call is refused.  An order built from an API's input keeps
    attributes and elements apart already (``shapes.conform`` ran at the door); one from elsewhere (a snapshot,
    ``conformed=False``) is checked for that too."""
    key = str(order.get("OrderHeaderKey", ""))
    problems = [] if conformed else shapes.violations("Order", order)
    if problems:
        raise UnrenderableResult(
            f"Order {key} would hold a value of the wrong kind at {', '.join(problems[:5])}; nothing was changed.",
            attributes={"OrderHeaderKey": key, "Name": problems[0]},
        )
    try:
        render.full_order(order, ctx.settings, descriptions)
    except Exception as exc:  # any failure to render is refused, never stored
        raise UnrenderableResult(
            f"Order {key} could not be rendered after this call ({type(exc).__name__}: {exc}); "
            "the input holds a value the fake cannot show; nothing was changed.",
            attributes={"OrderHeaderKey": key},
        ) from exc
