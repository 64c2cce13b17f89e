"""Shared test fixtures: the app on an in-memory store, an authenticated test client, and a real server."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.client.wire import Doc, from_json, from_xml, to_json, to_xml
from sterling_mock.mock_server.base.ports import free_port
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app

pytest_plugins = ["pytester"]

BASIC = {"Authorization": "Basic " + base64.b64encode(b"admin:password").decode()}
ROOT = Path(__file__).resolve().parent.parent


class Api:
    """Calls ``/invoke/<api>`` through the Flask test client in JSON or XML and parses the answer."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def raw(
        self,
        api: str,
        doc: Doc,
        fmt: str = "json",
        *,
        root: str = "Order",
        headers: dict[str, str] | None = None,
        query: str = "",
    ) -> Any:
        body = to_xml(root, doc) if fmt == "xml" else to_json(root, doc)
        content_type = "application/xml" if fmt == "xml" else "application/json"
        all_headers = {**BASIC, "Content-Type": content_type, "Accept": content_type, **(headers or {})}
        return self.client.post(f"/smcfs/restapi/invoke/{api}{query}", data=body, headers=all_headers)

    def __call__(self, api: str, doc: Doc, fmt: str = "json", *, root: str = "Order", **kw: Any) -> Doc:
        response = self.raw(api, doc, fmt, root=root, **kw)
        assert response.status_code in (200, 204), (response.status_code, response.data[:2000])
        if response.status_code == 204:
            return {}
        return from_xml(response.data)[1] if fmt == "xml" else from_json(response.data)

    def error(
        self, api: str, doc: Doc, fmt: str = "json", *, root: str = "Order", **kw: Any
    ) -> tuple[int, Doc]:
        """(HTTP status, the first error as a flat dict with ErrorCode, ErrorDescription, MoreInfo...)."""
        response = self.raw(api, doc, fmt, root=root, **kw)
        assert response.status_code >= 400, response.data[:2000]
        if fmt == "xml":
            _, errors = from_xml(response.data)
            error = errors["Error"][0] if isinstance(errors["Error"], list) else errors["Error"]
            return response.status_code, error
        import json

        return response.status_code, json.loads(response.data)["errors"][0]


@pytest.fixture
def settings() -> Settings:
    return Settings(db=":memory:", demo_orders=0)


@pytest.fixture
def app(settings: Settings) -> Flask:
    return create_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def order_count(db: str, ns: str = "") -> int:
    """Orders in a store (all namespaces, or one), through the store itself: SQLite or PostgreSQL alike."""
    from sterling_mock.mock_server.store.core import Store

    store = Store(db)
    try:
        with store.read() as tx:
            sql, args = (
                ("SELECT count(*) FROM orders WHERE ns=?", (ns,))
                if ns
                else ("SELECT count(*) FROM orders", ())
            )
            return int(tx.conn.execute(sql, args).fetchone()[0])
    finally:
        store.close()


class LiveServer:
    """``sterling-mock serve`` under gunicorn on a free 127.0.0.1 port, in its own temporary store."""

    def __init__(
        self, tmp: Path, *args: str, env: dict[str, str] | None = None, db: str | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = self.url + "/smcfs/restapi"
        self.log_path = tmp / f"server-{self.port}.log"
        self.db = db or str(tmp / f"store-{self.port}.db")
        cmd = [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "serve",
            "--port",
            str(self.port),
            "--db",
            self.db,
            "--quiet",
            "--demo-orders",
            "0",
            *args,
        ]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {})}
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log_path.read_text(errors="replace"))
            try:
                # any answer from the control plane means the server is up (401 when a control token is set)
                if requests.get(self.url + "/_fake/health", timeout=1).status_code in (200, 401):
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("server did not start:\n" + self.log_path.read_text(errors="replace"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()
