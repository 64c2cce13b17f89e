"""Bulk seeding (``sterling-mock seed --orders 1000000``): orders cloned from stored prototype orders with fresh
keys, numbers and dates, their stored document and list fragments patched as bytes, written with executemany."""

from __future__ import annotations

import contextlib
import random
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.orders.model import lines_of
from sterling_mock.mock_server.store.core import Store
from sterling_mock.mock_server.store.tx import Tx

#: Orders per write transaction.
CHUNK = 20000
#: SQLite page cache while cloning, and the store's own setting restored afterwards (negative = KiB).
BULK_CACHE_KIB = -524288
DEFAULT_CACHE_KIB = -32000
KEY_VALUE = re.compile(r"\d{20,25}")
#: Every quoted value that may vary between clones: keys, generated order numbers, date-times.
CANDIDATE = re.compile(rb'"(\d{20,25}|Y\d{9,}|\d{4}-\d\d-\d\dT[\d:+\-Z]+)"')

Row = tuple[Any, ...]


@dataclass
class Prototype:
    """One stored order as the template of its clones: its stored bytes cut where the varying values sit."""

    columns: tuple[str, str, str, str, str, str]  # enterprise, doc type, createts, modifyts, min, max status
    header_key: str
    order_no: str
    order_date: str
    blobs: tuple[bytes, bytes | None, bytes | None]  # doc, list JSON fragment, list XML fragment
    keys: list[str]
    lines: list[tuple[str, str]]
    parts: list[list[bytes] | None] = field(init=False)

    def __post_init__(self) -> None:
        varying = {v.encode() for v in (*self.keys, self.order_no, self.order_date)}
        self.parts = [None if blob is None else _cut(blob, varying) for blob in self.blobs]
        cut = set(self.parts[0][1::2]) if self.parts[0] else set()
        if not {self.header_key.encode(), self.order_no.encode(), self.order_date.encode()} <= cut:
            raise ValueError(
                f"order {self.header_key} cannot serve as a prototype (key, number or date not found)"
            )

    @property
    def enterprise(self) -> str:
        return self.columns[0]

    def patch(self, index: int, values: dict[bytes, bytes]) -> bytes | None:
        """The blob with each varying value replaced (odd parts are the values, even parts literal bytes)."""
        parts = self.parts[index]
        if parts is None:
            return None
        return b"".join([b'"' + values[part] + b'"' if i & 1 else part for i, part in enumerate(parts)])


def _cut(blob: bytes, varying: set[bytes]) -> list[bytes]:
    """``blob`` split around its quoted varying values (JSON ``"v"``, XML ``="v"``); other candidates that
    look alike (Createts, StatusDate) stay in the literal parts."""
    pieces = CANDIDATE.split(blob)
    parts = [pieces[0]]
    for i in range(1, len(pieces), 2):
        if pieces[i] in varying:
            parts += [pieces[i], pieces[i + 1]]
        else:
            parts[-1] += b'"' + pieces[i] + b'"' + pieces[i + 1]
    return parts


