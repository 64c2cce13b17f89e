"""``make fuzz``: N seeded inputs (default 10,000) over every API of the table and every door — REST invoke,
the order resource, the interop servlet, multiApi, getPage, and beside them executeFlow, jwt/login, the
control plane and the console — in XML and JSON, in-process, on SQLite or PostgreSQL (``--backend``).

Input N is rebuilt from the seed and N alone (``--only N`` prints it).  After each input every order it could
have touched must still answer getOrderDetails (default and the full template) and appear in getOrderList
with its key, and keep its own invariants; the whole store's invariants are checked every 250 inputs and at the
end, and at the end every order is read once more.  Prints the answers by HTTP status and every failure with
its input number and exact request; exit status 1 when anything failed."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sterling_mock.mock_server.apis.multi import PAGE_SET_KEEP
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.invariants import check
from sterling_mock.mock_server.doors.app import create_app

from .run import Fuzzer, Tally

JOURNAL_LIMIT = 1000
#: The pool's orders are seeded with the clock frozen here, so their keys (and every input) repeat.
FROZEN_AT = "2025-01-27T10:17:09+00:00"


@contextmanager
def store_url(backend: str, db: str | None) -> Iterator[str | None]:
    """The store to fuzz: ``db`` as given, a new in-memory SQLite store, or a schema of a throwaway PostgreSQL
    server (None when PostgreSQL's binaries are missing: that backend is skipped, saying how to install it)."""
    if db:
        yield db
        return
    if backend == "sqlite":
        yield ":memory:"
        return
    from sterling_mock.mock_server.store import db as dbmod
    from sterling_mock.mock_server.store import pgcluster

    try:
        cluster = pgcluster.start(password=False)
    except pgcluster.Unavailable as exc:
        print(f"fuzz on postgresql skipped: {exc}")
        yield None
        return
    try:
        yield dbmod.with_schema(cluster.url, "fuzz")
    finally:
        for store in list(dbmod.OPEN):
            store.close()
        cluster.stop()


def prepare(db: str, seed: int, orders: int = 200) -> Fuzzer:
    """An app on ``db`` with ``orders`` seeded orders (clock frozen: the same seed gives the same keys)."""
    app = create_app(Settings(db=db, demo_orders=0, journal_limit=JOURNAL_LIMIT))
    client = app.test_client()
    fake = app.extensions["sterling_mock"]
    client.post("/_fake/reset", json={"namespace": "default"})
    client.post("/_fake/clock", json={"freeze": True, "set": FROZEN_AT})
    answer = client.post("/_fake/seed", json={"orders": orders, "seed": seed % 100_000})
    assert answer.status_code == 200, answer.get_data()[:300]
    with fake.store.read() as tx:
        pool = [
            (str(k), str(e), str(n))
            for k, e, n in tx.conn.execute(
                "SELECT ohk, enterprise_code, order_no FROM orders WHERE ns='default' ORDER BY ohk"
            )
        ]
    return Fuzzer(client, fake.store, seed, pool)


def invariants(fuzzer: Fuzzer, where: str) -> None:
    problems = check(fuzzer.store, journal_limit=JOURNAL_LIMIT, page_sets=PAGE_SET_KEEP)
    fuzzer.tally.failures += [f"invariant ({where}): {p}" for p in problems]


def run(
    db: str,
    count: int,
    seed: int,
    *,
    start: int = 0,
    every: int = 250,
    sweep: bool = True,
    orders: int = 200,
) -> tuple[Tally, float]:
    """Inputs ``start`` .. ``start + count - 1`` of ``seed`` on ``db`` with ``orders`` seeded orders: the tally
    and the seconds taken."""
    fuzzer = prepare(db, seed, orders)
    started = time.perf_counter()
    for number in range(start, start + count):
        fuzzer.run_one(number)
        if every and (number + 1) % every == 0:
            invariants(fuzzer, f"after input {number}")
    invariants(fuzzer, "end")
    if sweep:
        fuzzer.sweep()
    return fuzzer.tally, time.perf_counter() - started


def report(backend: str, seed: int, tally: Tally, seconds: float) -> None:
    print(f"fuzz on {backend}: {tally.count} inputs (seed {seed}) in {seconds:.1f} s")
    print("  answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items())))
    print(f"  HTTP 5xx or unhandled: {tally.server_errors}")
    print(f"  orders checked readable: {tally.checked}, unreadable: {tally.unreadable}")
    print(f"  failures (incl. store invariants): {len(tally.failures)}")
    for failure in tally.failures[:50]:
        print("   ", failure[:1500])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.fuzz")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--start", type=int, default=0, help="the first input's number")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--db", help="fuzz this store instead (e.g. postgresql://.../db?schema=fuzz)")
    parser.add_argument("--only", type=int, help="print input N of the seed (its exact request) and stop")
    args = parser.parse_args(argv)
    if args.only is not None:
        fuzzer = prepare(":memory:", args.seed)
        item = fuzzer.build(args.only)
        print(f"input {args.only} of seed {args.seed} ({item.api}): {item.request.text()}")
        return 0
    failed = False
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        with store_url(backend, args.db) as db:
            if db is None:
                continue
            tally, seconds = run(db, args.count, args.seed, start=args.start)
            report(backend, args.seed, tally, seconds)
            failed = failed or bool(tally.failures) or tally.server_errors > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
