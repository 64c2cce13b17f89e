"""``make fuzz``: N mutated and hostile inputs (default 10,000) over every door, in-process; prints the answers by
HTTP status, every failure, and the store's consistency.  Exit status 1 when anything failed."""

from __future__ import annotations

import argparse
import sys
import time

from mock_server.app import create_app
from mock_server.seed import seed_orders
from mock_server.settings import Settings

from .run import fuzz


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.fuzz")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    app = create_app(Settings(db=":memory:", demo_orders=0, journal_limit=1000))
    fake = app.extensions["sterling_mock"]
    seed_orders(fake, "default", 200, seed=args.seed % 1000)
    started = time.perf_counter()
    tally = fuzz(app.test_client(), args.count, args.seed, fake.store)
    elapsed = time.perf_counter() - started
    print(f"fuzz: {tally.count} inputs (seed {args.seed}) in {elapsed:.1f} s")
    print("  answers by HTTP status: " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items())))
    print(f"  HTTP 500 or unhandled: {tally.statuses.get(500, 0) + tally.statuses.get(0, 0)}")
    print(f"  failures (incl. store invariants): {len(tally.failures)}")
    for failure in tally.failures[:50]:
        print("   ", failure[:400])
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
