"""Tables of the inventory area (supply per item and node, node sourcing data, reservations, availability
alerts) and their SQL.  Demand of orders stays in ``md_demand`` (lifecycle.py), rewritten on each order save."""

from __future__ import annotations

from typing import Any

from sterling_mock.mock_server.store.schema.base import Tx  # a Protocol: no import of store.core (a cycle)

STATEMENTS: list[str] = [
    # One supply record: ONHAND has an empty ETA; future supply types (PO_PLACED, INTRANSIT...) carry one.
    """CREATE TABLE IF NOT EXISTS inv_supply(
        ns TEXT NOT NULL, item_id TEXT NOT NULL, uom TEXT NOT NULL, pclass TEXT NOT NULL, node TEXT NOT NULL,
        supply_type TEXT NOT NULL, eta TEXT NOT NULL, qty REAL NOT NULL, modifyts TEXT NOT NULL,
        PRIMARY KEY(ns, item_id, uom, pclass, node, supply_type, eta)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS inv_supply_node ON inv_supply(ns, node, item_id)",
    # Sourcing data of a node set through the control plane (coordinates, priority), beside the master data.
    """CREATE TABLE IF NOT EXISTS inv_nodes(
        ns TEXT NOT NULL, node TEXT NOT NULL, latitude REAL, longitude REAL, priority REAL NOT NULL,
        PRIMARY KEY(ns, node)) WITHOUT ROWID""",
    # A reservation line: held against (item, node) until it expires, or until the order line that consumed
    # it (olk) schedules or cancels its quantity.
    """CREATE TABLE IF NOT EXISTS inv_reservations(
        ns TEXT NOT NULL, reservation_id TEXT NOT NULL, item_id TEXT NOT NULL, uom TEXT NOT NULL,
        pclass TEXT NOT NULL, node TEXT NOT NULL, qty REAL NOT NULL, expires TEXT NOT NULL,
        created TEXT NOT NULL, ohk TEXT NOT NULL, olk TEXT NOT NULL,
        PRIMARY KEY(ns, reservation_id, item_id, node)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS inv_reservations_item ON inv_reservations(ns, item_id, node)",
    "CREATE INDEX IF NOT EXISTS inv_reservations_line ON inv_reservations(ns, olk)",
    "CREATE INDEX IF NOT EXISTS inv_reservations_order ON inv_reservations(ns, ohk)",
    # Quantity of each order already taken off on-hand supply when it shipped (so it is taken once).
    """CREATE TABLE IF NOT EXISTS inv_shipped(
        ns TEXT NOT NULL, ohk TEXT NOT NULL, item_id TEXT NOT NULL, node TEXT NOT NULL, qty REAL NOT NULL,
        PRIMARY KEY(ns, ohk, item_id, node)) WITHOUT ROWID""",
    # monitorItemAvailability: the last level band seen per item and node, and the alerts raised.
    """CREATE TABLE IF NOT EXISTS inv_monitor(
        ns TEXT NOT NULL, item_id TEXT NOT NULL, node TEXT NOT NULL, band INTEGER NOT NULL,
        PRIMARY KEY(ns, item_id, node)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS inv_alerts(
        ns TEXT NOT NULL, alert_key TEXT NOT NULL, item_id TEXT NOT NULL, node TEXT NOT NULL,
        level REAL NOT NULL, available REAL NOT NULL, raised TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY(ns, alert_key)) WITHOUT ROWID""",
]
NS_TABLES: tuple[str, ...] = (
    "inv_supply",
    "inv_nodes",
    "inv_reservations",
    "inv_shipped",
    "inv_monitor",
    "inv_alerts",
)

SUPPLY_COLUMNS = ("item_id", "uom", "pclass", "node", "supply_type", "eta", "qty", "modifyts")


# ------------------------------------------------------------------------------------------ supply


def supply_rows(tx: Tx, ns: str, item_id: str | None = None, node: str | None = None) -> list[dict[str, Any]]:
    """Supply records of the namespace, of one item and/or one node, in key order."""
    sql = f"SELECT {', '.join(SUPPLY_COLUMNS)} FROM inv_supply WHERE ns=?"
    params: list[Any] = [ns]
    if item_id is not None:
        sql += " AND item_id=?"
        params.append(item_id)
    if node is not None:
        sql += " AND node=?"
        params.append(node)
    rows = tx.conn.execute(sql + " ORDER BY item_id, node, supply_type, eta", params).fetchall()
    return [dict(zip(SUPPLY_COLUMNS, row, strict=True)) for row in rows]


def has_supply(tx: Tx, ns: str, item_id: str) -> bool:
    row = tx.conn.execute(
        "SELECT 1 FROM inv_supply WHERE ns=? AND item_id=? LIMIT 1", (ns, item_id)
    ).fetchone()
    return row is not None


def any_supply(tx: Tx, ns: str) -> bool:
    return tx.conn.execute("SELECT 1 FROM inv_supply WHERE ns=? LIMIT 1", (ns,)).fetchone() is not None


def lock_item(tx: Tx, ns: str, item_id: str) -> None:
    """Row-lock the item's supply for the rest of the write transaction (PostgreSQL; SQLite's BEGIN
    IMMEDIATE already excludes every other writer): an UPDATE that changes nothing still takes the locks,
    in the same dialect on both stores."""
    tx.conn.execute("UPDATE inv_supply SET qty=qty WHERE ns=? AND item_id=?", (ns, item_id))


def set_supply(tx: Tx, ns: str, key: tuple[str, str, str, str, str, str], qty: float, stamp: str) -> None:
    """Write one record (item, uom, product class, node, supply type, eta).  A record at zero stays: the item
    is still tracked there (an untracked item is always available in lenient mode)."""
    tx.conn.execute(
        "INSERT INTO inv_supply(ns, item_id, uom, pclass, node, supply_type, eta, qty, modifyts) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ns, item_id, uom, pclass, node, supply_type, eta) "
        "DO UPDATE SET qty=excluded.qty, modifyts=excluded.modifyts",
        (ns, *key, max(qty, 0.0), stamp),
    )


def clear_supply(tx: Tx, ns: str) -> None:
    tx.conn.execute("DELETE FROM inv_supply WHERE ns=?", (ns,))


def load_supply(tx: Tx, ns: str, rows: list[tuple[str, str, str, str, str, str, float]], stamp: str) -> None:
    """Bulk write (master data, control plane): (item, uom, product class, node, type, eta, qty)."""
    tx.conn.executemany(
        "INSERT INTO inv_supply(ns, item_id, uom, pclass, node, supply_type, eta, qty, modifyts) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ns, item_id, uom, pclass, node, supply_type, eta) "
        "DO UPDATE SET qty=excluded.qty, modifyts=excluded.modifyts",
        [(ns, *row, stamp) for row in rows],
    )


def supply_totals(tx: Tx, ns: str) -> list[tuple[str, str, float]]:
    """(item, node, on-hand quantity) of every item and node with supply (the console)."""
    rows = tx.conn.execute(
        "SELECT item_id, node, sum(CASE WHEN supply_type='ONHAND' THEN qty ELSE 0 END) FROM inv_supply "
        "WHERE ns=? GROUP BY item_id, node ORDER BY item_id, node",
        (ns,),
    ).fetchall()
    return [(str(r[0]), str(r[1]), float(r[2])) for r in rows]


# ------------------------------------------------------------------------------------------ demand


def demand_of(tx: Tx, ns: str, item_id: str) -> dict[str, float]:
    """Quantity orders hold per node (md_demand: scheduled and not yet shipped or cancelled)."""
    rows = tx.conn.execute(
        "SELECT node, sum(qty) FROM md_demand WHERE ns=? AND item_id=? GROUP BY node", (ns, item_id)
    ).fetchall()
    return {str(r[0]): float(r[1]) for r in rows}


def demand_totals(tx: Tx, ns: str) -> dict[tuple[str, str], float]:
    rows = tx.conn.execute(
        "SELECT item_id, node, sum(qty) FROM md_demand WHERE ns=? GROUP BY item_id, node", (ns,)
    ).fetchall()
    return {(str(r[0]), str(r[1])): float(r[2]) for r in rows}


def shipped_of(tx: Tx, ns: str, ohk: str) -> dict[tuple[str, str], float]:
    rows = tx.conn.execute(
        "SELECT item_id, node, qty FROM inv_shipped WHERE ns=? AND ohk=?", (ns, ohk)
    ).fetchall()
    return {(str(r[0]), str(r[1])): float(r[2]) for r in rows}


def set_shipped(tx: Tx, ns: str, ohk: str, item_id: str, node: str, qty: float) -> None:
    tx.conn.execute(
        "INSERT INTO inv_shipped(ns, ohk, item_id, node, qty) VALUES(?, ?, ?, ?, ?) "
        "ON CONFLICT(ns, ohk, item_id, node) DO UPDATE SET qty=excluded.qty",
        (ns, ohk, item_id, node, qty),
    )


# ------------------------------------------------------------------------------------------ nodes


def node_rows(tx: Tx, ns: str) -> dict[str, tuple[float | None, float | None, float]]:
    rows = tx.conn.execute(
        "SELECT node, latitude, longitude, priority FROM inv_nodes WHERE ns=?", (ns,)
    ).fetchall()
    return {str(r[0]): (r[1], r[2], float(r[3])) for r in rows}


def put_nodes(tx: Tx, ns: str, rows: list[tuple[str, float | None, float | None, float]]) -> None:
    tx.conn.executemany(
        "INSERT INTO inv_nodes(ns, node, latitude, longitude, priority) VALUES(?, ?, ?, ?, ?) "
        "ON CONFLICT(ns, node) DO UPDATE SET latitude=excluded.latitude, longitude=excluded.longitude, "
        "priority=excluded.priority",
        [(ns, *row) for row in rows],
    )


# ------------------------------------------------------------------------------------------ reservations

RESERVATION_COLUMNS = (
    "reservation_id",
    "item_id",
    "uom",
    "pclass",
    "node",
    "qty",
    "expires",
    "created",
    "ohk",
    "olk",
)


def reserved_of(tx: Tx, ns: str, item_id: str, now: str, *, except_olk: str = "") -> dict[str, float]:
    """Quantity held by reservations per node: unexpired ones, and any an order line consumed."""
    rows = tx.conn.execute(
        "SELECT node, sum(qty) FROM inv_reservations WHERE ns=? AND item_id=? AND olk <> ? "
        "AND (olk <> '' OR expires > ?) GROUP BY node",
        (ns, item_id, except_olk or "-", now),
    ).fetchall()
    return {str(r[0]): float(r[1]) for r in rows}


def reserved_totals(tx: Tx, ns: str, now: str) -> dict[tuple[str, str], float]:
    rows = tx.conn.execute(
        "SELECT item_id, node, sum(qty) FROM inv_reservations WHERE ns=? AND (olk <> '' OR expires > ?) "
        "GROUP BY item_id, node",
        (ns, now),
    ).fetchall()
    return {(str(r[0]), str(r[1])): float(r[2]) for r in rows}


def _reservations(tx: Tx, ns: str, where: str, value: str, order: str) -> list[dict[str, Any]]:
    rows = tx.conn.execute(
        f"SELECT {', '.join(RESERVATION_COLUMNS)} FROM inv_reservations WHERE ns=? AND {where}=? ORDER BY {order}",
        (ns, value),
    ).fetchall()
    return [dict(zip(RESERVATION_COLUMNS, row, strict=True)) for row in rows]


def reservation(tx: Tx, ns: str, reservation_id: str) -> list[dict[str, Any]]:
    return _reservations(tx, ns, "reservation_id", reservation_id, "item_id, node")


def reservations_of_line(tx: Tx, ns: str, olk: str) -> list[dict[str, Any]]:
    return _reservations(tx, ns, "olk", olk, "node")


def reservations_of_order(tx: Tx, ns: str, ohk: str) -> list[dict[str, Any]]:
    return _reservations(tx, ns, "ohk", ohk, "olk, node")


def put_reservation(tx: Tx, ns: str, row: dict[str, Any]) -> None:
    tx.conn.execute(
        "INSERT INTO inv_reservations(ns, reservation_id, item_id, uom, pclass, node, qty, expires, created, "
        "ohk, olk) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ns, reservation_id, item_id, node) "
        "DO UPDATE SET qty=excluded.qty, expires=excluded.expires, ohk=excluded.ohk, olk=excluded.olk",
        (ns, *(row[c] for c in RESERVATION_COLUMNS)),
    )


def delete_reservation(
    tx: Tx, ns: str, reservation_id: str, item_id: str | None = None, node: str | None = None
) -> None:
    if item_id is None:
        tx.conn.execute("DELETE FROM inv_reservations WHERE ns=? AND reservation_id=?", (ns, reservation_id))
    else:
        tx.conn.execute(
            "DELETE FROM inv_reservations WHERE ns=? AND reservation_id=? AND item_id=? AND node=?",
            (ns, reservation_id, item_id, node),
        )


# ------------------------------------------------------------------------------------------ alerts


def band_of(tx: Tx, ns: str, item_id: str, node: str) -> int | None:
    row = tx.conn.execute(
        "SELECT band FROM inv_monitor WHERE ns=? AND item_id=? AND node=?", (ns, item_id, node)
    ).fetchone()
    return None if row is None else int(row[0])


def set_band(tx: Tx, ns: str, item_id: str, node: str, band: int) -> None:
    tx.conn.execute(
        "INSERT INTO inv_monitor(ns, item_id, node, band) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(ns, item_id, node) DO UPDATE SET band=excluded.band",
        (ns, item_id, node, band),
    )


def put_alert(
    tx: Tx, ns: str, key: str, item_id: str, node: str, level: float, available: float, raised: str, doc: str
) -> None:
    tx.conn.execute(
        "INSERT INTO inv_alerts(ns, alert_key, item_id, node, level, available, raised, doc) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
        (ns, key, item_id, node, level, available, raised, doc),
    )


def alerts(tx: Tx, ns: str) -> list[str]:
    """The alerts raised in the namespace (JSON documents), oldest first."""
    rows = tx.conn.execute("SELECT doc FROM inv_alerts WHERE ns=? ORDER BY alert_key", (ns,)).fetchall()
    return [str(r[0]) for r in rows]
