"""Charge transactions on an order: authorisations, charges and refunds against its payment methods, the
header totals they add up to (TotalOpenAuthorizations, TotalDebits, TotalCredits) and the order's
PaymentStatus; declines set up from the control plane (``POST /_fake/payments/decline``).

Records live in the order document (``ChargeTransactionDetails/ChargeTransactionDetail``) and render with
it.  Amounts are the order's currency; no gateways, reversals of expired authorisations or settlement
batches are modelled.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import ChargeExceedsAuthorization, InvalidValue
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.domain.payments import methods

AUTHORIZATION = "AUTHORIZATION"
CHARGE = "CHARGE"
PROCESSED = "CHECKED"
FAILED = "ERROR"
#: The kv entry a control-plane decline lives in: ``{"remaining": n or None, "reason": ..., "payment_type": ...}``.
KV_DECLINE = "payments:decline"
AUTH_DAYS = 7
ZERO = Decimal(0)


def details(order: Doc) -> list[Doc]:
    node = order.get("ChargeTransactionDetails")
    return as_list(node.get("ChargeTransactionDetail")) if isinstance(node, dict) else []


def _amount(record: Doc, name: str) -> Decimal:
    return Decimal(str(record.get(name) or "0"))


def open_authorized(order: Doc, method: Doc) -> Decimal:
    key = method.get("PaymentKey")
    return sum(
        (_amount(d, "OpenAuthorizedAmount") for d in details(order) if d.get("PaymentKey") == key),
        ZERO,
    )


def _used(order: Doc, method: Doc) -> Decimal:
    """Authorised (still open) plus charged, less refunded: what counts against the method's limit."""
    key = method.get("PaymentKey")
    charged = sum((_amount(d, "DebitAmount") - _amount(d, "CreditAmount") for d in details(order)
                   if d.get("PaymentKey") == key), ZERO)  # fmt: skip
    return open_authorized(order, method) + charged


def totals(order: Doc) -> dict[str, Decimal]:
    found = details(order)
    return {
        "TotalOpenAuthorizations": sum((_amount(d, "OpenAuthorizedAmount") for d in found), ZERO),
        "TotalDebits": sum((_amount(d, "DebitAmount") for d in found), ZERO),
        "TotalCredits": sum((_amount(d, "CreditAmount") for d in found), ZERO),
    }


def _record(ctx: Ctx, order: Doc, method: Doc, charge_type: str, amount: Decimal, **values: str) -> Doc:
    record: Doc = {
        "ChargeTransactionKey": ctx.new_key(),
        "AuditTransactionID": "",
        "ChargeType": charge_type,
        "PaymentKey": str(method.get("PaymentKey", "")),
        "PaymentType": str(method.get("PaymentType", "")),
        "OrderHeaderKey": str(order["OrderHeaderKey"]),
        "RequestAmount": model.money(amount),
        "ProcessedAmount": model.money(amount),
        "Status": PROCESSED,
        "TransactionDate": ctx.stamp(),
        "CollectionDate": ctx.stamp(),
        "UserExitStatus": "ONLINE",
        **values,
    }
    node = order.setdefault("ChargeTransactionDetails", {})
    node["ChargeTransactionDetail"] = [*details(order), record]
    return record


def write_totals(order: Doc) -> None:
    node = order.setdefault("ChargeTransactionDetails", {})
    for name, value in totals(order).items():
        node[name] = model.money(value)
    for name in (
        "AdditionalExpectedAuthorizations",
        "TotalOpenBookings",
        "TotalTransferredIn",
        "TotalTransferredOut",
    ):
        node.setdefault(name, "0.00")


# ------------------------------------------------------------------------------------------ operations


def _declined(ctx: Ctx, method: Doc) -> str | None:
    """The reason when the control plane set a decline up for this method (consuming one of its times)."""
    rule: Any = ctx.tx.kv_get(ctx.ns, KV_DECLINE)
    if not isinstance(rule, dict):
        return None
    wanted = rule.get("payment_type")
    if wanted and wanted != method.get("PaymentType"):
        return None
    remaining = rule.get("remaining")
    if isinstance(remaining, int):
        if remaining <= 1:
            ctx.tx.kv_delete(ctx.ns, KV_DECLINE)
        else:
            ctx.tx.kv_put(ctx.ns, KV_DECLINE, {**rule, "remaining": remaining - 1})
    return str(rule.get("reason") or "Declined by the issuer")


