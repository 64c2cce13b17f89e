"""JWT: IBM's login -> jwt -> Bearer -> getPage sequence, expiry on the virtual clock, styles and refusals."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC

REST = "/smcfs/restapi"
JSON = {"Content-Type": "application/json", "Accept": "application/json"}
ORDER = {
    "EnterpriseCode": "DEFAULT",
    "OrderLines": {
        "OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}, "LinePriceInfo": {"UnitPrice": "2"}}]
    },
}
# As IBM's SterlingOMSClient builds it (get_orders.py): empty strings for unused filters, numbers and booleans.
GET_PAGE = {
    "PageNumber": 1,
    "PageSize": 2,
    "PaginationStrategy": "GENERIC",
    "Refresh": "N",
    "PageSetToken": "",
    "API": {
        "IsFlow": "N",
        "Name": "getOrderList",
        "Input": {
            "Order": {
                "BuyerOrganizationCode": "",
                "OrderNo": "",
                "EnterpriseCode": "",
                "FromOrderDate": "",
                "ToOrderDate": "",
                "OrderDateQryType": "BETWEEN",
                "Status": "",
                "OrderBy": {"Attribute": {"Name": "OrderDate", "Desc": True}},
            }
        },
        "Template": {"OrderList": {"Order": {"OrderNo": "", "OrderHeaderKey": "", "Status": ""}}},
    },
}


def login_token(client: FlaskClient) -> str:
    # IBM's client sends Basic alongside the JSON body [OBS]
    response = client.post(
        f"{REST}/invoke/login", json={"LoginID": "admin", "Password": "password"}, headers={**BASIC, **JSON}
    )
    assert response.status_code == 200
    token: str = response.get_json()["UserToken"]
    return token


def get_jwt(client: FlaskClient) -> str:
    response = client.get(f"{REST}/jwt", query_string={"_token": login_token(client), "_loginid": "admin"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return bytes(response.data).decode()


def error_of(response: Any) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(response.data)["errors"][0]
    return found


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    found: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return found


def test_ibm_client_sequence(client: FlaskClient) -> None:
    token = get_jwt(client)
    bearer = {"Authorization": f"Bearer {token}", **JSON}
    for number in range(3):
        created = client.post(
            f"{REST}/invoke/createOrder", json={**ORDER, "OrderNo": f"J-{number}"}, headers=bearer
        )
        assert created.status_code == 200
    # IBM's client joins base URL and "/invoke/getPage" into a doubled slash [OBS]
    page = client.post(f"{REST}//invoke/getPage", json=GET_PAGE, headers=bearer)
    assert page.status_code == 200, page.data
    body = page.get_json()
    assert body["IsFirstPage"] == "Y" and body["IsLastPage"] == "N" and body["PageSetToken"]
    orders = body["Output"]["OrderList"]["Order"]
    assert len(orders) == 2 and all(set(o) == {"OrderNo", "OrderHeaderKey", "Status"} for o in orders)
    following = client.post(
        f"{REST}//invoke/getPage",
        headers=bearer,
        json={**GET_PAGE, "PageNumber": 2, "PageSetToken": body["PageSetToken"]},
    )
    assert [o["OrderNo"] for o in following.get_json()["Output"]["OrderList"]["Order"]] != []


def test_token_shape_and_expiry_on_the_virtual_clock(client: FlaskClient) -> None:
    client.post("/_fake/clock", json={"set": "2025-01-27T10:00:00+00:00"})
    client.post("/_fake/clock", json={"freeze": True})
    token = get_jwt(client)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}
    found = claims(token)
    assert found["sub"] == "admin" and found["exp"] - found["iat"] == 1800
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post(f"{REST}/invoke/getOrderList", json={}, headers=bearer).status_code == 200
    client.post("/_fake/clock", json={"advance": 1799})
    assert client.post(f"{REST}/invoke/getOrderList", json={}, headers=bearer).status_code == 200
    client.post("/_fake/clock", json={"advance": 1})
    expired = client.post(f"{REST}/invoke/getOrderList", json={}, headers=bearer)
    assert expired.status_code == 400 and error_of(expired)["ErrorCode"] == "YCP0427"
    assert "expired" in error_of(expired)["MoreInfo"]["ErrorRelatedMoreInfo"]


def _forge(token: str, header: dict[str, Any]) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    return ".".join([encoded, *token.split(".")[1:]])


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: _forge(t, {"alg": "none", "typ": "JWT"}),
        lambda t: t.split(".")[0] + "." + t.split(".")[1] + ".",
        lambda t: "not-a-jwt",
    ],
)
def test_tampered_tokens_are_refused(client: FlaskClient, mangle: Any) -> None:
    response = client.post(
        f"{REST}/invoke/getOrderList", json={}, headers={"Authorization": "Bearer " + mangle(get_jwt(client))}
    )
    assert response.status_code == 400 and error_of(response)["ErrorCode"] == "YCP0427"


@pytest.mark.parametrize(
    "query",
    [{}, {"_loginid": "admin"}, {"_token": "abc"}, {"_loginid": "admin", "_token": "wrong"}],
)
def test_jwt_needs_a_valid_login_token(client: FlaskClient, query: dict[str, str]) -> None:
    response = client.get(f"{REST}/jwt", query_string=query)
    assert response.status_code == 400 and error_of(response)["ErrorCode"] == "YCP0427"


def test_basic_header_also_gets_a_token(client: FlaskClient) -> None:
    response = client.get(f"{REST}/jwt", headers=BASIC)
    assert response.status_code == 200 and claims(response.data.decode())["sub"] == "admin"
    bad = "Basic " + base64.b64encode(b"admin:nope").decode()
    assert client.get(f"{REST}/jwt", headers={"Authorization": bad}).status_code == 400


def test_jwt_only_instance() -> None:
    client = create_app(Settings(db=":memory:", demo_orders=0, auth_style="JWT")).test_client()
    token = get_jwt(client)  # login and /jwt still work: that is how a JWT is obtained
    assert (
        client.post(
            f"{REST}/invoke/getOrderList", json={}, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 200
    )
    refused = client.post(f"{REST}/invoke/getOrderList", json={}, headers=BASIC)
    assert refused.status_code == 400 and error_of(refused)["ErrorCode"] == "YCP0427"


@pytest.mark.parametrize("style", ["BASIC", "STANDARD"])
def test_instances_without_jwt(style: str) -> None:
    client = create_app(
        Settings(db=":memory:", demo_orders=0, auth_style=style, auth_error_status=401)
    ).test_client()
    response = client.get(f"{REST}/jwt", headers=BASIC)
    assert response.status_code == 404 and error_of(response)["ErrorCode"] == "MOCK0602"
    token = get_jwt(create_app(Settings(db=":memory:", demo_orders=0)).test_client())
    bearer = client.post(f"{REST}/invoke/getOrderList", json={}, headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401 and error_of(bearer)["ErrorCode"] == "YCP0427"


def test_token_of_another_secret_is_refused() -> None:
    other = create_app(Settings(db=":memory:", demo_orders=0, jwt_secret="another")).test_client()
    client = create_app(Settings(db=":memory:", demo_orders=0)).test_client()
    response = client.post(
        f"{REST}/invoke/getOrderList", json={}, headers={"Authorization": f"Bearer {get_jwt(other)}"}
    )
    assert response.status_code == 400 and error_of(response)["ErrorCode"] == "YCP0427"
