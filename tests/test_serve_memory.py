"""``sterling-mock serve --db :memory:``: the workers are processes, so the store is a temporary file they share,
removed when the server stops -- every route works (an in-memory store per process answered 500s)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from sterling_mock.mock_server.base.ports import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_serve_with_an_in_memory_store(tmp_path: Path) -> None:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "sterling_mock.mock_server",
        "serve",
        "--db",
        ":memory:",
        "--port",
        str(port),
    ]
    cmd += ["--workers", "2", "--demo-orders", "0", "--quiet"]
    server = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/_fake/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        assert requests.put(url + "/_fake/agents", json={"enabled": False}, timeout=10).status_code == 200
        made = requests.post(
            url + "/smcfs/restapi/invoke/createOrder",
            json={"EnterpriseCode": "Matrix-R"},
            auth=("admin", "password"),
            timeout=10,
        )
        assert made.status_code == 200, made.text
        key = made.json()["OrderHeaderKey"]
        for _ in range(6):  # whichever worker answers, it reads the same store
            read = requests.post(
                url + "/smcfs/restapi/invoke/getOrderDetails",
                json={"OrderHeaderKey": key},
                auth=("admin", "password"),
                timeout=10,
            )
            assert read.status_code == 200, read.text
        assert requests.get(url + "/_fake/journal", timeout=10).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=30)
    folder = re.search(r"removed on exit \((.+?)\)", err)
    assert folder is not None, err
    assert not os.path.exists(folder.group(1))
