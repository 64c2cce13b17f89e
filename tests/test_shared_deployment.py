"""Two `sterling-mock serve` instances on one PostgreSQL database behave as one fake: an order made through one
is read, changed and listed through the other at once; clock, faults, throttling, templates, getPage result
sets, the journal and resets hold on both; 16 concurrent clients across both get unique keys and order numbers
and lose no update; two instances starting together migrate and seed once.

PostgreSQL is started by the tests (mock_server/store/pgcluster.py) on a free loopback port in a temporary folder;
without its binaries these tests skip, saying how to install them (``make test`` installs them as root).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.store import db, pgcluster
from tests.conftest import LiveServer, order_count

pytestmark = pytest.mark.postgres

AUTH = ("admin", "password")
CLIENTS = 16
ROUNDS = 3


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A PostgreSQL URL: the PostgreSQL pass's own server when that pass runs, else one started here."""
    base = os.environ.get(db.REDIRECT_ENV, "")
    if base:
        yield base
        return
    try:
        cluster = pgcluster.start()
    except pgcluster.Unavailable as exc:
        pytest.skip(str(exc))
    yield cluster.url
    cluster.stop()


@pytest.fixture(scope="module")
def pair(postgres: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    url = db.with_schema(postgres, "shared_" + uuid.uuid4().hex[:8])
    tmp = Path(tmp_path_factory.mktemp("shared"))
    first = LiveServer(tmp, "--workers", "2", db=url)
    second = LiveServer(tmp, "--workers", "2", db=url)
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def ns() -> str:
    return "shared-" + uuid.uuid4().hex[:8]


def call(server: LiveServer, api: str, doc: dict[str, Any], ns: str, **kw: Any) -> requests.Response:
    return requests.post(
        f"{server.base_url}/invoke/{api}",
        json=doc,
        auth=AUTH,
        headers={"X-Sterling-Mock-Namespace": ns, "Accept": "application/json"},
        timeout=30,
        **kw,
    )


def ok(server: LiveServer, api: str, doc: dict[str, Any], ns: str) -> dict[str, Any]:
    response = call(server, api, doc, ns)
    assert response.status_code == 200, response.text[:1000]
    return dict(response.json())


def control(server: LiveServer, method: str, path: str, ns: str, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        f"{server.url}/_fake/{path}",
        json=body,
        headers={"X-Sterling-Mock-Namespace": ns},
        timeout=30,
    )


def order(no: str = "", po: str = "") -> dict[str, Any]:
    """A createOrder input; without ``no`` the fake numbers the order itself."""
    return {
        "EnterpriseCode": "DEFAULT",
        **({"OrderNo": no} if no else {}),
        "CustomerPONo": po,
        "OrderLines": {"OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "SHARED-1"}}]},
    }


def test_an_order_made_on_one_instance_is_read_changed_and_listed_on_the_other(
    pair: tuple[LiveServer, LiveServer], ns: str
) -> None:
    a, b = pair
    made = ok(a, "createOrder", order("S-1", "before"), ns)
    key = made["OrderHeaderKey"]
    assert ok(b, "getOrderDetails", {"OrderHeaderKey": key}, ns)["CustomerPONo"] == "before"  # cached on b
    ok(a, "changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "after"}, ns)
    assert (
        ok(b, "getOrderDetails", {"OrderHeaderKey": key}, ns)["CustomerPONo"] == "after"
    )  # the very next read
    listed = ok(b, "getOrderList", {"OrderNo": "S-1"}, ns)
    assert [o["CustomerPONo"] for o in as_list(listed.get("Order"))] == ["after"]
    ok(b, "changeOrder", {"OrderHeaderKey": key, "Action": "CANCEL"}, ns)
    assert ok(a, "getOrderDetails", {"OrderHeaderKey": key}, ns)["Status"] == "Cancelled"


def test_clock_faults_throttle_templates_and_reset_hold_on_both(
    pair: tuple[LiveServer, LiveServer], ns: str
) -> None:
    a, b = pair
    assert control(a, "POST", "clock", ns, {"set": "2025-05-01T08:00:00Z", "freeze": True}).status_code == 200
    assert control(a, "POST", "clock", ns, {"advance": "PT1H"}).status_code == 200
    assert control(b, "GET", "clock", ns).json()["now"] == "2025-05-01T09:00:00+00:00"
    made = ok(b, "createOrder", order("S-CLOCK"), ns)
    assert made["OrderHeaderKey"].startswith("20250501090000")

    rule = {"api": "getOrderDetails", "times": 1, "action": {"type": "error", "code": "YFS10003"}}
    assert control(a, "POST", "faults", ns, rule).status_code == 201
    failed = call(b, "getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, ns)
    assert failed.status_code == 400 and "YFS10003" in failed.text
    assert (
        call(a, "getOrderDetails", {"OrderHeaderKey": made["OrderHeaderKey"]}, ns).status_code == 200
    )  # spent

    template = b"<Order OrderHeaderKey='' OrderNo=''/>"
    put = requests.put(f"{a.url}/_fake/templates/sharedTiny", data=template, timeout=10)
    assert put.status_code in (200, 201)
    tiny = requests.post(
        f"{b.base_url}/invoke/getOrderDetails?_templateId=sharedTiny",
        json={"OrderHeaderKey": made["OrderHeaderKey"]},
        auth=AUTH,
        headers={"X-Sterling-Mock-Namespace": ns},
        timeout=10,
    ).json()
    assert set(tiny) == {"OrderHeaderKey", "OrderNo"}

    assert control(a, "PUT", "throttle", ns, {"enabled": True, "rate": 0.001, "burst": 4}).status_code == 200
    answers = [call(server, "getOrderList", {}, ns).status_code for server in (a, b, a, b, a, b)]
    assert sorted(answers) == [200, 200, 200, 200, 429, 429]  # one bucket, whichever instance answers
    assert control(b, "PUT", "throttle", ns, {"enabled": False}).status_code == 200

    assert control(b, "POST", "reset", ns, {"namespace": ns}).status_code == 200
    assert as_list(ok(a, "getOrderList", {}, ns).get("Order")) == []
    assert control(a, "GET", "clock", ns).json()["frozen"] is False


def test_page_sets_and_the_journal_are_shared(pair: tuple[LiveServer, LiveServer], ns: str) -> None:
    a, b = pair
    for n in range(6):
        ok(a if n % 2 else b, "createOrder", order(f"S-P{n}"), ns)
    first = ok(
        a,
        "getPage",
        {
            "PageNumber": "1",
            "PageSize": "4",
            "PaginationStrategy": "GENERIC",
            "API": {"Name": "getOrderList"},
        },
        ns,
    )
    token = first["PageSetToken"]
    second = ok(
        b,
        "getPage",
        {
            "PageNumber": "2",
            "PageSize": "4",
            "PaginationStrategy": "GENERIC",
            "PageSetToken": token,
            "API": {"Name": "getOrderList"},
        },
        ns,
    )
    seen = [
        o["OrderNo"] for page in (first, second) for o in as_list(page["Output"]["OrderList"].get("Order"))
    ]
    assert sorted(seen) == [f"S-P{n}" for n in range(6)]
    entries = control(b, "GET", "journal?api=createOrder", ns).json()["entries"]
    assert len(entries) == 6  # made on both instances, listed by either


def _client(
    server: LiveServer, index: int, ns: str, shared: str, seen: list[dict[str, Any]], problems: list[str]
) -> None:
    try:
        own = ok(server, "createOrder", order(f"C{index}-0"), ns)
        seen.append(own)
        for n in range(1, ROUNDS + 1):
            seen.append(ok(server, "createOrder", order(po=str(index)), ns))
            po = f"C{index}-po-{n}"
            ok(server, "changeOrder", {"OrderHeaderKey": own["OrderHeaderKey"], "CustomerPONo": po}, ns)
            got = ok(server, "getOrderDetails", {"OrderHeaderKey": own["OrderHeaderKey"]}, ns)["CustomerPONo"]
            if got != po:
                problems.append(f"{po}: read {got}")
            note = {"OrderHeaderKey": shared, "Notes": {"Note": [{"NoteText": f"{index}-{n}"}]}}
            ok(server, "changeOrder", note, ns)
    except AssertionError as exc:  # a thread's failure must fail the test, not vanish
        problems.append(f"client {index}: {exc}")


def test_sixteen_clients_across_both_instances_get_unique_keys_and_lose_no_update(
    pair: tuple[LiveServer, LiveServer], ns: str
) -> None:
    a, b = pair
    notes_template = b"<Order OrderHeaderKey=''><Notes><Note NoteText=''/></Notes></Order>"
    assert requests.put(f"{a.url}/_fake/templates/sharedNotes", data=notes_template, timeout=10).ok
    shared = ok(a, "createOrder", order("S-SHARED"), ns)["OrderHeaderKey"]
    seen: list[dict[str, Any]] = []
    problems: list[str] = []
    threads = [
        threading.Thread(target=_client, args=(pair[i % 2], i, ns, shared, seen, problems))
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert problems == []
    assert len(seen) == CLIENTS * (ROUNDS + 1)
    assert len({o["OrderHeaderKey"] for o in seen}) == len(seen)  # no duplicate keys...
    assert len({o["OrderNo"] for o in seen}) == len(seen)  # ...or generated order numbers
    notes = requests.post(
        f"{b.base_url}/invoke/getOrderDetails?_templateId=sharedNotes",
        json={"OrderHeaderKey": shared},
        auth=AUTH,
        headers={"X-Sterling-Mock-Namespace": ns},
        timeout=30,
    ).json()["Notes"]["Note"]
    texts = sorted(note["NoteText"] for note in notes)
    assert texts == sorted(f"{i}-{n}" for i in range(CLIENTS) for n in range(1, ROUNDS + 1))  # no lost update


def test_two_instances_starting_at_once_migrate_and_seed_once(postgres: str, tmp_path: Path) -> None:
    url = db.with_schema(postgres, "start_" + uuid.uuid4().hex[:8])
    servers: list[LiveServer] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            servers.append(LiveServer(tmp_path, "--demo-orders", "40", db=url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        assert len(servers) == 2
        deadline = time.monotonic() + 120  # the demo book is written after the port opens (seeding.demo)
        while any(requests.get(s.url + "/_fake/health", timeout=10).json()["seeding"] for s in servers):
            assert time.monotonic() < deadline, "the demo seed did not finish"
            time.sleep(0.1)
        assert order_count(url, "default") == 40  # seeded once, not twice
        listed = requests.post(
            f"{servers[1].base_url}/invoke/getOrderList",
            json={"MaximumRecords": "100"},
            auth=AUTH,
            timeout=30,
        ).json()
        assert len(as_list(listed.get("Order"))) == 40
    finally:
        for server in servers:
            server.stop()
