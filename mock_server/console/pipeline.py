"""The pipeline view's figures: orders and quantities per status, orders changed per minute, cached per change.

Orders per status come from the ``max_status``/``min_status`` columns (one pass over the namespace's rows);
quantities per status need each order's status rows, so they are summed only up to ``QTY_LIMIT`` orders.
The result is kept in the namespace's ``kv`` under a fingerprint of the orders table (count, newest
``Modifyts``, newest row id, the key sequence): polling an unchanged namespace costs three index look-ups, a changed one a
recount.  "Orders per minute" counts orders whose ``Modifyts`` falls in the last minute of the namespace's
clock (a range of the ``orders_modifyts`` index), so it follows the virtual clock the agents run on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson

from client.wire import as_list

from .. import clock, statuses
from ..journal import side_write

if TYPE_CHECKING:
    from ..dispatch import Fake
    from ..store import Tx

QTY_LIMIT = 20_000
KV_CACHE = "_console_pipeline"


def snapshot(fake: Fake, ns: str) -> dict[str, Any]:
    """Everything the pipeline chart shows, from the cache when the orders did not change."""
    with fake.store.read() as tx:
        fingerprint = _fingerprint(tx, ns)
        cached = tx.kv_get(ns, KV_CACHE)
        now = clock.now(tx, ns)
        since = clock.column_value(now - timedelta(seconds=60))
        per_minute = int(
            tx.conn.execute("SELECT count(*) FROM orders WHERE ns=? AND modifyts>=?", (ns, since)).fetchone()[
                0
            ]
        )
        fresh = isinstance(cached, dict) and cached.get("fingerprint") == fingerprint
        data = cached["data"] if fresh else _compute(fake, tx, ns, int(fingerprint[0]))
    if not fresh:
        with side_write(fake.store) as tx:
            tx.kv_put(ns, KV_CACHE, {"fingerprint": fingerprint, "data": data})
    return {**data, "per_minute": per_minute, "now": clock.format_datetime(now), "cached": fresh}


def _fingerprint(tx: Tx, ns: str) -> list[Any]:
    count = tx.conn.execute("SELECT count(*) FROM orders WHERE ns=?", (ns,)).fetchone()[0]
    newest = tx.conn.execute("SELECT max(modifyts) FROM orders WHERE ns=?", (ns,)).fetchone()[0]
    last_id = tx.conn.execute("SELECT max(id) FROM orders WHERE ns=?", (ns,)).fetchone()[0]
    # Modifyts has whole seconds: the key sequence tells apart changes within one second (every order
    # write draws keys, if only for its audit)
    keys = tx.conn.execute("SELECT value FROM sequences WHERE ns=? AND name='key'", (ns,)).fetchone()
    return [int(count), newest or "", int(last_id or 0), int(keys[0]) if keys else 0]


def _compute(fake: Fake, tx: Tx, ns: str, total: int) -> dict[str, Any]:
    descriptions = fake.pipelines.get("0001").descriptions
    by_key = {statuses.sort_key(code): code for code in descriptions}
    rows: dict[str, dict[str, Any]] = {}
    for max_key, min_key, count, sample in tx.conn.execute(
        "SELECT max_status, min_status, count(*), min(ohk) FROM orders WHERE ns=? GROUP BY max_status, min_status",
        (ns,),
    ).fetchall():
        code = by_key.get(max_key) or str((tx.get_order(ns, sample) or {}).get("MaxOrderStatus", max_key))
        row = rows.setdefault(code, _row(code, descriptions))
        row["orders"] += int(count)
        if min_key != max_key:
            row["partial"] += int(count)
    quantities = _quantities(tx, ns) if total <= QTY_LIMIT else None
    for code, qty in (quantities or {}).items():
        rows.setdefault(code, _row(code, descriptions))["qty"] = qty
    ordered = sorted(rows.values(), key=lambda r: statuses.sort_key(r["code"]))
    return {
        "total": total,
        "rows": ordered,
        "max_orders": max((r["orders"] for r in ordered), default=0),
        "max_qty": max((r["qty"] for r in ordered), default=0),
        "quantities": quantities is not None,
        "qty_limit": QTY_LIMIT,
    }


def _row(code: str, descriptions: dict[str, str]) -> dict[str, Any]:
    return {"code": code, "description": descriptions.get(code, code), "orders": 0, "partial": 0, "qty": 0}


def _quantities(tx: Tx, ns: str) -> dict[str, float]:
    """Open and closed quantity per status over every line of every order (from the status rows)."""
    out: dict[str, float] = {}
    for (raw,) in tx.conn.execute("SELECT doc FROM orders WHERE ns=?", (ns,)):
        order = orjson.loads(raw)
        for line in as_list((order.get("OrderLines") or {}).get("OrderLine")):
            for row in as_list((line.get("OrderStatuses") or {}).get("OrderStatus")):
                code = str(row.get("Status", ""))
                try:
                    out[code] = out.get(code, 0.0) + float(row.get("StatusQty") or 0)
                except ValueError:
                    continue
    return {code: round(qty, 2) for code, qty in out.items() if qty > 0}
