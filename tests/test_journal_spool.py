"""The journal's spool (mock_server/store/spool.py): on an SQLite file every process appends its journal rows to a
file of its own, and they are settled into the journal table in batches and before every journal read.

What must hold: a read sees every call that returned before it, from any worker, in call order; nothing is
settled twice or lost (a killed writer, a file moved on from, a failed append, a crash between a settle's
commit and its clean-up); a reset takes spooled rows with it; a stopped server leaves no spool behind."""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.store import spool
from sterling_mock.mock_server.store.core import Store
from tests.conftest import BASIC, ROOT, Api, LiveServer
from tests.test_control_support import Ctl

pytestmark = pytest.mark.sqlite_only


def _app(db: Path, **settings: Any) -> tuple[Api, Ctl, Store]:
    app = create_app(Settings(db=str(db), demo_orders=0, **settings))
    return Api(app.test_client()), Ctl(app.test_client()), app.extensions["sterling_mock"].store


def _marks(entries: list[dict[str, Any]]) -> list[str]:
    return [str(e["input"]["MaximumRecords"]) for e in entries if e["api"] == "getOrderList"]


def _spool_files(db: Path) -> list[Path]:
    return sorted(Path(str(db) + "-spool").glob("*" + spool.SUFFIX))


def _call(server: LiveServer, mark: str) -> None:
    response = requests.post(
        server.base_url + "/invoke/getOrderList", json={"MaximumRecords": mark}, headers=BASIC, timeout=10
    )
    assert response.status_code == 200


def test_a_read_sees_every_worker_s_calls_in_call_order(tmp_path: Path) -> None:
    """One worker is held by a request whose headers are still arriving while the other answers calls 1-20;
    the held one answers it next, then calls 21-40 go to either: the journal lists them in that order."""
    server = LiveServer(tmp_path, "--workers", "2")
    try:
        body = b'{"MaximumRecords":"0"}'
        held = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        held.sendall(b"POST /smcfs/restapi/invoke/getOrderList HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for n in range(1, 21):
            _call(server, str(n))
        assert len(_spool_files(Path(server.db))) == 1  # only the free worker has journaled yet
        held.sendall(
            f"Authorization: {BASIC['Authorization']}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        assert held.recv(100).startswith(b"HTTP/1.1 200")
        held.close()
        assert len(_spool_files(Path(server.db))) == 2  # the held worker's own file
        for n in range(21, 41):
            _call(server, str(n))
        entries = requests.get(server.url + "/_fake/journal?limit=1000", timeout=10).json()["entries"]
        assert _marks(entries) == [str(n) for n in range(1, 21)] + ["0"] + [str(n) for n in range(21, 41)]
        ids = [e["id"] for e in entries]
        assert ids == sorted(ids)
    finally:
        server.stop()
    # a clean stop settles what each worker spooled and leaves no file behind
    assert _spool_files(Path(server.db)) == []
    conn = sqlite3.connect(server.db)
    try:
        assert conn.execute("SELECT count(*) FROM journal WHERE api='getOrderList'").fetchone()[0] == 41
    finally:
        conn.close()


_KILLED_WRITER = """
import os, sys
from sterling_mock.mock_server.store import spool
s = spool.Spool(sys.argv[1])
for n in range(3):
    s.append(100, ("default", "2026-01-01T00:00:00.000+00:00", "admin", "rest", "getOrderList", 200, 1.0, "", "",
                   b'{"MaximumRecords":"%d"}' % n, None))
os.write(s._fd, spool.HEADER.pack(500, 0) + b"half a record")  # killed in the middle of an append
os._exit(9)
"""


def test_a_killed_writer_s_records_are_settled_and_its_torn_tail_dropped(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    api, ctl, _ = _app(db)
    subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(db) + "-spool"], cwd=ROOT, check=False)
    assert len(_spool_files(db)) == 1
    assert _marks(ctl.ok("GET", "journal")["entries"]) == ["0", "1", "2"]
    assert _spool_files(db) == []  # its writer is gone and it is settled: deleted
    api("getOrderList", {"MaximumRecords": "3"})
    assert _marks(ctl.ok("GET", "journal")["entries"]) == ["0", "1", "2", "3"]


def test_a_restarted_store_settles_what_a_killed_run_left(tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    Store(str(db)).close()
    subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(db) + "-spool"], cwd=ROOT, check=False)
    store = Store(str(db))
    with store.read() as tx:
        assert tx.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == 3
    assert _spool_files(db) == []


def test_files_moved_on_from_are_settled_then_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool, "ROTATE_BYTES", 1)  # a new file for every record
    db = tmp_path / "rotate.db"
    api, ctl, _ = _app(db)
    for n in range(6):
        api("getOrderList", {"MaximumRecords": str(n)})
    assert len(_spool_files(db)) == 6
    assert _marks(ctl.ok("GET", "journal")["entries"]) == [str(n) for n in range(6)]
    assert len(_spool_files(db)) == 1  # the one still written to


