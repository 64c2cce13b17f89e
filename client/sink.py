"""Where a sync writes: relational tables in SQLite (default) or JSON Lines — each order and its checkpoint
written together, so a sync killed at any point resumes with nothing lost and nothing duplicated."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .statusmap import StatusMap
from .wire import Doc, as_list


@dataclass
class Checkpoint:
    """The position of the sync: the newest (Modifyts, OrderHeaderKey) written, and what the overlap window
    has already seen (so a change is neither skipped nor written twice)."""

    modifyts: str = ""
    key: str = ""
    seen: set[tuple[str, str]] = field(default_factory=set)


class Sink(Protocol):
    def checkpoint(self) -> Checkpoint: ...
    def write(self, order: Doc, shipments: list[Doc], modifyts: str) -> None: ...
    def write_many(self, items: list[tuple[Doc, list[Doc], str]]) -> None: ...
    def counts(self) -> dict[str, int]: ...
    def close(self) -> None: ...


def _child(doc: Doc, name: str) -> Doc:
    value = doc.get(name)
    return value if isinstance(value, dict) else {}


def flatten(order: Doc, shipments: list[Doc], statuses: StatusMap) -> dict[str, list[dict[str, Any]]]:
    """One order as rows of the four tables: orders, order_lines, line_statuses, shipments."""
    key = str(order.get("OrderHeaderKey", ""))
    totals = _child(order, "OverallTotals")
    price = _child(order, "PriceInfo")
    min_code, max_code = str(order.get("MinOrderStatus", "")), str(order.get("MaxOrderStatus", ""))
    head = {
        "order_header_key": key,
        "order_no": order.get("OrderNo", ""),
        "enterprise_code": order.get("EnterpriseCode", ""),
        "document_type": order.get("DocumentType", ""),
        "order_date": order.get("OrderDate", ""),
        "entry_type": order.get("EntryType", ""),
        "status": order.get("Status", ""),
        "min_status": min_code,
        "max_status": max_code,
        "workflow_state": statuses.order_state(min_code, max_code),
        "grand_total": totals.get("GrandTotal", ""),
        "currency": price.get("Currency", ""),
        "customer_email": order.get("CustomerEMailID", ""),
    }
    lines, rows = [], []
    for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
        line_key = str(line.get("OrderLineKey", ""))
        item = _child(line, "Item")
        lines.append(
            {
                "order_line_key": line_key,
                "order_header_key": key,
                "prime_line_no": line.get("PrimeLineNo", ""),
                "sub_line_no": line.get("SubLineNo", ""),
                "item_id": item.get("ItemID", ""),
                "ordered_qty": line.get("OrderedQty", ""),
                "status": line.get("Status", ""),
                "max_line_status": line.get("MaxLineStatus", ""),
                "ship_node": line.get("ShipNode", ""),
            }
        )
        for row in as_list((line.get("OrderStatuses") or {}).get("OrderStatus")):
            code = str(row.get("Status", ""))
            rows.append(
                {
                    "order_line_key": line_key,
                    "order_header_key": key,
                    "status": code,
                    "status_description": statuses.describe(code),
                    "workflow_state": statuses.state(code),
                    "status_qty": row.get("StatusQty", ""),
                    "status_date": row.get("StatusDate", ""),
                }
            )
    ships = [
        {
            "shipment_key": s.get("ShipmentKey", ""),
            "order_header_key": key,
            "shipment_no": s.get("ShipmentNo", ""),
            "ship_node": s.get("ShipNode", ""),
            "status": s.get("Status", ""),
            "tracking_no": s.get("TrackingNo", ""),
            "scac": s.get("SCAC", ""),
            "ship_date": s.get("ActualShipmentDate", "") or s.get("ShipDate", ""),
        }
        for s in shipments
    ]
    return {"orders": [head], "order_lines": lines, "line_statuses": rows, "shipments": ships}


COLUMNS = {
    "orders": (
        "order_header_key",
        "order_no",
        "enterprise_code",
        "document_type",
        "order_date",
        "entry_type",
        "status",
        "min_status",
        "max_status",
        "workflow_state",
        "grand_total",
        "currency",
        "customer_email",
        "modifyts",
    ),
    "order_lines": (
        "order_line_key",
        "order_header_key",
        "prime_line_no",
        "sub_line_no",
        "item_id",
        "ordered_qty",
        "status",
        "max_line_status",
        "ship_node",
    ),
    "line_statuses": (
        "order_line_key",
        "order_header_key",
        "status",
        "status_description",
        "workflow_state",
        "status_qty",
        "status_date",
    ),
    "shipments": (
        "shipment_key",
        "order_header_key",
        "shipment_no",
        "ship_node",
        "status",
        "tracking_no",
        "scac",
        "ship_date",
    ),
}


class SqliteSink:
    """Four tables plus ``sync_state``; one transaction per page of orders (rows replaced, checkpoint advanced)."""

    def __init__(self, path: str, statuses: StatusMap | None = None) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.statuses = statuses or StatusMap()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        for table, columns in COLUMNS.items():
            self.conn.execute(f"CREATE TABLE IF NOT EXISTS {table}({', '.join(columns)})")
        self.conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS orders_pk ON orders(order_header_key)")
        for table in ("order_lines", "line_statuses", "shipments"):
            self.conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_order ON {table}(order_header_key)")
        self.conn.execute("CREATE TABLE IF NOT EXISTS sync_state(name TEXT PRIMARY KEY, value TEXT)")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS sync_seen(order_header_key TEXT, modifyts TEXT, "
            "PRIMARY KEY(order_header_key, modifyts))"
        )

    def checkpoint(self) -> Checkpoint:
        state = dict(self.conn.execute("SELECT name, value FROM sync_state").fetchall())
        seen = {
            (str(a), str(b)) for a, b in self.conn.execute("SELECT order_header_key, modifyts FROM sync_seen")
        }
        return Checkpoint(state.get("modifyts", ""), state.get("key", ""), seen)

    def write(self, order: Doc, shipments: list[Doc], modifyts: str) -> None:
        self.write_many([(order, shipments, modifyts)])

    def write_many(self, items: list[tuple[Doc, list[Doc], str]]) -> None:
        """Several orders and the checkpoint after them in one transaction (one fsync for a page)."""
        rows: dict[str, list[tuple[str, ...]]] = {table: [] for table in COLUMNS}
        keys, seen = [], []
        position = self.checkpoint_position()
        latest = {
            str(order.get("OrderHeaderKey", "")): (order, shipments, m) for order, shipments, m in items
        }
        for order, shipments, modifyts in latest.values():
            tables = flatten(order, shipments, self.statuses)
            key = str(tables["orders"][0]["order_header_key"])
            tables["orders"][0]["modifyts"] = modifyts
            for table, columns in COLUMNS.items():
                rows[table].extend(tuple(str(r.get(c, "")) for c in columns) for r in tables[table])
            keys.append(key)
            seen.append((key, modifyts))
            position = max(position, (modifyts, key))
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for table, columns in COLUMNS.items():
                for start in range(0, len(keys), 500):  # under SQLite's bound-parameter limit
                    chunk = keys[start : start + 500]
                    marks = ", ".join("?" for _ in chunk)
                    self.conn.execute(f"DELETE FROM {table} WHERE order_header_key IN ({marks})", chunk)
                values = ", ".join("?" for _ in columns)
                self.conn.executemany(
                    f"INSERT INTO {table}({', '.join(columns)}) VALUES({values})", rows[table]
                )
            self.conn.executemany("INSERT OR IGNORE INTO sync_seen VALUES(?, ?)", seen)
            self.conn.executemany(
                "INSERT OR REPLACE INTO sync_state VALUES(?, ?)",
                [("modifyts", position[0]), ("key", position[1])],
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def checkpoint_position(self) -> tuple[str, str]:
        state = dict(self.conn.execute("SELECT name, value FROM sync_state").fetchall())
        return state.get("modifyts", ""), state.get("key", "")

    def prune_seen(self, before: str) -> None:
        self.conn.execute("DELETE FROM sync_seen WHERE modifyts < ?", (before,))

    def counts(self) -> dict[str, int]:
        return {t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COLUMNS}

    def close(self) -> None:
        self.conn.close()


class JsonlSink:
    """One JSON object per order change: ``{"modifyts", "order", "shipments"}``.  The file is its own
    checkpoint: on start it is read back (a torn last line, from a kill mid-write, is cut off)."""

    def __init__(self, path: str, statuses: StatusMap | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.statuses = statuses or StatusMap()
        self._checkpoint = self._recover()
        self.handle = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self.written = 0

    def _recover(self) -> Checkpoint:
        point = Checkpoint()
        if not self.path.exists():
            return point
        data = self.path.read_bytes()
        good = data.rfind(b"\n") + 1
        if good < len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(good)
        for raw in data[:good].splitlines():
            entry = json.loads(raw)
            key, modifyts = entry["order"].get("OrderHeaderKey", ""), entry["modifyts"]
            point.seen.add((key, modifyts))
            if (modifyts, key) > (point.modifyts, point.key):
                point.modifyts, point.key = modifyts, key
        return point

    def checkpoint(self) -> Checkpoint:
        return self._checkpoint

    def write(self, order: Doc, shipments: list[Doc], modifyts: str) -> None:
        self.write_many([(order, shipments, modifyts)])

    def write_many(self, items: list[tuple[Doc, list[Doc], str]]) -> None:
        """Appended and fsynced together; a kill mid-write leaves a torn last line, cut off on restart."""
        for order, shipments, modifyts in items:
            self._append(order, shipments, modifyts)
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def _append(self, order: Doc, shipments: list[Doc], modifyts: str) -> None:
        entry = {
            "modifyts": modifyts,
            "order": order,
            "shipments": shipments,
            "workflow_state": self.statuses.order_state(
                str(order.get("MinOrderStatus", "")), str(order.get("MaxOrderStatus", ""))
            ),
        }
        self.handle.write(json.dumps(entry, separators=(",", ":")).encode() + b"\n")
        self.written += 1

    def prune_seen(self, before: str) -> None:
        self._checkpoint.seen = {(k, m) for k, m in self._checkpoint.seen if m >= before}

    def counts(self) -> dict[str, int]:
        with open(self.path, "rb") as handle:
            return {"changes": sum(1 for _ in handle)}

    def close(self) -> None:
        self.handle.close()


def open_sink(spec: str, statuses: StatusMap | None = None) -> SqliteSink | JsonlSink:
    """``sqlite:PATH`` (default for a bare path) or ``jsonl:PATH`` (also any path ending in .jsonl)."""
    kind, _, path = spec.partition(":") if spec.startswith(("sqlite:", "jsonl:")) else ("", "", spec)
    if kind == "jsonl" or (not kind and spec.endswith(".jsonl")):
        return JsonlSink(path or spec, statuses)
    return SqliteSink(path or spec, statuses)
