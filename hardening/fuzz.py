"""``make fuzz``: N mutated and hostile inputs (default 10,000) over every door, in-process — 70 % Sterling
documents through ``/invoke``, resources and the servlet, 30 % raw requests to resources, executeFlow,
jwt/login, the control plane and the console; prints the answers by HTTP status, every failure, and the
store's consistency.  Exit status 1 when anything failed."""

from __future__ import annotations

import argparse
import sys
import time

from sterling_mock.mock_server.apis.multi import PAGE_SET_KEEP
from sterling_mock.mock_server.app import create_app
from sterling_mock.mock_server.invariants import check
from sterling_mock.mock_server.seed import seed_orders
from sterling_mock.mock_server.settings import Settings

from .run import Tally, fuzz, fuzz_doors


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.fuzz")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument(
        "--db", default=":memory:", help="the store to fuzz (e.g. postgresql://.../db?schema=fuzz)"
    )
    args = parser.parse_args()
    app = create_app(Settings(db=args.db, demo_orders=0, journal_limit=1000))
    fake = app.extensions["sterling_mock"]
    seed_orders(fake, "default", 200, seed=args.seed % 1000)
    started = time.perf_counter()
    doors = args.count * 3 // 10
    documents = fuzz(app.test_client(), args.count - doors, args.seed, fake.store)
    raw = fuzz_doors(app.test_client(), doors, args.seed, fake.store)
    elapsed = time.perf_counter() - started
    bounds = [f"invariant: {p}" for p in check(fake.store, journal_limit=1000, page_sets=PAGE_SET_KEEP)]
    tally = Tally(documents.statuses + raw.statuses, documents.failures + raw.failures + bounds)
    print(f"fuzz: {tally.count} inputs (seed {args.seed}) in {elapsed:.1f} s")
    for name, part in (("documents", documents), ("other doors", raw), ("all", tally)):
        print(f"  {name}: " + ", ".join(f"{k}: {v}" for k, v in sorted(part.statuses.items())))
    print(f"  HTTP 500 or unhandled: {sum(v for k, v in tally.statuses.items() if k >= 500 or k == 0)}")
    print(f"  failures (incl. store invariants): {len(tally.failures)}")
    for failure in tally.failures[:50]:
        print("   ", failure[:400])
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
