"""The request journal: every call recorded with its outcome, filterable, bounded with a dropped counter,
documents truncated past a size, passwords and tokens masked.  Every test runs on a memory store (rows
inserted at once) and on an SQLite file (rows spooled and settled before each read: spool.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import BASIC, Api
from tests.test_control_support import NS, Ctl, create


@pytest.fixture(params=["memory", "file"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return ":memory:" if request.param == "memory" else str(tmp_path / "journal.db")


@pytest.fixture
def settings(store_url: str) -> Settings:
    return Settings(db=store_url, demo_orders=0)


@pytest.fixture
def ctl(client: FlaskClient) -> Ctl:
    return Ctl(client)


def test_success_and_failure_are_recorded_with_documents(api: Api, ctl: Ctl, fmt: str) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": "2025-01-27T10:17:09Z"})
    made = create(api, fmt)
    api.error("getOrderDetails", {"OrderHeaderKey": "nope"}, fmt)
    first, second = ctl.ok("GET", "journal")["entries"]
    assert first["api"] == "createOrder" and first["http_status"] == 200 and first["error_code"] == ""
    assert first["user"] == "admin" and first["transport"] == "rest" and first["namespace"] == "default"
    assert first["time"] == "2025-01-27T10:17:09.000+00:00" and first["duration_ms"] >= 0
    assert first["input"]["EnterpriseCode"] and isinstance(first["input"]["OrderLines"]["OrderLine"], list)
    assert first["output"] == {
        k: made[k] for k in ("DocumentType", "OrderNo", "OrderHeaderKey", "EnterpriseCode")
    }
    assert second["api"] == "getOrderDetails" and second["http_status"] == 400
    assert second["error_code"] == "YFS10003"
    assert second["output"]["errors"][0]["ErrorCode"] == "YFS10003"


def test_how_a_test_checks_my_code_cancelled_once(api: Api, ctl: Ctl) -> None:
    made = create(api)
    api("changeOrder", {"OrderHeaderKey": made["OrderHeaderKey"], "Action": "CANCEL"})
    calls = ctl.ok("GET", "journal?api=changeOrder")["entries"]
    assert [c["input"].get("Action") for c in calls] == ["CANCEL"]


def test_filters_by_api_time_user_and_limit(api: Api, ctl: Ctl) -> None:
    ctl.ok("POST", "clock", {"freeze": True, "set": "2025-01-01T00:00:00Z"})
    create(api, seed=1)
    ctl.ok("POST", "clock", {"advance": 3600})
    create(api, seed=2)
    api("getOrderList", {})
    assert len(ctl.ok("GET", "journal?api=createOrder")["entries"]) == 2
    later = ctl.ok("GET", "journal?since=2025-01-01T00:30:00Z")["entries"]
    assert [e["api"] for e in later] == ["createOrder", "getOrderList"]
    assert [e["api"] for e in ctl.ok("GET", "journal?until=2025-01-01T00:00:00Z")["entries"]] == [
        "createOrder"
    ]
    assert [e["api"] for e in ctl.ok("GET", "journal?limit=1")["entries"]] == ["getOrderList"]  # newest last
    assert ctl.ok("GET", "journal?user=nobody")["entries"] == []
    assert len(ctl.ok("GET", "journal?transport=rest")["entries"]) == 3


def test_bounded_with_a_dropped_counter_in_every_listing(store_url: str) -> None:
    app = create_app(Settings(db=store_url, demo_orders=0, journal_limit=3))
    api, ctl = Api(app.test_client()), Ctl(app.test_client())
    for _ in range(5):
        api("getOrderList", {})
    listing = ctl.ok("GET", "journal")
    assert len(listing["entries"]) == 3 and listing["dropped"] == 2 and listing["total"] == 3
    assert ctl.ok("GET", "summary")["journal"] == {"entries": 3, "dropped": 2}
    assert ctl.ok("GET", "journal?api=nothing")["dropped"] == 2


def test_documents_are_truncated_past_the_size_setting(store_url: str) -> None:
    app = create_app(Settings(db=store_url, demo_orders=0, journal_doc_bytes=200))
    api, ctl = Api(app.test_client()), Ctl(app.test_client())
    create(api)
    entry = ctl.ok("GET", "journal")["entries"][0]
    assert entry["input"]["_truncated"] is True and entry["input"]["_bytes"] > 200
    assert len(entry["input"]["_head"]) <= 200
    assert entry["output"]["OrderHeaderKey"]  # small documents stay whole


def test_passwords_and_tokens_are_masked(api: Api, ctl: Ctl, fmt: str) -> None:
    api("login", {"LoginID": "admin", "Password": "password"}, fmt, root="Login")
    entry = ctl.ok("GET", "journal?api=login")["entries"][0]
    assert entry["input"] == {"LoginID": "admin", "Password": "****"}
    assert entry["output"]["UserToken"] == "****"
    assert "password" not in str(ctl.ok("GET", "journal")).replace("Password", "")


def test_refusals_at_the_door_are_journaled(api: Api, ctl: Ctl) -> None:
    api.error("getOrderList", {}, headers={"Authorization": "Basic YWRtaW46d3Jvbmc="})
    response = api.client.post(
        "/smcfs/restapi/invoke/getOrderList",
        data=b"{not json",
        headers={"Content-Type": "application/json", **BASIC},
    )
    assert response.status_code == 400
    api.error("noSuchApi", {})
    entries = ctl.ok("GET", "journal")["entries"]
    assert [(e["api"], e["error_code"], e["http_status"]) for e in entries] == [
        ("getOrderList", "YCP0427", 400),
        ("getOrderList", "MOCK0001", 400),
        ("noSuchApi", "MOCK0006", 400),
    ]
    assert entries[0]["user"] == "" and entries[0]["input"] is None


def test_clear_and_per_namespace(api: Api, ctl: Ctl) -> None:
    api("getOrderList", {})
    api("getOrderList", {}, headers={NS: "w2"})
    assert len(ctl.ok("GET", "journal", ns="w2")["entries"]) == 1
    assert ctl("DELETE", "journal") == (204, None)
    listing = ctl.ok("GET", "journal")
    assert listing["entries"] == [] and listing["dropped"] == 0
    assert len(ctl.ok("GET", "journal", ns="w2")["entries"]) == 1


def test_journal_survives_a_failed_write_call(app: Flask, api: Api, ctl: Ctl) -> None:
    """A failed call changes nothing, but its journal entry is kept (written after the rollback)."""
    create(api, OrderNo="DUP-1", EnterpriseCode="Aurora")
    _, error = api.error("createOrder", {"OrderNo": "DUP-1", "EnterpriseCode": "Aurora"})
    assert error["ErrorCode"] == "YFC0001"
    assert [e["error_code"] for e in ctl.ok("GET", "journal?api=createOrder")["entries"]] == ["", "YFC0001"]


@pytest.mark.parametrize("query", ["limit=0", "limit=x", "since=yesterday", "until=13:00"])
def test_bad_journal_queries(ctl: Ctl, query: str) -> None:
    status, error = ctl("GET", f"journal?{query}")
    assert status == 400 and error["error"]["message"].startswith(query.split("=")[0] + ":")
