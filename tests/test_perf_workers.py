"""Several gunicorn worker processes over one store: concurrent createOrder and changeOrder give unique keys and
order numbers and lose no update, and every cached render gives way to a write in the very next read, whichever
worker serves it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sterling_mock.client.wire import from_xml
from tests.conftest import LiveServer

AUTH = ("admin", "password")
THREADS = 8
ROUNDS = 4
LIST_TEMPLATE = (
    b"<OrderList><Order OrderNo='' CustomerPONo=''><OrderLines><OrderLine PrimeLineNo=''/></OrderLines>"
    b"</Order></OrderList>"
)
NOTES_TEMPLATE = b"<Order OrderHeaderKey=''><Notes><Note NoteText=''/></Notes></Order>"


@pytest.fixture(scope="module")
def four_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(Path(tmp_path_factory.mktemp("workers")), "--workers", "4")
    requests.put(server.url + "/_fake/templates/perfWorkersList", data=LIST_TEMPLATE, timeout=10)
    requests.put(server.url + "/_fake/templates/perfNotes", data=NOTES_TEMPLATE, timeout=10)
    yield server
    server.stop()


def _post(base: str, api: str, doc: dict[str, Any], *, xml: bool = False, query: str = "") -> Any:
    # a fresh connection per call: gunicorn hands each to whichever worker accepts it first
    response = requests.post(
        f"{base}/invoke/{api}{query}",
        json=doc,
        auth=AUTH,
        headers={"Accept": "application/xml" if xml else "application/json", "Connection": "close"},
        timeout=30,
    )
    assert response.status_code == 200, (api, response.status_code, response.text[:500])
    return from_xml(response.content)[1] if xml else response.json()


def _create(base: str, po: str) -> dict[str, Any]:
    doc = {
        "EnterpriseCode": "Matrix-R",
        "CustomerPONo": po,
        "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]},
    }
    found: dict[str, Any] = _post(base, "createOrder", doc)
    return found


def _client(base: str, index: int, shared: str, seen: list[dict[str, Any]], problems: list[str]) -> None:
    own = _create(base, f"T{index}-start")
    seen.append(own)
    for n in range(ROUNDS):
        seen.append(_create(base, f"T{index}-{n}"))
        po = f"T{index}-po-{n}"
        _post(base, "changeOrder", {"OrderHeaderKey": own["OrderHeaderKey"], "CustomerPONo": po})
        details = _post(base, "getOrderDetails", {"OrderHeaderKey": own["OrderHeaderKey"]}, xml=n % 2 == 1)
        listed = _post(
            base,
            "getOrderList",
            {"OrderNo": own["OrderNo"]},
            xml=n % 2 == 0,
            query="?_templateId=perfWorkersList",
        )
        orders = listed["Order"] if isinstance(listed["Order"], list) else [listed["Order"]]
        if details["CustomerPONo"] != po or orders[0]["CustomerPONo"] != po:
            problems.append(f"{po}: details {details['CustomerPONo']}, list {orders[0]['CustomerPONo']}")
        _post(
            base, "changeOrder", {"OrderHeaderKey": shared, "Notes": {"Note": [{"NoteText": f"{index}-{n}"}]}}
        )


def test_workers_share_one_store_correctly(four_workers: LiveServer) -> None:
    base = four_workers.base_url
    shared = _create(base, "shared")["OrderHeaderKey"]
    _post(base, "getOrderDetails", {"OrderHeaderKey": shared})  # cached before the concurrent writes
    seen: list[dict[str, Any]] = []
    problems: list[str] = []
    threads = [
        threading.Thread(target=_client, args=(base, i, shared, seen, problems)) for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert problems == []  # every read after a write showed it, from whichever worker
    assert len(seen) == THREADS * (ROUNDS + 1)
    assert len({o["OrderHeaderKey"] for o in seen}) == len(seen)  # no duplicate keys...
    assert len({o["OrderNo"] for o in seen}) == len(seen)  # ...or order numbers
    notes = _post(base, "getOrderDetails", {"OrderHeaderKey": shared}, query="?_templateId=perfNotes")[
        "Notes"
    ]
    texts = sorted(note["NoteText"] for note in notes["Note"])
    assert texts == sorted(f"{i}-{n}" for i in range(THREADS) for n in range(ROUNDS))  # no lost update
