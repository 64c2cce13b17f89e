"""Contract: inventory and promising (reference §14): adjustInventory is void, supply reads back, findInventory
answers the captured shape (Option an object, Interaction / PromiseLine / Assignment arrays even when single),
reserveAvailableInventory answers a ReservationID per promise line, and a storefront's order created with the
reservation schedules at the reserved node.  Adjustments are relative and small (a shared instance's supply is
only raised), so the tests hold beside others that order the same item."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sterling_mock.client.wire import Doc, as_list

from .instance import Instance
from .sterling import Sterling

pytestmark = [pytest.mark.unverified, pytest.mark.writes]


def item_doc(instance: Instance, qty: str, **extra: str) -> Doc:
    """One adjustment of the first item at the first node: relative by default, so a shared instance's supply
    (other tests' orders depend on it) is only ever raised, then put back."""
    item = instance.item(0)
    return {**item.doc(), "ShipNode": instance.node, "Quantity": qty, "AdjustmentType": "ADJUSTMENT", **extra}


def promise(instance: Instance, qty: str, **line: str) -> Doc:
    entry = {"LineId": "1", **instance.item(0).doc(), "RequiredQty": qty, "ShipNode": instance.node, **line}
    return {"OrganizationCode": instance.enterprise, "PromiseLines": {"PromiseLine": [entry]}}


def assignments(found: Doc) -> list[Doc]:
    lines = as_list(found["SuggestedOption"]["Option"]["PromiseLines"]["PromiseLine"])
    return as_list((lines[0].get("Assignments") or {}).get("Assignment"))


def onhand(sterling: Sterling, instance: Instance) -> float:
    query = {**instance.item(0).doc(), "OrganizationCode": instance.enterprise, "ShipNode": instance.node}
    found = sterling.invoke("getInventorySupply", query)
    records = as_list((found.get("Supplies") or {}).get("InventorySupply"))
    return sum(float(r["Quantity"]) for r in records if r["SupplyType"] == "ONHAND")


def test_adjust_inventory_is_void_and_supply_reads_back(sterling: Sterling, instance: Instance) -> None:
    before = onhand(sterling, instance)
    assert sterling.invoke("adjustInventory", {"Item": [item_doc(instance, "3")]}) == {}
    assert onhand(sterling, instance) == before + 3
    sterling.invoke("adjustInventory", {"Item": [item_doc(instance, "-3")]})
    assert onhand(sterling, instance) == before


def test_find_inventory_assigns_from_the_node(sterling: Sterling, instance: Instance) -> None:
    sterling.invoke("adjustInventory", {"Item": [item_doc(instance, "2")]})
    found = sterling.invoke("findInventory", promise(instance, "2"))
    assert found["SuggestedOption"]["Option"]["HasAnyUnavailableQty"] == "N"
    [assignment] = assignments(found)
    assert (assignment["ShipNode"], float(assignment["Quantity"])) == (instance.node, 2)


def test_find_inventory_json_arrays_as_captured(sterling: Sterling, instance: Instance) -> None:
    sterling.invoke("adjustInventory", {"Item": [item_doc(instance, "1")]}, fmt="json")
    response, _ = sterling.post("findInventory", promise(instance, "1"), fmt="json")
    body: dict[str, Any] = json.loads(response.content)
    option = body["SuggestedOption"]["Option"]
    assert isinstance(option, dict)
    assert isinstance(option["Interactions"]["Interaction"], list)
    assert isinstance(option["PromiseLines"]["PromiseLine"], list)
    assert isinstance(option["PromiseLines"]["PromiseLine"][0]["Assignments"]["Assignment"], list)


def test_reservation_is_consumed_by_an_order(sterling: Sterling, instance: Instance) -> None:
    sterling.invoke("adjustInventory", {"Item": [item_doc(instance, "2")]})
    reservation_id = "CT-" + uuid.uuid4().hex[:12]
    reserved = sterling.invoke(
        "reserveAvailableInventory",
        {**promise(instance, "2"), "ReservationParameters": {"ReservationID": reservation_id}},
    )
    line = as_list(reserved["PromiseLines"]["PromiseLine"])[0]
    [reservation] = as_list(line["Reservations"]["Reservation"])
    assert (reservation["ReservationID"], reservation["ShipNode"]) == (reservation_id, instance.node)
    order = {
        "EnterpriseCode": instance.enterprise,
        "DocumentType": instance.document_type,
        "SellerOrganizationCode": instance.seller,
        "OrderLines": {
            "OrderLine": [
                {
                    "OrderedQty": "2",
                    "Item": instance.item(0).doc(),
                    "LinePriceInfo": {"UnitPrice": "1.00"},
                    "OrderLineReservations": {"OrderLineReservation": [{"ReservationID": reservation_id}]},
                }
            ]
        },
    }
    key = sterling.invoke("createOrder", order)["OrderHeaderKey"]
    sterling.invoke("scheduleOrder", {"OrderHeaderKey": key})
    detail = sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
    assert detail["MaxOrderStatus"] == "1500"
    rows = as_list(as_list(detail["OrderLines"]["OrderLine"])[0]["OrderStatuses"]["OrderStatus"])
    assert {r["ShipNode"] for r in rows} == {instance.node}


@pytest.mark.parametrize(
    ("bad", "name"),
    [
        ({"Quantity": "-1", "AdjustmentType": "ABSOLUTE"}, "Quantity"),
        ({"Quantity": "many"}, "Quantity"),
        ({"ItemID": ""}, "ItemID"),
    ],
)
def test_bad_adjustments_are_refused(
    sterling: Sterling, instance: Instance, bad: dict[str, str], name: str
) -> None:
    error = sterling.error("adjustInventory", {"Item": [item_doc(instance, "1", **bad)]})
    assert error.http_status == 400
    assert error.more_info.get("Name") == name
