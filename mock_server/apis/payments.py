"""APIs of the payments family: processOrderPayments (authorise and charge), createOrderInvoice,
getOrderInvoiceList and getOrderInvoiceDetails (reference §13, §14)."""

from __future__ import annotations

import copy
from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.apis import listing
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import InvalidInvoice, MandatoryMissing, NothingToInvoice
from sterling_mock.mock_server.domain.alerts import alerts
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.fulfilment import lifecycle
from sterling_mock.mock_server.domain.invoices import invoices
from sterling_mock.mock_server.domain.orders import audit, model, render
from sterling_mock.mock_server.domain.payments import charges
from sterling_mock.mock_server.domain.queries.query import present
from sterling_mock.mock_server.domain.queries.templates import apply_template
from sterling_mock.mock_server.store.schema import aftercare

ORDER_KEYS = ("OrderHeaderKey", "OrderNo", "EnterpriseCode", "DocumentType")


def _save(ctx: Ctx, order: Doc, before: Doc, types: list[str], doc: Doc) -> None:
    model.touch(ctx, order)
    model.save(ctx, order, insert=False)
    audit.record(
        ctx,
        before,
        order,
        types,
        present(doc, "ModificationReasonCode") or "",
        present(doc, "ModificationReasonText") or "",
    )


def process_order_payments(ctx: Ctx, doc: Doc) -> Output:
    """processOrderPayments by OrderHeaderKey or natural key.

    Without ``PaymentMethods`` in the input: authorises what the order total still needs (GrandTotal less
    open authorisations and charges) over its payment methods in ``ChargeSequence`` order, each within its
    ``MaxChargeLimit`` (``UnlimitedCharges="N"``), then charges what is invoiced and not yet charged against
    the open authorisations.  With ``PaymentMethods/PaymentMethod`` (``PaymentKey``, or ``PaymentType`` and
    the card/account number) carrying ``PaymentDetails@ChargeType,RequestAmount``: exactly those
    AUTHORIZATION or CHARGE requests [INF: explicit requests stand in for the payment user exits].  Charging
    more than is authorised and open is MOCK0711; authorising past a limit MOCK0101; nothing changes.

    Each transaction is a ``ChargeTransactionDetail`` (ChargeType, RequestAmount, ProcessedAmount,
    OpenAuthorizedAmount, DebitAmount/CreditAmount, AuthorizationID, AuthorizationExpirationDate (+7 days),
    Status CHECKED, or ERROR when declined) and the header totals TotalOpenAuthorizations, TotalDebits,
    TotalCredits follow; ``PaymentStatus`` moves (AWAIT_AUTH, AUTHORIZED, INVOICED, PAID, AWAIT_PAY_INFO)
    [INF].  A decline set up from the control plane (``POST /_fake/payments/decline``) records an ERROR
    authorisation, leaves PaymentStatus AWAIT_PAY_INFO and raises a PAYMENT_DECLINED alert: the call itself
    succeeds, as a gateway decline does.  Output [INF]: the order's keys and PaymentStatus with its
    ``ChargeTransactionDetails``; a template selects from the full order.  Left out: gateways, user exits,
    reversal of expired authorisations, settlement.
    """
    order = model.load(ctx, doc)
    before = copy.deepcopy(order)
    declines = charges.process(ctx, order, doc)
    _save(ctx, order, before, ["PAYMENT_METHOD"], doc)
    for method, reason in declines:
        alerts.payment_declined(ctx, order, method, reason)
    if ctx.template is not None:
        full = render.full_order(order, ctx.settings, ctx.pipelines.get(order["DocumentType"]).descriptions)
        return Output("Order", apply_template("Order", full, ctx.template))
    out: Doc = {k: str(order[k]) for k in ORDER_KEYS}
    out["PaymentStatus"] = str(order.get("PaymentStatus", ""))
    out["ChargeTransactionDetails"] = render.charge_transactions(order)
    return Output("Order", out, meta={"id": str(order["OrderHeaderKey"])})


# ------------------------------------------------------------------------------------------ invoices


def _picks(order: Doc, doc: Doc) -> list[tuple[Doc, Decimal]]:
    wrapper = child(doc, "OrderLines") or child(doc, "LineDetails")
    given = as_list((wrapper or {}).get("OrderLine") or (wrapper or {}).get("LineDetail"))
    open_lines = {str(line["OrderLineKey"]): qty for line, qty in invoices.uninvoiced(order)}
    if not given:
        picks = invoices.uninvoiced(order)
    else:
        picks = []
        for entry in given:
            line = lifecycle.find_line(order, entry)
            left = open_lines.get(str(line["OrderLineKey"]), Decimal(0))
            wanted = model.decimal_of(entry, "Quantity", model.qty_text(left), minimum=Decimal(0))
            if wanted > left:
                raise NothingToInvoice(
                    f"Line {line['PrimeLineNo']}: {model.qty_text(wanted)} asked, {model.qty_text(left)} shipped "
                    "and not invoiced.",
                    attributes={
                        "OrderLineKey": str(line["OrderLineKey"]),
                        "Quantity": model.qty_text(wanted),
                    },
                )
            if wanted > 0:
                picks.append((line, wanted))
    if not picks:
        raise NothingToInvoice(
            f"Order {order['OrderNo']} has no shipped quantity left to invoice.",
            attributes={"OrderHeaderKey": str(order["OrderHeaderKey"])},
        )
    return picks


