"""In-process mode: requests calls served by the fake's WSGI app, no socket, the same answers as over HTTP."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import requests
import responses

from sterling_mock.client import RetryPolicy, SterlingClient, ThrottledError, TransportError
from sterling_mock.mock_server.doors.inprocess import sterling_mock
from sterling_mock.mock_server.pytest_plugin import Sterling
from tests.conftest import LiveServer

AUTH = ("admin", "password")
ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}}]},
}
EXCEPTION_ID = re.compile(rb'ErrorUniqueExceptionId"?[:=]"[0-9a-f]+"')  # random in Sterling too


def conversation(url: str) -> list[requests.Response]:
    """The same calls, in JSON and XML, good and bad, through every kind of answer."""
    with requests.Session() as session:
        session.auth = AUTH
        # its own namespace on the shared live server (frozen clock and all), reset at the end
        session.headers["X-Sterling-Mock-Namespace"] = "same-answers"
        session.post(
            url + "/_fake/clock", json={"freeze": True, "set": "2025-01-27T10:00:00Z"}
        ).raise_for_status()
        invoke = url + "/smcfs/restapi/invoke/"
        made = session.post(invoke + "createOrder", json=ORDER)
        key = made.json()["OrderHeaderKey"]
        xml = {"Content-Type": "application/xml", "Accept": "application/xml"}
        return [
            made,
            session.post(invoke + "getOrderDetails", data=f'<Order OrderHeaderKey="{key}"/>', headers=xml),
            session.post(invoke + "getOrderDetails", json={"OrderHeaderKey": "nope"}),
            session.post(invoke + "getOrderDetails", data='<Order OrderHeaderKey="nope"/>', headers=xml),
            session.post(invoke + "scheduleOrder", json={"OrderHeaderKey": key}),
            session.post(invoke + "createOrder", json=ORDER, auth=("admin", "wrong")),
            session.get(url + "/smcfs/restapi/order/" + key),
            session.post(url + "/smcfs/interop/InteropHttpServlet", data={"InteropApiName": "getOrderList"}),
            session.post(url + "/_fake/reset", json={}),
        ]


def test_the_same_answers_as_over_http(live_server: LiveServer) -> None:
    over_http = conversation(live_server.url)
    with sterling_mock():
        in_process = conversation("http://sterling.example")
    for http, local in zip(over_http, in_process, strict=True):
        assert (local.status_code, local.headers.get("Content-Type")) == (
            http.status_code,
            http.headers.get("Content-Type"),
        )
        assert EXCEPTION_ID.sub(b"", local.content) == EXCEPTION_ID.sub(b"", http.content)
        # gunicorn adds Server and Connection; everything the fake itself sends is there
        assert set(local.headers) <= set(http.headers)
    assert [r.status_code for r in in_process] == [200, 200, 400, 400, 204, 400, 200, 200, 200]


def test_module_level_requests_are_served() -> None:
    with sterling_mock():
        made = requests.post(
            "http://sterling.example/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5
        )
        assert made.status_code == 200 and made.json()["OrderNo"] == "Y100000001"
        assert "GMT" in made.headers["Date"]


def test_client_throttling_in_process() -> None:
    with (
        sterling_mock("http://sterling.test", throttle_enabled=True, throttle_rate=1.0, throttle_burst=1),
        SterlingClient("http://sterling.test", retry=RetryPolicy.none()) as client,
    ):
        client.create_order(ORDER)
        with pytest.raises(ThrottledError) as refused:
            client.create_order(ORDER)
        assert refused.value.retry_after is not None and refused.value.retry_after >= 1


def test_connection_faults_look_like_dropped_connections() -> None:
    with sterling_mock() as mock:
        requests.post(
            "http://h/_fake/faults",
            json={"api": "createOrder", "action": {"type": "reset"}, "times": 1},
            timeout=5,
        ).raise_for_status()
        with SterlingClient("http://h", retry=RetryPolicy.none()) as client, pytest.raises(TransportError):
            client.create_order(ORDER)
        with mock.fake.store.read() as tx:
            assert tx.count_orders("default") == 0


def test_a_slow_answer_times_out_like_over_http() -> None:
    """The client gives up at its read timeout and the server finishes the call anyway."""
    with sterling_mock() as mock:
        requests.post(
            "http://h/_fake/faults",
            json={"api": "createOrder", "action": {"type": "latency", "ms": 400}, "times": 1},
            timeout=5,
        ).raise_for_status()
        with pytest.raises(requests.ReadTimeout):
            requests.post(
                "http://h/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=(5, 0.1)
            )
        with mock.fake.store.read() as tx:
            assert tx.count_orders("default") == 1


def test_each_block_starts_clean() -> None:
    def total() -> str:
        response = requests.post("http://h/smcfs/restapi/invoke/getOrderList", json={}, auth=AUTH, timeout=5)
        return str(response.json()["TotalOrderList"])

    with sterling_mock():
        requests.post("http://h/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5)
        assert total() == "1"
    with sterling_mock():
        assert total() == "0"


def test_file_store_keeps_state(tmp_path: Path) -> None:
    db = str(tmp_path / "inproc.db")
    with sterling_mock(db=db):
        requests.post("http://h/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5)
    with sterling_mock(db=db):
        total = requests.post("http://h/smcfs/restapi/invoke/getOrderList", json={}, auth=AUTH, timeout=5)
        assert total.json()["TotalOrderList"] == "1"


@sterling_mock()
def test_as_a_decorator() -> None:
    assert requests.get("http://any-host/_fake/health", timeout=5).json()["status"] == "ok"


def test_as_a_fixture_with_the_same_helpers(sterling_inprocess: Sterling) -> None:
    made = sterling_inprocess.create_order(EnterpriseCode="Aurora", lines=1)
    sterling_inprocess.advance(made["OrderHeaderKey"], "3700")
    # code under test needs no namespace header: the whole fake is this test's
    assert sterling_inprocess.headers == {}
    with SterlingClient("http://sterling.local") as theirs:
        assert theirs.get_order(made["OrderHeaderKey"])["Status"] == "Shipped"
    assert len(sterling_inprocess.calls("createOrder", EnterpriseCode="Aurora")) == 1
    sterling_inprocess.fault("getOrderList", {"type": "http", "status": 503}, times=1)
    assert (
        requests.post(
            sterling_inprocess.base_url + "/invoke/getOrderList", json={}, auth=AUTH, timeout=5
        ).status_code
        == 503
    )
    assert sterling_inprocess.clock.freeze("2030-01-01T00:00:00Z")["frozen"] is True
    assert sterling_inprocess.mock is not None
    with sterling_inprocess.mock.fake.store.read() as tx:
        assert tx.order_exists("default", made["OrderHeaderKey"])


def test_calls_from_other_threads_are_served() -> None:
    with sterling_mock(), ThreadPoolExecutor(4) as pool:
        made = list(
            pool.map(
                lambda _: requests.post(
                    "http://h/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5
                ).json()["OrderNo"],
                range(16),
            )
        )
    assert sorted(made) == [f"Y1000000{n:02d}" for n in range(1, 17)]


class _Other(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"not sterling")

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def other_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Other)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_other_urls_pass_through(other_server: str) -> None:
    with sterling_mock("http://sterling.test"):
        assert requests.get(other_server + "/anything", timeout=5).text == "not sterling"
        # outside the base URL, /smcfs/ paths are not routed either
        assert requests.get(other_server + "/smcfs/restapi/x", timeout=5).text == "not sterling"
        assert requests.get("http://sterling.test/_fake/health", timeout=5).json()["status"] == "ok"


def test_a_responses_mock_around_the_block_keeps_its_urls() -> None:
    with responses.RequestsMock() as theirs:
        theirs.add(responses.GET, "http://payments.example/charge", json={"ok": True})
        with sterling_mock():
            assert requests.get("http://payments.example/charge", timeout=5).json() == {"ok": True}
            made = requests.post(
                "http://h/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5
            )
            assert made.json()["OrderNo"] == "Y100000001"


def test_nested_blocks_each_serve_their_own_url() -> None:
    with sterling_mock("http://a.test"), sterling_mock("http://b.test"):
        requests.post("http://a.test/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5)
        totals = [
            requests.post(
                f"http://{host}/smcfs/restapi/invoke/getOrderList", json={}, auth=AUTH, timeout=5
            ).json()
            for host in ("a.test", "b.test")
        ]
    assert [t["TotalOrderList"] for t in totals] == ["1", "0"]


def test_one_instance_is_not_entered_twice() -> None:
    mock = sterling_mock()
    with mock, pytest.raises(RuntimeError, match="already active"), mock:
        pass
