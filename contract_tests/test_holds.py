"""Contract: holds through createOrder/changeOrder (reference §14, IBM support 553315) and cancelOrder."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc, as_list

from .instance import Instance
from .sterling import Sterling

pytestmark = [pytest.mark.unverified, pytest.mark.writes]
Make = Callable[..., tuple[str, Doc]]
HOLDS = {"OrderNo": "", "HoldFlag": "", "HoldReasonCode": "", "OrderHoldTypes": {"OrderHoldType": {}}}


def holds_of(sterling: Sterling, key: str) -> Doc:
    doc = {
        "API": {
            "Name": "getOrderDetails",
            "Input": {"Order": {"OrderHeaderKey": key}},
            "Template": {"Order": HOLDS},
        }
    }
    out = sterling.invoke("multiApi", doc, root="MultiApi")
    return dict(as_list(out["API"])[0]["Output"]["Order"])


def test_hold_put_by_change_order_shows_in_the_flags(
    sterling: Sterling, new_order: Make, instance: Instance
) -> None:
    key, _ = new_order(lines=1)
    hold = {"HoldType": instance.hold_type, "ReasonText": "contract test"}
    sterling.invoke("changeOrder", {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [hold]}})
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    assert (order["HoldFlag"], order["HoldReasonCode"]) == ("Y", instance.hold_type)
    assert "OrderHoldTypes" not in order
    found = as_list(holds_of(sterling, key)["OrderHoldTypes"]["OrderHoldType"])
    assert [(h["HoldType"], h["Status"]) for h in found] == [(instance.hold_type, "1100")]


def test_status_1300_resolves_the_hold(sterling: Sterling, new_order: Make, instance: Instance) -> None:
    key, _ = new_order(lines=1, OrderHoldTypes={"OrderHoldType": [{"HoldType": instance.hold_type}]})
    resolve = {"HoldType": instance.hold_type, "Status": "1300", "ReasonText": "released"}
    sterling.invoke("changeOrder", {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [resolve]}})
    order = holds_of(sterling, key)
    assert order["HoldFlag"] == "N"
    assert [h["Status"] for h in as_list(order["OrderHoldTypes"]["OrderHoldType"])] == ["1300"]


def test_cancel_order_answers_the_captured_shape(sterling: Sterling, new_order: Make) -> None:
    key, given = new_order(lines=2)
    doc = {
        "OrderHeaderKey": key,
        "ModificationReasonCode": "CUSTOMER",
        "ModificationReasonText": "contract test",
    }
    out = sterling.invoke("cancelOrder", doc)
    assert out["OrderNo"] == given["OrderNo"]
    lines = as_list(out["OrderLines"]["OrderLine"])
    assert {k for line in lines for k in line} == {"OrderHeaderKey", "OrderedQty", "StopDeliveryQty"}
    assert sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})["MinOrderStatus"] == "9000"
