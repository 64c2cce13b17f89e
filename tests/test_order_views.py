"""Order views that join the catalogue: getCompleteOrderDetails, getOrderLineDetails, getShipmentLineList, and
``OrderLine/ItemDetails`` by template on getOrderDetails, getOrderList, getOrderLineList (issue 23)."""

from __future__ import annotations

from typing import Any

import pytest

from sterling_mock.client.wire import as_list
from tests.conftest import Api

LINES = {
    "OrderLine": [
        {
            "OrderedQty": "1",
            "Item": {"ItemID": "SHOE-200", "UnitOfMeasure": "EACH"},
            "LinePriceInfo": {"UnitPrice": "9"},
        },
        {"OrderedQty": "2", "Item": {"ItemID": "NOT-IN-CATALOGUE", "UnitOfMeasure": "PACK"}},
    ]
}
DETAILS = {"ItemID": "", "UnitOfMeasure": "", "PrimaryInformation": {"Description": ""}}
ORDER_TEMPLATE = {
    "Order": {"OrderNo": "", "OrderLines": {"OrderLine": {"PrimeLineNo": "", "ItemDetails": DETAILS}}}
}


@pytest.fixture
def order(api: Api) -> dict[str, Any]:
    key = api("createOrder", {"EnterpriseCode": "Matrix-R", "OrderNo": "V-1", "OrderLines": LINES})[
        "OrderHeaderKey"
    ]
    return api("getOrderDetails", {"OrderHeaderKey": key})


def via_multi(api: Api, fmt: str, name: str, root: str, doc: dict[str, Any], template: dict[str, Any]) -> Any:
    out = api(
        "multiApi", {"API": {"Name": name, "Input": {root: doc}, "Template": template}}, fmt, root="MultiApi"
    )
    return out["API"]["Output"]


def details_of(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line["ItemDetails"] for line in lines]


def test_complete_order_details_default_is_tiny(api: Api, order: dict[str, Any], fmt: str) -> None:
    out = api("getCompleteOrderDetails", {"OrderHeaderKey": order["OrderHeaderKey"]}, fmt)
    assert set(out) == {"EnterpriseCode", "OrderHeaderKey", "DocumentType", "OrderNo", "OrderLines"}
    lines = as_list(out["OrderLines"]["OrderLine"])
    assert [set(line) for line in lines] == [{"OrderLineKey", "PrimeLineNo", "SubLineNo", "Item"}] * 2
    assert lines[1]["Item"] == {"ItemID": "NOT-IN-CATALOGUE", "UnitOfMeasure": "PACK"}
    _status, error = api.error("getCompleteOrderDetails", {"OrderHeaderKey": "nope"}, fmt)
    assert error["ErrorCode"] == "YFS10003"


def test_complete_order_details_with_a_template_gives_everything(
    api: Api, order: dict[str, Any], fmt: str
) -> None:
    template = {
        "Order": {
            "OrderNo": "",
            "PriceInfo": {},
            "OrderLines": {"OrderLine": {"OrderedQty": "", "ItemDetails": DETAILS}},
        }
    }
    out = via_multi(
        api, fmt, "getCompleteOrderDetails", "Order", {"OrderHeaderKey": order["OrderHeaderKey"]}, template
    )
    lines = as_list(out["Order"]["OrderLines"]["OrderLine"])
    assert lines[0]["ItemDetails"]["PrimaryInformation"]["Description"].startswith(
        ("Stride", "Trailhead", "Velo")
    )
    assert "PriceInfo" in out["Order"]


def test_item_details_joined_by_template_everywhere(api: Api, order: dict[str, Any], fmt: str) -> None:
    key = order["OrderHeaderKey"]
    got = via_multi(api, fmt, "getOrderDetails", "Order", {"OrderHeaderKey": key}, ORDER_TEMPLATE)
    first, second = details_of(as_list(got["Order"]["OrderLines"]["OrderLine"]))
    assert first["ItemID"] == "SHOE-200" and first["PrimaryInformation"]["Description"]
    assert second == {"ItemID": "NOT-IN-CATALOGUE", "UnitOfMeasure": "PACK"}
    listed = via_multi(
        api, fmt, "getOrderList", "Order", {"OrderHeaderKey": key}, {"OrderList": ORDER_TEMPLATE}
    )
    listed_order = as_list(listed["OrderList"]["Order"])[0]
    assert details_of(as_list(listed_order["OrderLines"]["OrderLine"])) == [first, second]
    line_tpl = {"OrderLineList": {"OrderLine": {"PrimeLineNo": "", "ItemDetails": DETAILS}}}
    lines = via_multi(api, fmt, "getOrderLineList", "OrderLine", {"OrderHeaderKey": key}, line_tpl)
    assert details_of(as_list(lines["OrderLineList"]["OrderLine"])) == [first, second]
    one = via_multi(
        api,
        fmt,
        "getOrderLineDetails",
        "OrderLineDetail",
        {"OrderHeaderKey": key, "PrimeLineNo": "1"},
        {"OrderLine": {"ItemDetails": DETAILS}},
    )
    assert one["OrderLine"]["ItemDetails"] == first


