"""Tables of the queries area: order audits, getPage result sets."""

from __future__ import annotations

from typing import Any

import orjson

from sterling_mock.mock_server.store.schema.base import Tx  # a Protocol: importing store.core is a cycle

STATEMENTS: list[str] = [
    """CREATE TABLE IF NOT EXISTS order_audits(
        ns TEXT NOT NULL, audit_key TEXT NOT NULL, ohk TEXT NOT NULL, doc BLOB NOT NULL,
        PRIMARY KEY(ns, audit_key)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS order_audits_order ON order_audits(ns, ohk, audit_key)",
    # A getPage GENERIC result set: its header (api, root, paging attributes, expiry on the virtual clock)
    # and its rows in order (a key to render from, or a stored document for lists rendered generically).
    """CREATE TABLE IF NOT EXISTS page_sets(
        ns TEXT NOT NULL, token TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL,
        meta BLOB NOT NULL, PRIMARY KEY(ns, token)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS page_rows(
        ns TEXT NOT NULL, token TEXT NOT NULL, pos INTEGER NOT NULL, key TEXT NOT NULL, doc BLOB,
        PRIMARY KEY(ns, token, pos)) WITHOUT ROWID""",
]
NS_TABLES: tuple[str, ...] = ("order_audits", "page_sets", "page_rows")


def get_audit(tx: Tx, ns: str, audit_key: str) -> dict[str, Any] | None:
    """One order audit by its OrderAuditKey (getOrderAuditDetails), None when there is none."""
    row = tx.conn.execute(
        "SELECT doc FROM order_audits WHERE ns=? AND audit_key=?", (ns, audit_key)
    ).fetchone()
    return None if row is None else dict(orjson.loads(row[0]))
