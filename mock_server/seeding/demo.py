"""The demo book of ``serve`` (``demo_orders`` into an empty store): claimed before the port opens, written by a
child process once it is open, and reported by ``GET /_fake/health`` (``"seeding": true`` until it is in).

The first call no longer waits for the book (0.7-1.0 s for 300 orders before, 2 s once they were walked along
the pipeline): the server answers while a forked child writes it in small transactions.  The claim reserves
the book's order numbers first, so the book is the same whatever calls come meanwhile, and the first order a
client creates is number ``demo_orders + 1`` of its enterprise.  The claim is state like any other (the kv
table of the default namespace): instances starting together on one PostgreSQL database claim the book once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from typing import Any

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain import masterdata
from sterling_mock.mock_server.seeding.bulk import reserve

log = logging.getLogger("sterling_mock")

NS = "default"
KV_DEMO = "_demo_seed"
#: A claim whose writer runs on another host (one PostgreSQL database, several instances) counts as abandoned
#: after this many seconds: its writer cannot be asked whether it still runs.
STALE_SECONDS = 600.0


def claim(fake: Fake, settings: Settings) -> dict[str, Any] | None:
    """The demo book to write, claimed, when the default namespace has no orders and no live claim: its order
    numbers reserved (``demo_orders`` per enterprise of the master data) and the claim stored.  Called by a
    starting server under ``store.startup()``; None when there is nothing to seed."""
    if settings.demo_orders <= 0:
        return None
    enterprises = [
        code
        for kind, code, _ in masterdata.load_file(settings.master_data_file).records
        if kind == "enterprise"
    ]
    with fake.store.write(ns=NS) as tx:
        if tx.count_orders(NS) or running(tx.kv_get(NS, KV_DEMO)):
            return None
        book = {
            "state": "seeding",
            "orders": settings.demo_orders,
            "seed": settings.seed,
            "numbers": {
                e: reserve(tx, NS, "order_no:" + e, settings.demo_orders, 100000001) for e in enterprises
            },
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": time.time(),
        }
        tx.kv_put(NS, KV_DEMO, book)
    return book


def running(book: Any) -> bool:
    """Whether a claim's book is still being written: its state says so and its writer is alive (checked on
    this host, trusted for ``STALE_SECONDS`` from another)."""
    if not isinstance(book, dict) or book.get("state") != "seeding":
        return False
    if book.get("host") != socket.gethostname():
        return time.time() - float(book.get("since") or 0) < STALE_SECONDS
    try:
        os.kill(int(book.get("pid") or 0), 0)
    except (OSError, ValueError):
        return False
    return True


def seeding(fake: Fake) -> bool:
    """``/_fake/health``'s ``seeding``: the demo book of this store is still being written."""
    with fake.store.read() as tx:
        return running(tx.kv_get(NS, KV_DEMO))


def start(fake: Fake, book: dict[str, Any], inherited: list[Any] | None = None) -> int:
    """Fork the child that writes ``book``; its pid.  Called by gunicorn's master once the port is bound (the
    master holds no store connection): the child drops the master's signal handlers and closes ``inherited``
    (the listening sockets), so it neither answers the master's signals nor keeps the port open, and stops
    between chunks when the master is gone."""
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        for name in (
            "SIGHUP",
            "SIGQUIT",
            "SIGINT",
            "SIGTERM",
            "SIGTTIN",
            "SIGTTOU",
            "SIGUSR1",
            "SIGUSR2",
            "SIGWINCH",
            "SIGCHLD",
        ):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        for sock in inherited or ():
            sock.close()
        os.nice(10)  # the workers first: on two cores the book would otherwise slow the first calls
        fake.store.after_fork()
        write(fake, book, stop=lambda: os.getppid() != parent)
    except BaseException:
        log.exception("the demo seed failed")
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def write(fake: Fake, book: dict[str, Any], *, stop: Any = None) -> int:
    """Write the claimed book, then mark it done (``stop()`` true between chunks: the server went away)."""
    from sterling_mock.mock_server.seeding.seed import seed_orders  # the fixtures: faker, xmlschema (0.2 s)

    with fake.store.write(ns=NS) as tx:
        tx.kv_put(NS, KV_DEMO, {**book, "pid": os.getpid()})
    created = seed_orders(
        fake, NS, int(book["orders"]), seed=int(book["seed"]), numbers=dict(book["numbers"]), stop=stop
    )
    with fake.store.write(ns=NS) as tx:
        state = "done" if created == int(book["orders"]) else "interrupted"
        tx.kv_put(NS, KV_DEMO, {**book, "pid": os.getpid(), "state": state, "created": created})
    return created
