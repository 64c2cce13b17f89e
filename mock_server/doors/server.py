"""Serving under gunicorn (sync workers: CPU-bound handlers beat gthread here, as measured with make bench)."""

from __future__ import annotations

import sys
from functools import partial
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.seeding import demo
from sterling_mock.mock_server.store.db import redact


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def prepare(settings: Settings) -> tuple[Flask, int, tuple[str, str] | None, dict[str, Any] | None]:
    """Create the app, claim the demo book of an empty store (``seeding.demo``: written once the port is
    open), and release the master's connection.  (app, orders now, an order for the banner, the claim)."""
    app = create_app(settings)
    fake = app.extensions["sterling_mock"]
    with fake.store.startup():  # instances starting together on one PostgreSQL database seed it once
        book = demo.claim(fake, settings)
    with fake.store.read() as tx:
        count = tx.count_orders("default")
        row = tx.conn.execute(
            "SELECT enterprise_code, order_no FROM orders WHERE ns='default' ORDER BY id LIMIT 1"
        ).fetchone()
    fake.store.close()  # never carry a connection across fork
    return app, count, (row[0], row[1]) if row else None, book


def banner(
    settings: Settings, orders: int, example: tuple[str, str] | None = None, *, seeding: int = 0
) -> str:
    """What ``serve`` prints; ``seeding``: demo orders being written after the start (``seeding.demo``)."""
    base = f"http://{settings.host}:{settings.port}/smcfs/restapi"
    stored = (
        f'writing {seeding} demo orders now (GET /_fake/health: "seeding": false once they are in)'
        if seeding
        else f"{orders} orders"
    )
    user, password = next(iter(settings.users.items()), ("admin", "password"))
    return "\n".join(
        [
            "sterling-mock: a fake IBM Sterling OMS",
            f"  base URL     {base}",
            f"  demo login   {user} / {password}   (Basic auth, or POST /invoke/login for a token)",
            f"  store        {redact(settings.db)}  ({stored})",
            f"  control      http://{settings.host}:{settings.port}/_fake/health",
            f"  console      http://{settings.host}:{settings.port}/_fake/console/"
            + ("?token=<control token>" if settings.control_token else "")
            + ("   (read-only)" if settings.console_read_only else ""),
            "  try:",
            f"    curl -u {user}:{password} -H 'Content-Type: application/json' \\",
            f'      -d \'{{"EnterpriseCode": "{example[0]}", "OrderNo": "{example[1]}"}}\' '
            f"{base}/invoke/getOrderDetails"
            if example
            else "",
            f"    curl -u {user}:{password} -H 'Content-Type: application/json' \\",
            f'      -d \'{{"EnterpriseCode": "Matrix-R", "OrderLines": {{"OrderLine": [{{"OrderedQty": "2", '
            f'"Item": {{"ItemID": "SHOE-101"}}}}]}}}}\' {base}/invoke/createOrder',
        ]
    )


def serve(settings: Settings, *, quiet: bool = False) -> None:
    app, count, example, book = prepare(settings)
    if not quiet:
        print(banner(settings, count, example, seeding=int(book["orders"]) if book else 0), flush=True)
    options = {
        "bind": f"[{settings.host}]:{settings.port}"
        if ":" in settings.host
        else f"{settings.host}:{settings.port}",
        "workers": max(1, settings.workers),
        "worker_class": "sterling_mock.mock_server.doors.server.BoundedSyncWorker",
        "loglevel": settings.log_level,
        # request lines only when asked for (the pytest plugin shows them beside a failing test)
        "accesslog": "-" if settings.log_level.lower() in ("info", "debug") else None,
        # the path without its query string: the servlet and login tokens carry secrets there
        "access_log_format": '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms',
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 5,
        "keepalive": 5,
        # bounded request lines and headers: slow or oversized uploads fail fast
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "preload_app": True,
        "post_fork": _post_fork,
    }
    if book is not None:
        options["when_ready"] = partial(_seed_demo, book)
    _Gunicorn(app, options).run()
    sys.exit(0)


class BoundedSyncWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker with a timeout on each client socket, so a client that stops sending mid-request
    costs a worker at most ``request_timeout`` seconds (then HTTP 408, or the connection closed while headers
    were still arriving)."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        client.settimeout(self.app.application.extensions["sterling_mock"].settings.request_timeout)
        super().handle(listener, client, addr)


def _seed_demo(book: dict[str, Any], server: Any) -> None:
    """gunicorn's ``when_ready`` (the port is bound, no worker yet): the demo book is written by a child."""
    demo.start(server.app.application.extensions["sterling_mock"], book, list(server.LISTENERS))


def _post_fork(server: Any, worker: Any) -> None:
    app = server.app.application
    app.extensions["sterling_mock"].store.after_fork()
