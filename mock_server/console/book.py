"""The order book's query: filters, sorting and keyset paging on the indexed columns of ``orders``.

Fast at a million orders because every page is an index walk that stops after one page of rows, rendered
from the stored getOrderList fragment (``r_list_json``), never from the order document:

- by order date or last change: ``orders_date`` / ``orders_modifyts`` walked from a (value, key) cursor;
- by OrderNo: ``orders_no`` walked per (enterprise, document type) pair and merged, the pairs found by a
  skip-scan (one index seek per pair);
- enterprise, status (the order's highest status, as its ``Status`` text shows it) and date range are
  checked on the rows the walk meets, so a filter that matches rarely reads more rows;
- text search: OrderNo prefix through ``orders_no`` (every pair), and customer e-mail / PO number in the
  newest ``SEARCH_BUDGET`` orders of the other filters (a scan, bounded; the page says so).
"""

from __future__ import annotations

import base64
import heapq
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import orjson

from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.store.tx import Tx

PAGE_SIZES = (25, 50, 100)
SEARCH_BUDGET = 5_000
SEARCH_LIMIT = 100
SORTS = {"date": ("order_date", "ohk"), "modified": ("modifyts", "ohk"), "orderno": ("order_no",)}
_SELECT = (
    "SELECT order_no, enterprise_code, document_type, order_date, modifyts, ohk, r_list_json FROM orders"
)


