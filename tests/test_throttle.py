"""Throttling: per-user token buckets per namespace, exact under a burst, 429 + Retry-After in the
caller's format, refilled by the namespace's clock (frozen here, so every figure is exact)."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api
from tests.test_control_support import NS, Ctl

FROZEN = {"freeze": True, "set": "2025-03-01T12:00:00Z"}


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def settings() -> Settings:
    return Settings(db=":memory:", demo_orders=0, users={"admin": "password", "bob": "pw"})


@pytest.mark.parametrize(("burst", "extra"), [(1, 1), (5, 3), (10, 10)])
def test_a_burst_over_the_limit_refuses_exactly_the_excess(
    api: Api, ctl: Ctl, burst: int, extra: int
) -> None:
    ctl.ok("POST", "clock", FROZEN)
    ctl.ok("PUT", "throttle", {"enabled": True, "rate": 2, "burst": burst})
    statuses = [api.raw("getOrderList", {}).status_code for _ in range(burst + extra)]
    assert statuses.count(200) == burst and statuses.count(429) == extra
    assert statuses[:burst] == [200] * burst
    summary = ctl.ok("GET", "summary")["throttle"]
    assert summary == {"allowed": burst, "throttled": extra}


def test_429_carries_retry_after_and_a_sterling_error_in_the_callers_format(
    api: Api, ctl: Ctl, fmt: str
) -> None:
    ctl.ok("POST", "clock", FROZEN)
    ctl.ok("PUT", "throttle", {"enabled": True, "rate": 0.25, "burst": 1})
    api("getOrderList", {}, fmt)
    response = api.raw("getOrderList", {}, fmt)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "4"  # one token at 0.25/s: whole seconds, rounded up
    status, error = api.error("getOrderList", {}, fmt)
    assert status == 429 and error["ErrorCode"] == "MOCK0429"
    assert error["ErrorDescription"].startswith("Too many requests")
    assert response.content_type.startswith("application/xml" if fmt == "xml" else "application/json")


def test_a_client_that_honours_retry_after_gets_everything_through(api: Api, ctl: Ctl) -> None:
    """Waiting is simulated by advancing the frozen clock by Retry-After: no sleeping, exact counts."""
    ctl.ok("POST", "clock", FROZEN)
    ctl.ok("PUT", "throttle", {"enabled": True, "rate": 3, "burst": 4})
    done = refused = 0
    for number in range(20):
        while True:
            response = api.raw("createOrder", {"EnterpriseCode": "Aurora", "OrderNo": f"R{number}"})
            if response.status_code != 429:
                assert response.status_code == 200
                done += 1
                break
            refused += 1
            ctl.ok("POST", "clock", {"advance": int(response.headers["Retry-After"])})
    assert done == 20 and refused > 0
    assert ctl.ok("GET", "summary")["orders"] == 20


def test_refill_follows_the_clock(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "clock", FROZEN)
    ctl.ok("PUT", "throttle", {"enabled": True, "rate": 1, "burst": 3})
    assert [api.raw("getOrderList", {}).status_code for _ in range(4)] == [200, 200, 200, 429]
    ctl.ok("POST", "clock", {"advance": 2})
    assert [api.raw("getOrderList", {}).status_code for _ in range(3)] == [200, 200, 429]
    ctl.ok("POST", "clock", {"advance": "PT1H"})  # never more than the burst
    assert [api.raw("getOrderList", {}).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_buckets_are_per_user_and_per_namespace(api: Api, ctl: Ctl) -> None:
    for ns in ("", "other"):
        ctl.ok("POST", "clock", FROZEN, ns=ns)
        ctl.ok("PUT", "throttle", {"enabled": True, "rate": 1, "burst": 1}, ns=ns)
    assert api.raw("getOrderList", {}).status_code == 200
    assert api.raw("getOrderList", {}).status_code == 429
    assert api.raw("getOrderList", {}, headers=basic("bob", "pw")).status_code == 200
    assert api.raw("getOrderList", {}, headers={NS: "other"}).status_code == 200
    assert ctl.ok("GET", "throttle", ns="other")["allowed"] == 1


def test_off_by_default_and_settable_at_start(tmp_path: object) -> None:
    app = create_app(Settings(db=":memory:", demo_orders=0))
    api = Api(app.test_client())
    assert all(api.raw("getOrderList", {}).status_code == 200 for _ in range(40))
    started = create_app(Settings(db=":memory:", demo_orders=0, throttle_enabled=True, throttle_burst=2))
    client = started.test_client()
    ctl = Ctl(client)
    ctl.ok("POST", "clock", FROZEN)
    assert ctl.ok("GET", "throttle")["enabled"] is True and ctl.ok("GET", "throttle")["burst"] == 2
    assert [Api(client).raw("getOrderList", {}).status_code for _ in range(3)] == [200, 200, 429]


def test_turning_it_off_at_run_time_and_reset_restores_the_servers_setting(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "clock", FROZEN)
    ctl.ok("PUT", "throttle", {"enabled": True, "rate": 1, "burst": 1})
    api("getOrderList", {})
    assert api.raw("getOrderList", {}).status_code == 429
    assert ctl.ok("PUT", "throttle", {"enabled": False})["enabled"] is False
    assert api.raw("getOrderList", {}).status_code == 200
    ctl.ok("PUT", "throttle", {"enabled": True})
    ctl.ok("POST", "reset", {})
    assert ctl.ok("GET", "throttle") == {
        "enabled": False,
        "rate": 10.0,
        "burst": 20,
        "namespace": "default",
        "allowed": 0,
        "throttled": 0,
    }


def test_throttled_calls_are_journaled(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "clock", FROZEN)
    ctl.ok("PUT", "throttle", {"enabled": True, "rate": 1, "burst": 1})
    api("getOrderList", {})
    api.raw("getOrderList", {})
    entries = ctl.ok("GET", "journal?api=getOrderList")["entries"]
    assert [(e["http_status"], e["error_code"]) for e in entries] == [(200, ""), (429, "MOCK0429")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rate": 0}, "rate"),
        ({"rate": "fast"}, "rate"),
        ({"burst": 0}, "burst"),
        ({"burst": 1.5}, "burst"),
        ({"enabled": "yes"}, "enabled"),
        ({"bucket": 1}, "bucket"),
    ],
)
def test_bad_throttle_settings(ctl: Ctl, body: dict[str, object], field: str) -> None:
    status, error = ctl("PUT", "throttle", body)
    assert status == 400 and error["error"]["message"].startswith(f"{field}:")
