"""Order audit records (getOrderAuditList): what changed, by whom, why.  Written by every API that changes
an order, inside the same transaction.

Interface used by every writer (keep it stable):
    record(ctx, before, after, modification_types, reason_code="", reason_text="")
``before`` is the canonical order before the change (None for createOrder), ``after`` the order as saved.
"""

from __future__ import annotations

from client.wire import Doc

from .context import Ctx


def record(
    ctx: Ctx,
    before: Doc | None,
    after: Doc,
    modification_types: list[str],
    reason_code: str = "",
    reason_text: str = "",
) -> None:
    """(being written by the queries-and-changes work) Store one OrderAudit for this change."""
    del ctx, before, after, modification_types, reason_code, reason_text
