"""Inventory through the public surface: adjustInventory and the supply reads, findInventory's shape and
sourcing, reservations on the virtual clock, orders that consume supply (schedule, backorder, ship, cancel),
strict inventory, the control plane, and bad input that changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list, from_xml
from tests.conftest import Api
from tests.test_control_support import Ctl
from tests.test_lifecycle import details, release, rows, schedule, ship_line, summary

ITEM = "WIDGET-1"


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def adjust(api: Api, fmt: str = "json", **item: str) -> None:
    entry = {"ItemID": ITEM, "ShipNode": "DC_EAST", "AdjustmentType": "ABSOLUTE", **item}
    assert api("adjustInventory", {"Item": [entry]}, fmt, root="Items") == {}


def onhand(api: Api, item: str = ITEM, node: str = "DC_EAST") -> str:
    found = api("getInventorySupply", {"ItemID": item, "ShipNode": node}, root="InventorySupply")
    records = [
        r
        for r in as_list((found.get("Supplies") or {}).get("InventorySupply"))
        if r["SupplyType"] == "ONHAND"
    ]
    return records[0]["Quantity"] if records else "0"


def available(ctl: Ctl, item: str = ITEM, node: str = "DC_EAST") -> dict[str, str]:
    for row in ctl.ok("GET", f"inventory?item={item}")["availability"]:
        if row["ShipNode"] == node:
            return dict(row)
    return {}


def promise(*lines: dict[str, str], **attrs: Any) -> dict[str, Any]:
    return {"OrganizationCode": "Matrix-R", **attrs, "PromiseLines": {"PromiseLine": list(lines)}}


def line(qty: str, item: str = ITEM, **extra: str) -> dict[str, str]:
    return {"LineId": "1", "ItemID": item, "RequiredQty": qty, **extra}


def order(qty: str, item: str = ITEM, **line_extra: Any) -> dict[str, Any]:
    return {
        "EnterpriseCode": "Matrix-R",
        "OrderLines": {
            "OrderLine": [
                {
                    "OrderedQty": qty,
                    "Item": {"ItemID": item},
                    "LinePriceInfo": {"UnitPrice": "5"},
                    **line_extra,
                }
            ]
        },
    }


# ------------------------------------------------------------------------------------------ supply


def test_adjust_is_void_and_supply_reads_back(api: Api, fmt: str) -> None:
    response = api.raw(
        "adjustInventory",
        {"Item": [{"ItemID": ITEM, "ShipNode": "DC_EAST", "Quantity": "10", "AdjustmentType": "ABSOLUTE"}]},
        fmt,
        root="Items",
    )
    assert (response.status_code, response.data) == (204, b"")
    adjust(api, fmt, AdjustmentType="ADJUSTMENT", Quantity="-3")
    adjust(api, fmt, SupplyType="PO_PLACED", ETA="2030-01-15", Quantity="40", ShipNode="DC_WEST")
    found = api("getInventorySupply", {"ItemID": ITEM}, fmt, root="InventorySupply")
    records = {(r["ShipNode"], r["SupplyType"]): r for r in as_list(found["Supplies"]["InventorySupply"])}
    assert records[("DC_EAST", "ONHAND")]["Quantity"] == "7"
    assert records[("DC_WEST", "PO_PLACED")]["ETA"].startswith("2030-01-15")
    atp = api("getATP", {"ItemID": ITEM, "ToDate": "2030-02-01"}, fmt, root="GetATP")["Item"]
    assert atp["AvailableToPromiseInventory"]["AvailableQuantity"] == "7"
    periods = as_list(atp["AvailableToPromiseInventory"]["AvailableToPromise"])
    assert [p["AvailableQty"] for p in periods] == ["7", "47"]


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"Quantity": "-1"}, "MOCK0101"),  # ABSOLUTE below zero
        ({"Quantity": "ten"}, "MOCK0101"),
        ({"Quantity": "NaN"}, "MOCK0101"),
        ({"Quantity": ""}, "MOCK0100"),
        ({"AdjustmentType": "ADJUSTMENT", "Quantity": "-6"}, "MOCK0101"),  # 5 on hand
        ({"AdjustmentType": "SOMETIMES", "Quantity": "1"}, "MOCK0101"),
        ({"ItemID": "", "Quantity": "1"}, "MOCK0100"),
        ({"ETA": "yesterday-ish", "SupplyType": "PO_PLACED", "Quantity": "1"}, "MOCK0102"),
    ],
)
def test_bad_adjustments_change_nothing(api: Api, fmt: str, entry: dict[str, str], code: str) -> None:
    adjust(api, Quantity="5")
    good = {"ItemID": ITEM, "ShipNode": "DC_EAST", "Quantity": "100", "AdjustmentType": "ABSOLUTE"}
    bad = {"ItemID": ITEM, "ShipNode": "DC_EAST", "AdjustmentType": "ABSOLUTE", **entry}
    status, error = api.error("adjustInventory", {"Item": [bad, good]}, fmt, root="Items")
    assert (status, error["ErrorCode"]) == (400, code)
    assert onhand(api) == "5"


def test_strict_inventory_refuses_unknown_items_and_nodes(api: Api, ctl: Ctl, fmt: str) -> None:
    assert ctl.ok("PUT", "inventory", {"strict": True})["strict"] is True
    _, error = api.error(
        "adjustInventory",
        {"Item": [{"ItemID": "NOPE", "ShipNode": "DC_EAST", "Quantity": "1"}]},
        fmt,
        root="Items",
    )
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YCM0033", "Item Not Found")
    _, error = api.error(
        "adjustInventory",
        {"Item": [{"ItemID": "SHOE-100", "ShipNode": "MARS", "Quantity": "1"}]},
        fmt,
        root="Items",
    )
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YFS10048", "YFS:Invalid Node")
    _, error = api.error("findInventory", promise(line("1", "NOPE")), fmt, root="Promise")
    assert error["ErrorCode"] == "YCM0033"
    _, error = api.error(
        "findInventory", promise(line("1", "SHOE-100", ShipNode="MARS")), fmt, root="Promise"
    )
    assert error["ErrorCode"] == "YFS10048"
    assert onhand(api, "SHOE-100") == "500"


# ------------------------------------------------------------------------------------------ promising


def test_find_inventory_shape_raw_json_arrays(api: Api) -> None:
    adjust(api, Quantity="10")
    response = api.raw("findInventory", promise(line("2"), ShipToAddress={"State": "NY"}), root="Promise")
    body = json.loads(response.data)
    option = body["SuggestedOption"]["Option"]
    assert isinstance(option, dict)  # Option under SuggestedOption is an object
    assert isinstance(option["Interactions"]["Interaction"], list)
    assert isinstance(option["PromiseLines"]["PromiseLine"], list)
    assignments = option["PromiseLines"]["PromiseLine"][0]["Assignments"]["Assignment"]
    assert isinstance(assignments, list) and len(assignments) == 1  # an array even when single
    assert assignments[0]["ShipNode"] == "DC_EAST" and assignments[0]["Quantity"] == "2"
    assert option["HasAnyUnavailableQty"] == "N" and body["OrganizationCode"] == "Matrix-R"
    assert body["Options"]["TotalNumberOfRecords"] == "0"


def test_find_inventory_xml(api: Api) -> None:
    adjust(api, Quantity="1")
    raw = api.raw("findInventory", promise(line("3")), "xml", root="Promise")
    root, doc = from_xml(raw.data)
    assert root == "Promise"
    option = doc["SuggestedOption"]["Option"]
    assert option["HasAnyUnavailableQty"] == "Y"
    unavailable = as_list(doc["SuggestedOption"]["UnavailableLines"]["UnavailableLine"])
    assert (unavailable[0]["AssignedQty"], unavailable[0]["UnavailableQty"]) == ("1", "2")


def test_sourcing_by_distance_candidates_exclusions_and_split(api: Api, fmt: str) -> None:
    adjust(api, Quantity="4", ShipNode="DC_EAST")
    adjust(api, Quantity="4", ShipNode="DC_WEST")

    def nodes(doc: dict[str, Any]) -> list[tuple[str, str]]:
        out = api("findInventory", doc, fmt, root="Promise")
        first = as_list(out["SuggestedOption"]["Option"]["PromiseLines"]["PromiseLine"])[0]
        return [(a["ShipNode"], a["Quantity"]) for a in as_list(first["Assignments"].get("Assignment"))]

    assert nodes(promise(line("3"), ShipToAddress={"State": "CA"})) == [("DC_WEST", "3")]
    assert nodes(promise(line("3"), ShipToAddress={"ZipCode": "10001"})) == [("DC_EAST", "3")]
    assert nodes(promise(line("6"), ShipToAddress={"State": "NY"})) == [("DC_EAST", "4"), ("DC_WEST", "2")]
    assert nodes(promise(line("6"), ShipFromSingleNode="Y", ShipToAddress={"State": "NY"})) == [
        ("DC_EAST", "4")
    ]
    assert nodes(
        promise(
            line("3"), ShipToAddress={"State": "NY"}, ExcludedShipNodes={"ShipNode": [{"Node": "DC_EAST"}]}
        )
    ) == [("DC_WEST", "3")]
    assert nodes(promise(line("3"), ShipNodes={"ShipNode": [{"Node": "DC_WEST"}]})) == [("DC_WEST", "3")]
    assert nodes(promise(line("3", ShipNode="DC_EAST"), ShipToAddress={"State": "CA"})) == [("DC_EAST", "3")]
    # lenient: an item with no supply is always available at the enterprise's default node
    assert nodes(promise(line("1000", "NO-SUPPLY"))) == [("DC_EAST", "1000")]


def test_find_inventory_bad_input(api: Api, fmt: str) -> None:
    for bad, code in [
        (promise(line("-1")), "MOCK0101"),
        (promise(line("lots")), "MOCK0101"),
        (promise(line("1", DeliveryMethod="TELEPORT")), "MOCK0101"),
        ({"OrganizationCode": "Matrix-R"}, "MOCK0100"),
    ]:
        status, error = api.error("findInventory", bad, fmt, root="Promise")
        assert (status, error["ErrorCode"]) == (400, code)


def test_available_inventory_per_node(api: Api, fmt: str) -> None:
    adjust(api, Quantity="4")
    adjust(api, Quantity="6", ShipNode="DC_WEST", SupplyType="PO_PLACED", ETA="2030-03-01")
    out = api("getAvailableInventory", promise(line("1")), fmt, root="Promise")
    first = as_list(out["PromiseLines"]["PromiseLine"])[0]
    total = first["Availability"]["AvailableInventory"]
    assert (
        total["AvailableQuantity"],
        total["AvailableOnhandQuantity"],
        total["AvailableFutureQuantity"],
    ) == ("10", "4", "6")
    assert total["FirstFutureAvailableDate"].startswith("2030-03-01")


# ------------------------------------------------------------------------------------------ reservations


def reserve(api: Api, qty: str, fmt: str = "json", **params: str) -> dict[str, Any]:
    doc = {**promise(line(qty)), "ReservationParameters": params}
    out = api("reserveAvailableInventory", doc, fmt, root="Promise")
    return dict(as_list(out["PromiseLines"]["PromiseLine"])[0])


def test_reservations_hold_expire_and_cancel(api: Api, ctl: Ctl, fmt: str) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": "2030-01-01T10:00:00Z"})
    adjust(api, Quantity="10")
    first = reserve(api, "4", fmt, ReservationID="R-1")
    assert first["ReservedQty"] == "4"
    assert as_list(first["Reservations"]["Reservation"])[0]["ReservationID"] == "R-1"
    assert available(ctl)["Available"] == "6"
    assert reserve(api, "7", fmt)["ReservedQty"] == "0"  # not partial by default
    assert reserve(api, "7", fmt, AllowPartialReservation="Y")["ReservedQty"] == "6"
    assert available(ctl)["Available"] == "0"
    _, error = api.error(
        "reserveAvailableInventory",
        {**promise(line("1")), "ReservationParameters": {"ReservationID": "R-1"}},
        fmt,
        root="Promise",
    )
    assert error["ErrorCode"] == "YFC0001"
    assert (
        api(
            "cancelReservation",
            {"ReservationID": "R-1", "QtyToBeCancelled": "1"},
            fmt,
            root="CancelReservation",
        )
        == {}
    )
    assert available(ctl)["Available"] == "1"
    ctl.ok("POST", "clock", {"advance": 3601})  # every reservation expires after an hour
    assert available(ctl)["Available"] == "10"
    _, error = api.error("cancelReservation", {"ReservationID": "R-1"}, fmt, root="CancelReservation")
    assert error["ErrorCode"] == "MOCK0901"
    _, error = api.error("cancelReservation", {"ReservationID": "NOPE"}, fmt, root="CancelReservation")
    assert error["ErrorCode"] == "MOCK0900"
    _, error = api.error(
        "reserveAvailableInventory",
        {**promise(line("1")), "ReservationParameters": {"ExpirationDate": "2029-01-01"}},
        fmt,
        root="Promise",
    )
    assert error["ErrorCode"] == "MOCK0101"


def test_create_order_with_unknown_or_expired_reservation_changes_nothing(
    api: Api, ctl: Ctl, fmt: str
) -> None:
    adjust(api, Quantity="10")
    ctl.ok("POST", "clock", {"freeze": True})
    reserve(api, "2", ReservationID="OLD")
    ctl.ok("POST", "clock", {"advance": 7200})
    for name, code in [("NOPE", "MOCK0900"), ("OLD", "MOCK0901")]:
        _, error = api.error("createOrder", order("2", ReservationID=name), fmt)
        assert error["ErrorCode"] == code
    reserve(api, "2", ReservationID="OTHER-ITEM")
    _, error = api.error("createOrder", order("1", "SHOE-100", ReservationID="OTHER-ITEM"), fmt)
    assert error["ErrorCode"] == "MOCK0902"
    assert api("getOrderList", {}, fmt)["TotalOrderList"] == "0"


def test_storefront_flow_end_to_end(api: Api, ctl: Ctl, fmt: str) -> None:
    """adjust, find, reserve, create with the reservation, schedule, release, ship: supply as a person counts."""
    adjust(api, fmt, Quantity="10")
    found = api("findInventory", promise(line("3"), ShipToAddress={"State": "NY"}), fmt, root="Promise")
    assignment = as_list(
        as_list(found["SuggestedOption"]["Option"]["PromiseLines"]["PromiseLine"])[0]["Assignments"][
            "Assignment"
        ]
    )[0]
    assert (assignment["ShipNode"], assignment["Quantity"]) == ("DC_EAST", "3")
    reserved = reserve(api, "3", fmt)
    reservation_id = as_list(reserved["Reservations"]["Reservation"])[0]["ReservationID"]
    assert available(ctl) | {} == {**available(ctl), "Supply": "10", "Reserved": "3", "Available": "7"}
    # another shopper cannot take the reserved units
    assert reserve(api, "8", fmt)["ReservedQty"] == "0"
    held = {"OrderLineReservation": [{"ReservationID": reservation_id}]}
    key = api("createOrder", order("3", OrderLineReservations=held), fmt)["OrderHeaderKey"]
    assert available(ctl)["Available"] == "7"  # the order holds the reservation now
    adjust(api, fmt, Quantity="3")  # a recount leaves only the reserved units
    schedule(api, key, fmt)
    assert rows(details(api, key)) == [("1500", "3.00")]
    assert (
        as_list(details(api, key)["OrderLines"]["OrderLine"])[0]["OrderStatuses"]["OrderStatus"][0][
            "ShipNode"
        ]
        == "DC_EAST"
    )
    assert available(ctl) | {} == {
        **available(ctl),
        "Supply": "3",
        "Demand": "3",
        "Reserved": "0",
        "Available": "0",
    }
    release(api, key, fmt)
    shipment = ship_line(api, key, "1", "3", fmt)
    api("confirmShipment", {"ShipmentKey": shipment["ShipmentKey"]}, fmt, root="Shipment")
    assert summary(details(api, key))[0] == "Shipped"
    assert onhand(api) == "0"
    assert available(ctl) | {} == {**available(ctl), "Supply": "0", "Demand": "0", "Available": "0"}


def test_backorder_clears_when_supply_arrives_through_the_agents(api: Api, ctl: Ctl, fmt: str) -> None:
    adjust(api, Quantity="2")
    key = api("createOrder", order("5"), fmt)["OrderHeaderKey"]
    schedule(api, key, fmt)
    assert sorted(rows(details(api, key))) == [("1300", "3.00"), ("1500", "2.00")]
    assert available(ctl)["Available"] == "0"
    adjust(api, fmt, AdjustmentType="ADJUSTMENT", Quantity="3")
    ctl.ok("POST", "agents/run", {"steps": 1, "release": False, "ship": False})
    assert rows(details(api, key)) == [("1500", "5.00")]
    assert available(ctl)["Demand"] == "5"


def test_cancellation_releases_demand(api: Api, ctl: Ctl, fmt: str) -> None:
    adjust(api, Quantity="5")
    key = api("createOrder", order("4"), fmt)["OrderHeaderKey"]
    schedule(api, key, fmt)
    assert available(ctl)["Available"] == "1"
    api("changeOrder", {"OrderHeaderKey": key, "Action": "CANCEL"}, fmt)
    assert available(ctl)["Available"] == "5"


# ------------------------------------------------------------------------------------------ doors, alerts, control


def test_every_door_multi_api_and_interop(api: Api, client: FlaskClient, fmt: str) -> None:
    from tests.test_interop import java_call

    doc = {
        "API": [
            {
                "Name": "adjustInventory",
                "Input": {
                    "Items": {
                        "Item": [
                            {
                                "ItemID": ITEM,
                                "ShipNode": "DC_EAST",
                                "Quantity": "9",
                                "AdjustmentType": "ABSOLUTE",
                            }
                        ]
                    }
                },
            },
            {"Name": "findInventory", "Input": {"Promise": promise(line("2"))}},
            {"Name": "reserveAvailableInventory", "Input": {"Promise": promise(line("2"))}},
        ]
    }
    out = api("multiApi", doc, fmt, root="MultiApi")
    results = as_list(out["API"])
    assert results[0]["Output"] == {}
    assert (
        as_list(as_list(results[2]["Output"]["Promise"]["PromiseLines"]["PromiseLine"]))[0]["ReservedQty"]
        == "2"
    )
    body = java_call(client, "getInventorySupply", "InventorySupply", {"ItemID": ITEM})
    root, found = from_xml(body)
    assert root == "Item" and as_list(found["Supplies"]["InventorySupply"])[0]["Quantity"] == "9"
    body = java_call(client, "findInventory", "Promise", promise(line("1")))
    assert from_xml(body)[0] == "Promise"


def test_monitor_raises_alerts_when_a_level_is_crossed(api: Api, ctl: Ctl, fmt: str) -> None:
    adjust(api, Quantity="50")
    out = api("monitorItemAvailability", {"ItemID": ITEM}, fmt, root="MonitorItemAvailability")
    assert not as_list((out.get("Alerts") or {}).get("Alert"))  # above every level: nothing to say
    adjust(api, Quantity="5")  # adjustInventory watches monitored nodes
    adjust(api, Quantity="0")
    adjust(api, Quantity="20")
    alerts = ctl.ok("GET", "inventory/alerts")["alerts"]
    assert [(a["Direction"], a["Level"], a["AvailableQty"]) for a in alerts] == [
        ("BELOW", "10", "5"),
        ("BELOW", "0", "0"),
        ("ABOVE", "10", "20"),
    ]


def test_control_plane_bulk_supply_and_validation(api: Api, ctl: Ctl) -> None:
    out = ctl.ok(
        "PUT",
        "inventory",
        {
            "replace": True,
            "supply": [{"ItemID": "A", "ShipNode": "N1", "Quantity": 3}],
            "nodes": [{"ShipNode": "N1", "Latitude": 40.7, "Longitude": -74.0, "Priority": 2}],
        },
    )
    assert out["records"] == 1
    assert onhand(api, "SHOE-100") == "0"  # replaced the master-data supply
    assert onhand(api, "A", "N1") == "3"
    for bad in (
        {"supply": "x"},
        {"supply": [{"ItemID": "A"}]},
        {"supply": [{"ItemID": "A", "ShipNode": "N", "Quantity": -1}]},
        {"strict": "yes"},
        {"levels": ["low"]},
        {"nodes": [{"ShipNode": "N", "Latitude": "north"}]},
    ):
        status, error = ctl("PUT", "inventory", bad)
        assert status == 400 and error["error"]["code"] == "INVALID_FIELD", bad
    assert onhand(api, "A", "N1") == "3"
    snapshot = ctl.ok("GET", "inventory")
    assert snapshot["nodes"] == [{"ShipNode": "N1", "Latitude": 40.7, "Longitude": -74.0, "Priority": 2.0}]


def test_master_data_supply_is_the_starting_point_and_reset_restores_it(api: Api, ctl: Ctl) -> None:
    assert onhand(api, "SHOE-100") == "500"
    adjust(api, ItemID="SHOE-100", Quantity="1")
    assert onhand(api, "SHOE-100") == "1"
    ctl.ok("POST", "reset", {})
    assert onhand(api, "SHOE-100") == "500"


INTEROP: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "adjustInventory",
        "Items",
        {"Item": [{"ItemID": ITEM, "ShipNode": "DC_EAST", "Quantity": "9"}]},
        "Output",
    ),
    ("getInventorySupply", "InventorySupply", {"ItemID": ITEM}, "Item"),
    ("getATP", "GetATP", {"ItemID": ITEM}, "InventoryInformation"),
    ("getAvailableInventory", "Promise", promise(line("1")), "Promise"),
    ("findInventory", "Promise", promise(line("1")), "Promise"),
    (
        "reserveAvailableInventory",
        "Promise",
        {**promise(line("1")), "ReservationParameters": {"ReservationID": "I-1"}},
        "Promise",
    ),
    ("cancelReservation", "CancelReservation", {"ReservationID": "I-1"}, "Output"),
    ("monitorItemAvailability", "MonitorItemAvailability", {"ItemID": ITEM}, "MonitorItemAvailability"),
]


def test_every_api_through_the_interop_servlet(client: FlaskClient) -> None:
    from tests.test_interop import java_call

    for api_name, root, doc, answer in INTEROP:
        assert from_xml(java_call(client, api_name, root, doc))[0] == answer, api_name
    body = java_call(client, "cancelReservation", "CancelReservation", {"ReservationID": "I-1"}).decode()
    assert "MOCK0900" in body  # a classic error document, HTTP 200, as the servlet answers errors


def test_a_refused_reservation_reserves_nothing(api: Api, ctl: Ctl, fmt: str) -> None:
    adjust(api, Quantity="10")
    doc = {**promise(line("4"), {"LineId": "2", "ItemID": ITEM, "RequiredQty": "-4"})}
    _, error = api.error("reserveAvailableInventory", doc, fmt, root="Promise")
    assert error["ErrorCode"] == "MOCK0101"
    assert available(ctl)["Available"] == "10"
    _, error = api.error("cancelReservation", {"ReservationID": ""}, fmt, root="CancelReservation")
    assert error["ErrorCode"] == "MOCK0100"


def test_strict_inventory_backorders_an_item_without_supply(api: Api, ctl: Ctl, fmt: str) -> None:
    ctl.ok("PUT", "inventory", {"strict": True})
    key = api("createOrder", order("2", "SHOE-100"), fmt)["OrderHeaderKey"]  # 500 at DC_EAST
    schedule(api, key, fmt)
    assert rows(details(api, key)) == [("1500", "2.00")]
    api(
        "manageItem",
        {"Item": [{"ItemID": "NEW-1", "OrganizationCode": "Matrix-R", "UnitOfMeasure": "EACH"}]},
        root="ItemList",
    )
    key = api("createOrder", order("2", "NEW-1"), fmt)["OrderHeaderKey"]  # in the catalogue, no supply
    schedule(api, key, fmt)
    assert rows(details(api, key)) == [("1300", "2.00")]
    ctl.ok("PUT", "inventory", {"strict": None})
    assert ctl.ok("GET", "inventory")["strict"] is False


def test_deleting_an_order_gives_its_reservation_back(api: Api, ctl: Ctl, fmt: str) -> None:
    adjust(api, Quantity="5")
    reserve(api, "3", ReservationID="DEL-1")
    key = api("createOrder", order("3", ReservationID="DEL-1"), fmt)["OrderHeaderKey"]
    assert available(ctl)["Available"] == "2"
    api("deleteOrder", {"OrderHeaderKey": key, "Action": "DELETE"}, fmt)
    assert available(ctl)["Available"] == "5"
