"""Contract: the fulfilment walk (reference §6, §7): scheduleOrder, releaseOrder, getOrderReleaseList,
changeOrderStatus, createShipment, confirmShipment and the shipment reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.fixtures import (
    change_order_status_input,
    confirm_shipment_input,
    create_shipment_input,
    get_order_release_list_input,
    get_shipment_list_for_order_input,
    get_shipment_list_input,
    release_order_input,
    schedule_order_input,
    shipment_line,
    sterling_faker,
)

from .instance import Instance
from .sterling import Sterling

pytestmark = [pytest.mark.unverified, pytest.mark.writes]
Make = Callable[..., tuple[str, Doc]]


def status(sterling: Sterling, key: str) -> tuple[str, str, str]:
    order = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    return order["Status"], order["MinOrderStatus"], order["MaxOrderStatus"]


def released(sterling: Sterling, new_order: Make, lines: int = 2) -> tuple[str, Doc]:
    key, given = new_order(lines=lines)
    sterling.invoke("scheduleOrder", schedule_order_input(key))
    sterling.invoke("releaseOrder", release_order_input(key))
    return key, given


def test_schedule_then_release_are_void_and_move_the_order(sterling: Sterling, new_order: Make) -> None:
    key, _ = new_order(lines=2)
    assert sterling.invoke("scheduleOrder", schedule_order_input(key)) == {}
    assert status(sterling, key) == ("Scheduled", "1500", "1500")
    assert sterling.invoke("releaseOrder", release_order_input(key)) == {}
    assert status(sterling, key) == ("Released", "3200", "3200")


def test_schedule_by_natural_key(sterling: Sterling, instance: Instance, new_order: Make) -> None:
    key, given = new_order(lines=1)
    natural = instance.natural_key(given["OrderNo"])
    sterling.invoke("scheduleOrder", natural)
    assert status(sterling, key)[2] == "1500"


def test_release_list_names_the_order_and_node(
    sterling: Sterling, instance: Instance, new_order: Make
) -> None:
    key, _ = released(sterling, new_order)
    out = sterling.invoke("getOrderReleaseList", get_order_release_list_input(key))
    releases = as_list(out.get("OrderRelease"))
    assert out["TotalOrderReleaseList"] == str(len(releases)) == "1"
    release = releases[0]
    assert (release["OrderHeaderKey"], release["ShipNode"], release["ReleaseNo"]) == (key, instance.node, "1")
    assert out["LastOrderReleaseKey"] == release["OrderReleaseKey"]


def test_lines_at_two_nodes_make_two_releases(
    sterling: Sterling, instance: Instance, order_input: Callable[..., Doc]
) -> None:
    if len(instance.nodes) < 2:
        pytest.skip("needs a second ship node (--sterling-node twice)")
    doc = order_input(lines=2)
    doc["OrderLines"]["OrderLine"][1]["ShipNode"] = instance.nodes[1]
    key = str(sterling.invoke("createOrder", doc)["OrderHeaderKey"])
    sterling.invoke("scheduleOrder", schedule_order_input(key))
    sterling.invoke("releaseOrder", release_order_input(key))
    out = sterling.invoke("getOrderReleaseList", get_order_release_list_input(key))
    releases = as_list(out.get("OrderRelease"))
    assert out["TotalOrderReleaseList"] == "2"
    assert sorted(r["ShipNode"] for r in releases) == sorted(instance.nodes[:2])
    assert {r["OrderHeaderKey"] for r in releases} == {key}
    assert status(sterling, key) == ("Released", "3200", "3200")


def test_change_order_status_moves_to_a_sub_status(
    sterling: Sterling, instance: Instance, new_order: Make
) -> None:
    key, given = released(sterling, new_order, lines=1)
    change = change_order_status_input(key, instance.drop_status, transaction_id=instance.status_transaction)
    out = sterling.invoke("changeOrderStatus", change)
    assert (out["OrderHeaderKey"], out["OrderNo"]) == (key, given["OrderNo"])
    assert status(sterling, key)[1:] == (instance.drop_status, instance.drop_status)


def test_shipment_created_then_confirmed(sterling: Sterling, instance: Instance, new_order: Make) -> None:
    key, given = released(sterling, new_order, lines=2)
    shipment = sterling.invoke("createShipment", create_shipment_input(key, lines=[shipment_line(1)]))
    assert (shipment["ShipNode"], shipment["SellerOrganizationCode"]) == (
        instance.node,
        given["SellerOrganizationCode"],
    )
    assert status(sterling, key) == ("Partially Included In Shipment", "3200", "3350")
    confirm = confirm_shipment_input(shipment["ShipmentKey"], sterling_faker(5))
    confirmed = sterling.invoke("confirmShipment", confirm)
    assert confirmed["ShipmentKey"] == shipment["ShipmentKey"]
    assert status(sterling, key) == ("Partially Shipped", "3200", "3700")
    rest = sterling.invoke("createShipment", create_shipment_input(key, lines=[shipment_line(2)]))
    sterling.invoke("confirmShipment", confirm_shipment_input(rest["ShipmentKey"]))
    assert status(sterling, key) == ("Shipped", "3700", "3700")


def test_shipment_reads(sterling: Sterling, instance: Instance, new_order: Make) -> None:
    key, _ = released(sterling, new_order, lines=1)
    made = sterling.invoke("createShipment", create_shipment_input(key))
    tracking = confirm_shipment_input(made["ShipmentKey"], sterling_faker(9))
    sterling.invoke("confirmShipment", tracking)
    by_order = sterling.invoke("getShipmentListForOrder", get_shipment_list_for_order_input(key))
    assert [s["ShipmentKey"] for s in as_list(by_order.get("Shipment"))] == [made["ShipmentKey"]]
    listed = sterling.invoke("getShipmentList", get_shipment_list_input(ShipmentKey=made["ShipmentKey"]))
    assert listed["TotalNumberOfRecords"] == "1"
    found = as_list(listed["Shipment"])[0]
    assert (found["TrackingNo"], found["ShipNode"]) == (tracking["TrackingNo"], instance.node)
    shipped = as_list(found["ShipmentLines"]["ShipmentLine"])
    assert [line["OrderHeaderKey"] for line in shipped] == [key]
    details = sterling.invoke("getShipmentDetails", {"ShipmentKey": made["ShipmentKey"]})
    assert details["ShipmentNo"] == made["ShipmentNo"]


def test_unknown_order_cannot_be_scheduled(sterling: Sterling) -> None:
    error = sterling.error("scheduleOrder", schedule_order_input("00000000000000000000000"))
    assert (error.code, error.description) == ("YFS10003", "YFS:Invalid Order")


def test_change_shipment_tracking(sterling: Sterling, new_order: Make) -> None:
    key, _ = released(sterling, new_order, lines=1)
    made = sterling.invoke("createShipment", create_shipment_input(key))
    changed = sterling.invoke("changeShipment", {"ShipmentKey": made["ShipmentKey"], "TrackingNo": "1Z999"})
    assert changed["ShipmentKey"] == made["ShipmentKey"]
    assert (
        sterling.invoke("getShipmentDetails", {"ShipmentKey": made["ShipmentKey"]})["TrackingNo"] == "1Z999"
    )
