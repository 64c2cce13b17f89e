"""Shipments through the REST surface: createShipment, confirmShipment (by key, by number, with lines, a
whole order or release, partial quantities), changeShipment, getShipmentDetails and the shipment lists."""

from __future__ import annotations

from typing import Any

import pytest

from sterling_mock.client.wire import as_list
from tests.conftest import Api
from tests.test_lifecycle import ORDER, create, details, rows, schedule, ship_line, summary

LINES = ORDER["OrderLines"]["OrderLine"]


def released(api: Api, fmt: str = "json", **extra: Any) -> str:
    key = create(api, fmt, **extra)
    schedule(api, key, fmt, ScheduleAndRelease="Y")
    return key


def two_nodes(api: Api, fmt: str = "json") -> str:
    lines = {"OrderLine": [{**LINES[0], "ShipNode": "DC_WEST"}, LINES[1]]}
    return released(api, fmt, OrderNo="S-2", OrderLines=lines)


def shipments_of(api: Api, key: str, fmt: str = "json") -> list[dict[str, Any]]:
    return as_list(api("getShipmentListForOrder", {"OrderHeaderKey": key}, fmt).get("Shipment"))


def test_create_by_order_no_with_default_quantity(api: Api, fmt: str) -> None:
    key = released(api, fmt)
    shipment = {
        "EnterpriseCode": "Matrix-R",
        "DocumentType": "0001",
        "ShipNode": "DC_EAST",
        "ShipmentNo": "SHP-1",
        "OrderNo": "L-1",
        "ExpectedShipmentDate": "2025-06-28",
        "ShipmentLines": {
            "ShipmentLine": [{"OrderNo": "L-1", "PrimeLineNo": "1", "SubLineNo": "1", "ReleaseNo": "1"}]
        },
    }
    out = api("createShipment", shipment, fmt, root="Shipment")
    assert (out["ShipmentNo"], out["ShipNode"], out["SellerOrganizationCode"]) == (
        "SHP-1",
        "DC_EAST",
        "Matrix-R",
    )
    assert sorted(rows(details(api, key, fmt))) == [("3350", "3.00")]
    found = api("getShipmentDetails", {"ShipmentKey": out["ShipmentKey"]}, fmt, root="Shipment")
    assert (found["Status"], found["StatusDescription"]) == ("1100", "Shipment Created")
    assert found["ExpectedShipmentDate"] == "2025-06-28T00:00:00+00:00"
    line = as_list(found["ShipmentLines"]["ShipmentLine"])[0]
    assert (line["Quantity"], line["ItemID"], line["ReleaseNo"], line["OrderNo"]) == (
        "3.00",
        "SHOE-100",
        "1",
        "L-1",
    )
    status, error = api.error(
        "createShipment", {**shipment, "ShipmentLines": {"ShipmentLine": [LINE2]}}, fmt, root="Shipment"
    )
    assert (status, error["ErrorCode"]) == (400, "YFC0001")


LINE2 = {"OrderNo": "L-1", "PrimeLineNo": "2", "SubLineNo": "1"}


def test_unreleased_or_too_much_quantity_is_refused(api: Api, fmt: str) -> None:
    key = create(api, fmt)
    status, error = api.error(
        "createShipment",
        {"ShipmentLines": {"ShipmentLine": [{**LINE2, "EnterpriseCode": "Matrix-R"}]}},
        fmt,
        root="Shipment",
    )
    assert (status, error["ErrorCode"]) == (400, "MOCK0203")
    schedule(api, key, fmt, ScheduleAndRelease="Y")
    status, error = api.error(
        "createShipment",
        {"ShipmentLines": {"ShipmentLine": [{"OrderHeaderKey": key, "PrimeLineNo": "1", "Quantity": "4"}]}},
        fmt,
        root="Shipment",
    )
    assert error["ErrorCode"] == "MOCK0203"
    assert rows(details(api, key, fmt)) == [("3200", "3.00")]


def test_lines_at_two_nodes_need_two_shipments(api: Api) -> None:
    key = two_nodes(api)
    both = [{"OrderHeaderKey": key, "PrimeLineNo": "1"}, {"OrderHeaderKey": key, "PrimeLineNo": "2"}]
    status, error = api.error("createShipment", {"ShipmentLines": {"ShipmentLine": both}}, root="Shipment")
    assert (status, error["ErrorCode"]) == (400, "MOCK0205")
    assert (
        api("createShipment", {"OrderHeaderKey": key, "ShipNode": "DC_WEST"}, root="Shipment")["ShipNode"]
        == "DC_WEST"
    )
    assert sorted(rows(details(api, key), 0)) == [("3350", "3.00")]
    assert rows(details(api, key), 1) == [("3200", "1.00")]


