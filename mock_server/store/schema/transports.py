"""Tables of the transports area (each has an ``ns`` column; list per-namespace tables in NS_TABLES)."""

from __future__ import annotations

STATEMENTS: list[str] = [
    # Services (executeFlow, IsFlow="Y", FlowName) configured through the control plane, per namespace;
    # ``definition`` is the validated definition as JSON.
    """CREATE TABLE IF NOT EXISTS flows(
        ns TEXT NOT NULL, name TEXT NOT NULL, definition BLOB NOT NULL,
        PRIMARY KEY(ns, name)) WITHOUT ROWID""",
]
NS_TABLES: tuple[str, ...] = ("flows",)
