"""getOrderAuditList and getOrderAuditDetails in the shape of reference §7, on every door (REST in JSON and
XML, the interop servlet, multiApi): the default list has no details; the changed values sit inside each
``OrderAuditLevel`` (``OrderAuditDetails/OrderAuditDetail AuditType Action`` with ``Attributes/Attribute`` and
``IDs/ID``) and come by template or getOrderAuditDetails.  Also what createOrder and changeOrder record, and
``audit.record``'s interface."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list, from_xml
from sterling_mock.fixtures.validate import SchemaViolation, validate
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import audit
from tests.conftest import Api
from tests.test_changes import ORDER
from tests.test_interop import java_call
from tests.test_lists import at, fake_of

Doc = dict[str, Any]
#: IBM's default getOrderAuditList template (reference §7), written out.
SUMMARY = {
    "AuditTransactionId",
    "Modifyts",
    "Modifyuserid",
    "ReasonCode",
    "ReasonText",
    "OrderAuditKey",
    "OrderHeaderKey",
    "OrderLineKey",
    "OrderReleaseKey",
    "Order",
    "OrderAuditLevels",
}
LEVEL = {"ModificationLevel", "OrderLineKey", "OrderReleaseKey", "ModificationTypes"}
DETAILS_TEMPLATE = {
    "OrderAudit": {
        "OrderAuditKey": "",
        "ReasonCode": "",
        "OrderAuditLevels": {
            "OrderAuditLevel": {
                "ModificationLevel": "",
                "OrderLineKey": "",
                "OrderAuditDetails": {
                    "OrderAuditDetail": {
                        "AuditType": "",
                        "Action": "",
                        "Attributes": {"Attribute": {}},
                        "IDs": {"ID": {}},
                    }
                },
            }
        },
    }
}


def audit_list(api: Api, key: str, fmt: str = "json", **filters: Any) -> Doc:
    return api("getOrderAuditList", {"OrderHeaderKey": key, **filters}, fmt, root="OrderAudit")


def audits(api: Api, key: str, fmt: str = "json", **filters: Any) -> list[Doc]:
    return as_list(audit_list(api, key, fmt, **filters).get("OrderAudit"))


def attributes(detail: Doc) -> dict[str, tuple[str, str]]:
    return {a["Name"]: (a["OldValue"], a["NewValue"]) for a in as_list(detail["Attributes"]["Attribute"])}


def level_list(record: Doc) -> list[Doc]:
    return as_list(record["OrderAuditLevels"]["OrderAuditLevel"])


def levels(record: Doc) -> list[tuple[str, list[str]]]:
    return [
        (lv["ModificationLevel"], [t["Name"] for t in as_list(lv["ModificationTypes"]["ModificationType"])])
        for lv in level_list(record)
    ]


def details_by_level(record: Doc) -> list[tuple[str, str, dict[str, Doc]]]:
    """(ModificationLevel, OrderLineKey, {AuditType: detail}) per level: the details sit inside the levels."""
    return [
        (
            lv["ModificationLevel"],
            lv["OrderLineKey"],
            {d["AuditType"]: d for d in as_list((lv.get("OrderAuditDetails") or {}).get("OrderAuditDetail"))},
        )
        for lv in level_list(record)
    ]


def changed_order(app: Flask, api: Api, fmt: str = "json") -> tuple[str, str]:
    """An order created at 10:00 and changed at 12:00 (header, address, a line's quantity): (key, line key)."""
    at(app, "2025-03-01T10:00:00+00:00")
    key = api("createOrder", ORDER, fmt)["OrderHeaderKey"]
    at(app, "2025-03-01T12:00:00+00:00")
    lines = api("getOrderLineList", {"OrderHeaderKey": key}, root="OrderLine")["OrderLine"]
    line_key = lines[0]["OrderLineKey"]
    api(
        "changeOrder",
        {
            "OrderHeaderKey": key,
            "CustomerPONo": "PO-1",
            "ModificationReasonCode": "CUST-REQ",
            "ModificationReasonText": "customer asked",
            "PersonInfoShipTo": {"City": "Leeds"},
            "OrderLines": {"OrderLine": {"OrderLineKey": line_key, "OrderedQty": "1"}},
        },
        fmt,
    )
    return key, line_key


def check_default_shape(out: Doc, key: str, count: int) -> list[Doc]:
    """The default getOrderAuditList output, whatever the door: root paging attributes, the summary
    attributes and ``Order``, levels without details, and the XSD (which refuses details under OrderAudit)."""
    validate(out, "order_audit_list", root="OrderAuditList")
    records = as_list(out.get("OrderAudit"))
    assert (out["TotalOrderAuditList"], out["LastRecordSet"]) == (str(count), "Y")
    assert out["LastOrderAuditKey"] == records[-1]["OrderAuditKey"]
    for record in records:
        assert set(record) == SUMMARY, sorted(record)
        assert record["OrderHeaderKey"] == key
        # OrderAudit/Order: an array in JSON by the wire's prefix rule (OrderAudit starts with Order)
        keys = {"DocumentType": "0001", "EnterpriseCode": "Matrix-R", "OrderNo": "C-1"}
        assert as_list(record["Order"]) == [keys]
        for level in level_list(record):
            assert set(level) - {"OrderLine"} == LEVEL, sorted(level)
            assert ("OrderLine" in level) == (level["ModificationLevel"] == "ORDER_LINE")
    return records


def check_details(record: Doc, key: str, line_key: str) -> None:
    """The change's details, each inside its level: header elements in ORDER, the line's in its level."""
    (order_level, _, header), (line_level, on_line, line) = details_by_level(record)
    assert (order_level, line_level, on_line) == ("ORDER", "ORDER_LINE", line_key)
    assert set(header) == {"Order", "PersonInfoShipTo", "PriceInfo"} and set(line) == {"OrderLine"}
    assert {d["Action"] for d in (*header.values(), *line.values())} == {"Update"}
    assert attributes(header["Order"])["CustomerPONo"] == ("", "PO-1")
    assert "Modifyts" not in attributes(header["Order"])
    assert attributes(header["PersonInfoShipTo"])["City"] == ("London", "Leeds")
    assert attributes(line["OrderLine"])["OrderedQty"] == ("3", "1")
    ids = {i["Name"]: i["Value"] for i in as_list(line["OrderLine"]["IDs"]["ID"])}
    assert ids == {"OrderHeaderKey": key, "OrderLineKey": line_key}


# ------------------------------------------------------------------------------------------ REST, JSON and XML


def test_default_list_has_levels_and_no_details(app: Flask, api: Api, fmt: str) -> None:
    key, line_key = changed_order(app, api, fmt)
    created, changed = check_default_shape(audit_list(api, key, fmt), key, 2)
    assert levels(created)[0] == ("ORDER", ["CREATE"])
    assert (changed["ReasonCode"], changed["ReasonText"]) == ("CUST-REQ", "customer asked")
    assert (changed["Modifyts"], changed["Modifyuserid"]) == ("2025-03-01T12:00:00+00:00", "admin")
    assert levels(changed) == [("ORDER", ["ADDRESS", "CANCEL", "OTHERS"]), ("ORDER_LINE", ["CANCEL"])]
    line_level = level_list(changed)[1]
    assert line_level["OrderLineKey"] == line_key
    assert (line_level["OrderLine"]["PrimeLineNo"], line_level["OrderLine"]["Item"]["ItemID"]) == (
        "1",
        "SHOE",
    )


def test_details_by_get_order_audit_details(app: Flask, api: Api, fmt: str) -> None:
    key, line_key = changed_order(app, api, fmt)
    summary = audits(api, key, fmt)[-1]
    whole = api("getOrderAuditDetails", {"OrderAuditKey": summary["OrderAuditKey"]}, fmt, root="OrderAudit")
    validate(whole, "order_audit_details", root="OrderAudit")
    assert "OrderAuditDetails" not in whole  # never directly under OrderAudit
    check_details(whole, key, line_key)
    assert (whole["Createts"], whole["Createuserid"]) == ("2025-03-01T12:00:00+00:00", "admin")
    created = api(
        "getOrderAuditDetails",
        {"OrderAuditKey": audits(api, key)[0]["OrderAuditKey"]},
        fmt,
        root="OrderAudit",
    )
    header = details_by_level(created)[0][2]["Order"]
    assert header["Action"] == "Create" and attributes(header)["OrderNo"] == ("", "C-1")
    status, error = api.error("getOrderAuditDetails", {"OrderAuditKey": "404"}, fmt, root="OrderAudit")
    assert (status, error["ErrorCode"]) == (400, "MOCK0311")
    status, error = api.error("getOrderAuditDetails", {"OrderAuditKey": ""}, fmt, root="OrderAudit")
    assert (status, error["ErrorCode"]) == (400, "MOCK0100")


def test_details_by_template_on_the_list(app: Flask, api: Api, fmt: str) -> None:
    key, line_key = changed_order(app, api, fmt)
    out = api("multiApi", multi(key, DETAILS_TEMPLATE), fmt, root="MultiApi")
    listed = as_list(out["API"])[0]["Output"]["OrderAuditList"]
    assert listed["TotalOrderAuditList"] == "2"  # the list root keeps its paging attributes
    changed = as_list(listed["OrderAudit"])[-1]
    assert set(changed) == {"OrderAuditKey", "ReasonCode", "OrderAuditLevels"}
    check_details(changed, key, line_key)


def multi(key: str, template: Doc | None = None) -> Doc:
    call: Doc = {"Name": "getOrderAuditList", "Input": {"OrderAudit": {"OrderHeaderKey": key}}}
    if template is not None:
        call["Template"] = {"OrderAuditList": template}
    return {"API": [call]}


def test_multi_api_default_has_no_details(app: Flask, api: Api, fmt: str) -> None:
    key, _ = changed_order(app, api, fmt)
    out = api("multiApi", multi(key), fmt, root="MultiApi")
    check_default_shape(as_list(out["API"])[0]["Output"]["OrderAuditList"], key, 2)


# ------------------------------------------------------------------------------------------ the interop servlet


def test_interop_servlet_default_and_template(app: Flask, api: Api, client: FlaskClient) -> None:
    key, line_key = changed_order(app, api)
    body = java_call(client, "getOrderAuditList", "OrderAudit", {"OrderHeaderKey": key})
    validate(body, "order_audit_list", root="OrderAuditList")
    root, out = from_xml(body)
    assert root == "OrderAuditList"
    check_default_shape(out, key, 2)
    template = (
        '<OrderAuditList><OrderAudit OrderAuditKey="" ReasonCode=""><OrderAuditLevels><OrderAuditLevel '
        'ModificationLevel="" OrderLineKey=""><OrderAuditDetails><OrderAuditDetail AuditType="" Action="">'
        "<Attributes><Attribute/></Attributes><IDs><ID/></IDs></OrderAuditDetail></OrderAuditDetails></OrderAuditLevel></OrderAuditLevels>"
        "</OrderAudit></OrderAuditList>"
    )
    body = java_call(
        client, "getOrderAuditList", "OrderAudit", {"OrderHeaderKey": key}, TemplateData=template
    )
    check_details(as_list(from_xml(body)[1]["OrderAudit"])[-1], key, line_key)
    audit_key = as_list(out["OrderAudit"])[-1]["OrderAuditKey"]
    whole = java_call(client, "getOrderAuditDetails", "OrderAudit", {"OrderAuditKey": audit_key})
    validate(whole, "order_audit_details", root="OrderAudit")
    check_details(from_xml(whole)[1], key, line_key)


# ------------------------------------------------------------------------------------------ the old shape fails


def test_the_old_shape_is_refused() -> None:
    """Details directly under OrderAudit (the fake's shape before), or no Order/paging attributes: refused."""
    good: Doc = {
        "TotalOrderAuditList": "1",
        "LastOrderAuditKey": "1",
        "LastRecordSet": "Y",
        "OrderAudit": [
            {
                **dict.fromkeys(SUMMARY - {"Order", "OrderAuditLevels"}, ""),
                "OrderAuditKey": "1",
                "OrderHeaderKey": "1",
                "Modifyts": "2025-03-01T12:00:00+00:00",
                "Order": {"DocumentType": "0001", "EnterpriseCode": "E", "OrderNo": "1"},
                "OrderAuditLevels": {
                    "OrderAuditLevel": [
                        {"ModificationLevel": "ORDER", "OrderLineKey": "", "OrderReleaseKey": ""}
                    ]
                },
            }
        ],
    }
    validate(good, "order_audit_list", root="OrderAuditList")
    old = {**good, "OrderAudit": [{**good["OrderAudit"][0], "OrderAuditDetails": {"OrderAuditDetail": []}}]}
    with pytest.raises(SchemaViolation, match="OrderAuditDetails"):
        validate(old, "order_audit_list", root="OrderAuditList")
    with pytest.raises(SchemaViolation, match="TotalOrderAuditList"):
        validate({"OrderAudit": good["OrderAudit"]}, "order_audit_list", root="OrderAuditList")
    operation = {"AuditType": "Order", "Operation": "Update"}  # the old name of Action
    level = {"ModificationLevel": "ORDER", "OrderLineKey": "", "OrderReleaseKey": ""}
    level["OrderAuditDetails"] = {"OrderAuditDetail": [operation]}  # type: ignore[assignment]
    whole = {**good["OrderAudit"][0], "OrderAuditLevels": {"OrderAuditLevel": [level]}}
    with pytest.raises(SchemaViolation, match="Action"):
        validate(whole, "order_audit_details", root="OrderAudit")


# ------------------------------------------------------------------------------------------ filters, interface


def test_filters_natural_key_and_errors(app: Flask, api: Api, fmt: str) -> None:
    at(app, "2025-03-01T10:00:00+00:00")
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    at(app, "2025-03-02T10:00:00+00:00")
    api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "A", "ModificationReasonCode": "R1"})
    api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "B", "ModificationReasonCode": "R2"})
    assert [a["ReasonCode"] for a in audits(api, key, fmt, ReasonCode="R2")] == ["R2"]
    assert len(audits(api, key, fmt, FromCreatets="2025-03-02", CreatetsQryType="BETWEEN")) == 2
    capped = audit_list(api, key, fmt, MaximumRecords="1")
    assert (len(as_list(capped["OrderAudit"])), capped["LastRecordSet"]) == (1, "N")
    by_no = api("getOrderAuditList", {"EnterpriseCode": "Matrix-R", "OrderNo": "C-1"}, fmt, root="OrderAudit")
    assert len(as_list(by_no["OrderAudit"])) == 3
    _, error = api.error("getOrderAuditList", {"OrderHeaderKey": "404"}, fmt, root="OrderAudit")
    assert error["ErrorCode"] == "YFS10003"
    _, error = api.error(
        "getOrderAuditList",
        {"OrderHeaderKey": key, "CreatetsQryType": "LIKE", "Createts": "2025"},
        fmt,
        root="OrderAudit",
    )
    assert error["ErrorCode"] == "MOCK0300"


def test_record_interface_for_status_transitions(app: Flask, api: Api) -> None:
    """How the lifecycle APIs call it: a status move is audited at the order and line levels."""
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    fake = fake_of(app)
    with fake.store.write() as tx:
        ctx = Ctx(tx=tx, ns="default", user="agent", settings=fake.settings, pipelines=fake.pipelines)
        before = tx.get_order("default", key)
        assert before is not None
        after = {**before, "MaxOrderStatus": "1500"}
        after["OrderLines"] = {
            "OrderLine": [{**ln, "MaxLineStatus": "1500"} for ln in before["OrderLines"]["OrderLine"]]
        }
        audit.record(ctx, before, after, ["SCHEDULE"], "AUTO", "agent run")
        audit.record(ctx, after, after, ["NOTHING"])  # no change: no record
    last = audits(api, key)[-1]
    assert levels(last) == [
        ("ORDER", ["SCHEDULE"]),
        ("ORDER_LINE", ["SCHEDULE"]),
        ("ORDER_LINE", ["SCHEDULE"]),
    ]
    assert (last["ReasonCode"], last["Modifyuserid"]) == ("AUTO", "agent")
    assert len(audits(api, key)) == 2
