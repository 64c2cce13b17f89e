"""SQLite WAL checkpoints off the request path: one background thread per worker process.

Every read call appends a journal row (14 WAL pages or so), so the write-ahead log passes SQLite's automatic
checkpoint threshold (1,000 pages) every ~70 calls, and the call whose commit crosses it runs the checkpoint
itself: two fsyncs (the WAL, then the database file) and the page copies, 5–18 ms on these disks, inside one
request (bench/README.md).  Here the bookkeeping connection (journal.py) and the connection of every API
write (``adopt``) raise their threshold to ``SIDE_AUTOCHECKPOINT`` pages, and a daemon thread checkpoints
(``PASSIVE``: it never blocks readers or writers) every ``INTERVAL`` seconds when the store was written since
its last pass; past ``RESTART_FRAMES`` a pass makes the log start over.  Durability is unchanged: commits
still sync as ``durability`` says, and the checkpoint syncs the WAL before and the database file after
copying, as SQLite's own does.  If the thread ever falls behind, a commit past ``SIDE_AUTOCHECKPOINT`` pages
checkpoints inline as before.

The same thread settles each store's journal spool when this process has rows due there (spool.py), and an
exiting process settles its own before it goes.

Not state: the thread keeps a connection per store (dropped with the store, never used across a fork).
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from sterling_mock.mock_server.store.spool import Spool


class Store(Protocol):
    """What a pass needs of a store (``store.core.Store``, which imports this module for its WAL bound)."""

    path: str
    memory: bool
    postgres: Any
    spool: Spool | None
    durability: str


log = logging.getLogger("sterling_mock")

#: Seconds between passes.  0.05 s until round 5 of bench/README.md: a longer pass settles bigger journal
#: batches and copies each hot page once for more commits (getOrderDetails +5-6 %, createOrder +2-3 %; 0.5 s
#: and 1 s measured no better).  Journal reads settle first and tests call ``flush``: nothing waits for a pass.
INTERVAL = 0.25
#: Pages in the WAL past which a pass makes the log start over (``RESTART``): ~32 MB.
RESTART_FRAMES = 8_192
#: Pages past which the bookkeeping connection checkpoints inline anyway (~40 MB of WAL).
SIDE_AUTOCHECKPOINT = 10_000
#: The WAL's size once bulk work is done (``truncate``), and its size limit (``journal_size_limit``) whenever the
#: log starts over: without it the file kept its high-water mark (39 MB beside a 10 MB store after one agents
#: run over the demo book) until a restart.  Between restarts under load it may grow to ``SIDE_AUTOCHECKPOINT``.
WAL_BOUND_BYTES = 4 * 1024 * 1024


class _Entry:
    __slots__ = ("conn", "dirty", "ref", "settle")

    def __init__(self, store: Store) -> None:
        self.ref = weakref.ref(store)
        self.conn: sqlite3.Connection | None = None
        self.dirty = True
        #: How the store's journal spool is settled (``journal.settle``), handed in by the journal's writers.
        self.settle: Callable[[Any], None] | None = None


_lock = threading.Lock()
_entries: dict[int, _Entry] = {}
_wake = threading.Event()
_state: dict[str, object] = {"pid": 0, "thread": None, "passes": 0}
#: Connections inherited across a fork: never used nor closed in the child (SQLite forbids both).
_inherited: list[object] = []


def notify(store: Store, settle: Callable[[Any], None] | None = None) -> None:
    """The store's WAL grew: checkpoint it on the next pass (starts this process's thread when needed).
    ``settle`` settles the store's journal spool: the journal hands it in, so this module needs no import of
    the journal (which imports this one)."""
    if store.memory or store.postgres is not None:
        return
    entry = _entries.get(id(store))
    if entry is not None and entry.ref() is store and _state["pid"] == os.getpid():
        entry.dirty = True
        if settle is not None:
            entry.settle = settle
        return
    with _lock:
        if _state["pid"] != os.getpid():  # a forked child: the parent's thread and connections are not ours
            _inherited.append(list(_entries.values()))
            _entries.clear()
            _state.update(pid=os.getpid(), thread=None)
        entry = _entries.get(id(store))
        if entry is None or entry.ref() is not store:
            entry = _entries[id(store)] = _Entry(store)
        else:
            entry.dirty = True
        if settle is not None:
            entry.settle = settle
        thread = _state["thread"]
        if not isinstance(thread, threading.Thread) or not thread.is_alive():
            thread = threading.Thread(target=_run, name="sterling-mock-wal-checkpoint", daemon=True)
            _state["thread"] = thread
            thread.start()


def adopt(conn: object) -> None:
    """Leave an order-writing connection's checkpoints to the thread as well (called in each API write
    transaction, a statement that only sets a connection option).  Its own threshold (SQLite's 1,000 pages)
    would otherwise make every commit checkpoint inline while the log is past it: the log restarts only
    when a pass catches up with no writer in between, or at ``RESTART_FRAMES``."""
    if isinstance(conn, sqlite3.Connection):
        conn.execute(f"PRAGMA wal_autocheckpoint={SIDE_AUTOCHECKPOINT}")


def truncate(store: Store, timeout: float = 15.0) -> bool:
    """After bulk work (a seed, an agents run): settle the journal spool, copy the whole log into the database
    and truncate it to nothing, so the WAL does not keep its high-water mark beside the store.

    A truncating checkpoint needs a moment with no writer and every reader on the newest snapshot.  Right
    after bulk work that moment can be seconds away: this process's checkpoint thread may be settling the
    spooled journal rows of a thousand calls in one write, another worker its own (a loaded two-core CI
    machine once held it past a single 2-second wait, leaving a 37 MB log).  So it tries again, settling
    whatever was spooled meanwhile, for up to ``timeout`` seconds; False when it never got that moment (the
    size limit then bounds the log when it next starts over)."""
    if store.memory or store.postgres is not None:
        return True
    deadline = time.monotonic() + timeout
    while True:
        entry = _entries.get(id(store))
        if store.spool is not None and entry is not None and entry.ref() is store:
            _settle(store, entry)
        remaining = deadline - time.monotonic()
        if _truncate_once(store, max(0.05, min(remaining, 2.0))):
            return True
        if remaining <= 0:
            log.debug("the WAL of %s could not be truncated within %.0f s", store.path, timeout)
            return False
        time.sleep(0.05)


def _truncate_once(store: Store, wait: float) -> bool:
    try:
        conn = sqlite3.connect(store.path, isolation_level=None, timeout=wait)
    except sqlite3.Error:
        return False
    try:
        conn.execute(f"PRAGMA synchronous={'OFF' if store.durability == 'OFF' else 'FULL'}")
        conn.execute(f"PRAGMA journal_size_limit={WAL_BOUND_BYTES}")
        found = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return found is not None and found[0] == 0
    except sqlite3.Error as exc:
        log.debug("truncating checkpoint of %s failed: %s", store.path, exc)
        return False
    finally:
        conn.close()


def passes() -> int:
    """Checkpoints this process has run (tests)."""
    count = _state["passes"]
    return count if isinstance(count, int) else 0


def flush(timeout: float = 5.0) -> None:
    """Run a pass now and wait for it (tests): for a whole pass begun after this call, so everything done
    before it is settled and checkpointed (a pass already under way when the call came may have passed the
    store by; waiting for it alone once left 4 of 20 journal rows out of the file on a loaded machine)."""
    before = passes()
    _wake.set()
    done = threading.Event()

    def wait() -> None:
        while passes() < before + 2 and not done.wait(0.005):
            if passes() == before + 1:
                _wake.set()  # the pass under way has ended: start the next one at once

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    waiter.join(timeout)
    done.set()


def _run() -> None:
    me = threading.current_thread()
    while True:
        _wake.wait(INTERVAL)
        _wake.clear()
        if _state["thread"] is not me:
            return
        with _lock:
            entries = list(_entries.items())
        for key, entry in entries:
            _visit(key, entry)
        del entries
        _state["passes"] = passes() + 1


def _visit(key: int, entry: _Entry) -> None:
    """One store's turn in a pass.  A function of its own, so the strong reference to the store it takes dies
    when the turn ends: a loop variable kept it alive while the thread slept, and a dropped store was never
    forgotten."""
    store = entry.ref()
    if store is None:
        with _lock:
            if _entries.get(key) is entry:
                del _entries[key]
        if entry.conn is not None:
            entry.conn.close()
        return
    if store.spool is not None and store.spool.due():
        _settle(store, entry)
    if entry.dirty:
        entry.dirty = False
        _checkpoint(store, entry)


def _settle(store: Store, entry: _Entry) -> None:
    """Settle the store's journal spool (spool.py) in one batch, off the request path."""
    if entry.settle is None:
        return
    try:
        entry.settle(store)
    except Exception as exc:  # the file went away, or a reset holds it: the next pass tries again
        log.debug("settling the journal spool of %s failed: %s", store.path, exc)


def _at_exit() -> None:
    """An exiting process settles what it spooled (a killed one's records wait for the next reader)."""
    if _state["pid"] != os.getpid():
        return
    with _lock:
        entries = list(_entries.values())
    for entry in entries:
        store = entry.ref()
        if store is not None and store.spool is not None and store.spool.writing:
            store.spool.close()
            _settle(store, entry)


atexit.register(_at_exit)


def _checkpoint(store: Store, entry: _Entry) -> None:
    try:
        if entry.conn is None:
            conn = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False, timeout=0.1)
            # the checkpoint syncs the WAL before copying and the database file after, unless OFF
            conn.execute(f"PRAGMA synchronous={'OFF' if store.durability == 'OFF' else 'FULL'}")
            conn.execute("PRAGMA wal_autocheckpoint=0")
            conn.execute(f"PRAGMA journal_size_limit={WAL_BOUND_BYTES}")
            entry.conn = conn
        found = entry.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if found is not None and found[1] >= RESTART_FRAMES:
            # under steady load some reader or writer always follows the last backfilled frame, so the
            # log never starts over by itself: RESTART waits (up to the timeout, holding new writers back)
            # until it can, which bounds the WAL file
            entry.conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
    except sqlite3.Error as exc:  # the file went away or is being replaced: try afresh next time
        log.debug("background checkpoint of %s failed: %s", store.path, exc)
        if entry.conn is not None:
            entry.conn.close()
            entry.conn = None