def test_confirm_by_number_node_and_seller(api: Api, fmt: str) -> None:
    key = released(api, fmt)
    ship_line(api, key, "1", "3", fmt)
    number = shipments_of(api, key, fmt)[0]["ShipmentNo"]
    confirm = {
        "ShipComplete": "Y",
        "ShipNode": "DC_EAST",
        "SellerOrganizationCode": "Matrix-R",
        "ShipmentNo": number,
        "TrackingNo": "1Z0001",
        "SCAC": "UPSN",
        "ScacAndService": "UPSN_GROUND",
        "ToAddress": {"FirstName": "vj", "City": "Sedgewick"},
    }
    out = api("confirmShipment", confirm, fmt, root="Shipment")
    assert out["ShipmentNo"] == number
    order = details(api, key, fmt)
    assert summary(order) == ("Partially Shipped", "3200", "3700")
    found = shipments_of(api, key, fmt)[0]
    assert (found["Status"], found["TrackingNo"], found["SCAC"], found["ScacAndService"]) == (
        "1400",
        "1Z0001",
        "UPSN",
        "UPSN_GROUND",
    )
    assert found["ActualShipmentDate"]
    status, error = api.error("confirmShipment", confirm, fmt, root="Shipment")
    assert (status, error["ErrorCode"]) == (400, "MOCK0206")


def test_confirm_creates_the_shipment_from_lines(api: Api, fmt: str) -> None:
    key = released(api, fmt)
    lines = [{"OrderHeaderKey": key, "PrimeLineNo": "1", "SubLineNo": "1", "Quantity": "2"}]
    out = api(
        "confirmShipment",
        {"ShipmentNo": "NEW-1", "TrackingNo": "T1", "ShipmentLines": {"ShipmentLine": lines}},
        fmt,
        root="Shipment",
    )
    assert out["ShipmentNo"] == "NEW-1"
    assert sorted(rows(details(api, key, fmt))) == [("3200", "1.00"), ("3700", "2.00")]
    assert shipments_of(api, key, fmt)[0]["TrackingNo"] == "T1"


def test_confirm_a_whole_order_in_one_call(api: Api, fmt: str) -> None:
    key = two_nodes(api, fmt)
    ship_line(api, key, "1", "1", fmt)  # one open shipment, the rest only released
    api(
        "confirmShipment",
        {"EnterpriseCode": "Matrix-R", "OrderNo": "S-2", "TrackingNo": "T9"},
        fmt,
        root="Shipment",
    )
    order = details(api, key, fmt)
    assert summary(order) == ("Shipped", "3700", "3700")
    found = shipments_of(api, key, fmt)
    assert sorted((s["ShipNode"], s["Status"]) for s in found) == [
        ("DC_EAST", "1400"),
        ("DC_WEST", "1400"),
        ("DC_WEST", "1400"),
    ]
    _status, error = api.error("confirmShipment", {"OrderHeaderKey": key}, fmt, root="Shipment")
    assert error["ErrorCode"] == "MOCK0203"


def test_confirm_one_release(api: Api) -> None:
    key = two_nodes(api)
    api("confirmShipment", {"OrderHeaderKey": key, "ReleaseNo": "2"}, root="Shipment")
    order = details(api, key)
    assert rows(order, 0) == [("3700", "3.00")] and rows(order, 1) == [("3200", "1.00")]


@pytest.mark.parametrize(("backorder", "rest"), [("N", ("3200", "2.00")), ("Y", ("1300", "2.00"))])
def test_partial_confirm_returns_the_rest(api: Api, backorder: str, rest: tuple[str, str]) -> None:
    key = released(api)
    shipment = ship_line(api, key, "1", "3")
    partial = {
        "ShipmentKey": shipment["ShipmentKey"],
        "BackOrderRemovedQuantity": backorder,
        "ShipmentLines": {"ShipmentLine": [{"PrimeLineNo": "1", "SubLineNo": "1", "Quantity": "1"}]},
    }
    api("confirmShipment", partial, root="Shipment")
    assert sorted(rows(details(api, key))) == sorted([rest, ("3700", "1.00")])
    line = as_list(shipments_of(api, key)[0]["ShipmentLines"]["ShipmentLine"])[0]
    assert line["Quantity"] == "1.00"


def test_change_and_cancel_a_shipment(api: Api, fmt: str) -> None:
    key = released(api, fmt)
    shipment = ship_line(api, key, "1", "3", fmt)
    api("changeShipment", {"ShipmentKey": shipment["ShipmentKey"], "TrackingNo": "NEW"}, fmt, root="Shipment")
    assert shipments_of(api, key, fmt)[0]["TrackingNo"] == "NEW"
    api("changeShipment", {"ShipmentKey": shipment["ShipmentKey"], "Action": "Cancel"}, fmt, root="Shipment")
    assert rows(details(api, key, fmt)) == [("3200", "3.00")]
    assert shipments_of(api, key, fmt)[0]["Status"] == "9000"
    status, error = api.error(
        "changeShipment", {"ShipmentKey": shipment["ShipmentKey"], "Action": "Cancel"}, fmt, root="Shipment"
    )
    assert error["ErrorCode"] == "MOCK0206"
    status, error = api.error("getShipmentDetails", {"ShipmentKey": "nope"}, fmt, root="Shipment")
    assert (status, error["ErrorCode"], error["ErrorDescription"]) == (
        400,
        "MOCK0204",
        "The shipment does not exist.",
    )


