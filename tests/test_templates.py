"""Output templates (reference §11): pruning rules, list roots keeping paging attributes, stored templates."""

from __future__ import annotations

from pathlib import Path

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.queries.templates import apply_template, item_template
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api

DOC = {
    "OrderNo": "1",
    "Status": "Created",
    "TotalOrderList": "9",
    "PriceInfo": {"Currency": "USD", "TotalAmount": "10.00"},
    "OrderLines": {
        "OrderLine": [
            {"PrimeLineNo": "1", "Item": {"ItemID": "A", "UnitOfMeasure": "EACH"}},
            {"PrimeLineNo": "2", "Item": {"ItemID": "B", "UnitOfMeasure": "EACH"}},
        ]
    },
}


def test_named_attributes_and_elements_only() -> None:
    out = apply_template(
        "Order",
        DOC,
        {"OrderNo": "", "OrderLines": {"OrderLine": {"Item": {"ItemID": ""}}}},
        keep_paging=False,
    )
    assert out == {
        "OrderNo": "1",
        "OrderLines": {
            "OrderLine": [
                {"PrimeLineNo": "1", "Item": {"ItemID": "A"}},
                {"PrimeLineNo": "2", "Item": {"ItemID": "B"}},
            ]
        },
    }


def test_element_without_attributes_keeps_all_its_attributes() -> None:
    # IBM: "if an element is specified without attributes, all attributes of that element are returned"
    out = apply_template("Order", DOC, {"PriceInfo": {}}, keep_paging=False)
    price = {"Currency": "USD", "TotalAmount": "10.00"}
    assert out == {"OrderNo": "1", "Status": "Created", "TotalOrderList": "9", "PriceInfo": price}


def test_values_in_the_template_are_ignored_and_absent_attributes_stay_absent() -> None:
    out = apply_template("Order", DOC, {"OrderNo": "anything", "NotThere": ""}, keep_paging=False)
    assert out == {"OrderNo": "1"}


def test_list_roots_keep_paging_attributes() -> None:
    assert apply_template("OrderList", DOC, {"OrderNo": ""}) == {"OrderNo": "1", "TotalOrderList": "9"}


def test_item_template() -> None:
    assert item_template({"Order": [{"OrderNo": ""}]}, "Order") == {"OrderNo": ""}
    assert item_template({"Order": {"OrderNo": ""}}, "OrderLine") is None
    assert item_template(None, "Order") is None


def test_stored_template_folder_for_lists_and_audits(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "orderList.xml").write_text(
        '<OrderList TotalOrderList=""><Order OrderNo=""><OrderLines><OrderLine><Item ItemID=""/></OrderLine>'
        "</OrderLines></Order></OrderList>"
    )
    (tmp_path / "audits.json").write_text('{"OrderAudit": {"ReasonCode": ""}}')
    api = Api(create_app(Settings(db=":memory:", demo_orders=0, template_dir=str(tmp_path))).test_client())
    key = api(
        "createOrder",
        {"EnterpriseCode": "E", "OrderNo": "T1", "OrderLines": {"OrderLine": {"Item": {"ItemID": "X"}}}},
    )["OrderHeaderKey"]
    out = api("getOrderList", {"OrderNo": "T1"}, fmt, query="?_templateId=orderList")
    assert set(out) == {"Order", "TotalOrderList", "LastOrderHeaderKey", "LastRecordSet", "ReadFromHistory"}
    order = as_list(out["Order"])[0]
    assert set(order) == {"OrderNo", "OrderLines"}
    line = as_list(order["OrderLines"]["OrderLine"])[0]
    assert line["Item"] == {"ItemID": "X"}
    assert line["PrimeLineNo"] == "1" and "Notes" not in line  # no attributes named: all of them, no children
    audits = api(
        "getOrderAuditList", {"OrderHeaderKey": key}, fmt, root="OrderAudit", query="?_templateId=audits"
    )
    assert as_list(audits["OrderAudit"]) == [{"ReasonCode": ""}]
