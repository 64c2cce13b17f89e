"""Contract: the catalogue, organizations, nodes, customers, common codes, statuses and the order views that
join them (reference §14).  Written from the reference; unverified until recorded against a real instance."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.fixtures import catalogue as cat
from sterling_mock.fixtures import sterling_faker

from .instance import Instance
from .sterling import Sterling

pytestmark = pytest.mark.unverified
Make = Callable[..., tuple[str, Doc]]


def test_item_list_root_and_paging(sterling: Sterling) -> None:
    out = sterling.invoke("getItemList", cat.get_item_list_input(max_records=2))
    found = as_list(out.get("Item"))
    assert len(found) <= 2 and out["TotalItemList"] == str(len(found))
    assert out["LastRecordSet"] in ("Y", "N") and "LastItemKey" in out
    assert all({"ItemID", "ItemKey", "UnitOfMeasure", "PrimaryInformation"} <= set(i) for i in found)


def test_item_details_of_an_instance_item(sterling: Sterling, instance: Instance) -> None:
    item = instance.item(0)
    out = sterling.invoke("getItemDetails", {"ItemID": item.item_id, "UnitOfMeasure": item.uom})
    assert out["ItemID"] == item.item_id and "PrimaryInformation" in out


def test_unknown_item_is_item_not_found(sterling: Sterling) -> None:
    error = sterling.error("getItemDetails", {"ItemID": "NO-SUCH-ITEM-23", "UnitOfMeasure": "EACH"})
    assert error.code == "YCM0033" and error.http_status == 400
    assert error.more_info.get("ItemID") == "NO-SUCH-ITEM-23"


@pytest.mark.writes
def test_manage_item_is_void_and_the_item_reads_back(sterling: Sterling, instance: Instance) -> None:
    given = cat.manage_item_input(sterling_faker(None), OrganizationCode=instance.enterprise)
    item = given["Item"][0]
    assert sterling.invoke("manageItem", given) == {}
    out = sterling.invoke("getItemDetails", cat.get_item_details_input(item["ItemID"], instance.enterprise))
    assert out["PrimaryInformation"]["Description"] == item["PrimaryInformation"]["Description"]
    delete = {
        "Item": [{"ItemID": item["ItemID"], "OrganizationCode": instance.enterprise, "Action": "Delete"}]
    }
    assert sterling.invoke("manageItem", delete) == {}
    assert (
        sterling.error("getItemDetails", cat.get_item_details_input(item["ItemID"], instance.enterprise)).code
        == "YCM0033"
    )


def test_organizations_and_hierarchy(sterling: Sterling, instance: Instance) -> None:
    out = sterling.invoke("getOrganizationList", {"OrganizationCode": instance.enterprise})
    (org,) = as_list(out["Organization"])
    assert org["OrganizationCode"] == instance.enterprise and out["TotalOrganizationList"] == "1"
    tree = sterling.invoke("getOrganizationHierarchy", {"OrganizationCode": instance.enterprise})
    assert tree["OrganizationCode"] == instance.enterprise and "OrgRoleList" in tree


def test_ship_nodes_have_addresses_and_coordinates(sterling: Sterling, instance: Instance) -> None:
    out = sterling.invoke("getShipNodeList", {"ShipNode": instance.node})
    (node,) = as_list(out["ShipNode"])
    assert node["ShipNode"] == instance.node
    assert {"NodeType", "Latitude", "Longitude", "ShipNodePersonInfo"} <= set(node)


def test_customer_list_is_flat(sterling: Sterling, instance: Instance) -> None:
    out = sterling.invoke(
        "getCustomerList", cat.get_customer_list_input(max_records=3, OrganizationCode=instance.enterprise)
    )
    for customer in as_list(out.get("Customer")):
        assert all(isinstance(v, str) for v in customer.values())
        assert customer["CustomerType"] in ("01", "02")


@pytest.mark.writes
def test_manage_customer_then_details(sterling: Sterling, instance: Instance) -> None:
    given = cat.manage_customer_input(sterling_faker(None), OrganizationCode=instance.enterprise)
    made = sterling.invoke("manageCustomer", given)
    assert made["CustomerID"] == given["CustomerID"]
    out = sterling.invoke(
        "getCustomerDetails", {"CustomerID": given["CustomerID"], "OrganizationCode": instance.enterprise}
    )
    contact = as_list(out["CustomerContactList"]["CustomerContact"])[0]
    assert contact["EmailID"] == given["CustomerContactList"]["CustomerContact"][0]["EmailID"]


def test_common_codes_and_statuses(sterling: Sterling, instance: Instance) -> None:
    codes = sterling.invoke(
        "getCommonCodeList", {"OrganizationCode": instance.enterprise, "MaximumRecords": "5"}
    )
    assert "TotalCommonCodeList" in codes
    statuses = sterling.invoke(
        "getStatusList", {"ProcessTypeKey": "ORDER_FULFILLMENT", "DocumentType": instance.document_type}
    )
    assert "1100" in {s["Status"] for s in as_list(statuses["Status"])}


@pytest.mark.writes
def test_complete_order_details_default_is_tiny(sterling: Sterling, new_order: Make) -> None:
    key, _ = new_order(lines=2)
    out = sterling.invoke("getCompleteOrderDetails", {"OrderHeaderKey": key})
    assert set(out) == {"EnterpriseCode", "OrderHeaderKey", "DocumentType", "OrderNo", "OrderLines"}
    for line in as_list(out["OrderLines"]["OrderLine"]):
        assert set(line) == {"OrderLineKey", "PrimeLineNo", "SubLineNo", "Item"}


@pytest.mark.writes
def test_order_line_details_and_item_details_by_template(
    sterling: Sterling, instance: Instance, new_order: Make
) -> None:
    key, _ = new_order(lines=1)
    line = sterling.invoke(
        "getOrderLineDetails", {"OrderHeaderKey": key, "PrimeLineNo": "1", "SubLineNo": "1"}
    )
    assert line["Item"]["ItemID"] == instance.item(0).item_id
    template = {"Order": {"OrderLines": {"OrderLine": {"ItemDetails": {"ItemID": "", "UnitOfMeasure": ""}}}}}
    call = {"Name": "getOrderDetails", "Input": {"Order": {"OrderHeaderKey": key}}, "Template": template}
    out = sterling.invoke("multiApi", {"API": [call]})
    order = as_list(out["API"])[0]["Output"]["Order"]
    details = as_list(order["OrderLines"]["OrderLine"])[0]["ItemDetails"]
    assert (details["ItemID"], details["UnitOfMeasure"]) == (instance.item(0).item_id, instance.item(0).uom)


def test_register_logout_is_accepted(sterling: Sterling, instance: Instance) -> None:
    assert sterling.invoke("registerLogout", {"UserId": sterling.target.user}) == {}
