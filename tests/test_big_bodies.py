"""Oversized bodies reach the client as a 413 error document: a client that sends its whole body before reading
(``requests``, Java's HttpClient: no ``Expect: 100-continue``) reads the answer instead of a connection reset.

Up to ``max_swallow_bytes`` the server reads and discards the rest of an over-limit body before it answers;
past that it answers (or not) and closes at once.  Every request here carries timeouts, so a server that stopped
reading without closing would fail the test instead of hanging it.
"""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import LiveServer

MB = 1024 * 1024
AUTH = ("admin", "password")
BASIC = "Basic " + base64.b64encode(b"admin:password").decode()
#: (connect, read) seconds: a server that neither reads nor closes makes the send time out, not hang.
TIMEOUT = (5, 30)
BIG = 15 * MB  # over max_body_bytes (10 MB), under max_swallow_bytes (30 MB)
HUGE = 50 * MB  # past max_swallow_bytes


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("big-bodies"))
    yield live
    live.stop()


def _json_body(size: int) -> bytes:
    """A syntactically plausible JSON document of ``size`` bytes."""
    head = b'{"EnterpriseCode":"Matrix-R","Notes":"'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def _error(response: requests.Response) -> dict[str, object]:
    error: dict[str, object] = response.json()["errors"][0]
    return error


def test_a_15_mb_json_body_reads_the_413_error_document(server: LiveServer) -> None:
    response = requests.post(
        f"{server.base_url}/invoke/createOrder",
        data=_json_body(BIG),
        headers={"Content-Type": "application/json"},
        auth=AUTH,
        timeout=TIMEOUT,
    )
    assert response.status_code == 413
    error = _error(response)
    assert error["ErrorCode"] == "MOCK0004"
    assert error["httpcode"] == 413
    assert "10485760" in json.dumps(error["MoreInfo"])
    assert response.headers["Content-Type"].startswith("application/json")


def test_a_client_that_sends_everything_before_reading_gets_the_413(server: LiveServer) -> None:
    """The standard library's client, like Java's, fails on a send error: before the fix the server stopped
    reading after the headers and the send broke after a few MB (``BrokenPipeError``)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT[1])
    try:
        conn.request(
            "POST",
            "/smcfs/restapi/invoke/createOrder",
            body=_json_body(BIG),
            headers={"Content-Type": "application/json", "Authorization": BASIC},
        )
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["errors"][0]["ErrorCode"] == "MOCK0004"
    finally:
        conn.close()


def test_a_15_mb_xml_body_reads_the_413_in_xml(server: LiveServer) -> None:
    body = b"<Order EnterpriseCode='Matrix-R' Notes='" + b"x" * BIG + b"'/>"
    response = requests.post(
        f"{server.base_url}/invoke/createOrder",
        data=body,
        headers={"Content-Type": "application/xml", "Accept": "application/xml"},
        auth=AUTH,
        timeout=TIMEOUT,
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/xml")
    assert b'ErrorCode="MOCK0004"' in response.content


def test_a_15_mb_chunked_body_reads_the_413(server: LiveServer) -> None:
    """No Content-Length: the limit is met while reading; the rest is still read before the answer."""
    body = _json_body(BIG)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), MB):
            yield body[start : start + MB]

    response = requests.post(
        f"{server.base_url}/invoke/createOrder",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        auth=AUTH,
        timeout=TIMEOUT,
    )
    assert response.status_code == 413
    assert _error(response)["ErrorCode"] == "MOCK0004"


def test_every_door_answers_a_big_body_with_its_own_413(server: LiveServer) -> None:
    body = _json_body(BIG)
    interop = requests.post(
        f"{server.url}/smcfs/interop/InteropHttpServlet",
        data=b"InteropApiName=createOrder&InteropApiData=" + b"x" * BIG,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=TIMEOUT,
    )
    assert interop.status_code == 413
    assert b"<Errors>" in interop.content and b"MOCK0004" in interop.content
    resource = requests.post(
        f"{server.base_url}/order",
        data=body,
        headers={"Content-Type": "application/json"},
        auth=AUTH,
        timeout=TIMEOUT,
    )
    assert resource.status_code == 413
    assert _error(resource)["ErrorCode"] == "MOCK0004"
    control = requests.post(
        f"{server.url}/_fake/seed", data=body, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    assert control.status_code == 413
    assert "error" in control.json()  # the control plane's own error shape


def test_past_the_swallow_bound_the_connection_closes_at_once(server: LiveServer) -> None:
    """50 MB: the server reads no more than its bound; the client sees the 413 or a closed connection, never a
    timeout.  The server keeps serving afterwards."""
    try:
        response = requests.post(
            f"{server.base_url}/invoke/createOrder",
            data=_json_body(HUGE),
            headers={"Content-Type": "application/json"},
            auth=AUTH,
            timeout=TIMEOUT,
        )
    except requests.Timeout as exc:  # pragma: no cover - the failure this test is about
        pytest.fail(f"the server neither answered nor closed: {exc!r}")
    except requests.ConnectionError:
        pass  # closed while the client was still sending: what "close at once" looks like to it
    else:
        assert response.status_code == 413
        assert _error(response)["ErrorCode"] == "MOCK0004"
    after = requests.post(
        f"{server.base_url}/invoke/getOrderList",
        json={"MaximumRecords": "1"},
        auth=AUTH,
        timeout=TIMEOUT,
    )
    assert after.status_code == 200


def test_a_body_under_the_limit_is_still_served(server: LiveServer) -> None:
    """Bodies under ``max_body_bytes`` are untouched by the swallowing: a 2 MB note is stored."""
    note = "n" * (2 * MB)
    made = requests.post(
        f"{server.base_url}/invoke/createOrder",
        json={"EnterpriseCode": "Matrix-R", "Notes": {"Note": [{"NoteText": note}]}},
        auth=AUTH,
        timeout=TIMEOUT,
    )
    assert made.status_code == 200, made.text[:300]


def test_the_bound_is_a_setting(tmp_path: Path) -> None:
    """``max_swallow_bytes`` 0: nothing over the limit is read; a 15 MB body gets the 413 or a closed
    connection, promptly."""
    live = LiveServer(tmp_path, env={"STERLING_MOCK_MAX_SWALLOW_BYTES": "0"})
    try:
        try:
            response = requests.post(
                f"{live.base_url}/invoke/createOrder",
                data=_json_body(BIG),
                headers={"Content-Type": "application/json"},
                auth=AUTH,
                timeout=TIMEOUT,
            )
        except requests.Timeout as exc:  # pragma: no cover
            pytest.fail(f"the server neither answered nor closed: {exc!r}")
        except requests.ConnectionError:
            pass
        else:
            assert response.status_code == 413
    finally:
        live.stop()


def test_in_process_mode_answers_413_too() -> None:
    from sterling_mock.mock_server.doors.inprocess import sterling_mock

    with sterling_mock() as fake:
        response = requests.post(
            f"{fake.url}/smcfs/restapi/invoke/createOrder",
            data=_json_body(BIG),
            headers={"Content-Type": "application/json"},
            auth=AUTH,
            timeout=TIMEOUT,
        )
    assert response.status_code == 413
    assert _error(response)["ErrorCode"] == "MOCK0004"
