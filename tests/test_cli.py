"""The command line: ``serve`` seeds an empty store once and prints how to use it; ``seed`` is deterministic."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.seeding.seed import seed_orders
from sterling_mock.mock_server.store.core import Store
from tests.conftest import ROOT, LiveServer, order_count


def test_serve_seeds_demo_orders_once_and_prints_banner(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, "--demo-orders", "25")
    deadline = time.monotonic() + 60  # the demo book is written after the port opens (seeding.demo)
    while requests.get(server.url + "/_fake/health", timeout=10).json()["seeding"]:
        assert time.monotonic() < deadline, "the demo seed did not finish"
        time.sleep(0.05)
    server.stop()
    db = server.db
    assert order_count(db) == 25
    second = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "serve",
            "--port",
            str(server.port),
            "--db",
            db,
            "--demo-orders",
            "25",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        lines = []
        assert second.stdout is not None
        for raw in second.stdout:
            lines.append(raw.decode())
            if "getOrderDetails" in raw.decode():
                break
        text = "".join(lines)
        assert f"http://127.0.0.1:{server.port}/smcfs/restapi" in text
        assert "admin / password" in text
        assert "curl -u admin:password" in text
        assert "(25 orders)" in text  # not seeded a second time
        store = Store(db)
        with store.read() as tx:
            enterprise, order_no = tx.conn.execute(
                "SELECT enterprise_code, order_no FROM orders LIMIT 1"
            ).fetchone()
        store.close()
        deadline_ok = False
        for _ in range(200):
            try:
                response = requests.post(
                    f"http://127.0.0.1:{server.port}/smcfs/restapi/invoke/getOrderDetails",
                    json={"EnterpriseCode": enterprise, "OrderNo": order_no},
                    auth=("admin", "password"),
                    timeout=2,
                )
                deadline_ok = response.status_code == 200
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        assert deadline_ok
    finally:
        second.terminate()
        second.wait(10)
        if second.stdout is not None:
            second.stdout.close()


def test_seed_is_deterministic_for_a_seed_and_clock() -> None:
    docs = []
    for _ in range(2):
        fake = Fake(Settings(db=":memory:"))
        with fake.store.write() as tx:
            clock.freeze(tx, "default", True)
            clock.set_time(tx, "default", clock.parse_datetime("2025-03-01T12:00:00Z"))
        assert seed_orders(fake, "default", 20, seed=7) == 20
        with fake.store.read() as tx:
            docs.append([r[0] for r in tx.conn.execute("SELECT doc FROM orders ORDER BY id")])
    assert docs[0] == docs[1]


def test_seed_command(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    out = subprocess.run(
        [sys.executable, "-m", "sterling_mock.mock_server", "seed", "--orders", "30", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "seeded 30 orders" in out
    assert order_count(str(db)) == 30


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sterling_mock.mock_server", "serve", "--db", str(tmp_path / "x.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={"STERLING_MOCK_QUANTITY_FORMAT": "roman", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "quantity_format" in result.stderr


@pytest.mark.sqlite_only
def test_store_is_wal_and_versioned(tmp_path: Path) -> None:
    fake = Fake(Settings(db=str(tmp_path / "v.db")))
    with fake.store.read() as tx:
        assert tx.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert tx.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"


def test_bad_flows_file_fails_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "flows.json"
    bad.write_text('{"flows": [{"name": "X", "api": "noSuchApi"}]}')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "serve",
            "--db",
            str(tmp_path / "x.db"),
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={"STERLING_MOCK_FLOWS_FILE": str(bad), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "noSuchApi" in result.stderr
