"""What createOrder and changeOrder do beyond the order model: holds put or resolved (``holds``), payment
methods completed (``payments.methods``), return lines checked against their sales lines (``returns``),
and, after the save, the hold index, the alerts a new hold raises and the sales orders a return moved.
One entry point each, so the order APIs name it once."""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.domain.alerts import alerts
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.holds import holds
from sterling_mock.mock_server.domain.payments import methods
from sterling_mock.mock_server.domain.returns import returns


class Changes(list[str]):
    """The hold changes made (``APPLY:<type>``, ...), and the sales orders a new return order moved."""

    sales: dict[str, Any]


def before_save(ctx: Ctx, order: Doc, doc: Doc, *, creating: bool) -> Changes:
    """Holds, payment methods and return lines of the input onto ``order`` (not saved yet)."""
    changes = Changes(holds.apply_input(ctx, order, doc, creating=creating))
    methods.prepare(order)
    changes.sales = returns.create_return(ctx, order) if creating else {}
    return changes


def after_save(ctx: Ctx, order: Doc, changes: list[str]) -> None:
    """The hold index, the alerts of new holds and the sales orders behind a return, once the order is saved
    (same transaction)."""
    sales = getattr(changes, "sales", None)
    if sales:
        returns.save_sales(ctx, sales, "RETURN")
    if not changes:
        return
    holds.index(ctx, order)
    for change in changes:
        if change.startswith("APPLY:"):
            alerts.hold_applied(ctx, order, change.removeprefix("APPLY:"))
