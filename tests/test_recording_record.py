"""The recorder against a second fake standing in for a real Sterling: what it writes, what it keeps out of the
files, its modes, and a recorder killed mid-session."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sterling_mock.mock_server.base.ports import free_port
from sterling_mock.mock_server.recording.format import FORMAT_VERSION, FormatError, Session
from sterling_mock.mock_server.recording.proxy import Recorder, RedactionError
from sterling_mock.mock_server.recording.redact import Redactor
from tests.recording_support import REAL_PASSWORD, REAL_USER, Recorded, real_instance, record_session, served


@pytest.fixture(scope="module")
def real() -> Iterator[str]:
    with real_instance() as url:
        yield url


@pytest.fixture(scope="module")
def recorded(real: str, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return record_session(tmp_path_factory.mktemp("rec") / "checkout", real)


def test_every_call_is_kept_in_order_with_what_a_replay_needs(recorded: Recorded) -> None:
    session = Session.open(recorded.path)
    assert session.manifest["format"] == FORMAT_VERSION and session.manifest["clean"] is True
    apis = [e["api"] for e in session.entries]
    assert apis == [
        "login",
        "createOrder",
        "getOrderDetails",
        "jwt",
        "changeOrder",
        "getOrderDetails",
        "getOrderList",
        "scheduleOrder",
        "getOrderDetails",
        "getLoyaltyDetails",
        "getLoyaltyTierList",
        "getLoyaltyTierList",
        "getLoyaltyTierList",
    ]
    exchanges = session.exchanges()
    xml_read = exchanges[2]
    assert xml_read["request"]["format"] == "xml" and xml_read["response"]["format"] == "xml"
    assert xml_read["response"]["body"].startswith("<?xml") and xml_read["auth"] == "token"
    assert [e["transport"] for e in exchanges[:4]] == ["login", "rest", "rest", "jwt"]
    assert exchanges[4]["auth"] == "bearer" and exchanges[4]["auth_ref"] == "{{jwt:1}}"
    assert exchanges[6]["response"]["status"] == 400 and exchanges[7]["response"]["status"] == 204
    assert exchanges[8]["transport"] == "interop" and exchanges[8]["auth"] == "interop"
    assert all(e["duration_ms"] >= 0 and e["started"] for e in exchanges)
    # the real answers came back to the client: the order number is the real instance's (3 orders before)
    assert json.loads(exchanges[1]["response"]["body"])["OrderNo"] == "Y100000004"


def test_no_secret_reaches_any_file(recorded: Recorded) -> None:
    files = sorted(p for p in recorded.path.rglob("*") if p.is_file())
    assert len(files) >= 14
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in recorded.secrets:
            assert secret not in text, f"{path.name} holds a secret"
        assert '"Authorization"' not in text and "eyJ" not in text
    login = json.loads((recorded.path / "exchanges" / "0001-login.json").read_text())
    assert json.loads(login["request"]["body"]) == {"LoginID": "{{loginid:1}}", "Password": "{{password:1}}"}
    assert json.loads(login["response"]["body"])["UserToken"] == "{{token:1}}"
    create = json.loads((recorded.path / "exchanges" / "0002-createOrder.json").read_text())
    assert create["request"]["query"] == [["_loginid", "{{loginid:1}}"], ["_token", "{{token:1}}"]]
    interop = json.loads((recorded.path / "exchanges" / "0009-getOrderDetails.json").read_text())
    params = dict(interop["request"]["query"])
    assert params["YFSEnvironment.password"] == "{{password:1}}"
    assert params["YFSEnvironment.userId"] == "{{loginid:1}}"
    assert set(create["request"]["headers"]) <= {"Content-Type", "Accept", "X-Sterling-Mock-Namespace"}


def test_a_session_still_holding_a_secret_is_not_closed_as_clean(tmp_path: Path) -> None:
    session = Session.create(tmp_path / "leaky")
    redactor = Redactor()
    redactor.learn("a-long-real-token-value", "token")
    session.append({"api": "x", "request": {"body": "a-long-real-token-value"}, "response": {"status": 200}})
    recorder = Recorder("http://127.0.0.1:9", session)
    recorder.redactor = redactor
    with pytest.raises(RedactionError) as caught:
        recorder.close()
    assert caught.value.findings == ["0001-x.json: the real value of {{token:1}}"]
    manifest = json.loads((tmp_path / "leaky" / "manifest.json").read_text())
    assert manifest["clean"] is False and "a-long-real-token-value" not in json.dumps(manifest)


def test_a_token_pattern_alone_is_found() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJxYSJ9.c2lnbmF0dXJl"
    assert Redactor().scrub(f'{{"note":"{jwt}"}}') == '{"note":"{{jwt:1}}"}'


def test_fake_customer_values_are_consistent(real: str, tmp_path: Path) -> None:
    session = Session.create(tmp_path / "customers", target=real)
    recorder = Recorder(real, session, fake_customers=True)
    order = {
        "EnterpriseCode": "Matrix-R",
        "PersonInfoShipTo": {"FirstName": "Margaret", "LastName": "Hamilton", "EMailID": "mh@nasa.example"},
    }
    with served(recorder) as proxy:
        base = proxy + "/smcfs/restapi/invoke"
        created = requests.post(f"{base}/createOrder", json=order, auth=(REAL_USER, REAL_PASSWORD)).json()
        read = {"OrderHeaderKey": created["OrderHeaderKey"]}
        answer = requests.post(f"{base}/getOrderDetails", json=read, auth=(REAL_USER, REAL_PASSWORD)).json()
    assert answer["PersonInfoShipTo"]["FirstName"] == "Margaret"  # the client sees the real answer
    recorder.close()
    text = "".join(p.read_text() for p in (tmp_path / "customers" / "exchanges").iterdir())
    assert "Margaret" not in text and "Hamilton" not in text and "mh@nasa.example" not in text
    sent = json.loads(
        json.loads((tmp_path / "customers/exchanges/0001-createOrder.json").read_text())["request"]["body"]
    )
    back = json.loads(
        json.loads((tmp_path / "customers/exchanges/0002-getOrderDetails.json").read_text())["response"][
            "body"
        ]
    )
    assert sent["PersonInfoShipTo"]["FirstName"] == back["PersonInfoShipTo"]["FirstName"] != "Margaret"
    assert back["PersonInfoShipTo"]["EMailID"].endswith("@example.com")


def test_append_records_only_calls_without_a_recording(recorded: Recorded, real: str, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "more"
    shutil.copytree(recorded.path, copy)
    recorder = Recorder(real, Session.open(copy), mode="append")
    with served(recorder) as proxy:
        base = proxy + "/smcfs/restapi/invoke"
        auth = (REAL_USER, REAL_PASSWORD)
        known = requests.post(f"{base}/getLoyaltyDetails", json={"CustomerID": "C-1"}, auth=auth)
        new = requests.post(f"{base}/getLoyaltyDetails", json={"CustomerID": "C-2"}, auth=auth)
    assert known.json()["CustomerID"] == "C-1"  # answered from the session
    assert new.status_code == 400  # forwarded: the real instance does not know C-2
    recorder.close()
    assert [e["api"] for e in Session.open(copy).entries][-1] == "getLoyaltyDetails"
    assert len(Session.open(copy).entries) == len(Session.open(recorded.path).entries) + 1


def test_passthrough_keeps_nothing(real: str) -> None:
    recorder = Recorder(real, None, mode="passthrough")
    with served(recorder) as proxy:
        answer = requests.post(
            proxy + "/smcfs/restapi/invoke/getLoyaltyDetails",
            json={"CustomerID": "C-1"},
            auth=(REAL_USER, REAL_PASSWORD),
        )
    assert answer.json()["CustomerID"] == "C-1"
    assert recorder.close() == []


def test_a_new_session_refuses_an_existing_folder(recorded: Recorded) -> None:
    with pytest.raises(FormatError):
        Session.create(recorded.path)


def test_a_killed_recorder_leaves_a_readable_session(real: str, tmp_path: Path) -> None:
    out, port = tmp_path / "killed", free_port()
    command = [sys.executable, "-m", "sterling_mock.mock_server", "record", "--target", real]
    command += ["--out", str(out), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/smcfs/restapi/invoke"
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the recorder did not start"
                time.sleep(0.05)
        for _ in range(3):
            answer = requests.post(
                f"{base}/getLoyaltyTierList", json={"Program": "REWARDS"}, auth=(REAL_USER, REAL_PASSWORD)
            )
            assert answer.status_code == 200
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
    session = Session.open(out)
    assert session.manifest["closed"] is None  # never closed, yet every exchange it acknowledged is there
    assert [e["api"] for e in session.entries] == ["getLoyaltyTierList"] * 3
    assert [json.loads(e["response"]["body"])["LoyaltyTier"][0]["TierCode"] for e in session.exchanges()] == [
        "A"
    ] * 3
    assert not [p for p in out.rglob(".tmp-*")]


def test_record_around_a_command_then_drift(
    real: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What ``make contract RECORDING=...`` runs: the command sees the proxy as STERLING_URL; when it exits the
    session closes and its drift report is written."""
    from sterling_mock.mock_server.__main__ import main

    script = (
        "import os, requests\n"
        "base = os.environ['STERLING_URL'] + '/restapi/invoke/'\n"
        f"auth = ({REAL_USER!r}, {REAL_PASSWORD!r})\n"
        "assert requests.post(base + 'getOrderList', json={'OrderNo': 'Y1'}, auth=auth).status_code == 400\n"
        "assert requests.post(base + 'getLoyaltyDetails', json={'CustomerID': 'C-1'}, auth=auth).ok\n"
    )
    out, report = tmp_path / "contract", tmp_path / "drift.json"
    argv = ["record", "--target", real, "--out", str(out), "--port", "0", "--drift", "--json", str(report)]
    assert main([*argv, "--", sys.executable, "-c", script]) == 0
    assert Session.open(out).manifest["clean"] is True and (out / "stubs.json").exists()
    drift = json.loads(report.read_text())
    assert [(d["api"], d["kind"]) for d in drift["differences"]] == [("getOrderList", "status")]
    assert drift["unmodelled"] == {"getLoyaltyDetails": [2]}
    assert "2 exchanges" in capsys.readouterr().out


def test_short_passwords_form_bodies_and_cookies_are_replaced_where_they_sit() -> None:
    red = Redactor()
    form = "InteropApiName=getOrderList&YFSEnvironment.userId=ops&YFSEnvironment.password=pw"
    red.learn("pw", "password")
    red.learn("ops", "loginid")
    assert red.scrub(form, structured=True) == (
        "InteropApiName=getOrderList&YFSEnvironment.userId={{loginid:1}}&YFSEnvironment.password={{password:1}}"
    )
    assert red.scrub('{"Password":"pw","Note":"pw is two letters"}', structured=True) == (
        '{"Password":"{{password:1}}","Note":"pw is two letters"}'
    )
    red.learn_cookies("JSESSIONID=0123456789ABCDEF; Path=/smcfs")
    assert red.scrub("cookie 0123456789ABCDEF seen") == "cookie {{cookie:1}} seen"
    assert red.restore("_token={{cookie:1}}") == "_token=0123456789ABCDEF"
