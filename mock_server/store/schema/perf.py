"""Tables of the performance area: the rendered-output cache beside the orders."""

from __future__ import annotations

STATEMENTS: list[str] = [
    # Rendered bytes of one order (a getOrderDetails body, a templated getOrderList fragment) per ``kind``
    # (output, format, template and settings fingerprint).  A row exists only while it matches the stored
    # order: every order write deletes the order's rows in its own transaction, and a row is inserted only
    # if the order still holds the exact document it was rendered from (cache.py).
    """CREATE TABLE IF NOT EXISTS render_cache(
        id INTEGER PRIMARY KEY, ns TEXT NOT NULL, ohk TEXT NOT NULL, kind TEXT NOT NULL, body BLOB NOT NULL)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS render_cache_key ON render_cache(ns, ohk, kind)",
]
NS_TABLES: tuple[str, ...] = ("render_cache",)
