"""fixtures/: the seeded provider and builders, the XSD schemas and validate() (accepting and refusing)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sterling_mock import fixtures
from sterling_mock.client.wire import to_json, to_xml
from sterling_mock.fixtures import validate
from sterling_mock.fixtures.validate import SchemaViolation, errors_document, reasons, schema_names

ORDER_KEYS = {
    "OrderHeaderKey": "20250127101709000000001",
    "DocumentType": "0001",
    "EnterpriseCode": "Matrix-R",
}


def test_same_seed_same_documents_and_different_seed_differs() -> None:
    first = fixtures.create_order_input(fixtures.sterling_faker(7), lines=3)
    again = fixtures.create_order_input(fixtures.sterling_faker(7), lines=3)
    other = fixtures.create_order_input(fixtures.sterling_faker(8), lines=3)
    assert first == again
    assert first != other
    assert len(first["OrderLines"]["OrderLine"]) == 3


def test_provider_covers_sterling_data() -> None:
    faker = fixtures.sterling_faker(1)
    scac, service = faker.carrier()
    assert service.startswith(scac)
    assert faker.order_no().startswith("Y") and len(faker.order_no()) == 10
    assert faker.unit_of_measure() in ("EACH", "PACK", "CASE")
    assert faker.tracking_no().startswith("1Z")
    countries = {faker.person_info(locale)["Country"] for locale in ("en_US", "de_DE", "fr_FR", "en_GB")}
    assert countries == {"US", "DE", "FR", "GB"}
    price = faker.unit_price()
    assert price.count(".") <= 1 and float(price) > 0


def test_overrides_merge_deeply_and_none_removes() -> None:
    doc = fixtures.create_order_input(
        lines=1, OrderNo="X-1", PriceInfo={"Currency": "EUR"}, Notes=None, EnterpriseCode="Aurora"
    )
    assert (doc["OrderNo"], doc["PriceInfo"], doc["SellerOrganizationCode"]) == (
        "X-1",
        {"Currency": "EUR"},
        "Aurora-US",
    )
    assert "Notes" not in doc


def test_builders_for_every_api_input() -> None:
    key = "20250127101709000000001"
    assert fixtures.get_order_details_input(key) == {"OrderHeaderKey": key}
    assert fixtures.get_order_details_input(EnterpriseCode="Matrix-R", OrderNo="Y1") == {
        "DocumentType": "0001",
        "EnterpriseCode": "Matrix-R",
        "OrderNo": "Y1",
    }
    listed = fixtures.get_order_list_input(order_by=("OrderDate", True), max_records=5, Status="1100")
    assert listed == {
        "Status": "1100",
        "OrderBy": {"Attribute": {"Name": "OrderDate", "Desc": "Y"}},
        "MaximumRecords": "5",
    }
    change = fixtures.change_order_input(key, lines=[fixtures.line_change("MODIFY", 1, OrderedQty="1")])
    assert change["OrderLines"]["OrderLine"][0] == {
        "Action": "MODIFY",
        "PrimeLineNo": "1",
        "SubLineNo": "1",
        "OrderedQty": "1",
    }
    assert fixtures.cancel_order_input(key)["Action"] == "CANCEL"
    assert fixtures.schedule_order_input(key, ScheduleAndRelease="Y")["ScheduleAndRelease"] == "Y"
    status = fixtures.change_order_status_input(key, "3200.10")
    assert (status["BaseDropStatus"], status["ChangeForAllAvailableQty"]) == ("3200.10", "Y")
    by_line = fixtures.change_order_status_input(key, lines=[{"PrimeLineNo": "1", "Quantity": "1"}])
    assert "ChangeForAllAvailableQty" not in by_line
    shipment = fixtures.create_shipment_input(key, lines=[fixtures.shipment_line(2, "1")])
    assert shipment["ShipmentLines"]["ShipmentLine"] == [
        {"OrderHeaderKey": key, "PrimeLineNo": "2", "SubLineNo": "1", "Quantity": "1"}
    ]
    confirm = fixtures.confirm_shipment_input("S1", fixtures.sterling_faker(3))
    assert confirm["ShipmentKey"] == "S1" and confirm["TrackingNo"].startswith("1Z")
    multi = fixtures.multi_api_input(
        fixtures.api_call("getOrderDetails", "Order", {"OrderHeaderKey": key}, ("Order", {"OrderNo": ""}))
    )
    assert multi["API"][0]["Template"] == {"Order": {"OrderNo": ""}}
    page = fixtures.get_page_input(
        page_size=2, strategy="NEXTPAGE", last_record={"Order": {"OrderHeaderKey": key}}
    )
    assert page["PreviousPage"]["LastRecord"]["Order"]["OrderHeaderKey"] == key
    assert fixtures.login_input() == {"LoginID": "admin", "Password": "password"}
    assert fixtures.get_shipment_list_for_order_input(key) == {"OrderHeaderKey": key}
    assert fixtures.get_order_audit_list_input(key) == {"OrderHeaderKey": key}
    assert fixtures.get_order_line_list_input(key, Item={"ItemID": "X"}) == {
        "OrderHeaderKey": key,
        "Item": {"ItemID": "X"},
    }
    assert fixtures.get_order_release_list_input(key) == {"OrderHeaderKey": key}
    assert fixtures.get_shipment_list_input(ShipNode="DC_EAST") == {"ShipNode": "DC_EAST"}
    assert fixtures.release_order_input(key) == {"OrderHeaderKey": key}


@pytest.mark.parametrize("seed", range(5))
def test_built_inputs_match_their_schemas(seed: int) -> None:
    faker = fixtures.sterling_faker(seed)
    validate(fixtures.create_order_input(faker), "create_order_input")
    validate(fixtures.multi_api_input(fixtures.api_call("getOrderList", "Order", {})), "multi_api")
    validate(fixtures.get_page_input(page_size=5), "page_input")


def test_every_schema_compiles() -> None:
    names = schema_names()
    assert {"create_order_input", "order_details", "order_list", "errors", "page", "multi_api"} <= set(names)
    for name in names:
        assert reasons(b"<Nothing/>", name), name  # a wrong root is refused by every schema


def order_list(**order: Any) -> dict[str, Any]:
    base = {
        **ORDER_KEYS,
        "OrderNo": "Y1",
        "OrderDate": "2025-01-27T10:17:09+00:00",
        "Status": "Created",
        "MinOrderStatus": "1100",
        "MaxOrderStatus": "1100",
    }
    base.update(order)
    return {
        "TotalOrderList": "1",
        "LastRecordSet": "Y",
        "ReadFromHistory": "",
        "LastOrderHeaderKey": ORDER_KEYS["OrderHeaderKey"],
        "Order": [{k: v for k, v in base.items() if v is not None}],
    }


def test_validate_takes_dicts_xml_and_json() -> None:
    doc = order_list(Extn={"ExtnAnything": "kept"}, CustomAttr="x")  # unknown children and attributes pass
    validate(doc, "order_list")
    validate(to_xml("OrderList", doc), "order_list")
    validate(to_json("OrderList", doc), "order_list")
    validate(to_json("OrderList", doc).decode(), "order_list", root="OrderList")


@pytest.mark.parametrize(
    ("change", "path", "word"),
    [
        ({"OrderHeaderKey": None}, "/OrderList/Order", "OrderHeaderKey"),
        ({"OrderDate": "27/01/2025"}, "/OrderList/Order", "OrderDate"),
        ({"MaxOrderStatus": "Shipped"}, "/OrderList/Order", "MaxOrderStatus"),
        ({"DocumentType": "SO"}, "/OrderList/Order", "DocumentType"),
        ({"OverallTotals": {"GrandTotal": "12.5"}}, "/OrderList/Order/OverallTotals", "GrandTotal"),
    ],
)
def test_schema_refusals_name_the_path(change: dict[str, Any], path: str, word: str) -> None:
    with pytest.raises(SchemaViolation) as caught:
        validate(order_list(**change), "order_list")
    text = str(caught.value)
    assert "order_list.xsd" in text and path in text and word in text, text


def test_list_root_needs_its_paging_attributes() -> None:
    doc = order_list()
    del doc["TotalOrderList"]
    found = reasons(doc, "order_list", root="OrderList")
    assert found and "TotalOrderList" in found[0]


def test_json_error_envelope_validates_as_errors_document() -> None:
    envelope = {
        "errors": [
            {
                "ErrorCode": "YFS10003",
                "ErrorDescription": "YFS:Invalid Order",
                "ErrorUniqueExceptionId": "abc",
                "MoreInfo": {"ErrorRelatedMoreInfo": "No order", "OrderHeaderKey": "1"},
                "httpcode": 400,
            }
        ]
    }
    doc = errors_document(json.dumps(envelope))
    assert doc["Error"][0]["HttpCode"] == "400"
    assert doc["Error"][0]["Attribute"] == [{"Name": "OrderHeaderKey", "Value": "1"}]
    validate(doc, "errors")
    with pytest.raises(SchemaViolation):
        validate({"Error": [{"ErrorDescription": "no code"}]}, "errors")


def test_multi_api_needs_a_name_or_flow_name() -> None:
    validate({"API": [{"FlowName": "MyFlow", "Input": {"Order": {}}}]}, "multi_api")
    with pytest.raises(SchemaViolation):
        validate({"API": [{"Input": {"Order": {}}}]}, "multi_api")


def test_unknown_schema_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no schema 'nope'"):
        validate({}, "nope")
