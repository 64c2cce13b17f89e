"""The demo console's actions and controls through the Flask test client: order actions journaled as API
calls, controls, the read-only setting, the control token (header, link, cookie) and same-origin POSTs."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import sterling_faker
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app

from .conftest import Api

CONSOLE = "/_fake/console"


def post(client: FlaskClient, path: str, **form: str) -> tuple[str, bool]:
    """POST a console form; (the message it redirects with, whether it is an error)."""
    response = client.post(CONSOLE + path, data=form)
    assert response.status_code == 303, response.data[:1000]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query.get("msg", [""])[0], "err" in query


def order(client: FlaskClient, key: str) -> dict[str, Any]:
    response = client.post(
        "/smcfs/restapi/invoke/getOrderDetails",
        json={"OrderHeaderKey": key},
        headers={"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="},
    )
    result: dict[str, Any] = response.json  # type: ignore[assignment]
    return result


def journal(client: FlaskClient, **query: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/_fake/journal", query_string=query).json["entries"]  # type: ignore[index]
    return entries


@pytest.fixture
def key(api: Api) -> str:
    return str(api("createOrder", create_order_input(sterling_faker(11), lines=2))["OrderHeaderKey"])


# ------------------------------------------------------------------------------------------ order actions


def test_ship_walks_the_order_through_the_apis_and_shows_the_tracking_number(
    client: FlaskClient, key: str
) -> None:
    message, error = post(client, f"/orders/{key}/ship", tracking="1Z999AA10123456784")
    assert not error, message
    assert "confirmShipment" in message
    assert order(client, key)["Status"] == "Shipped"
    calls = [
        (e["api"], e["user"], e["transport"], e["http_status"]) for e in journal(client, transport="console")
    ]
    assert calls == [
        ("scheduleOrder", "console", "console", 200),
        ("releaseOrder", "console", "console", 200),
        ("confirmShipment", "console", "console", 200),
    ]
    page = client.get(f"{CONSOLE}/orders/{key}").data.decode()
    assert "1Z999AA10123456784" in page and "Shipped" in page


@pytest.mark.parametrize(
    ("action", "form", "status"),
    [
        ("schedule", {}, "Scheduled"),
        ("cancel", {}, "Cancelled"),
        ("advance", {"to": "3200"}, "Released"),
        ("advance", {"to": "3700"}, "Shipped"),
    ],
)
def test_order_actions(client: FlaskClient, key: str, action: str, form: dict[str, str], status: str) -> None:
    message, error = post(client, f"/orders/{key}/{action}", **form)
    assert not error, message
    assert order(client, key)["Status"] == status
    assert journal(client, transport="console"), "the action is journaled"


def test_a_refused_action_shows_sterlings_error_and_changes_nothing(client: FlaskClient, key: str) -> None:
    post(client, f"/orders/{key}/cancel")
    message, error = post(client, f"/orders/{key}/ship")
    assert error and message.startswith("MOCK0203: The order line has not enough released quantity"), message
    assert order(client, key)["Status"] == "Cancelled"
    assert journal(client, api="confirmShipment")[-1]["error_code"] == "MOCK0203"
    message, error = post(client, f"/orders/{key}/advance", to="1500")
    assert error and "already at 9000" in message
    assert post(client, f"/orders/{key}/advance", to="1300")[1]
    message, error = post(client, f"/orders/{key}/explode")
    assert error and "Unknown action" in message


# ------------------------------------------------------------------------------------------ controls


def test_controls_seed_run_agents_clock_throttle_faults_reset(client: FlaskClient) -> None:
    assert post(client, "/controls/seed", orders="12", seed="3", statuses="1100") == (
        "Seeded 12 orders.",
        False,
    )
    assert client.get("/_fake/summary").json["orders"] == 12  # type: ignore[index]
    message, error = post(client, "/controls/agents-run", steps="2")
    assert not error and "1100->1500 12" in message and "1500->3200 12" in message

    message, error = post(client, "/controls/clock", freeze="1")
    assert not error and "(frozen)" in message
    before = client.get("/_fake/clock").json["now"]  # type: ignore[index]
    post(client, "/controls/clock", advance="PT2H")
    assert client.get("/_fake/clock").json["now"] > before  # type: ignore[index]
    assert post(client, "/controls/clock", advance="soon")[1]

    message, error = post(client, "/controls/agents-auto", enabled="1", every="30")
    assert not error and client.get("/_fake/agents").json["enabled"] is True  # type: ignore[index]
    post(client, "/controls/agents-auto", enabled="0")
    assert client.get("/_fake/agents").json["enabled"] is False  # type: ignore[index]

    post(client, "/controls/throttle", enabled="1", rate="5", burst="7")
    assert client.get("/_fake/throttle").json["enabled"] is True  # type: ignore[index]
    assert client.get("/_fake/throttle").json["burst"] == 7  # type: ignore[index]
    assert post(client, "/controls/throttle", enabled="1", rate="-1")[1]
    post(client, "/controls/throttle", enabled="0")
    assert client.get("/_fake/throttle").json["enabled"] is False  # type: ignore[index]

    message, error = post(
        client, "/controls/fault-add", api="createOrder", type="error", code="YFS10003", times="1"
    )
    assert not error, message
    rules = client.get("/_fake/faults").json["faults"]  # type: ignore[index]
    assert [(r["api"], r["action"]["code"], r["remaining"]) for r in rules] == [
        ("createOrder", "YFS10003", 1)
    ]
    assert "YFS10003" in client.get(f"{CONSOLE}/controls").data.decode()
    assert post(client, "/controls/fault-add", api="", type="latency", ms="999999")[1]
    assert post(client, "/controls/fault-delete", id=rules[0]["id"]) == (
        f"Fault {rules[0]['id']} removed.",
        False,
    )
    assert client.get("/_fake/faults").json["faults"] == []  # type: ignore[index]
    assert post(client, "/controls/fault-delete", id="nope")[1]

    message, error = post(client, "/controls/reset")
    assert not error and client.get("/_fake/summary").json["orders"] == 0  # type: ignore[index]
    assert post(client, "/controls/seed", orders="0")[1]
    assert post(client, "/controls/nothing")[1]


def test_console_actions_meet_faults_like_any_client(client: FlaskClient, key: str) -> None:
    post(client, "/controls/fault-add", api="scheduleOrder", type="error", code="YFS99999", times="1")
    message, error = post(client, f"/orders/{key}/schedule")
    assert error and message.startswith("YFS99999")
    assert order(client, key)["Status"] == "Created"
    assert not post(client, f"/orders/{key}/schedule")[1]


# ------------------------------------------------------------------------------------------ protection


@pytest.fixture
def read_only_client() -> FlaskClient:
    return create_app(Settings(db=":memory:", demo_orders=0, console_read_only=True)).test_client()


def test_read_only_shows_pages_and_refuses_every_action(read_only_client: FlaskClient) -> None:
    client = read_only_client
    key = Api(client)("createOrder", create_order_input(sterling_faker(4)))["OrderHeaderKey"]
    page = client.get(f"{CONSOLE}/orders/{key}").data.decode()
    assert "read-only" in page and 'method="post"' not in page
    for path in (f"/orders/{key}/cancel", f"/orders/{key}/ship", "/controls/reset", "/controls/seed"):
        response = client.post(CONSOLE + path, data={"orders": "5"})
        assert response.status_code == 403 and b"read-only" in response.data, path
    assert Api(client)("getOrderDetails", {"OrderHeaderKey": key})["Status"] == "Created"
    assert client.get("/_fake/summary").json["orders"] == 1  # type: ignore[index]
    assert [e for e in client.get("/_fake/journal").json["entries"] if e["transport"] == "console"] == []  # type: ignore[index]


def test_posts_from_another_site_are_refused(client: FlaskClient, key: str) -> None:
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        response = client.post(f"{CONSOLE}/orders/{key}/cancel", headers=headers)
        assert response.status_code == 403, headers
    assert order(client, key)["Status"] == "Created"
    same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert client.post(f"{CONSOLE}/orders/{key}/cancel", headers=same).status_code == 303


@pytest.fixture
def token_app() -> Flask:
    return create_app(Settings(db=":memory:", demo_orders=0, control_token="s3cret"))


def test_token_by_header_link_cookie_or_login_form(token_app: Flask) -> None:
    client = token_app.test_client()
    refused = client.get(f"{CONSOLE}/pipeline?ns=default")
    assert refused.status_code == 401 and b'name="token"' in refused.data
    assert client.post(f"{CONSOLE}/controls/reset").status_code == 401
    assert client.get(f"{CONSOLE}/", headers={"X-Sterling-Mock-Token": "s3cret"}).status_code == 200
    assert client.get(f"{CONSOLE}/?token=wrong").status_code == 401

    entered = client.get(f"{CONSOLE}/pipeline?ns=default&token=s3cret")
    assert entered.status_code == 303 and entered.headers["Location"] == f"{CONSOLE}/pipeline?ns=default"
    cookie = entered.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and f"Path={CONSOLE}" in cookie
    assert client.get(f"{CONSOLE}/pipeline").status_code == 200  # the cookie now
    assert client.get("/_fake/health").status_code == 401  # the control plane still wants its header

    other = token_app.test_client()
    wrong = other.post(f"{CONSOLE}/login", data={"token": "nope", "next": f"{CONSOLE}/journal"})
    assert wrong.status_code == 401
    right = other.post(f"{CONSOLE}/login", data={"token": "s3cret", "next": "//evil.example/"})
    assert right.status_code == 303 and right.headers["Location"] == f"{CONSOLE}/"
    assert other.get(f"{CONSOLE}/journal").status_code == 200


def test_banner_links_the_console_and_the_flag_sets_read_only() -> None:
    from sterling_mock.mock_server.__main__ import _settings, build_parser
    from sterling_mock.mock_server.doors.server import banner

    assert "http://127.0.0.1:9080/_fake/console/" in banner(Settings(), 0)
    args = build_parser().parse_args(["serve", "--console-read-only", "--db", ":memory:"])
    assert _settings(args).console_read_only is True
    assert "(read-only)" in banner(_settings(args), 0)
