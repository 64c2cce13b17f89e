"""Lifecycle agents and ``advance``: orders move through the same APIs Sterling's agents call, on demand
or as the clock moves, seeded, and journaled with transport ``agent``/``control``."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.apis import APIS
from tests.conftest import Api
from tests.test_control_support import Ctl, create

LIFECYCLE = all(
    name in APIS for name in ("scheduleOrder", "releaseOrder", "createShipment", "confirmShipment")
)
needs_lifecycle = pytest.mark.skipif(not LIFECYCLE, reason="the lifecycle APIs have not landed yet")


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def statuses(api: Api, keys: list[str]) -> list[str]:
    return [api("getOrderDetails", {"OrderHeaderKey": k})["MaxOrderStatus"] for k in keys]


def make_orders(api: Api, n: int, first: int = 0) -> list[str]:
    return [
        create(api, seed=i, OrderNo=f"AG-{i}", EnterpriseCode="Aurora")["OrderHeaderKey"]
        for i in range(first, first + n)
    ]


def test_settings_are_validated_and_kept_per_namespace(ctl: Ctl) -> None:
    assert ctl.ok("GET", "agents")["enabled"] is False
    out = ctl.ok("PUT", "agents", {"enabled": True, "every": 30, "cancel_rate": 0.1})
    assert (out["enabled"], out["every"], out["cancel_rate"], out["schedule"]) == (True, 30, 0.1, True)
    assert ctl.ok("GET", "agents", ns="other")["enabled"] is False
    for body, field in (
        ({"every": 0}, "every"),
        ({"cancel_rate": 2}, "cancel_rate"),
        ({"enabled": 1}, "enabled"),
        ({"speed": 1}, "speed"),
    ):
        status, error = ctl("PUT", "agents", body)
        assert status == 400 and error["error"]["message"].startswith(f"{field}:")
    status, error = ctl("POST", "agents/run", {"steps": 101})
    assert status == 400 and error["error"]["message"].startswith("steps:")


def test_cancellations_go_through_change_order_and_are_journaled(api: Api, ctl: Ctl) -> None:
    keys = make_orders(api, 3)
    moved = ctl.ok("POST", "agents/run", {"steps": 1, "cancel_rate": 1})["moved"]
    assert moved == {"1100->9000": 3}
    assert statuses(api, keys) == ["9000"] * 3
    entries = ctl.ok("GET", "journal?api=changeOrder&transport=agent")["entries"]
    assert [(e["input"]["Action"], e["user"], e["http_status"]) for e in entries] == [
        ("CANCEL", "agent", 200)
    ] * 3
    assert ctl.ok("POST", "agents/run", {"steps": 1, "cancel_rate": 1})["moved"] == {}


def test_random_moves_are_seeded(api: Api, ctl: Ctl) -> None:
    keys = make_orders(api, 12)
    snapshot = ctl.ok("GET", "state")
    ctl.ok("POST", "agents/run", {"cancel_rate": 0.5, "schedule": False, "seed": 11})
    first = statuses(api, keys)
    assert 0 < first.count("9000") < 12
    ctl.ok("PUT", "state", snapshot)
    ctl.ok("POST", "agents/run", {"cancel_rate": 0.5, "schedule": False, "seed": 11})
    assert statuses(api, keys) == first


def test_one_seed_moves_the_same_orders_whenever_the_book_was_made() -> None:
    """Moves are drawn by each order's natural key: its OrderHeaderKey carries the time it was made, so a draw
    by key moved different orders in a book made at another time."""
    from sterling_mock.mock_server.base.settings import Settings
    from sterling_mock.mock_server.doors.app import create_app

    runs = []
    for when in ("2025-01-01T00:00:00Z", "2026-06-30T12:34:56Z"):
        client = create_app(Settings(db=":memory:", demo_orders=0)).test_client()
        api, ctl = Api(client), Ctl(client)
        ctl.ok("POST", "clock", {"freeze": True, "set": when})
        keys = make_orders(api, 12)
        ctl.ok("POST", "agents/run", {"cancel_rate": 0.5, "schedule": False, "seed": 11})
        runs.append(statuses(api, keys))
    assert runs[0] == runs[1] and 0 < runs[0].count("9000") < 12


def test_agents_run_as_the_clock_moves(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": "2025-01-01T00:00:00Z"})
    keys = make_orders(api, 5)
    ctl.ok("PUT", "agents", {"enabled": True, "every": 60, "cancel_rate": 1, "limit": 2})
    assert ctl.ok("POST", "clock", {"advance": 59}).get("moved") is None
    assert ctl.ok("POST", "clock", {"advance": 1})["moved"] == {"1100->9000": 2}
    ctl.ok("POST", "clock", {"freeze": False})  # still on the virtual timeline, now running
    ctl.ok("POST", "clock", {"freeze": True})
    ctl.ok("POST", "clock", {"set": "2025-01-01T00:03:00Z"})  # the moves are due; no one has called yet
    api("getOrderList", {})  # the next call into the namespace runs the due steps first
    assert statuses(api, keys).count("9000") == 5
    assert ctl.ok("PUT", "agents", {"enabled": False})["enabled"] is False


def test_advance_to_cancelled_and_refusals(api: Api, ctl: Ctl) -> None:
    key = make_orders(api, 1)[0]
    out = ctl.ok("POST", f"orders/{key}/advance", {"to": "9000"})
    assert out["OrderHeaderKey"] == key and out["MaxOrderStatus"] == "9000"
    assert ctl.ok("GET", "journal?transport=control")["entries"][0]["api"] == "changeOrder"
    status, error = ctl("POST", "orders/nope/advance", {"to": "3700"})
    assert status == 404 and error["error"]["code"] == "NOT_FOUND"
    status, error = ctl("POST", f"orders/{key}/advance", {})
    assert status == 400 and error["error"]["message"].startswith("to:")
    other = make_orders(api, 1, first=1)[0]
    status, error = ctl("POST", f"orders/{other}/advance", {"to": "2100"})
    assert status == 409 and error["error"]["code"] == "CANNOT_ADVANCE"


def test_seed_across_statuses_with_cancellations(ctl: Ctl) -> None:
    ctl.ok("POST", "seed", {"orders": 20, "seed": 4, "statuses": {"1100": 1, "9000": 1}})
    by_status = ctl.ok("GET", "summary")["by_status"]
    assert set(by_status) == {"1100", "9000"} and sum(by_status.values()) == 20
    assert ctl.ok("GET", "journal")["entries"] == []  # seeding is not journaled


@needs_lifecycle
def test_one_step_moves_each_order_one_stage(api: Api, ctl: Ctl) -> None:
    keys = make_orders(api, 2)
    assert ctl.ok("POST", "agents/run", {"steps": 1})["moved"] == {"1100->1500": 2}
    assert ctl.ok("POST", "agents/run", {"steps": 1})["moved"] == {"1500->3200": 2}
    assert ctl.ok("POST", "agents/run", {"steps": 1})["moved"] == {"3200->3700": 2}
    assert statuses(api, keys) == ["3700", "3700"]
    apis = [e["api"] for e in ctl.ok("GET", "journal?transport=agent&limit=1000")["entries"]]
    assert apis.count("scheduleOrder") == 2
    # one shipment per order and ship node: a shipment leaves one node
    assert apis.count("confirmShipment") == apis.count("createShipment") >= 2


@needs_lifecycle
@pytest.mark.parametrize("target", ["1500", "3200", "3700"])
def test_advance_one_order_through_the_apis(api: Api, ctl: Ctl, target: str) -> None:
    key = make_orders(api, 1)[0]
    assert ctl.ok("POST", f"orders/{key}/advance", {"to": target})["MaxOrderStatus"] == target
    assert statuses(api, [key]) == [target]


@needs_lifecycle
def test_one_seed_gives_the_same_statuses_whenever_it_runs() -> None:
    """Each order's status is drawn by its position: keys carry the time of the run (a draw by key made this
    book, and the test below, differ from run to run)."""
    from sterling_mock.mock_server.base.settings import Settings
    from sterling_mock.mock_server.doors.app import create_app

    books = []
    for when in ("2025-01-01T00:00:00Z", "2026-06-30T12:34:56Z"):
        ctl = Ctl(create_app(Settings(db=":memory:", demo_orders=0)).test_client())
        ctl.ok("POST", "clock", {"freeze": True, "set": when})
        ctl.ok(
            "POST", "seed", {"orders": 30, "seed": 8, "statuses": ["1100", "1500", "3200", "3700", "9000"]}
        )
        books.append(ctl.ok("GET", "summary")["by_status"])
    assert books[0] == books[1]


def test_seed_across_the_whole_pipeline(ctl: Ctl) -> None:
    ctl.ok("POST", "seed", {"orders": 30, "seed": 8, "statuses": ["1100", "1500", "3200", "3700", "9000"]})
    by_status = ctl.ok("GET", "summary")["by_status"]
    assert set(by_status) == {"1100", "1500", "3200", "3700", "9000"}
