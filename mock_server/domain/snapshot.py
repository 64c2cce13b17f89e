"""Export and import one namespace's whole state as a JSON snapshot, and the summary of it.

The snapshot is generic over the per-namespace tables (core and every schema area), so a table another
area adds is carried without changes here.  Left out on purpose: the request journal and the control
counters (a record of calls, not state), throttle buckets (they restart full), login tokens (secrets), the
render cache (derived from the orders: an import empties it, and a snapshot that still carries it has it
ignored, so an edited order is never answered from a body rendered before the edit) and row ids private to
the database (``INTEGER PRIMARY KEY`` columns; row order is kept).  On import every order's query columns,
line index and list renders are derived again from its document (``control/records.py``), so a document edited
in the snapshot is found by what it says; one that cannot be read refuses the whole import.  Bytes travel as
``{"text": ...}`` when they are UTF-8, else ``{"b64": ...}``.
"""

from __future__ import annotations

import base64
from typing import Any

from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.store import schema
from sterling_mock.mock_server.store.core import CORE_NS_TABLES
from sterling_mock.mock_server.store.tx import Tx

FORMAT = "sterling-mock-snapshot"
VERSION = 1
EXCLUDED = frozenset({"journal", "control_counters", "throttle_buckets", "tokens", "render_cache"})
#: Excluded tables an import empties for the namespace (their rows derive from the imported ones).
DERIVED = ("render_cache",)


class SnapshotError(ValueError):
    """A snapshot that cannot be imported; nothing was changed."""


def tables() -> list[str]:
    return [t for t in (*CORE_NS_TABLES, *schema.ns_tables()) if t not in EXCLUDED]


def _columns(tx: Tx, table: str) -> tuple[list[str], bool]:
    """Columns to carry (without ``ns`` and a rowid alias) and whether the table has a rowid alias."""
    info = tx.columns(table)
    keys = [name for name, rowid in info if rowid]
    return [name for name, rowid in info if name != "ns" and not rowid], bool(keys)


def _rowid(tx: Tx, table: str) -> str:
    return next(name for name, rowid in tx.columns(table) if rowid)


def _out(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return {"text": raw.decode("utf-8")}
        except UnicodeDecodeError:
            return {"b64": base64.b64encode(raw).decode()}
    return value


def _in(value: Any) -> Any:
    if isinstance(value, dict):
        if "text" in value:
            return str(value["text"]).encode("utf-8")
        if "b64" in value:
            return base64.b64decode(str(value["b64"]))
        raise SnapshotError("a cell value must be a scalar, {'text': ...} or {'b64': ...}")
    if isinstance(value, list):
        raise SnapshotError("a cell value must not be a list")
    return value


def export(tx: Tx, ns: str) -> dict[str, Any]:
    data: dict[str, list[dict[str, Any]]] = {}
    for table in tables():
        columns, alias = _columns(tx, table)
        order = f" ORDER BY {_rowid(tx, table)}" if alias else ""
        rows = tx.conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE ns=?{order}", (ns,)
        ).fetchall()
        data[table] = [{c: _out(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return {"format": FORMAT, "version": VERSION, "namespace": ns, "tables": data}


def import_(tx: Tx, ns: str, snapshot: Any) -> dict[str, int]:
    """Replace ``ns``'s state by the snapshot's (any namespace's snapshot); counts of rows per table."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise SnapshotError(f"not a snapshot: 'format' must be {FORMAT!r}")
    if snapshot.get("version") != VERSION:
        raise SnapshotError(f"snapshot version {snapshot.get('version')!r} is not {VERSION}")
    data = snapshot.get("tables")
    if not isinstance(data, dict):
        raise SnapshotError("'tables' must be an object of table name -> rows")
    known = tables()
    unknown = sorted(set(data) - set(known) - set(DERIVED))
    if unknown:
        raise SnapshotError(f"unknown tables: {', '.join(unknown)}")
    counts: dict[str, int] = {}
    for table in known:
        columns, _ = _columns(tx, table)
        tx.conn.execute(f"DELETE FROM {table} WHERE ns=?", (ns,))
        rows = data.get(table, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise SnapshotError(f"tables.{table} must be a list of objects")
        for row in rows:
            extra = set(row) - set(columns)
            if extra:
                raise SnapshotError(f"tables.{table}: unknown columns {', '.join(sorted(extra))}")
            names = [c for c in columns if c in row]
            marks = ", ".join("?" for _ in range(len(names) + 1))
            tx.conn.execute(
                f"INSERT INTO {table}(ns, {', '.join(names)}) VALUES({marks})",
                (ns, *(_in(row[c]) for c in names)),
            )
        counts[table] = len(rows)
    for table in DERIVED:
        tx.conn.execute(f"DELETE FROM {table} WHERE ns=?", (ns,))
    return counts


def summary_counts(tx: Tx, ns: str) -> dict[str, Any]:
    """Orders by status (``MaxOrderStatus`` code), enterprise and document type."""
    by_status: dict[str, int] = {}
    for sort_value, count, key in tx.conn.execute(
        "SELECT max_status, count(*), min(ohk) FROM orders WHERE ns=? GROUP BY max_status", (ns,)
    ).fetchall():
        order = tx.get_order(ns, key) or {}
        by_status[str(order.get("MaxOrderStatus", sort_value))] = int(count)
    by_status = dict(sorted(by_status.items(), key=lambda kv: statuses.sort_key(kv[0])))
    return {
        "orders": tx.count_orders(ns),
        "by_status": by_status,
        "by_enterprise": _group(tx, ns, "enterprise_code"),
        "by_document_type": _group(tx, ns, "document_type"),
    }


def _group(tx: Tx, ns: str, column: str) -> dict[str, int]:
    rows = tx.conn.execute(
        f"SELECT {column}, count(*) FROM orders WHERE ns=? GROUP BY {column} ORDER BY {column}", (ns,)
    ).fetchall()
    return {str(value): int(count) for value, count in rows}
