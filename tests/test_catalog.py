"""The catalogue family through every door: manageItem, getItemList, getItemDetails, getCompleteItemList,
getItemNodeDefnList; organizations, nodes, customers, common codes, statuses, registerLogout (issue 23)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list, from_xml
from tests.conftest import BASIC, Api
from tests.test_interop import java_call

NEW_ITEM = {
    "ItemID": "KIT-1",
    "OrganizationCode": "Matrix-R",
    "UnitOfMeasure": "EACH",
    "PrimaryInformation": {"Description": "Camping kit", "UnitCost": "12.50", "IsShippingAllowed": "Y"},
    "ClassificationCodes": {"TaxProductCode": "PC1"},
    "InventoryParameters": {"ATPRule": "DEFAULT", "IsSerialTracked": "N"},
    "ItemAliasList": {"ItemAlias": [{"AliasName": "UPC", "AliasValue": "0001"}]},
    "Extn": {"ExtnBrand": "Camp"},
}


def items(out: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(out.get("Item"))


def manage(api: Api, *entries: dict[str, Any], fmt: str = "json") -> int:
    return int(api.raw("manageItem", {"Item": list(entries)}, fmt, root="ItemList").status_code)


# ------------------------------------------------------------------------------------------ items


def test_default_catalogue_is_realistic_and_deterministic(api: Api, fmt: str) -> None:
    out = api("getItemList", {"MaximumRecords": "500"}, fmt, root="Item")
    found = items(out)
    assert len(found) >= 300 and out["LastRecordSet"] == "Y" and out["TotalItemList"] == str(len(found))
    assert out["LastItemKey"] == found[-1]["ItemKey"]
    first = found[0]
    assert set(first) >= {"ItemID", "ItemKey", "OrganizationCode", "UnitOfMeasure", "ItemGroupCode"}
    assert set(first) >= {
        "PrimaryInformation",
        "ClassificationCodes",
        "InventoryParameters",
        "ItemAliasList",
        "Extn",
    }
    generated = [i for i in found if i["ItemID"].startswith("HDP-2")]
    assert generated and generated[0]["PrimaryInformation"]["ImageLocation"].startswith("https://")
    assert len({i["ItemKey"] for i in found}) == len(found)
    again = api("getItemList", {"MaximumRecords": "500"}, fmt, root="Item")
    assert again == out


def test_item_list_query_and_paging(api: Api, fmt: str) -> None:
    page = api(
        "getItemList", {"ItemID": "WCH-", "ItemIDQryType": "FLIKE", "MaximumRecords": "3"}, fmt, root="Item"
    )
    assert [i["ItemID"][:4] for i in items(page)] == ["WCH-"] * 3 and page["LastRecordSet"] == "N"
    rest = api(
        "getItemList",
        {"ItemID": "WCH-", "ItemIDQryType": "FLIKE", "ItemKey": page["LastItemKey"], "ItemKeyQryType": "GT"},
        fmt,
        root="Item",
    )
    keys = [i["ItemKey"] for i in items(page) + items(rest)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    described = api(
        "getItemList",
        {"PrimaryInformation": {"Description": "Smart Watch", "DescriptionQryType": "LIKE"}},
        fmt,
        root="Item",
    )
    assert {i["ItemID"][:3] for i in items(described)} == {"WCH"}
    ordered = api(
        "getItemList",
        {
            "ItemID": "MUG-",
            "ItemIDQryType": "FLIKE",
            "OrderBy": {"Attribute": {"Name": "ItemID", "Desc": "Y"}},
        },
        fmt,
        root="Item",
    )
    ids = [i["ItemID"] for i in items(ordered)]
    assert ids == sorted(ids, reverse=True)


def test_item_list_bad_query_is_a_sterling_error(api: Api, fmt: str) -> None:
    status, error = api.error("getItemList", {"ItemID": "X", "ItemIDQryType": "SOUNDEX"}, fmt, root="Item")
    assert status == 400 and error["ErrorCode"] == "MOCK0300"
    status, error = api.error("getItemList", {"OrderBy": {"Attribute": {"Name": "Nope"}}}, fmt, root="Item")
    assert error["ErrorCode"] == "MOCK0302"


def test_manage_item_create_change_delete(api: Api, fmt: str) -> None:
    assert manage(api, NEW_ITEM, fmt=fmt) == 204
    got = api("getItemDetails", {"ItemID": "KIT-1", "OrganizationCode": "Matrix-R"}, fmt, root="Item")
    assert got["PrimaryInformation"]["Description"] == "Camping kit"
    assert as_list(got["ItemAliasList"]["ItemAlias"]) == [{"AliasName": "UPC", "AliasValue": "0001"}]
    assert got["Extn"] == {"ExtnBrand": "Camp"} and got["CategoryList"] == {}
    change = {
        "ItemID": "KIT-1",
        "OrganizationCode": "Matrix-R",
        "Action": "Manage",
        "PrimaryInformation": {"ShortDescription": "Kit"},
        "ItemAliasList": {"ItemAlias": {"AliasName": "EAN", "AliasValue": "99"}},
    }
    assert manage(api, change, fmt=fmt) == 204
    got2 = api("getItemDetails", {"ItemID": "KIT-1", "OrganizationCode": "Matrix-R"}, fmt, root="Item")
    assert got2["ItemKey"] == got["ItemKey"]
    assert got2["PrimaryInformation"]["Description"] == "Camping kit"
    assert got2["PrimaryInformation"]["ShortDescription"] == "Kit"
    assert {a["AliasName"] for a in as_list(got2["ItemAliasList"]["ItemAlias"])} == {"UPC", "EAN"}
    listed = api("getItemList", {"OrganizationCode": "Matrix-R"}, fmt, root="Item")
    assert [i["ItemID"] for i in items(listed)] == ["KIT-1"]
    assert (
        manage(api, {"ItemID": "KIT-1", "OrganizationCode": "Matrix-R", "Action": "Delete"}, fmt=fmt) == 204
    )
    _status, error = api.error(
        "getItemDetails", {"ItemID": "KIT-1", "OrganizationCode": "Matrix-R"}, fmt, root="Item"
    )
    assert error["ErrorCode"] == "YCM0033"


def _error_of(response: Any) -> dict[str, Any]:
    return dict(json.loads(response.data)["errors"][0])


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ({}, "MOCK0100"),
        ({"Item": "text"}, "MOCK0100"),
        ({"Item": [{"OrganizationCode": "Matrix-R"}]}, "MOCK0100"),
        ({"Item": [{"ItemID": "A", "OrganizationCode": "Matrix-R", "Action": "Upsert"}]}, "MOCK0101"),
        (
            {"Item": [NEW_ITEM, {**NEW_ITEM, "ItemID": "B", "PrimaryInformation": {"UnitCost": "cheap"}}]},
            "MOCK0101",
        ),
        ({"Item": [NEW_ITEM, {**NEW_ITEM, "PrimaryInformation": {"IsReturnable": "maybe"}}]}, "MOCK0101"),
        (
            {"Item": [NEW_ITEM, {"ItemID": "GHOST", "OrganizationCode": "Matrix-R", "Action": "Delete"}]},
            "YCM0033",
        ),
        ({"Item": [NEW_ITEM, {**NEW_ITEM, "ItemID": "B", "OrganizationCode": "NO-SUCH-ORG"}]}, "MOCK0202"),
    ],
)
def test_manage_item_bad_input_changes_nothing(api: Api, doc: dict[str, Any], code: str) -> None:
    before = api("getItemList", {"MaximumRecords": "1000"}, root="Item")
    response = api.raw("manageItem", doc, root="ItemList")
    assert response.status_code == 400 and _error_of(response)["ErrorCode"] == code
    assert api("getItemList", {"MaximumRecords": "1000"}, root="Item") == before


def test_unknown_item_error_names_the_item(api: Api, fmt: str) -> None:
    status, error = api.error(
        "getItemDetails",
        {"ItemID": "NO-SUCH", "OrganizationCode": "Matrix-R", "UnitOfMeasure": "EACH"},
        fmt,
        root="Item",
    )
    assert status == 400 and error["ErrorCode"] == "YCM0033" and error["ErrorDescription"] == "Item Not Found"
    if fmt == "json":
        assert (
            error["MoreInfo"]["ItemID"] == "NO-SUCH" and error["MoreInfo"]["OrganizationCode"] == "Matrix-R"
        )
    else:
        assert "NO-SUCH" in str(error)


def test_json_arrays_follow_the_schema(client: FlaskClient, api: Api) -> None:
    assert manage(api, NEW_ITEM) == 204
    headers = {**BASIC, "Content-Type": "application/json"}
    body = client.post(
        "/smcfs/restapi/invoke/getItemList", data='{"ItemID":"KIT-1"}', headers=headers
    ).data.decode()
    assert body.startswith('{"Item":[{') and '"ItemAlias":[{' in body
    hierarchy = client.post(
        "/smcfs/restapi/invoke/getOrganizationHierarchy",
        data='{"OrganizationCode":"Globex"}',
        headers=headers,
    ).data.decode()
    assert '"SubOrganization":{"Organization":[{' in hierarchy and '"OrgRole":[{' in hierarchy


def test_complete_item_list_and_item_node_definitions(api: Api, fmt: str) -> None:
    out = api("getCompleteItemList", {"ItemID": "SHOE-200"}, fmt, root="Item")
    (item,) = items(out)
    assert {
        "AdditionalAttributeList",
        "AlternateUOMList",
        "Components",
        "CategoryList",
        "ComputedPrice",
    } <= set(item)
    defs = api("getItemNodeDefnList", {"ItemID": "SHOE-100"}, fmt, root="ItemNodeDefn")
    nodes = [d["Node"] for d in as_list(defs["ItemNodeDefn"])]
    assert "DC_EAST" in nodes and defs["TotalItemNodeDefnList"] == str(len(nodes))


def test_items_through_multi_api_get_page_and_interop(client: FlaskClient, api: Api, fmt: str) -> None:
    multi = api(
        "multiApi",
        {
            "API": [
                {"Name": "manageItem", "Input": {"ItemList": {"Item": [NEW_ITEM]}}},
                {
                    "Name": "getItemDetails",
                    "Input": {"Item": {"ItemID": "KIT-1", "OrganizationCode": "Matrix-R"}},
                },
            ]
        },
        fmt,
        root="MultiApi",
    )
    outputs = as_list(multi["API"])
    assert outputs[0]["Output"] == {} and outputs[1]["Output"]["Item"]["ItemKey"]
    page = api(
        "getPage",
        {
            "PageNumber": "2",
            "PageSize": "5",
            "API": {"Name": "getItemList", "Input": {"Item": {"ItemID": "TEE-", "ItemIDQryType": "FLIKE"}}},
        },
        fmt,
        root="Page",
    )
    second = as_list(page["Output"]["ItemList"]["Item"])
    assert len(second) == 5 and page["IsFirstPage"] == "N"
    nxt = api(
        "getPage",
        {
            "PageSize": "5",
            "PaginationStrategy": "NEXTPAGE",
            "PreviousPage": {"LastRecord": page["LastRecord"]},
            "API": {"Name": "getItemList", "Input": {"Item": {"ItemID": "TEE-", "ItemIDQryType": "FLIKE"}}},
        },
        fmt,
        root="Page",
    )
    third = as_list(nxt["Output"]["ItemList"]["Item"])
    assert third[0]["ItemKey"] > second[-1]["ItemKey"]
    body = java_call(client, "getItemDetails", "Item", {"ItemID": "KIT-1", "OrganizationCode": "Matrix-R"})
    root, doc = from_xml(body)
    assert root == "Item" and doc["PrimaryInformation"]["Description"] == "Camping kit"
    body = java_call(client, "getItemDetails", "Item", {"ItemID": "NOPE"})
    assert b"YCM0033" in body


def test_templates_narrow_item_outputs(api: Api, fmt: str) -> None:
    template = {"ItemList": {"Item": {"ItemID": "", "PrimaryInformation": {"Description": ""}}}}
    out = api(
        "multiApi",
        {"API": {"Name": "getItemList", "Input": {"Item": {"ItemID": "LMP-200"}}, "Template": template}},
        fmt,
        root="MultiApi",
    )
    listed = out["API"]["Output"]["ItemList"]
    assert items(listed) == [
        {
            "ItemID": "LMP-200",
            "PrimaryInformation": {"Description": items(listed)[0]["PrimaryInformation"]["Description"]},
        }
    ]
    assert listed["TotalItemList"] == "1"


def test_reset_brings_the_defaults_back(client: FlaskClient, api: Api) -> None:
    assert manage(api, {"ItemID": "SHOE-100", "OrganizationCode": "DEFAULT", "Action": "Delete"}) == 204
    assert api.error("getItemDetails", {"ItemID": "SHOE-100"}, root="Item")[1]["ErrorCode"] == "YCM0033"
    assert client.post("/_fake/reset", json={}).status_code == 200
    assert api("getItemDetails", {"ItemID": "SHOE-100"}, root="Item")["ItemID"] == "SHOE-100"


def test_strict_master_data_knows_the_catalogue() -> None:
    from sterling_mock.mock_server.base.settings import Settings
    from sterling_mock.mock_server.doors.app import create_app

    strict = Api(create_app(Settings(db=":memory:", demo_orders=0, strict_master_data=True)).test_client())

    def order(item: dict[str, str]) -> Any:
        doc = {"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": item}]}}
        return strict.raw("createOrder", doc)

    assert order({"ItemID": "SHOE-200", "UnitOfMeasure": "EACH"}).status_code == 200  # a generated item
    assert _error_of(order({"ItemID": "KIT-1"}))["ErrorCode"] == "YCM0033"
    assert manage(strict, NEW_ITEM) == 204
    assert order({"ItemID": "KIT-1", "UnitOfMeasure": "EACH"}).status_code == 200
    assert _error_of(order({"ItemID": "KIT-1", "UnitOfMeasure": "CASE"}))["ErrorCode"] == "YCM0033"


def test_master_data_file_replaces_the_generated_catalogue(tmp_path: Any) -> None:
    from sterling_mock.mock_server.base.settings import Settings
    from sterling_mock.mock_server.doors.app import create_app

    data = json.loads(
        (
            __import__("pathlib").Path(__file__).parent.parent / "mock_server" / "data" / "masterdata.json"
        ).read_text()
    )
    data["items"] = [{"ItemID": "ONLY-ITEM", "ItemDesc": "The only item", "UnitPrice": "5.00"}]
    data["customers"] = [{"CustomerID": "ONLY-CUSTOMER", "OrganizationCode": "Aurora", "CustomerType": "01"}]
    data["commonCodes"] = [
        {"CodeType": "ORDER_HOLD_TYPE", "CodeValue": "VIP_REVIEW", "OrganizationCode": "Aurora"}
    ]
    data["catalogue"] = {"items": 0, "customers": 0}
    path = tmp_path / "md.json"
    path.write_text(json.dumps(data))
    own = Api(create_app(Settings(db=":memory:", demo_orders=0, master_data_file=str(path))).test_client())
    assert [i["ItemID"] for i in items(own("getItemList", {}, root="Item"))] == ["ONLY-ITEM"]
    item = own("getItemDetails", {"ItemID": "ONLY-ITEM"}, root="Item")
    assert (
        item["PrimaryInformation"]["Description"] == "The only item"
        and item["ComputedPrice"]["ListPrice"] == "5.00"
    )
    listed = own("getCustomerList", {}, root="Customer")
    assert [c["CustomerID"] for c in as_list(listed["Customer"])] == ["ONLY-CUSTOMER"]
    codes = own(
        "getCommonCodeList", {"CodeType": "ORDER_HOLD_TYPE", "OrganizationCode": "Aurora"}, root="CommonCode"
    )
    assert "VIP_REVIEW" in {c["CodeValue"] for c in as_list(codes["CommonCode"])}


QUERIES: list[dict[str, Any]] = [
    {"ItemID": "SHOE-2", "ItemIDQryType": "FLIKE", "MaximumRecords": "7"},
    {"ItemID": "MUG-210", "ItemIDQryType": "GT", "OrganizationCode": "DEFAULT", "MaximumRecords": "5"},
    {
        "ItemID": "TEE-2",
        "ItemIDQryType": "LT",
        "OrderBy": {"Attribute": {"Name": "ItemID", "Desc": "Y"}},
        "MaximumRecords": "4",
    },
    {
        "UnitOfMeasure": "CASE",
        "OrderBy": {"Attribute": [{"Name": "UnitOfMeasure"}, {"Name": "ItemID", "Desc": "Y"}]},
    },
    {"ItemKey": "20240101000000000000300", "ItemKeyQryType": "GT", "MaximumRecords": "3"},
    {
        "OrganizationCode": "DEFAULT",
        "PrimaryInformation": {"ManufacturerName": "Pulse"},
        "MaximumRecords": "6",
    },
    {
        "ComplexQuery": {
            "Operator": "OR",
            "Or": {"Exp": [{"Name": "ItemID", "Value": "LMP-201"}, {"Name": "ItemID", "Value": "BAG-203"}]},
        }
    },
]


def test_stored_catalogue_answers_as_the_defaults_did(api: Api) -> None:
    """The SQL push-down of a changed catalogue answers every query exactly as the in-memory defaults did."""
    before = [api("getItemList", query, root="Item") for query in QUERIES]
    assert manage(api, NEW_ITEM) == 204  # the namespace now holds its catalogue in the table
    after = [api("getItemList", query, root="Item") for query in QUERIES]
    for query, old, new in zip(QUERIES, before, after, strict=True):
        assert new == old, query


def test_amounts_read_back_with_two_decimals(api: Api) -> None:
    """[INF] money columns: a UnitCost sent as ``286.6`` reads back ``286.60`` (the XSD's amount pattern)."""
    item = {**NEW_ITEM, "ItemID": "TWO-DEC", "PrimaryInformation": {"UnitCost": "286.6", "ListPrice": "7"}}
    api("manageItem", {"Item": [item]}, root="ItemList")
    read = api(
        "getItemDetails", {"ItemID": "TWO-DEC", "OrganizationCode": item["OrganizationCode"]}, root="Item"
    )
    assert read["PrimaryInformation"]["UnitCost"] == "286.60"
    assert read["PrimaryInformation"]["ListPrice"] == "7.00"