def test_shipment_list_queries(api: Api, fmt: str) -> None:
    first = released(api, fmt)
    second = two_nodes(api, fmt)
    ship_line(api, first, "1", "3", fmt)
    api("confirmShipment", {"OrderHeaderKey": second, "TrackingNo": "1ZABC"}, fmt, root="Shipment")
    everything = api("getShipmentList", {}, fmt, root="Shipment")
    assert everything["TotalNumberOfRecords"] == "3"
    shipped = api("getShipmentList", {"Status": "1400"}, fmt, root="Shipment")
    assert shipped["TotalNumberOfRecords"] == "2"
    like = api("getShipmentList", {"TrackingNo": "1Z", "TrackingNoQryType": "FLIKE"}, fmt, root="Shipment")
    assert like["TotalNumberOfRecords"] == "2"
    by_order = api("getShipmentList", {"OrderNo": "L-1"}, fmt, root="Shipment")
    assert [s["OrderHeaderKey"] for s in as_list(by_order["Shipment"])] == [first]
    complex_query = {
        "ComplexQuery": {
            "Operator": "OR",
            "Or": {"Exp": [{"Name": "ShipNode", "Value": "DC_WEST"}, {"Name": "Status", "Value": "1100"}]},
        }
    }
    found = api("getShipmentList", complex_query, fmt, root="Shipment")
    assert found["TotalNumberOfRecords"] == "2"
    ordered = api(
        "getShipmentList",
        {"OrderBy": {"Attribute": {"Name": "ShipNode", "Desc": "Y"}}, "MaximumRecords": "1"},
        fmt,
        root="Shipment",
    )
    assert [s["ShipNode"] for s in as_list(ordered["Shipment"])] == ["DC_WEST"]
    _status, error = api.error(
        "getShipmentList", {"Status": "1400", "StatusQryType": "LIKE"}, fmt, root="Shipment"
    )
    assert error["ErrorCode"] == "MOCK0300"


def test_list_shapes_on_the_wire(api: Api) -> None:
    key = released(api)
    ship_line(api, key, "1", "3")
    raw = api.raw("getShipmentListForOrder", {"OrderHeaderKey": key})
    body = raw.get_json()
    assert isinstance(body["Shipment"], list) and len(body["Shipment"]) == 1
    assert isinstance(body["Shipment"][0]["ShipmentLines"]["ShipmentLine"], list)
    raw = api.raw("getShipmentList", {"ShipNode": "DC_EAST"}, "xml", root="Shipment")
    assert raw.data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?><Shipments TotalNumberOfRecords="1"><Shipment '
    )
    empty = api.raw("getShipmentListForOrder", {"OrderHeaderKey": create(api, OrderNo="none")}).get_json()
    assert empty == {}


def test_shipment_list_template_through_multiapi(api: Api) -> None:
    key = released(api)
    ship_line(api, key, "1", "3")
    call = {
        "Name": "getShipmentList",
        "Input": {"Shipment": {"OrderHeaderKey": key}},
        "Template": {"Shipments": {"Shipment": {"ShipmentNo": "", "Status": ""}}},
    }
    out = api("multiApi", {"API": [call]}, "xml", root="MultiApi")
    listed = as_list(out["API"])[0]["Output"]["Shipments"]
    assert listed["TotalNumberOfRecords"] == "1"
    assert sorted(as_list(listed["Shipment"])[0]) == ["ShipmentNo", "Status"]


def test_a_ship_node_holding_no_released_quantity_is_refused(api: Api) -> None:
    """createShipment for a whole order at a node where none of it is released (fuzz seed 23, input 992: it was
    an IndexError, HTTP 500): MOCK0203, nothing created."""
    key = api(
        "createOrder",
        {
            "EnterpriseCode": "Matrix-R",
            "OrderLines": {
                "OrderLine": [{"OrderedQty": "1", "ShipNode": "DC_EAST", "Item": {"ItemID": "SHOE-101"}}]
            },
        },
    )["OrderHeaderKey"]
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    api("releaseOrder", {"OrderHeaderKey": key}, root="ReleaseOrder")
    status, error = api.error(
        "createShipment", {"OrderHeaderKey": key, "ShipNode": "NO_SUCH_NODE"}, root="Shipment"
    )
    assert (status, error["ErrorCode"]) == (400, "MOCK0203")
    assert api("getShipmentListForOrder", {"OrderHeaderKey": key}).get("Shipment", []) == []
