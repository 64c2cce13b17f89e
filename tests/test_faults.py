"""Fault rules through HTTP: matching, firing (always, N times, seeded probability), every action kind,
and the guarantee that a fault fired before the call changes nothing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import Api
from tests.test_control_support import NS, Ctl, create, order_count, order_input

ERROR = {"type": "error", "code": "YFS10003", "description": "YFS:Invalid Order", "http_status": 400}


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def test_error_fault_renders_in_callers_format_and_changes_nothing(api: Api, ctl: Ctl, fmt: str) -> None:
    rule = {**ERROR, "more_info": {"ErrorRelatedMoreInfo": "injected", "OrderNo": "X1"}}
    status, created = ctl("POST", "faults", {"api": "createOrder", "action": rule})
    assert status == 201 and created["id"] == "f1" and created["remaining"] is None
    status, error = api.error("createOrder", order_input(), fmt)
    assert status == 400
    assert error["ErrorCode"] == "YFS10003" and error["ErrorDescription"] == "YFS:Invalid Order"
    if fmt == "json":
        assert error["MoreInfo"] == {"ErrorRelatedMoreInfo": "injected", "OrderNo": "X1"}
        assert error["httpcode"] == 400
    else:
        assert error["ErrorRelatedMoreInfo"] == "injected" and error["HttpCode"] == "400"
    assert order_count(ctl) == 0
    faults = ctl.ok("GET", "faults")["faults"]
    assert [(f["id"], f["fired"], f["matched"]) for f in faults] == [("f1", 1, 1)]


def test_times_counts_down_and_the_rule_disappears(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "faults", {"api": "createOrder", "times": 2, "action": ERROR})
    assert api.error("createOrder", order_input(1))[0] == 400
    assert ctl.ok("GET", "faults")["faults"][0]["remaining"] == 1
    assert api.error("createOrder", order_input(2))[0] == 400
    assert ctl.ok("GET", "faults")["faults"] == []
    create(api, seed=3)
    assert order_count(ctl) == 1


def test_match_by_attribute_user_and_nested_path(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "faults", {"api": "createOrder", "match": {"EnterpriseCode": "Globex"}, "action": ERROR})
    ctl.ok("POST", "faults", {"api": "getOrderDetails", "user": "someone-else", "action": ERROR})
    ctl.ok(
        "POST",
        "faults",
        {
            "api": "createOrder",
            "match": {"OrderLines/OrderLine/Item/ItemID": "BAD-SKU"},
            "action": {**ERROR, "code": "YCM0033", "description": "Item Not Found"},
        },
    )
    assert api.error("createOrder", order_input(EnterpriseCode="Globex"))[1]["ErrorCode"] == "YFS10003"
    made = create(api, EnterpriseCode="Aurora")
    api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]})  # the rule is for another user
    bad = order_input(EnterpriseCode="Aurora")
    bad["OrderLines"]["OrderLine"][-1]["Item"]["ItemID"] = "BAD-SKU"
    assert api.error("createOrder", bad)[1]["ErrorCode"] == "YCM0033"


def test_wildcard_api_and_first_rule_in_creation_order_wins(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "faults", {"api": "*", "times": 1, "action": {**ERROR, "code": "FIRST"}})
    ctl.ok("POST", "faults", {"api": "getOrderList", "times": 1, "action": {**ERROR, "code": "SECOND"}})
    assert api.error("getOrderList", {})[1]["ErrorCode"] == "FIRST"
    assert api.error("getOrderList", {})[1]["ErrorCode"] == "SECOND"
    api("getOrderList", {})


def test_probability_is_seeded_and_repeatable(api: Api, ctl: Ctl) -> None:
    def pattern() -> list[int]:
        ctl.ok("POST", "reset", {})
        ctl.ok("POST", "faults", {"api": "getOrderList", "probability": 0.5, "seed": 7, "action": ERROR})
        return [api.raw("getOrderList", {}).status_code for _ in range(40)]

    first = pattern()
    assert first == pattern()
    assert 5 < first.count(400) < 35 and first.count(200) > 0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_http_failures_answer_a_proxy_or_container_page(api: Api, ctl: Ctl, status: int) -> None:
    ctl.ok(
        "POST",
        "faults",
        {"api": "createOrder", "action": {"type": "http", "status": status, "retry_after": 2}},
    )
    response = api.raw("createOrder", order_input())
    assert response.status_code == status
    assert response.content_type.startswith("text/html")
    assert response.headers["Retry-After"] == "2"
    text = response.data.decode("latin-1")
    assert ("Error 500: java.lang" in text) if status == 500 else (f"<title>{status} " in text)
    assert order_count(ctl) == 0


def test_after_lets_the_call_commit_then_fails(api: Api, ctl: Ctl) -> None:
    ctl.ok(
        "POST",
        "faults",
        {"api": "createOrder", "after": True, "times": 1, "action": {"type": "http", "status": 503}},
    )
    assert api.raw("createOrder", order_input()).status_code == 503
    assert order_count(ctl) == 1  # the order exists although the caller saw a failure
    entry = ctl.ok("GET", "journal?api=createOrder")["entries"][-1]
    assert entry["fault"] == "f1" and entry["http_status"] == 503


def test_latency_then_the_call_runs(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "faults", {"api": "createOrder", "action": {"type": "latency", "ms": 30}})
    create(api)
    assert order_count(ctl) == 1
    entry = ctl.ok("GET", "journal?api=createOrder")["entries"][-1]
    assert entry["fault"] == "f1" and entry["http_status"] == 200


def test_connection_faults_in_process_raise_into_the_caller(api: Api, ctl: Ctl) -> None:
    """Without a server socket (Flask's test client) reset and close surface as connection errors."""
    ctl.ok("POST", "faults", {"api": "createOrder", "times": 1, "action": {"type": "reset"}})
    with pytest.raises(ConnectionResetError):
        api.raw("createOrder", order_input())
    assert order_count(ctl) == 0
    ctl.ok("POST", "faults", {"api": "getOrderList", "times": 1, "action": {"type": "close"}})
    response = api.raw("getOrderList", {})  # headers and half the body are out before the cut
    with pytest.raises(ConnectionAbortedError):
        _ = response.data


def test_slow_body_delivers_the_whole_answer(api: Api, ctl: Ctl) -> None:
    made = create(api)
    ctl.ok(
        "POST", "faults", {"api": "getOrderDetails", "action": {"type": "slow_body", "bytes_per_s": 100_000}}
    )
    out = api("getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]})
    assert out["OrderHeaderKey"] == made["OrderHeaderKey"]


def test_faults_are_per_namespace(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "faults", {"api": "createOrder", "action": ERROR, "namespace": "a"})
    assert ctl.ok("GET", "faults", ns="a")["faults"][0]["id"] == "f1"
    assert ctl.ok("GET", "faults")["faults"] == []
    create(api)  # default namespace: no fault
    assert api.error("createOrder", order_input(), headers={NS: "a"})[1]["ErrorCode"] == "YFS10003"


def test_delete_one_and_all(ctl: Ctl) -> None:
    for _ in range(3):
        ctl.ok("POST", "faults", {"api": "createOrder", "action": ERROR})
    assert ctl("DELETE", "faults/f2") == (204, None)
    assert [f["id"] for f in ctl.ok("GET", "faults")["faults"]] == ["f1", "f3"]
    status, error = ctl("DELETE", "faults/f2")
    assert status == 404 and error["error"]["code"] == "NOT_FOUND"
    assert ctl("DELETE", "faults") == (204, None)
    assert ctl.ok("GET", "faults")["faults"] == []


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"action": ERROR}, "api"),
        ({"api": "createOrder"}, "action"),
        ({"api": "createOrder", "action": {"type": "explode"}}, "action.type"),
        ({"api": "createOrder", "action": {"type": "error"}}, "action.code"),
        ({"api": "createOrder", "action": {**ERROR, "http_status": 200}}, "action.http_status"),
        ({"api": "createOrder", "action": {"type": "http", "status": 404}}, "action.status"),
        ({"api": "createOrder", "action": {"type": "latency", "ms": -1}}, "action.ms"),
        ({"api": "createOrder", "action": {"type": "slow_body", "bytes_per_s": 0}}, "action.bytes_per_s"),
        ({"api": "createOrder", "times": 0, "action": ERROR}, "times"),
        ({"api": "createOrder", "probability": 1.5, "action": ERROR}, "probability"),
        ({"api": "createOrder", "match": ["EnterpriseCode"], "action": ERROR}, "match"),
        ({"api": "createOrder", "after": "yes", "action": ERROR}, "after"),
        ({"api": "createOrder", "namespace": "bad name!", "action": ERROR}, "namespace"),
    ],
)
def test_bad_rules_answer_a_clear_json_error(ctl: Ctl, rule: dict[str, object], field: str) -> None:
    status, error = ctl("POST", "faults", rule)
    assert status == 400
    assert error["error"]["code"] == "INVALID_FIELD"
    assert error["error"]["message"].startswith(f"{field}:")
