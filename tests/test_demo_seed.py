"""Demo data that looks like a working system: seeded orders spread over the pipeline and over time, the same
seed giving the same book in any namespace, and the demo seed of ``serve`` running after the port is open."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.domain import clock
from tests.conftest import BASIC, LiveServer
from tests.test_control_support import Ctl

FROZEN = "2026-03-02T09:30:00Z"
#: The template a poller uses: getOrderList's default output carries no Modifyts.
POLL_TEMPLATE = (
    b'<OrderList><Order OrderHeaderKey="" OrderNo="" Status="" MinOrderStatus="" MaxOrderStatus=""'
    b' OrderDate="" Createts="" Modifyts=""/></OrderList>'
)


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def _seed(ctl: Ctl, orders: int, seed: int = 42, ns: str = "", **options: Any) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": FROZEN}, ns=ns)
    assert ctl.ok("POST", "seed", {"orders": orders, "seed": seed, **options}, ns=ns) == {"created": orders}


def _with_times(client: FlaskClient, ns: str = "", **query: Any) -> list[dict[str, Any]]:
    """Every order (or those ``query`` finds) with its status and timestamps, through a stored template."""
    assert client.put("/_fake/templates/seed-poll", data=POLL_TEMPLATE).status_code in (200, 201)
    headers = {**BASIC, "Content-Type": "application/json"}
    if ns:
        headers["X-Sterling-Mock-Namespace"] = ns
    response = client.post(
        "/smcfs/restapi/invoke/getOrderList?_templateId=seed-poll",
        json={"MaximumRecords": "1000", **query},
        headers=headers,
    )
    assert response.status_code == 200, response.data[:500]
    return list(as_list(response.get_json().get("Order")))


def test_the_default_seed_spreads_orders_over_the_pipeline(client: FlaskClient, ctl: Ctl) -> None:
    _seed(ctl, 120)
    by_status = ctl.ok("GET", "summary")["by_status"]
    assert sum(by_status.values()) == 120
    assert {"1100", "1500", "3200", "3700", "9000"} <= set(by_status), by_status
    # realistic proportions: most orders are done, a minority cancelled, some still open
    assert by_status["3700"] == max(by_status.values())
    assert by_status["9000"] < 120 * 0.2
    assert by_status["1100"] >= 120 * 0.05
    orders = _with_times(client)
    partial = [o for o in orders if o["MinOrderStatus"] != o["MaxOrderStatus"]]
    assert partial, "some orders are partially shipped"
    assert any(o["Status"] == "Partially Shipped" for o in partial), {o["Status"] for o in partial}


def test_statuses_given_are_still_obeyed(ctl: Ctl) -> None:
    _seed(ctl, 20, statuses=["1500"])
    assert ctl.ok("GET", "summary")["by_status"] == {"1500": 20}
    ctl.ok("POST", "reset")
    _seed(ctl, 20, statuses={"1100": 1})
    assert ctl.ok("GET", "summary")["by_status"] == {"1100": 20}


def test_same_seed_same_book_in_any_namespace(client: FlaskClient, ctl: Ctl) -> None:
    books = []
    for ns in ("book-a", "book-b"):
        _seed(ctl, 40, seed=9, ns=ns)
        books.append(_with_times(client, ns))
    assert books[0] == books[1]
    _seed(ctl, 40, seed=10, ns="book-c")
    assert _with_times(client, "book-c") != books[0]


def test_demo_orders_have_spread_realistic_timestamps(client: FlaskClient, ctl: Ctl) -> None:
    _seed(ctl, 120)
    now = clock.parse_datetime(FROZEN)
    orders = _with_times(client)
    modified = [clock.parse_datetime(o["Modifyts"]) for o in orders]
    created = [clock.parse_datetime(o["Createts"]) for o in orders]
    dated = [clock.parse_datetime(o["OrderDate"]) for o in orders]
    assert len(set(modified)) > 110  # not one Modifyts to the second
    assert (max(created) - min(created)).days >= 21  # over the last weeks
    assert all(d <= c <= m <= now for d, c, m in zip(dated, created, modified, strict=True))
    moved = [o for o in orders if o["MaxOrderStatus"] != "1100"]
    assert all(o["Modifyts"] > o["Createts"] for o in moved)  # each move came after the order was taken


def test_a_naive_modifyts_poll_moves(client: FlaskClient, ctl: Ctl) -> None:
    """``FromModifyts`` = the last Modifyts seen, ``MaximumRecords`` 25, oldest first: the watermark advances on
    every poll and the loop sees the whole book."""
    _seed(ctl, 100)
    watermark = "2000-01-01T00:00:00"
    seen: set[str] = set()
    for _ in range(40):
        page = _with_times(
            client,
            FromModifyts=watermark,
            MaximumRecords="25",
            OrderBy={"Attribute": {"Name": "Modifyts"}},
        )
        fresh = {o["OrderHeaderKey"] for o in page} - seen
        if not fresh:
            break
        seen |= fresh
        latest = max(o["Modifyts"] for o in page)
        assert latest > watermark
        watermark = latest
    assert len(seen) == 100


def test_serve_seeds_the_demo_book_after_the_port_is_open(tmp_path: Path) -> None:
    """The first call answers while the demo book is still being written; ``/_fake/health`` says so, and the
    first order a client creates takes the number after the demo block, whenever it comes."""
    server = LiveServer(tmp_path, "--demo-orders", "200")
    try:
        made = requests.post(
            f"{server.base_url}/invoke/createOrder",
            json={"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}},
            auth=("admin", "password"),
            timeout=30,
        )
        assert made.status_code == 200, made.text
        assert made.json()["OrderNo"] == "Y100000201"
        health = requests.get(server.url + "/_fake/health", timeout=10).json()
        assert isinstance(health["seeding"], bool)
        deadline = time.monotonic() + 60
        while health["seeding"] and time.monotonic() < deadline:
            time.sleep(0.1)
            health = requests.get(server.url + "/_fake/health", timeout=10).json()
        assert health["seeding"] is False
        summary = requests.get(server.url + "/_fake/summary", timeout=10).json()
        assert summary["orders"] == 201
        assert len(summary["by_status"]) >= 5
    finally:
        server.stop()
    again = LiveServer(tmp_path, "--demo-orders", "200", db=server.db)
    try:
        health = requests.get(again.url + "/_fake/health", timeout=10).json()
        assert health["seeding"] is False  # not seeded a second time
        assert requests.get(again.url + "/_fake/summary", timeout=10).json()["orders"] == 201
    finally:
        again.stop()


def test_same_statuses_by_position_whatever_the_clock(ctl: Ctl) -> None:
    """The status each order reaches depends on the seed only (not on the clock it was seeded at)."""
    _seed(ctl, 40, seed=5, ns="clock-a")
    ctl.ok("POST", "clock", {"set": "2027-07-01T00:00:00Z"}, ns="clock-b")
    assert ctl.ok("POST", "seed", {"orders": 40, "seed": 5}, ns="clock-b") == {"created": 40}
    first = Counter(ctl.ok("GET", "summary", ns="clock-a")["by_status"])
    assert Counter(ctl.ok("GET", "summary", ns="clock-b")["by_status"]) == first
