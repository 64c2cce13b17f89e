"""Order invoices: lines with their share of charges and taxes, header charges and taxes on the order's first
invoice, totals; the order's InvoicedTotals and its lines' InvoicedQty / LineInvoicedTotals follow."""

from __future__ import annotations

from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.store.schema import aftercare

KIND = "invoice"
CREATED = "01"
ZERO = Decimal(0)
LINE_TOTALS = ("Charges", "Discount", "ExtendedPrice", "LineTotal", "OptionPrice", "Tax")
ORDER_TOTALS = ("GrandCharges", "GrandDiscount", "GrandTax", "GrandTotal", "HdrCharges", "HdrDiscount", "HdrTax",
                "HdrTotal", "LineSubTotal")  # fmt: skip


def _d(value: object) -> Decimal:
    return Decimal(str(value or "0"))


def invoiced_qty(line: Doc) -> Decimal:
    return _d(line.get("InvoicedQty"))


def shipped_qty(line: Doc) -> Decimal:
    """Quantity at or past 3700 Shipped (not cancelled)."""
    from sterling_mock.mock_server.domain import statuses

    return sum(
        (Decimal(r["StatusQty"]) for r in model.line_rows(line)
         if statuses.sort_key(str(r["Status"])) >= statuses.sort_key("3700") and r["Status"] != "9000"),
        ZERO,
    )  # fmt: skip


def _line_detail(line: Doc, quantity: Decimal, sign: int) -> Doc:
    totals = line.get("LineOverallTotals") or {}
    ordered = _d(totals.get("PricingQty")) or ZERO
    share = (quantity / ordered) if ordered else ZERO
    unit = _d((line.get("LinePriceInfo") or {}).get("UnitPrice"))
    extended = unit * quantity
    charges = _d(totals.get("Charges")) * share
    discount = _d(totals.get("Discount")) * share
    tax = _d(totals.get("Tax")) * share
    item = line.get("Item") or {}
    values = {
        "ExtendedPrice": extended, "Charges": charges, "Discount": discount, "Tax": tax,
        "LineTotal": extended + charges - discount + tax, "OptionPrice": ZERO,
    }  # fmt: skip
    return {
        "OrderLineKey": str(line["OrderLineKey"]),
        "PrimeLineNo": str(line.get("PrimeLineNo", "")),
        "SubLineNo": str(line.get("SubLineNo", "")),
        "ItemID": str(item.get("ItemID", "")),
        "UnitOfMeasure": str(item.get("UnitOfMeasure", "")),
        "Quantity": model.qty_text(quantity),
        "ShippedQty": model.qty_text(quantity),
        "UnitPrice": model.money(unit),
        **{name: model.money(sign * value) for name, value in values.items()},
    }


def _header_parts(order: Doc) -> tuple[list[Doc], list[Doc], dict[str, Decimal]]:
    totals = order.get("OverallTotals") or {}
    charges = as_list((order.get("HeaderCharges") or {}).get("HeaderCharge"))
    taxes = as_list((order.get("HeaderTaxes") or {}).get("HeaderTax"))
    amounts = {"HdrCharges": _d(totals.get("HdrCharges")), "HdrDiscount": _d(totals.get("HdrDiscount")),
               "HdrTax": _d(totals.get("HdrTax"))}  # fmt: skip
    return charges, taxes, amounts