def authorize(ctx: Ctx, order: Doc, method: Doc, amount: Decimal) -> tuple[Doc, str | None]:
    """An AUTHORIZATION record for ``amount`` (capped by the method's limit); a declined one (Status ERROR,
    nothing open) when the control plane says so.  Returns the record and the decline reason."""
    reason = _declined(ctx, method)
    if reason is not None:
        record = _record(ctx, order, method, AUTHORIZATION, amount, Status=FAILED, ProcessedAmount="0.00",
                         OpenAuthorizedAmount="0.00", AuthorizationID="", AuthReturnMessage=reason)  # fmt: skip
        return record, reason
    expires = clock.format_datetime(ctx.now() + timedelta(days=AUTH_DAYS))
    record = _record(
        ctx,
        order,
        method,
        AUTHORIZATION,
        amount,
        OpenAuthorizedAmount=model.money(amount),
        AuthorizationID=ctx.sequence_text("authorization_id", 100001, "AUTH{:08d}"),
        AuthorizationExpirationDate=expires,
        AuthReturnMessage="APPROVED",
    )
    order["AuthorizationExpirationDate"] = expires
    return record, None


def charge(ctx: Ctx, order: Doc, method: Doc, amount: Decimal, invoice_key: str = "") -> Doc:
    """A CHARGE record drawing ``amount`` from the method's open authorisations (oldest first); more than
    is open is MOCK0711."""
    available = open_authorized(order, method)
    if amount > available:
        raise ChargeExceedsAuthorization(
            f"Charging {model.money(amount)} to payment {method.get('PaymentKey')} ({method.get('PaymentType')}) "
            f"but only {model.money(available)} is authorised and open.",
            attributes={
                "PaymentKey": str(method.get("PaymentKey", "")),
                "RequestAmount": model.money(amount),
                "OpenAuthorizedAmount": model.money(available),
            },
        )
    left = amount
    for record in details(order):
        if left <= 0:
            break
        if record.get("PaymentKey") == method.get("PaymentKey") and record.get("ChargeType") == AUTHORIZATION:
            take = min(left, _amount(record, "OpenAuthorizedAmount"))
            record["OpenAuthorizedAmount"] = model.money(_amount(record, "OpenAuthorizedAmount") - take)
            left -= take
    return _record(ctx, order, method, CHARGE, amount, DebitAmount=model.money(amount),
                   SettledAmount=model.money(amount), OrderInvoiceKey=invoice_key)  # fmt: skip


def refund(ctx: Ctx, order: Doc, amount: Decimal, invoice_key: str = "") -> list[Doc]:
    """CHARGE records with a negative request (credits) back to the methods charged, last charged first."""
    records = []
    left = amount
    for method in reversed(methods.in_sequence(order)):
        key = method.get("PaymentKey")
        net = sum((_amount(d, "DebitAmount") - _amount(d, "CreditAmount") for d in details(order)
                   if d.get("PaymentKey") == key), ZERO)  # fmt: skip
        take = min(left, net)
        if take > 0:
            records.append(_record(ctx, order, method, CHARGE, -take, CreditAmount=model.money(take),
                                   SettledAmount=model.money(-take), OrderInvoiceKey=invoice_key))  # fmt: skip
            left -= take
    return records


def room(order: Doc, method: Doc) -> Decimal | None:
    """How much more the method may take (None: no limit)."""
    limit = methods.limit(method)
    return None if limit is None else max(limit - _used(order, method), ZERO)


def check_amount(raw: str, name: str = "RequestAmount") -> Decimal:
    value = model.decimal_of({name: raw}, name)
    if value <= 0:
        raise InvalidValue(f"{name}={raw!r} must be more than zero.", attributes={"Name": name, "Value": raw})
    return value


# ------------------------------------------------------------------------------------------ processing


def _invoiced(order: Doc) -> Decimal:
    node = order.get("InvoicedTotals")
    return Decimal(str(node.get("GrandTotal") or "0")) if isinstance(node, dict) else ZERO


