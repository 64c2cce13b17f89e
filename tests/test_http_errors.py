"""Every failure a client can cause answers a Sterling-shaped error in the caller's format."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC

URL = "/smcfs/restapi/invoke/createOrder"
GOOD = {"EnterpriseCode": "Matrix-R"}


def error_of(response: object) -> dict[str, object]:
    body = json.loads(response.data)  # type: ignore[attr-defined]
    assert list(body) == ["errors"]
    assert isinstance(body["errors"], list)
    error = body["errors"][0]
    assert isinstance(error["httpcode"], int)
    assert set(error) == {"ErrorCode", "ErrorDescription", "ErrorUniqueExceptionId", "MoreInfo", "httpcode"}
    return dict(error)


def test_no_accept_answers_json_even_to_xml(client: FlaskClient) -> None:
    response = client.post(
        URL, data='<Order EnterpriseCode="E"/>', headers={**BASIC, "Content-Type": "application/xml"}
    )
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert response.json["EnterpriseCode"] == "E"
    response = client.post(
        URL,
        data='<Order EnterpriseCode="E"/>',
        headers={**BASIC, "Content-Type": "text/xml", "Accept": "*/*"},
    )
    assert response.headers["Content-Type"].startswith("application/json")


def test_accept_xml_answers_xml(client: FlaskClient) -> None:
    response = client.post(URL, json=GOOD, headers={**BASIC, "Accept": "application/xml"})
    assert response.headers["Content-Type"] == "application/xml; charset=UTF-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Order ')
    response = client.post(URL, json=GOOD, headers={**BASIC, "Accept": "text/xml"})
    assert response.data.startswith(b"<?xml")


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"{", "application/json", "MOCK0001"),
        (b"", "application/json", "MOCK0001"),
        (b"[1]", "application/json", "MOCK0001"),
        (b"<Order", "application/xml", "MOCK0001"),
        (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Order A="&e;"/>',
            "application/xml",
            "MOCK0002",
        ),
        (b"<a>" * 100 + b"</a>" * 100, "application/xml", "MOCK0003"),
    ],
)
def test_bad_bodies(client: FlaskClient, body: bytes, content_type: str, code: str) -> None:
    response = client.post(URL, data=body, headers={**BASIC, "Content-Type": content_type})
    assert response.status_code == 400
    error = error_of(response)
    assert error["ErrorCode"] == code
    assert b"Traceback" not in response.data
    assert b"root:" not in response.data  # nothing from /etc/passwd


def test_xml_error_document(client: FlaskClient) -> None:
    response = client.post(
        URL, data=b"<Order", headers={**BASIC, "Content-Type": "application/xml", "Accept": "application/xml"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/xml; charset=UTF-8"
    assert response.data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?><Errors><Error ErrorCode="MOCK0001" '
    )
    assert b'HttpCode="400"' in response.data


def test_unsupported_media_type(client: FlaskClient) -> None:
    response = client.post(
        URL, data="EnterpriseCode=x", headers={**BASIC, "Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    assert error_of(response)["ErrorCode"] == "MOCK0005"


def test_unknown_api(client: FlaskClient) -> None:
    response = client.post("/smcfs/restapi/invoke/noSuchApi", json={}, headers=BASIC)
    assert response.status_code == 400
    error = error_of(response)
    assert error["ErrorCode"] == "MOCK0006"
    assert error["MoreInfo"]["ApiName"] == "noSuchApi"  # type: ignore[index]


def test_wrong_method_and_unknown_url(client: FlaskClient) -> None:
    response = client.get(URL, headers=BASIC)
    assert response.status_code == 405
    assert error_of(response)["ErrorCode"] == "MOCK0007"
    response = client.get("/smcfs/restapi/nothing/here", headers={**BASIC, "Accept": "application/xml"})
    assert response.status_code == 404
    assert response.data.startswith(b"<?xml") and b'ErrorCode="MOCK0008"' in response.data
    assert b"<html" not in response.data.lower()


def test_body_over_the_limit_is_413() -> None:
    client = create_app(Settings(db=":memory:", max_body_bytes=1000)).test_client()
    response = client.post(
        URL,
        data=json.dumps({"EnterpriseCode": "x" * 2000}),
        headers={**BASIC, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert error_of(response)["ErrorCode"] == "MOCK0004"


def test_internal_error_has_no_stack_trace(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from sterling_mock.mock_server.apis import APIS, ApiSpec

    def boom(ctx: object, doc: object) -> object:
        raise RuntimeError("secret detail")

    monkeypatch.setitem(APIS, "createOrder", ApiSpec(boom, "Order", "Order", writes=True))  # type: ignore[arg-type]
    response = client.post(URL, json=GOOD, headers=BASIC)
    assert response.status_code == 500
    error = error_of(response)
    assert error["ErrorCode"] == "MOCK0500"
    assert b"Traceback" not in response.data and b"secret detail" not in response.data


def test_doubled_slash_is_served(client: FlaskClient) -> None:
    response = client.post("/smcfs/restapi//invoke/createOrder", json=GOOD, headers=BASIC)
    assert response.status_code == 200
    assert response.json["EnterpriseCode"] == "Matrix-R"
