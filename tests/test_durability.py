"""``durability``: when an SQLite file's writes reach the disk, and what holds the write lock meanwhile.

FULL (the default) commits with ``synchronous=NORMAL`` and syncs the WAL itself after releasing the write lock,
before ``Store.write`` returns, hence before any answer (early lock release, store.py ``_sync_log``); STRICT is
SQLite's own ``synchronous=FULL``, a sync inside the lock.  A power loss cannot be staged in a test: these tests
pin the order of events that makes an acknowledged write durable."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.store import core as store_module
from sterling_mock.mock_server.store.core import Store

pytestmark = pytest.mark.sqlite_only  # PostgreSQL: FULL and STRICT are synchronous_commit on (db.py)


@contextmanager
def _opened(db: Path, durability: str = "FULL") -> Iterator[Store]:
    store = Store(str(db), durability=durability)
    try:
        yield store
    finally:
        store.close()


def _insert(store: Store, key: str) -> None:
    with store.write() as tx:
        tx.conn.execute("INSERT INTO kv(ns, key, value) VALUES('default', ?, x'00')", (key,))


def _watch_syncs(monkeypatch: pytest.MonkeyPatch, db: Path) -> list[dict[str, Any]]:
    """Record each ``fdatasync``: the file it syncs, whether the writer gate is free, what another connection
    already sees."""
    seen: list[dict[str, Any]] = []
    real = os.fdatasync

    def fdatasync(fd: int) -> None:
        gate = os.open(f"{db}-spool/writer", os.O_RDWR)
        try:
            try:
                fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
                free = True
                fcntl.flock(gate, fcntl.LOCK_UN)
            except BlockingIOError:
                free = False
        finally:
            os.close(gate)
        other = sqlite3.connect(db)
        try:
            keys = [row[0] for row in other.execute("SELECT key FROM kv WHERE ns='default'")]
        finally:
            other.close()
        seen.append({"file": os.readlink(f"/proc/self/fd/{fd}"), "gate_free": free, "visible": keys})
        real(fd)

    monkeypatch.setattr(store_module, "_datasync", fdatasync)
    return seen


def test_full_syncs_the_log_after_the_write_lock_is_released_and_before_write_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "full.db"
    with _opened(db) as store:
        synchronous = store.connection().execute("PRAGMA synchronous").fetchone()[0]
        assert synchronous == 1  # NORMAL: no sync in the lock
        seen = _watch_syncs(monkeypatch, db)
        _insert(store, "first")
        assert len(seen) == 1  # before write() returned
        assert seen[0]["file"] == f"{db}-wal"
        assert seen[0]["gate_free"] is True  # the next writer may already commit
        assert "first" in seen[0]["visible"]  # committed before it is synced
        _insert(store, "second")
        assert len(seen) == 2


def test_a_failed_write_transaction_syncs_nothing_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "failed.db"
    with _opened(db) as store:
        seen = _watch_syncs(monkeypatch, db)
        with pytest.raises(RuntimeError), store.write() as tx:
            tx.conn.execute("INSERT INTO kv(ns, key, value) VALUES('default', 'half', x'00')")
            raise RuntimeError("the API refused")
        assert seen == []
        with store.read() as tx:
            assert tx.conn.execute("SELECT count(*) FROM kv WHERE key='half'").fetchone()[0] == 0


@pytest.mark.parametrize(("durability", "synchronous"), [("STRICT", 2), ("NORMAL", 1), ("OFF", 0)])
def test_other_durabilities_leave_syncing_to_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durability: str, synchronous: int
) -> None:
    db = tmp_path / f"{durability}.db"
    with _opened(db, durability) as store:
        assert store.connection().execute("PRAGMA synchronous").fetchone()[0] == synchronous
        seen = _watch_syncs(monkeypatch, db)
        _insert(store, "k")
        assert seen == []


def test_a_log_checkpointed_away_syncs_the_database_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "gone.db"
    store = Store(str(db))
    real_open = os.open
    synced: list[str] = []
    real_sync = os.fdatasync

    def missing_log(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("-wal"):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    def fdatasync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_sync(fd)

    try:
        monkeypatch.setattr(os, "open", missing_log)
        monkeypatch.setattr(store_module, "_datasync", fdatasync)
        _insert(store, "k")
        assert synced == [str(db)]
    finally:
        monkeypatch.undo()
        store.close()


def test_memory_stores_do_not_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(store_module, "_datasync", calls.append)
    store = Store(":memory:")
    try:
        _insert(store, "k")
        assert calls == []
    finally:
        store.close()


def test_durability_names_are_checked() -> None:
    assert Settings(durability="STRICT").durability == "STRICT"
    with pytest.raises(ValueError, match="FULL, STRICT, NORMAL, OFF"):
        Settings.from_env({"STERLING_MOCK_DURABILITY": "SOMETIMES"})
