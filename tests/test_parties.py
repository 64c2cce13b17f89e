"""Organizations, ship nodes, customers, common codes, statuses and registerLogout (issue 23)."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list
from tests.conftest import BASIC, Api
from tests.test_interop import java_call

CONSUMER = {
    "CustomerID": "C-NEW",
    "OrganizationCode": "Matrix-R",
    "CustomerType": "02",
    "CustomerContactList": {
        "CustomerContact": [
            {
                "CustomerContactID": "C-NEW-1",
                "FirstName": "Ada",
                "LastName": "Byron",
                "EmailID": "ada@example.com",
                "CustomerAdditionalAddressList": {
                    "CustomerAdditionalAddress": [
                        {
                            "CustomerAdditionalAddressID": "H",
                            "IsDefaultShipTo": "Y",
                            "PersonInfo": {"City": "London"},
                        }
                    ]
                },
            }
        ]
    },
}


def test_organizations_from_the_master_data(api: Api, fmt: str) -> None:
    out = api("getOrganizationList", {"IsEnterprise": "Y"}, fmt, root="Organization")
    codes = [o["OrganizationCode"] for o in as_list(out["Organization"])]
    assert {"Matrix-R", "Aurora", "NorthWind", "Globex", "DEFAULT"} == set(codes)
    globex = next(o for o in as_list(out["Organization"]) if o["OrganizationCode"] == "Globex")
    assert globex["ParentOrganizationCode"] == "DEFAULT" and globex["CorporatePersonInfo"]["Country"] == "NL"
    nodes = api("getOrganizationList", {"IsNode": "Y"}, fmt, root="Organization")
    assert all(o["Node"]["ShipNode"] == o["OrganizationCode"] for o in as_list(nodes["Organization"]))
    none = api("getOrganizationList", {"OrganizationCode": "NOPE"}, fmt, root="Organization")
    assert none["TotalOrganizationList"] == "0" and "Organization" not in none


def test_organization_hierarchy(api: Api, fmt: str) -> None:
    out = api("getOrganizationHierarchy", {"OrganizationCode": "Matrix-R"}, fmt, root="Organization")
    children = [o["OrganizationCode"] for o in as_list(out["SubOrganization"]["Organization"])]
    assert {"DC_EAST", "DC_WEST", "STORE_0101"} <= set(children)
    assert {r["RoleKey"] for r in as_list(out["OrgRoleList"]["OrgRole"])} == {"ENTERPRISE", "SELLER"}
    status, error = api.error(
        "getOrganizationHierarchy", {"OrganizationCode": "NOPE"}, fmt, root="Organization"
    )
    assert status == 400 and error["ErrorCode"] == "MOCK0202"
    assert api.error("getOrganizationHierarchy", {}, fmt, root="Organization")[1]["ErrorCode"] == "MOCK0100"


def test_every_ship_node_has_an_address_and_coordinates(api: Api, fmt: str) -> None:
    out = api("getShipNodeList", {}, fmt, root="ShipNode")
    nodes = as_list(out["ShipNode"])
    assert len(nodes) >= 6 and out["TotalShipNodeList"] == str(len(nodes))
    for node in nodes:
        assert float(node["Latitude"]) and float(node["Longitude"])
        assert node["ShipNodePersonInfo"]["City"] and node["OwnerOrganization"]["OrganizationCode"]
    stores = api("getShipNodeList", {"NodeType": "Store"}, fmt, root="ShipNode")
    assert {n["NodeType"] for n in as_list(stores["ShipNode"])} == {"Store"}
    west = api("getShipNodeList", {"Longitude": "-100", "LongitudeQryType": "LT"}, fmt, root="ShipNode")
    assert {n["ShipNode"] for n in as_list(west["ShipNode"])} == {"DC_WEST", "STORE_0242"}


# ------------------------------------------------------------------------------------------ customers


def test_customer_list_is_flat_and_templates_reach_addresses(api: Api, fmt: str) -> None:
    out = api("getCustomerList", {"CustomerType": "02", "MaximumRecords": "5"}, fmt, root="Customer")
    customers = as_list(out["Customer"])
    assert len(customers) == 5 and out["LastRecordSet"] == "N"
    assert all(isinstance(v, str) for c in customers for v in c.values())
    template = {
        "CustomerList": {
            "Customer": {
                "CustomerID": "",
                "CustomerContactList": {
                    "CustomerContact": {
                        "EmailID": "",
                        "CustomerAdditionalAddressList": {
                            "CustomerAdditionalAddress": {"PersonInfo": {"City": ""}}
                        },
                    }
                },
            }
        }
    }
    page = api(
        "getPage",
        {
            "PageNumber": 1,
            "PageSize": 3,
            "API": {
                "Name": "getCustomerList",
                "Input": {"Order": {"CustomerID": "CUST1000", "CustomerIDQryType": "FLIKE"}},
                "Template": template,
            },
        },
        fmt,
        root="Page",
    )
    first = as_list(page["Output"]["CustomerList"]["Customer"])[0]
    contact = as_list(first["CustomerContactList"]["CustomerContact"])[0]
    address = as_list(contact["CustomerAdditionalAddressList"]["CustomerAdditionalAddress"])[0]
    assert set(first) == {"CustomerID", "CustomerContactList"} and address["PersonInfo"]["City"]


def test_customer_details_consumer_and_business(api: Api, fmt: str) -> None:
    business = as_list(api("getCustomerList", {"CustomerType": "01"}, fmt, root="Customer")["Customer"])[0]
    got = api("getCustomerDetails", {"CustomerKey": business["CustomerKey"]}, fmt, root="Customer")
    assert got["BuyerOrganization"]["OrganizationCode"] == business["BuyerOrganizationCode"]
    consumer = api("getCustomerDetails", {"CustomerID": "CUST100001"}, fmt, root="Customer")
    if consumer["CustomerType"] == "02":
        assert consumer["Consumer"]["BillingPersonInfo"]["City"]
    contact = as_list(consumer["CustomerContactList"]["CustomerContact"])[0]
    assert as_list(contact["CustomerPaymentMethodList"]["CustomerPaymentMethod"])[0]["CreditCardType"]
    status, error = api.error("getCustomerDetails", {"CustomerID": "NOBODY"}, fmt, root="Customer")
    assert status == 400 and error["ErrorCode"] == "MOCK0950"


def test_manage_customer_create_modify_delete(api: Api, fmt: str) -> None:
    made = api("manageCustomer", {**CONSUMER, "Operation": "Create"}, fmt, root="Customer")
    assert made["CustomerID"] == "C-NEW" and made["CustomerKey"]
    change = {
        "CustomerID": "C-NEW",
        "OrganizationCode": "Matrix-R",
        "CustomerClassificationCode": "GOLD",
        "CustomerContactList": {"CustomerContact": {"CustomerContactID": "C-NEW-1", "MobilePhone": "+100"}},
    }
    api("manageCustomer", change, fmt, root="Customer")
    got = api(
        "getCustomerDetails", {"CustomerID": "C-NEW", "OrganizationCode": "Matrix-R"}, fmt, root="Customer"
    )
    contact = as_list(got["CustomerContactList"]["CustomerContact"])[0]
    assert got["CustomerClassificationCode"] == "GOLD" and contact["MobilePhone"] == "+100"
    assert contact["EmailID"] == "ada@example.com"
    found = api(
        "getCustomerList",
        {"CustomerContactList": {"CustomerContact": {"EmailID": "ada@example.com"}}},
        fmt,
        root="Customer",
    )
    assert [c["CustomerID"] for c in as_list(found["Customer"])] == ["C-NEW"]
    assert (
        api.error("manageCustomer", {**CONSUMER, "Operation": "Create"}, fmt, root="Customer")[1]["ErrorCode"]
        == "YFC0001"
    )
    api(
        "manageCustomer",
        {"CustomerID": "C-NEW", "OrganizationCode": "Matrix-R", "Operation": "Delete"},
        fmt,
        root="Customer",
    )
    assert (
        api.error("getCustomerDetails", {"CustomerID": "C-NEW"}, fmt, root="Customer")[1]["ErrorCode"]
        == "MOCK0950"
    )


def test_manage_customer_bad_input_changes_nothing(api: Api) -> None:
    before = api("getCustomerList", {"MaximumRecords": "1000"}, root="Customer")
    for doc, code in (
        ({**CONSUMER, "OrganizationCode": "NOPE"}, "MOCK0202"),
        ({**CONSUMER, "CustomerType": "03"}, "MOCK0101"),
        ({**CONSUMER, "Operation": "Merge"}, "MOCK0101"),
        ({"CustomerID": "GHOST", "OrganizationCode": "Matrix-R", "Operation": "Modify"}, "MOCK0950"),
        ({"CustomerID": "NEW"}, "MOCK0100"),
    ):
        status, error = api.error("manageCustomer", doc, root="Customer")
        assert (status, error["ErrorCode"]) == (400, code), doc
    assert api("getCustomerList", {"MaximumRecords": "1000"}, root="Customer") == before


def test_a_contact_list_given_as_an_attribute_is_ignored(api: Api) -> None:
    """As everywhere (issue 21): an attribute named like a child element stores nothing under that name."""
    out = api("manageCustomer", {**CONSUMER, "CustomerContactList": "x"}, root="Customer")
    listed = api("getCustomerList", {"CustomerID": out["CustomerID"]}, root="Customer")["Customer"][0]
    assert not isinstance(listed.get("CustomerContactList"), str)


def test_customers_through_multi_api_and_interop(client: FlaskClient, api: Api) -> None:
    out = api(
        "multiApi",
        {
            "API": [
                {"Name": "manageCustomer", "Input": {"Customer": CONSUMER}},
                {"Name": "getCustomerList", "Input": {"Customer": {"CustomerID": "C-NEW"}}},
            ]
        },
        root="MultiApi",
    )
    assert as_list(out["API"])[1]["Output"]["CustomerList"]["TotalCustomerList"] == "1"
    body = java_call(client, "getCustomerDetails", "Customer", {"CustomerID": "C-NEW"})
    assert b"ada@example.com" in body


# ------------------------------------------------------------------------------------------ configuration


def test_common_codes(api: Api, fmt: str) -> None:
    out = api(
        "getCommonCodeList",
        {"CodeType": "ORDER_HOLD_TYPE", "OrganizationCode": "Matrix-R"},
        fmt,
        root="CommonCode",
    )
    values = {c["CodeValue"] for c in as_list(out["CommonCode"])}
    assert {"FRAUD_CHECK", "PAYMENT_HOLD"} <= values
    code = as_list(out["CommonCode"])[0]
    assert set(code) >= {
        "CodeType",
        "CodeValue",
        "CodeShortDescription",
        "CodeLongDescription",
        "CommonCodeKey",
    }
    reasons = api("getCommonCodeList", {"CodeType": "YCD_CANCEL_REASON"}, fmt, root="CommonCode")
    assert {c["OrganizationCode"] for c in as_list(reasons["CommonCode"])} >= {"DEFAULT", "Globex"}
    bad = api.error(
        "getCommonCodeList", {"CodeType": "X", "CodeTypeQryType": "SOUNDS"}, fmt, root="CommonCode"
    )
    assert bad[1]["ErrorCode"] == "MOCK0300"


def test_status_list_from_the_pipelines(api: Api, fmt: str) -> None:
    out = api("getStatusList", {"ProcessTypeKey": "ORDER_FULFILLMENT"}, fmt, root="Status")
    rows = {s["Status"]: s for s in as_list(out["Status"])}
    assert rows["1100"]["Description"] == "Created" and rows["3700"]["ProcessTypeKey"] == "ORDER_FULFILLMENT"
    assert "3700.01" in rows
    shipments = api("getStatusList", {"ProcessTypeKey": "ORDER_DELIVERY"}, fmt, root="Status")
    assert as_list(shipments["Status"])


def test_register_logout_is_accepted(client: FlaskClient, api: Api) -> None:
    response = api.raw("registerLogout", {"UserId": "admin", "SessionId": "x"}, root="registerLogout")
    assert response.status_code == 204 and response.data == b""
    body = java_call(client, "registerLogout", "registerLogout", {"UserId": "admin"})
    assert b"Output" in body
    raw = client.post(
        "/smcfs/restapi/invoke/getStatusList",
        data="{}",
        headers={**BASIC, "Content-Type": "application/json"},
    )
    assert json.loads(raw.data)["Status"]
    assert isinstance(json.loads(raw.data)["Status"], list)


def control(response: Any) -> dict[str, Any]:
    found = response.get_json()
    assert isinstance(found, dict), response.data
    return found


def test_control_plane_replaces_or_extends_the_catalogue(client: FlaskClient, api: Api) -> None:
    assert control(client.get("/_fake/catalogue"))["items"] >= 300
    extend = {
        "items": [
            {
                "ItemID": "CTL-1",
                "OrganizationCode": "Matrix-R",
                "PrimaryInformation": {"Description": "From control"},
            }
        ]
    }
    out = control(client.put("/_fake/catalogue", json=extend))
    assert out["items_changed"] is True and out["items"] >= 301
    assert (
        api("getItemDetails", {"ItemID": "CTL-1"}, root="Item")["PrimaryInformation"]["Description"]
        == "From control"
    )
    replace = {
        "replace": True,
        "customers": [{"CustomerID": "ONLY", "OrganizationCode": "Aurora"}],
        "namespace": "ctl",
    }
    out = control(client.put("/_fake/catalogue", json=replace))
    assert (out["namespace"], out["customers"]) == ("ctl", 1)
    listed = api("getCustomerList", {}, root="Customer", headers={"X-Sterling-Mock-Namespace": "ctl"})
    assert [c["CustomerID"] for c in as_list(listed["Customer"])] == ["ONLY"]
    before = client.get("/_fake/catalogue").json
    for bad in ({}, {"items": "x"}, {"items": [{"ItemID": "NOORG"}]}, {"replace": "yes", "items": []}):
        assert client.put("/_fake/catalogue", json=bad).status_code == 400, bad
    assert client.get("/_fake/catalogue").json == before


def test_manage_customer_by_natural_key_whatever_key_is_given(api: Api) -> None:
    """A CustomerKey that names no customer beside an existing CustomerID changes that customer (fuzzer find)."""
    before = api("getCustomerDetails", {"CustomerID": "CUST100001"}, root="Customer")
    doc = {
        "CustomerID": "CUST100001",
        "OrganizationCode": before["OrganizationCode"],
        "CustomerKey": "123",
        "Status": "20",
    }
    out = api("manageCustomer", doc, root="Customer")
    assert out["CustomerKey"] == before["CustomerKey"] and out["Status"] == "20"
    made = api(
        "manageCustomer", {"OrganizationCode": "Matrix-R", "CustomerID": "CUST900001"}, root="Customer"
    )
    fresh = api("manageCustomer", {"OrganizationCode": "Matrix-R"}, root="Customer")
    assert fresh["CustomerID"] != made["CustomerID"]


def test_customer_json_arrays_and_snapshot_round_trip(client: FlaskClient, api: Api) -> None:
    api("manageCustomer", CONSUMER, root="Customer")
    headers = {**BASIC, "Content-Type": "application/json"}
    body = client.post(
        "/smcfs/restapi/invoke/getCustomerDetails", data='{"CustomerID":"C-NEW"}', headers=headers
    ).data.decode()
    assert '"CustomerContact":[{' in body and '"CustomerAdditionalAddress":[{' in body
    snapshot = client.get("/_fake/state").json
    assert client.post("/_fake/reset", json={}).status_code == 200
    assert (
        api.error("getCustomerDetails", {"CustomerID": "C-NEW"}, root="Customer")[1]["ErrorCode"]
        == "MOCK0950"
    )
    assert client.put("/_fake/state", json=snapshot).status_code < 300
    assert api("getCustomerDetails", {"CustomerID": "C-NEW"}, root="Customer")["CustomerID"] == "C-NEW"


def test_nextpage_walks_every_node_once(api: Api, fmt: str) -> None:
    """getPage NEXTPAGE names the last node by ShipnodeKey (not OwnerKey, which several nodes share)."""
    seen: list[str] = []
    previous: dict[str, Any] = {}
    for _ in range(10):
        doc = {
            "PageSize": "2",
            "PaginationStrategy": "NEXTPAGE",
            "API": {"Name": "getShipNodeList", "Input": {"ShipNode": {}}},
        }
        if previous:
            doc["PreviousPage"] = previous
        page = api("getPage", doc, fmt, root="Page")
        seen += [n["ShipNode"] for n in as_list((page["Output"]["ShipNodeList"]).get("ShipNode"))]
        if page["IsLastPage"] == "Y":
            break
        previous = {"LastRecord": page["LastRecord"]}
    everything = [
        n["ShipNode"] for n in as_list(api("getShipNodeList", {}, fmt, root="ShipNode")["ShipNode"])
    ]
    assert seen == everything
