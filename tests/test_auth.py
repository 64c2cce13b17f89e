"""Authentication styles: Basic, login token, JWT Bearer, OPEN; YCP0427 on every failure."""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC

URL = "/smcfs/restapi/invoke/createOrder"
GOOD = {"EnterpriseCode": "Matrix-R"}


def make_client(**settings: object) -> FlaskClient:
    return create_app(Settings(db=":memory:", **settings)).test_client()  # type: ignore[arg-type]


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def login(client: FlaskClient, user: str = "admin", password: str = "password") -> str:
    response = client.post("/smcfs/restapi/invoke/login", json={"LoginID": user, "Password": password})
    assert response.status_code == 200, response.data
    body = response.json
    assert set(body) == {"LoginID", "UserToken", "UserName", "UserGroupID", "OrganizationCode"}
    return str(body["UserToken"])


def assert_ycp0427(response: object, status: int = 400) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    error = response.json["errors"][0]  # type: ignore[attr-defined]
    assert error["ErrorCode"] == "YCP0427"
    assert error["ErrorDescription"] == "Cannot invoke API because user is not authenticated."


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("admin", "wrong"),
        basic("nobody", "password"),
        {"Authorization": "Basic !!!"},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Digest x"},
    ],
)
def test_bad_credentials_are_ycp0427(client: FlaskClient, headers: dict[str, str]) -> None:
    assert_ycp0427(client.post(URL, json=GOOD, headers=headers))


def test_status_401_setting() -> None:
    assert_ycp0427(make_client(auth_error_status=401).post(URL, json=GOOD), 401)


def test_basic_and_configured_users() -> None:
    client = make_client(users={"ops": "s3cret:with:colons"})
    assert client.post(URL, json=GOOD, headers=basic("ops", "s3cret:with:colons")).status_code == 200
    assert_ycp0427(client.post(URL, json=GOOD, headers=BASIC))


def test_login_token_flow(client: FlaskClient) -> None:
    token = login(client)
    ok = client.post(f"{URL}?_loginid=admin&_token={token}", json=GOOD)
    assert ok.status_code == 200
    assert_ycp0427(client.post(f"{URL}?_loginid=admin&_token=wrong", json=GOOD))
    assert_ycp0427(client.post(f"{URL}?_token={token}", json=GOOD))  # both are required
    assert_ycp0427(client.post(f"{URL}?_loginid=someoneelse&_token={token}", json=GOOD))


def test_login_tokens_are_stored_as_digests_only(app: Flask, client: FlaskClient) -> None:
    token = login(client)
    store = app.extensions["sterling_mock"].store
    with store.read() as tx:
        stored = [row[0] for row in tx.conn.execute("SELECT token FROM tokens").fetchall()]
    assert stored and token not in stored  # a copied database holds no usable token
    assert client.post(f"{URL}?_loginid=admin&_token={token}", json=GOOD).status_code == 200
    assert_ycp0427(
        client.post(f"{URL}?_loginid=admin&_token={stored[0]}", json=GOOD)
    )  # nor is the digest one


def test_login_with_basic_header_alongside(client: FlaskClient) -> None:
    response = client.post(
        "/smcfs/restapi/invoke/login", json={"LoginID": "admin", "Password": "password"}, headers=BASIC
    )
    assert response.status_code == 200


def test_bad_login(client: FlaskClient) -> None:
    assert_ycp0427(client.post("/smcfs/restapi/invoke/login", json={"LoginID": "admin", "Password": "x"}))


def test_token_expires_on_the_virtual_clock() -> None:
    client = make_client(token_lifetime=60)
    token = login(client)
    fake = client.application.extensions["sterling_mock"]
    with fake.store.write() as tx:
        clock.advance(tx, "default", 61)
    assert_ycp0427(client.post(f"{URL}?_loginid=admin&_token={token}", json=GOOD))


def test_jwt_bearer(client: FlaskClient) -> None:
    token = login(client)
    jwt = client.get(f"/smcfs/restapi/jwt?_loginid=admin&_token={token}")
    assert jwt.status_code == 200 and jwt.mimetype == "text/plain"
    bearer = {"Authorization": "Bearer " + jwt.data.decode()}
    assert client.post(URL, json=GOOD, headers=bearer).status_code == 200
    tampered = jwt.data.decode()[:-2] + ("AA" if not jwt.data.decode().endswith("AA") else "BB")
    assert_ycp0427(client.post(URL, json=GOOD, headers={"Authorization": "Bearer " + tampered}))


def test_style_basic_only_refuses_tokens() -> None:
    client = make_client(auth_style="BASIC")
    token = login(client)
    assert_ycp0427(client.post(f"{URL}?_loginid=admin&_token={token}", json=GOOD))
    assert client.post(URL, json=GOOD, headers=BASIC).status_code == 200


def test_style_standard_refuses_basic() -> None:
    client = make_client(auth_style="STANDARD")
    assert_ycp0427(client.post(URL, json=GOOD, headers=BASIC))
    token = login(client)
    assert client.post(f"{URL}?_loginid=admin&_token={token}", json=GOOD).status_code == 200


def test_style_open() -> None:
    client = make_client(auth_style="OPEN")
    assert client.post(URL, json=GOOD).status_code == 200


def test_user_is_recorded_on_the_order() -> None:
    client = make_client(users={"ops": "pw"})
    key = client.post(URL, json=GOOD, headers=basic("ops", "pw")).json["OrderHeaderKey"]
    order = client.post(
        "/smcfs/restapi/invoke/getOrderDetails", json={"OrderHeaderKey": key}, headers=basic("ops", "pw")
    ).json
    assert order["EnteredBy"] == "ops"
