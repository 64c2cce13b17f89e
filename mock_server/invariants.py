"""Store consistency checks: what must hold after any sequence of calls, however hostile (used by the fuzz
tests, the crash and concurrency scripts, and ``check(store)`` from Python)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import orjson

from . import statuses
from .model import line_rows as rows_of
from .model import lines_of
from .store import Store


def _order_problems(ns: str, key: str, order: dict[str, Any]) -> list[str]:
    problems = []
    where = f"{ns}/{key}"
    if order.get("OrderHeaderKey") != key:
        problems.append(f"{where}: stored key {order.get('OrderHeaderKey')} differs from its row")
    pairs: list[tuple[str, float]] = []
    sub_total = Decimal(0)
    for line in lines_of(order):
        rows = rows_of(line)
        line_pairs = [(str(r["Status"]), float(r["StatusQty"])) for r in rows]
        pairs.extend(line_pairs)
        original = Decimal(str(line.get("OriginalOrderedQty", line.get("OrderedQty", "0"))))
        held = sum((Decimal(str(r["StatusQty"])) for r in rows), Decimal(0))
        if held != original and not (held == 0 and original == 0):
            problems.append(
                f"{where} line {line.get('PrimeLineNo')}: status quantities {held} != ordered {original}"
            )
        if line_pairs:
            low, high = statuses.min_max(line_pairs)
            if (line.get("MinLineStatus"), line.get("MaxLineStatus")) != (low, high):
                problems.append(
                    f"{where} line {line.get('PrimeLineNo')}: Min/Max {line.get('MinLineStatus')}/"
                    f"{line.get('MaxLineStatus')} but rows say {low}/{high}"
                )
        totals = line.get("LineOverallTotals") or {}
        sub_total += Decimal(str(totals.get("ExtendedPrice", "0")))
    low, high = statuses.min_max(pairs)
    if pairs and (order.get("MinOrderStatus"), order.get("MaxOrderStatus")) != (low, high):
        problems.append(
            f"{where}: order Min/Max {order.get('MinOrderStatus')}/{order.get('MaxOrderStatus')} "
            f"but lines say {low}/{high}"
        )
    overall = order.get("OverallTotals") or {}
    if Decimal(str(overall.get("LineSubTotal", "0"))) != sub_total.quantize(Decimal("0.01")):
        problems.append(f"{where}: LineSubTotal {overall.get('LineSubTotal')} != sum of lines {sub_total}")
    return problems


def check(store: Store) -> list[str]:
    """Every broken invariant, as readable lines (empty when the store is consistent)."""
    problems: list[str] = []
    with store.read() as tx:
        rows = tx.conn.execute(
            "SELECT ns, ohk, enterprise_code, document_type, order_no, doc FROM orders"
        ).fetchall()
        line_keys = tx.conn.execute("SELECT ns, olk FROM order_lines").fetchall()
    keys = Counter((ns, key) for ns, key, *_ in rows)
    numbers = Counter((ns, ent, dtype, no) for ns, _, ent, dtype, no, _ in rows)
    problems += [f"duplicate OrderHeaderKey {k}" for k, n in keys.items() if n > 1]
    problems += [f"duplicate OrderNo {k}" for k, n in numbers.items() if n > 1]
    problems += [f"duplicate OrderLineKey {k}" for k, n in Counter(map(tuple, line_keys)).items() if n > 1]
    for ns, key, enterprise, dtype, order_no, raw in rows:
        order = orjson.loads(raw)
        if (order.get("EnterpriseCode"), order.get("DocumentType"), order.get("OrderNo")) != (
            enterprise,
            dtype,
            order_no,
        ):
            problems.append(f"{ns}/{key}: natural key columns differ from the stored order")
        problems += _order_problems(ns, key, order)
    return problems
