"""Contract: getOrderList and getOrderLineList (reference §7, §9): filters, QryTypes, paging attributes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.fixtures import get_order_line_list_input, get_order_list_input

from .instance import Instance
from .sterling import Sterling

pytestmark = pytest.mark.unverified
Make = Callable[..., tuple[str, Doc]]


def numbers(out: Doc) -> list[str]:
    return [o["OrderNo"] for o in as_list(out.get("Order"))]


@pytest.mark.writes
def test_filter_by_order_no_and_paging_attributes(
    sterling: Sterling, instance: Instance, new_order: Make
) -> None:
    key, given = new_order(lines=1)
    out = sterling.invoke(
        "getOrderList", get_order_list_input(OrderNo=given["OrderNo"], EnterpriseCode=instance.enterprise)
    )
    assert numbers(out) == [given["OrderNo"]]
    assert (out["TotalOrderList"], out["LastRecordSet"], out["LastOrderHeaderKey"]) == ("1", "Y", key)
    assert "ReadFromHistory" in out
    assert "OrderLines" not in as_list(out["Order"])[0]  # no lines by default


@pytest.mark.writes
def test_like_qry_type_order_by_and_maximum_records(
    sterling: Sterling, instance: Instance, new_order: Make, order_prefix: str
) -> None:
    made = [new_order(lines=1)[1]["OrderNo"] for _ in range(3)]
    prefix = order_prefix
    query = get_order_list_input(
        order_by=("OrderNo", True),
        max_records=2,
        OrderNo=prefix,
        OrderNoQryType="FLIKE",
        EnterpriseCode=instance.enterprise,
    )
    out = sterling.invoke("getOrderList", query)
    assert numbers(out) == sorted(made, reverse=True)[:2]
    assert out["LastRecordSet"] == "N"


@pytest.mark.writes
def test_empty_values_are_no_filter(sterling: Sterling, new_order: Make) -> None:
    _, given = new_order(lines=1)
    query = {
        "OrderNo": given["OrderNo"],
        "FromOrderDate": "",
        "ToOrderDate": "",
        "OrderDateQryType": "BETWEEN",
        "Status": "",
    }
    assert numbers(sterling.invoke("getOrderList", query)) == [given["OrderNo"]]


@pytest.mark.writes
def test_status_filter_takes_codes(sterling: Sterling, new_order: Make) -> None:
    _, given = new_order(lines=1)
    created = {"OrderNo": given["OrderNo"], "Status": "1100"}
    assert numbers(sterling.invoke("getOrderList", created)) == [given["OrderNo"]]
    assert numbers(sterling.invoke("getOrderList", {**created, "Status": "3700"})) == []


@pytest.mark.writes
def test_order_line_list(sterling: Sterling, new_order: Make) -> None:
    key, given = new_order(lines=2)
    out = sterling.invoke("getOrderLineList", get_order_line_list_input(key))
    lines = as_list(out.get("OrderLine"))
    assert out["TotalLineList"] == "2"
    assert [line["Item"]["ItemID"] for line in lines] == [
        line["Item"]["ItemID"] for line in given["OrderLines"]["OrderLine"]
    ]
    first_item = given["OrderLines"]["OrderLine"][0]["Item"]["ItemID"]
    narrowed = sterling.invoke(
        "getOrderLineList", get_order_line_list_input(key, Item={"ItemID": first_item})
    )
    assert [line["Item"]["ItemID"] for line in as_list(narrowed.get("OrderLine"))] == [first_item]


def test_recent_orders_page_read_only(sterling: Sterling) -> None:
    """Read-only: the newest orders, capped; runs on a production-like instance."""
    out = sterling.invoke("getOrderList", get_order_list_input(order_by=("OrderDate", True), max_records=5))
    orders = as_list(out.get("Order"))
    assert len(orders) <= 5
    dates = [o["OrderDate"] for o in orders]
    assert dates == sorted(dates, reverse=True)
    if orders:
        assert out["LastOrderHeaderKey"] == orders[-1]["OrderHeaderKey"]


def test_date_range_read_only(sterling: Sterling, existing_order: Doc) -> None:
    """Read-only: an existing order is found by a BETWEEN range around its own date."""
    day = existing_order["OrderDate"][:10]
    query = {
        "OrderHeaderKey": existing_order["OrderHeaderKey"],
        "FromOrderDate": day + "T00:00:00",
        "ToOrderDate": day + "T23:59:59",
        "OrderDateQryType": "BETWEEN",
    }
    out = sterling.invoke("getOrderList", query)
    assert [o["OrderHeaderKey"] for o in as_list(out.get("Order"))] == [existing_order["OrderHeaderKey"]]
