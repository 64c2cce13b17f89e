"""In-process mode: requests calls served by the fake's WSGI app, no socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from client import SterlingClient, ThrottledError, TransportError
from mock_server.inprocess import sterling_mock

AUTH = ("admin", "password")
ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}}]},
}


def test_module_level_requests_are_served() -> None:
    with sterling_mock():
        made = requests.post(
            "http://sterling.example/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5
        )
        assert made.status_code == 200 and made.headers["Content-Type"] == "application/json; charset=UTF-8"
        read = requests.post(
            "http://sterling.example/smcfs/restapi/invoke/getOrderDetails",
            json={"OrderHeaderKey": made.json()["OrderHeaderKey"]},
            auth=AUTH,
            timeout=5,
        )
        assert read.json()["Status"] == "Created"
        xml = requests.post(
            "http://sterling.example/smcfs/restapi/invoke/getOrderDetails",
            data=f'<Order OrderHeaderKey="{made.json()["OrderHeaderKey"]}"/>',
            auth=AUTH,
            headers={"Content-Type": "application/xml", "Accept": "application/xml"},
            timeout=5,
        )
        assert xml.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Order ')


def test_same_errors_as_over_http() -> None:
    with sterling_mock():
        response = requests.post(
            "http://h/smcfs/restapi/invoke/getOrderDetails",
            json={"OrderHeaderKey": "x"},
            auth=AUTH,
            timeout=5,
        )
        assert response.status_code == 400 and response.json()["errors"][0]["ErrorCode"] == "YFS10003"
        assert (
            requests.post("http://h/smcfs/restapi/invoke/createOrder", json=ORDER, timeout=5).status_code
            == 400
        )


def test_client_throttling_and_faults_in_process() -> None:
    with sterling_mock("http://sterling.test", throttle_enabled=True, throttle_rate=1.0, throttle_burst=1):
        from client import RetryPolicy

        with SterlingClient("http://sterling.test", retry=RetryPolicy.none()) as client:
            client.create_order(ORDER)
            with pytest.raises(ThrottledError):
                client.create_order(ORDER)


def test_connection_faults_look_like_dropped_connections() -> None:
    with sterling_mock() as mock:
        requests.post(
            "http://h/_fake/faults",
            json={"api": "createOrder", "action": {"type": "reset"}, "times": 1},
            timeout=5,
        )
        from client import RetryPolicy

        with SterlingClient("http://h", retry=RetryPolicy.none()) as client, pytest.raises(TransportError):
            client.create_order(ORDER)
        with mock.fake.store.read() as tx:
            assert tx.count_orders("default") == 0


def test_each_block_starts_clean() -> None:
    with sterling_mock():
        requests.post("http://h/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5)
        assert (
            requests.post("http://h/smcfs/restapi/invoke/getOrderList", json={}, auth=AUTH, timeout=5).json()[
                "TotalOrderList"
            ]
            == "1"
        )
    with sterling_mock():
        assert (
            requests.post("http://h/smcfs/restapi/invoke/getOrderList", json={}, auth=AUTH, timeout=5).json()[
                "TotalOrderList"
            ]
            == "0"
        )


@sterling_mock()
def test_as_a_decorator() -> None:
    assert requests.get("http://any-host/_fake/health", timeout=5).json()["status"] == "ok"


def test_as_a_fixture(sterling_inprocess: sterling_mock) -> None:
    with SterlingClient("http://sterling.local") as client:
        key = client.create_order(ORDER)["OrderHeaderKey"]
    with sterling_inprocess.fake.store.read() as tx:
        assert tx.order_exists("default", key)


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


def test_file_store_keeps_state(tmp_path: object) -> None:
    db = f"{tmp_path}/inproc.db"
    with sterling_mock(db=db):
        requests.post("http://h/smcfs/restapi/invoke/createOrder", json=ORDER, auth=AUTH, timeout=5)
    with sterling_mock(db=db):
        total = requests.post("http://h/smcfs/restapi/invoke/getOrderList", json={}, auth=AUTH, timeout=5)
        assert total.json()["TotalOrderList"] == "1"
