"""The journal's spool (SQLite file stores): each process appends its journal rows to a file of its own, and
they enter the ``journal`` table in batches.

A journal row per call used to be a write transaction per call: seven statements, the write lock shared by
every worker, ~14 WAL pages to checkpoint later.  It cost 0.14 ms of a 0.29 ms getOrderDetails in process and
0.2 ms under gunicorn, where the workers also waited for each other's lock (bench/README.md).  Now a call
appends one record to its process's spool file (one ``write``, no lock held across processes but a shared
``flock``), and the rows are *settled* into the table, in order, in one transaction:

- by a background thread of each process (``walcheckpoint``'s), once a process has ``FLUSH_BYTES`` pending or
  its oldest pending record is ``FLUSH_AFTER`` seconds old;
- before anything reads or clears the journal (``journal.settled``): the control plane, the console, the
  invariant checker, a reset.  So a journal read sees every call that returned before it began, whichever
  process served the call.

Order: while a reader collects, it holds the spool's *gate* exclusively (``flock``); an append holds it shared
while it stamps and writes its record.  A collection therefore sees every record appended before it and none
half-written, and records are inserted in the order of their stamps (``CLOCK_MONOTONIC``, one clock for every
process of the machine): a call that returned before another began has the lower journal id.

Files: ``<db>-spool/<pid>-<token>.m<marshal version>.spool``, each locked (``flock``) by its writer for as long as
it writes to it.  The settled position of every file is kept in the ``journal_spool`` table, in the
transaction that inserted its rows, so a crash never inserts a row twice nor loses a settled one.  A file
whose writer is gone (exited, killed, or moved on to a new file past ``ROTATE_BYTES``) is deleted once it is
settled, after the commit; a record left half-written by a killed writer is dropped.  A process that exits
settles its own records first (``atexit``); what a killed one left is settled by the next reader, flush or
start.

Durability: as the bookkeeping connection's (``synchronous=NORMAL``) — the rows are not fsynced; a power loss
may lose the last calls' journal entries, never an order.  PostgreSQL and ``:memory:`` stores write journal rows
directly (several machines share no files; one process shares no spool).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import marshal
import os
import struct
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("sterling_mock")

#: A record: payload length and the ``CLOCK_MONOTONIC`` nanoseconds at its append, then the payload.
HEADER = struct.Struct("<IQ")
#: ``marshal``'s format is the interpreter's: a file written by another one is left alone.
SUFFIX = f".m{marshal.version}.spool"
GATE = "gate"
#: A writer moves on to a new file past this size (the old one is deleted once settled).
ROTATE_BYTES = 4 * 2**20
#: A process settles once it has this many bytes pending, or its oldest pending record is this old (checked on
#: each pass of the background thread, every ``walcheckpoint.INTERVAL`` seconds).
FLUSH_BYTES = 256 * 1024
FLUSH_AFTER = 0.1

INSERT = (
    "INSERT INTO journal(ns, time, user, transport, api, http_status, duration_ms, error_code, fault, "
    "input, output) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


# ------------------------------------------------------------------------------------------ the journal table


def bump(conn: Any, ns: str, name: str, by: int = 1) -> int:
    row = conn.execute(
        "INSERT INTO control_counters(ns, name, value) VALUES(?, ?, ?) "
        "ON CONFLICT(ns, name) DO UPDATE SET value = control_counters.value + excluded.value RETURNING value",
        (ns, name, by),
    ).fetchone()
    return int(row[0])


def insert_rows(conn: Any, rows: Iterable[tuple[int, tuple[Any, ...]]]) -> None:
    """Insert journal rows ``(limit, row)`` in order, then trim each namespace to the limit of its newest row
    (the limit of the server that journaled it) and count what was dropped."""
    limits: dict[str, int] = {}
    added: dict[str, int] = {}
    values = []
    for limit, row in rows:
        values.append(row)
        limits[row[0]] = limit
        added[row[0]] = added.get(row[0], 0) + 1
    if values:
        conn.executemany(INSERT, values)
    for ns, count in added.items():
        total = bump(conn, ns, "journal_entries", count)
        if total > limits[ns]:
            # count what was really deleted: on PostgreSQL an order write's journal row and a read's may be
            # appended at once (they hold different locks; the counter row orders them)
            dropped = conn.execute(
                "DELETE FROM journal WHERE id IN (SELECT id FROM journal WHERE ns=? ORDER BY id LIMIT ?)",
                (ns, total - limits[ns]),
            ).rowcount
            if dropped > 0:
                bump(conn, ns, "journal_entries", -dropped)
                bump(conn, ns, "journal_dropped", dropped)


# ------------------------------------------------------------------------------------------ the spool


@dataclass
class Settled:
    """What one settle read: files to delete once its transaction has committed."""

    finished: list[Path] = field(default_factory=list)
    rows: int = 0


class Spool:
    """One store's spool directory, as seen by this process."""

    def __init__(self, directory: str) -> None:
        self.dir = Path(directory)
        self._lock = threading.Lock()
        self._pid = 0
        self._fd = -1
        self._gate = -1
        self._size = 0
        #: Bytes this process appended since it last settled, and when the first of them was appended.
        self.pending = 0
        self.pending_since = 0.0

    # -------------------------------------------------------------------------------- writing

    def append(self, limit: int, row: tuple[Any, ...]) -> None:
        """Append one journal row (``limit``: the journal limit of the server that wrote it)."""
        payload = marshal.dumps((limit, row))
        with self._lock:
            if self._pid != os.getpid() or self._size > ROTATE_BYTES:
                self._open()
            fcntl.flock(self._gate, fcntl.LOCK_SH)
            try:
                data = HEADER.pack(len(payload), time.monotonic_ns()) + payload
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(self._fd, view) :]
                except OSError:
                    os.ftruncate(self._fd, self._size)  # never leave a torn record behind a good one
                    raise
                self._size += len(data)
            finally:
                fcntl.flock(self._gate, fcntl.LOCK_UN)
            if not self.pending:
                self.pending_since = time.monotonic()
            self.pending += len(data)

    def due(self) -> bool:
        """This process has records pending long enough, or enough of them, to settle now."""
        return bool(self.pending) and (
            self.pending >= FLUSH_BYTES or time.monotonic() - self.pending_since >= FLUSH_AFTER
        )

    def _open(self) -> None:
        """A new file of this process's own (after a fork, at first use, or past ``ROTATE_BYTES``): created
        under a temporary name and locked before it is visible, so no reader takes it for a dead writer's."""
        mine = self._pid == os.getpid()
        for fd in (self._fd, self._gate if not mine else -1):
            if fd >= 0:
                os.close(fd)  # a parent's descriptors: closing ours leaves its locks alone
        self.dir.mkdir(parents=True, exist_ok=True)
        stem = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        temporary = self.dir / f".{stem}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(temporary, self.dir / f"{stem}{SUFFIX}")
        if not mine or self._gate < 0:
            self._gate = os.open(self.dir / GATE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self._fd, self._size, self._pid = fd, 0, os.getpid()

    # -------------------------------------------------------------------------------- settling

    def has_files(self) -> bool:
        try:
            with os.scandir(self.dir) as entries:
                return any(entry.name.endswith(SUFFIX) for entry in entries)
        except (FileNotFoundError, NotADirectoryError):
            return False

    def settle(self, conn: Any) -> Settled:
        """Insert every record appended so far into the journal, in order (the caller holds a write
        transaction on ``conn`` and calls ``remove`` after it commits)."""
        if not self.has_files():
            return Settled()
        positions = {str(name): int(pos) for name, pos in conn.execute("SELECT name, pos FROM journal_spool")}
        chunks = self._collect(positions)
        records: list[tuple[int, int, bytes]] = []
        done = Settled()
        moved: dict[str, int] = {}
        for order, (path, start, data, gone) in enumerate(chunks):
            pos = 0
            while pos + HEADER.size <= len(data):
                size, stamp = HEADER.unpack_from(data, pos)
                end = pos + HEADER.size + size
                if end > len(data):
                    break
                records.append((stamp, order, data[pos + HEADER.size : end]))
                pos = end
            if pos:
                moved[path.name] = start + pos
            if gone:  # nothing more will come: a torn tail (a killed writer's) is dropped
                done.finished.append(path)
        records.sort(key=lambda record: (record[0], record[1]))
        rows: list[tuple[int, tuple[Any, ...]]] = []
        for _, _, payload in records:
            try:
                limit, row = marshal.loads(payload)
            except (EOFError, ValueError, TypeError):
                log.warning("a journal spool record could not be read; it is skipped")
                continue
            rows.append((int(limit), tuple(row)))
        insert_rows(conn, rows)
        for name, pos in moved.items():
            conn.execute(
                "INSERT INTO journal_spool(name, pos) VALUES(?, ?) "
                "ON CONFLICT(name) DO UPDATE SET pos=excluded.pos",
                (name, pos),
            )
        present = {path.name for path, _, _, _ in chunks}
        for name in positions.keys() - present:  # deleted after an earlier settle committed
            conn.execute("DELETE FROM journal_spool WHERE name=?", (name,))
        done.rows = len(rows)
        if self._pid == os.getpid():
            self.pending = 0
        return done

    def _collect(self, positions: dict[str, int]) -> list[tuple[Path, int, bytes, bool]]:
        """Every spool file's bytes past its settled position, read while no append is under way, and
        whether its writer is gone (checked then too: a writer that appends after this never counts as gone
        here, so no record of a finished file is missed)."""
        gate = os.open(self.dir / GATE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(gate, fcntl.LOCK_EX)
            found = []
            with os.scandir(self.dir) as listing:
                entries = sorted(listing, key=lambda e: e.name)
            for entry in entries:
                if not entry.name.endswith(SUFFIX):
                    continue
                start = positions.get(entry.name, 0)
                path = Path(entry.path)
                gone = _writer_gone(path)
                try:
                    with open(path, "rb") as handle:
                        handle.seek(start)
                        found.append((path, start, handle.read(), gone))
                except FileNotFoundError:
                    continue
            return found
        finally:
            os.close(gate)  # releases the lock

    @property
    def writing(self) -> bool:
        """This process has a spool file open."""
        return self._pid == os.getpid() and self._fd >= 0

    def close(self) -> None:
        """Stop writing (this process is exiting): its file is then deleted by the settle that reads it."""
        with self._lock:
            if self._pid == os.getpid() and self._fd >= 0:
                os.close(self._fd)
                self._fd, self._pid = -1, 0

    @staticmethod
    def remove(settled: Settled) -> None:
        """Delete the files a committed settle finished (their positions go at the next settle)."""
        for path in settled.finished:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def discard(self) -> None:
        """Drop what dead writers left (a new database at a path whose spool outlived the old one)."""
        try:
            with os.scandir(self.dir) as listing:
                entries = list(listing)
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if entry.name.endswith(SUFFIX) and _writer_gone(Path(entry.path)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _writer_gone(path: Path) -> bool:
    """Nobody holds the file's lock: its writer exited or moved on to a new file (checked on a descriptor of
    our own, so this process's own file counts as held)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
