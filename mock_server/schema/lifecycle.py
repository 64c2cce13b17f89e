"""Tables of the lifecycle area (each has an ``ns`` column; list per-namespace tables in NS_TABLES)."""

from __future__ import annotations

STATEMENTS: list[str] = []
NS_TABLES: tuple[str, ...] = ()
