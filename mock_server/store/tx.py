"""The operations of one transaction (``Tx``): every SQL statement of the order model and of the store's own
tables (sequences, key/value controls, the virtual clock, login tokens, orders and their rendered outputs, audits,
page sets).  ``Store`` (core.py) opens the transactions and hands each a ``Tx``; the business areas' tables have
their statements in ``schema/``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Generator, Sequence
from typing import Any

import orjson

from sterling_mock.mock_server.base.errors import RecordAlreadyExists
from sterling_mock.mock_server.store import db
from sterling_mock.mock_server.store.keys import check_keys


def _token_digest(token: str) -> str:
    """Login tokens are kept as SHA-256 digests: a copied database or snapshot holds no usable token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


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