def _keys_in(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(value, str):
                if name.endswith("Key") and KEY_VALUE.fullmatch(value):
                    found.add(value)
            else:
                _keys_in(value, found)
    elif isinstance(node, list):
        for item in node:
            _keys_in(item, found)


def load_prototype(tx: Tx, ns: str, ohk: str) -> Prototype:
    """The stored order ``ohk`` and every key it carries (header, lines, schedules, addresses, payments)."""
    row = tx.conn.execute(
        "SELECT enterprise_code, document_type, createts, modifyts, min_status, max_status, order_no, doc, "
        "r_list_json, r_list_xml FROM orders WHERE ns=? AND ohk=?",
        (ns, ohk),
    ).fetchone()
    doc = bytes(row[7])
    parsed = orjson.loads(doc)
    keys: set[str] = set()
    _keys_in(parsed, keys)
    # the order_lines rows exactly as model.save writes them
    lines = [
        (str(line["OrderLineKey"]), str(line.get("Item", {}).get("ItemID", ""))) for line in lines_of(parsed)
    ]
    return Prototype(
        (row[0], row[1], row[2], row[3], row[4], row[5]),
        ohk,
        str(row[6]),
        str(parsed["OrderDate"]),
        (doc, None if row[8] is None else bytes(row[8]), None if row[9] is None else bytes(row[9])),
        sorted(keys),
        lines,
    )


def reserve(tx: Tx, ns: str, name: str, count: int, start: int = 1) -> int:
    """The first of ``count`` consecutive values of the namespace's sequence ``name`` (all then used)."""
    first = tx.next_value(ns, name, start)
    if count > 1:
        tx.conn.execute("UPDATE sequences SET value = value + ? WHERE ns=? AND name=?", (count - 1, ns, name))
    return first


@dataclass
class Clones:
    """The clones to write: their prototypes in order, and the first key and order numbers reserved for them."""

    chosen: list[Prototype]
    dates: Callable[[], datetime]
    now: datetime
    next_key: int = 0
    numbers: dict[str, int] = field(default_factory=dict)

    def reserve(self, tx: Tx, ns: str) -> None:
        self.next_key = reserve(tx, ns, "key", sum(len(p.keys) for p in self.chosen))
        counts: dict[str, int] = {}
        for proto in self.chosen:
            counts[proto.enterprise] = counts.get(proto.enterprise, 0) + 1
        self.numbers = {e: reserve(tx, ns, "order_no:" + e, n, 100000001) for e, n in counts.items()}

    def rows(self, start: int, stop: int) -> list[Row]:
        """``orders`` rows for clones ``start:stop`` (in order: keys, numbers and dates advance here), each
        with its ``order_lines`` rows as the last field."""
        stamp = clock.make_key(self.now, 0)[:-6]
        out = []
        for proto in self.chosen[start:stop]:
            values: dict[bytes, bytes] = {}
            for old in proto.keys:
                values[old.encode()] = f"{stamp}{self.next_key:06d}".encode()
                self.next_key += 1
            number = self.numbers[proto.enterprise]
            self.numbers[proto.enterprise] = number + 1
            order_no = f"Y{number:09d}"
            when = self.dates()
            values[proto.order_no.encode()] = order_no.encode()
            values[proto.order_date.encode()] = clock.format_datetime(when).encode()
            ohk = values[proto.header_key.encode()].decode()
            enterprise, document_type, createts, modifyts, low, high = proto.columns
            lines = [
                (values.get(olk.encode(), olk.encode()).decode(), ohk, item) for olk, item in proto.lines
            ]
            out.append(
                (
                    ohk,
                    enterprise,
                    document_type,
                    order_no,
                    clock.column_value(when),
                    createts,
                    modifyts,
                    low,
                    high,
                    proto.patch(0, values),
                    proto.patch(1, values),
                    proto.patch(2, values),
                    lines,
                )
            )
        return out


def write_rows(tx: Tx, ns: str, rows: list[Row]) -> None:
    """One executemany for the orders and one for their lines, in the caller's transaction."""
    tx.conn.executemany(
        "INSERT INTO orders(ns, ohk, enterprise_code, document_type, order_no, order_date, createts, modifyts, "
        "min_status, max_status, doc, r_list_json, r_list_xml) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(ns, *row[:-1]) for row in rows],
    )
    tx.conn.executemany(
        "INSERT INTO order_lines(ns, olk, ohk, item_id) VALUES(?, ?, ?, ?)",
        [(ns, *line) for row in rows for line in row[-1]],
    )


def clone(store: Store, ns: str, protos: list[Prototype], count: int, rng: random.Random, dates: Any) -> int:
    """Write ``count`` clones of ``protos`` (chosen by ``rng``) in chunks of one transaction each.

    ``dates(base)`` gives a clone's OrderDate.  The next chunk's rows are built on a second thread while
    SQLite writes the current one (it releases the GIL while it writes), so the CPU and the disk overlap.
    """
    with store.write() as tx:
        now = clock.now(tx, ns)
        clones = Clones([protos[rng.randrange(len(protos))] for _ in range(count)], lambda: dates(now), now)
        clones.reserve(tx, ns)
    bounds = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    journal = _journal(store, "DELETE")
    # the builder thread holds the GIL between SQLite's row steps; a shorter switch interval lets the writer
    # take it back sooner (≈8% faster at 300,000 orders on two cores)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        with _indexes_rebuilt_after(store, count):
            _write_all(store, ns, clones, bounds)
    finally:
        sys.setswitchinterval(interval)
        _journal(store, journal)
    return count


def _journal(store: Store, mode: str) -> str:
    """Switch the journal mode when nobody else has the database open, answering the mode before.

    In WAL mode every page is written twice (WAL, then checkpoint): ten gigabytes at a million orders.  A
    rollback journal only copies the few pages that existed before a transaction; new pages go straight to
    the file.  With other connections open (a running server) the switch is refused and WAL stays.
    """
    if store.memory or store.postgres is not None:
        return mode
    conn = store.connection()
    before = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).upper()
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute(f"PRAGMA journal_mode={mode}")
    return before


#: Indexes that clones fill in random order (dates, items): rebuilt once after the clones are written.
RANDOM_INDEXES = ("orders_date", "order_lines_item")


@contextlib.contextmanager
def _indexes_rebuilt_after(store: Store, count: int) -> Iterator[None]:
    """Drop the randomly filled indexes while ``count`` clones go in and build them again afterwards, when the
    clones are at least as many as the rows already there (a sort beats a million random inserts).  The
    store creates missing indexes when it opens, so even an interrupted seed leaves none missing for long."""
    if store.postgres is not None:  # PostgreSQL maintains its indexes well enough; no catalogue games
        yield
        return
    with store.write() as tx:
        existing = int(tx.conn.execute("SELECT count(*) FROM orders").fetchone()[0])
        marks = ",".join("?" * len(RANDOM_INDEXES))
        found = tx.conn.execute(
            f"SELECT sql FROM sqlite_master WHERE type='index' AND name IN ({marks})", RANDOM_INDEXES
        ).fetchall()
        if count < existing or store.memory:
            found = []
        for name in RANDOM_INDEXES if found else ():
            tx.conn.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        yield
    finally:
        with store.write() as tx:
            for (sql,) in found:
                tx.conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))


def _write_all(store: Store, ns: str, clones: Clones, bounds: list[tuple[int, int]]) -> None:
    with ThreadPoolExecutor(max_workers=1) as builder:
        pending = builder.submit(clones.rows, *bounds[0]) if bounds else None
        for index in range(len(bounds)):
            assert pending is not None
            rows = pending.result()
            pending = builder.submit(clones.rows, *bounds[index + 1]) if index + 1 < len(bounds) else None
            with store.write() as tx:
                # the date and item indexes take random inserts: with the default page cache a million orders
                # spill index pages to the WAL again and again
                if tx.dialect == "sqlite":
                    tx.conn.execute(f"PRAGMA cache_size={BULK_CACHE_KIB}")
                write_rows(tx, ns, rows)
    if store.postgres is None:
        with store.write() as tx:
            tx.conn.execute(f"PRAGMA cache_size={DEFAULT_CACHE_KIB}")
