"""Query figures at scale (issue 3): getOrderList by enterprise + date range + status, a Modifyts poll, a getPage
walk over 100,000 orders and non-indexed filters, in-process against a store of 1,000,000 orders."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import sterling_faker
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Call, Fake
from sterling_mock.mock_server.domain import clock, statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import model, render
from sterling_mock.mock_server.seeding import seed
from sterling_mock.mock_server.store import pgcluster

Report = Callable[[str, str], None]
NS = "default"
BASE = datetime(2025, 6, 1, tzinfo=timezone.utc)
PROTOTYPES = 400
KEY = "99999999999999999999999"  # placeholders replaced in each clone's bytes
NUMBER = "PLACEHOLDERNO"
ORDER_DATE = "1971-01-01T00:00:00+00:00"
STAMP = "1972-02-02T00:00:00+00:00"
#: Status mix of the bulk store: (line status rows per line, weight); the last ones are partial orders.
MIX = [
    ([("1100", 1)], 40),
    ([("1500", 1)], 15),
    ([("3200", 1)], 10),
    ([("3700", 1)], 25),
    ([("9000", 1)], 5),
    ([("1500", 1), ("3700", 1)], 5),
]


def _prototypes(fake: Fake) -> list[tuple[dict[str, Any], bytes, bytes, bytes, int]]:
    """Orders built through the model (then statuses set and recomputed) whose bytes clones patch."""
    faker = sterling_faker(7)
    rng = random.Random(7)
    out = []
    with fake.store.write() as tx:
        clock.freeze(tx, "proto", True)
        clock.set_time(tx, "proto", clock.parse_datetime(STAMP))
        ctx = Ctx(tx=tx, ns="proto", user="bench", settings=fake.settings, pipelines=fake.pipelines)
        for _ in range(PROTOTYPES):
            doc = create_order_input(faker)
            doc.update(OrderHeaderKey=KEY, OrderNo=NUMBER, OrderDate=ORDER_DATE)
            order = model.new_order(ctx, doc)
            rows = rng.choices([m for m, _ in MIX], [w for _, w in MIX])[0]
            for index, line in enumerate(model.lines_of(order), start=1):
                line["OrderLineKey"] = f"{KEY}{index:02d}"
                qty = _whole(line["OrderedQty"])
                split = [
                    (code, qty if len(rows) == 1 else (1 if n == 0 else max(qty - 1, 0)))
                    for n, (code, _) in enumerate(rows)
                ]
                line["OrderStatuses"] = {
                    "OrderStatus": [
                        {"Status": c, "StatusQty": str(q), "StatusDate": STAMP} for c, q in split if q > 0
                    ]
                }
            model.recompute(ctx, order)
            rendered = render.prerender(order, fake.settings)
            out.append(
                (
                    order,
                    orjson.dumps(order),
                    rendered["list_json"],
                    rendered["list_xml"],
                    len(model.lines_of(order)),
                )
            )
        tx.conn.execute("ROLLBACK")
        tx.conn.execute("BEGIN")  # the prototypes are never stored
    return out


def _whole(value: str) -> int:
    return int(float(value))


def bulk_seed(fake: Fake, count: int) -> float:
    """Clone the prototypes into ``count`` orders (one key, number, dates each); returns seconds taken."""
    started = time.perf_counter()
    protos = _prototypes(fake)
    rng = random.Random(42)
    if fake.store.postgres is None:
        fake.store.connection().execute("PRAGMA cache_size=-1000000")
    batch: list[tuple[Any, ...]] = []
    lines: list[tuple[str, str, str, str]] = []
    for n in range(count):
        order, doc, list_json, list_xml, line_count = protos[n % PROTOTYPES]
        created = BASE - timedelta(seconds=(count - n) * 90 * 86400 / count)
        when = BASE - timedelta(days=rng.random() * 90)
        modified = when + timedelta(hours=rng.random() * 48)
        key = clock.make_key(created, n)
        number = f"B{n:09d}"
        subs = [
            (KEY.encode(), key.encode()),
            (NUMBER.encode(), number.encode()),
            (ORDER_DATE.encode(), clock.format_datetime(when).encode()),
            (STAMP.encode(), clock.format_datetime(modified).encode()),
        ]
        values = [doc, list_json, list_xml]
        for old, new in subs:
            values = [v.replace(old, new) for v in values]
        batch.append(
            (
                NS,
                key,
                order["EnterpriseCode"],
                order["DocumentType"],
                number,
                clock.column_value(when),
                clock.column_value(created),
                clock.column_value(modified),
                statuses.sort_key(order["MinOrderStatus"]),
                statuses.sort_key(order["MaxOrderStatus"]),
                *values,
            )
        )
        lines += [
            (NS, f"{key}{i:02d}", key, str(ln["Item"]["ItemID"]))
            for i, ln in enumerate(model.lines_of(order), start=1)
        ]
        del line_count
        if len(batch) == 20000 or n == count - 1:
            with fake.store.write() as tx:
                tx.conn.executemany(
                    "INSERT INTO orders(ns, ohk, enterprise_code, document_type, order_no, order_date, createts, "
                    "modifyts, min_status, max_status, doc, r_list_json, r_list_xml) "
                    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
                tx.conn.executemany(
                    "INSERT INTO order_lines(ns, olk, ohk, item_id) VALUES(?, ?, ?, ?)", lines
                )
            batch, lines = [], []
    return time.perf_counter() - started


def timed(fake: Fake, api: str, docs: list[dict[str, Any]]) -> tuple[float, list[Any]]:
    """p50 milliseconds of in-process calls (JSON output), and the outputs."""
    times, outs = [], []
    for doc in docs:
        started = time.perf_counter()
        outs.append(fake.invoke(Call(api=api, ns=NS, user="bench", fmt="json"), doc))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), outs


def _count(output: Any) -> int:
    body = output.prerendered.get("json") or orjson.dumps(output.doc)
    return int(orjson.loads(body).get("TotalOrderList", "0"))


def run(report: Report, quick: bool) -> None:
    count = 20_000 if quick else 1_000_000
    _run_store(report, count, "")
    try:
        cluster = pgcluster.start(durable=False)
    except pgcluster.Unavailable as exc:
        report("PostgreSQL", f"skipped: {exc}")
        return
    try:  # the same queries on PostgreSQL (a fifth of the orders: the bulk load is row by row there)
        _run_store(report, count // 5, cluster.url_for("queries"))
    finally:
        cluster.stop()


def _run_store(report: Report, count: int, url: str) -> None:
    label = "PostgreSQL" if url else "SQLite"
    report(f"-- {label}, {count:,} orders", "")
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp:
        fake = Fake(Settings(db=url or str(Path(tmp) / "q.db"), durability="OFF", demo_orders=0))
        started = time.perf_counter()
        seed.seed_orders(fake, "seedrate", 1000, options=seed.SeedOptions(statuses={"1100": 1.0}))
        per_order = (time.perf_counter() - started) / 1000
        report(
            "seed_orders (model path, Created), per order",
            f"{per_order * 1000:.2f} ms ({per_order * count:.0f} s for {count:,})",
        )
        fake.store.reset("seedrate")
        report(f"bulk seed of {count:,} orders (cloned prototypes)", f"{bulk_seed(fake, count):.1f} s")
        if not url:
            report("store size", f"{Path(tmp, 'q.db').stat().st_size / 2**30:.2f} GiB")
        _list_queries(fake, report, count)
        _page_walk(fake, report, count)


def _list_queries(fake: Fake, report: Report, count: int) -> None:
    rng = random.Random(1)
    docs = []
    for n in range(30):
        start = BASE - timedelta(days=rng.randint(11, 89))
        docs.append(
            {
                "EnterpriseCode": ("Matrix-R", "Aurora", "NorthWind", "Globex")[n % 4],
                "FromOrderDate": clock.format_datetime(start),
                "ToOrderDate": clock.format_datetime(start + timedelta(days=10)),
                "OrderDateQryType": "BETWEEN",
                "Status": ("1100", "3700", "1500")[n % 3],
                "MaximumRecords": "100",
            }
        )
    p50, outs = timed(fake, "getOrderList", docs)
    report(
        "getOrderList ent + date + status, Max=100, p50",
        f"{p50:.1f} ms (target < 20 ms; {statistics.median(_count(o) for o in outs):.0f} rows)",
    )
    with fake.store.read() as tx:
        marks = [
            tx.conn.execute(
                "SELECT modifyts FROM orders WHERE ns=? ORDER BY modifyts DESC LIMIT 1 OFFSET ?", (NS, offset)
            ).fetchone()[0]
            for offset in (99, 100, 101)
        ]
    poll = [
        {"FromModifyts": mark + "Z", "ModifytsQryType": "BETWEEN", "MaximumRecords": "5000"}
        for mark in marks * 10
    ]
    p50, outs = timed(fake, "getOrderList", poll)
    report(
        "getOrderList FromModifyts poll (~100 changed), p50",
        f"{p50:.1f} ms (target < 20 ms; {_count(outs[0])} rows)",
    )
    common = [{"EntryType": "WEB", "MaximumRecords": "100"}] * 5
    p50, _ = timed(fake, "getOrderList", common)
    report("non-indexed EntryType=WEB (common), Max=100, p50", f"{p50:.1f} ms")
    rare = [{"CustomerEMailID": "nobody@example.invalid", "MaximumRecords": "100"}] * (
        1 if count > 100_000 else 3
    )
    p50, _ = timed(fake, "getOrderList", rare)
    report(f"non-indexed CustomerEMailID, no match (scans {count:,})", f"{p50 / 1000:.1f} s")
    with fake.store.read() as tx:
        item_id = tx.conn.execute("SELECT item_id FROM order_lines LIMIT 1 OFFSET 777").fetchone()[0]
        holders = tx.conn.execute(
            "SELECT count(*) FROM order_lines WHERE item_id = ?", (item_id,)
        ).fetchone()[0]
    item = [{"OrderLine": {"Item": {"ItemID": item_id}}, "MaximumRecords": "100"}] * 5
    p50, _ = timed(fake, "getOrderList", item)
    report(f"OrderLine/Item/@ItemID ({holders:,} lines hold it), Max=100, p50", f"{p50:.1f} ms")
    either = []
    for n in range(5):
        first = BASE - timedelta(days=20 + 7 * n)
        either.append(
            {
                "MaximumRecords": "100",
                "ComplexQuery": {
                    "Or": {
                        "And": [
                            {
                                "Exp": [
                                    {
                                        "Name": "OrderDate",
                                        "Value": clock.format_datetime(day),
                                        "QryType": "GE",
                                    },
                                    {
                                        "Name": "OrderDate",
                                        "Value": clock.format_datetime(day + timedelta(hours=6)),
                                        "QryType": "LT",
                                    },
                                ]
                            }
                            for day in (first, first - timedelta(days=30))
                        ]
                    }
                },
            }
        )
    p50, outs = timed(fake, "getOrderList", either)
    report(
        "ComplexQuery: OrderDate in one of two 6 h windows, Max=100, p50",
        f"{p50:.1f} ms ({statistics.median(_count(o) for o in outs):.0f} rows)",
    )
    none_of = [
        {"ComplexQuery": {"Or": {"Exp": [{"Name": "OrderNo", "Value": f"NONE-{n}"} for n in range(3)]}}}
    ] * (1 if count > 100_000 else 3)
    p50, _ = timed(fake, "getOrderList", none_of)
    report(f"ComplexQuery: OrderNo one of three, no match ({count:,} orders)", f"{p50:.1f} ms")
    by_date = [
        {
            "EnterpriseCode": "Aurora",
            "MaximumRecords": "100",
            "OrderBy": {"Attribute": {"Name": "OrderDate", "Desc": "Y"}},
        }
    ] * 5
    p50, _ = timed(fake, "getOrderList", by_date)
    report("EnterpriseCode + OrderBy OrderDate Desc, Max=100, p50", f"{p50:.1f} ms")


def _page_walk(fake: Fake, report: Report, count: int) -> None:
    days = 36 if count >= 1_000_000 else 90
    inner = {
        "Order": {
            "EnterpriseCode": "Aurora",
            "FromOrderDate": clock.format_datetime(BASE - timedelta(days=days)),
            "OrderDateQryType": "BETWEEN",
        }
    }
    started = time.perf_counter()
    token, number, seen = "", 1, 0
    while True:
        doc = {
            "PageNumber": str(number),
            "PageSize": "500",
            "PaginationStrategy": "GENERIC",
            "PageSetToken": token,
            "API": {"Name": "getOrderList", "Input": inner},
        }
        out = fake.invoke(Call(api="getPage", ns=NS, user="bench", fmt="json"), doc)
        body = orjson.loads(out.prerendered["json"])
        token = body["PageSetToken"]
        seen += len(body["Output"]["OrderList"].get("Order", []))
        if body["IsLastPage"] == "Y":
            break
        number += 1
    elapsed = time.perf_counter() - started
    report(
        f"getPage GENERIC walk, {seen:,} orders at 500/page",
        f"{elapsed:.1f} s (target < 30 s, {number} pages)",
    )
    started = time.perf_counter()
    previous: dict[str, Any] | None = None
    seen = 0
    while True:
        doc = {
            "PageNumber": "1",
            "PageSize": "500",
            "PaginationStrategy": "NEXTPAGE",
            "API": {"Name": "getOrderList", "Input": inner},
        }
        if previous:
            doc["PreviousPage"] = {"LastRecord": previous}
        body = orjson.loads(
            fake.invoke(Call(api="getPage", ns=NS, user="bench", fmt="json"), doc).prerendered["json"]
        )
        seen += len(body["Output"]["OrderList"].get("Order", []))
        if body["IsLastPage"] == "Y":
            break
        previous = body["LastRecord"]
    report(f"getPage NEXTPAGE walk, {seen:,} orders at 500/page", f"{time.perf_counter() - started:.1f} s")