def _grand_total(order: Doc) -> Decimal:
    node = order.get("OverallTotals")
    return Decimal(str(node.get("GrandTotal") or "0")) if isinstance(node, dict) else ZERO


def _requests(doc: Doc) -> list[tuple[Doc, Doc]]:
    """(payment method named, PaymentDetails) pairs of an explicit processOrderPayments input."""
    node = doc.get("PaymentMethods")
    pairs = []
    for method in as_list(node.get("PaymentMethod")) if isinstance(node, dict) else []:
        for detail in as_list(method.get("PaymentDetails")):
            pairs.append((method, detail))
    return pairs


def _explicit(ctx: Ctx, order: Doc, method_doc: Doc, detail: Doc) -> str | None:
    method = methods.named(order, method_doc)
    if method is None:
        named = method_doc.get("PaymentKey") or method_doc.get("PaymentType")
        raise InvalidValue(
            f"Order {order.get('OrderNo')} has no payment method {named}.",
            attributes={
                "PaymentKey": str(method_doc.get("PaymentKey", "")),
                "PaymentType": str(method_doc.get("PaymentType", "")),
            },
        )
    charge_type = model.present(detail, "ChargeType") or AUTHORIZATION
    amount = check_amount(str(detail.get("RequestAmount") or ""))
    if charge_type == CHARGE:
        charge(ctx, order, method, amount)
        return None
    if charge_type != AUTHORIZATION:
        raise InvalidValue(
            f"ChargeType={charge_type!r}: use AUTHORIZATION or CHARGE.",
            attributes={"Name": "ChargeType", "Value": charge_type},
        )
    cap = room(order, method)
    if cap is not None and amount > cap:
        raise InvalidValue(
            f"Authorising {model.money(amount)} passes the payment method's MaxChargeLimit "
            f"(room left {model.money(cap)}).",
            attributes={
                "Name": "RequestAmount",
                "Value": model.money(amount),
                "MaxChargeLimit": str(method.get("MaxChargeLimit", "")),
            },
        )
    return authorize(ctx, order, method, amount)[1]


def process(ctx: Ctx, order: Doc, doc: Doc) -> list[tuple[Doc, str]]:
    """processOrderPayments on ``order`` (not saved here): explicit ``PaymentDetails`` requests, or else
    authorise what is neither open nor charged (methods in ChargeSequence, within their limits) and charge
    what is invoiced but not charged.  Returns the declines (method, reason)."""
    declines: list[tuple[Doc, str]] = []
    requests = _requests(doc)
    for method_doc, detail in requests:
        reason = _explicit(ctx, order, method_doc, detail)
        if reason is not None:
            declines.append((methods.named(order, method_doc) or {}, reason))
    if not requests:
        current = totals(order)
        outstanding = _grand_total(order) - current["TotalOpenAuthorizations"] - current["TotalDebits"]
        for method in methods.in_sequence(order):
            cap = room(order, method)
            take = outstanding if cap is None else min(outstanding, cap)
            if take <= 0:
                continue
            _record_made, reason = authorize(ctx, order, method, take)
            if reason is not None:
                declines.append((method, reason))
                continue
            outstanding -= take
        due = _invoiced(order) - totals(order)["TotalDebits"]
        for method in methods.in_sequence(order):
            take = min(due, open_authorized(order, method))
            if take > 0:
                charge(ctx, order, method, take)
                due -= take
    write_totals(order)
    order["PaymentStatus"] = status(order, bool(declines))
    return declines


def status(order: Doc, declined: bool) -> str:
    """PaymentStatus [INF: Sterling's values; which one when follows the totals]: AWAIT_PAY_INFO after a
    decline, PAID when charges cover the order, INVOICED when invoices wait to be charged, AUTHORIZED when
    open authorisations and charges cover it, else AWAIT_AUTH."""
    if declined:
        return "AWAIT_PAY_INFO"
    current = totals(order)
    total = _grand_total(order)
    if total > 0 and current["TotalDebits"] >= total:
        return "PAID"
    if _invoiced(order) > current["TotalDebits"]:
        return "INVOICED"
    if current["TotalOpenAuthorizations"] + current["TotalDebits"] >= total:
        return "AUTHORIZED"
    return "AWAIT_AUTH"
