"""Security basics: secrets never reach the journal or the log; a warning when binding beyond loopback."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from flask.testing import FlaskClient

from tests.conftest import BASIC, LiveServer

SECRET = "s3cr3t-Pa55"


def test_no_password_or_token_in_the_journal(client: FlaskClient) -> None:
    app = client.application
    app.extensions["sterling_mock"].settings.users["ops"] = SECRET
    login = client.post("/smcfs/restapi/invoke/login", json={"LoginID": "ops", "Password": SECRET})
    token = login.json["UserToken"]
    client.post(f"/smcfs/restapi/invoke/getOrderList?_loginid=ops&_token={token}", json={})
    client.post(
        f"/smcfs/interop/InteropHttpServlet?InteropApiName=getOrderList&YFSEnvironment.userId=ops"
        f"&YFSEnvironment.password={SECRET}&InteropApiData=%3COrder/%3E"
    )
    client.post("/smcfs/restapi/invoke/login", json={"LoginID": "ops", "Password": "wrong-" + SECRET})
    client.post("/smcfs/restapi/invoke/createOrder", json={"EnterpriseCode": "E"}, headers=BASIC)
    journal = client.get("/_fake/journal?limit=100").get_data(as_text=True)
    assert len(json.loads(journal)["entries"]) >= 4
    assert SECRET not in journal
    assert token not in journal


def test_secrets_never_in_the_server_log(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, "--users", f"ops:{SECRET}", "--log-level", "debug")
    try:
        base = server.base_url
        token = requests.post(
            base + "/invoke/login", json={"LoginID": "ops", "Password": SECRET}, timeout=10
        ).json()
        requests.post(
            base + f"/invoke/getOrderList?_loginid=ops&_token={token['UserToken']}", json={}, timeout=10
        )
        requests.post(base + "/invoke/getOrderList", json={}, auth=("ops", "wrong-" + SECRET), timeout=10)
        requests.post(
            server.url + "/smcfs/interop/InteropHttpServlet",
            timeout=10,
            params={
                "InteropApiName": "getOrderList",
                "YFSEnvironment.userId": "ops",
                "YFSEnvironment.password": SECRET,
                "InteropApiData": "<Order/>",
            },
        )
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace")
    assert SECRET not in log
    assert token["UserToken"] not in log


def test_warns_when_binding_beyond_loopback(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT, free_port

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
            "--db",
            str(tmp_path / "w.db"),
            "--quiet",
            "--demo-orders",
            "0",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline().decode()
        assert "warning" in first and "reachable from the network" in first
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr is not None:
            process.stderr.close()


def test_slow_upload_gets_408_not_a_stuck_worker(tmp_path: Path) -> None:
    import socket
    import time

    server = LiveServer(tmp_path, env={"STERLING_MOCK_REQUEST_TIMEOUT": "1"})
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /smcfs/restapi/invoke/createOrder HTTP/1.1\r\nHost: x\r\n"
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Enter'
            )
            started = time.perf_counter()
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
            waited = time.perf_counter() - started
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"MOCK0010" in answer
        assert waited < 8
        assert requests.get(server.url + "/_fake/health", timeout=5).status_code == 200
    finally:
        server.stop()