def build(ctx: Ctx, order: Doc, picks: list[tuple[Doc, Decimal]], invoice_type: str, *, sign: int = 1,
          shipment: Doc | None = None) -> Doc:  # fmt: skip
    """An invoice for ``picks`` (line, quantity), saved, and added to the order's invoiced totals (the order
    itself is saved by the caller).  Header charges and taxes go on the order's first debit invoice."""
    lines = [_line_detail(line, qty, sign) for line, qty in picks]
    first = sign > 0 and order.get("HeaderChargesInvoiced") != "Y"
    charges, taxes, header = _header_parts(order) if first else ([], [], {})
    if first:
        order["HeaderChargesInvoiced"] = "Y"
    sub_total = sum((_d(ln["ExtendedPrice"]) for ln in lines), ZERO)
    line_charges = sum((_d(ln["Charges"]) for ln in lines), ZERO)
    line_discount = sum((_d(ln["Discount"]) for ln in lines), ZERO)
    line_tax = sum((_d(ln["Tax"]) for ln in lines), ZERO)
    hdr_charges, hdr_discount, hdr_tax = (
        header.get(k, ZERO) for k in ("HdrCharges", "HdrDiscount", "HdrTax")
    )
    amounts = {
        "LineSubTotal": sub_total, "GrandCharges": line_charges + hdr_charges,
        "GrandDiscount": line_discount + hdr_discount, "GrandTax": line_tax + hdr_tax,
        "HdrCharges": hdr_charges, "HdrDiscount": hdr_discount, "HdrTax": hdr_tax,
        "HdrTotal": hdr_charges - hdr_discount + hdr_tax,
    }  # fmt: skip
    amounts["GrandTotal"] = (
        sub_total + amounts["GrandCharges"] - amounts["GrandDiscount"] + amounts["GrandTax"]
    )
    key = ctx.new_key()
    invoice: Doc = {
        "OrderInvoiceKey": key,
        "InvoiceNo": ctx.sequence_text("invoice_no", 100001, "{:08d}"),
        "InvoiceType": invoice_type,
        "Status": CREATED,
        "DateInvoiced": ctx.stamp(),
        "OrderHeaderKey": str(order["OrderHeaderKey"]),
        "OrderNo": str(order.get("OrderNo", "")),
        "EnterpriseCode": str(order.get("EnterpriseCode", "")),
        "SellerOrganizationCode": str(order.get("SellerOrganizationCode", "")),
        "DocumentType": str(order.get("DocumentType", "")),
        "Currency": str((order.get("PriceInfo") or {}).get("Currency", "USD")),
        "ShipmentKey": str((shipment or {}).get("ShipmentKey", "")),
        "ShipmentNo": str((shipment or {}).get("ShipmentNo", "")),
        "TotalAmount": model.money(amounts["GrandTotal"]),
        "AmountCollected": "0.00",
        "LineSubTotal": model.money(amounts["LineSubTotal"]),
        "TotalCharges": model.money(amounts["GrandCharges"]),
        "TotalDiscountAmount": model.money(amounts["GrandDiscount"]),
        "TotalTax": model.money(amounts["GrandTax"]),
        "Createts": ctx.stamp(),
        "Createuserid": ctx.user,
        "Modifyts": ctx.stamp(),
        "Modifyuserid": ctx.user,
        "LineDetails": {"LineDetail": lines},
        "HeaderChargeList": {"HeaderCharge": [dict(c) for c in charges]},
        "HeaderTaxList": {"HeaderTax": [dict(t) for t in taxes]},
        "Totals": {name: model.money(value) for name, value in amounts.items()},
    }
    if sign > 0:
        _add_to_order(order, picks, lines, amounts)
    aftercare.put(
        ctx.tx, ctx.ns, KIND, key, str(order["OrderHeaderKey"]), CREATED, invoice["InvoiceNo"], invoice
    )
    return invoice


def _add_to_order(
    order: Doc, picks: list[tuple[Doc, Decimal]], lines: list[Doc], amounts: dict[str, Decimal]
) -> None:
    for (line, qty), detail in zip(picks, lines, strict=True):
        line["InvoicedQty"] = model.qty_text(invoiced_qty(line) + qty)
        node = line.setdefault("LineInvoicedTotals", {})
        for name in LINE_TOTALS:
            node[name] = model.money(_d(node.get(name)) + _d(detail[name]))
        node["UnitPrice"] = detail["UnitPrice"]
        node["PricingQty"] = line["InvoicedQty"]
    node = order.setdefault("InvoicedTotals", {})
    for name in ORDER_TOTALS:
        node[name] = model.money(_d(node.get(name)) + amounts.get(name, ZERO))


def uninvoiced(order: Doc) -> list[tuple[Doc, Decimal]]:
    """(line, shipped quantity not yet invoiced) for every line with some."""
    found = []
    for line in model.lines_of(order):
        left = shipped_qty(line) - invoiced_qty(line)
        if left > 0:
            found.append((line, left))
    return found


def of_order(ctx: Ctx, ohk: str) -> list[Doc]:
    return aftercare.of_order(ctx.tx, ctx.ns, KIND, ohk)


def shipment_invoices(ctx: Ctx, orders: dict[str, Doc], shipment: Doc) -> list[Doc]:
    """One SHIPMENT invoice per order of a confirmed shipment, for the quantity it shipped (Sterling's
    shipment-invoice agent; setting ``invoice_on_shipment``).  ``orders``: the loaded orders by key."""
    by_order: dict[str, list[tuple[Doc, Decimal]]] = {}
    for entry in as_list((shipment.get("ShipmentLines") or {}).get("ShipmentLine")):
        order = orders[str(entry["OrderHeaderKey"])]
        line = model.line_named(order, {"OrderLineKey": str(entry["OrderLineKey"])})
        quantity = _d(entry.get("Quantity"))
        if line is not None and quantity > 0:
            by_order.setdefault(str(entry["OrderHeaderKey"]), []).append((line, quantity))
    return [build(ctx, orders[key], picks, "SHIPMENT", shipment=shipment) for key, picks in by_order.items()]
