"""The request journal: every call recorded per namespace, bounded, documents truncated and secrets masked.

Journal rows, fault consumption and throttle buckets are written through a *side* connection with
``synchronous=NORMAL`` (on PostgreSQL, a transaction with ``synchronous_commit`` off): they are bookkeeping,
not acknowledged business data, so they skip the fsync that ``durability=FULL`` pays on order writes (a
journal write per read call would otherwise cost an fsync).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson

from sterling_mock.client.wire import Doc, from_xml
from sterling_mock.mock_server.store import walcheckpoint
from sterling_mock.mock_server.store.core import Store
from sterling_mock.mock_server.store.spool import insert_rows
from sterling_mock.mock_server.store.tx import Tx

log = logging.getLogger("sterling_mock")

#: Attribute names whose values never reach the journal (lower-cased; "password" matches anywhere).
SECRET_NAMES = frozenset({"usertoken", "token", "_token", "authtoken", "accesstoken", "jwt"})
MASK = "****"
#: Payment card and stored-value card numbers: journaled with only their last four digits, as real outputs
#: show them (``DisplayCreditCardNo``).
CARD_NAMES = frozenset({"creditcardno", "svcno"})
#: Stored documents past this many bytes are zlib-compressed (a zlib stream starts with "x", which no JSON
#: document does): a 10 KB order compresses ~6x, and the journal's commit cost follows its bytes.
COMPRESS_FROM = 1024
#: Rows the render cache keeps, newest first (domain/orders/cache.py fills them; every writer of fills uses this).
RENDER_CACHE_KEEP = 20_000


# ------------------------------------------------------------------------------------------ side writes


@contextmanager
def side_write(store: Store, *, append: bool = False) -> Iterator[Tx]:
    """A write transaction for bookkeeping rows (journal, faults, buckets) without the per-commit fsync;
    ``append`` when it only appends journal rows (PostgreSQL runs those side by side)."""
    if store.memory or store.postgres is not None:  # PostgreSQL: synchronous_commit off for this transaction
        with store.write(side=True, append=append) as tx:
            yield tx
        return
    conn = _side_connection(store)
    _begin_immediate(conn)
    try:
        yield Tx(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    walcheckpoint.notify(store, settle)


def _begin_immediate(conn: sqlite3.Connection, patience: float = 30.0) -> None:
    """Take the write lock, polling from 50 µs up to 2 ms.  SQLite's own busy handler sleeps 1 ms, then
    2, 5, 10 ms... for a lock held ~0.1 ms by another worker's journal row: with two workers that halved
    read throughput (bench/README.md)."""
    delay, deadline = 0.00005, 0.0
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            now = time.monotonic()
            deadline = deadline or now + patience
            if now > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.002)


def _side_connection(store: Store) -> sqlite3.Connection:
    local: threading.local | None = getattr(store, "_side_local", None)
    if local is None:
        local = threading.local()
        store._side_local = local  # type: ignore[attr-defined]
    conn: sqlite3.Connection | None = getattr(local, "conn", None)
    if conn is None or getattr(local, "pid", None) != os.getpid():  # never reuse a parent's connection
        conn = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=0")  # waits are _begin_immediate's
        # checkpoints are walcheckpoint's thread's, off the request path (inline only if it falls behind)
        conn.execute(f"PRAGMA wal_autocheckpoint={walcheckpoint.SIDE_AUTOCHECKPOINT}")
        local.conn = conn
        local.pid = os.getpid()
    return conn


# ------------------------------------------------------------------------------------------ counters


def counter(tx: Tx, ns: str, name: str) -> int:
    row = tx.conn.execute("SELECT value FROM control_counters WHERE ns=? AND name=?", (ns, name)).fetchone()
    return 0 if row is None else int(row[0])


# ------------------------------------------------------------------------------------------ entries


@dataclass
class Entry:
    """One journal entry as it is being built around a call."""

    ns: str
    user: str
    transport: str
    api: str
    input: Doc | None = None
    output: Any = None
    http_status: int = 200
    error_code: str = ""
    fault: str = ""
    time: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: Render-cache rows the call produced (cache.py), written in the journal's transaction.
    renders: list[tuple[str, str, bytes, bytes]] = field(default_factory=list)
    #: Already appended inside the call's own write transaction (dispatch.run): one commit, not two.
    written: bool = False
    #: ``output`` as the journal column holds it, when the call had it cached (``packed_output``).
    packed_output: bytes | None = None


def mask(value: Any) -> Any:
    """A copy of a document with passwords and tokens replaced by ``****`` and card numbers cut to their last
    four digits."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            lowered = str(key).lower()
            if isinstance(item, str) and ("password" in lowered or lowered in SECRET_NAMES):
                out[key] = MASK if item else item
            elif isinstance(item, str) and lowered in CARD_NAMES:
                out[key] = "*" * max(len(item) - 4, 0) + item[-4:]
            else:
                out[key] = mask(item)
        return out
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


