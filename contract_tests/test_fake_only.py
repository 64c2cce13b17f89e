"""Contract of the fake's own features, seen through Sterling's API: the clock, fault rules, namespaces,
seeding and the fake's own error codes (MOCK range).  Skipped on a real instance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.fixtures import get_order_list_input

from .sterling import NAMESPACE_HEADER, Sterling
from .target import Target

pytestmark = pytest.mark.writes
Make = Callable[..., tuple[str, Doc]]
Control = Callable[..., Any]


@pytest.mark.fake_only(reason="the virtual clock is the fake's control plane")
def test_frozen_clock_dates_new_orders(sterling: Sterling, control: Control, new_order: Make) -> None:
    control("POST", "clock", {"set": "2025-01-27T10:17:09+00:00"})
    control("POST", "clock", {"freeze": True})
    key, _ = new_order(lines=1, OrderDate=None)
    assert (
        sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})["OrderDate"]
        == "2025-01-27T10:17:09+00:00"
    )
    assert key.startswith("20250127101709")  # keys start with the creation time (reference §5)


@pytest.mark.fake_only(reason="fault rules are the fake's control plane")
def test_fault_rule_answers_a_sterling_error_once(sterling: Sterling, control: Control) -> None:
    action = {"type": "error", "code": "YFS10003", "description": "YFS:Invalid Order", "http_status": 400}
    control("POST", "faults", {"api": "getOrderList", "times": 1, "action": action})
    error = sterling.error("getOrderList", {})
    assert (error.code, error.http_status) == ("YFS10003", 400)
    assert sterling.invoke("getOrderList", {})["TotalOrderList"] == "0"


@pytest.mark.fake_only(reason="namespaces are the fake's; a real instance has one database")
def test_namespaces_are_isolated(sterling: Sterling, new_order: Make) -> None:
    _, given = new_order(lines=1)
    other = Sterling(sterling.target, sterling.namespace + "-other", sterling.fmt)
    assert other.invoke("getOrderList", {"OrderNo": given["OrderNo"]})["TotalOrderList"] == "0"
    assert sterling.invoke("getOrderList", {"OrderNo": given["OrderNo"]})["TotalOrderList"] == "1"


@pytest.mark.fake_only(reason="seeding is the fake's control plane (Faker data, default master data)")
def test_seeded_orders_are_listed_with_statuses(sterling: Sterling, target: Target) -> None:
    response = requests.post(
        f"{target.control_url}/_fake/seed",
        json={"orders": 8, "seed": 3, "statuses": ["1100", "3700"]},
        headers={NAMESPACE_HEADER: sterling.namespace},
        timeout=60,
    )
    if response.status_code == 400 and "MOCK0202" in response.text:
        pytest.skip("the fake runs strict master data without Faker's organisations and items")
    assert (response.status_code, response.json()) == (200, {"created": 8})
    out = sterling.invoke("getOrderList", get_order_list_input(max_records=50))
    assert out["TotalOrderList"] == "8"
    assert {o["MaxOrderStatus"] for o in as_list(out["Order"])} <= {"1100", "3700"}


@pytest.mark.fake_only(reason="MOCK0300 is the fake's own code; a real instance's answer is not captured")
def test_unknown_qry_type_is_the_fakes_own_code(sterling: Sterling) -> None:
    error = sterling.error("getOrderList", {"OrderNo": "X", "OrderNoQryType": "SOUNDSLIKE"})
    assert (error.code, error.description) == (
        "MOCK0300",
        "The QryType is not valid for the attribute's data type.",
    )


@pytest.mark.fake_only(reason="the journal is the fake's control plane")
def test_journal_records_the_calls(sterling: Sterling, control: Control, new_order: Make) -> None:
    new_order(lines=1)
    entries = control("GET", "journal?api=createOrder")["entries"]
    assert [e["api"] for e in entries] == ["createOrder"]
    assert entries[0]["http_status"] == 200
