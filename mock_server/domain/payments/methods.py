"""Payment methods on createOrder and changeOrder: validated, display numbers derived (the last four digits),
a charge sequence and a limit for each."""

from __future__ import annotations

from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import InvalidValue
from sterling_mock.mock_server.domain.orders import model

#: The number attribute of each kind of payment and the display attribute Sterling derives from it [OBS: §13].
DISPLAYED = (
    ("CreditCardNo", "DisplayCreditCardNo"),
    ("SvcNo", "DisplaySvcNo"),
    ("CustomerAccountNo", "DisplayCustomerAccountNo"),
    ("PaymentReference1", "DisplayPaymentReference1"),
)


def of(order: Doc) -> list[Doc]:
    node = order.get("PaymentMethods")
    return as_list(node.get("PaymentMethod")) if isinstance(node, dict) else []


def kind(method: Doc) -> str:
    """CREDIT_CARD, GIFT_CARD, ACCOUNT or OTHER, from PaymentType [INF: payment types are configured; the
    fake reads the usual names: *CREDIT*/*CARD*, *GIFT*/*SVC*, *ACCOUNT*]."""
    name = str(method.get("PaymentType", "")).upper()
    if "GIFT" in name or "SVC" in name or "STORED_VALUE" in name:
        return "GIFT_CARD"
    if "CARD" in name or "CREDIT" in name:
        return "CREDIT_CARD"
    if "ACCOUNT" in name:
        return "ACCOUNT"
    return "OTHER"


def prepare(order: Doc) -> bool:
    """Validate and complete every payment method of the order; True when the order has any."""
    methods = of(order)
    for position, method in enumerate(methods, start=1):
        for source, display in DISPLAYED:
            number = model.present(method, source)
            if number is not None and model.present(method, display) is None:
                method[display] = number[-4:]
        sequence = model.present(method, "ChargeSequence") or str(position)
        if not sequence.isdigit():
            raise InvalidValue(
                f"ChargeSequence={sequence!r} is not a whole number.",
                attributes={"Name": "ChargeSequence", "Value": sequence},
            )
        method["ChargeSequence"] = sequence
        if model.present(method, "MaxChargeLimit") is not None:
            limit = model.decimal_of(method, "MaxChargeLimit", minimum=Decimal(0))
            method["MaxChargeLimit"] = model.money(limit)
            method.setdefault("UnlimitedCharges", "N")
        else:
            method.setdefault("UnlimitedCharges", "Y")
    return bool(methods)


def limit(method: Doc) -> Decimal | None:
    """How much may be charged to the method in all (None: no limit)."""
    if method.get("UnlimitedCharges") == "N" and model.present(method, "MaxChargeLimit"):
        return Decimal(str(method["MaxChargeLimit"]))
    return None


def in_sequence(order: Doc) -> list[Doc]:
    return sorted(of(order), key=lambda m: int(str(m.get("ChargeSequence") or "0") or "0"))


def named(order: Doc, given: Doc) -> Doc | None:
    """The method ``given`` names: PaymentKey, else PaymentType (+ the card, gift card or account number)."""
    key = model.present(given, "PaymentKey")
    for method in of(order):
        if key is not None:
            if method.get("PaymentKey") == key:
                return method
            continue
        if model.present(given, "PaymentType") and method.get("PaymentType") == given["PaymentType"]:
            numbers = [(s, model.present(given, s)) for s, _ in DISPLAYED[:3] if model.present(given, s)]
            if all(method.get(s) == v for s, v in numbers):
                return method
    return None
