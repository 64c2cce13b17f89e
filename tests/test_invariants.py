"""The store consistency checker: silent on a store the APIs built, loud on each kind of corruption."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from flask import Flask

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.invariants import check
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.seeding.seed import SeedOptions, seed_orders
from sterling_mock.mock_server.store.core import Store
from tests.conftest import BASIC

MIX = {"1100": 1.0, "1500": 1.0, "3200": 1.0, "3700": 1.0, "9000": 0.5}


WALK = ("scheduleOrder", "releaseOrder", "createShipment")


@pytest.fixture
def seeded() -> Iterator[Flask]:
    """Seeded orders across the pipeline, plus one order at each step built through the APIs (so each status
    the tests need exists whatever the seeder's mix)."""
    app = create_app(Settings(db=":memory:", demo_orders=0, journal_limit=15))
    seed_orders(app.extensions["sterling_mock"], "default", 16, seed=7, options=SeedOptions(statuses=MIX))
    client = app.test_client()
    for steps in range(len(WALK) + 1):
        line = {"PrimeLineNo": "1", "SubLineNo": "1", "OrderedQty": "2", "Item": {"ItemID": "A"}}
        order = {"EnterpriseCode": "E", "OrderNo": f"WALK-{steps}", "OrderLines": {"OrderLine": [line]}}
        key = client.post("/smcfs/restapi/invoke/createOrder", json=order, headers=BASIC).json[
            "OrderHeaderKey"
        ]
        for api in WALK[:steps]:
            doc: dict[str, Any] = {"OrderHeaderKey": key}
            if api == "createShipment":
                doc = {
                    "ShipmentLines": {
                        "ShipmentLine": [{"OrderHeaderKey": key, "PrimeLineNo": "1", "SubLineNo": "1"}]
                    }
                }
            assert client.post(f"/smcfs/restapi/invoke/{api}", json=doc, headers=BASIC).status_code in (
                200,
                204,
            )
    yield app


def _store(app: Flask) -> Store:
    store: Store = app.extensions["sterling_mock"].store
    return store


def _order(store: Store, status: str) -> tuple[str, dict[str, Any]]:
    with store.read() as tx:
        for key, raw in tx.conn.execute("SELECT ohk, doc FROM orders WHERE ns='default' ORDER BY ohk"):
            order = orjson.loads(raw)
            if order.get("MaxOrderStatus") == status:
                return str(key), order
    raise AssertionError(f"no order at {status}")


def _rewrite(store: Store, key: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Corrupt one stored order behind the APIs' back."""
    with store.write() as tx:
        (raw,) = tx.conn.execute("SELECT doc FROM orders WHERE ns='default' AND ohk=?", (key,)).fetchone()
        order = orjson.loads(raw)
        change(order)
        tx.conn.execute("UPDATE orders SET doc=? WHERE ns='default' AND ohk=?", (orjson.dumps(order), key))


def test_a_store_built_by_the_apis_is_consistent(seeded: Flask) -> None:
    client = seeded.test_client()
    for number in range(25):  # past the journal limit and the getPage cache limit
        page = {"PageNumber": "1", "PageSize": "2", "PaginationStrategy": "GENERIC", "Refresh": "Y"}
        page["API"] = {"Name": "getOrderList", "Input": {"Order": {"OrderNo": f"~{number}"}}}  # type: ignore[assignment]
        assert client.post("/smcfs/restapi/invoke/getPage", json=page, headers=BASIC).status_code == 200
    assert check(_store(seeded), journal_limit=15, page_sets=20) == []


def test_min_max_out_of_step_with_status_rows_is_reported(seeded: Flask) -> None:
    store = _store(seeded)
    key, _ = _order(store, "3350")
    _rewrite(store, key, lambda o: o.update(MaxOrderStatus="1100"))
    assert any(f"default/{key}: order Min/Max" in p for p in check(store))


def test_line_min_max_out_of_step_is_reported(seeded: Flask) -> None:
    store = _store(seeded)
    key, _ = _order(store, "1500")
    _rewrite(store, key, lambda o: o["OrderLines"]["OrderLine"][0].update(MaxLineStatus="3700"))
    assert any(f"default/{key} line" in p and "Min/Max" in p for p in check(store))


def test_status_quantities_not_adding_up_is_reported(seeded: Flask) -> None:
    store = _store(seeded)
    key, _ = _order(store, "1100")

    def double(order: dict[str, Any]) -> None:
        row = order["OrderLines"]["OrderLine"][0]["OrderStatuses"]["OrderStatus"][0]
        row["StatusQty"] = str(float(row["StatusQty"]) * 2 + 1)

    _rewrite(store, key, double)
    assert any("status quantities" in p for p in check(store))


def test_totals_not_matching_lines_is_reported(seeded: Flask) -> None:
    store = _store(seeded)
    key, _ = _order(store, "1100")
    _rewrite(store, key, lambda o: o["OverallTotals"].update(LineSubTotal="0.01"))
    assert any("LineSubTotal 0.01" in p for p in check(store))


def test_natural_key_columns_out_of_step_are_reported(seeded: Flask) -> None:
    store = _store(seeded)
    key, _ = _order(store, "1100")
    _rewrite(store, key, lambda o: o.update(OrderNo="SOMETHING-ELSE"))
    assert f"default/{key}: natural key columns differ from the stored order" in check(store)


def test_orphans_and_cache_bounds_are_reported(seeded: Flask) -> None:
    store = _store(seeded)
    key, _ = _order(store, "3200")
    with store.write() as tx:
        tx.conn.execute("DELETE FROM orders WHERE ns='default' AND ohk=?", (key,))
        tx.conn.execute(
            "INSERT INTO page_rows(ns, token, pos, key, doc) VALUES('default', 'gone', 0, 'k', NULL)"
        )
        for _ in range(3):
            tx.conn.execute(
                "INSERT INTO journal(ns, time, user, transport, api, http_status, duration_ms, error_code, "
                "fault) VALUES('x', '', '', 'rest', 'a', 200, 0, '', '')"
            )
    problems = check(store, journal_limit=2)
    assert any("OrderRelease" in p and f"missing order {key}" in p for p in problems)
    assert any("OrderLine" in p and f"missing order {key}" in p for p in problems)
    assert "1 getPage rows outlive their result set" in problems
    assert "x: journal holds 3 entries, over its limit 2" in problems


def test_shipping_more_than_was_ordered_is_reported(seeded: Flask) -> None:
    store = _store(seeded)
    with store.write() as tx:
        key, raw = tx.conn.execute(
            "SELECT shipment_key, doc FROM shipments WHERE ns='default' LIMIT 1"
        ).fetchone()
        shipment = orjson.loads(raw)
        shipment["ShipmentLines"]["ShipmentLine"][0]["Quantity"] = "999"
        tx.conn.execute(
            "UPDATE shipments SET doc=? WHERE ns='default' AND shipment_key=?", (orjson.dumps(shipment), key)
        )
    assert any("is in shipments for 999" in p for p in check(store))
