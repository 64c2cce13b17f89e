"""Contract: createOrder and getOrderDetails (reference §7, §8, §13), in JSON and XML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sterling_mock.client.wire import Doc, as_list

from .instance import Instance
from .sterling import Sterling

pytestmark = pytest.mark.unverified

NOT_FOUND = ("YFS10003", "YFS:Invalid Order")


@pytest.mark.writes
def test_create_order_answers_exactly_the_four_keys(
    sterling: Sterling, instance: Instance, order_no: Callable[[], str]
) -> None:
    number = order_no()
    doc = {
        "EnterpriseCode": instance.enterprise,
        "SellerOrganizationCode": instance.seller,
        "DocumentType": instance.document_type,
        "OrderNo": number,
        "OrderLines": {
            "OrderLine": [{"OrderedQty": "2", "ShipNode": instance.node, "Item": instance.item(0).doc()}]
        },
    }
    out = sterling.invoke("createOrder", doc)
    assert sorted(out) == ["DocumentType", "EnterpriseCode", "OrderHeaderKey", "OrderNo"]
    assert (out["OrderNo"], out["EnterpriseCode"], out["DocumentType"]) == (
        number,
        instance.enterprise,
        instance.document_type,
    )
    assert out["OrderHeaderKey"]


@pytest.mark.writes
def test_created_order_reads_back_in_full(
    sterling: Sterling, new_order: Callable[..., tuple[str, Doc]]
) -> None:
    key, given = new_order(lines=2)
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    assert (order["OrderHeaderKey"], order["OrderNo"]) == (key, given["OrderNo"])
    assert (order["Status"], order["MinOrderStatus"], order["MaxOrderStatus"]) == ("Created", "1100", "1100")
    lines = as_list(order["OrderLines"].get("OrderLine"))
    assert [line["Item"]["ItemID"] for line in lines] == [
        line["Item"]["ItemID"] for line in given["OrderLines"]["OrderLine"]
    ]
    assert all(line["Status"] == "Created" for line in lines)
    assert order["PersonInfoShipTo"]["City"] == given["PersonInfoShipTo"]["City"]
    expected = sum(
        float(line["LinePriceInfo"]["UnitPrice"]) * float(line["OrderedQty"])
        for line in given["OrderLines"]["OrderLine"]
    )
    assert float(order["OverallTotals"]["LineSubTotal"]) == pytest.approx(expected, abs=0.01)


@pytest.mark.writes
def test_details_by_natural_key(
    sterling: Sterling, instance: Instance, new_order: Callable[..., tuple[str, Doc]]
) -> None:
    key, given = new_order(lines=1)
    natural = instance.natural_key(given["OrderNo"])
    assert sterling.invoke("getOrderDetails", natural)["OrderHeaderKey"] == key


@pytest.mark.writes
def test_duplicate_order_no_is_refused(sterling: Sterling, new_order: Callable[..., tuple[str, Doc]]) -> None:
    _, given = new_order(lines=1)
    error = sterling.error("createOrder", given)
    assert (error.code, error.description, error.http_status) == (
        "YFC0001",
        "Record already exists in the database.",
        400,
    )


@pytest.mark.writes
def test_draft_order_starts_at_1000(sterling: Sterling, new_order: Callable[..., tuple[str, Doc]]) -> None:
    key, _ = new_order(lines=1, DraftOrderFlag="Y")
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    assert (order["DraftOrderFlag"], order["MaxOrderStatus"]) == ("Y", "1000")


@pytest.mark.writes
def test_empty_attributes_take_the_defaults(
    sterling: Sterling, instance: Instance, order_no: Callable[[], str]
) -> None:
    """An empty DocumentType is the sales order's (0001): the stock default, whatever --sterling-document-type."""
    doc: dict[str, Any] = {
        "EnterpriseCode": instance.enterprise,
        "SellerOrganizationCode": instance.seller,
        "OrderNo": order_no(),
        "DocumentType": "",
        "OrderDate": "",
        "OrderLines": {
            "OrderLine": [{"OrderedQty": "1", "ShipNode": instance.node, "Item": instance.item(1).doc()}]
        },
    }
    key = sterling.invoke("createOrder", doc)["OrderHeaderKey"]
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    assert order["DocumentType"] == "0001" and order["OrderDate"]


def test_unknown_order_is_yfs10003(sterling: Sterling) -> None:
    error = sterling.error("getOrderDetails", {"OrderHeaderKey": "00000000000000000000000"})
    assert (error.code, error.description, error.http_status) == (*NOT_FOUND, 400)


def test_existing_order_details_match_the_schema(sterling: Sterling, existing_order: Doc) -> None:
    """Read-only: runs on a production-like instance."""
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": existing_order["OrderHeaderKey"]})
    assert order["OrderNo"] == existing_order["OrderNo"]
    for line in as_list(order["OrderLines"].get("OrderLine")):
        codes = [row["Status"] for row in as_list((line.get("OrderStatuses") or {}).get("OrderStatus"))]
        if codes:  # the line's minimum status is one of its quantity rows
            assert line["MinLineStatus"] in codes and line["MaxLineStatus"] in codes


@pytest.mark.writes
def test_delete_a_draft_order(sterling: Sterling, new_order: Callable[..., tuple[str, Doc]]) -> None:
    key, given = new_order(lines=1, DraftOrderFlag="Y")
    out = sterling.invoke("deleteOrder", {"OrderHeaderKey": key})
    assert (out["OrderHeaderKey"], out["OrderNo"]) == (key, given["OrderNo"])
    error = sterling.error("getOrderDetails", {"OrderHeaderKey": key})
    assert (error.code, error.description) == NOT_FOUND
