"""Contract, raw HTTP: the exact bytes and JSON shapes (reference §2, §3, §4), checked without the codec so a
symmetric codec mistake cannot hide; and authentication."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc

from .sterling import Sterling
from .target import Target

pytestmark = pytest.mark.unverified
Make = Callable[..., tuple[str, Doc]]
JSON = {"Content-Type": "application/json", "Accept": "application/json"}
XML = {"Content-Type": "application/xml", "Accept": "application/xml"}


@pytest.mark.parametrize("fmt", ["json"])
def test_json_list_shape_on_the_wire(sterling: Sterling, existing_order: Doc) -> None:
    body = json.dumps({"OrderHeaderKey": existing_order["OrderHeaderKey"], "MaximumRecords": 1}).encode()
    response, _ = sterling.request("POST", "/invoke/getOrderList", body, JSON)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    assert "OrderList" not in data  # the root's name is dropped
    assert isinstance(data["Order"], list) and len(data["Order"]) == 1  # OrderList/Order: always an array
    assert data["TotalOrderList"] == "1"  # every value a string
    assert isinstance(data["Order"][0]["PriceInfo"], dict)  # Order/PriceInfo: an object


@pytest.mark.parametrize("fmt", ["xml"])
def test_xml_answer_bytes(sterling: Sterling, existing_order: Doc) -> None:
    body = f'<Order OrderHeaderKey="{existing_order["OrderHeaderKey"]}"/>'.encode()
    response, _ = sterling.request("POST", "/invoke/getOrderDetails", body, XML)
    assert response.status_code == 200
    assert "xml" in response.headers["Content-Type"]
    text = response.content.decode("utf-8")
    assert text.startswith("<?xml")
    head = re.search(r"<Order( [^>]*)>", text)
    assert head is not None
    names = re.findall(r' (\w+)="', head.group(1))
    assert names == sorted(names)  # attributes in ASCII order
    assert "\n" not in text.split("?>", 1)[1][:200]  # compact


@pytest.mark.parametrize("fmt", ["json"])
def test_no_accept_answers_json_even_to_xml(sterling: Sterling, existing_order: Doc) -> None:
    body = f'<Order OrderHeaderKey="{existing_order["OrderHeaderKey"]}"/>'.encode()
    response, _ = sterling.request(
        "POST", "/invoke/getOrderDetails", body, {"Content-Type": "application/xml"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["OrderHeaderKey"] == existing_order["OrderHeaderKey"]


@pytest.mark.parametrize("fmt", ["json"])
def test_json_error_envelope(sterling: Sterling) -> None:
    body = b'{"OrderHeaderKey":"00000000000000000000000"}'
    response, _ = sterling.request("POST", "/invoke/getOrderDetails", body, JSON)
    assert response.status_code == 400
    data = response.json()
    assert list(data) == ["errors"] and isinstance(data["errors"], list)
    error = data["errors"][0]
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YFS10003", "YFS:Invalid Order")
    assert error["httpcode"] == 400  # a JSON number, outside the string-only mapping


@pytest.mark.parametrize("fmt", ["xml"])
def test_xml_error_document(sterling: Sterling) -> None:
    response, _ = sterling.request(
        "POST", "/invoke/getOrderDetails", b'<Order OrderHeaderKey="00000000000000000000000"/>', XML
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "<Errors><Error " in text and 'ErrorCode="YFS10003"' in text


@pytest.mark.writes
@pytest.mark.parametrize("fmt", ["json"])
def test_void_api_answers_204_without_body(sterling: Sterling, new_order: Make) -> None:
    key, _ = new_order(lines=1)
    response, _ = sterling.request(
        "POST", "/invoke/scheduleOrder", json.dumps({"OrderHeaderKey": key}).encode(), JSON
    )
    assert (response.status_code, response.content) == (204, b"")
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize("fmt", ["json"])
def test_numbers_and_booleans_accepted_as_strings(sterling: Sterling) -> None:
    body = json.dumps(
        {"MaximumRecords": 2, "OrderBy": {"Attribute": {"Name": "OrderDate", "Desc": True}}}
    ).encode()
    response, _ = sterling.request("POST", "/invoke/getOrderList", body, JSON)
    assert response.status_code == 200
    assert len(response.json().get("Order", [])) <= 2


@pytest.mark.parametrize("fmt", ["json"])
def test_doubled_slash_path_is_served(sterling: Sterling) -> None:
    response, _ = sterling.request("POST", "//invoke/getOrderList", b'{"MaximumRecords":"1"}', JSON)
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_wrong_password_is_ycp0427(sterling: Sterling, target: Target, fmt: str) -> None:
    wrong = Sterling(
        Target(target.base_url, target.user, target.password + "-wrong", "basic"), sterling.namespace, fmt
    )
    error = wrong.error("getOrderList", {"MaximumRecords": "1"})
    assert error.code == "YCP0427"
    assert error.description == "Cannot invoke API because user is not authenticated."
    assert error.http_status in (400, 401)  # captures show 400, IBM's table 401: a setting of the fake


@pytest.mark.parametrize("fmt", ["json"])
def test_login_token_authenticates(sterling: Sterling, target: Target) -> None:
    if not target.is_fake and target.auth != "token":
        pytest.skip("the instance authenticates with Basic (STERLING_AUTH=basic)")
    caller = Sterling(Target(target.base_url, target.user, target.password, "token"), sterling.namespace)
    out = caller.invoke("getOrderList", {"MaximumRecords": "1"})
    assert "TotalOrderList" in out
    assert "_token=" in caller.exchanges[-1].url and "_loginid=" in caller.exchanges[-1].url
    # a refused token is YCP0427; the client then logs in again, once, and the call goes through
    expired = Sterling(caller.target, sterling.namespace)
    expired._client("json")._token = "not-a-token"
    assert "TotalOrderList" in expired.invoke("getOrderList", {"MaximumRecords": "1"})
    first = expired.exchanges[0]
    assert first.status in (400, 401) and b"YCP0427" in first.response_body
    assert any("/invoke/login" in e.url for e in expired.exchanges[1:])
