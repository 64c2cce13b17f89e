"""Incremental order sync against a live fake: convergence under concurrent changes, kill and resume."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sterling_mock.client import RetryPolicy, SterlingClient
from sterling_mock.client.sink import JsonlSink, SqliteSink, open_sink
from sterling_mock.client.statusmap import StatusMap
from sterling_mock.client.sync import Syncer, main, prefetch
from sterling_mock.mock_server.control.helper import FakeControl
from tests.conftest import ROOT, LiveServer

ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}}]},
}


@pytest.fixture
def ctl(live_server: LiveServer) -> Iterator[FakeControl]:
    with FakeControl(live_server.url, namespace="sync-" + uuid.uuid4().hex[:8]) as control:
        yield control


def client_for(live_server: LiveServer, ctl: FakeControl, fmt: str = "json") -> SterlingClient:
    return SterlingClient(
        live_server.url,
        format=fmt,
        headers={"X-Sterling-Mock-Namespace": ctl.namespace},
        retry=RetryPolicy(attempts=3, backoff=0.01, jitter=0.0),
    )


def fake_state(client: SterlingClient) -> dict[str, tuple[str, str]]:
    """OrderHeaderKey -> (MaxOrderStatus, OrderNo) of every order in the fake."""
    return {
        o["OrderHeaderKey"]: (o["MaxOrderStatus"], o["OrderNo"]) for o in client.iter_orders(page_size=50)
    }


def sink_state(path: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT order_header_key, max_status, order_no FROM orders").fetchall()
    return {k: (s, n) for k, s, n in rows}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_full_then_incremental(live_server: LiveServer, ctl: FakeControl, tmp_path: Path, fmt: str) -> None:
    ctl.seed(orders=30, seed=3)
    client = client_for(live_server, ctl, fmt)
    sink = SqliteSink(str(tmp_path / "s.db"))
    syncer = Syncer(client, sink, page_size=7)
    assert syncer.poll() == 30
    assert syncer.poll() == 0  # idle poll: nothing new
    # the seed spreads orders over the pipeline: cancel one still open (Created)
    key = next(k for k, (status, _) in fake_state(client).items() if status == "1100")
    ctl.advance(5)
    client.cancel_order(key)
    assert syncer.poll() == 1
    assert sink_state(tmp_path / "s.db") == fake_state(client)
    with sqlite3.connect(tmp_path / "s.db") as conn:
        state = conn.execute("SELECT workflow_state FROM orders WHERE order_header_key=?", (key,)).fetchone()[
            0
        ]
        assert state == "cancelled"
        lines = conn.execute("SELECT count(*) FROM order_lines").fetchone()[0]
        statuses = conn.execute("SELECT count(*) FROM line_statuses").fetchone()[0]
    assert lines >= 30 and statuses >= lines
    sink.close()


def test_many_orders_sharing_one_timestamp(live_server: LiveServer, ctl: FakeControl, tmp_path: Path) -> None:
    ctl.freeze("2025-03-01T08:00:00Z")  # every order gets the same Modifyts
    client = client_for(live_server, ctl)
    keys = {client.create_order(ORDER)["OrderHeaderKey"] for _ in range(25)}
    sink = SqliteSink(str(tmp_path / "t.db"))
    syncer = Syncer(client, sink, page_size=4)
    assert syncer.poll() == 25
    assert set(sink_state(tmp_path / "t.db")) == keys
    more = {client.create_order(ORDER)["OrderHeaderKey"] for _ in range(3)}  # same second, after the poll
    assert syncer.poll() == 3
    assert set(sink_state(tmp_path / "t.db")) == keys | more
    sink.close()


def test_ties_across_page_boundaries(live_server: LiveServer, ctl: FakeControl, tmp_path: Path) -> None:
    ctl.freeze("2025-03-01T08:00:00Z")
    client = client_for(live_server, ctl)
    keys = set()
    for _ in range(3):  # three groups of 6 orders sharing a Modifyts; pages of 4 end inside the groups
        keys |= {client.create_order(ORDER)["OrderHeaderKey"] for _ in range(6)}
        ctl.advance(1)
    sink = SqliteSink(str(tmp_path / "ties.db"))
    syncer = Syncer(client, sink, page_size=4)
    assert syncer.poll() == 18 and syncer.stats.skipped == 0
    assert set(sink_state(tmp_path / "ties.db")) == keys
    assert syncer.poll() == 0
    sink.close()


def test_converges_while_orders_change(live_server: LiveServer, ctl: FakeControl, tmp_path: Path) -> None:
    client = client_for(live_server, ctl)
    ctl.seed(orders=20, seed=8)
    sink = SqliteSink(str(tmp_path / "c.db"))
    syncer = Syncer(client, sink, page_size=6, overlap=5)
    stop = threading.Event()
    writer = client_for(live_server, ctl)

    def churn() -> None:
        keys = list(fake_state(writer))
        n = 0
        while not stop.is_set() and n < 40:
            if n % 2:
                writer.create_order(ORDER)
            else:
                writer.change_order(keys[n % len(keys)], {"CustomerPONo": f"PO-{n}"})
            n += 1

    thread = threading.Thread(target=churn)
    thread.start()
    for _ in range(4):
        syncer.poll()
    thread.join()
    stop.set()
    syncer.poll()  # a final pass after the writers stopped
    assert sink_state(tmp_path / "c.db") == fake_state(client)
    sink.close()


def test_jsonl_sink_and_status_map(live_server: LiveServer, ctl: FakeControl, tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"workflow": {"1100": "new"}}))
    ctl.seed(orders=5, seed=1, statuses={"1100": 1})
    client = client_for(live_server, ctl)
    sink = open_sink(f"jsonl:{tmp_path / 'out.jsonl'}", StatusMap.from_file(mapping))
    assert isinstance(sink, JsonlSink)
    assert Syncer(client, sink).poll() == 5
    sink.close()
    entries = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(entries) == 5 and {e["workflow_state"] for e in entries} == {"new"}
    again = JsonlSink(str(tmp_path / "out.jsonl"))
    assert Syncer(client, again).poll() == 0  # resumed from the file itself
    again.close()


def test_status_map_defaults() -> None:
    mapping = StatusMap()
    assert mapping.describe("3700.0005") == "Shipped"
    assert mapping.order_state("3200", "3700") == "partially_shipped"
    assert mapping.order_state("1100", "1100") == "open"


def written_so_far(path: Path) -> int:
    """Orders a running sync has committed to its sink (a torn JSON line does not count)."""
    if not path.exists():
        return 0
    if path.suffix == ".jsonl":
        return path.read_bytes().count(b"\n")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


@pytest.mark.parametrize("sink_kind", ["sqlite", "jsonl"])
def test_a_run_stopped_mid_way_resumes_losing_and_duplicating_nothing(
    live_server: LiveServer, ctl: FakeControl, tmp_path: Path, sink_kind: str
) -> None:
    """The run stops at a known point, counted in pages, not in seconds: every page after the first (the
    pages that carry the ComplexQuery cursor) answers an error, so the process ends with exactly one page
    written; the next run resumes from the sink's checkpoint."""
    ctl.seed(orders=150, seed=11)
    path = tmp_path / ("k.db" if sink_kind == "sqlite" else "k.jsonl")
    cmd = [
        sys.executable,
        "-m",
        "client.sync",
        "--url",
        live_server.url,
        "--namespace",
        ctl.namespace,
        "--sink",
        f"{sink_kind}:{path}",
        "--page-size",
        "20",
        "--quiet",
    ]
    action = {"type": "error", "code": "YFC0006", "description": "Database unavailable", "http_status": 400}
    broken = ctl.add_fault("multiApi", action, match={"API/Input/Order/ComplexQuery/Operator": "AND"})
    stopped = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120, check=False)
    assert stopped.returncode != 0
    assert written_so_far(path) == 20  # the first page, whole; nothing of the second
    ctl.delete_fault(broken["id"])
    subprocess.run(cmd, cwd=ROOT, check=True, timeout=120)
    client = client_for(live_server, ctl)
    expected = fake_state(client)
    if sink_kind == "sqlite":
        assert sink_state(path) == expected
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 150
    else:
        keys = [json.loads(line)["order"]["OrderHeaderKey"] for line in path.read_text().splitlines()]
        assert sorted(keys) == sorted(expected) and len(keys) == len(set(keys))


