"""Configured services: executeFlow over REST, definitions from the control plane and from a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list, from_xml, to_xml
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC, Api

FLOW = "/smcfs/restapi/executeFlow/"
ORDER = {
    "EnterpriseCode": "DEFAULT",
    "OrderNo": "F-1",
    "OrderLines": {
        "OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}, "LinePriceInfo": {"UnitPrice": "3"}}]
    },
}


def define(client: FlaskClient, name: str, flow: dict[str, Any], ns: str = "default") -> dict[str, Any]:
    response = client.put(f"/_fake/flows/{name}", json=flow, headers={"X-Sterling-Mock-Namespace": ns})
    assert response.status_code == 200, response.data
    found: dict[str, Any] = response.get_json()
    return found


def run(client: FlaskClient, name: str, root: str, doc: dict[str, Any], fmt: str, ns: str = "default") -> Any:
    ctype = "application/xml" if fmt == "xml" else "application/json"
    body = to_xml(root, doc) if fmt == "xml" else json.dumps(doc)
    headers = {**BASIC, "Content-Type": ctype, "Accept": ctype, "X-Sterling-Mock-Namespace": ns}
    return client.post(FLOW + name, data=body, headers=headers)


def parsed(response: Any, fmt: str) -> Any:
    return from_xml(response.data)[1] if fmt == "xml" else response.get_json()


def error_code(response: Any, fmt: str) -> str:
    if fmt == "xml":
        return str(as_list(from_xml(response.data)[1]["Error"])[0]["ErrorCode"])
    return str(response.get_json()["errors"][0]["ErrorCode"])


def test_service_runs_an_api_with_transform_and_template(client: FlaskClient, api: Api, fmt: str) -> None:
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    define(
        client,
        "XX_GetOrderStatus",
        {
            "api": "getOrderDetails",
            "input": {"rename": {"Key": "OrderHeaderKey"}, "drop": ["Noise"]},
            "template": '<Order OrderNo="" Status=""/>',
        },
    )
    response = run(client, "XX_GetOrderStatus", "Order", {"Key": key, "Noise": "x"}, fmt)
    assert response.status_code == 200
    assert parsed(response, fmt) == {"OrderNo": "F-1", "Status": "Created"}


def test_service_writes_through_its_api_with_defaults(client: FlaskClient, api: Api, fmt: str) -> None:
    define(
        client,
        "XX_CreateOrder",
        {
            "api": "createOrder",
            "input": {"defaults": {"EnterpriseCode": "DEFAULT"}, "set": {"EntryType": "WEB"}},
        },
    )
    doc = {**ORDER, "EnterpriseCode": ""}
    response = run(client, "XX_CreateOrder", "Order", doc, fmt)
    created = parsed(response, fmt)
    assert created["EnterpriseCode"] == "DEFAULT" and created["OrderNo"] == "F-1"
    stored = api("getOrderDetails", {"OrderHeaderKey": created["OrderHeaderKey"]})
    assert stored["EntryType"] == "WEB"


def test_fixed_response_and_echo(client: FlaskClient, fmt: str) -> None:
    define(client, "XX_Ack", {"response": '<Ack Status="OK"><Detail Code="1"/></Ack>'})
    define(client, "XX_AckJson", {"response": {"root": "Ack", "document": {"Status": "OK"}}})
    define(client, "XX_Echo", {"input": {"set": {"Seen": "Y"}}})
    assert parsed(run(client, "XX_Ack", "In", {}, fmt), fmt) == {"Status": "OK", "Detail": {"Code": "1"}}
    assert parsed(run(client, "XX_AckJson", "In", {}, fmt), fmt) == {"Status": "OK"}
    echoed = run(client, "XX_Echo", "Thing", {"A": "1"}, fmt)
    assert parsed(echoed, fmt) == {"A": "1", "Seen": "Y"}
    if fmt == "xml":
        assert from_xml(echoed.data)[0] == "Thing"  # the input's own root comes back


def test_unknown_service_is_an_error_in_the_callers_format(client: FlaskClient, fmt: str) -> None:
    response = run(client, "XX_Missing", "Order", {}, fmt)
    assert response.status_code == 400 and error_code(response, fmt) == "MOCK0600"


def test_errors_of_the_inner_api_come_back_unchanged(client: FlaskClient, fmt: str) -> None:
    define(client, "XX_Get", {"api": "getOrderDetails"})
    response = run(client, "XX_Get", "Order", {"OrderHeaderKey": "nope"}, fmt)
    assert response.status_code == 400 and error_code(response, fmt) == "YFS10003"


def test_services_are_per_namespace_and_reset_with_it(client: FlaskClient) -> None:
    define(client, "XX_Ack", {"response": "<Ack/>"}, ns="team-a")
    assert run(client, "XX_Ack", "In", {}, "json", ns="team-a").status_code == 200
    assert run(client, "XX_Ack", "In", {}, "json", ns="team-b").status_code == 400
    client.post("/_fake/reset", json={"namespace": "team-a"})
    assert run(client, "XX_Ack", "In", {}, "json", ns="team-a").status_code == 400


def test_control_plane_crud(client: FlaskClient) -> None:
    created = client.post("/_fake/flows", json={"name": "XX_A", "response": "<A/>", "description": "ack"})
    assert created.status_code == 201 and created.get_json()["name"] == "XX_A"
    define(client, "XX_B", {"api": "getOrderList"})
    listing = client.get("/_fake/flows").get_json()["flows"]
    assert [(f["name"], f["source"]) for f in listing] == [("XX_A", "control"), ("XX_B", "control")]
    assert client.delete("/_fake/flows/XX_A").status_code == 204
    assert client.delete("/_fake/flows/XX_A").status_code == 404
    assert client.delete("/_fake/flows").status_code == 204
    assert client.get("/_fake/flows").get_json() == {"flows": []}


@pytest.mark.parametrize(
    ("flow", "field"),
    [
        ({"api": "noSuchApi"}, "api"),
        ({"api": "executeFlow"}, "api"),
        ({"api": "getOrderList", "response": "<A/>"}, "response"),
        ({"response": "<A"}, "response"),
        ({"response": {"document": {}}}, "response"),
        ({"input": {"rename": ["x"]}}, "input.rename"),
        ({"input": {"set": {"A": True}}}, "input.set.A"),
        ({"input": {"xslt": "x"}}, "input"),
        ({"template": 5}, "template"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_definitions_name_the_field(client: FlaskClient, flow: dict[str, Any], field: str) -> None:
    response = client.put("/_fake/flows/XX_Bad", json=flow)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "INVALID_FIELD" and error["message"].startswith(field + ":")


def test_flows_file_and_control_plane_override(tmp_path: Path) -> None:
    path = tmp_path / "flows.json"
    path.write_text(json.dumps({"flows": [{"name": "XX_File", "response": '<Ack From="file"/>'}]}))
    client = create_app(Settings(db=":memory:", demo_orders=0, flows_file=str(path))).test_client()
    assert run(client, "XX_File", "In", {}, "json").get_json() == {"From": "file"}
    assert client.get("/_fake/flows").get_json()["flows"][0]["source"] == "file"
    define(client, "XX_File", {"response": '<Ack From="control"/>'})
    assert run(client, "XX_File", "In", {}, "json").get_json() == {"From": "control"}


def test_a_broken_flows_file_is_reported(tmp_path: Path) -> None:
    from sterling_mock.mock_server.apis.flows import FlowError

    path = tmp_path / "flows.json"
    path.write_text(json.dumps({"XX_Bad": {"api": "nope"}}))
    with pytest.raises(FlowError):  # at start: the server refuses to come up
        create_app(Settings(db=":memory:", demo_orders=0, flows_file=str(path)))
    path.write_text(json.dumps({"XX_Good": {"api": "getOrderList"}}))
    client = create_app(Settings(db=":memory:", demo_orders=0, flows_file=str(path))).test_client()
    path.write_text(json.dumps({"XX_Bad": {"api": "nope"}}))  # broken while the server runs
    response = run(client, "XX_Bad", "In", {}, "json")
    assert response.status_code == 500 and error_code(response, "json") == "MOCK0601"
    assert client.get("/_fake/flows").status_code == 500


def test_flow_calls_are_journaled(client: FlaskClient, api: Api) -> None:
    api("createOrder", ORDER)
    define(client, "XX_List", {"api": "getOrderList"})
    run(client, "XX_List", "Order", {"OrderNo": "F-1"}, "json")
    entry = client.get("/_fake/journal?transport=flow").get_json()["entries"][-1]
    assert entry["api"] == "executeFlow" and entry["input"]["FlowName"] == "XX_List"
    assert entry["http_status"] == 200
