"""The interop servlet: Java-style query-string calls, form bodies, TemplateData, multiApi, services, errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list, from_xml, to_xml
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC

URL = "/smcfs/interop/InteropHttpServlet"
CREDS = {"YFSEnvironment.userId": "admin", "YFSEnvironment.password": "password"}
ORDER = {
    "EnterpriseCode": "DEFAULT",
    "OrderNo": "I-1",
    "OrderLines": {
        "OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "SKU1"}, "LinePriceInfo": {"UnitPrice": "4.50"}}]
    },
}


def servlet(client: FlaskClient, **params: str) -> tuple[int, str, bytes]:
    """As captured clients call it: POST, empty body, no Content-Type, everything in the query string."""
    response = client.post(URL + "?" + urlencode(params))
    assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert response.headers["InteropSentData"] == "true"
    return response.status_code, response.data.decode(), response.data


def java_call(client: FlaskClient, api: str, root: str, doc: Mapping[str, Any], **extra: str) -> bytes:
    status, _, body = servlet(
        client,
        **{"YFSEnvironment.progId": "Test", "InteropApiName": api, "IsFlow": "N", **CREDS},
        InteropApiData=to_xml(root, dict(doc), declaration=False).decode(),
        timeout="30",
        **extra,
    )
    assert status == 200
    return body


def classic_error(text: str) -> dict[str, object]:
    root, doc = from_xml(text.encode())
    assert root == "Errors"
    error = as_list(doc["Error"])[0]
    return {
        **{k: v for k, v in error.items() if isinstance(v, str)},
        "attributes": {a["Name"]: a["Value"] for a in as_list(error.get("Attribute"))},
    }


def test_java_style_create_then_read(client: FlaskClient) -> None:
    created = from_xml(java_call(client, "createOrder", "Order", ORDER))
    assert created[0] == "Order" and created[1]["OrderNo"] == "I-1"
    key = created[1]["OrderHeaderKey"]
    body = java_call(client, "getOrderDetails", "Order", {"OrderHeaderKey": key})
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Order ')
    order = from_xml(body)[1]
    assert order["OrderHeaderKey"] == key and order["Status"] == "Created"


def test_template_data_prunes_and_prog_id_is_recorded(client: FlaskClient) -> None:
    key = from_xml(java_call(client, "createOrder", "Order", ORDER))[1]["OrderHeaderKey"]
    template = (
        '<Order OrderNo="" Createprogid="" Createuserid="">'
        '<OrderLines><OrderLine PrimeLineNo=""/></OrderLines></Order>'
    )
    body = java_call(client, "getOrderDetails", "Order", {"OrderHeaderKey": key}, TemplateData=template)
    order = from_xml(body)[1]
    assert set(order) == {"OrderNo", "Createprogid", "Createuserid", "OrderLines"}
    assert order["Createprogid"] == "Test" and order["Createuserid"] == "admin"
    assert as_list(order["OrderLines"]["OrderLine"]) == [{"PrimeLineNo": "1"}]


def test_form_body_as_the_http_api_tester_sends_it(client: FlaskClient) -> None:
    form = {
        "YFSEnvironment.progId": "SterlingHttpTester",
        "InteropApiName": "createOrder",
        "IsFlow": "N",
        "ServiceName": "",
        "ApiName": "createOrder",
        **CREDS,
        "YFSEnvironment.version": "",
        "YFSEnvironment.locale": "",
        "InteropApiData": to_xml("Order", ORDER).decode(),
        "TemplateData": '<Order OrderNo="" DocumentType=""/>',
        "Content-Type": "application/x-www-form-urlencoded",
    }
    response = client.post(URL, data=form)
    assert response.status_code == 200
    assert from_xml(response.data) == ("Order", {"DocumentType": "0001", "OrderNo": "I-1"})


def test_form_body_without_content_type_and_query_wins(client: FlaskClient) -> None:
    body = urlencode({"InteropApiName": "getOrderList", **CREDS, "YFSEnvironment.password": "wrong"})
    response = client.post(URL + "?YFSEnvironment.password=password", data=body, content_type="")
    assert response.status_code == 200
    assert from_xml(response.data)[0] == "OrderList"


def test_multi_api_with_per_api_templates_as_captured_suites_use_it(client: FlaskClient) -> None:
    key = from_xml(java_call(client, "createOrder", "Order", ORDER))[1]["OrderHeaderKey"]
    data = (
        '<MultiApi><API Name="getOrderList"><Input><Order OrderNo="I-1"/></Input>'
        '<Template><OrderList TotalOrderList=""><Order OrderHeaderKey="" OrderNo=""/></OrderList></Template></API>'
        f'<API Name="getOrderDetails"><Input><Order OrderHeaderKey="{key}"/></Input>'
        '<Template><Order Status=""/></Template></API></MultiApi>'
    )
    status, _, body = servlet(
        client,
        **{"YFSEnvironment.progId": "Test", "InteropApiName": "multiApi", "ApiName": "MultiApi", **CREDS},
        InteropApiData=data,
        timeout="30",
    )
    root, multi = from_xml(body)
    assert status == 200 and root == "MultiApi"
    first, second = as_list(multi["API"])
    listed = first["Output"]["OrderList"]
    assert listed["TotalOrderList"] == "1"
    assert as_list(listed["Order"]) == [{"OrderHeaderKey": key, "OrderNo": "I-1"}]
    assert second == {"Name": "getOrderDetails", "Output": {"Order": {"Status": "Created"}}}


def test_api_name_display_form_alone_names_the_api(client: FlaskClient) -> None:
    status, _, body = servlet(client, ApiName="GetOrderList", **CREDS)
    assert status == 200 and from_xml(body)[0] == "OrderList"


def test_bad_credentials_answer_classic_errors_with_http_200(client: FlaskClient) -> None:
    status, text, _ = servlet(
        client,
        InteropApiName="getOrderList",
        **{"YFSEnvironment.userId": "admin", "YFSEnvironment.password": "x"},
    )
    assert status == 200
    lines = text.splitlines()
    assert lines[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    assert lines[1] == "<Errors>" and lines[2].startswith('    <Error ErrorCode="YCP0427"')
    assert lines[3] == '        <Attribute Name="ErrorCode" Value="YCP0427"/>'
    assert lines[-1] == "</Errors>"
    error = classic_error(text)
    assert error["ErrorDescription"] == "Cannot invoke API because user is not authenticated."
    assert error["attributes"]["ApiName"] == "getOrderList"  # type: ignore[index]


@pytest.mark.parametrize(
    "params",
    [
        {"InteropApiName": "getOrderList"},
        {"InteropApiName": "getOrderList", "YFSEnvironment.userId": "nobody"},
    ],
)
def test_missing_or_unknown_users_are_refused(client: FlaskClient, params: dict[str, str]) -> None:
    status, text, _ = servlet(client, **params)
    assert status == 200 and classic_error(text)["ErrorCode"] == "YCP0427"


def test_api_errors_render_classic_with_the_api_name(client: FlaskClient) -> None:
    status, text, _ = servlet(
        client, InteropApiName="getOrderDetails", InteropApiData='<Order OrderHeaderKey="nope"/>', **CREDS
    )
    error = classic_error(text)
    assert (
        status == 200
        and error["ErrorCode"] == "YFS10003"
        and error["ErrorDescription"] == "YFS:Invalid Order"
    )
    assert error["attributes"]["ApiName"] == "getOrderDetails"  # type: ignore[index]
    assert "<Stack>" in text


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"InteropApiName": "noSuchApi"}, "MOCK0006"),
        ({"InteropApiName": "getOrderList", "InteropApiData": "<Order"}, "MOCK0001"),
        ({"InteropApiName": "getOrderList", "InteropApiData": "<!DOCTYPE x []><Order/>"}, "MOCK0002"),
        ({"IsFlow": "N"}, "MOCK0603"),
        ({"IsFlow": "Y", "ServiceName": "NoSuchService"}, "MOCK0600"),
    ],
)
def test_refusals_are_classic_errors(client: FlaskClient, params: dict[str, str], code: str) -> None:
    status, text, _ = servlet(client, **params, **CREDS)
    assert status == 200 and classic_error(text)["ErrorCode"] == code


def test_body_over_the_limit_is_413_in_classic_form() -> None:
    client = create_app(Settings(db=":memory:", demo_orders=0, max_body_bytes=1000)).test_client()
    response = client.post(
        URL, data={"InteropApiName": "getOrderList", "InteropApiData": "<Order/>" + " " * 2000}
    )
    assert response.status_code == 413 and response.headers["InteropSentData"] == "true"
    assert classic_error(response.data.decode())["ErrorCode"] == "MOCK0004"


def test_services_through_the_servlet(client: FlaskClient) -> None:
    flow = {"api": "getOrderList", "template": '<OrderList><Order OrderNo=""/></OrderList>'}
    assert client.put("/_fake/flows/ListOrders", json=flow).status_code == 200
    java_call(client, "createOrder", "Order", ORDER)
    for params in ({"ServiceName": "ListOrders", "InteropApiName": ""}, {"InteropApiName": "ListOrders"}):
        _, _, body = servlet(client, IsFlow="Y", InteropApiData='<Order OrderNo="I-1"/>', **params, **CREDS)
        root, listed = from_xml(body)
        assert root == "OrderList" and as_list(listed["Order"]) == [{"OrderNo": "I-1"}]


def test_user_and_open_credential_modes() -> None:
    user_mode = create_app(Settings(db=":memory:", demo_orders=0, interop_auth="user")).test_client()
    assert (
        from_xml(servlet(user_mode, InteropApiName="getOrderList", **{"YFSEnvironment.userId": "admin"})[2])[
            0
        ]
        == "OrderList"
    )
    refused = servlet(user_mode, InteropApiName="getOrderList", **{"YFSEnvironment.userId": "ghost"})[1]
    assert classic_error(refused)["ErrorCode"] == "YCP0427"
    open_mode = create_app(Settings(db=":memory:", demo_orders=0, interop_auth="open")).test_client()
    assert from_xml(servlet(open_mode, InteropApiName="getOrderList")[2])[0] == "OrderList"


def test_rest_credentials_are_accepted_without_environment_user(client: FlaskClient) -> None:
    response = client.post(URL + "?InteropApiName=getOrderList", headers=BASIC)
    assert response.status_code == 200 and from_xml(response.data)[0] == "OrderList"


def test_get_is_served_like_post(client: FlaskClient) -> None:
    response = client.get(URL + "?" + urlencode({"InteropApiName": "getOrderList", **CREDS}))
    assert response.status_code == 200 and from_xml(response.data)[0] == "OrderList"


def test_journal_records_the_door_and_refusals(app: Flask, client: FlaskClient) -> None:
    java_call(client, "createOrder", "Order", ORDER)
    servlet(client, InteropApiName="getOrderList")
    entries = client.get("/_fake/journal?transport=interop").get_json()["entries"]
    assert [(e["api"], e["http_status"], e["error_code"]) for e in entries] == [
        ("createOrder", 200, ""),
        ("getOrderList", 200, "YCP0427"),
    ]
    assert entries[0]["user"] == "admin"


def test_injected_faults_and_throttling_through_the_servlet(client: FlaskClient) -> None:
    rule = {
        "api": "getOrderList",
        "times": 1,
        "action": {"type": "error", "code": "YFS10003", "description": "YFS:Invalid Order"},
    }
    assert client.post("/_fake/faults", json=rule).status_code == 201
    status, text, _ = servlet(client, InteropApiName="getOrderList", **CREDS)
    assert status == 200 and classic_error(text)["ErrorCode"] == "YFS10003"
    client.put("/_fake/throttle", json={"enabled": True, "rate": 0.001, "burst": 1})
    assert servlet(client, InteropApiName="getOrderList", **CREDS)[0] == 200
    response = client.post(URL + "?" + urlencode({"InteropApiName": "getOrderList", **CREDS}))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert classic_error(response.data.decode())["ErrorCode"] == "MOCK0429"