def test_details_mode_stores_full_orders(live_server: LiveServer, ctl: FakeControl, tmp_path: Path) -> None:
    ctl.seed(orders=3, seed=2)
    client = client_for(live_server, ctl)
    sink = JsonlSink(str(tmp_path / "d.jsonl"))
    assert Syncer(client, sink, details=True).poll() == 3
    sink.close()
    entry = json.loads((tmp_path / "d.jsonl").read_text().splitlines()[0])
    assert "ChargeTransactionDetails" in entry["order"]  # the default getOrderDetails document


def test_command_once_with_details_and_summary(
    live_server: LiveServer, ctl: FakeControl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctl.seed(orders=4, seed=5)
    out = tmp_path / "cli.jsonl"
    argv = ["--url", live_server.url, "--namespace", ctl.namespace, "--sink", f"jsonl:{out}", "--once"]
    assert main([*argv, "--details", "--format", "xml"]) == 0
    assert "4 orders written" in capsys.readouterr().out
    entries = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(entries) == 4 and all("ChargeTransactionDetails" in e["order"] for e in entries)
    assert main(argv) == 0
    assert "0 orders written" in capsys.readouterr().out


def test_prefetch_keeps_order_raises_errors_and_stops_early() -> None:
    assert list(prefetch(iter(range(50)))) == list(range(50))

    def failing() -> Iterator[int]:
        yield 1
        raise RuntimeError("page 2 failed")

    got: list[int] = []
    with pytest.raises(RuntimeError, match="page 2 failed"):
        for item in prefetch(failing()):
            got.append(item)
    assert got == [1]
    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    for item in prefetch(endless(), depth=2):
        if item == 3:
            break
    assert len(produced) <= 3 + 2 + 2  # the consumer's position, the queue, one in hand


def _order(key: str, lines: int, modifyts: str) -> dict[str, object]:
    return {
        "OrderHeaderKey": key,
        "OrderNo": "N" + key,
        "MinOrderStatus": "1100",
        "MaxOrderStatus": "1100",
        "Modifyts": modifyts,
        "OrderLines": {
            "OrderLine": [
                {"OrderLineKey": f"{key}-{n}", "OrderStatuses": {"OrderStatus": [{"Status": "1100"}]}}
                for n in range(lines)
            ]
        },
    }


def test_sqlite_sink_replaces_rows_and_rolls_back_a_failed_page(tmp_path: Path) -> None:
    sink = SqliteSink(str(tmp_path / "u.db"))
    t1, t2 = "2025-01-01T00:00:01+00:00", "2025-01-01T00:00:02+00:00"
    sink.write_many([(_order("A", 3, t1), [], t1), (_order("B", 1, t1), [], t1)])
    sink.write_many([(_order("A", 1, t2), [], t2), (_order("A", 2, t2), [], t2)])  # the later copy wins
    assert sink.counts() == {"orders": 2, "order_lines": 3, "line_statuses": 3, "shipments": 0}
    assert sink.checkpoint_position() == (t2, "A")
    sink.conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON line_statuses WHEN NEW.order_header_key = 'D' "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    t3 = "2025-01-02T00:00:00+00:00"
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        sink.write_many([(_order("C", 1, t3), [], t3), (_order("D", 1, t3), [], t3)])
    assert sink.counts()["orders"] == 2  # nothing of the failed page, C included
    assert sink.counts()["order_lines"] == 3 and sink.checkpoint_position() == (t2, "A")
    sink.close()
