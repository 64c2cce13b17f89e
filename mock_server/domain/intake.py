"""What createOrder and changeOrder do beyond the order model: holds put or resolved (``holds``), payment
methods completed (``payments.methods``), and, after the save, the hold index and the alerts a new hold
raises.  One entry point each, so the order APIs name it once."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.domain.alerts import alerts
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.holds import holds
from sterling_mock.mock_server.domain.payments import methods


def before_save(ctx: Ctx, order: Doc, doc: Doc, *, creating: bool) -> list[str]:
    """Holds and payment methods of the input onto ``order`` (not saved yet); the hold changes made."""
    changes = holds.apply_input(ctx, order, doc, creating=creating)
    methods.prepare(order)
    return changes


def after_save(ctx: Ctx, order: Doc, changes: list[str]) -> None:
    """The hold index and the alerts of new holds, once the order is saved (same transaction)."""
    if not changes:
        return
    holds.index(ctx, order)
    for change in changes:
        if change.startswith("APPLY:"):
            alerts.hold_applied(ctx, order, change.removeprefix("APPLY:"))
