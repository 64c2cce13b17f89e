"""Security across every door: the control token guards every ``/_fake/`` route the app registers (the console
included, nothing changed without it), and no password or token reaches the journal through multiApi, the
servlet's ``InteropApiData``, XML login or a JWT."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from flask import Flask

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC

TOKEN = "c0ntrol-T0ken"
SECRET = "s3cr3t-Pa55"


@pytest.fixture
def guarded() -> Flask:
    return create_app(Settings(db=":memory:", demo_orders=0, control_token=TOKEN))


def _control_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/_fake/") or rule.endpoint.endswith("static"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "x" if m[1] != "what" else "reset", rule.rule)
        routes += [
            (method, path) for method in sorted(rule.methods or ()) if method not in ("HEAD", "OPTIONS")
        ]
    return routes


def test_every_control_route_needs_the_token(guarded: Flask) -> None:
    client = guarded.test_client()
    client.post("/smcfs/restapi/invoke/createOrder", json={"EnterpriseCode": "E"}, headers=BASIC)
    routes = _control_routes(guarded)
    assert len(routes) >= 35  # every route the control plane and the console register
    for method, path in routes:
        if path == "/_fake/console/login":
            continue  # the login form itself: checked below
        for headers in ({}, {"X-Sterling-Mock-Token": "wrong"}, {"X-Sterling-Mock-Token": TOKEN[:-1]}):
            headers = {**headers, "Sec-Fetch-Site": "same-origin"}
            answer = client.open(path, method=method, json={"all": True}, headers=headers)
            assert answer.status_code == 401, (method, path, answer.status_code)
            if not path.startswith("/_fake/console"):
                assert answer.json["error"]["code"] == "UNAUTHORIZED"
    # nothing was reset, seeded or advanced by all those refused calls
    summary = client.get("/_fake/summary", headers={"X-Sterling-Mock-Token": TOKEN}).json
    assert summary["orders"] == 1


def test_console_login_with_a_wrong_token_sets_no_cookie(guarded: Flask) -> None:
    client = guarded.test_client()
    answer = client.post("/_fake/console/login", data={"token": "wrong", "next": "/_fake/console/"})
    assert answer.status_code == 401
    assert "Set-Cookie" not in answer.headers
    answer = client.post("/_fake/console/login", data={"token": TOKEN, "next": "//evil.example/"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/_fake/console/")  # no open redirect


def test_no_secret_reaches_the_journal_through_any_door() -> None:
    app = create_app(Settings(db=":memory:", demo_orders=0))
    app.extensions["sterling_mock"].settings.users["ops"] = SECRET
    client = app.test_client()
    tokens = []
    login = {"LoginID": "ops", "Password": SECRET}
    multi = {"API": [{"Name": "login", "Input": {"Login": login}}]}
    tokens.append(client.post("/smcfs/restapi/invoke/multiApi", json=multi, headers=BASIC).json)
    xml = f'<Login LoginID="ops" Password="{SECRET}"/>'
    answer = client.post("/smcfs/restapi/invoke/login", data=xml, content_type="application/xml")
    tokens.append(answer.json["UserToken"])
    servlet = client.post(
        "/smcfs/interop/InteropHttpServlet?InteropApiName=login&YFSEnvironment.userId=ops"
        f"&YFSEnvironment.password={SECRET}&InteropApiData={quote(xml)}"
    )
    tokens += re.findall(r'UserToken="([0-9a-f]+)"', servlet.get_data(as_text=True))
    jwt = client.get(f"/smcfs/restapi/jwt?_loginid=ops&_token={tokens[1]}").get_data(as_text=True)
    client.post("/smcfs/restapi/invoke/getOrderList", json={}, headers={"Authorization": f"Bearer {jwt}"})
    client.post(f"/smcfs/restapi/executeFlow/none?_loginid=ops&_token={tokens[1]}", json={"Password": SECRET})
    multi_token = tokens[0]["API"]["Output"]["Login"]["UserToken"]
    journal = client.get("/_fake/journal?limit=1000").get_data(as_text=True)
    assert len(json.loads(journal)["entries"]) >= 5
    for secret in (SECRET, multi_token, *tokens[1:], jwt, jwt.split(".")[-1]):
        assert secret not in journal
    assert SECRET not in client.get("/_fake/state").get_data(as_text=True)
