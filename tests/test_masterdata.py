"""Master data: the packaged default and replacement files, lenient by default, strict errors (YCM0033,
YFS10048, YDM00085, MOCK0202), inventory-driven backorders and cancellations that free supply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain import masterdata
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api
from tests.test_lifecycle import create, details, release, rows, schedule, summary


def strict_api(**settings: Any) -> Api:
    app = create_app(Settings(db=":memory:", demo_orders=0, strict_master_data=True, **settings))
    return Api(app.test_client())


def one_line(item: str, qty: str, **line: Any) -> dict[str, Any]:
    return {
        "OrderLine": [
            {"OrderedQty": qty, "Item": {"ItemID": item}, "LinePriceInfo": {"UnitPrice": "1"}, **line}
        ]
    }


def test_default_file_is_realistic() -> None:
    data = masterdata.load_file()
    kinds = {kind for kind, _, _ in data.records}
    assert kinds == {"enterprise", "seller", "node", "item"}
    codes = {code for kind, code, _ in data.records if kind == "enterprise"}
    assert codes == {"Matrix-R", "Aurora", "NorthWind", "Globex"}
    assert ("SHOE-100", "DC_EAST", 500.0) in data.supply


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "expected an object"),
        ('{"items": {}}', "items must be a list"),
        ('{"nodes": [{"Description": "x"}]}', "needs ShipNode"),
        ('{"items": [{"ItemID": "A", "Inventory": {"N": "many"}}]}', "inventory at N"),
        ("{", "master data file"),
    ],
)
def test_bad_files_fail_at_start(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "md.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        create_app(Settings(db=":memory:", demo_orders=0, master_data_file=str(path)))


def test_lenient_accepts_unknown_items_and_nodes(api: Api) -> None:
    key = create(api, OrderNo="LEN", OrderLines=one_line("NO-SUCH-ITEM", "1000", ShipNode="NOWHERE"))
    schedule(api, key)
    order = details(api, key)
    assert summary(order) == ("Scheduled", "1500", "1500")
    assert order["OrderLines"]["OrderLine"][0]["OrderStatuses"]["OrderStatus"][0]["ShipNode"] == "NOWHERE"


def test_strict_item_node_and_enterprise_errors(fmt: str) -> None:
    api = strict_api()
    status, error = api.error(
        "createOrder", {"EnterpriseCode": "Matrix-R", "OrderLines": one_line("NO-SUCH-ITEM", "1")}, fmt
    )
    assert (status, error["ErrorCode"], error["ErrorDescription"]) == (400, "YCM0033", "Item Not Found")
    status, error = api.error(
        "createOrder",
        {"EnterpriseCode": "Matrix-R", "OrderLines": one_line("SHOE-100", "1", ShipNode="MARS")},
        fmt,
    )
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YFS10048", "YFS:Invalid Node")
    more = error.get("MoreInfo") or {a["Name"]: a["Value"] for a in as_list(error["Attribute"])}
    assert more["ShipNode"] == "MARS"
    status, error = api.error(
        "createOrder", {"EnterpriseCode": "Acme", "OrderLines": one_line("SHOE-100", "1")}, fmt
    )
    assert error["ErrorCode"] == "MOCK0202"
    status, error = api.error(
        "createOrder",
        {
            "EnterpriseCode": "Matrix-R",
            "OrderLines": one_line("TEE-PACK3", "1", Item={"ItemID": "TEE-PACK3", "UnitOfMeasure": "EACH"}),
        },
        fmt,
    )
    assert error["ErrorCode"] == "YCM0033"
    assert api("getOrderList", {}, fmt)["TotalOrderList"] == "0"


def test_strict_shipment_node_answers_ydm00085() -> None:
    api = strict_api()
    key = create(api)
    schedule(api, key, ScheduleAndRelease="Y")
    line = {"OrderHeaderKey": key, "PrimeLineNo": "1", "SubLineNo": "1"}
    _status, error = api.error(
        "createShipment", {"ShipNode": "MARS", "ShipmentLines": {"ShipmentLine": [line]}}, root="Shipment"
    )
    assert (error["ErrorCode"], error["ErrorDescription"]) == (
        "YDM00085",
        "ShipNode does not exist in the system.",
    )


def test_backorder_from_inventory_and_cancel_frees_it() -> None:
    api = strict_api()
    scarce = create(api, OrderNo="B-1", OrderLines=one_line("LMP-104", "3"))  # 2 on hand at DC_EAST only
    schedule(api, scarce)
    order = details(api, scarce)
    assert sorted(rows(order)) == [("1300", "1.00"), ("1500", "2.00")]
    assert summary(order) == ("Partially Scheduled", "1300", "1500")
    gone = create(api, OrderNo="B-2", OrderLines=one_line("WCH-104", "1"))  # out of stock everywhere
    schedule(api, gone)
    assert summary(details(api, gone)) == ("Backordered", "1300", "1300")
    other = create(api, OrderNo="B-3", OrderLines=one_line("LMP-104", "1"))
    schedule(api, other)
    assert rows(details(api, other)) == [("1300", "1.00")]
    api("changeOrder", {"OrderHeaderKey": scarce, "Action": "CANCEL"})  # frees the 2 held at DC_EAST
    schedule(api, other)
    assert rows(details(api, other)) == [("1500", "1.00")]


def test_sourcing_splits_over_nodes_and_check_inventory_n() -> None:
    api = strict_api()
    key = create(api, OrderNo="SPLIT", OrderLines=one_line("SHOE-101", "12", ShipNode="STORE_0101"))
    schedule(api, key)  # the line's own node holds 10
    assert sorted(rows(details(api, key))) == [("1300", "2.00"), ("1500", "10.00")]
    free = create(api, OrderNo="FREE", OrderLines=one_line("SHOE-101", "600"))
    schedule(api, free)  # the enterprise's node first (DC_EAST 500), then the others
    nodes = [
        r["ShipNode"]
        for r in details(api, free)["OrderLines"]["OrderLine"][0]["OrderStatuses"]["OrderStatus"]
    ]
    assert nodes[0] == "DC_EAST" and len(nodes) == 2
    unchecked = create(api, OrderNo="NOCHECK", OrderLines=one_line("WCH-104", "5"))
    schedule(api, unchecked, CheckInventory="N")
    assert rows(details(api, unchecked)) == [("1500", "5.00")]
    release(api, unchecked)


def test_replacement_file_and_reset_reload(tmp_path: Path) -> None:
    path = tmp_path / "md.json"
    path.write_text(
        json.dumps(
            {
                "enterprises": [{"OrganizationCode": "ACME", "DefaultShipNode": "N1"}],
                "nodes": [{"ShipNode": "N1"}],
                "items": [{"ItemID": "W", "UnitOfMeasure": "EACH", "Inventory": {"N1": 1}}],
            }
        )
    )
    app = create_app(
        Settings(db=":memory:", demo_orders=0, strict_master_data=True, master_data_file=str(path))
    )
    api = Api(app.test_client())
    key = create(api, EnterpriseCode="ACME", OrderLines=one_line("W", "2"))
    schedule(api, key)
    assert sorted(rows(details(api, key))) == [("1300", "1.00"), ("1500", "1.00")]
    assert (
        api.error("createOrder", {"EnterpriseCode": "ACME", "OrderLines": one_line("SHOE-100", "1")})[1][
            "ErrorCode"
        ]
        == "YCM0033"
    )
    app.test_client().post("/_fake/reset", json={})
    key = create(api, EnterpriseCode="ACME", OrderLines=one_line("W", "1"))
    schedule(api, key)
    assert rows(details(api, key)) == [("1500", "1.00")]
