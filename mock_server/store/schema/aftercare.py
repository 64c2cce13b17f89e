"""Tables of the after-order area: the index of holds across orders, order invoices, receipts and alerts
(Inbox records), one document each, found by kind, key and order."""

from __future__ import annotations

from typing import Any

import orjson

from sterling_mock.mock_server.store.schema.base import Tx

STATEMENTS: list[str] = [
    # ``kind``: hold (one row per hold on an order or line, rewritten with the order's holds), invoice,
    # receipt, inbox.  ``status`` and ``ref`` are what the lists filter on without reading every document.
    """CREATE TABLE IF NOT EXISTS aftercare(
        ns TEXT NOT NULL, kind TEXT NOT NULL, record_key TEXT NOT NULL, ohk TEXT NOT NULL,
        status TEXT NOT NULL, ref TEXT NOT NULL, doc BLOB NOT NULL,
        PRIMARY KEY(ns, kind, record_key)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS aftercare_order ON aftercare(ns, kind, ohk, record_key)",
    "CREATE INDEX IF NOT EXISTS aftercare_status ON aftercare(ns, kind, status, record_key)",
]
NS_TABLES: tuple[str, ...] = ("aftercare",)


def put(tx: Tx, ns: str, kind: str, key: str, ohk: str, status: str, ref: str, doc: dict[str, Any]) -> None:
    tx.conn.execute(
        "INSERT INTO aftercare(ns, kind, record_key, ohk, status, ref, doc) VALUES(?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(ns, kind, record_key) DO UPDATE SET ohk=excluded.ohk, status=excluded.status, "
        "ref=excluded.ref, doc=excluded.doc",
        (ns, kind, key, ohk, status, ref, orjson.dumps(doc)),
    )


def get(tx: Tx, ns: str, kind: str, key: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        "SELECT doc FROM aftercare WHERE ns=? AND kind=? AND record_key=?", (ns, kind, key)
    ).fetchone()
    return None if row is None else dict(orjson.loads(row[0]))


def of_order(tx: Tx, ns: str, kind: str, ohk: str) -> list[dict[str, Any]]:
    rows = tx.conn.execute(
        "SELECT doc FROM aftercare WHERE ns=? AND kind=? AND ohk=? ORDER BY record_key", (ns, kind, ohk)
    ).fetchall()
    return [dict(orjson.loads(row[0])) for row in rows]


def of_kind(
    tx: Tx, ns: str, kind: str, status: str | None = None, limit: int = 100000
) -> list[dict[str, Any]]:
    if status is None:
        sql, args = (
            "SELECT doc FROM aftercare WHERE ns=? AND kind=? ORDER BY record_key LIMIT ?",
            (ns, kind, limit),
        )
    else:
        sql = "SELECT doc FROM aftercare WHERE ns=? AND kind=? AND status=? ORDER BY record_key LIMIT ?"
        args = (ns, kind, status, limit)  # type: ignore[assignment]
    return [dict(orjson.loads(row[0])) for row in tx.conn.execute(sql, args).fetchall()]


def by_ref(tx: Tx, ns: str, kind: str, ref: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        "SELECT doc FROM aftercare WHERE ns=? AND kind=? AND ref=? ORDER BY record_key LIMIT 1",
        (ns, kind, ref),
    ).fetchone()
    return None if row is None else dict(orjson.loads(row[0]))


def drop_order(tx: Tx, ns: str, kind: str, ohk: str) -> None:
    tx.conn.execute("DELETE FROM aftercare WHERE ns=? AND kind=? AND ohk=?", (ns, kind, ohk))
