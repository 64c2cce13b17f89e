"""Contract: changeOrder (header, cancel, line actions) and getOrderAuditList (reference §7)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.fixtures import (
    cancel_order_input,
    change_order_input,
    get_order_audit_list_input,
    line_change,
)

from .instance import Instance
from .sterling import Sterling

pytestmark = [pytest.mark.unverified, pytest.mark.writes]
Make = Callable[..., tuple[str, Doc]]


def details(sterling: Sterling, key: str) -> Doc:
    return sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})


def lines_of(order: Doc) -> list[Doc]:
    return as_list(order["OrderLines"].get("OrderLine"))


def test_header_change_answers_the_keys_and_sticks(sterling: Sterling, new_order: Make) -> None:
    key, given = new_order(lines=1)
    out = sterling.invoke("changeOrder", change_order_input(key, CustomerPONo="PO-CHANGED"))
    assert (out["OrderHeaderKey"], out["OrderNo"]) == (key, given["OrderNo"])
    assert details(sterling, key)["CustomerPONo"] == "PO-CHANGED"


def test_empty_value_changes_nothing(sterling: Sterling, new_order: Make) -> None:
    key, given = new_order(lines=1)
    sterling.invoke("changeOrder", change_order_input(key, CustomerPONo=""))
    assert details(sterling, key)["CustomerPONo"] == given["CustomerPONo"]


def test_cancel_whole_order(sterling: Sterling, new_order: Make) -> None:
    key, _ = new_order(lines=2)
    sterling.invoke("changeOrder", cancel_order_input(key))
    order = details(sterling, key)
    assert (order["Status"], order["MinOrderStatus"], order["MaxOrderStatus"]) == (
        "Cancelled",
        "9000",
        "9000",
    )


def test_lower_quantity_is_a_partial_cancel(sterling: Sterling, instance: Instance, new_order: Make) -> None:
    three = {"PrimeLineNo": "1", "OrderedQty": "3", "ShipNode": instance.node, "Item": instance.item(0).doc()}
    key, _ = new_order(OrderLines={"OrderLine": [three]})
    sterling.invoke("changeOrder", change_order_input(key, lines=[line_change("MODIFY", 1, OrderedQty="1")]))
    line = lines_of(details(sterling, key))[0]
    assert float(line["OrderedQty"]) == 1
    rows = {r["Status"]: float(r["StatusQty"]) for r in as_list(line["OrderStatuses"].get("OrderStatus"))}
    assert rows == {"1100": 1, "9000": 2}


def test_line_create_adds_a_line(sterling: Sterling, instance: Instance, new_order: Make) -> None:
    key, _ = new_order(lines=1)
    second = instance.item(1)
    added = line_change("CREATE", 2, OrderedQty="1", ShipNode=instance.node, Item=second.doc())
    sterling.invoke("changeOrder", change_order_input(key, lines=[added]))
    lines = lines_of(details(sterling, key))
    assert [line["PrimeLineNo"] for line in lines] == ["1", "2"]
    assert (lines[1]["Item"]["ItemID"], lines[1]["Item"]["UnitOfMeasure"]) == (second.item_id, second.uom)


def test_unknown_order_is_refused(sterling: Sterling) -> None:
    error = sterling.error("changeOrder", change_order_input("00000000000000000000000", CustomerPONo="X"))
    assert (error.code, error.description) == ("YFS10003", "YFS:Invalid Order")


def test_audit_records_old_and_new_values(sterling: Sterling, new_order: Make) -> None:
    """Reference §7: the default list names each change's levels and modification types, without details;
    getOrderAuditDetails gives the values, inside each level (OrderAuditLevel/OrderAuditDetails)."""
    key, given = new_order(lines=1)
    sterling.invoke("changeOrder", change_order_input(key, CustomerPONo="PO-AUDITED"))
    out = sterling.invoke("getOrderAuditList", get_order_audit_list_input(key))
    audits = as_list(out.get("OrderAudit"))
    assert audits and all(a["OrderHeaderKey"] == key for a in audits)
    assert out["TotalOrderAuditList"] == str(len(audits))
    for audit in audits:
        assert "OrderAuditDetails" not in audit
        for level in as_list(audit["OrderAuditLevels"].get("OrderAuditLevel")):
            assert "OrderAuditDetails" not in level  # details come by template or getOrderAuditDetails
            assert level["ModificationLevel"] in ("ORDER", "ORDER_LINE", "ORDER_RELEASE")
    changes = []
    for audit in audits:
        whole = sterling.invoke("getOrderAuditDetails", {"OrderAuditKey": audit["OrderAuditKey"]})
        assert whole["OrderAuditKey"] == audit["OrderAuditKey"] and "OrderAuditDetails" not in whole
        changes += [
            {"OldValue": attribute.get("OldValue", ""), "NewValue": attribute.get("NewValue", "")}
            for level in as_list(whole["OrderAuditLevels"].get("OrderAuditLevel"))
            for detail in as_list((level.get("OrderAuditDetails") or {}).get("OrderAuditDetail"))
            for attribute in as_list((detail.get("Attributes") or {}).get("Attribute"))
            if attribute["Name"] == "CustomerPONo"
        ]
    assert {"OldValue": given["CustomerPONo"], "NewValue": "PO-AUDITED"} in changes
