"""The hold types an enterprise configures, with the transactions each blocks.

A small seeded table [INF: hold types are configuration on a real instance (hold type per document type and
enterprise, each with the transactions it prevents); the fake ships common ones for every enterprise].
``"*"`` rows apply to every enterprise; a row for an enterprise overrides them.  Common codes of CodeType
``ORDER_HOLD_TYPE`` (getCommonCodeList) add types that block scheduling, release and shipment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sterling_mock.mock_server.domain.context import Ctx

#: The common-code type whose values are hold types too (issue 23's getCommonCodeList seeds it).
CODE_TYPE = "ORDER_HOLD_TYPE"
SCHEDULE = "SCHEDULE"
RELEASE = "RELEASE"
SHIP = "SHIP"
TRANSACTIONS = (SCHEDULE, RELEASE, SHIP)
#: Sterling's transaction ids for what a hold blocks, as getHoldTypeList shows them [INF].
TRANSACTION_IDS = {SCHEDULE: "SCHEDULE.0001", RELEASE: "RELEASE.0001", SHIP: "CONFIRM_SHIPMENT.0001"}


@dataclass(frozen=True)
class HoldType:
    hold_type: str
    description: str
    level: str  # ORDER, LINE or "" (both)
    blocks: tuple[str, ...]
    organization: str = "*"


SEEDED = (
    HoldType("FRAUD_HOLD", "Fraud check pending", "", TRANSACTIONS),
    HoldType("PAYMENT_HOLD", "Payment not authorised", "ORDER", (RELEASE, SHIP)),
    HoldType("BUYER_REMORSE", "Buyer remorse period", "ORDER", (SCHEDULE, RELEASE, SHIP)),
    HoldType("ADDRESS_VERIFICATION", "Address to be verified", "ORDER", (RELEASE, SHIP)),
    HoldType("CUSTOMER_SERVICE", "Held by customer service", "", TRANSACTIONS),
    HoldType("CUSTOMER_HOLD", "Held at the customer's request", "", TRANSACTIONS),
    HoldType("ITEM_REVIEW", "Line held for review", "LINE", (SCHEDULE, RELEASE)),
)


def configured(ctx: Ctx, enterprise: str) -> dict[str, HoldType]:
    """The hold types of ``enterprise``: the seeded rows, then the enterprise's own."""
    found = {h.hold_type: h for h in SEEDED if h.organization in ("*", enterprise)}
    for code in common_codes(ctx, enterprise):
        found.setdefault(code, HoldType(code, code, "", TRANSACTIONS, enterprise))
    return found


def find(ctx: Ctx, enterprise: str, hold_type: str) -> HoldType | None:
    return configured(ctx, enterprise).get(hold_type)


def blocks(ctx: Ctx, enterprise: str, hold_type: str, transaction: str) -> bool:
    found = find(ctx, enterprise, hold_type)
    if found is None:
        return ctx.settings.unknown_hold_blocks
    return transaction in found.blocks


def common_codes(ctx: Ctx, enterprise: str) -> list[str]:
    """Hold types configured as common codes (CodeType ``ORDER_HOLD_TYPE``, getCommonCodeList) for the
    enterprise or for every organization (``DEFAULT``)."""
    from sterling_mock.mock_server.domain.catalog import config as catalog

    return [
        str(code["CodeValue"])
        for code in catalog.common_codes(ctx)
        if code.get("CodeType") == CODE_TYPE and code.get("OrganizationCode") in (enterprise, "DEFAULT")
    ]
