"""The control plane against a real server (gunicorn, several workers) through the Python helper:
connection-level faults on real sockets, and every capability once through ``FakeControl``."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import requests

from sterling_mock.mock_server.control.helper import FakeControl, FakeControlError
from tests.conftest import LiveServer

AUTH = ("admin", "password")


@pytest.fixture
def fc(live_server: LiveServer) -> Iterator[FakeControl]:
    with FakeControl(live_server.url, namespace=f"live-{uuid.uuid4().hex[:8]}") as control:
        yield control
        control.reset()


def call(fc: FakeControl, api: str, doc: dict[str, object], **kw: object) -> requests.Response:
    return requests.post(
        f"{fc.url}/smcfs/restapi/invoke/{api}",
        json=doc,
        auth=AUTH,
        timeout=10,
        headers={"X-Sterling-Mock-Namespace": fc.namespace},
        **kw,
    )  # type: ignore[arg-type]


def test_reset_fault_drops_the_connection_and_changes_nothing(fc: FakeControl) -> None:
    fc.add_fault("createOrder", {"type": "reset"}, times=1)
    with pytest.raises(requests.ConnectionError):
        call(fc, "createOrder", {"EnterpriseCode": "Aurora"})
    assert fc.summary()["orders"] == 0
    assert call(fc, "createOrder", {"EnterpriseCode": "Aurora"}).status_code == 200
    entries = fc.journal("createOrder")["entries"]
    assert [(e["http_status"], e["fault"]) for e in entries] == [(0, "f1"), (200, "")]


def test_close_mid_response_after_commit(fc: FakeControl) -> None:
    """``after``: the order is created, the answer is cut — the case an idempotent client must survive."""
    fc.add_fault("createOrder", {"type": "close"}, times=1, after=True)
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        call(fc, "createOrder", {"EnterpriseCode": "Aurora", "OrderNo": "CUT-1"})
    assert fc.summary()["orders"] == 1
    again = call(fc, "createOrder", {"EnterpriseCode": "Aurora", "OrderNo": "CUT-1"})
    assert again.status_code == 400 and again.json()["errors"][0]["ErrorCode"] == "YFC0001"


def test_slow_body_arrives_whole(fc: FakeControl) -> None:
    made = call(fc, "createOrder", {"EnterpriseCode": "Aurora"}).json()
    fc.add_fault("getOrderDetails", {"type": "slow_body", "bytes_per_s": 20_000})
    response = call(fc, "getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]})
    assert response.status_code == 200 and response.json()["OrderHeaderKey"] == made["OrderHeaderKey"]


def test_helper_faults_errors_and_context_manager(fc: FakeControl) -> None:
    with fc.fault("getOrderList", {"type": "http", "status": 503}) as rule:
        assert fc.faults()[0]["id"] == rule["id"]
        assert call(fc, "getOrderList", {}).status_code == 503
    assert fc.faults() == []
    fault_id = fc.error_fault("getOrderList", "YFS10003", "YFS:Invalid Order", times=1)
    error = call(fc, "getOrderList", {}).json()["errors"][0]
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YFS10003", "YFS:Invalid Order")
    with pytest.raises(FakeControlError) as raised:
        fc.delete_fault(fault_id)  # spent and gone
    assert raised.value.status == 404 and raised.value.code == "NOT_FOUND"
    with pytest.raises(FakeControlError) as bad:
        fc.add_fault("getOrderList", {"type": "nope"})
    assert bad.value.status == 400 and bad.value.message.startswith("action.type:")


def test_helper_throttle_clock_and_journal(fc: FakeControl) -> None:
    fc.freeze("2025-05-01T08:00:00Z")
    assert fc.set_throttle(enabled=True, rate=1, burst=2)["burst"] == 2
    codes = [call(fc, "getOrderList", {}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert fc.advance("PT1S")["now"] == "2025-05-01T08:00:01+00:00"
    assert call(fc, "getOrderList", {}).status_code == 200
    assert fc.throttle()["throttled"] == 1 and fc.summary()["throttle"] == {"allowed": 3, "throttled": 1}
    fc.set_throttle(enabled=False)
    assert fc.clock() == {"now": "2025-05-01T08:00:01+00:00", "frozen": True, "namespace": fc.namespace}
    assert fc.set_time("2025-06-01T00:00:00Z")["now"].startswith("2025-06-01")
    assert fc.unfreeze()["frozen"] is False
    assert len(fc.journal("getOrderList")["entries"]) == 4
    assert len(fc.journal(since="2025-05-01T08:00:01Z")["entries"]) == 1
    fc.clear_journal()
    assert fc.journal()["entries"] == []


def test_helper_seed_summary_state_and_namespaces(fc: FakeControl) -> None:
    assert fc.seed(12, seed=5, enterprises=["ACME"]) == 12
    summary = fc.summary()
    assert summary["orders"] == 12 and summary["by_enterprise"] == {"ACME": 12}
    snapshot = fc.export_state()
    other = fc.for_namespace(fc.namespace + "-copy")
    try:
        assert other.import_state(snapshot)["orders"] == 12
        assert other.summary()["by_enterprise"] == {"ACME": 12}
    finally:
        other.reset()
    assert fc.reset() == [fc.namespace]
    assert fc.summary()["orders"] == 0


def test_helper_calls_finds_what_my_code_did(fc: FakeControl) -> None:
    made = call(fc, "createOrder", {"EnterpriseCode": "Aurora"}).json()
    call(fc, "changeOrder", {"OrderHeaderKey": made["OrderHeaderKey"], "Action": "CANCEL"})
    call(fc, "changeOrder", {"OrderHeaderKey": made["OrderHeaderKey"], "CustomerPONo": "X"})
    assert len(fc.calls("changeOrder", Action="CANCEL")) == 1
    assert len(fc.calls("changeOrder")) == 2


class TokenServer(LiveServer):
    """A live server whose readiness probe sends the control token (health is protected too)."""

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log_path.read_text(errors="replace"))
            try:
                requests.get(self.url + "/_fake/health", headers={"X-Sterling-Mock-Token": "t0k"}, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")


def test_helper_with_a_control_token(tmp_path_factory: pytest.TempPathFactory) -> None:
    server = TokenServer(tmp_path_factory.mktemp("token"), "--control-token", "t0k")
    try:
        with pytest.raises(FakeControlError) as refused:
            FakeControl(server.url).summary()
        assert refused.value.status == 401
        assert FakeControl(server.url, token="t0k").summary()["orders"] == 0
        assert FakeControl(server.base_url, token="t0k").health()["status"] == "ok"  # base URL accepted too
    finally:
        server.stop()
