"""getOrderAuditList: what createOrder and changeOrder record, and audit.record's interface."""

from __future__ import annotations

from typing import Any

from flask import Flask

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import audit
from tests.conftest import Api
from tests.test_changes import ORDER
from tests.test_lists import at, fake_of


def audits(api: Api, key: str, fmt: str = "json", **filters: Any) -> list[dict[str, Any]]:
    out = api("getOrderAuditList", {"OrderHeaderKey": key, **filters}, fmt, root="OrderAudit")
    return as_list(out.get("OrderAudit"))


def attributes(detail: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {a["Name"]: (a["OldValue"], a["NewValue"]) for a in as_list(detail["Attributes"]["Attribute"])}


def levels(record: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [
        (lv["ModificationLevel"], [t["Name"] for t in as_list(lv["ModificationTypes"]["ModificationType"])])
        for lv in as_list(record["OrderAuditLevels"]["OrderAuditLevel"])
    ]


def test_create_and_change_are_audited(app: Flask, api: Api, fmt: str) -> None:
    at(app, "2025-03-01T10:00:00+00:00")
    key = api("createOrder", ORDER, fmt)["OrderHeaderKey"]
    at(app, "2025-03-01T12:00:00+00:00")
    line_key = api("getOrderLineList", {"OrderHeaderKey": key}, root="OrderLine")["OrderLine"][0][
        "OrderLineKey"
    ]
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
    records = audits(api, key, fmt)
    assert len(records) == 2
    created, changed = records
    assert levels(created)[0] == ("ORDER", ["CREATE"])
    assert attributes(as_list(created["OrderAuditDetails"]["OrderAuditDetail"])[0])["OrderNo"] == ("", "C-1")
    assert (changed["ReasonCode"], changed["ReasonText"]) == ("CUST-REQ", "customer asked")
    assert (changed["Createts"], changed["Modifyuserid"]) == ("2025-03-01T12:00:00+00:00", "admin")
    assert levels(changed) == [("ORDER", ["ADDRESS", "CANCEL", "OTHERS"]), ("ORDER_LINE", ["CANCEL"])]
    assert as_list(changed["OrderAuditLevels"]["OrderAuditLevel"])[1]["OrderLineKey"] == line_key
    details = {d["AuditType"]: d for d in as_list(changed["OrderAuditDetails"]["OrderAuditDetail"])}
    assert attributes(details["Order"])["CustomerPONo"] == ("", "PO-1")
    assert "Modifyts" not in attributes(details["Order"])
    assert attributes(details["PersonInfoShipTo"])["City"] == ("London", "Leeds")
    assert attributes(details["OrderLine"])["OrderedQty"] == ("3", "1")
    ids = {i["Name"]: i["Value"] for i in as_list(details["OrderLine"]["IDs"]["ID"])}
    assert ids == {"OrderHeaderKey": key, "OrderLineKey": line_key}


def test_filters_natural_key_and_errors(app: Flask, api: Api, fmt: str) -> None:
    at(app, "2025-03-01T10:00:00+00:00")
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    at(app, "2025-03-02T10:00:00+00:00")
    api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "A", "ModificationReasonCode": "R1"})
    api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "B", "ModificationReasonCode": "R2"})
    assert [a["ReasonCode"] for a in audits(api, key, fmt, ReasonCode="R2")] == ["R2"]
    assert len(audits(api, key, fmt, FromCreatets="2025-03-02", CreatetsQryType="BETWEEN")) == 2
    assert len(audits(api, key, fmt, MaximumRecords="1")) == 1
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
