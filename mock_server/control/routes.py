"""Every route module of the control plane, imported once so each registers its routes on ``control.bp``.

A new route module is added here (one name), not in ``control/__init__.py``: the route modules import the package's
helpers, so the package importing them back would be a cycle.
"""

from __future__ import annotations

from sterling_mock.mock_server.control import (
    bp,
    catalogue,  # issue 23
    clockwork,
    flows,
    inventory,  # issue 24
    payments,
    records,
    rules,
    stubs,
)

ROUTE_MODULES = (clockwork, records, rules, flows, stubs, payments, inventory, catalogue)

__all__ = ["ROUTE_MODULES", "bp"]
