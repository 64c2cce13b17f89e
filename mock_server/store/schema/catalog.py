"""Tables of the catalogue area (issue 23): items, customers and each namespace's catalogue state.

A namespace's items and customers start as the deterministic defaults (``domain/itemmaster/defaults.py``); they
are written here the first time a call changes them (manageItem, manageCustomer, the control plane), so a
fresh namespace costs nothing at start.  ``catalog_state`` says which kinds a namespace holds here and counts
their revisions (templated order outputs with ``ItemDetails`` are cached under the item revision).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sterling_mock.mock_server.store.schema.base import Tx  # a Protocol: no import of store.core (a cycle)

STATEMENTS: list[str] = [
    """CREATE TABLE IF NOT EXISTS catalog_items(
        ns TEXT NOT NULL, item_key TEXT NOT NULL, item_id TEXT NOT NULL, org TEXT NOT NULL, uom TEXT NOT NULL,
        doc BLOB NOT NULL, PRIMARY KEY(ns, item_key)) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX IF NOT EXISTS catalog_items_id ON catalog_items(ns, item_id, org, uom)",
    """CREATE TABLE IF NOT EXISTS catalog_customers(
        ns TEXT NOT NULL, customer_key TEXT NOT NULL, customer_id TEXT NOT NULL, org TEXT NOT NULL,
        ctype TEXT NOT NULL, doc BLOB NOT NULL, PRIMARY KEY(ns, customer_key)) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX IF NOT EXISTS catalog_customers_id ON catalog_customers(ns, customer_id, org)",
    """CREATE TABLE IF NOT EXISTS catalog_state(
        ns TEXT NOT NULL, kind TEXT NOT NULL, rev INTEGER NOT NULL, PRIMARY KEY(ns, kind)) WITHOUT ROWID""",
]
NS_TABLES: tuple[str, ...] = ("catalog_items", "catalog_customers", "catalog_state")


class Table:
    """One catalogue table: its key column and the natural-key columns beside the document."""

    def __init__(self, name: str, key: str, columns: tuple[str, ...]) -> None:
        self.name = name
        self.key = key
        self.columns = columns


ITEMS = Table("catalog_items", "item_key", ("item_id", "org", "uom"))
CUSTOMERS = Table("catalog_customers", "customer_key", ("customer_id", "org", "ctype"))
TABLES = {"items": ITEMS, "customers": CUSTOMERS}


def revision(tx: Tx, ns: str, kind: str) -> int | None:
    """The kind's revision in the namespace, or None while it still holds the defaults (nothing stored)."""
    row = tx.conn.execute("SELECT rev FROM catalog_state WHERE ns=? AND kind=?", (ns, kind)).fetchone()
    return None if row is None else int(row[0])


def bump(tx: Tx, ns: str, kind: str) -> None:
    tx.conn.execute(
        "INSERT INTO catalog_state(ns, kind, rev) VALUES(?, ?, 1) "
        "ON CONFLICT(ns, kind) DO UPDATE SET rev=catalog_state.rev + 1",
        (ns, kind),
    )


def put_many(tx: Tx, ns: str, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert or replace rows ``(key, *columns, doc bytes)``."""
    names = ", ".join((table.key, *table.columns, "doc"))
    marks = ", ".join("?" * (len(table.columns) + 3))
    updates = ", ".join(f"{c}=excluded.{c}" for c in (*table.columns, "doc"))
    tx.conn.executemany(
        f"INSERT INTO {table.name}(ns, {names}) VALUES({marks}) "
        f"ON CONFLICT(ns, {table.key}) DO UPDATE SET {updates}",
        [(ns, *row) for row in rows],
    )


def delete(tx: Tx, ns: str, table: Table, key: str) -> None:
    tx.conn.execute(f"DELETE FROM {table.name} WHERE ns=? AND {table.key}=?", (ns, key))


def clear(tx: Tx, ns: str, table: Table) -> None:
    tx.conn.execute(f"DELETE FROM {table.name} WHERE ns=?", (ns,))


def find(tx: Tx, ns: str, table: Table, where: dict[str, str]) -> list[bytes]:
    """Documents whose columns equal ``where`` (natural-key look-ups), in key order."""
    sql = " AND ".join(f"{column}=?" for column in where)
    rows = tx.conn.execute(
        f"SELECT doc FROM {table.name} WHERE ns=? {'AND ' + sql if sql else ''} ORDER BY {table.key}",
        (ns, *where.values()),
    ).fetchall()
    return [bytes(row[0]) for row in rows]


def scan(
    tx: Tx, ns: str, table: Table, where: list[str], params: list[Any], order: str, limit: int | None
) -> list[tuple[str, bytes]]:
    """(key, document) rows matching the SQL conditions ``where``, ordered by ``order``, at most ``limit``."""
    conditions = " AND ".join(["ns=?", *where])
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    rows = tx.conn.execute(
        f"SELECT {table.key}, doc FROM {table.name} WHERE {conditions} ORDER BY {order}{tail}",
        (ns, *params),
    ).fetchall()
    return [(str(row[0]), bytes(row[1])) for row in rows]


def count(tx: Tx, ns: str, table: Table) -> int:
    return int(tx.conn.execute(f"SELECT count(*) FROM {table.name} WHERE ns=?", (ns,)).fetchone()[0])