def create_order_invoice(ctx: Ctx, doc: Doc) -> Output:
    """createOrderInvoice: invoices shipped, not yet invoiced quantity of the order (OrderHeaderKey or natural
    key): all of it, or the lines given as ``OrderLines/OrderLine`` (or ``LineDetails/LineDetail``) with
    ``Quantity`` [INF: input shape].  ``InvoiceType`` defaults to ORDER.  The first invoice of an order also
    carries its header charges and taxes.  Nothing left to invoice is MOCK0721 (with the default
    ``invoice_on_shipment`` every confirmed shipment is already invoiced).  Output [INF]: the invoice's
    ``OrderInvoice`` header (OrderInvoiceKey, InvoiceNo, InvoiceType, TotalAmount, ...)."""
    order = model.load(ctx, doc)
    before = copy.deepcopy(order)
    invoice = invoices.build(ctx, order, _picks(order, doc), present(doc, "InvoiceType") or "ORDER")
    _save(ctx, order, before, ["OTHERS"], doc)
    return Output("OrderInvoice", _header(invoice), meta={"id": invoice["OrderInvoiceKey"]})


def _header(invoice: Doc) -> Doc:
    return {k: v for k, v in invoice.items() if isinstance(v, str)}


INVOICE_FIELDS = {
    "OrderInvoiceKey": "text",
    "InvoiceNo": "text",
    "InvoiceType": "text",
    "OrderHeaderKey": "text",
    "OrderNo": "text",
    "EnterpriseCode": "text",
    "DocumentType": "text",
    "ShipmentKey": "text",
    "Status": "text",
    "DateInvoiced": "datetime",
    "TotalAmount": "number",
}


def get_order_invoice_list(ctx: Ctx, doc: Doc) -> Output:
    """getOrderInvoiceList: ``OrderInvoiceList`` of ``OrderInvoice`` headers (OrderInvoiceKey, InvoiceNo,
    InvoiceType SHIPMENT/ORDER/CREDIT_MEMO, Status, DateInvoiced, TotalAmount, AmountCollected, LineSubTotal,
    TotalCharges, TotalTax, TotalDiscountAmount, order and shipment keys) [DOC root; attributes INF].  Filters on
    those attributes; an order named by OrderHeaderKey or natural key must exist (YFS10003)."""
    if present(doc, "OrderHeaderKey") or (present(doc, "OrderNo") and present(doc, "EnterpriseCode")):
        key = model.resolve_key(ctx, doc)
        views = [_header(i) for i in invoices.of_order(ctx, key)]
        filters = {k: v for k, v in doc.items() if k not in ("OrderNo", "EnterpriseCode", "DocumentType")}
    else:
        views = [_header(i) for i in aftercare.of_kind(ctx.tx, ctx.ns, invoices.KIND)]
        filters = doc
    return listing.answer(ctx, filters, INVOICE_FIELDS, "OrderInvoice", "OrderInvoiceKey", views)


def get_order_invoice_details(ctx: Ctx, doc: Doc) -> Output:
    """getOrderInvoiceDetails by ``OrderInvoiceKey`` (or ``InvoiceNo``): ``InvoiceDetail/InvoiceHeader`` with
    the header attributes, ``Order`` keys, ``LineDetails/LineDetail`` (quantity, unit price, extended price,
    charges, discount, tax, line total), ``HeaderChargeList``, ``HeaderTaxList`` and ``Totals`` [INF: root as
    the invoice publishing event; unknown invoice MOCK0720]."""
    key = present(doc, "OrderInvoiceKey")
    number = present(doc, "InvoiceNo")
    if key is None and number is None:
        raise MandatoryMissing("Give OrderInvoiceKey or InvoiceNo.", attributes={"Name": "OrderInvoiceKey"})
    invoice = (
        aftercare.get(ctx.tx, ctx.ns, invoices.KIND, key)
        if key
        else aftercare.by_ref(ctx.tx, ctx.ns, invoices.KIND, str(number))
    )
    if invoice is None:
        raise InvalidInvoice(
            f"No invoice {key or number}.",
            attributes={"OrderInvoiceKey": key or "", "InvoiceNo": number or ""},
        )
    header = dict(invoice)
    for line in as_list(header.get("LineDetails", {}).get("LineDetail")):
        for name in ("Quantity", "ShippedQty"):
            line[name] = render.qty(str(line.get(name, "0")), ctx.settings)
    header["Order"] = {k: str(invoice.get(k, "")) for k in ORDER_KEYS}
    out = {"InvoiceHeader": header}
    return Output(
        "InvoiceDetail", apply_template("InvoiceDetail", out, ctx.template) if ctx.template else out
    )


APIS = {
    "processOrderPayments": ApiSpec(process_order_payments, "Order", "Order", writes=True),
    "createOrderInvoice": ApiSpec(create_order_invoice, "Order", "OrderInvoice", writes=True),
    "getOrderInvoiceList": ApiSpec(get_order_invoice_list, "OrderInvoice", "OrderInvoiceList"),
    "getOrderInvoiceDetails": ApiSpec(get_order_invoice_details, "OrderInvoice", "InvoiceDetail"),
}
