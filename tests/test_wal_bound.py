"""The SQLite write-ahead log stays bounded after bulk work: seeding and an agents run over the demo book end with
a truncating checkpoint, so the log does not sit at tens of megabytes beside the store until a restart."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from sterling_mock.mock_server.store import walcheckpoint
from tests.conftest import LiveServer

pytestmark = pytest.mark.sqlite_only


def _wal(db: str) -> int:
    path = db + "-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


def _wait_seeded(server: LiveServer) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not requests.get(server.url + "/_fake/health", timeout=10).json().get("seeding"):
            return
        time.sleep(0.1)
    raise AssertionError("the demo seed did not finish")


def test_the_wal_is_bounded_after_seeding_and_an_agents_run(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, "--demo-orders", "300")
    try:
        _wait_seeded(server)
        assert _wal(server.db) <= walcheckpoint.WAL_BOUND_BYTES
        # the demo book as issue 28 met it (300 orders at Created), walked to Shipped: ~1,000 write calls
        book = {"X-Sterling-Mock-Namespace": "created-book"}
        seeded = requests.post(
            server.url + "/_fake/seed", json={"orders": 300, "statuses": ["1100"]}, headers=book, timeout=300
        )
        assert seeded.status_code == 200, seeded.text
        moved = 0
        for headers in ({}, book, book):
            answer = requests.post(
                server.url + "/_fake/agents/run", json={"steps": 2}, headers=headers, timeout=300
            )
            assert answer.status_code == 200, answer.text
            moved += sum(answer.json()["moved"].values())
            assert _wal(server.db) <= walcheckpoint.WAL_BOUND_BYTES, _wal(server.db)
        assert moved > 500
        assert _wal(server.db) < os.path.getsize(server.db)  # not a log several times the store, as before
    finally:
        server.stop()


def test_a_seed_through_the_control_plane_leaves_a_small_wal(tmp_path: Path) -> None:
    server = LiveServer(tmp_path)
    try:
        seeded = requests.post(server.url + "/_fake/seed", json={"orders": 300, "seed": 3}, timeout=300)
        assert seeded.status_code == 200, seeded.text
        assert _wal(server.db) <= walcheckpoint.WAL_BOUND_BYTES
    finally:
        server.stop()
