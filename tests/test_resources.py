"""Resource REST: GET/POST/PATCH on /order with ``id`` in every answer, ``~op~`` filters, PUT and DELETE rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from sterling_mock.client.wire import as_list, from_xml, to_xml
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.doors.resources import list_input
from tests.conftest import BASIC

BASE = "/smcfs/restapi/order"
XML = {**BASIC, "Accept": "application/xml"}


def order(no: str, date: str = "2025-01-10T10:00:00+00:00", **extra: Any) -> dict[str, Any]:
    return {
        "EnterpriseCode": "DEFAULT",
        "OrderNo": no,
        "OrderDate": date,
        "OrderLines": {
            "OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "SKU"}, "LinePriceInfo": {"UnitPrice": "9"}}]
        },
        **extra,
    }


def create(client: FlaskClient, doc: dict[str, Any]) -> str:
    response = client.post(BASE, json=doc, headers=BASIC)
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert body["id"] == body["OrderHeaderKey"] and next(iter(body)) == "id"
    return str(body["id"])


def errors(response: Any) -> dict[str, Any]:
    if response.mimetype == "application/xml":
        return dict(as_list(from_xml(response.data)[1]["Error"])[0])
    found: dict[str, Any] = json.loads(response.data)["errors"][0]
    return found


@pytest.fixture
def three(client: FlaskClient) -> list[str]:
    return [
        create(client, order("R-100", "2025-01-05T00:00:00+00:00")),
        create(client, order("R-200", "2025-01-15T00:00:00+00:00")),
        create(client, order("X-300", "2025-02-01T00:00:00+00:00")),
    ]


def test_operators_become_a_complex_query() -> None:
    doc = list_input(
        MultiDict(
            [
                ("EnterpriseCode", "DEFAULT"),
                ("OrderNo", "~sw~R-"),
                ("_token", "t"),
                ("OrderDate", "~gteq~2025-01-01"),
                ("OrderDate", "~lt~2025-02-01"),
            ]
        )
    )
    assert doc == {
        "EnterpriseCode": "DEFAULT",
        "ComplexQuery": {
            "Operator": "AND",
            "And": {
                "Exp": [
                    {"Name": "OrderNo", "Value": "R-", "QryType": "FLIKE"},
                    {"Name": "OrderDate", "Value": "2025-01-01", "QryType": "GE"},
                    {"Name": "OrderDate", "Value": "2025-02-01", "QryType": "LT"},
                ]
            },
        },
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["R-100", "R-200", "X-300"]),
        ("?OrderNo=R-200", ["R-200"]),
        ("?OrderNo=~sw~R-", ["R-100", "R-200"]),
        ("?OrderNo=~ew~00&OrderNo=~neq~R-100", ["R-200", "X-300"]),
        ("?OrderNo=~like~-2", ["R-200"]),
        ("?OrderNo=~gt~R-100&OrderNo=~lt~X", ["R-200"]),
        ("?OrderDate=~gteq~2025-01-15T00:00:00Z&OrderDate=~lteq~2025-02-01T00:00:00Z", ["R-200", "X-300"]),
        ("?OrderDate=~lt~2025-01-15T00:00:00Z&EnterpriseCode=DEFAULT", ["R-100"]),
        ("?EnterpriseCode=OTHER", []),
    ],
)
def test_list_answers_an_array_with_id(
    client: FlaskClient, three: list[str], query: str, expected: list[str]
) -> None:
    response = client.get(BASE + query, headers=BASIC)
    assert response.status_code == 200 and response.mimetype == "application/json"
    found = response.get_json()
    assert isinstance(found, list)
    assert sorted(o["OrderNo"] for o in found) == expected
    assert all(next(iter(o)) == "id" and o["id"] == o["OrderHeaderKey"] for o in found)
    assert all("PriceInfo" in o and "OrderLines" not in o for o in found)


def test_list_in_xml_keeps_the_list_root_with_id_attributes(client: FlaskClient, three: list[str]) -> None:
    response = client.get(BASE + "?OrderNo=~sw~R-", headers=XML)
    root, listed = from_xml(response.data)
    assert root == "OrderList" and listed["TotalOrderList"] == "2"
    assert [o["id"] for o in as_list(listed["Order"])] == [
        o["OrderHeaderKey"] for o in as_list(listed["Order"])
    ]


def test_list_with_a_stored_template(client: FlaskClient, three: list[str]) -> None:
    client.put(
        "/_fake/templates/slim", data=to_xml("OrderList", {"Order": {"OrderHeaderKey": "", "OrderNo": ""}})
    )
    found = client.get(BASE + "?OrderNo=X-300&_templateId=slim", headers=BASIC).get_json()
    assert found == [{"id": three[2], "OrderHeaderKey": three[2], "OrderNo": "X-300"}]


@pytest.mark.parametrize(
    ("query", "code"), [("?OrderNo=~between~a", "MOCK0101"), ("?OrderDate=~gt~yesterday", "MOCK0102")]
)
def test_bad_filters_are_sterling_errors(client: FlaskClient, query: str, code: str, fmt: str) -> None:
    response = client.get(BASE + query, headers=XML if fmt == "xml" else BASIC)
    assert response.status_code == 400 and errors(response)["ErrorCode"] == code


def test_get_one_by_key_and_by_natural_key(client: FlaskClient, three: list[str], fmt: str) -> None:
    headers = XML if fmt == "xml" else BASIC
    by_key = client.get(f"{BASE}/{three[1]}", headers=headers)
    natural = client.get(
        f"{BASE}/detail?EnterpriseCode=DEFAULT&OrderNo=R-200&DocumentType=0001", headers=headers
    )
    for response in (by_key, natural):
        assert response.status_code == 200
        doc = from_xml(response.data)[1] if fmt == "xml" else response.get_json()
        assert doc["id"] == three[1] and doc["OrderNo"] == "R-200" and "OrderLines" in doc


def test_unknown_order_is_yfs10003(client: FlaskClient, fmt: str) -> None:
    response = client.get(f"{BASE}/99999999999999999999", headers=XML if fmt == "xml" else BASIC)
    error = errors(response)
    assert response.status_code == 400
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YFS10003", "YFS:Invalid Order")


def test_create_in_xml_answers_id(client: FlaskClient) -> None:
    response = client.post(
        BASE, data=to_xml("Order", order("X-1")), headers={**XML, "Content-Type": "application/xml"}
    )
    root, doc = from_xml(response.data)
    assert root == "Order" and doc["id"] == doc["OrderHeaderKey"] and doc["OrderNo"] == "X-1"


def test_patch_changes_the_order_and_answers_id_and_order_no(client: FlaskClient) -> None:
    key = create(client, order("P-1"))
    # IBM's client sends only the changes; the URL names the order [OBS: update_order.py]
    payload = {
        "CustomerPONo": "PO-9",
        "OrderDates": {"OrderDate": [{"DateTypeId": "COMMITTED", "CommittedDate": "2025-03-01"}]},
    }
    response = client.patch(f"{BASE}/{key}", json=payload, headers=BASIC)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == key and body["OrderNo"] == "P-1"
    assert client.get(f"{BASE}/{key}", headers=BASIC).get_json()["CustomerPONo"] == "PO-9"


def test_patch_of_an_unknown_order_changes_nothing(client: FlaskClient) -> None:
    response = client.patch(f"{BASE}/nope", json={"CustomerPONo": "x"}, headers=BASIC)
    assert response.status_code == 400 and errors(response)["ErrorCode"] == "YFS10003"


def test_put_only_when_enabled(client: FlaskClient) -> None:
    key = create(client, order("U-1"))
    refused = client.put(f"{BASE}/{key}", json={"CustomerPONo": "x"}, headers=BASIC)
    assert refused.status_code == 405 and errors(refused)["ErrorCode"] == "MOCK0007"
    enabled = create_app(Settings(db=":memory:", demo_orders=0, allow_put=True)).test_client()
    key = create(enabled, order("U-1"))
    response = enabled.put(f"{BASE}/{key}", json={"CustomerPONo": "x"}, headers=BASIC)
    assert response.status_code == 200 and response.get_json()["id"] == key


@pytest.mark.parametrize(("method", "path"), [("PATCH", ""), ("PUT", "")])
def test_methods_sterling_does_not_offer_for_orders(client: FlaskClient, method: str, path: str) -> None:
    key = create(client, order("D-1"))
    response = client.open(BASE + path.replace("KEY", key), method=method, json={}, headers=BASIC)
    assert response.status_code == 405 and errors(response)["ErrorCode"] == "MOCK0007"
    assert client.get(f"{BASE}/{key}", headers=BASIC).status_code == 200


def test_resources_need_credentials(client: FlaskClient) -> None:
    response = client.get(BASE)
    assert response.status_code == 400 and errors(response)["ErrorCode"] == "YCP0427"
    journal = client.get("/_fake/journal?transport=resource").get_json()["entries"]
    assert journal[-1]["error_code"] == "YCP0427"
