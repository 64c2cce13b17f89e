"""All state of the fake: the SQLite store, its versioned schema, transactions, sequences and reset.

Every table carries the namespace (``ns``) so parallel test workers share one file without seeing each
other's data.  An order is kept as one canonical JSON document plus the columns its queries use; the
rendered default outputs sit beside it and are rewritten in the same transaction as every change, so a
read right after a write sees the write.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from sterling_mock.mock_server.base.errors import RecordAlreadyExists
from sterling_mock.mock_server.store import db, schema, walcheckpoint
from sterling_mock.mock_server.store.keys import check_keys
from sterling_mock.mock_server.store.spool import Spool

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


@dataclass
class OrderRow:
    ohk: str
    doc: dict[str, Any]


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


def _token_digest(token: str) -> str:
    """Login tokens are kept as SHA-256 digests: a copied database or snapshot holds no usable token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class _nolock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class Tx:
    """The operations of one transaction.  Every SQL statement of the fake's order model lives here."""

    def __init__(self, conn: db.Conn) -> None:
        self.conn = conn
        self.dialect = "postgresql" if isinstance(conn, db.PgConn) else "sqlite"
        #: What ``prefetch_controls`` read, served to the readers below for the rest of the transaction.
        self.memo: dict[tuple[str, ...], Any] = {}

    def prefetch_controls(
        self, ns: str, first_key: str, second_key: str, other: tuple[str, str] | None = None
    ) -> None:
        """A call's look at its namespace's controls in one statement: the clock, two kv values, whether any
        fault rule exists and the ``other`` kv value (namespace, key) if given (``clock_state``, ``kv_get`` and
        ``has_faults`` then answer from memory)."""
        other_ns, other_key = other or ("", "")
        row = self.conn.execute(
            "SELECT n.clock_frozen, n.clock_at, n.clock_offset, "
            "(SELECT value FROM kv WHERE ns=? AND key=?), (SELECT value FROM kv WHERE ns=? AND key=?), "
            "(SELECT count(*) FROM (SELECT 1 FROM faults WHERE ns=? LIMIT 1) AS f), "
            "(SELECT value FROM kv WHERE ns=? AND key=?) "
            "FROM (SELECT 1 AS one) AS base LEFT JOIN namespaces n ON n.ns=?",
            (ns, first_key, ns, second_key, ns, other_ns, other_key, ns),
        ).fetchone()
        frozen, at, offset, first, second, faults, third = row
        self.memo[("clock", ns)] = (bool(frozen), at, float(offset or 0.0))
        self.memo[("kv", ns, first_key)] = None if first is None else orjson.loads(first)
        self.memo[("kv", ns, second_key)] = None if second is None else orjson.loads(second)
        self.memo[("faults", ns)] = int(faults) > 0
        if other is not None:
            self.memo[("kv", other_ns, other_key)] = None if third is None else orjson.loads(third)

    def stream(self, sql: str, params: Sequence[Any], batch: int = 1000) -> Generator[Any, None, None]:
        """The rows of a query that may be large, read as they are consumed: SQLite steps lazily already;
        PostgreSQL would otherwise send the whole result at once, so a server cursor hands it over in
        batches (inside the caller's transaction)."""
        if isinstance(self.conn, db.PgConn):
            cursor = self.conn.raw.cursor(name=f"stream_{uuid.uuid4().hex[:12]}")
            try:
                cursor.execute(db.to_postgres(sql), tuple(params))
                size = 50  # small first (most lists stop early), then doubling up to ``batch``
                while rows := cursor.fetchmany(size):
                    yield from rows
                    size = min(size * 2, batch)
            finally:
                cursor.close()
            return
        yield from self.conn.execute(sql, params)

    def has_faults(self, ns: str) -> bool:
        found = self.memo.get(("faults", ns))
        if found is not None:
            return bool(found)
        return self.conn.execute("SELECT 1 FROM faults WHERE ns=? LIMIT 1", (ns,)).fetchone() is not None

    def columns(self, table: str) -> list[tuple[str, bool]]:
        """(column, is the row-id key) of a table, in table order."""
        if isinstance(self.conn, db.PgConn):
            return db.Postgres.columns_of(self.conn, table)
        info = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
        keys = [row for row in info if row[5]]
        alias = len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER"
        return [(str(row[1]), alias and row[5] == 1) for row in info]

    # ------------------------------------------------------------------------------------ sequences

    def next_value(self, ns: str, name: str, start: int = 1, *, count: int = 1) -> int:
        """Advance sequence ``name`` (first value ``start``) by ``count``; the last value taken."""
        row = self.conn.execute(
            "INSERT INTO sequences(ns, name, value) VALUES(?, ?, ?) "
            "ON CONFLICT(ns, name) DO UPDATE SET value = sequences.value + ? RETURNING value",
            (ns, name, start + count - 1, count),
        ).fetchone()
        return int(row[0])

    # ------------------------------------------------------------------------------------ key/value

    def kv_get(self, ns: str, key: str) -> Any:
        if ("kv", ns, key) in self.memo:
            return self.memo[("kv", ns, key)]
        row = self.conn.execute("SELECT value FROM kv WHERE ns=? AND key=?", (ns, key)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def kv_put(self, ns: str, key: str, value: Any) -> None:
        self.memo.pop(("kv", ns, key), None)
        self.conn.execute(
            "INSERT INTO kv(ns, key, value) VALUES(?, ?, ?) ON CONFLICT(ns, key) DO UPDATE SET value=excluded.value",
            (ns, key, orjson.dumps(value)),
        )

    def kv_delete(self, ns: str, key: str) -> None:
        self.memo.pop(("kv", ns, key), None)
        self.conn.execute("DELETE FROM kv WHERE ns=? AND key=?", (ns, key))

    # ------------------------------------------------------------------------------------ clock

    def clock_state(self, ns: str) -> tuple[bool, float | None, float]:
        if ("clock", ns) in self.memo:
            return self.memo[("clock", ns)]  # type: ignore[no-any-return]
        row = self.conn.execute(
            "SELECT clock_frozen, clock_at, clock_offset FROM namespaces WHERE ns=?", (ns,)
        ).fetchone()
        if row is None:
            return False, None, 0.0
        return bool(row[0]), row[1], float(row[2])

    def set_clock_state(self, ns: str, frozen: bool, at: float | None, offset: float) -> None:
        self.memo.pop(("clock", ns), None)
        self.conn.execute(
            "INSERT INTO namespaces(ns, clock_frozen, clock_at, clock_offset) VALUES(?, ?, ?, ?) "
            "ON CONFLICT(ns) DO UPDATE SET clock_frozen=excluded.clock_frozen, clock_at=excluded.clock_at, "
            "clock_offset=excluded.clock_offset",
            (ns, int(frozen), at, offset),
        )

    # ------------------------------------------------------------------------------------ tokens

    def put_token(self, token: str, ns: str, user: str, expires: float) -> None:
        self.conn.execute("DELETE FROM tokens WHERE expires < ?", (expires - 86400 * 7,))
        self.conn.execute("INSERT INTO tokens VALUES(?, ?, ?, ?)", (_token_digest(token), ns, user, expires))

    def get_token(self, token: str) -> tuple[str, str, float] | None:
        row = self.conn.execute(
            "SELECT ns, user, expires FROM tokens WHERE token=?", (_token_digest(token),)
        ).fetchone()
        return None if row is None else (row[0], row[1], float(row[2]))

    # ------------------------------------------------------------------------------------ orders

    def order_exists(self, ns: str, ohk: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM orders WHERE ns=? AND ohk=?", (ns, ohk)).fetchone() is not None
        )

    def order_key_by_no(self, ns: str, enterprise: str, document_type: str, order_no: str) -> str | None:
        row = self.conn.execute(
            "SELECT ohk FROM orders WHERE ns=? AND enterprise_code=? AND document_type=? AND order_no=?",
            (ns, enterprise, document_type, order_no),
        ).fetchone()
        return None if row is None else str(row[0])

    def get_order(self, ns: str, ohk: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT doc FROM orders WHERE ns=? AND ohk=?", (ns, ohk)).fetchone()
        return None if row is None else dict(orjson.loads(row[0]))

    def get_order_bytes(self, ns: str, ohk: str) -> bytes | None:
        """The stored document as written (what the render cache compares against)."""
        row = self.conn.execute("SELECT doc FROM orders WHERE ns=? AND ohk=?", (ns, ohk)).fetchone()
        return None if row is None else bytes(row[0])

    def cached_renders(self, ns: str, ohk: str, first: str, second: str) -> dict[str, bytes]:
        """Rendered bodies of one order for up to two kinds (pass the same kind twice for one)."""
        rows = self.conn.execute(
            "SELECT kind, body FROM render_cache WHERE ns=? AND ohk=? AND kind IN (?, ?)",
            (ns, ohk, first, second),
        ).fetchall()
        return {str(kind): bytes(body) for kind, body in rows}

    def renders_of(self, ns: str, ohks: list[str], kinds: list[str]) -> dict[tuple[str, str], bytes]:
        """Cached bodies ``{(ohk, kind): body}`` of some orders and kinds, in one statement."""
        if not ohks or not kinds:
            return {}
        rows = self.conn.execute(
            "SELECT ohk, kind, body FROM render_cache WHERE ns=? "
            f"AND ohk IN ({', '.join('?' * len(ohks))}) AND kind IN ({', '.join('?' * len(kinds))})",
            (ns, *ohks, *kinds),
        ).fetchall()
        return {(str(ohk), str(kind)): bytes(body) for ohk, kind, body in rows}

    def put_renders(self, ns: str, fills: list[tuple[str, str, bytes, bytes]], keep: int) -> None:
        """Cache ``(ohk, kind, body, source document)`` rows, each only if the order still holds that exact
        document (so a render from an older snapshot never lands after a newer write); keep the newest
        ``keep`` rows of the store."""
        # PostgreSQL: an order write may be in flight under the other lock; FOR SHARE waits for it and then
        # checks the order's new document (so a render of the old one never lands after the write)
        share = " FOR SHARE" if self.dialect == "postgresql" else ""
        self.conn.executemany(
            "INSERT INTO render_cache(ns, ohk, kind, body) SELECT ?, ?, ?, ? "
            f"WHERE EXISTS(SELECT 1 FROM orders WHERE ns=? AND ohk=? AND doc=?{share}) "
            "ON CONFLICT(ns, ohk, kind) DO UPDATE SET body=excluded.body",
            [(ns, ohk, kind, body, ns, ohk, source) for ohk, kind, body, source in fills],
        )
        self.conn.execute(
            "DELETE FROM render_cache WHERE id <= (SELECT max(id) FROM render_cache) - ?", (keep,)
        )

    def get_rendered_many(self, ns: str, keys: list[str], column: str) -> dict[str, bytes]:
        """Stored list renderings of many orders in a few statements (one round trip per 500 on PostgreSQL,
        where a statement per order cost ~0.1 ms each)."""
        if column not in ("r_list_json", "r_list_xml"):
            raise ValueError(column)
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT ohk, {column} FROM orders WHERE ns=? AND ohk IN ({marks})", (ns, *chunk)
            ).fetchall()
            found.update((str(ohk), bytes(body)) for ohk, body in rows if body is not None)
        return found

    def save_order(self, ns: str, row: dict[str, Any], rendered: dict[str, bytes], *, insert: bool) -> None:
        """Insert or rewrite one order with its query columns and rendered outputs."""
        check_keys(
            EnterpriseCode=row["enterprise_code"],
            DocumentType=row["document_type"],
            OrderNo=row["order_no"],
            **{f"OrderLine/{n}/Item/@ItemID": item for n, (_olk, item) in enumerate(row["lines"], 1)},
        )
        doc = row["doc"]
        values = (
            row["enterprise_code"],
            row["document_type"],
            row["order_no"],
            row["order_date"],
            row["createts"],
            row["modifyts"],
            row["min_status"],
            row["max_status"],
            doc if isinstance(doc, bytes) else orjson.dumps(doc),  # bytes: serialised already (deferred.py)
            rendered.get("list_json"),
            rendered.get("list_xml"),
        )
        if insert:
            self.conn.execute(
                "INSERT INTO orders(enterprise_code, document_type, order_no, order_date, createts, modifyts, "
                "min_status, max_status, doc, r_list_json, r_list_xml, ns, ohk) "
                "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, ns, row["ohk"]),
            )
        else:
            self.conn.execute(
                "UPDATE orders SET enterprise_code=?, document_type=?, order_no=?, order_date=?, createts=?, "
                "modifyts=?, min_status=?, max_status=?, doc=?, r_list_json=?, r_list_xml=? WHERE ns=? AND ohk=?",
                (*values, ns, row["ohk"]),
            )
            self.conn.execute("DELETE FROM order_lines WHERE ns=? AND ohk=?", (ns, row["ohk"]))
            self.conn.execute("DELETE FROM render_cache WHERE ns=? AND ohk=?", (ns, row["ohk"]))
        line_keys = [olk for olk, _ in row["lines"]]
        if len(set(line_keys)) < len(line_keys):
            twice = next(k for k in line_keys if line_keys.count(k) > 1)
            raise RecordAlreadyExists(
                f"Two lines share OrderLineKey {twice}.", attributes={"OrderLineKey": twice}
            )
        try:
            self.conn.executemany(
                "INSERT INTO order_lines(ns, olk, ohk, item_id) VALUES(?, ?, ?, ?)",
                [(ns, olk, row["ohk"], item) for olk, item in row["lines"]],
            )
        except db.database_errors() as exc:  # a caller-given OrderLineKey another order holds: not a 500
            if not db.describe(exc).startswith("duplicate key"):
                raise
            raise RecordAlreadyExists(
                f"An OrderLineKey of order {row['ohk']} is another line's already ({', '.join(line_keys)[:300]}).",
                attributes={"OrderHeaderKey": row["ohk"]},
            ) from exc

    def delete_order(self, ns: str, ohk: str) -> None:
        self.conn.execute("DELETE FROM orders WHERE ns=? AND ohk=?", (ns, ohk))
        self.conn.execute("DELETE FROM order_lines WHERE ns=? AND ohk=?", (ns, ohk))
        self.conn.execute("DELETE FROM order_audits WHERE ns=? AND ohk=?", (ns, ohk))
        self.conn.execute("DELETE FROM render_cache WHERE ns=? AND ohk=?", (ns, ohk))
        # releases and shipment links go with their order (a cancelled order that was released is deletable)
        self.conn.execute("DELETE FROM order_releases WHERE ns=? AND ohk=?", (ns, ohk))
        self.conn.execute("DELETE FROM shipment_orders WHERE ns=? AND ohk=?", (ns, ohk))
        # what it held against inventory, and the reservations its lines consumed (issue 24)
        for table in ("md_demand", "inv_reservations", "inv_shipped"):
            self.conn.execute(f"DELETE FROM {table} WHERE ns=? AND ohk=?", (ns, ohk))

    def count_orders(self, ns: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM orders WHERE ns=?", (ns,)).fetchone()[0])

    # ------------------------------------------------------------------------------------ audits (queries area)

    def put_audit(self, ns: str, audit_key: str, ohk: str, doc: dict[str, Any] | bytes) -> None:
        self.conn.execute(
            "INSERT INTO order_audits(ns, audit_key, ohk, doc) VALUES(?, ?, ?, ?)",
            (ns, audit_key, ohk, doc if isinstance(doc, bytes) else orjson.dumps(doc)),
        )

    def audits_of(self, ns: str, ohk: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT doc FROM order_audits WHERE ns=? AND ohk=? ORDER BY audit_key", (ns, ohk)
        ).fetchall()
        return [dict(orjson.loads(row[0])) for row in rows]

    # ------------------------------------------------------------------------------------ page sets (queries area)

    def put_page_set(
        self,
        ns: str,
        token: str,
        created: float,
        expires: float,
        meta: dict[str, Any],
        rows: list[tuple[str, bytes | None]],
        keep: int,
    ) -> None:
        """Store one result set; drop expired ones and all but the newest ``keep`` of the namespace."""
        self.conn.execute("DELETE FROM page_sets WHERE ns=? AND expires < ?", (ns, created))
        self.conn.execute(
            "DELETE FROM page_sets WHERE ns=? AND token NOT IN "
            "(SELECT token FROM page_sets WHERE ns=? ORDER BY created DESC, token DESC LIMIT ?)",
            (ns, ns, max(keep - 1, 0)),
        )
        self.conn.execute(
            "DELETE FROM page_rows WHERE ns=? AND token NOT IN (SELECT token FROM page_sets WHERE ns=?)",
            (ns, ns),
        )
        self.conn.execute(
            "INSERT INTO page_sets(ns, token, created, expires, meta) VALUES(?, ?, ?, ?, ?)",
            (ns, token, created, expires, orjson.dumps(meta)),
        )
        self.conn.executemany(
            "INSERT INTO page_rows(ns, token, pos, key, doc) VALUES(?, ?, ?, ?, ?)",
            ((ns, token, pos, key, doc) for pos, (key, doc) in enumerate(rows)),
        )

    def get_page_set(self, ns: str, token: str) -> tuple[float, dict[str, Any]] | None:
        row = self.conn.execute(
            "SELECT expires, meta FROM page_sets WHERE ns=? AND token=?", (ns, token)
        ).fetchone()
        return None if row is None else (float(row[0]), dict(orjson.loads(row[1])))

    def page_rows(self, ns: str, token: str, start: int, count: int) -> list[tuple[str, bytes | None]]:
        rows = self.conn.execute(
            "SELECT key, doc FROM page_rows WHERE ns=? AND token=? AND pos >= ? AND pos < ? ORDER BY pos",
            (ns, token, start, start + count),
        ).fetchall()
        return [(str(r[0]), None if r[1] is None else bytes(r[1])) for r in rows]