def encode_document(value: Any, limit: int) -> bytes | None:
    """JSON bytes of a document with secrets masked, or a truncation marker past ``limit`` bytes.

    Masking walks the document only when its bytes mention a password or token (a fast substring test),
    so the common large read answers cost one ``orjson.dumps``.
    """
    if value is None:
        return None
    data = value if isinstance(value, bytes) else orjson.dumps(value)
    lowered = data.lower()
    if (
        b"password" in lowered
        or b"token" in lowered
        or b"jwt" in lowered
        or b"cardno" in lowered
        or b"svcno" in lowered
    ):
        data = orjson.dumps(mask(orjson.loads(data)))
    if limit > 0 and len(data) > limit:
        head = data[:limit].decode("utf-8", errors="ignore")
        return orjson.dumps({"_truncated": True, "_bytes": len(data), "_head": head})
    return data


def output_document(doc: Doc | None, prerendered: dict[str, bytes]) -> Any:
    """An API's output for the journal: its document, or its stored JSON rendering as bytes."""
    if doc is not None:
        return doc
    if "json" in prerendered:
        return prerendered["json"]
    if "xml" in prerendered:
        return from_xml(prerendered["xml"])[1]
    return None


def write(store: Store, entry: Entry, duration_ms: float, *, limit: int, doc_bytes: int) -> None:
    """Append one entry; past ``limit`` entries the oldest go and the dropped counter grows.  On an SQLite
    file the row goes to this process's spool (spool.py: one file append, settled into the table in
    batches); elsewhere it is inserted at once, encoded before the write lock is taken."""
    if limit <= 0 or store.spool is not None:
        if entry.renders:
            with side_write(store, append=True) as tx:
                tx.put_renders(entry.ns, entry.renders, RENDER_CACHE_KEEP)
        if limit > 0 and store.spool is not None:
            row = encode_row(entry, duration_ms, doc_bytes)
            try:
                store.spool.append(limit, row)
            except OSError as exc:  # the spool's folder is full or not writable: straight into the table,
                log.warning("journal spool unavailable (%s); writing the entry directly", exc)
                with settled(store) as tx:  # after every row spooled before it
                    insert(tx, entry, row, limit=limit)
                return
            walcheckpoint.notify(store, settle)  # its thread settles the spool in batches
        return
    row = encode_row(entry, duration_ms, doc_bytes)
    with side_write(store, append=True) as tx:
        insert(tx, entry, row, limit=limit)


@contextmanager
def settled(store: Store) -> Iterator[Tx]:
    """A bookkeeping write transaction that first settles every spooled journal row (spool.py): what reads,
    clears or counts the journal runs in it, or after ``settle``."""
    with side_write(store) as tx:
        done = store.spool.settle(tx.conn) if store.spool is not None else None
        yield tx
    if done is not None and store.spool is not None:
        store.spool.remove(done)


def settle(store: Store) -> None:
    """Every journal row appended so far, in the table (a no-op without spooled files)."""
    if store.spool is not None and store.spool.has_files():
        with settled(store):
            pass


def append(tx: Tx, entry: Entry, duration_ms: float, *, limit: int, doc_bytes: int) -> None:
    """``write`` inside a transaction the caller holds (a write call's own, so its entry commits with it)."""
    insert(tx, entry, encode_row(entry, duration_ms, doc_bytes), limit=limit)


def packed_output(value: Any, doc_bytes: int) -> bytes | None:
    """An output as its journal column holds it (masked, truncated past ``doc_bytes``, compressed): the
    render cache keeps this beside a cached body, so a cache hit journals without encoding again.

    A pure function of its arguments, so large byte outputs (lists built from cached fragments) are
    memoised per process, bounded by ``MEMO_BYTES``: a repeated answer is journaled without masking and
    compressing it again (the memo's key is the output itself, so only the very same bytes hit)."""
    if not isinstance(value, bytes) or len(value) < MEMO_FROM:
        return _pack(encode_document(value, doc_bytes))
    found = remembered(value, doc_bytes)
    if found is not None:
        return found
    packed = _pack(encode_document(value, doc_bytes))
    if packed is not None:
        remember(value, doc_bytes, packed)
    return packed