def test_item_details_never_in_default_outputs(api: Api, order: dict[str, Any], fmt: str) -> None:
    key = order["OrderHeaderKey"]
    for name, root, doc in (
        ("getOrderDetails", "Order", {"OrderHeaderKey": key}),
        ("getOrderList", "Order", {"OrderHeaderKey": key}),
        ("getOrderLineList", "OrderLine", {"OrderHeaderKey": key}),
        ("getCompleteOrderDetails", "Order", {"OrderHeaderKey": key}),
        ("getOrderLineDetails", "OrderLineDetail", {"OrderHeaderKey": key, "PrimeLineNo": "1"}),
    ):
        assert "ItemDetails" not in str(api(name, doc, fmt, root=root)), name


def test_cached_templated_lists_follow_catalogue_changes(api: Api, order: dict[str, Any]) -> None:
    key = order["OrderHeaderKey"]
    template = {"OrderList": ORDER_TEMPLATE}
    before = via_multi(api, "json", "getOrderList", "Order", {"OrderHeaderKey": key}, template)
    again = via_multi(api, "json", "getOrderList", "Order", {"OrderHeaderKey": key}, template)
    assert before == again  # the second answer comes from the render cache
    change = {
        "ItemID": "SHOE-200",
        "OrganizationCode": "DEFAULT",
        "PrimaryInformation": {"Description": "Renamed shoe"},
    }
    assert api.raw("manageItem", {"Item": [change]}, root="ItemList").status_code == 204
    after = via_multi(api, "json", "getOrderList", "Order", {"OrderHeaderKey": key}, template)
    line = as_list(as_list(after["OrderList"]["Order"])[0]["OrderLines"]["OrderLine"])[0]
    assert line["ItemDetails"]["PrimaryInformation"]["Description"] == "Renamed shoe"


def test_order_line_details(api: Api, order: dict[str, Any], fmt: str) -> None:
    line = as_list(order["OrderLines"]["OrderLine"])[1]
    out = api("getOrderLineDetails", {"OrderLineKey": line["OrderLineKey"]}, fmt, root="OrderLineDetail")
    assert out["OrderLineKey"] == line["OrderLineKey"] and out["Item"]["ItemID"] == "NOT-IN-CATALOGUE"
    assert as_list(out["Order"])[0]["OrderHeaderKey"] == order["OrderHeaderKey"]
    by_number = api(
        "getOrderLineDetails",
        {
            "EnterpriseCode": "Matrix-R",
            "OrderNo": "V-1",
            "DocumentType": "0001",
            "PrimeLineNo": "2",
            "SubLineNo": "1",
        },
        fmt,
        root="OrderLineDetail",
    )
    assert by_number["OrderLineKey"] == line["OrderLineKey"]
    for doc, code in (
        ({"OrderLineKey": "nope"}, "MOCK0310"),
        ({"OrderHeaderKey": order["OrderHeaderKey"], "PrimeLineNo": "9"}, "MOCK0310"),
        ({"OrderHeaderKey": order["OrderHeaderKey"]}, "MOCK0100"),
        ({"OrderHeaderKey": "nope", "PrimeLineNo": "1"}, "YFS10003"),
    ):
        assert api.error("getOrderLineDetails", doc, fmt, root="OrderLineDetail")[1]["ErrorCode"] == code


def test_shipment_line_list(api: Api, order: dict[str, Any], fmt: str) -> None:
    key = order["OrderHeaderKey"]
    api.raw("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    api.raw("releaseOrder", {"OrderHeaderKey": key}, root="ReleaseOrder")
    shipment = api("createShipment", {"OrderHeaderKey": key}, root="Shipment")
    out = api("getShipmentLineList", {"OrderHeaderKey": key}, fmt, root="ShipmentLine")
    lines = as_list(out["ShipmentLine"])
    assert len(lines) == 2 and out["TotalNumberOfRecords"] == "2"
    assert all(as_list(line["Shipment"])[0]["ShipmentKey"] == shipment["ShipmentKey"] for line in lines)
    shoe = api("getShipmentLineList", {"ItemID": "SHOE-200"}, fmt, root="ShipmentLine")
    assert [line["ItemID"] for line in as_list(shoe["ShipmentLine"])] == ["SHOE-200"]
    page = api(
        "getPage",
        {
            "PageNumber": "1",
            "PageSize": "1",
            "API": {"Name": "getShipmentLineList", "Input": {"ShipmentLine": {"OrderHeaderKey": key}}},
        },
        fmt,
        root="Page",
    )
    assert len(as_list(page["Output"]["ShipmentLines"]["ShipmentLine"])) == 1 and page["IsLastPage"] == "N"
    assert (
        api.error("getShipmentLineList", {"Quantity": "x"}, fmt, root="ShipmentLine")[1]["ErrorCode"]
        == "MOCK0301"
    )
