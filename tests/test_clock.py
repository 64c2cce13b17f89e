"""The virtual clock per namespace: freeze, set, advance; keys, timestamps and token expiry follow it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask.testing import FlaskClient

from tests.conftest import Api
from tests.test_control_support import NS, Ctl, create

START = "2025-01-27T10:17:09Z"


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def test_real_time_by_default(ctl: Ctl) -> None:
    info = ctl.ok("GET", "clock")
    assert info["frozen"] is False
    now = datetime.fromisoformat(info["now"])
    assert abs((now - datetime.now(timezone.utc)).total_seconds()) < 60
    assert info["now"].endswith("+00:00")


def test_freeze_set_and_advance(ctl: Ctl) -> None:
    assert ctl.ok("POST", "clock", {"freeze": True, "set": START}) == {
        "now": "2025-01-27T10:17:09+00:00",
        "frozen": True,
        "namespace": "default",
    }
    assert ctl.ok("GET", "clock")["now"] == "2025-01-27T10:17:09+00:00"
    assert ctl.ok("POST", "clock", {"advance": 3600})["now"] == "2025-01-27T11:17:09+00:00"
    assert ctl.ok("POST", "clock", {"advance": "PT1H30M"})["now"] == "2025-01-27T12:47:09+00:00"
    assert ctl.ok("POST", "clock", {"advance": "P1DT0.5S"})["now"] == "2025-01-28T12:47:09+00:00"
    assert ctl.ok("POST", "clock", {"set": "2024-12-31T23:59:59-05:00"})["now"] == "2025-01-01T04:59:59+00:00"


def test_unfreezing_runs_on_from_the_frozen_instant(ctl: Ctl) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": START})
    info = ctl.ok("POST", "clock", {"freeze": False})
    assert info["frozen"] is False
    assert info["now"].startswith("2025-01-27T10:1")


def test_keys_and_timestamps_follow_the_clock(api: Api, ctl: Ctl, fmt: str) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": START})
    made = create(api, fmt, OrderDate=None)
    assert made["OrderHeaderKey"].startswith("20250127101709")
    details = api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, fmt)
    assert details["OrderDate"] == "2025-01-27T10:17:09+00:00"
    ctl.ok("POST", "clock", {"advance": 86400})
    later = create(api, fmt, seed=2, OrderDate=None)
    assert later["OrderHeaderKey"].startswith("20250128101709")


def test_token_expiry_follows_the_clock(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": START})
    token = api("login", {"LoginID": "admin", "Password": "password"}, root="Login")["UserToken"]
    auth = {"Authorization": ""}
    query = f"?_loginid=admin&_token={token}"
    assert api.raw("getOrderList", {}, headers=auth, query=query).status_code == 200
    ctl.ok("POST", "clock", {"advance": 1801})
    _, error = api.error("getOrderList", {}, headers=auth, query=query)
    assert error["ErrorCode"] == "YCP0427" and "expired" in error["MoreInfo"]["ErrorRelatedMoreInfo"]


def test_clocks_are_per_namespace_and_reset_returns_to_real_time(ctl: Ctl) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": START}, ns="a")
    assert ctl.ok("GET", "clock", ns="a")["frozen"] is True
    assert ctl.ok("GET", "clock", ns="b")["frozen"] is False
    assert ctl.ok("GET", "clock")["frozen"] is False
    ctl.ok("POST", "reset", {"namespace": "a"})
    assert ctl.ok("GET", "clock", ns="a")["frozen"] is False


def test_the_namespace_header_selects_the_clock_for_sterling_calls(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": "2030-06-01T00:00:00Z"}, ns="future")
    made = api("createOrder", {"EnterpriseCode": "Aurora"}, headers={NS: "future"})
    assert made["OrderHeaderKey"].startswith("20300601")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"advance": -5}, "advance"),
        ({"advance": "soon"}, "advance"),
        ({"advance": "PT"}, "advance"),
        ({"set": "yesterday"}, "set"),
        ({"set": 12}, "set"),
        ({"freeze": "yes"}, "freeze"),
        ({"rewind": 1}, "rewind"),
    ],
)
def test_bad_clock_requests(ctl: Ctl, body: dict[str, object], field: str) -> None:
    status, error = ctl("POST", "clock", body)
    assert status == 400 and error["error"]["code"] == "INVALID_FIELD"
    assert error["error"]["message"].startswith(f"{field}:")
