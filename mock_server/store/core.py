"""All state of the fake: the SQLite store, its versioned schema, transactions, sequences and reset.

Every table carries the namespace (``ns``) so parallel test workers share one file without seeing each
other's data.  An order is kept as one canonical JSON document plus the columns its queries use; the
rendered default outputs sit beside it and are rewritten in the same transaction as every change, so a
read right after a write sees the write.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sterling_mock.mock_server.store import db, schema, walcheckpoint
from sterling_mock.mock_server.store.spool import Spool
from sterling_mock.mock_server.store.tx import Tx

SCHEMA_VERSION = 2

#: ``PRAGMA synchronous`` of the store's connections per ``durability``: FULL syncs after the commit, outside
#: the write lock (``Store._sync_log``); STRICT is SQLite's own FULL, a sync inside the lock.
SQLITE_SYNCHRONOUS = {"STRICT": "FULL", "FULL": "NORMAL", "NORMAL": "NORMAL", "OFF": "OFF"}

#: ``fdatasync`` where the platform has it (not macOS, whose ``fsync`` is what SQLite itself uses there).
_datasync = getattr(os, "fdatasync", os.fsync)

#: Tables that hold per-namespace state; ``reset`` empties exactly these, so nothing can be forgotten.
CORE_NS_TABLES = ("orders", "order_lines", "sequences", "namespaces", "tokens", "kv")

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS sequences(
        ns TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY(ns, name)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS namespaces(
        ns TEXT PRIMARY KEY, clock_frozen INTEGER NOT NULL DEFAULT 0, clock_at REAL,
        clock_offset REAL NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS kv(
        ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY(ns, key))""",
    """CREATE TABLE IF NOT EXISTS tokens(
        token TEXT PRIMARY KEY, ns TEXT NOT NULL, user TEXT NOT NULL, expires REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS orders(
        id INTEGER PRIMARY KEY,
        ns TEXT NOT NULL,
        ohk TEXT NOT NULL,
        enterprise_code TEXT NOT NULL,
        document_type TEXT NOT NULL,
        order_no TEXT NOT NULL,
        order_date TEXT NOT NULL,
        createts TEXT NOT NULL,
        modifyts TEXT NOT NULL,
        min_status TEXT NOT NULL,
        max_status TEXT NOT NULL,
        doc BLOB NOT NULL,
        r_list_json BLOB, r_list_xml BLOB)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS orders_key ON orders(ns, ohk)",
    "CREATE UNIQUE INDEX IF NOT EXISTS orders_no ON orders(ns, enterprise_code, document_type, order_no)",
    "CREATE INDEX IF NOT EXISTS orders_modifyts ON orders(ns, modifyts, ohk)",
    "CREATE INDEX IF NOT EXISTS orders_date ON orders(ns, order_date, ohk)",
    """CREATE TABLE IF NOT EXISTS order_lines(
        ns TEXT NOT NULL, olk TEXT NOT NULL, ohk TEXT NOT NULL, item_id TEXT NOT NULL,
        PRIMARY KEY(ns, olk)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS order_lines_item ON order_lines(ns, item_id)",
    "CREATE INDEX IF NOT EXISTS order_lines_order ON order_lines(ns, ohk)",
]


#: Changes that bring a store to each version after 1 (``SCHEMA`` and the areas' tables are version 1, created
#: when missing at every start).  Applied in order, in the start-up transaction, to new and older stores alike.
MIGRATIONS: dict[int, list[str]] = {
    # agents look for orders by status (``_orders_at``): without this they scanned every order of a namespace
    2: ["CREATE INDEX IF NOT EXISTS orders_status ON orders(ns, min_status, max_status, id)"],
}


def apply_schema(conn: db.Conn) -> None:
    """Create what is missing and migrate to ``SCHEMA_VERSION`` (the caller holds the transaction; on
    PostgreSQL also a lock, so instances starting together migrate one after the other)."""
    conn.execute(SCHEMA[0])  # meta
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    found = int(row[0]) if row else 0
    if found > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {found} is newer than this fake ({SCHEMA_VERSION})")
    for statement in [*SCHEMA, *schema.statements()]:
        conn.execute(statement)
    for version in range(max(found, 1) + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO meta(key, value) VALUES('schema_version', ?) "
        "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (str(SCHEMA_VERSION),),
    )


def _path_of(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :] or ":memory:"
    if url.startswith("sqlite://"):
        return url[len("sqlite://") :] or ":memory:"
    return url


