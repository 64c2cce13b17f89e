"""Namespaces: isolated data spaces on one server, chosen by header, control body or a per-user setting."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api
from tests.test_control_support import NS, Ctl, create, order_count


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def test_orders_are_invisible_across_namespaces(api: Api, ctl: Ctl, fmt: str) -> None:
    made = create(api, fmt, ns="w1", OrderNo="SAME-1", EnterpriseCode="Aurora")
    again = create(
        api, fmt, ns="w2", OrderNo="SAME-1", EnterpriseCode="Aurora"
    )  # uniqueness is per namespace
    assert made["OrderNo"] == again["OrderNo"]
    _, error = api.error(
        "getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, fmt, headers={NS: "w2"}
    )
    assert error["ErrorCode"] == "YFS10003"
    listed = api("getOrderList", {}, fmt, headers={NS: "w1"})
    assert listed["TotalOrderList"] == "1"
    assert api("getOrderList", {}, fmt)["TotalOrderList"] == "0"
    assert ctl.ok("GET", "namespaces")["namespaces"] == {
        "default": 0,
        "w1": 1,
        "w2": 1,
    }  # default: journal only


def test_reset_one_namespace_or_all(api: Api, ctl: Ctl) -> None:
    create(api, ns="w1")
    create(api, ns="w2")
    create(api)
    assert ctl.ok("POST", "reset", {}, ns="w1") == {"reset": ["w1"]}
    assert [order_count(ctl, ns) for ns in ("w1", "w2", "")] == [0, 1, 1]
    assert ctl.ok("POST", "reset", {"namespace": "w2"}) == {"reset": ["w2"]}
    assert [order_count(ctl, ns) for ns in ("w1", "w2", "")] == [0, 0, 1]
    assert ctl.ok("POST", "reset", {"all": True}) == {"reset": ["*"]}
    assert order_count(ctl) == 0


def test_per_user_namespace_setting() -> None:
    settings = Settings(
        db=":memory:",
        demo_orders=0,
        users={"admin": "password", "w7": "pw"},
        users_namespaces={"w7": "team7"},
    )
    app = create_app(settings)
    api, ctl = Api(app.test_client()), Ctl(app.test_client())
    w7 = {"Authorization": "Basic dzc6cHc="}  # w7:pw
    made = api("createOrder", {"EnterpriseCode": "Aurora"}, headers=w7)
    assert order_count(ctl, "team7") == 1 and order_count(ctl) == 0
    assert api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, headers=w7)["OrderNo"]
    # the header still wins for a mapped user
    api("createOrder", {"EnterpriseCode": "Aurora"}, headers={**w7, NS: "elsewhere"})
    assert order_count(ctl, "elsewhere") == 1
    assert ctl.ok("GET", "journal", ns="team7")["entries"][0]["user"] == "w7"


def test_users_namespaces_from_the_environment() -> None:
    settings = Settings.from_env({"STERLING_MOCK_USERS_NAMESPACES": "a:ns-a,b:ns-b"})
    assert settings.users_namespaces == {"a": "ns-a", "b": "ns-b"}


@pytest.mark.parametrize("name", ["has space", "", "x" * 200, "slash/y", "-lead"])
def test_bad_namespace_names_are_refused_by_the_control_plane(ctl: Ctl, name: str) -> None:
    status, error = ctl("POST", "reset", {"namespace": name})
    assert status == 400 and error["error"]["message"].startswith("namespace:")
