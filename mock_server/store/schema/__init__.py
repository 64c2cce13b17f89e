"""Table definitions by area.  ``store.py`` creates them all; each area adds its own statements and names
its per-namespace tables (so ``reset`` empties them) in its own module, listed here once."""

from __future__ import annotations

from sterling_mock.mock_server.store.schema import (
    aftercare,
    catalog,
    control,
    inventory,
    lifecycle,
    perf,
    queries,
    transports,
)

AREAS = (queries, lifecycle, control, transports, perf, catalog, aftercare, inventory)


def statements() -> list[str]:
    return [statement for area in AREAS for statement in area.STATEMENTS]


def ns_tables() -> tuple[str, ...]:
    return tuple(table for area in AREAS for table in area.NS_TABLES)
