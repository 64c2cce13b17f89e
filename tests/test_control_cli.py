"""The control plane from the command line: ``sterling-mock reset|seed|faults|clock|journal|summary --url``."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from sterling_mock.mock_server.__main__ import main
from tests.conftest import ROOT, LiveServer


def cli(capsys: pytest.CaptureFixture[str], server: LiveServer, ns: str, *args: str) -> tuple[int, Any]:
    code = main([*args, "--url", server.url, "--namespace", ns])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_a_session_from_the_command_line(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ns = f"cli-{uuid.uuid4().hex[:6]}"
    assert cli(capsys, live_server, ns, "seed", "--orders", "7", "--seed", "3")[1] == {"created": 7}
    assert cli(capsys, live_server, ns, "summary")[1]["orders"] == 7
    code, clock = cli(capsys, live_server, ns, "clock", "freeze")
    assert code == 0 and clock["frozen"] is True
    assert (
        cli(capsys, live_server, ns, "clock", "set", "2025-01-01T00:00:00Z")[1]["now"]
        == "2025-01-01T00:00:00+00:00"
    )
    assert cli(capsys, live_server, ns, "clock", "advance", "PT2H")[1]["now"] == "2025-01-01T02:00:00+00:00"
    code, rule = cli(
        capsys,
        live_server,
        ns,
        "faults",
        "add",
        "--api",
        "createOrder",
        "--error",
        "YFS10003:YFS:Invalid Order",
        "--times",
        "1",
        "--match",
        "EnterpriseCode=Aurora",
    )
    assert (
        code == 0
        and rule["action"]["description"] == "YFS:Invalid Order"
        and rule["match"] == {"EnterpriseCode": "Aurora"}
    )
    response = requests.post(
        f"{live_server.base_url}/invoke/createOrder",
        json={"EnterpriseCode": "Aurora"},
        auth=("admin", "password"),
        headers={"X-Sterling-Mock-Namespace": ns},
        timeout=10,
    )
    assert response.json()["errors"][0]["ErrorCode"] == "YFS10003"
    assert cli(capsys, live_server, ns, "faults", "add", "--api", "getOrderList", "--http", "503")[0] == 0
    assert len(cli(capsys, live_server, ns, "faults")[1]["faults"]) == 1
    assert cli(capsys, live_server, ns, "faults", "clear")[1] == {"cleared": True}
    journal = cli(capsys, live_server, ns, "journal", "--api", "createOrder")[1]
    assert [e["error_code"] for e in journal["entries"]] == ["YFS10003"]
    assert cli(capsys, live_server, ns, "throttle", "--on", "--burst", "5")[1]["burst"] == 5
    assert cli(capsys, live_server, ns, "throttle", "--off")[1]["enabled"] is False
    snapshot = tmp_path / "state.json"
    assert cli(capsys, live_server, ns, "state", "export", str(snapshot))[1]["orders"] == 7
    assert cli(capsys, live_server, ns + "-b", "state", "import", str(snapshot))[1]["imported"]["orders"] == 7
    assert cli(capsys, live_server, ns, "reset")[1] == {"reset": [ns]}
    assert cli(capsys, live_server, ns + "-b", "reset")[1] == {"reset": [ns + "-b"]}
    assert cli(capsys, live_server, ns, "summary")[1]["orders"] == 0


def test_refusals_and_unreachable_servers_exit_non_zero(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["faults", "delete", "f999", "--url", live_server.url]) == 1
    assert "NOT_FOUND" in capsys.readouterr().err
    assert main(["clock", "advance", "soon", "--url", live_server.url]) == 1
    assert main(["summary", "--url", "http://127.0.0.1:9"]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_the_console_script_entry_point(live_server: LiveServer) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sterling_mock.mock_server",
            "summary",
            "--url",
            live_server.url,
            "--namespace",
            "cli-entry",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["namespace"] == "cli-entry"