def test_nothing_is_settled_twice_after_a_crash_before_the_clean_up(tmp_path: Path) -> None:
    db = tmp_path / "twice.db"
    api, ctl, store = _app(db)
    assert store.spool is not None
    for n in range(3):
        api("getOrderList", {"MaximumRecords": str(n)})
    store.spool.close()  # its writer moves on: the file is finished once read
    with store.write() as tx:
        finished = store.spool.settle(tx.conn)
    assert finished.rows == 3 and len(finished.finished) == 1
    # the process died here: committed, but the file was never deleted
    assert _marks(ctl.ok("GET", "journal")["entries"]) == ["0", "1", "2"]
    assert _spool_files(db) == []
    api("getOrderList", {"MaximumRecords": "3"})
    assert _marks(ctl.ok("GET", "journal")["entries"]) == ["0", "1", "2", "3"]
    with store.read() as tx:  # the deleted file's position went with the next settle
        assert tx.conn.execute("SELECT count(*) FROM journal_spool").fetchone()[0] == 1


def test_a_failed_append_leaves_no_torn_record_and_loses_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "full.db"
    api, ctl, _ = _app(db)
    api("getOrderList", {"MaximumRecords": "1"})
    real_write = os.write

    def disk_full(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[:7]))  # part of the record reaches the file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spool.os, "write", disk_full)
    api("getOrderList", {"MaximumRecords": "2"})  # the call still answers: bookkeeping never fails it
    monkeypatch.setattr(spool.os, "write", real_write)
    api("getOrderList", {"MaximumRecords": "3"})
    # the spool refused it whole (no torn record), so the entry went straight into the table, after "1"
    assert _marks(ctl.ok("GET", "journal")["entries"]) == ["1", "2", "3"]


def test_without_a_usable_spool_folder_entries_go_straight_to_the_table(tmp_path: Path) -> None:
    db = tmp_path / "blocked.db"
    Path(str(db) + "-spool").write_text("a file where the spool folder would be")
    api, ctl, _ = _app(db)
    for n in range(3):
        api("getOrderList", {"MaximumRecords": str(n)})
    assert _marks(ctl.ok("GET", "journal")["entries"]) == ["0", "1", "2"]


def test_a_reset_takes_spooled_rows_with_it(tmp_path: Path) -> None:
    db = tmp_path / "reset.db"
    api, ctl, _ = _app(db)
    for n in range(3):
        api("getOrderList", {"MaximumRecords": str(n)})
    assert ctl("POST", "reset")[0] == 200
    api("getOrderList", {"MaximumRecords": "9"})
    listing = ctl.ok("GET", "journal")
    assert _marks(listing["entries"]) == ["9"] and listing["total"] == 1 and listing["dropped"] == 0


def test_clearing_the_journal_takes_spooled_rows_with_it(tmp_path: Path) -> None:
    db = tmp_path / "clear.db"
    api, ctl, _ = _app(db)
    api("getOrderList", {"MaximumRecords": "1"})
    assert ctl("DELETE", "journal") == (204, None)
    assert ctl.ok("GET", "journal")["entries"] == []


def test_the_limit_holds_across_batches_exactly(tmp_path: Path) -> None:
    db = tmp_path / "limit.db"
    api, ctl, _ = _app(db, journal_limit=4)
    for n in range(3):
        api("getOrderList", {"MaximumRecords": str(n)})
    assert ctl.ok("GET", "summary")["journal"] == {"entries": 3, "dropped": 0}
    for n in range(3, 10):  # seven more in one batch
        api("getOrderList", {"MaximumRecords": str(n)})
    listing = ctl.ok("GET", "journal")
    assert _marks(listing["entries"]) == ["6", "7", "8", "9"]
    assert (listing["total"], listing["dropped"]) == (4, 6)


def test_a_new_database_does_not_take_an_old_spool(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(db) + "-spool"], cwd=ROOT, check=False)
    assert not db.exists() and len(_spool_files(db)) == 1  # the database it belonged to was deleted
    _, ctl, _ = _app(db)
    assert ctl.ok("GET", "journal")["entries"] == []
    assert _spool_files(db) == []


def test_writers_queue_on_the_writer_gate(tmp_path: Path) -> None:
    """Write transactions of an SQLite file hold ``<db>-spool/writer`` (flock), re-entrantly per thread, so the
    kernel hands the write lock to the next writer at once; a folder that cannot hold it leaves writes ungated."""
    import fcntl

    store = Store(str(tmp_path / "gate.db"))
    other = os.open(tmp_path / "gate.db-spool" / "writer", os.O_RDWR)
    try:
        with store.write() as tx:
            tx.conn.execute("INSERT INTO kv(ns, key, value) VALUES('default', 'k', x'00')")
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by the store's writer
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released with the transaction
        fcntl.flock(other, fcntl.LOCK_UN)
        with store._writer_gate():
            with store._writer_gate():  # re-entrant: leaving the inner one keeps the outer one's lock
                pass
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(other)
        store.close()
    (tmp_path / "blocked.db-spool").write_text("a file where the spool folder belongs")
    blocked = Store(str(tmp_path / "blocked.db"))
    try:
        with blocked.write() as tx:
            tx.conn.execute("INSERT INTO kv(ns, key, value) VALUES('default', 'k', x'00')")
        with blocked.read() as tx:
            assert tx.conn.execute("SELECT count(*) FROM kv WHERE key='k'").fetchone()[0] == 1
    finally:
        blocked.close()
