"""getPage: GENERIC result sets with PageSetToken (expiry, Refresh), NEXTPAGE, templates, IBM's JSON body."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.domain import clock
from tests.conftest import BASIC, Api
from tests.test_lists import fake_of


@pytest.fixture
def ten(api: Api) -> list[str]:
    keys = []
    for n in range(10):
        doc = {
            "EnterpriseCode": "Matrix-R",
            "OrderNo": f"P{n:02d}",
            "EntryType": "WEB" if n % 2 else "STORE",
            "OrderLines": {
                "OrderLine": [
                    {"OrderedQty": "1", "Item": {"ItemID": f"I{n}"}},
                    {"OrderedQty": "1", "Item": {"ItemID": f"J{n}"}},
                ]
            },
        }
        keys.append(api("createOrder", doc)["OrderHeaderKey"])
    return keys


def page(
    api: Api, fmt: str, inner: dict[str, Any], name: str = "getOrderList", **attrs: Any
) -> dict[str, Any]:
    doc = {
        "PageNumber": "1",
        "PageSize": "4",
        "PaginationStrategy": "GENERIC",
        **attrs,
        "API": {"Name": name, "Input": inner},
    }
    return api("getPage", doc, fmt, root="Page")


def listed(
    out: dict[str, Any], root: str = "OrderList", item: str = "Order", attr: str = "OrderNo"
) -> list[str]:
    return [o[attr] for o in as_list(out["Output"][root].get(item))]


def test_ibm_json_body_verbatim(client: FlaskClient, ten: list[str]) -> None:
    body = {
        "PageNumber": 1,
        "PageSize": 10,
        "PaginationStrategy": "GENERIC",
        "Refresh": "N",
        "PageSetToken": "",
        "API": {
            "IsFlow": "N",
            "Name": "getOrderList",
            "Input": {
                "Order": {
                    "EnterpriseCode": "Matrix-R",
                    "FromOrderDate": "",
                    "ToOrderDate": "",
                    "OrderDateQryType": "BETWEEN",
                    "Status": "",
                    "OrderBy": {"Attribute": {"Name": "OrderNo", "Desc": True}},
                }
            },
            "Template": {"OrderList": {"Order": {"OrderNo": "", "Status": ""}}},
        },
    }
    response = client.post("/smcfs/restapi//invoke/getPage", json=body, headers=BASIC)
    assert response.status_code == 200
    out = response.json
    assert (out["IsFirstPage"], out["IsLastPage"], out["IsValidPage"], out["PageNumber"]) == (
        "Y",
        "Y",
        "Y",
        "1",
    )
    assert out["PageSetToken"]
    orders = out["Output"]["OrderList"]["Order"]
    assert [o["OrderNo"] for o in orders] == [f"P{n:02d}" for n in range(9, -1, -1)]
    assert orders[0] == {"OrderNo": "P09", "Status": "Created"}


def test_generic_pages_from_one_result_set(app: Flask, api: Api, ten: list[str], fmt: str) -> None:
    first = page(api, fmt, {"Order": {"EnterpriseCode": "Matrix-R"}})
    token = first["PageSetToken"]
    assert listed(first) == ["P00", "P01", "P02", "P03"]
    assert (first["IsFirstPage"], first["IsLastPage"]) == ("Y", "N")
    # a new order does not shift the cached result set
    api("createOrder", {"EnterpriseCode": "Matrix-R", "OrderNo": "P-NEW"})
    third = page(api, fmt, {"Order": {"EnterpriseCode": "Matrix-R"}}, PageNumber="3", PageSetToken=token)
    assert listed(third) == ["P08", "P09"]
    assert (third["IsFirstPage"], third["IsLastPage"], third["IsValidPage"]) == ("N", "Y", "Y")
    assert third["PageSetToken"] == token
    beyond = page(api, fmt, {"Order": {}}, PageNumber="5", PageSetToken=token)
    assert beyond["IsValidPage"] == "N" and "Order" not in beyond["Output"]["OrderList"]
    refreshed = page(
        api, fmt, {"Order": {"EnterpriseCode": "Matrix-R"}}, PageNumber="3", PageSetToken=token, Refresh="Y"
    )
    assert listed(refreshed) == ["P08", "P09", "P-NEW"]
    assert refreshed["PageSetToken"] != token


def test_page_set_expires_on_the_virtual_clock(app: Flask, api: Api, ten: list[str], fmt: str) -> None:
    token = page(api, fmt, {"Order": {}})["PageSetToken"]
    with fake_of(app).store.write() as tx:
        clock.advance(tx, "default", 3600)
    status, error = api.error(
        "getPage",
        {
            "PageNumber": "2",
            "PageSize": "4",
            "PageSetToken": token,
            "API": {"Name": "getOrderList", "Input": {"Order": {}}},
        },
        fmt,
        root="Page",
    )
    assert (status, error["ErrorCode"]) == (400, "MOCK0305")


def test_maximum_records_caps_the_set(api: Api, ten: list[str], fmt: str) -> None:
    out = page(api, fmt, {"Order": {"MaximumRecords": "6"}}, PageNumber="2")
    assert listed(out) == ["P04", "P05"] and out["IsLastPage"] == "Y"


def test_nextpage_walk_with_ties(api: Api, ten: list[str], fmt: str) -> None:
    """Ordered by EntryType (five orders share each value): NEXTPAGE neither loses nor repeats rows."""
    inner = {"Order": {"OrderBy": {"Attribute": {"Name": "EntryType", "Desc": "Y"}}}}
    seen: list[str] = []
    previous: dict[str, Any] | None = None
    while True:
        attrs: dict[str, Any] = {"PaginationStrategy": "NEXTPAGE", "PageSize": "3"}
        if previous is not None:
            attrs["PreviousPage"] = {"LastRecord": previous}
        out = page(api, fmt, inner, **attrs)
        assert out["IsFirstPage"] == ("Y" if previous is None else "N")
        seen += listed(out)
        if out["IsLastPage"] == "Y":
            break
        previous = out["LastRecord"]
    # ties broken by the key, in the direction of the last OrderBy attribute
    assert seen == ["P09", "P07", "P05", "P03", "P01", "P08", "P06", "P04", "P02", "P00"]


def test_order_line_list_and_details_pages(api: Api, ten: list[str], fmt: str) -> None:
    out = page(
        api,
        fmt,
        {"OrderLine": {"Order": {"EntryType": "WEB"}}},
        name="getOrderLineList",
        PageSize="3",
        PageNumber="2",
    )
    assert [ln["Item"]["ItemID"] for ln in as_list(out["Output"]["OrderLineList"]["OrderLine"])] == [
        "J3",
        "I5",
        "J5",
    ]
    nxt = page(
        api,
        fmt,
        {"OrderLine": {"Order": {"EntryType": "WEB"}}},
        name="getOrderLineList",
        PageSize="3",
        PaginationStrategy="NEXTPAGE",
        PreviousPage={
            "LastRecord": {
                "OrderLine": {
                    "OrderLineKey": (as_list(out["Output"]["OrderLineList"]["OrderLine"])[-1]["OrderLineKey"])
                }
            }
        },
    )
    assert [ln["Item"]["ItemID"] for ln in as_list(nxt["Output"]["OrderLineList"]["OrderLine"])] == [
        "I7",
        "J7",
        "I9",
    ]
    details = page(
        api, fmt, {"Order": {"OrderHeaderKey": ten[0]}}, name="getOrderDetails", PageSize="1", PageNumber="2"
    )
    lines = as_list(details["Output"]["Order"]["OrderLines"]["OrderLine"])
    assert [ln["Item"]["ItemID"] for ln in lines] == ["J0"]
    assert details["IsLastPage"] == "Y"


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ({"PageSize": "0", "API": {"Name": "getOrderList"}}, "MOCK0304"),
        ({"PageSize": "x", "API": {"Name": "getOrderList"}}, "MOCK0304"),
        # past any store's integer: was an internal error on SQLite (found by fuzzing against both stores)
        ({"PageSize": "9" * 20, "PageNumber": "9" * 20, "API": {"Name": "getOrderList"}}, "MOCK0304"),
        ({"PageSize": "2", "PageNumber": str(2**31), "API": {"Name": "getOrderList"}}, "MOCK0304"),
        ({"API": {"Name": "getOrderList"}}, "MOCK0100"),
        ({"PageSize": "2", "PaginationStrategy": "RANDOM", "API": {"Name": "getOrderList"}}, "MOCK0304"),
        ({"PageSize": "2", "API": {"Name": "noSuchApi"}}, "MOCK0006"),
        ({"PageSize": "2", "PageSetToken": "nope", "API": {"Name": "getOrderList"}}, "MOCK0305"),
        (
            {"PageSize": "2", "API": {"Name": "getOrderList", "Input": {"Order": {"OrderNoQryType": "X"}}}},
            "MOCK0300",
        ),
    ],
)
def test_bad_page_requests(api: Api, doc: dict[str, Any], code: str, fmt: str) -> None:
    status, error = api.error("getPage", doc, fmt, root="Page")
    assert (status, error["ErrorCode"]) == (400, code)