@dataclass
class BookQuery:
    enterprise: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""
    sort: str = "date"
    direction: str = "desc"
    after: str = ""
    before: str = ""
    size: int = 50

    @classmethod
    def from_args(cls, args: Any) -> BookQuery:
        """From a request's query arguments; anything unknown falls back to the default."""
        size = args.get("size", "50")
        query = cls(
            enterprise=args.get("enterprise", "").strip(),
            status=args.get("status", "").strip(),
            date_from=_date_arg(args.get("from", "")),
            date_to=_date_arg(args.get("to", "")),
            q=args.get("q", "").strip()[:100],
            sort=args.get("sort", "date") if args.get("sort") in SORTS else "date",
            direction="asc" if args.get("dir") == "asc" else "desc",
            after=args.get("after", ""),
            before=args.get("before", ""),
            size=int(size) if size.isdigit() and int(size) in PAGE_SIZES else 50,
        )
        if query.status and not statuses.is_code(query.status):
            query.status = ""
        return query

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query as URL parameters (cursors dropped unless given), for links that keep the filters."""
        out = {
            "enterprise": self.enterprise,
            "status": self.status,
            "from": self.date_from,
            "to": self.date_to,
            "q": self.q,
            "sort": "" if self.sort == "date" else self.sort,
            "dir": "" if self.direction == "desc" else self.direction,
            "size": "" if self.size == 50 else str(self.size),
        }
        out.update(changes)
        return out


@dataclass
class BookPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str = ""
    prev_cursor: str = ""
    note: str = ""


def _date_arg(raw: str) -> str:
    try:
        return date.fromisoformat(raw.strip()).isoformat() if raw.strip() else ""
    except ValueError:
        return ""


def encode_cursor(values: list[str]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(raw: str, length: int) -> list[str] | None:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(values, list) or len(values) != length or not all(isinstance(v, str) for v in values):
        return None
    return values


# ------------------------------------------------------------------------------------------ filters


def _filters(query: BookQuery) -> tuple[list[str], list[Any]]:
    where, args = ["ns=?"], []
    if query.enterprise:
        where.append("enterprise_code=?")
        args.append(query.enterprise)
    if query.status:
        where.append("max_status=?")
        args.append(statuses.sort_key(query.status))
    if query.date_from:
        where.append("order_date>=?")
        args.append(query.date_from + "T00:00:00.000")
    if query.date_to:
        where.append("order_date<?")
        args.append((date.fromisoformat(query.date_to) + timedelta(days=1)).isoformat() + "T00:00:00.000")
    return where, args


def enterprises(tx: Tx, ns: str) -> list[str]:
    """Distinct enterprises of the namespace: one seek per value on ``orders_no`` (a skip-scan)."""
    found: list[str] = []
    sql = (
        "SELECT enterprise_code FROM orders WHERE ns=? AND enterprise_code>? ORDER BY enterprise_code LIMIT 1"
    )
    row = tx.conn.execute(sql, (ns, "")).fetchone()
    while row is not None:
        found.append(str(row[0]))
        row = tx.conn.execute(sql, (ns, row[0])).fetchone()
    return found


def _pairs(tx: Tx, ns: str, enterprise: str) -> list[tuple[str, str]]:
    """(enterprise, document type) pairs present in ``ns`` (of one enterprise if given), one seek each.

    Two plain range seeks per step: SQLite walks a row-value range ``(a, b) > (?, ?)`` from the start of
    the namespace here, which costs a scan at a million orders."""
    same = (
        "SELECT enterprise_code, document_type FROM orders WHERE ns=? AND enterprise_code=? AND document_type>? "
        "ORDER BY document_type LIMIT 1"
    )
    after = (
        "SELECT enterprise_code, document_type FROM orders WHERE ns=? AND enterprise_code>? "
        "ORDER BY enterprise_code, document_type LIMIT 1"
    )
    found: list[tuple[str, str]] = []
    row = tx.conn.execute(same, (ns, enterprise, "")).fetchone() if enterprise else None
    if row is None and not enterprise:
        row = tx.conn.execute(after, (ns, "")).fetchone()
    while row is not None:
        found.append((str(row[0]), str(row[1])))
        row = tx.conn.execute(same, (ns, row[0], row[1])).fetchone()
        if row is None and not enterprise:
            row = tx.conn.execute(after, (ns, found[-1][0])).fetchone()
    return found


# ------------------------------------------------------------------------------------------ pages


def fetch(tx: Tx, ns: str, query: BookQuery) -> BookPage:
    if query.q:
        return _search(tx, ns, query)
    if query.sort == "orderno":
        return _by_order_no(tx, ns, query)
    return _by_index(tx, ns, query)


def _row(raw: tuple[Any, ...]) -> dict[str, Any]:
    listed = orjson.loads(raw[6]) if raw[6] else {}
    totals = listed.get("OverallTotals") or {}
    return {
        "OrderNo": raw[0],
        "EnterpriseCode": raw[1],
        "DocumentType": raw[2],
        "OrderHeaderKey": raw[5],
        "EntryType": listed.get("EntryType", ""),
        "OrderDate": listed.get("OrderDate", ""),
        "Status": listed.get("Status", ""),
        "MaxOrderStatus": listed.get("MaxOrderStatus", ""),
        "CustomerEMailID": listed.get("CustomerEMailID", ""),
        "GrandTotal": totals.get("GrandTotal", ""),
        "Currency": (listed.get("PriceInfo") or {}).get("Currency", ""),
        "_cursor": {
            "date": [raw[3], raw[5]],
            "modified": [raw[4], raw[5]],
            "orderno": [raw[0], raw[1], raw[2]],
        },
    }


def _by_index(tx: Tx, ns: str, query: BookQuery) -> BookPage:
    """Date or last-change order: one walk of ``orders_date`` / ``orders_modifyts`` from the cursor."""
    column, key = SORTS[query.sort]
    where, args = _filters(query)
    backwards = bool(query.before) and not query.after
    cursor = decode_cursor(query.before if backwards else query.after, 2)
    descending = (query.direction == "desc") != backwards
    if cursor:
        where.append(f"({column}, {key}) {'<' if descending else '>'} (?, ?)")
        args.extend(cursor)
    order = "DESC" if descending else "ASC"
    raw = tx.conn.execute(
        f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY {column} {order}, {key} {order} LIMIT ?",
        (ns, *args, query.size + 1),
    ).fetchall()
    return _paged([_row(r) for r in raw], query, backwards, bool(cursor))


def _paged(rows: list[dict[str, Any]], query: BookQuery, backwards: bool, had_cursor: bool) -> BookPage:
    more = len(rows) > query.size
    rows = rows[: query.size]
    if backwards:
        rows.reverse()
    page = BookPage(rows=rows)
    if rows:
        first, last = rows[0]["_cursor"][query.sort], rows[-1]["_cursor"][query.sort]
        if more or backwards:
            page.next_cursor = encode_cursor(last)
        if had_cursor and (more or not backwards):
            page.prev_cursor = encode_cursor(first)
    return page


def _by_order_no(tx: Tx, ns: str, query: BookQuery) -> BookPage:
    """OrderNo order: ``orders_no`` walked per (enterprise, document type) pair, merged."""
    where, args = _filters(query)
    backwards = bool(query.before) and not query.after
    cursor = decode_cursor(query.before if backwards else query.after, 3)
    descending = (query.direction == "desc") != backwards
    streams = []
    for ent, doc_type in _pairs(tx, ns, query.enterprise):
        clause, extra = list(where), list(args)
        clause += ["enterprise_code=?", "document_type=?"]
        extra += [ent, doc_type]
        if cursor:
            past_pair = (
                (ent, doc_type) < (cursor[1], cursor[2])
                if descending
                else (ent, doc_type)
                > (
                    cursor[1],
                    cursor[2],
                )
            )
            op = ("<=" if past_pair else "<") if descending else (">=" if past_pair else ">")
            clause.append(f"order_no {op} ?")
            extra.append(cursor[0])
        order = "DESC" if descending else "ASC"
        raw = tx.conn.execute(
            f"{_SELECT} WHERE {' AND '.join(clause)} ORDER BY order_no {order} LIMIT ?",
            (ns, *extra, query.size + 1),
        ).fetchall()
        streams.append([_row(r) for r in raw])
    merged = list(heapq.merge(*streams, key=lambda r: tuple(r["_cursor"]["orderno"]), reverse=descending))
    return _paged(merged[: query.size + 1], query, backwards, bool(cursor))


def _search(tx: Tx, ns: str, query: BookQuery) -> BookPage:
    """OrderNo prefix (indexed, every pair) and customer e-mail / PO number (the newest orders, bounded)."""
    where, args = _filters(query)
    found: dict[str, dict[str, Any]] = {}
    upper = query.q + "\U0010ffff"
    for ent, doc_type in _pairs(tx, ns, query.enterprise):
        raw = tx.conn.execute(
            f"{_SELECT} WHERE {' AND '.join(where)} AND enterprise_code=? AND document_type=? "
            "AND order_no>=? AND order_no<? ORDER BY order_no LIMIT ?",
            (ns, *args, ent, doc_type, query.q, upper, SEARCH_LIMIT),
        ).fetchall()
        found.update((r[5], _row(r)) for r in raw)
    needle = query.q.lower()
    raw = tx.conn.execute(
        f"{_SELECT} WHERE id IN (SELECT id FROM orders WHERE {' AND '.join(where)} "
        "ORDER BY order_date DESC, ohk DESC LIMIT ?) "
        "AND (instr(lower(json_extract(r_list_json, '$.CustomerEMailID')), ?) > 0 "
        "OR instr(lower(json_extract(r_list_json, '$.CustomerPONo')), ?) > 0) LIMIT ?",
        (ns, *args, SEARCH_BUDGET, needle, needle, SEARCH_LIMIT),
    ).fetchall()
    found.update((r[5], _row(r)) for r in raw)
    rows = sorted(found.values(), key=lambda r: tuple(r["_cursor"]["date"]), reverse=True)[:SEARCH_LIMIT]
    note = (
        f"OrderNo starting with the text (all orders), customer e-mail or PO number containing it "
        f"(the newest {SEARCH_BUDGET:,} orders that match the other filters); at most {SEARCH_LIMIT} shown."
    )
    return BookPage(rows=rows, note=note)
