"""The client against a real fake server: auth styles, formats, typed errors, retries, helpers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests

from sterling_mock.client import (
    AuthenticationError,
    RetryPolicy,
    SterlingApiError,
    SterlingClient,
    ThrottledError,
    TransportError,
    restapi_url,
)
from sterling_mock.client.client import normalise
from sterling_mock.mock_server.control.helper import FakeControl
from tests.conftest import LiveServer

ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {
        "OrderLine": [
            {
                "OrderedQty": "2",
                "ShipNode": "DC_EAST",
                "Item": {"ItemID": "SHOE-101"},
                "LinePriceInfo": {"UnitPrice": "10"},
            }
        ]
    },
}
NO_WAIT = RetryPolicy(attempts=4, backoff=0.0, jitter=0.0, sleep=lambda _: None)


@pytest.fixture
def ctl(live_server: LiveServer) -> Iterator[FakeControl]:
    with FakeControl(live_server.url, namespace="client-" + uuid.uuid4().hex[:8]) as control:
        yield control


def make(live_server: LiveServer, ctl: FakeControl, **kwargs: object) -> SterlingClient:
    options: dict[str, object] = {"retry": NO_WAIT, **kwargs}
    return SterlingClient(live_server.url, headers={"X-Sterling-Mock-Namespace": ctl.namespace}, **options)  # type: ignore[arg-type]


def test_base_url_forms() -> None:
    for given in ("http://h:1", "http://h:1/", "http://h:1/smcfs", "http://h:1/smcfs/restapi/"):
        assert restapi_url(given) == "http://h:1/smcfs/restapi"


@pytest.mark.parametrize("auth", ["basic", "token", "jwt"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_create_and_read_in_every_auth_and_format(
    live_server: LiveServer, ctl: FakeControl, auth: str, fmt: str
) -> None:
    with make(live_server, ctl, auth=auth, format=fmt) as client:
        created = client.create_order(ORDER)
        order = client.get_order(created["OrderHeaderKey"])
        assert order["OrderNo"] == created["OrderNo"]
        assert isinstance(order["OrderLines"]["OrderLine"], list)  # normalised, in XML too
        by_no = client.get_order(enterprise="Matrix-R", order_no=created["OrderNo"])
        assert by_no["OrderHeaderKey"] == created["OrderHeaderKey"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_typed_api_error(live_server: LiveServer, ctl: FakeControl, fmt: str) -> None:
    with make(live_server, ctl, format=fmt) as client, pytest.raises(SterlingApiError) as info:
        client.get_order("404404")
    assert (info.value.code, info.value.description, info.value.http_status) == (
        "YFS10003",
        "YFS:Invalid Order",
        400,
    )
    assert info.value.more_info["OrderHeaderKey"] == "404404"
    assert info.value.response is not None


def test_bad_password_is_authentication_error(live_server: LiveServer, ctl: FakeControl) -> None:
    for auth in ("basic", "token"):
        with (
            make(live_server, ctl, auth=auth, password="wrong") as client,
            pytest.raises(AuthenticationError),
        ):
            client.create_order(ORDER)


def test_token_expiry_logs_in_again_once(live_server: LiveServer, ctl: FakeControl) -> None:
    ctl.freeze("2025-01-27T10:00:00Z")
    with make(live_server, ctl, auth="token") as client:
        client.create_order(ORDER)
        first = client._token
        ctl.advance(1801)  # past the 30-minute token lifetime
        client.create_order(ORDER)
        assert client._token and client._token != first
    assert len(ctl.calls("login")) == 2


def test_retries_429_and_503_then_succeeds(live_server: LiveServer, ctl: FakeControl) -> None:
    ctl.add_fault("createOrder", {"type": "http", "status": 503}, times=2)
    ctl.add_fault(
        "getOrderDetails",
        {"type": "error", "code": "MOCK0429", "description": "slow down", "http_status": 429},
        times=1,
    )
    with make(live_server, ctl) as client:
        key = client.create_order(ORDER)["OrderHeaderKey"]
        assert client.get_order(key)["OrderHeaderKey"] == key
    assert len(ctl.calls("createOrder")) == 3  # two refusals, then the one that stored the order
    assert ctl.summary()["orders"] == 1


def test_honours_retry_after_from_throttling(live_server: LiveServer, ctl: FakeControl) -> None:
    slept: list[float] = []
    ctl.freeze("2025-01-27T10:00:00Z")
    ctl.set_throttle(enabled=True, rate=1, burst=1)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        ctl.advance(seconds)  # waiting is moving the frozen clock

    policy = RetryPolicy(attempts=5, backoff=0.0, jitter=0.0, sleep=sleep)
    with make(live_server, ctl, retry=policy) as client:
        for _ in range(3):
            client.create_order(ORDER)
    assert slept and all(s >= 1 for s in slept)
    assert ctl.summary()["orders"] == 3


def test_throttled_error_when_retries_run_out(live_server: LiveServer, ctl: FakeControl) -> None:
    ctl.freeze("2025-01-27T10:00:00Z")
    ctl.set_throttle(enabled=True, rate=1, burst=1)
    with make(live_server, ctl, retry=RetryPolicy.none()) as client:
        client.create_order(ORDER)
        with pytest.raises(ThrottledError) as info:
            client.create_order(ORDER)
    assert info.value.retry_after is not None and info.value.retry_after >= 1
    assert info.value.http_status == 429


def test_write_is_not_repeated_after_a_reset_mid_answer(live_server: LiveServer, ctl: FakeControl) -> None:
    ctl.add_fault("createOrder", {"type": "reset"}, times=1, after=True)
    with make(live_server, ctl) as client, pytest.raises(TransportError):
        client.create_order(ORDER)
    assert len(ctl.calls("createOrder")) == 1  # not repeated: it may have been (and was) applied
    assert ctl.summary()["orders"] == 1


def test_read_is_retried_after_a_reset(live_server: LiveServer, ctl: FakeControl) -> None:
    with make(live_server, ctl) as client:
        key = client.create_order(ORDER)["OrderHeaderKey"]
        ctl.add_fault("getOrderDetails", {"type": "reset"}, times=2)
        assert client.get_order(key)["OrderHeaderKey"] == key
    assert len(ctl.calls("getOrderDetails")) >= 1


def test_502_retried_only_for_reads(live_server: LiveServer, ctl: FakeControl) -> None:
    ctl.add_fault("createOrder", {"type": "http", "status": 502}, times=1)
    with make(live_server, ctl) as client:
        with pytest.raises(TransportError) as info:
            client.create_order(ORDER)
        assert info.value.response is not None and info.value.response.status_code == 502
        key = client.create_order(ORDER)["OrderHeaderKey"]
        ctl.add_fault("getOrderDetails", {"type": "http", "status": 502}, times=2)
        assert client.get_order(key)["OrderHeaderKey"] == key


def test_connection_refused_is_retried_then_transport_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    slept: list[float] = []
    policy = RetryPolicy(attempts=3, backoff=0.01, jitter=0.0, sleep=slept.append)
    with (
        SterlingClient(f"http://127.0.0.1:{port}", retry=policy, timeout=2) as client,
        pytest.raises(TransportError),
    ):
        client.create_order(ORDER)
    assert len(slept) == 2  # three attempts


def test_lifecycle_helpers(live_server: LiveServer, ctl: FakeControl) -> None:
    with make(live_server, ctl) as client:
        key = client.create_order(ORDER)["OrderHeaderKey"]
        client.schedule_order(key)
        client.release_order(key)
        order = client.get_order(key)
        assert order["MaxOrderStatus"] == "3200"
        line = order["OrderLines"]["OrderLine"][0]
        shipment = client.invoke(
            "createShipment",
            {
                "ShipmentLines": {
                    "ShipmentLine": [
                        {
                            "OrderHeaderKey": key,
                            "PrimeLineNo": line["PrimeLineNo"],
                            "SubLineNo": "1",
                            "Quantity": "2",
                        }
                    ]
                }
            },
        )
        confirmed = client.confirm_shipment({"ShipmentKey": shipment["ShipmentKey"], "TrackingNo": "1Z999"})
        assert confirmed["ShipmentKey"] == shipment["ShipmentKey"]
        assert client.get_order(key)["Status"] == "Shipped"
        shipments = client.get_shipments(key)
        assert isinstance(shipments, list) and len(shipments) == 1
        other = client.create_order(ORDER)["OrderHeaderKey"]
        client.change_order(other, {"CustomerPONo": "PO-9"})
        client.cancel_order(other, reason_code="CUSTOMER")
        assert client.get_order(other)["Status"] == "Cancelled"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_iter_orders_walks_every_page(live_server: LiveServer, ctl: FakeControl, fmt: str) -> None:
    ctl.seed(orders=23, seed=5)
    with make(live_server, ctl, format=fmt) as client:
        keys = [o["OrderHeaderKey"] for o in client.iter_orders(page_size=5)]
        assert len(keys) == 23 == len(set(keys))
        assert keys == sorted(keys)
        one = list(client.iter_orders(page_size=5, EnterpriseCode="Aurora"))
        assert all(o["EnterpriseCode"] == "Aurora" for o in one)


def test_interop_style_errors_are_parsed() -> None:
    from sterling_mock.client.client import raise_for_errors

    response = requests.Response()
    response.status_code = 200
    response._content = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Errors>\n    <Error ErrorCode="YFS10003" '
        b'ErrorDescription="YFS:Invalid Order" ErrorRelatedMoreInfo="x">\n'
        b'        <Attribute Name="ApiName" Value="getOrderDetails"/>\n    </Error>\n</Errors>'
    )
    response.headers["Content-Type"] = "text/xml; charset=UTF-8"
    with pytest.raises(SterlingApiError) as info:
        raise_for_errors(response)
    assert info.value.code == "YFS10003" and info.value.more_info["ApiName"] == "getOrderDetails"
    assert info.value.more_info["ErrorRelatedMoreInfo"] == "x"


def test_normalise() -> None:
    doc = {"OrderLines": {"OrderLine": {"A": "1", "OrderStatuses": {"OrderStatus": {"Status": "1100"}}}}}
    line = {"A": "1", "OrderStatuses": {"OrderStatus": [{"Status": "1100"}]}}
    assert normalise(doc) == {"OrderLines": {"OrderLine": [line]}}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_order_by_enterprise_and_order_no(live_server: LiveServer, ctl: FakeControl, fmt: str) -> None:
    with make(live_server, ctl, format=fmt) as client:
        created = client.create_order({**ORDER, "OrderNo": "NAT-1"})
        found = client.get_order(enterprise="Matrix-R", order_no="NAT-1", document_type="0001")
        assert found["OrderHeaderKey"] == created["OrderHeaderKey"]
        assert isinstance(found["OrderLines"]["OrderLine"], list)
        with pytest.raises(SterlingApiError) as caught:
            client.get_order(enterprise="Matrix-R", order_no="NOPE-1")
        assert caught.value.code == "YFS10003" and caught.value.http_status == 400


def test_retries_stop_at_the_total_time_bound(live_server: LiveServer, ctl: FakeControl) -> None:
    ctl.add_fault("getOrderDetails", {"type": "http", "status": 503}, times=50)
    waited: list[float] = []
    # a sleep that only records: the bound is on real elapsed time, which the refusals themselves use up
    policy = RetryPolicy(attempts=50, backoff=0.0, jitter=0.0, max_total=0.0, sleep=waited.append)
    with make(live_server, ctl, retry=policy) as client, pytest.raises(TransportError) as caught:
        client.get_order("NOPE")  # a gateway's 503 page is not a Sterling document
    assert caught.value.response.status_code == 503
    assert len(ctl.calls("getOrderDetails")) == 1 and waited == []
