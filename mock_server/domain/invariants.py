"""Store consistency checks: what must hold after any sequence of calls, however hostile — keys and numbers
unique, attributes and elements kept apart (``shapes``), Min/Max and totals consistent with the lines' status
rows, releases and shipments tied to orders that exist, and every journal and cache within its limit (used by
the fuzz tests, the crash, concurrency and soak scripts, and ``check(store)`` from Python)."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import orjson

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.orders import shapes
from sterling_mock.mock_server.domain.orders.model import line_rows as rows_of
from sterling_mock.mock_server.domain.orders.model import lines_of
from sterling_mock.mock_server.store.core import Store


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


_LINKS = (
    ("order_releases", "release_key", "OrderRelease"),
    ("shipment_orders", "shipment_key", "shipment link"),
    ("order_lines", "olk", "OrderLine"),
)


def _links(conn: Any) -> list[str]:
    """Rows that belong to an order must point at one that exists (deleteOrder takes them along)."""
    problems = []
    for table, key, what in _LINKS:
        orphans = conn.execute(
            f"SELECT t.ns, t.{key}, t.ohk FROM {table} t LEFT JOIN orders o ON o.ns=t.ns AND o.ohk=t.ohk "
            "WHERE o.ohk IS NULL LIMIT 20"
        ).fetchall()
        problems += [f"{ns}: {what} {k} belongs to a missing order {ohk}" for ns, k, ohk in orphans]
    loose = conn.execute(
        "SELECT l.ns, l.shipment_key FROM shipment_orders l LEFT JOIN shipments s "
        "ON s.ns=l.ns AND s.shipment_key=l.shipment_key WHERE s.shipment_key IS NULL LIMIT 20"
    ).fetchall()
    problems += [f"{ns}: shipment link to a missing shipment {k}" for ns, k in loose]
    numbers = conn.execute(
        "SELECT ns, ohk, release_no FROM order_releases GROUP BY ns, ohk, release_no HAVING count(*) > 1"
    ).fetchall()
    problems += [f"{ns}/{ohk}: ReleaseNo {n} used twice" for ns, ohk, n in numbers]
    return problems


def _shipped(shipments: list[Any], ordered: dict[tuple[str, str], Decimal]) -> list[str]:
    """No order line is in live shipments for more than was ordered."""
    shipped: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ns, raw in shipments:
        shipment = orjson.loads(raw)
        if str(shipment.get("Status", "")).startswith("9"):
            continue
        for line in as_list((shipment.get("ShipmentLines") or {}).get("ShipmentLine")):
            shipped[(ns, str(line.get("OrderLineKey")))] += Decimal(str(line.get("Quantity", "0")))
    return [
        f"{ns}: OrderLine {olk} is in shipments for {qty}, more than the {ordered.get((ns, olk))} ordered"
        for (ns, olk), qty in shipped.items()
        if qty > ordered.get((ns, olk), Decimal(0))
    ]


def _bounds(conn: Any, journal_limit: int | None, page_sets: int | None) -> list[str]:
    """Every journal and cache within its limit, and no cached rows outliving their set."""
    problems = []
    if journal_limit is not None:
        over = conn.execute(
            "SELECT ns, count(*) FROM journal GROUP BY ns HAVING count(*) > ?", (journal_limit,)
        ).fetchall()
        problems += [f"{ns}: journal holds {n} entries, over its limit {journal_limit}" for ns, n in over]
    if page_sets is not None:
        over = conn.execute(
            "SELECT ns, count(*) FROM page_sets GROUP BY ns HAVING count(*) > ?", (page_sets,)
        ).fetchall()
        problems += [f"{ns}: {n} getPage result sets kept, over the limit {page_sets}" for ns, n in over]
    orphans = conn.execute(
        "SELECT count(*) FROM page_rows r LEFT JOIN page_sets s ON s.ns=r.ns AND s.token=r.token "
        "WHERE s.token IS NULL"
    ).fetchone()[0]
    if orphans:
        problems.append(f"{orphans} getPage rows outlive their result set")
    negative = conn.execute("SELECT ns, ohk, item_id FROM md_demand WHERE qty < 0 LIMIT 20").fetchall()
    problems += [f"{ns}/{ohk}: negative demand for item {item}" for ns, ohk, item in negative]
    return problems


def check_orders(store: Store, ns: str, keys: list[str]) -> list[str]:
    """The invariants of single orders (statuses, totals, attributes and elements apart) for ``keys`` only:
    cheap enough to run after every call that touched them (the fuzzer does)."""
    problems: list[str] = []
    with store.read() as tx:
        for key in keys:
            raw = tx.get_order_bytes(ns, key)
            if raw is None:
                continue
            order = orjson.loads(raw)
            problems += _order_problems(ns, key, order)
            problems += [
                f"{ns}/{key}: {where} holds a value of the wrong kind"
                for where in shapes.violations("Order", order)
            ]
    return problems


def check(store: Store, *, journal_limit: int | None = None, page_sets: int | None = None) -> list[str]:
    """Every broken invariant, as readable lines (empty when the store is consistent).  ``journal_limit``
    and ``page_sets`` (per namespace) are checked when given: a checker needs the settings to know them."""
    problems: list[str] = []
    store.settle_spool()  # journal rows still spooled count against the limit too
    with store.read() as tx:
        problems += _links(tx.conn) + _bounds(tx.conn, journal_limit, page_sets)
        rows = tx.conn.execute(
            "SELECT ns, ohk, enterprise_code, document_type, order_no, doc FROM orders"
        ).fetchall()
        line_keys = tx.conn.execute("SELECT ns, olk FROM order_lines").fetchall()
        shipments = tx.conn.execute("SELECT ns, doc FROM shipments").fetchall()
        releases = tx.conn.execute("SELECT ns, release_key, doc FROM order_releases").fetchall()
    keys = Counter((ns, key) for ns, key, *_ in rows)
    numbers = Counter((ns, ent, dtype, no) for ns, _, ent, dtype, no, _ in rows)
    problems += [f"duplicate OrderHeaderKey {k}" for k, n in keys.items() if n > 1]
    problems += [f"duplicate OrderNo {k}" for k, n in numbers.items() if n > 1]
    problems += [f"duplicate OrderLineKey {k}" for k, n in Counter(map(tuple, line_keys)).items() if n > 1]
    ordered: dict[tuple[str, str], Decimal] = {}
    for ns, key, enterprise, dtype, order_no, raw in rows:
        order = orjson.loads(raw)
        for line in lines_of(order):
            quantity = line.get("OriginalOrderedQty", line.get("OrderedQty", "0"))
            ordered[(ns, str(line.get("OrderLineKey")))] = Decimal(str(quantity))
        if (order.get("EnterpriseCode"), order.get("DocumentType"), order.get("OrderNo")) != (
            enterprise,
            dtype,
            order_no,
        ):
            problems.append(f"{ns}/{key}: natural key columns differ from the stored order")
        problems += _order_problems(ns, key, order)
        problems += [
            f"{ns}/{key}: {where} holds a value of the wrong kind"
            for where in shapes.violations("Order", order)
        ]
    problems += _shapes(shipments, releases)
    return problems + _shipped(shipments, ordered)


def _shapes(shipments: list[Any], releases: list[Any]) -> list[str]:
    """No stored shipment or release holds an attribute where an element belongs, or the reverse."""
    problems = []
    for ns, raw in shipments:
        problems += [
            f"{ns}: shipment {where} holds a value of the wrong kind"
            for where in shapes.violations("Shipment", orjson.loads(raw))
        ]
    for ns, key, raw in releases:
        problems += [
            f"{ns}/{key}: {where} holds a value of the wrong kind"
            for where in shapes.violations("OrderRelease", orjson.loads(raw))
        ]
    return problems
