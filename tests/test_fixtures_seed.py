"""Bulk seeding: clones of prototype orders are whole orders (every API reads them as it reads created ones),
keys and numbers stay unique and continue afterwards, and the same seed and clock give the same store."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list
from sterling_mock.fixtures.validate import validate
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.seeding import seed

HEADERS = {
    "Authorization": "Basic " + base64.b64encode(b"admin:password").decode(),
    "Content-Type": "application/json",
}
FROZEN = "2025-01-27T10:17:09+00:00"


@pytest.fixture(autouse=True)
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed, "BULK_FROM", 50)
    monkeypatch.setattr(seed, "PROTOTYPES", 12)
    monkeypatch.setattr("sterling_mock.mock_server.seeding.bulk.CHUNK", 70)  # several chunks, one left short


def seeded(count: int, seed_value: int = 3) -> tuple[Flask, FlaskClient]:
    app = create_app(Settings(db=":memory:", demo_orders=0))
    client = app.test_client()
    for body in ({"freeze": True}, {"set": FROZEN}):  # freeze first: setting a frozen clock is exact
        assert client.post("/_fake/clock", json=body).status_code == 200
    fake: Fake = app.extensions["sterling_mock"]
    assert seed.seed_orders(fake, "default", count, seed=seed_value) == count
    return app, client


def call(client: FlaskClient, api: str, doc: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/smcfs/restapi/invoke/{api}", data=json.dumps(doc), headers=HEADERS)
    assert response.status_code == 200, response.data[:500]
    result: dict[str, Any] = response.get_json()
    return result


def rows(app: Flask, sql: str) -> list[tuple[Any, ...]]:
    fake: Fake = app.extensions["sterling_mock"]
    with fake.store.read() as tx:
        return [tuple(r) for r in tx.conn.execute(sql).fetchall()]


def test_clones_are_whole_orders() -> None:
    app, client = seeded(230)
    listed = call(client, "getOrderList", {"MaximumRecords": "500"})
    orders = listed["Order"]
    assert listed["TotalOrderList"] == "230"
    assert len({o["OrderHeaderKey"] for o in orders}) == 230
    assert len({(o["EnterpriseCode"], o["OrderNo"]) for o in orders}) == 230
    validate(json.dumps(listed).encode(), "order_list", root="OrderList")
    for summary in orders[-25:]:  # clones come last
        order = call(client, "getOrderDetails", {"OrderHeaderKey": summary["OrderHeaderKey"]})
        validate(order, "order_details", root="Order")
        assert (order["OrderNo"], order["OrderDate"]) == (summary["OrderNo"], summary["OrderDate"])
        line_keys = [line["OrderLineKey"] for line in as_list(order["OrderLines"]["OrderLine"])]
        found = call(client, "getOrderLineList", {"OrderHeaderKey": order["OrderHeaderKey"]})
        assert [line["OrderLineKey"] for line in as_list(found.get("OrderLine"))] == line_keys
        assert all(k.startswith("20250127101709") for k in line_keys)
    all_keys = rows(app, "SELECT olk FROM order_lines")
    assert len(all_keys) == len(set(all_keys))


def test_dates_spread_and_filters_use_the_columns() -> None:
    _, client = seeded(120)
    orders = call(client, "getOrderList", {"MaximumRecords": "500"})["Order"]
    days = {o["OrderDate"][:10] for o in orders}
    assert len(days) > 30  # spread over the 90 days before the clock
    pick = orders[-1]
    by_date = call(
        client,
        "getOrderList",
        {"FromOrderDate": pick["OrderDate"], "ToOrderDate": pick["OrderDate"], "OrderDateQryType": "BETWEEN"},
    )
    assert pick["OrderHeaderKey"] in [o["OrderHeaderKey"] for o in by_date["Order"]]


def test_changes_and_new_orders_after_bulk_seeding() -> None:
    _, client = seeded(90)
    orders = call(client, "getOrderList", {"MaximumRecords": "500", "EnterpriseCode": "Matrix-R"})["Order"]
    last = max(int(o["OrderNo"][1:]) for o in orders)
    made = call(
        client,
        "createOrder",
        {
            "EnterpriseCode": "Matrix-R",
            "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "X"}}]},
        },
    )
    assert made["OrderNo"] == f"Y{last + 1:09d}"
    clone = orders[-1]["OrderHeaderKey"]
    call(client, "changeOrder", {"OrderHeaderKey": clone, "Action": "CANCEL"})
    assert call(client, "getOrderDetails", {"OrderHeaderKey": clone})["Status"] == "Cancelled"


def test_same_seed_same_store_and_another_seed_differs() -> None:
    query = "SELECT ohk, order_no, order_date, doc, r_list_json, r_list_xml FROM orders ORDER BY id"
    first = rows(seeded(100, 3)[0], query)
    assert rows(seeded(100, 3)[0], query) == first
    assert rows(seeded(100, 4)[0], query) != first


def test_status_mix_keeps_the_order_by_order_path() -> None:
    app = create_app(Settings(db=":memory:", demo_orders=0))
    fake: Fake = app.extensions["sterling_mock"]
    options = seed.SeedOptions(statuses={"1500": 1.0})
    assert seed.seed_orders(fake, "default", 60, seed=1, options=options) == 60
    assert {r[0] for r in rows(app, "SELECT max_status FROM orders")} == {statuses.sort_key("1500")}


@pytest.mark.sqlite_only
def test_file_store_rebuilds_the_dropped_indexes(tmp_path: Path) -> None:
    app = create_app(Settings(db=str(tmp_path / "bulk.db"), demo_orders=0))
    fake: Fake = app.extensions["sterling_mock"]
    assert seed.seed_orders(fake, "default", 150, seed=2) == 150
    names = {r[0] for r in rows(app, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"orders_date", "order_lines_item"} <= names
    assert rows(app, "PRAGMA journal_mode") == [("wal",)]
    client = app.test_client()
    item = rows(app, "SELECT item_id FROM order_lines ORDER BY olk DESC LIMIT 1")[0][0]
    found = call(client, "getOrderLineList", {"Item": {"ItemID": item}, "MaximumRecords": "500"})
    assert found["OrderLine"] and all(line["Item"]["ItemID"] == item for line in found["OrderLine"])
