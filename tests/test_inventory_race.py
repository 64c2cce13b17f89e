"""No overselling: 32 concurrent reserveAvailableInventory or scheduleOrder calls against one item at one node,
through a real server (gunicorn, 2 workers), hand out exactly the supply, on SQLite and on PostgreSQL.

Without the store's write lock (SQLite's BEGIN IMMEDIATE; PostgreSQL's advisory lock) and the item's row lock
every call would read the same free quantity and each would take it: the sums below would exceed the supply.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.store import db, pgcluster
from tests.conftest import LiveServer

AUTH = ("admin", "password")
CALLS = 32
SUPPLY = 20
ITEM = "RACE-1"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = Path(tmp_path_factory.mktemp("race"))
    cluster = None
    url = None
    if request.param == "postgresql":
        base = os.environ.get(db.REDIRECT_ENV, "")
        if not base:
            try:
                cluster = pgcluster.start()
            except pgcluster.Unavailable as exc:
                pytest.skip(str(exc))
            base = cluster.url
        url = db.with_schema(base, "race_" + uuid.uuid4().hex[:8])
    live = LiveServer(tmp, "--workers", "2", db=url)
    yield live
    live.stop()
    if cluster is not None:
        cluster.stop()


def call(server: LiveServer, api: str, doc: dict[str, Any], ns: str) -> requests.Response:
    return requests.post(
        f"{server.base_url}/invoke/{api}",
        json=doc,
        auth=AUTH,
        headers={"X-Sterling-Mock-Namespace": ns},
        timeout=60,
    )


def stock(server: LiveServer, ns: str) -> None:
    body = {"namespace": ns, "supply": [{"ItemID": ITEM, "ShipNode": "DC_EAST", "Quantity": SUPPLY}]}
    response = requests.put(f"{server.url}/_fake/inventory", json=body, timeout=30)
    assert response.status_code == 200, response.text


def free(server: LiveServer, ns: str) -> list[dict[str, str]]:
    response = requests.get(
        f"{server.url}/_fake/inventory?item={ITEM}", headers={"X-Sterling-Mock-Namespace": ns}, timeout=30
    )
    return list(response.json()["availability"])


def test_concurrent_reservations_hand_out_exactly_the_supply(server: LiveServer) -> None:
    ns = "race-" + uuid.uuid4().hex[:8]
    stock(server, ns)
    promise = {
        "OrganizationCode": "Matrix-R",
        "PromiseLines": {
            "PromiseLine": [{"LineId": "1", "ItemID": ITEM, "RequiredQty": "1", "ShipNode": "DC_EAST"}]
        },
    }

    def reserve(_: int) -> str:
        response = call(server, "reserveAvailableInventory", promise, ns)
        assert response.status_code == 200, response.text
        return str(as_list(response.json()["PromiseLines"]["PromiseLine"])[0]["ReservedQty"])

    with ThreadPoolExecutor(CALLS) as pool:
        reserved = list(pool.map(reserve, range(CALLS)))
    assert sorted(reserved).count("1") == SUPPLY
    assert sorted(reserved).count("0") == CALLS - SUPPLY
    assert [(r["Reserved"], r["Available"]) for r in free(server, ns)] == [(str(SUPPLY), "0")]


def test_concurrent_scheduling_hands_out_exactly_the_supply(server: LiveServer) -> None:
    ns = "race-" + uuid.uuid4().hex[:8]
    stock(server, ns)
    keys = []
    for index in range(CALLS):
        line = {"OrderedQty": "1", "Item": {"ItemID": ITEM}, "LinePriceInfo": {"UnitPrice": "1"}}
        doc = {"EnterpriseCode": "Matrix-R", "OrderNo": f"R-{index}", "OrderLines": {"OrderLine": [line]}}
        response = call(server, "createOrder", doc, ns)
        assert response.status_code == 200, response.text
        keys.append(response.json()["OrderHeaderKey"])

    def schedule(key: str) -> str:
        response = call(server, "scheduleOrder", {"OrderHeaderKey": key}, ns)
        assert response.status_code == 204, response.text
        order = call(server, "getOrderDetails", {"OrderHeaderKey": key}, ns).json()
        return str(order["MaxOrderStatus"])

    with ThreadPoolExecutor(CALLS) as pool:
        outcome = list(pool.map(schedule, keys))
    assert outcome.count("1500") == SUPPLY
    assert outcome.count("1300") == CALLS - SUPPLY
    assert [(r["Demand"], r["Available"]) for r in free(server, ns)] == [(str(SUPPLY), "0")]


def test_fake_control_inventory_helpers(server: LiveServer) -> None:
    from sterling_mock.mock_server.control.helper import FakeControl

    with FakeControl(server.url, namespace="helpers-" + uuid.uuid4().hex[:8]) as control:
        out = control.set_inventory([{"ItemID": "H-1", "ShipNode": "DC_EAST", "Quantity": 4}], levels=[5])
        assert out["levels"] == [5.0]
        [row] = control.inventory("H-1")["availability"]
        assert (row["ShipNode"], row["Available"]) == ("DC_EAST", "4")
        assert control.inventory_alerts() == []
