"""createOrder prepared outside the write lock (deferred.py) gives what the classic path gives, re-checks at the
commit what only the commit can know, and falls back to the classic path when it must."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server import apis
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls import deferred
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain.context import Ctx, Output
from tests.conftest import Api
from tests.test_foundation import ORDER, fake_of, freeze_at

KEYED = {
    **ORDER,
    "PersonInfoBillTo": {"FirstName": "Grace", "City": "Arlington"},
    "OrderLines": {
        "OrderLine": [
            *ORDER["OrderLines"]["OrderLine"],  # type: ignore[index]
            {"OrderLineKey": "MY-LINE-KEY", "OrderedQty": "4", "Item": {"ItemID": "HAT-1"}},
        ]
    },
}
GIVEN_NO = {**ORDER, "OrderNo": "WEB-7", "OrderHeaderKey": "MY-ORDER-KEY"}
TEMPLATE = b"<Order OrderHeaderKey='' OrderNo='' Createts=''><OrderLines><OrderLine OrderLineKey=''/></OrderLines></Order>"


def _book(app: Flask, api: Api, fmt: str) -> list[Any]:
    """What a series of creates leaves behind, as a caller sees it."""
    freeze_at(app, "2025-03-04T05:06:07Z")
    answers = [
        api("createOrder", ORDER, fmt),
        api("createOrder", KEYED, fmt),
        api("createOrder", GIVEN_NO, fmt),
        api("createOrder", {**ORDER, "DraftOrderFlag": "Y"}, fmt),
        api("createOrder", {**ORDER, "EnterpriseCode": "Other-E"}, fmt),
    ]
    keys = [answer["OrderHeaderKey"] for answer in answers]
    details = [api("getOrderDetails", {"OrderHeaderKey": key}, fmt) for key in keys]
    audits = [api("getOrderAuditList", {"OrderHeaderKey": key}, fmt, root="OrderAudit") for key in keys]
    listed = api.raw("getOrderList", {"EnterpriseCode": "Matrix-R"}, fmt).data
    return [answers, details, audits, listed]


def test_prepared_create_matches_the_classic_path(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sterling_mock.mock_server.doors.app import create_app

    prepare = Fake._prepare
    committed: list[bool] = []  # each create that tried the prepared path: did it stay on it?

    def counted(self: Fake, *args: Any) -> Any:
        found = prepare(self, *args)
        committed.append(found is not None)
        return found

    monkeypatch.setattr(Fake, "_prepare", counted)

    def run(prepared: bool) -> list[Any]:
        spec = apis.APIS["createOrder"]
        apis.APIS["createOrder"] = dataclasses.replace(spec, prepared=prepared)
        try:
            app = create_app(Settings(db=":memory:", demo_orders=0))
            return _book(app, Api(app.test_client()), fmt)
        finally:
            apis.APIS["createOrder"] = spec

    prepared = run(True)
    assert committed == [True] * 5  # every create of the first book took the prepared path
    classic_book = run(False)
    assert committed == [True] * 5  # and none of the second
    assert prepared == classic_book
    answers = prepared[0]
    numbers = ["Y100000001", "Y100000002", "WEB-7", "Y100000003", "Y100000001"]
    assert [a["OrderNo"] for a in answers] == numbers
    assert answers[0]["OrderHeaderKey"] == "20250304050607000000001"


def test_a_template_answer_carries_the_final_keys(app: Flask, api: Api) -> None:
    freeze_at(app, "2025-03-04T05:06:07Z")
    put = api.client.put("/_fake/templates/created", data=TEMPLATE, content_type="application/xml")
    assert put.status_code < 300, put.data
    response = api.client.post(
        "/smcfs/restapi/invoke/createOrder?_templateId=created",
        json=ORDER,
        headers={"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="},
    )
    assert response.status_code == 200, response.data
    assert "#" not in response.get_data(as_text=True)
    doc = response.get_json()
    key = doc["OrderHeaderKey"]
    assert key == "20250304050607000000001" and doc["Createts"] == "2025-03-04T05:06:07+00:00"
    assert [line["OrderLineKey"] for line in doc["OrderLines"]["OrderLine"]] == [
        "20250304050607000000002",
        "20250304050607000000003",
    ]


def test_the_clock_moving_during_the_prepare_step_reruns_under_the_lock(
    app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_at(app, "2025-03-04T05:06:07Z")
    runtime = fake_of(app)
    prepare = Fake._prepare
    prepared: list[bool] = []

    def moved(self: Fake, *args: Any) -> Any:
        found = prepare(self, *args)
        prepared.append(found is not None)
        freeze_at(app, "2025-03-04T05:06:09Z")  # another caller set the clock meanwhile
        return found

    monkeypatch.setattr(Fake, "_prepare", moved)
    made = api("createOrder", ORDER, "json")
    assert prepared == [True] and runtime is fake_of(app)
    details = api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, "json")
    assert details["OrderDate"] == "2025-03-04T05:06:09+00:00"
    assert made["OrderHeaderKey"].startswith("20250304050609000")


def test_a_number_taken_meanwhile_is_refused_at_the_commit_and_nothing_is_written(
    app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_at(app, "2025-03-04T05:06:07Z")
    prepare = Fake._prepare
    racing = {"on": True}

    def race(self: Fake, call: Any, doc: Doc, spec: ApiSpec) -> Any:
        found = prepare(self, call, doc, spec)
        if racing["on"]:
            racing["on"] = False
            api("createOrder", {**ORDER, "OrderNo": "WEB-9"}, "json")  # commits between prepare and commit
        return found

    monkeypatch.setattr(Fake, "_prepare", race)
    status, error = api.error("createOrder", {**ORDER, "OrderNo": "WEB-9"}, "json")
    assert status == 400 and "WEB-9" in str(error)
    listed = api("getOrderList", {"EnterpriseCode": "Matrix-R"}, "json", root="OrderList")
    assert [order["OrderNo"] for order in listed["Order"]] == ["WEB-9"]
    # the refused call took no sequence value: the next order gets the next key and number
    follow = api("createOrder", ORDER, "json")
    assert follow["OrderNo"] == "Y100000001"
    first = api("getOrderDetails", {"OrderNo": "WEB-9", "EnterpriseCode": "Matrix-R"}, "json")
    assert int(follow["OrderHeaderKey"][-6:]) > int(first["OrderHeaderKey"][-6:])


def test_given_keys_are_checked_before_anything_else_as_classically(api: Api) -> None:
    api("createOrder", GIVEN_NO, "json")
    bad_line = {**GIVEN_NO, "OrderNo": "OTHER", "OrderLines": {"OrderLine": [{"OrderedQty": "-1"}]}}
    status, error = api.error("createOrder", bad_line, "json")
    assert status == 400 and "OrderHeaderKey MY-ORDER-KEY exists" in str(error)


def test_the_input_document_is_journaled_as_sent(api: Api) -> None:
    api("createOrder", ORDER, "json")
    entries = api.client.get("/_fake/journal?api=createOrder").get_json()["entries"]
    assert entries[-1]["input"] == ORDER


def test_a_prepare_step_that_touches_the_connection_falls_back(app: Flask, api: Api) -> None:
    """An API marked ``prepared`` whose code reaches past the recorded writes runs classically instead."""

    def raw_writer(ctx: Ctx, doc: Doc) -> Output:
        ctx.tx.kv_put(ctx.ns, "prepared-test", {"seen": doc.get("Value", "")})
        return Output("Output", {"Value": str(ctx.tx.kv_get(ctx.ns, "prepared-test")["seen"])})

    spec = ApiSpec(raw_writer, "Input", "Output", writes=True, prepared=True)
    apis.APIS["preparedFallbackTest"] = spec
    try:
        out = api("preparedFallbackTest", {"Value": "v1"}, "json", root="Input")
        assert out == {"Value": "v1"}
    finally:
        del apis.APIS["preparedFallbackTest"]
    with pytest.raises(deferred.NeedsClassic), fake_of(app).store.read() as tx:
        deferred.Recorder(tx, deferred.Prepared()).kv_put("default", "k", 1)


def test_tokens_are_replaced_in_text_bytes_and_containers() -> None:
    prepared = deferred.Prepared()
    first, second = prepared.draw("key", 1, None), prepared.draw("order_no:E", 100000001, "Y{:09d}")
    values = deferred.Values({first: "K1", second: "Y1"}, ["K1", "Y1"], [b"K1", b"Y1"])
    doc = {"a": first, "b": [f"x{first}y{second}", (second,)], "c": f'{{"k":"{first}"}}'.encode(), "d": 3}
    assert prepared.substitute(doc, values) == {
        "a": "K1",
        "b": ["xK1yY1", ("Y1",)],
        "c": b'{"k":"K1"}',
        "d": 3,
    }
