"""multiApi: several APIs in one transaction, per-API templates, void APIs, rollback on failure."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.apis import APIS, ApiSpec
from sterling_mock.mock_server.domain.context import Ctx, Output
from tests.conftest import Api
from tests.test_lists import fake_of

ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}}]},
}


def apis(out: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(out["API"])


def test_several_apis_with_templates(api: Api, fmt: str) -> None:
    doc = {
        "API": [
            {"Name": "createOrder", "Input": {"Order": {**ORDER, "OrderNo": "M1"}}},
            {
                "Name": "createOrder",
                "Input": {"Order": {**ORDER, "OrderNo": "M2"}},
                "Template": {"Order": {"OrderNo": "", "Status": ""}},
            },
            {
                "Name": "getOrderList",
                "Input": {"Order": {"OrderNo": "M", "OrderNoQryType": "FLIKE"}},
                "Template": {"OrderList": {"Order": {"OrderNo": ""}}},
            },
        ]
    }
    out = api("multiApi", doc, fmt, root="MultiApi")
    first, second, third = apis(out)
    assert first["Name"] == "createOrder"
    assert sorted(first["Output"]["Order"]) == ["DocumentType", "EnterpriseCode", "OrderHeaderKey", "OrderNo"]
    assert second["Output"]["Order"] == {"OrderNo": "M2", "Status": "Created"}
    listed = third["Output"]["OrderList"]
    assert [o["OrderNo"] for o in as_list(listed["Order"])] == [
        "M1",
        "M2",
    ]  # sees the same transaction's writes
    assert listed["TotalOrderList"] == "2"


def test_default_list_output_inside_multiapi(api: Api, fmt: str) -> None:
    api("createOrder", {**ORDER, "OrderNo": "D1"})
    out = api(
        "multiApi",
        {"API": {"Name": "getOrderList", "Input": {"Order": {"OrderNo": "D1"}}}},
        fmt,
        root="MultiApi",
    )
    listed = apis(out)[0]["Output"]["OrderList"]
    assert as_list(listed["Order"])[0]["OrderNo"] == "D1"
    assert "PriceInfo" in as_list(listed["Order"])[0]


def test_json_single_api_is_an_object(api: Api) -> None:
    import json

    raw = api.raw("multiApi", {"API": {"Name": "createOrder", "Input": {"Order": ORDER}}}, root="MultiApi")
    body = json.loads(raw.data)
    assert isinstance(body["API"], dict) and "Order" in body["API"]["Output"]


def test_void_api_gives_empty_output(api: Api, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def touch_nothing(ctx: Ctx, doc: Doc) -> Output:
        return Output("Whatever", {"Ignored": "Y"})

    monkeypatch.setitem(APIS, "voidForTest", ApiSpec(touch_nothing, "X", "X", writes=True, void=True))
    out = api("multiApi", {"API": [{"Name": "voidForTest", "Input": {"X": {}}}]}, fmt, root="MultiApi")
    assert apis(out)[0] == {"Name": "voidForTest", "Output": {}}
    if fmt == "xml":
        raw = api.raw(
            "multiApi", {"API": [{"Name": "voidForTest", "Input": {"X": {}}}]}, "xml", root="MultiApi"
        )
        assert b'<API Name="voidForTest"><Output/></API>' in raw.data


def test_failure_rolls_back_everything(app: Flask, api: Api, fmt: str) -> None:
    doc = {
        "API": [
            {"Name": "createOrder", "Input": {"Order": {**ORDER, "OrderNo": "R1"}}},
            {"Name": "createOrder", "Input": {"Order": {**ORDER, "OrderNo": "R1"}}},  # duplicate: YFC0001
        ]
    }
    status, error = api.error("multiApi", doc, fmt, root="MultiApi")
    assert (status, error["ErrorCode"]) == (400, "YFC0001")
    assert error["ErrorDescription"] == "Record already exists in the database."
    with fake_of(app).store.read() as tx:
        assert tx.count_orders("default") == 0
        assert tx.conn.execute("SELECT count(*) FROM order_audits").fetchone()[0] == 0
    # the order number sequence rolled back too
    assert api("createOrder", ORDER)["OrderNo"] == "Y100000001"


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ({"API": {"Name": "noSuchApi", "Input": {"Order": {}}}}, "MOCK0006"),
        ({"API": {"FlowName": "SomeService", "Input": {"Order": {}}}}, "MOCK0600"),
        ({"API": {"Input": {"Order": {}}}}, "MOCK0100"),
        ({"API": {"Name": "multiApi", "Input": {"MultiApi": {}}}}, "MOCK0101"),
        ({"API": {"Name": "getOrderDetails", "Input": {"Order": {"OrderHeaderKey": "404"}}}}, "YFS10003"),
    ],
)
def test_errors(api: Api, doc: dict[str, Any], code: str, fmt: str) -> None:
    _, error = api.error("multiApi", doc, fmt, root="MultiApi")
    assert error["ErrorCode"] == code


def test_configured_service_runs_inside_multiapi(api: Api, client: Any, fmt: str) -> None:
    import json as _json

    flow = {"name": "CreateViaFlow", "api": "createOrder"}
    response = client.post("/_fake/flows", data=_json.dumps(flow), content_type="application/json")
    assert response.status_code == 201, response.data
    doc = {
        "API": [
            {"FlowName": "CreateViaFlow", "Input": {"Order": ORDER}},
            {"Name": "getOrderList", "Input": {"Order": {"EnterpriseCode": ORDER["EnterpriseCode"]}}},
        ]
    }
    out = api("multiApi", doc, fmt, root="MultiApi")
    first, second = out["API"]
    assert first["FlowName"] == "CreateViaFlow"
    assert first["Output"]["Order"]["OrderNo"]
    listed = second["Output"]["OrderList"]["Order"]
    assert len(listed if isinstance(listed, list) else [listed]) == 1
