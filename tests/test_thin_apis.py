"""The APIs that had few tests, through the HTTP surface in JSON and XML: changeShipment, getShipmentDetails,
getShipmentListForOrder, releaseOrder, getShipmentList, getOrderReleaseList; and the error paths nothing
reached: a shipped shipment cancelled, a duplicate ShipmentNo, an unknown release, an unknown line (MOCK0310),
changeOrderStatus and getOrderAuditList with a template, ReadFromHistory="Y", getPage resuming lists that are
not orders.  Expected attribute sets are written out here, not taken from the code under test."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sterling_mock.client.wire import as_list
from tests.conftest import Api
from tests.test_lists import at, fake_of

Doc = dict[str, Any]
SHIPMENT_KEYS = {"SellerOrganizationCode", "ShipNode", "ShipmentKey", "ShipmentNo"}
ORDER_KEYS = {"DocumentType", "EnterpriseCode", "OrderHeaderKey", "OrderNo"}
SHIPMENT_DETAILS = {
    "BuyerOrganizationCode",
    "Createts",
    "Createuserid",
    "DocumentType",
    "EnterpriseCode",
    "Modifyts",
    "Modifyuserid",
    "OrderHeaderKey",
    "OrderNo",
    "SellerOrganizationCode",
    "ShipNode",
    "ShipmentKey",
    "ShipmentLines",
    "ShipmentNo",
    "Status",
    "StatusDate",
    "StatusDescription",
}
SHIPMENT_LINE = {
    "ShipmentLineKey",
    "ShipmentLineNo",
    "OrderHeaderKey",
    "OrderLineKey",
    "OrderReleaseKey",
    "ReleaseNo",
    "OrderNo",
    "DocumentType",
    "PrimeLineNo",
    "SubLineNo",
    "ItemID",
    "UnitOfMeasure",
    "ProductClass",
    "Quantity",
}
RELEASE_LIST_ROOT = {
    "LastOrderReleaseKey",
    "LastRecordSet",
    "OrderRelease",
    "ReadFromHistory",
    "TotalOrderReleaseList",
}


def order(number: str, *nodes: str) -> Doc:
    """An order with one line per node given (line n: item I<n>, quantity 2)."""
    lines = [
        {"PrimeLineNo": str(n), "OrderedQty": "2", "ShipNode": node, "Item": {"ItemID": f"I{n}"}}
        for n, node in enumerate(nodes, start=1)
    ]
    return {"EnterpriseCode": "Matrix-R", "OrderNo": number, "OrderLines": {"OrderLine": lines}}


def status(api: Api, key: str) -> tuple[str, str, str]:
    found = api("getOrderDetails", {"OrderHeaderKey": key})
    return found["Status"], found["MinOrderStatus"], found["MaxOrderStatus"]


def released(api: Api, number: str = "T-1", *nodes: str) -> str:
    key = str(api("createOrder", order(number, *(nodes or ("DC_EAST", "DC_EAST"))))["OrderHeaderKey"])
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    api("releaseOrder", {"OrderHeaderKey": key}, root="ReleaseOrder")
    return key


def ship(api: Api, key: str, fmt: str = "json", **extra: str) -> Doc:
    return api("createShipment", {"OrderHeaderKey": key, **extra}, fmt, root="Shipment")


def code(api: Api, name: str, doc: Doc, fmt: str, root: str) -> str:
    status_code, error = api.error(name, doc, fmt, root=root)
    assert status_code == 400
    return str(error["ErrorCode"])


# ------------------------------------------------------------------------------------------ releaseOrder


def test_release_order_moves_scheduled_quantity_once(api: Api, fmt: str) -> None:
    key = str(api("createOrder", order("R-1", "DC_EAST", "DC_WEST"), fmt)["OrderHeaderKey"])
    api("scheduleOrder", {"OrderHeaderKey": key}, fmt, root="ScheduleOrder")
    response = api.raw("releaseOrder", {"OrderHeaderKey": key}, fmt, root="ReleaseOrder")
    assert (response.status_code, response.data) == (204, b"")
    assert status(api, key) == ("Released", "3200", "3200")
    again = api.raw("releaseOrder", {"OrderHeaderKey": key}, fmt, root="ReleaseOrder")
    assert again.status_code == 204  # nothing left to release: no second release
    releases = as_list(
        api("getOrderReleaseList", {"OrderHeaderKey": key}, fmt, root="OrderRelease")["OrderRelease"]
    )
    assert sorted((r["ReleaseNo"], r["ShipNode"]) for r in releases) == [("1", "DC_EAST"), ("2", "DC_WEST")]


def test_release_order_by_natural_key_and_unknown_order(api: Api, fmt: str) -> None:
    key = str(api("createOrder", order("R-2", "DC_EAST"))["OrderHeaderKey"])
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    natural = {"EnterpriseCode": "Matrix-R", "OrderNo": "R-2", "DocumentType": "0001"}
    api("releaseOrder", natural, fmt, root="ReleaseOrder")
    assert status(api, key)[2] == "3200"
    unknown = {"OrderHeaderKey": "00000000000000000000000"}
    assert code(api, "releaseOrder", unknown, fmt, "ReleaseOrder") == "YFS10003"


# ------------------------------------------------------------------------------------------ getOrderReleaseList


def test_release_list_filters_paging_and_history(api: Api, fmt: str) -> None:
    key = released(api, "L-1", "DC_EAST", "DC_WEST")
    out = api("getOrderReleaseList", {"OrderHeaderKey": key}, fmt, root="OrderRelease")
    assert set(out) == RELEASE_LIST_ROOT
    assert (out["TotalOrderReleaseList"], out["LastRecordSet"], out["ReadFromHistory"]) == ("2", "Y", "")
    first, second = as_list(out["OrderRelease"])
    assert out["LastOrderReleaseKey"] == second["OrderReleaseKey"]
    assert (first["OrderNo"], first["Status"], first["EnterpriseCode"]) == ("L-1", "3200", "Matrix-R")
    west = api(
        "getOrderReleaseList", {"OrderHeaderKey": key, "ShipNode": "DC_WEST"}, fmt, root="OrderRelease"
    )
    assert [r["ReleaseNo"] for r in as_list(west["OrderRelease"])] == ["2"]
    capped = api(
        "getOrderReleaseList", {"OrderHeaderKey": key, "MaximumRecords": "1"}, fmt, root="OrderRelease"
    )
    assert (capped["TotalOrderReleaseList"], capped["LastRecordSet"]) == ("1", "N")
    assert capped["LastOrderReleaseKey"] == first["OrderReleaseKey"]
    history = api(
        "getOrderReleaseList", {"OrderHeaderKey": key, "ReadFromHistory": "Y"}, fmt, root="OrderRelease"
    )
    assert history == {
        "TotalOrderReleaseList": "0",
        "LastOrderReleaseKey": "",
        "LastRecordSet": "Y",
        "ReadFromHistory": "Y",
    }
    both = api(
        "getOrderReleaseList", {"OrderHeaderKey": key, "ReadFromHistory": "B"}, fmt, root="OrderRelease"
    )
    assert (both["TotalOrderReleaseList"], both["ReadFromHistory"]) == ("2", "B")


def test_order_list_read_from_history(api: Api, fmt: str) -> None:
    api("createOrder", order("H-1", "DC_EAST"))
    assert api("getOrderList", {"OrderNo": "H-1", "ReadFromHistory": "Y"}, fmt) == {
        "TotalOrderList": "0",
        "LastRecordSet": "Y",
        "LastOrderHeaderKey": "",
        "ReadFromHistory": "Y",
    }
    live = api("getOrderList", {"OrderNo": "H-1", "ReadFromHistory": "N"}, fmt)
    assert (live["TotalOrderList"], live["ReadFromHistory"]) == ("1", "N")
    both = api("getOrderList", {"OrderNo": "H-1", "ReadFromHistory": "B"}, fmt)
    assert (both["TotalOrderList"], both["ReadFromHistory"]) == ("1", "B")


# ------------------------------------------------------------------------------------------ shipments


def test_shipment_details_by_key_and_by_natural_key(api: Api, fmt: str) -> None:
    key = released(api)
    made = ship(api, key, fmt, ShipmentNo="SH-1")
    assert set(made) == SHIPMENT_KEYS and made["ShipmentNo"] == "SH-1"
    details = api("getShipmentDetails", {"ShipmentKey": made["ShipmentKey"]}, fmt, root="Shipment")
    assert set(details) == SHIPMENT_DETAILS
    assert (details["Status"], details["StatusDescription"]) == ("1100", "Shipment Created")
    lines = as_list(details["ShipmentLines"]["ShipmentLine"])
    assert [set(line) for line in lines] == [SHIPMENT_LINE, SHIPMENT_LINE]
    assert [(line["PrimeLineNo"], line["ItemID"], float(line["Quantity"])) for line in lines] == [
        ("1", "I1", 2.0),
        ("2", "I2", 2.0),
    ]
    natural = {"ShipmentNo": "SH-1", "ShipNode": "DC_EAST", "SellerOrganizationCode": "Matrix-R"}
    assert api("getShipmentDetails", natural, fmt, root="Shipment")["ShipmentKey"] == made["ShipmentKey"]
    unknown = {"ShipmentKey": "00000000000000000000000"}
    assert code(api, "getShipmentDetails", unknown, fmt, "Shipment") == "MOCK0204"


def test_change_shipment_header_then_cancel(api: Api, fmt: str) -> None:
    key = released(api)
    made = ship(api, key)
    change = {"ShipmentKey": made["ShipmentKey"], "TrackingNo": "1Z1", "SCAC": "UPSN", "ShipNode": "DC_WEST"}
    out = api("changeShipment", change, fmt, root="Shipment")
    assert out == made  # the four keys; ShipNode is not changed by changeShipment
    details = api("getShipmentDetails", {"ShipmentKey": made["ShipmentKey"]}, root="Shipment")
    assert (details["TrackingNo"], details["SCAC"], details["ShipNode"]) == ("1Z1", "UPSN", "DC_EAST")
    assert status(api, key) == ("Included In Shipment", "3350", "3350")
    cancel = {"ShipmentKey": made["ShipmentKey"], "Action": "Cancel"}
    api("changeShipment", cancel, fmt, root="Shipment")
    after = api("getShipmentDetails", {"ShipmentKey": made["ShipmentKey"]}, root="Shipment")
    assert (after["Status"], after["StatusDescription"]) == ("9000", "Shipment Cancelled")
    assert status(api, key) == ("Released", "3200", "3200")  # the quantity went back
    assert code(api, "changeShipment", cancel, fmt, "Shipment") == "MOCK0206"
    assert (
        code(api, "changeShipment", {"ShipmentKey": "404", "TrackingNo": "X"}, fmt, "Shipment") == "MOCK0204"
    )


def test_a_shipped_shipment_cannot_be_cancelled(api: Api, fmt: str) -> None:
    key = released(api)
    made = ship(api, key)
    api("confirmShipment", {"ShipmentKey": made["ShipmentKey"]}, root="Shipment")
    assert status(api, key) == ("Shipped", "3700", "3700")
    cancel = {"ShipmentKey": made["ShipmentKey"], "Action": "Cancel"}
    assert code(api, "changeShipment", cancel, fmt, "Shipment") == "MOCK0206"
    assert status(api, key) == ("Shipped", "3700", "3700")  # nothing changed
    details = api("getShipmentDetails", {"ShipmentKey": made["ShipmentKey"]}, root="Shipment")
    assert details["Status"] == "1400"
    # a header change of a shipped shipment is still allowed (tracking numbers arrive late)
    api("changeShipment", {"ShipmentKey": made["ShipmentKey"], "TrackingNo": "1Z2"}, fmt, root="Shipment")


def test_duplicate_shipment_no_at_one_node_is_refused(api: Api, fmt: str) -> None:
    first, second = released(api, "D-1", "DC_EAST"), released(api, "D-2", "DC_EAST")
    ship(api, first, ShipmentNo="DUP-1")
    refused = {"OrderHeaderKey": second, "ShipmentNo": "DUP-1", "ShipNode": "DC_EAST"}
    assert code(api, "createShipment", refused, fmt, "Shipment") == "YFC0001"
    assert status(api, second) == ("Released", "3200", "3200")  # nothing changed
    elsewhere = released(api, "D-3", "DC_WEST")
    assert ship(api, elsewhere, fmt, ShipmentNo="DUP-1")["ShipNode"] == "DC_WEST"  # unique per node


def test_shipment_list_for_order(api: Api, fmt: str) -> None:
    key = released(api, "F-1", "DC_EAST", "DC_WEST")
    east = ship(api, key, ShipNode="DC_EAST")
    west = ship(api, key, ShipNode="DC_WEST")
    out = api("getShipmentListForOrder", {"OrderHeaderKey": key}, fmt)
    assert [s["ShipmentKey"] for s in as_list(out["Shipment"])] == [east["ShipmentKey"], west["ShipmentKey"]]
    natural = {"EnterpriseCode": "Matrix-R", "OrderNo": "F-1", "DocumentType": "0001"}
    assert len(as_list(api("getShipmentListForOrder", natural, fmt)["Shipment"])) == 2
    none = str(api("createOrder", order("F-2", "DC_EAST"))["OrderHeaderKey"])
    assert api("getShipmentListForOrder", {"OrderHeaderKey": none}, fmt) == {}
    assert code(api, "getShipmentListForOrder", {"OrderHeaderKey": "404"}, fmt, "Order") == "YFS10003"


def test_shipment_list_filters(api: Api, fmt: str) -> None:
    one, two = released(api, "G-1", "DC_EAST"), released(api, "G-2", "DC_WEST")
    first = ship(api, one, ShipmentNo="G-SH-1")
    second = ship(api, two, ShipmentNo="G-SH-2")
    api("confirmShipment", {"ShipmentKey": second["ShipmentKey"], "TrackingNo": "1Z777"}, root="Shipment")

    def keys(**doc: str) -> list[str]:
        out = api("getShipmentList", doc, fmt, root="Shipment")
        found = [s["ShipmentKey"] for s in as_list(out.get("Shipment"))]
        assert out["TotalNumberOfRecords"] == str(len(found))
        return found

    assert keys() == [first["ShipmentKey"], second["ShipmentKey"]]
    assert keys(ShipNode="DC_WEST") == [second["ShipmentKey"]]
    assert keys(Status="1400") == [second["ShipmentKey"]]
    assert keys(TrackingNo="1Z7", TrackingNoQryType="FLIKE") == [second["ShipmentKey"]]
    assert keys(OrderHeaderKey=one) == [first["ShipmentKey"]]
    assert keys(OrderNo="G-2") == [second["ShipmentKey"]]
    assert keys(ShipmentNo="G-SH", ShipmentNoQryType="FLIKE", MaximumRecords="1") == [first["ShipmentKey"]]
    by_no = {"OrderBy": {"Attribute": {"Name": "ShipmentNo", "Desc": "Y"}}}
    out = api("getShipmentList", by_no, fmt, root="Shipment")
    assert [s["ShipmentNo"] for s in as_list(out["Shipment"])] == ["G-SH-2", "G-SH-1"]
    assert (
        code(api, "getShipmentList", {"ShipNode": "X", "ShipNodeQryType": "BETWEEN"}, fmt, "Shipment")
        == "MOCK0300"
    )


# ------------------------------------------------------------------------------------------ error paths


def test_unknown_release_and_unknown_line_change_nothing(api: Api, fmt: str) -> None:
    key = released(api)
    move = {
        "OrderHeaderKey": key,
        "BaseDropStatus": "3200.10",
        "TransactionId": "T.0001.ex",
        "ReleaseNo": "9",
    }
    assert code(api, "changeOrderStatus", move, fmt, "OrderStatusChange") == "MOCK0200"
    line = {
        "OrderHeaderKey": key,
        "BaseDropStatus": "3200.10",
        "TransactionId": "T.0001.ex",
        "OrderLines": {"OrderLine": {"PrimeLineNo": "9", "SubLineNo": "1", "Quantity": "1"}},
    }
    assert code(api, "changeOrderStatus", line, fmt, "OrderStatusChange") == "MOCK0310"
    modify = {
        "OrderHeaderKey": key,
        "OrderLines": {"OrderLine": {"Action": "MODIFY", "PrimeLineNo": "9", "OrderedQty": "1"}},
    }
    assert code(api, "changeOrder", modify, fmt, "Order") == "MOCK0310"
    by_key = {"OrderHeaderKey": key, "OrderLines": {"OrderLine": {"OrderLineKey": "404", "OrderedQty": "1"}}}
    assert code(api, "changeOrder", by_key, fmt, "Order") == "MOCK0310"
    assert status(api, key) == ("Released", "3200", "3200")
    assert (
        len(as_list(api("getOrderAuditList", {"OrderHeaderKey": key}, root="OrderAudit")["OrderAudit"])) == 3
    )


def test_change_order_status_with_a_template(app: Flask, api: Api, fmt: str) -> None:
    key = released(api)
    template = {
        "OrderNo": "",
        "MaxOrderStatus": "",
        "OrderLines": {"OrderLine": {"PrimeLineNo": "", "MaxLineStatus": ""}},
    }
    with fake_of(app).store.write() as tx:
        tx.kv_put("_templates", "statusChange", template)
    move = {"OrderHeaderKey": key, "BaseDropStatus": "3200.10", "TransactionId": "T.0001.ex"}
    out = api("changeOrderStatus", move, fmt, root="OrderStatusChange", query="?_templateId=statusChange")
    assert out == {
        "OrderNo": "T-1",
        "MaxOrderStatus": "3200.10",
        "OrderLines": {
            "OrderLine": [
                {"PrimeLineNo": "1", "MaxLineStatus": "3200.10"},
                {"PrimeLineNo": "2", "MaxLineStatus": "3200.10"},
            ]
        },
    }
    plain = api("changeOrderStatus", {**move, "BaseDropStatus": "3200"}, fmt, root="OrderStatusChange")
    assert set(plain) == ORDER_KEYS


def test_audit_list_with_a_stored_template(app: Flask, api: Api, fmt: str) -> None:
    at(app, "2025-06-01T10:00:00+00:00")
    key = released(api)
    template = {
        "OrderAudit": {
            "ReasonCode": "",
            "Modifyts": "",
            "OrderAuditLevels": {"OrderAuditLevel": {"ModificationLevel": ""}},
        }
    }
    with fake_of(app).store.write() as tx:
        tx.kv_put("_templates", "audits", template)
    out = api(
        "getOrderAuditList", {"OrderHeaderKey": key}, fmt, root="OrderAudit", query="?_templateId=audits"
    )
    assert (out["TotalOrderAuditList"], out["LastRecordSet"]) == ("3", "Y")
    records = as_list(out["OrderAudit"])
    assert [set(r) for r in records] == [{"ReasonCode", "Modifyts", "OrderAuditLevels"}] * 3
    assert {r["Modifyts"] for r in records} == {"2025-06-01T10:00:00+00:00"}
    first_levels = as_list(records[0]["OrderAuditLevels"]["OrderAuditLevel"])
    assert first_levels == [
        {"ModificationLevel": "ORDER"},
        {"ModificationLevel": "ORDER_LINE"},
        {"ModificationLevel": "ORDER_LINE"},
    ]


# ------------------------------------------------------------------------------------------ getPage, other lists


def page(api: Api, fmt: str, name: str, inner: Doc, **attrs: Any) -> Doc:
    doc = {
        "PageNumber": "1",
        "PageSize": "2",
        "PaginationStrategy": "GENERIC",
        **attrs,
        "API": {"Name": name, "Input": inner},
    }
    return api("getPage", doc, fmt, root="Page")


def shipment_nos(out: Doc) -> list[str]:
    return [s["ShipmentNo"] for s in as_list(out["Output"]["Shipments"].get("Shipment"))]


def test_get_page_resumes_a_shipment_list(api: Api, fmt: str) -> None:
    for n in range(1, 6):
        ship(api, released(api, f"P-{n}", "DC_EAST"), ShipmentNo=f"PS-{n}")
    inner = {"Shipment": {"ShipmentNo": "PS-", "ShipmentNoQryType": "FLIKE"}}
    first = page(api, fmt, "getShipmentList", inner)
    assert shipment_nos(first) == ["PS-1", "PS-2"]
    assert (first["IsFirstPage"], first["IsLastPage"], first["PageNumber"]) == ("Y", "N", "1")
    token = first["PageSetToken"]
    ship(api, released(api, "P-6", "DC_EAST"), ShipmentNo="PS-6")  # not in the kept result set
    second = page(api, fmt, "getShipmentList", inner, PageNumber="2", PageSetToken=token)
    assert shipment_nos(second) == ["PS-3", "PS-4"]
    third = page(api, fmt, "getShipmentList", inner, PageNumber="3", PageSetToken=token)
    assert shipment_nos(third) == ["PS-5"]
    assert (third["IsLastPage"], third["PageSetToken"]) == ("Y", token)
    last = as_list(second["Output"]["Shipments"]["Shipment"])[-1]
    following = page(
        api,
        fmt,
        "getShipmentList",
        inner,
        PaginationStrategy="NEXTPAGE",
        PreviousPage={"LastRecord": {"Shipment": {"ShipmentKey": last["ShipmentKey"]}}},
    )
    assert shipment_nos(following) == ["PS-5", "PS-6"]  # NEXTPAGE reads the list as it is now
    assert following["IsFirstPage"] == "N"


def test_get_page_resumes_a_release_list(api: Api, fmt: str) -> None:
    key = released(api, "PR-1", "DC_EAST", "DC_WEST", "STORE_0101")
    inner = {"OrderRelease": {"OrderHeaderKey": key}}
    first = page(api, fmt, "getOrderReleaseList", inner)
    nodes = [r["ShipNode"] for r in as_list(first["Output"]["OrderReleaseList"]["OrderRelease"])]
    assert nodes == ["DC_EAST", "DC_WEST"]
    last = first["LastRecord"]["OrderRelease"]
    assert set(last) == {"OrderReleaseKey"}
    rest = page(
        api,
        fmt,
        "getOrderReleaseList",
        inner,
        PaginationStrategy="NEXTPAGE",
        PreviousPage={"LastRecord": {"OrderRelease": last}},
    )
    assert [r["ShipNode"] for r in as_list(rest["Output"]["OrderReleaseList"]["OrderRelease"])] == [
        "STORE_0101"
    ]
    assert rest["IsLastPage"] == "Y"
    resumed = page(api, fmt, "getOrderReleaseList", inner, PageNumber="2", PageSetToken=first["PageSetToken"])
    assert [r["ReleaseNo"] for r in as_list(resumed["Output"]["OrderReleaseList"]["OrderRelease"])] == ["3"]
    expired_token = {"PageNumber": "2", "PageSetToken": "not-a-token"}
    status_code, error = api.error(
        "getPage",
        {
            "PageSize": "2",
            "PaginationStrategy": "GENERIC",
            **expired_token,
            "API": {"Name": "getOrderReleaseList", "Input": inner},
        },
        fmt,
        root="Page",
    )
    assert (status_code, error["ErrorCode"]) == (400, "MOCK0305")


@pytest.mark.parametrize("name", ["getOrderAuditList"])
def test_get_page_over_an_audit_list(api: Api, fmt: str, name: str) -> None:
    key = released(api)
    out = page(api, fmt, name, {"OrderAudit": {"OrderHeaderKey": key}}, PageSize="2")
    audits = as_list(out["Output"]["OrderAuditList"]["OrderAudit"])
    assert len(audits) == 2 and out["IsLastPage"] == "N"
    rest = page(
        api,
        fmt,
        name,
        {"OrderAudit": {"OrderHeaderKey": key}},
        PageNumber="2",
        PageSetToken=out["PageSetToken"],
    )
    assert len(as_list(rest["Output"]["OrderAuditList"]["OrderAudit"])) == 1 and rest["IsLastPage"] == "Y"
