"""Tests that kill the mutants `make mutate` found alive in the core: the JSON array rule (a child named like
its parent is an object, not an array), QryType boundaries (GE/LE/GT/LT) on both the SQL and the Python path
of getOrderList, and status codes of different widths (3200.9 < 3200.10).  Expected values are written out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import (
    as_list,
)
from tests.conftest import Api
from tests.test_lists import at

Doc = dict[str, Any]


# ------------------------------------------------------------------------------------------ the JSON array rule


def test_a_child_named_like_its_parent_over_http(api: Api, fmt: str) -> None:
    """Extn is kept as the caller sends it: Extn inside Extn comes back an object in JSON, one element in XML."""
    order = {
        "EnterpriseCode": "Matrix-R",
        "OrderNo": "MUT-1",
        "Extn": {"ExtnA": "1", "Extn": {"ExtnB": "2"}},
        "OrderLines": {"OrderLine": {"OrderedQty": "1", "Item": {"ItemID": "SKU"}}},
    }
    key = api("createOrder", order, fmt)["OrderHeaderKey"]
    call = {
        "Name": "getOrderDetails",
        "Input": {"Order": {"OrderHeaderKey": key}},
        "Template": {"Order": {"OrderNo": "", "Extn": {"Extn": {}}}},
    }
    response = api.raw("multiApi", {"API": call}, fmt, root="MultiApi")
    assert response.status_code == 200, response.data
    if fmt == "json":
        answer = json.loads(response.data)
        output = as_list(answer["API"])[0]["Output"]["Order"]
        assert output == {"OrderNo": "MUT-1", "Extn": {"ExtnA": "1", "Extn": {"ExtnB": "2"}}}
    else:
        assert b'<Extn ExtnA="1"><Extn ExtnB="2"/></Extn>' in response.data


# ------------------------------------------------------------------------------------------ QryType boundaries


@pytest.fixture
def dated(app: Flask, api: Api) -> dict[str, str]:
    """Three orders a day apart, with PriorityNumber 1, 2, 3: OrderNo -> OrderHeaderKey."""
    made = {}
    for n in (1, 2, 3):
        at(app, f"2025-05-0{n}T09:00:00+00:00")
        order = {
            "EnterpriseCode": "Matrix-R",
            "OrderNo": f"Q{n}",
            "PriorityNumber": str(n),
            "OrderDate": f"2025-05-0{n}T09:00:00+00:00",
            "OrderLines": {"OrderLine": {"OrderedQty": "1", "Item": {"ItemID": "SKU"}}},
        }
        made[f"Q{n}"] = api("createOrder", order)["OrderHeaderKey"]
    return made


def numbers(api: Api, fmt: str, **doc: str) -> list[str]:
    doc = {**doc, "OrderBy": {"Attribute": {"Name": "OrderNo"}}}  # type: ignore[dict-item]
    return [o["OrderNo"] for o in as_list(api("getOrderList", doc, fmt).get("Order"))]


BOUNDARIES = [
    ("GE", ["Q2", "Q3"]),
    ("GT", ["Q3"]),
    ("LE", ["Q1", "Q2"]),
    ("LT", ["Q1"]),
    ("EQ", ["Q2"]),
    ("NE", ["Q1", "Q3"]),
]


@pytest.mark.parametrize(("qry", "expected"), BOUNDARIES)
def test_boundaries_on_the_sql_path(
    api: Api, fmt: str, dated: dict[str, str], qry: str, expected: list[str]
) -> None:
    """OrderDate is an indexed column: the comparison is SQL's.  The value equals Q2's date exactly."""
    assert numbers(api, fmt, OrderDate="2025-05-02T09:00:00+00:00", OrderDateQryType=qry) == expected
    # the same instant written with another offset is the same boundary
    assert numbers(api, fmt, OrderDate="2025-05-02T11:00:00+02:00", OrderDateQryType=qry) == expected


@pytest.mark.parametrize(("qry", "expected"), BOUNDARIES)
def test_boundaries_on_the_python_path(
    api: Api, fmt: str, dated: dict[str, str], qry: str, expected: list[str]
) -> None:
    """PriorityNumber is not indexed: the comparison is made in Python on each order, as a number."""
    assert numbers(api, fmt, PriorityNumber="2", PriorityNumberQryType=qry) == expected
    assert numbers(api, fmt, PriorityNumber="2.00", PriorityNumberQryType=qry) == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        ("2025-05-02T09:00:00+00:00", "2025-05-03T09:00:00+00:00", ["Q2", "Q3"]),  # both ends inclusive
        ("2025-05-02T09:00:01+00:00", "2025-05-03T08:59:59+00:00", []),
        ("", "2025-05-02T09:00:00+00:00", ["Q1", "Q2"]),
    ],
)
def test_between_includes_both_ends_on_both_paths(
    api: Api, fmt: str, dated: dict[str, str], low: str, high: str, expected: list[str]
) -> None:
    sql = {"FromOrderDate": low, "ToOrderDate": high, "OrderDateQryType": "BETWEEN"}
    assert numbers(api, fmt, **sql) == expected
    python = {"FromModifyts": low, "ToModifyts": high, "ModifytsQryType": "BETWEEN"}  # the clock dated them
    assert numbers(api, fmt, **python) == expected
    as_numbers = {"FromPriorityNumber": "2", "ToPriorityNumber": "3", "PriorityNumberQryType": "BETWEEN"}
    assert numbers(api, fmt, **as_numbers) == ["Q2", "Q3"]


def test_complex_query_boundaries_match_the_plain_filter(api: Api, dated: dict[str, str]) -> None:
    for qry, expected in BOUNDARIES:
        exp = {"Name": "PriorityNumber", "Value": "2", "QryType": qry}
        doc = {"ComplexQuery": {"Operator": "AND", "And": {"Exp": exp}}}
        assert numbers(api, "json", **doc) == expected, qry  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ status widths


def test_sub_statuses_of_two_widths_over_http(app: Flask, api: Api, fmt: str) -> None:
    """One line at 3200.9 and one at 3200.10: Min is 3200.9, Max 3200.10, and the status filters agree."""
    order = {
        "EnterpriseCode": "Matrix-R",
        "OrderNo": "W-1",
        "OrderLines": {
            "OrderLine": [
                {"PrimeLineNo": "1", "OrderedQty": "1", "Item": {"ItemID": "A"}},
                {"PrimeLineNo": "2", "OrderedQty": "1", "Item": {"ItemID": "B"}},
            ]
        },
    }
    key = api("createOrder", order, fmt)["OrderHeaderKey"]
    api("scheduleOrder", {"OrderHeaderKey": key}, fmt, root="ScheduleOrder")
    api("releaseOrder", {"OrderHeaderKey": key}, fmt, root="ReleaseOrder")
    for line, code in (("1", "3200.9"), ("2", "3200.10")):
        change = {
            "OrderHeaderKey": key,
            "BaseDropStatus": code,
            "TransactionId": "SUB_STATUS.0001.ex",
            "OrderLines": {"OrderLine": {"PrimeLineNo": line, "SubLineNo": "1", "Quantity": "1"}},
        }
        api("changeOrderStatus", change, fmt, root="OrderStatusChange")
    details = api("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    assert (details["MinOrderStatus"], details["MaxOrderStatus"]) == ("3200.9", "3200.10")
    assert [o["OrderNo"] for o in as_list(api("getOrderList", {"Status": "3200.10"}, fmt).get("Order"))] == [
        "W-1"
    ]
    above = {"Status": "3200.9", "StatusQryType": "GT"}
    assert [o["OrderNo"] for o in as_list(api("getOrderList", above, fmt).get("Order"))] == ["W-1"]
    assert as_list(api("getOrderList", {"Status": "3200.10", "StatusQryType": "GT"}, fmt).get("Order")) == []
