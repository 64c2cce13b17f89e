"""The pipeline view's figures: orders and quantities per status, orders changed per minute, cached per change.

Orders per status come from the ``max_status``/``min_status`` columns, quantities from each order's status
rows.  Both are exact up to a size (``EXACT_ORDERS``, ``EXACT_QTY``) and estimated above it from a random
sample of orders (runs of row ids from random starts, seeded by the fingerprint so a chart does not flicker), labelled
as estimates: the ``orders`` table has no index on the status columns, and a full count of a million
orders reads the whole 10 GB table (≈ 20 s, bench/console.py).

The result is kept in the namespace's ``kv`` under a fingerprint of the orders table (a count capped at
``COUNT_CAP``, the newest ``Modifyts``, the newest key, the key sequence): polling an unchanged namespace
costs a few index look-ups.  "Orders per minute" counts orders whose ``Modifyts`` falls in the last minute
of the namespace's clock (a range of ``orders_modifyts``, capped too), so it follows the virtual clock.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.domain import clock, statuses
from sterling_mock.mock_server.store.journal import side_write

if TYPE_CHECKING:
    from sterling_mock.mock_server.calls.dispatch import Fake
    from sterling_mock.mock_server.store.tx import Tx

EXACT_ORDERS = 100_000
EXACT_QTY = 5_000
SAMPLE_ORDERS = 2_000
SAMPLE_QTY = 500
BLOCKS = 100
COUNT_CAP = 100_000
KV_CACHE = "_console_pipeline"


def capped_count(tx: Tx, ns: str, cap: int | None = None, since: str = "") -> int:
    """Orders of ``ns`` (changed since ``since``), counting no further than ``cap + 1`` (``COUNT_CAP``)."""
    cap = COUNT_CAP if cap is None else cap
    where = "ns=? AND modifyts>=?" if since else "ns=?"
    args = (ns, since) if since else (ns,)
    row = tx.conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM orders WHERE {where} LIMIT ?) AS capped", (*args, cap + 1)
    )
    return int(row.fetchone()[0])


def snapshot(fake: Fake, ns: str) -> dict[str, Any]:
    """Everything the pipeline chart shows, from the cache when the orders did not change."""
    with fake.store.read() as tx:
        fingerprint = _fingerprint(tx, ns)
        cached = tx.kv_get(ns, KV_CACHE)
        now = clock.now(tx, ns)
        per_minute = capped_count(tx, ns, since=clock.column_value(now - timedelta(seconds=60)))
        fresh = isinstance(cached, dict) and cached.get("fingerprint") == fingerprint
        data = cached["data"] if fresh else _compute(fake, tx, ns, fingerprint)
    if not fresh:
        with side_write(fake.store) as tx:
            tx.kv_put(ns, KV_CACHE, {"fingerprint": fingerprint, "data": data})
    return {
        **data,
        "per_minute": min(per_minute, COUNT_CAP),
        "per_minute_capped": per_minute > COUNT_CAP,
        "now": clock.format_datetime(now),
        "cached": fresh,
    }


def _fingerprint(tx: Tx, ns: str) -> list[Any]:
    # Modifyts has whole seconds: the key sequence tells apart changes within one second (every order
    # write draws keys, if only for its audit); the capped count sees deletions in namespaces below the cap
    newest = tx.conn.execute("SELECT max(modifyts) FROM orders WHERE ns=?", (ns,)).fetchone()[0]
    last_key = tx.conn.execute("SELECT max(ohk) FROM orders WHERE ns=?", (ns,)).fetchone()[0]
    keys = tx.conn.execute("SELECT value FROM sequences WHERE ns=? AND name='key'", (ns,)).fetchone()
    return [capped_count(tx, ns), newest or "", last_key or "", int(keys[0]) if keys else 0]


def _compute(fake: Fake, tx: Tx, ns: str, fingerprint: list[Any]) -> dict[str, Any]:
    capped = int(fingerprint[0])
    total = capped if capped <= COUNT_CAP else tx.count_orders(ns)
    descriptions = fake.pipelines.get("0001").descriptions
    rng = random.Random(orjson.dumps(fingerprint))
    if total <= EXACT_ORDERS:
        groups = tx.conn.execute(
            "SELECT max_status, min_status, count(*), min(ohk) FROM orders WHERE ns=? GROUP BY max_status, min_status",
            (ns,),
        ).fetchall()
        scale = 1.0
    else:
        sampled = _sample(tx, ns, SAMPLE_ORDERS, "max_status, min_status, ohk", rng)
        groups = [(r[0], r[1], 1, r[2]) for r in sampled]
        scale = total / max(len(sampled), 1)
    rows: dict[str, dict[str, Any]] = {}
    by_key = {statuses.sort_key(code): code for code in descriptions}
    for max_key, min_key, count, sample in groups:
        code = by_key.get(max_key) or str((tx.get_order(ns, sample) or {}).get("MaxOrderStatus", max_key))
        row = rows.setdefault(code, _row(code, descriptions))
        row["orders"] += int(count) * scale
        if min_key != max_key:
            row["partial"] += int(count) * scale
    if total <= EXACT_QTY:
        quantities = _quantities(r[0] for r in tx.conn.execute("SELECT doc FROM orders WHERE ns=?", (ns,)))
    else:
        docs = [r[0] for r in _sample(tx, ns, SAMPLE_QTY, "doc", rng)]
        quantities = {c: q * total / max(len(docs), 1) for c, q in _quantities(docs).items()}
    for code, qty in quantities.items():
        rows.setdefault(code, _row(code, descriptions))["qty"] = round(qty, 2)
    ordered = sorted(rows.values(), key=lambda r: statuses.sort_key(r["code"]))
    for row in ordered:
        row["orders"], row["partial"] = round(row["orders"]), round(row["partial"])
    return {
        "total": total,
        "rows": ordered,
        "max_orders": max((r["orders"] for r in ordered), default=0),
        "max_qty": max((r["qty"] for r in ordered), default=0),
        "orders_estimated": total > EXACT_ORDERS,
        "qty_estimated": total > EXACT_QTY,
        "sample_orders": SAMPLE_ORDERS,
        "sample_qty": SAMPLE_QTY,
    }


def _sample(tx: Tx, ns: str, size: int, columns: str, rng: random.Random) -> list[tuple[Any, ...]]:
    """About ``size`` orders of ``ns`` in ``BLOCKS`` runs of consecutive row ids from random starts: neighbours
    share pages, so this reads a fraction of what as many scattered rows would (≈ 10x faster, measured)."""
    low, high = tx.conn.execute("SELECT min(id), max(id) FROM orders").fetchone()
    if low is None:
        return []
    run = max(1, size // BLOCKS)
    found: list[tuple[Any, ...]] = []
    for start in sorted(rng.randint(int(low), int(high)) for _ in range(BLOCKS)):
        found += tx.conn.execute(
            f"SELECT {columns} FROM orders NOT INDEXED WHERE id>=? AND ns=? ORDER BY id LIMIT ?",
            (start, ns, run),
        ).fetchall()
    return found


def _row(code: str, descriptions: dict[str, str]) -> dict[str, Any]:
    return {
        "code": code,
        "description": descriptions.get(code, code),
        "orders": 0.0,
        "partial": 0.0,
        "qty": 0,
    }


def _quantities(docs: Any) -> dict[str, float]:
    """Quantity per status over every line of the orders given (from their status rows)."""
    out: dict[str, float] = {}
    for raw in docs:
        order = orjson.loads(raw)
        for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
            for row in as_list((line.get("OrderStatuses") or {}).get("OrderStatus")):
                code = str(row.get("Status", ""))
                try:
                    out[code] = out.get(code, 0.0) + float(row.get("StatusQty") or 0)
                except ValueError:
                    continue
    return {code: round(qty, 2) for code, qty in out.items() if qty > 0}