def remembered(key: bytes, doc_bytes: int) -> bytes | None:
    """The journal form memoised under ``key``: an output's own bytes (``packed_output``), or the XML body of
    a list whose JSON form was packed (``apis/lists.py``: an XML caller then needs no JSON fragments)."""
    with _memo_lock:
        found = _memo.get((key, doc_bytes))
        if found is not None:
            _memo.move_to_end((key, doc_bytes))
        return found


def clear_memo() -> None:
    """Forget every memoised journal form (tests)."""
    with _memo_lock:
        _memo.clear()
        _memo_size[0] = 0


def remember(key: bytes, doc_bytes: int, packed: bytes) -> None:
    if len(key) < MEMO_FROM or len(key) + len(packed) > MEMO_BYTES // 8:
        return
    with _memo_lock:
        if (key, doc_bytes) not in _memo:
            _memo[(key, doc_bytes)] = packed
            _memo_size[0] += len(key) + len(packed)
        while _memo_size[0] > MEMO_BYTES:
            (old, _), dropped = _memo.popitem(last=False)
            _memo_size[0] -= len(old) + len(dropped)


#: Outputs from this many bytes are memoised by ``packed_output``, up to ``MEMO_BYTES`` per process.
MEMO_FROM = 4096
MEMO_BYTES = 4 * 2**20
_memo: OrderedDict[tuple[bytes, int], bytes] = OrderedDict()
_memo_size = [0]
_memo_lock = threading.Lock()


def encode_row(entry: Entry, duration_ms: float, doc_bytes: int) -> tuple[Any, ...]:
    """The journal row's values: every document masked, truncated and compressed."""
    output = entry.packed_output
    if output is None:
        output = packed_output(entry.output, doc_bytes)
    return (
        _text(entry.ns),
        entry.time,
        _text(entry.user),
        entry.transport,
        _text(entry.api),
        entry.http_status,
        round(duration_ms, 3),
        _text(entry.error_code),
        entry.fault,
        _pack(encode_document(entry.input, doc_bytes)),
        output,
    )


def insert(tx: Tx, entry: Entry, row: tuple[Any, ...], *, limit: int) -> None:
    """Insert an encoded row (and the renders the call made); trim the namespace to ``limit`` entries."""
    if entry.renders:
        tx.put_renders(entry.ns, entry.renders, RENDER_CACHE_KEEP)
    insert_rows(tx.conn, [(limit, row)])


def _text(value: str) -> str:
    """U+0000 written as ``\\u0000``: text columns cannot hold it on PostgreSQL (a refused path may carry it)."""
    return value.replace("\x00", "\\u0000") if "\x00" in value else value


def _pack(data: bytes | None) -> bytes | None:
    return zlib.compress(data, 1) if data is not None and len(data) > COMPRESS_FROM else data


def _unpack(data: bytes) -> Any:
    return orjson.loads(zlib.decompress(data) if data[:1] == b"x" else data)


def entries(
    tx: Tx,
    ns: str,
    *,
    api: str = "",
    since: str = "",
    until: str = "",
    user: str = "",
    transport: str = "",
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The newest ``limit`` matching entries, oldest first (``time`` compares as ISO text in UTC)."""
    where = ["ns=?"]
    args: list[Any] = [ns]
    for column, value, op in (
        ("api", api, "="),
        ("user", user, "="),
        ("transport", transport, "="),
        ("time", since, ">="),
        ("time", until, "<="),
    ):
        if value:
            where.append(f"{column}{op}?")
            args.append(value)
    rows = tx.conn.execute(
        "SELECT id, time, ns, user, transport, api, http_status, duration_ms, error_code, fault, input, output "
        f"FROM journal WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
        (*args, limit),
    ).fetchall()
    return [_entry_json(row) for row in reversed(rows)]


def _entry_json(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": row[0],
        "time": row[1],
        "namespace": row[2],
        "user": row[3],
        "transport": row[4],
        "api": row[5],
        "http_status": row[6],
        "duration_ms": row[7],
        "error_code": row[8],
        "fault": row[9],
        "input": None if row[10] is None else _unpack(row[10]),
        "output": None if row[11] is None else _unpack(row[11]),
    }


def clear(tx: Tx, ns: str) -> None:
    """Empty the namespace's journal and its counters."""
    tx.conn.execute("DELETE FROM journal WHERE ns=?", (ns,))
    tx.conn.execute("DELETE FROM control_counters WHERE ns=? AND name LIKE 'journal_%'", (ns,))


def stats(tx: Tx, ns: str) -> dict[str, int]:
    return {"entries": counter(tx, ns, "journal_entries"), "dropped": counter(tx, ns, "journal_dropped")}


def stamp(when: datetime) -> str:
    """Journal time: UTC ISO 8601 with milliseconds, so ``since``/``until`` compare as text."""
    utc = when.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"
