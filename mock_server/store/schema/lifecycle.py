"""Tables of the lifecycle area (releases, shipments, master data, inventory demand) and their SQL."""

from __future__ import annotations

from typing import Any

import orjson

from sterling_mock.mock_server.store.keys import check_keys
from sterling_mock.mock_server.store.schema.base import Tx

STATEMENTS: list[str] = [
    # An OrderRelease header; its lines and quantities are read from the order's status rows that carry its
    # key, so a cancellation of released quantity (changeOrder) shows in the release without touching it.
    """CREATE TABLE IF NOT EXISTS order_releases(
        ns TEXT NOT NULL, release_key TEXT NOT NULL, ohk TEXT NOT NULL, release_no INTEGER NOT NULL,
        ship_node TEXT NOT NULL, doc BLOB NOT NULL, PRIMARY KEY(ns, release_key)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS order_releases_order ON order_releases(ns, ohk, release_no)",
    """CREATE TABLE IF NOT EXISTS shipments(
        ns TEXT NOT NULL, shipment_key TEXT NOT NULL, shipment_no TEXT NOT NULL, ship_node TEXT NOT NULL,
        seller TEXT NOT NULL, doc BLOB NOT NULL, PRIMARY KEY(ns, shipment_key)) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX IF NOT EXISTS shipments_no ON shipments(ns, shipment_no, ship_node, seller)",
    """CREATE TABLE IF NOT EXISTS shipment_orders(
        ns TEXT NOT NULL, ohk TEXT NOT NULL, shipment_key TEXT NOT NULL,
        PRIMARY KEY(ns, ohk, shipment_key)) WITHOUT ROWID""",
    # Master data, loaded per namespace from the master-data file on first use (and again after a reset).
    """CREATE TABLE IF NOT EXISTS md_records(
        ns TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, doc BLOB NOT NULL,
        PRIMARY KEY(ns, kind, code)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS md_supply(
        ns TEXT NOT NULL, item_id TEXT NOT NULL, node TEXT NOT NULL, qty REAL NOT NULL,
        PRIMARY KEY(ns, item_id, node)) WITHOUT ROWID""",
    # Quantity each order holds against supply (scheduled and beyond, not cancelled), rewritten on each save.
    """CREATE TABLE IF NOT EXISTS md_demand(
        ns TEXT NOT NULL, ohk TEXT NOT NULL, item_id TEXT NOT NULL, node TEXT NOT NULL, qty REAL NOT NULL,
        PRIMARY KEY(ns, ohk, item_id, node)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS md_demand_item ON md_demand(ns, item_id, node)",
]
NS_TABLES: tuple[str, ...] = (
    "order_releases",
    "shipments",
    "shipment_orders",
    "md_records",
    "md_supply",
    "md_demand",
)


# ------------------------------------------------------------------------------------------ releases


def put_release(tx: Tx, ns: str, doc: dict[str, Any]) -> None:
    tx.conn.execute(
        "INSERT INTO order_releases(ns, release_key, ohk, release_no, ship_node, doc) VALUES(?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(ns, release_key) DO UPDATE SET doc=excluded.doc",
        (
            ns,
            doc["OrderReleaseKey"],
            doc["OrderHeaderKey"],
            int(doc["ReleaseNo"]),
            doc["ShipNode"],
            _dump(doc),
        ),
    )


def releases_of(tx: Tx, ns: str, ohk: str) -> list[dict[str, Any]]:
    rows = tx.conn.execute(
        "SELECT doc FROM order_releases WHERE ns=? AND ohk=? ORDER BY release_no", (ns, ohk)
    ).fetchall()
    return [_load(row[0]) for row in rows]


def get_release(tx: Tx, ns: str, release_key: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        "SELECT doc FROM order_releases WHERE ns=? AND release_key=?", (ns, release_key)
    ).fetchone()
    return None if row is None else _load(row[0])


def release_keys(tx: Tx, ns: str, after: str = "") -> list[tuple[str, str]]:
    """(OrderReleaseKey, OrderHeaderKey) of every release of the namespace, in key order."""
    rows = tx.conn.execute(
        "SELECT release_key, ohk FROM order_releases WHERE ns=? AND release_key > ? ORDER BY release_key",
        (ns, after),
    ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


# ------------------------------------------------------------------------------------------ shipments


def put_shipment(tx: Tx, ns: str, doc: dict[str, Any], order_keys: list[str]) -> None:
    check_keys(
        ShipmentNo=doc["ShipmentNo"],
        ShipNode=doc["ShipNode"],
        SellerOrganizationCode=doc.get("SellerOrganizationCode", ""),
    )
    tx.conn.execute(
        "INSERT INTO shipments(ns, shipment_key, shipment_no, ship_node, seller, doc) VALUES(?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(ns, shipment_key) DO UPDATE SET doc=excluded.doc, shipment_no=excluded.shipment_no",
        (
            ns,
            doc["ShipmentKey"],
            doc["ShipmentNo"],
            doc["ShipNode"],
            doc.get("SellerOrganizationCode", ""),
            _dump(doc),
        ),
    )
    tx.conn.executemany(
        "INSERT INTO shipment_orders(ns, ohk, shipment_key) VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
        [(ns, ohk, doc["ShipmentKey"]) for ohk in order_keys],
    )


def get_shipment(tx: Tx, ns: str, shipment_key: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        "SELECT doc FROM shipments WHERE ns=? AND shipment_key=?", (ns, shipment_key)
    ).fetchone()
    return None if row is None else _load(row[0])


def shipment_keys_by_no(tx: Tx, ns: str, shipment_no: str) -> list[tuple[str, str, str]]:
    """(ShipmentKey, ShipNode, SellerOrganizationCode) of the shipments numbered ``shipment_no``."""
    rows = tx.conn.execute(
        "SELECT shipment_key, ship_node, seller FROM shipments WHERE ns=? AND shipment_no=?",
        (ns, shipment_no),
    ).fetchall()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def shipments_of_order(tx: Tx, ns: str, ohk: str) -> list[dict[str, Any]]:
    rows = tx.conn.execute(
        "SELECT s.doc FROM shipment_orders o JOIN shipments s ON s.ns=o.ns AND s.shipment_key=o.shipment_key "
        "WHERE o.ns=? AND o.ohk=? ORDER BY s.shipment_key",
        (ns, ohk),
    ).fetchall()
    return [_load(row[0]) for row in rows]


def all_shipments(tx: Tx, ns: str) -> list[dict[str, Any]]:
    rows = tx.conn.execute("SELECT doc FROM shipments WHERE ns=? ORDER BY shipment_key", (ns,)).fetchall()
    return [_load(row[0]) for row in rows]


# ------------------------------------------------------------------------------------------ master data


def md_loaded(tx: Tx, ns: str) -> bool:
    row = tx.conn.execute(
        "SELECT 1 FROM md_records WHERE ns=? AND kind='_loaded' AND code=''", (ns,)
    ).fetchone()
    return row is not None


def md_load(
    tx: Tx, ns: str, records: list[tuple[str, str, dict[str, Any]]], supply: list[tuple[str, str, float]]
) -> None:
    tx.conn.execute("DELETE FROM md_records WHERE ns=?", (ns,))
    tx.conn.execute("DELETE FROM md_supply WHERE ns=?", (ns,))
    tx.conn.executemany(
        "INSERT INTO md_records(ns, kind, code, doc) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(ns, kind, code) DO UPDATE SET doc=excluded.doc",
        [(ns, kind, code, _dump(doc)) for kind, code, doc in [*records, ("_loaded", "", {})]],
    )
    tx.conn.executemany(
        "INSERT INTO md_supply(ns, item_id, node, qty) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(ns, item_id, node) DO UPDATE SET qty=excluded.qty",
        [(ns, item, node, qty) for item, node, qty in supply],
    )


def md_get(tx: Tx, ns: str, kind: str, code: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        "SELECT doc FROM md_records WHERE ns=? AND kind=? AND code=?", (ns, kind, code)
    ).fetchone()
    return None if row is None else _load(row[0])


def md_all(tx: Tx, ns: str, kind: str) -> list[dict[str, Any]]:
    rows = tx.conn.execute(
        "SELECT doc FROM md_records WHERE ns=? AND kind=? ORDER BY code", (ns, kind)
    ).fetchall()
    return [_load(row[0]) for row in rows]


def md_supply_of(tx: Tx, ns: str, item_id: str) -> dict[str, float]:
    rows = tx.conn.execute(
        "SELECT node, qty FROM md_supply WHERE ns=? AND item_id=?", (ns, item_id)
    ).fetchall()
    return {str(r[0]): float(r[1]) for r in rows}


def md_demand_of(tx: Tx, ns: str, item_id: str) -> dict[str, float]:
    rows = tx.conn.execute(
        "SELECT node, sum(qty) FROM md_demand WHERE ns=? AND item_id=? GROUP BY node", (ns, item_id)
    ).fetchall()
    return {str(r[0]): float(r[1]) for r in rows}


def md_set_demand(tx: Tx, ns: str, ohk: str, demand: dict[tuple[str, str], float]) -> None:
    tx.conn.execute("DELETE FROM md_demand WHERE ns=? AND ohk=?", (ns, ohk))
    tx.conn.executemany(
        "INSERT INTO md_demand(ns, ohk, item_id, node, qty) VALUES(?, ?, ?, ?, ?)",
        [(ns, ohk, item, node, qty) for (item, node), qty in demand.items() if qty > 0],
    )


def _dump(doc: dict[str, Any]) -> bytes:
    return orjson.dumps(doc)


def _load(raw: bytes) -> dict[str, Any]:
    return dict(orjson.loads(raw))


def order_of_line(tx: Tx, ns: str, order_line_key: str) -> str | None:
    """The OrderHeaderKey of an order line (the core ``order_lines`` index)."""
    row = tx.conn.execute("SELECT ohk FROM order_lines WHERE ns=? AND olk=?", (ns, order_line_key)).fetchone()
    return None if row is None else str(row[0])
