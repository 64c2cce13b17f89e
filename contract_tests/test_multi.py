"""Contract: multiApi (one transaction, templates) and getPage (GENERIC and NEXTPAGE), reference §7, §10, §11."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.fixtures import (
    api_call,
    get_page_input,
    multi_api_input,
)

from .instance import Instance
from .sterling import Sterling

pytestmark = pytest.mark.unverified
Make = Callable[..., tuple[str, Doc]]
NUMBER_ONLY = ("OrderList", {"Order": {"OrderNo": "", "OrderHeaderKey": ""}})


def outputs(out: Doc) -> list[Doc]:
    return [api.get("Output", {}) for api in as_list(out.get("API"))]


@pytest.mark.writes
def test_several_apis_with_templates(sterling: Sterling, new_order: Make) -> None:
    key, given = new_order(lines=1)
    doc = multi_api_input(
        api_call("getOrderList", "Order", {"OrderNo": given["OrderNo"]}, NUMBER_ONLY),
        api_call(
            "getOrderDetails", "Order", {"OrderHeaderKey": key}, ("Order", {"OrderNo": "", "Status": ""})
        ),
    )
    listed, detailed = outputs(sterling.invoke("multiApi", doc))
    assert [o["OrderNo"] for o in as_list(listed["OrderList"]["Order"])] == [given["OrderNo"]]
    assert listed["OrderList"]["TotalOrderList"] == "1"  # list roots keep their paging attributes
    assert detailed["Order"] == {"OrderNo": given["OrderNo"], "Status": "Created"}


@pytest.mark.writes
def test_one_failure_rolls_everything_back(
    sterling: Sterling, instance: Instance, order_input: Callable[..., Doc]
) -> None:
    order = order_input(lines=1)
    number = order["OrderNo"]
    doc = multi_api_input(
        api_call("createOrder", "Order", order),
        api_call("getOrderDetails", "Order", {"OrderHeaderKey": "00000000000000000000000"}),
    )
    error = sterling.error("multiApi", doc)
    assert (error.code, error.description) == ("YFS10003", "YFS:Invalid Order")
    found = sterling.invoke("getOrderList", {"OrderNo": number, "EnterpriseCode": instance.enterprise})
    assert found["TotalOrderList"] == "0"


@pytest.mark.writes
def test_generic_pages_walk_one_result_set(sterling: Sterling, new_order: Make, order_prefix: str) -> None:
    made = sorted(new_order(lines=1)[1]["OrderNo"] for _ in range(5))
    query = {
        "OrderNo": order_prefix,
        "OrderNoQryType": "FLIKE",
        "OrderBy": {"Attribute": {"Name": "OrderNo"}},
    }
    seen: list[str] = []
    token = ""
    for number in (1, 2, 3):
        page = sterling.invoke(
            "getPage",
            get_page_input("getOrderList", "Order", query, page_size=2, page_number=number, token=token),
        )
        token = page["PageSetToken"]
        assert page["PageNumber"] == str(number)
        assert (page["IsFirstPage"], page["IsLastPage"]) == (
            "Y" if number == 1 else "N",
            "Y" if number == 3 else "N",
        )
        seen += [o["OrderNo"] for o in as_list(page["Output"]["OrderList"].get("Order"))]
    assert seen == made


@pytest.mark.writes
def test_nextpage_continues_after_the_last_record(
    sterling: Sterling, new_order: Make, order_prefix: str
) -> None:
    made = sorted(new_order(lines=1)[1]["OrderNo"] for _ in range(3))
    query = {
        "OrderNo": order_prefix,
        "OrderNoQryType": "FLIKE",
        "OrderBy": {"Attribute": {"Name": "OrderNo"}},
    }
    first = sterling.invoke(
        "getPage", get_page_input("getOrderList", "Order", query, page_size=2, strategy="NEXTPAGE")
    )
    assert first["IsLastPage"] == "N"
    second = sterling.invoke(
        "getPage",
        get_page_input(
            "getOrderList",
            "Order",
            query,
            page_size=2,
            page_number=2,
            strategy="NEXTPAGE",
            last_record=first["LastRecord"],
        ),
    )
    pages = [first, second]
    seen = [o["OrderNo"] for page in pages for o in as_list(page["Output"]["OrderList"].get("Order"))]
    assert seen == made
    assert second["IsLastPage"] == "Y"


def test_first_page_of_recent_orders_read_only(sterling: Sterling, instance: Instance) -> None:
    """Read-only: the IBM client's getPage call shape; runs on a production-like instance."""
    query = {
        "DocumentType": instance.document_type,
        "OrderBy": {"Attribute": {"Name": "OrderDate", "Desc": "Y"}},
    }
    page = sterling.invoke(
        "getPage", get_page_input("getOrderList", "Order", query, page_size=3, template=NUMBER_ONLY)
    )
    assert page["IsFirstPage"] == "Y" and page["PageNumber"] == "1"
    assert len(as_list(page["Output"]["OrderList"].get("Order"))) <= 3


def test_read_only_multi_api(sterling: Sterling, existing_order: Doc) -> None:
    """Read-only: two reads in one multiApi."""
    key = existing_order["OrderHeaderKey"]
    doc = multi_api_input(
        api_call("getOrderDetails", "Order", {"OrderHeaderKey": key}, ("Order", {"OrderNo": ""})),
        api_call("getOrderLineList", "OrderLine", {"OrderHeaderKey": key}),
    )
    details, lines = outputs(sterling.invoke("multiApi", doc))
    assert details["Order"]["OrderNo"] == existing_order["OrderNo"]
    assert all(line["OrderHeaderKey"] == key for line in as_list(lines["OrderLineList"].get("OrderLine")))
