"""Every route module of the console, imported once so each registers its routes on ``console.bp``.

A new route module is added here, not in ``console/__init__.py`` (the route modules import the package's helpers,
so the package importing them back would be a cycle).
"""

from __future__ import annotations

from sterling_mock.mock_server.console import (
    actions,
    bp,
    inventory,  # issue 24
    pages,
)

ROUTE_MODULES = (pages, actions, inventory)

__all__ = ["ROUTE_MODULES", "bp"]