class Store:
    """One database shared by every worker process of the server (and, on PostgreSQL, by every instance):
    an SQLite file or memory, or a PostgreSQL URL (``db.py``)."""

    def __init__(self, url: str = ":memory:", *, durability: str = "FULL") -> None:
        redirect = os.environ.get(db.REDIRECT_ENV, "")
        if redirect and not db.is_postgres(url):
            url = db.redirected(_path_of(url), redirect)
        self.url = url
        self.durability = durability.upper()
        #: FULL on an SQLite file: commits run ``synchronous=NORMAL`` and ``write`` syncs the log itself once
        #: the write lock is released, before it returns (``_sync_log``).
        self.sync_after_commit = False
        self.postgres: db.Postgres | None = None
        self._local = threading.local()
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = None
        #: Where this store's processes append journal rows (SQLite files only: spool.py).
        self.spool: Spool | None = None
        if db.is_postgres(url):
            self.path = db.redact(url)
            self.memory = False
            self.postgres = db.Postgres(url, synchronous=self.durability in ("FULL", "STRICT"))
            self.postgres.migrate(apply_schema)
            return
        self.path = _path_of(url)
        self.memory = self.path == ":memory:"
        self.sync_after_commit = self.durability == "FULL" and not self.memory
        if self.memory:
            # One connection for every thread: an in-memory database lives and dies with its connection.
            self._shared = self._open(f"file:sterling-mock-{uuid.uuid4().hex}?mode=memory", uri=True)
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.spool = Spool(self.path + "-spool")
            if not os.path.exists(self.path) or os.path.getsize(self.path) == 0:
                self.spool.discard()  # a spool left beside a database that was deleted belongs to that one
        self._migrate()
        if self.spool is not None and self.spool.has_files():
            self.settle_spool()  # what a stopped or killed run left

    @property
    def dialect(self) -> str:
        return "postgresql" if self.postgres is not None else "sqlite"

    # ------------------------------------------------------------------------------------ connections

    def _open(self, target: str, *, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False, timeout=30)
        if not self.memory:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA journal_size_limit={walcheckpoint.WAL_BOUND_BYTES}")
        conn.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS[self.durability]}")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA cache_size=-32000")
        return conn

    def connection(self) -> sqlite3.Connection:
        """This thread's SQLite connection (SQLite only: PostgreSQL connections come from the pool per
        transaction)."""
        if self.postgres is not None:
            raise RuntimeError("connection() is SQLite's; use write() or read()")
        if self._shared is not None:
            return self._shared
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open(self.path)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        if self.postgres is not None:
            self.postgres.close()
            return
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    def after_fork(self) -> None:
        """A forked worker must not reuse its parent's connection."""
        self._local = threading.local()
        if self.postgres is not None:
            self.postgres.after_fork()

    def _migrate(self) -> None:
        with self.write() as tx:
            apply_schema(tx.conn)

    @contextmanager
    def startup(self) -> Iterator[None]:
        """Held while a starting instance looks at the store and seeds it: two instances starting on one
        PostgreSQL database at once must not both seed the demo book."""
        if self.postgres is None:
            yield
            return
        with self.postgres.exclusive(self.postgres.startup_key):
            yield

    # ------------------------------------------------------------------------------------ transactions

    @contextmanager
    def exclusive_write(self) -> Iterator[Tx]:
        """A write transaction that also keeps bookkeeping out (resets, snapshot imports: they rewrite the
        journal's, the faults' and the buckets' tables too).  The same as ``write`` on SQLite."""
        with self.write() as tx:
            if self.postgres is not None and isinstance(tx.conn, db.PgConn):
                self.postgres.lock_side(tx.conn)
            yield tx

    @contextmanager
    def write(self, *, side: bool = False, append: bool = False, ns: str | None = None) -> Iterator[Tx]:
        """One write transaction: all of it commits, or none of it.  Write transactions of one store are
        serialised (SQLite's ``BEGIN IMMEDIATE``; an advisory lock on PostgreSQL).  ``side`` marks bookkeeping
        (journal, faults, buckets) that may skip the commit's flush on PostgreSQL; ``append`` bookkeeping that
        only appends (journal rows), which PostgreSQL runs side by side (db.Postgres.transaction).  ``ns``: the
        transaction touches that namespace's rows only, so PostgreSQL lets other namespaces write meanwhile;
        without it the transaction excludes every other writer (SQLite always does)."""
        if self.postgres is not None:
            with self.postgres.transaction(write=True, side=side, append=append, ns=ns) as pg:
                yield Tx(pg)
            return
        with self._lock if self.memory else self._writer_gate():
            conn = self.connection()
            for attempt in range(50):
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:  # busy beyond busy_timeout: queue, never surface
                    if "locked" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.01 * (attempt + 1))
            try:
                yield Tx(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        if self.sync_after_commit:
            self._sync_log()

    def _sync_log(self) -> None:
        """Make the commit just made durable, after the write lock is released and before ``write`` returns,
        hence before any answer (``durability=FULL`` on an SQLite file).  The commit itself ran
        ``synchronous=NORMAL``: it wrote its WAL frames, and this ``fdatasync`` of the WAL puts them, and any
        other worker's written so far, on disk.  Meanwhile the next writer already holds the lock: the sync
        no longer serialises writers (early lock release: createOrder +8-17 % with 2 workers,
        bench/README.md).  Frames a checkpoint has already copied are safe in the database file, which the
        checkpoint synced before the log could start over.  The price: another call can read a write ~0.2 ms
        before it is on disk (``STRICT`` syncs inside the lock, as SQLite's ``synchronous=FULL`` does)."""
        try:
            fd = os.open(self.path + "-wal", os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:  # the log was checkpointed away: the database file holds the commit
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            _datasync(fd)
        finally:
            os.close(fd)

    @contextmanager
    def _writer_gate(self) -> Iterator[None]:
        """Writers of one SQLite file queue on a lock the kernel hands over (``flock`` on ``<db>-spool/writer``)
        before ``BEGIN IMMEDIATE``.  SQLite's own busy handler polls, sleeping 1, 2, 5, 10 ms…: under concurrent
        writes a waiting worker slept on after the lock was free (+16 % createOrder with 2 workers,
        bench/README.md).  Re-entrant per thread; a connection that bypasses the gate (an external tool)
        still meets the busy timeout.  Without a usable spool folder writers simply go ungated."""
        local = self._local
        depth = getattr(local, "gate_depth", 0)
        if depth == 0:
            fd = getattr(local, "gate", -1)
            if getattr(local, "gate_pid", 0) != os.getpid():
                fd = self._open_gate()  # after a fork: this process's own open file, not the parent's
                local.gate, local.gate_pid = fd, os.getpid()
            if fd >= 0:
                fcntl.flock(fd, fcntl.LOCK_EX)
        local.gate_depth = depth + 1
        try:
            yield
        finally:
            local.gate_depth = depth
            if depth == 0 and local.gate >= 0:
                fcntl.flock(local.gate, fcntl.LOCK_UN)

    def _open_gate(self) -> int:
        if self.spool is None:
            return -1
        try:
            self.spool.dir.mkdir(parents=True, exist_ok=True)
            return os.open(self.spool.dir / "writer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            return -1

    @contextmanager
    def read(self, *, single: bool = False) -> Iterator[Tx]:
        """A consistent read snapshot.  ``single``: the block runs one statement (consistent by itself), or
        statements that need no common snapshot (deferred.py), so no BEGIN and COMMIT (round trips on
        PostgreSQL)."""
        if self.postgres is not None:
            if single:
                with self.postgres.single() as one:
                    yield Tx(one)
                return
            with self.postgres.transaction(write=False) as pg:
                yield Tx(pg)
            return
        with self._lock if self.memory else _nolock():
            conn = self.connection()
            if single:  # one statement is its own snapshot
                yield Tx(conn)
                return
            conn.execute("BEGIN")
            try:
                yield Tx(conn)
            finally:
                conn.execute("COMMIT")

    def settle_spool(self) -> None:
        """Move the journal rows every process has spooled into the journal table (spool.py)."""
        if self.spool is None:
            return
        with self.write() as tx:
            settled = self.spool.settle(tx.conn)
        self.spool.remove(settled)

    def reset(self, ns: str | None = None) -> None:
        """Fresh state for one namespace, or for all of them (journal rows still spooled included)."""
        settled = None
        with self.exclusive_write() as tx:
            if self.spool is not None:
                settled = self.spool.settle(tx.conn)
            for table in (*CORE_NS_TABLES, *schema.ns_tables()):
                if ns is None:
                    tx.conn.execute(f"DELETE FROM {table}")
                else:
                    tx.conn.execute(f"DELETE FROM {table} WHERE ns=?", (ns,))
        if settled is not None and self.spool is not None:
            self.spool.remove(settled)


class _nolock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
