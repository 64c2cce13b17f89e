"""The order search behind getOrderList, getOrderLineList and getPage: filters pushed down to SQL on the
indexed columns of ``orders``, the rest evaluated in Python on each candidate, ordered and capped.

Indexed (SQL): ``EnterpriseCode``, ``DocumentType``, ``OrderNo``, ``OrderHeaderKey``, ``OrderDate``,
``Createts``, ``Modifyts``, the status range (``min_status``/``max_status``) and ``OrderLine/Item/@ItemID``
(through ``order_lines``).  Every other filter is evaluated in Python on the stored order, row by row, in
the result's order: the scan stops as soon as ``MaximumRecords + 1`` orders matched, so a non-indexed
filter costs what it has to read — with a million orders, a filter that matches often answers fast, one
that matches rarely (or nothing) reads the whole namespace (seconds; see bench/queries.py).  A ComplexQuery
(ANDed in, or alone) is prefiltered the same way: what its And/Or tree says about those columns becomes a
necessary SQL condition (an AND keeps the parts SQL can say, an OR needs all of its branches), and the
whole tree is still tested in Python.

Status filters (``Status``, ``FromStatus``/``ToStatus``) match an order when **any** of its open status
quantities is in the range — the codes between ``MinOrderStatus`` and ``MaxOrderStatus`` that actually hold
quantity (cancelled quantity counts only when the whole order is cancelled, as for Min/Max).  Sterling
stores no status on the order header: its list query joins the status rows of the order's quantities
[INF], so a partially shipped order (1500 + 3700) is found by ``Status="3700"`` and by ``Status="1500"``
but not by ``Status="3200"``.  Matching only Min or only Max would lose one of those two.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import orjson

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.base.errors import InvalidPageRequest
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import render
from sterling_mock.mock_server.domain.queries.query import CompiledQuery, Cond, Group, compile_query

_NUMBERS = ("PriorityNumber", "OriginalTax", "OriginalTotalAmount", "OtherCharges", "TotalAdjustmentAmount")
_DATETIMES = (
    "OrderDate",
    "Createts",
    "Modifyts",
    "ReqDeliveryDate",
    "ReqShipDate",
    "AuthorizationExpirationDate",
)
ORDER_FIELDS: dict[str, str] = {
    **dict.fromkeys((*render.ORDER_ATTRS, *render.LIST_ATTRS, *render.AUDIT_ATTRS), "text"),
    **dict.fromkeys(_NUMBERS, "number"),
    **dict.fromkeys(_DATETIMES, "datetime"),
    "Status": "status",
    "MinOrderStatus": "status",
    "MaxOrderStatus": "status",
}
LINE_FIELDS: dict[str, str] = {
    **dict.fromkeys((*render.LINE_ATTRS, *render.AUDIT_ATTRS, "ItemID"), "text"),
    **dict.fromkeys(("OrderedQty", "OriginalOrderedQty", "OpenQty", "PrimeLineNo", "SubLineNo"), "number"),
    **dict.fromkeys(("ReqDeliveryDate", "ReqShipDate", "Createts", "Modifyts"), "datetime"),
    "Status": "status",
    "MinLineStatus": "status",
    "MaxLineStatus": "status",
}
ITEM_FIELDS: dict[str, str] = dict.fromkeys(render.ITEM_ATTRS, "text")
PERSON_FIELDS: dict[str, str] = dict.fromkeys(render.PERSON_ATTRS, "text")
ADDRESSES = ("PersonInfoShipTo", "PersonInfoBillTo", "PersonInfoContact")

#: Attribute -> indexed column of ``orders`` (datetimes in the sortable UTC column form).
COLUMNS = {
    "EnterpriseCode": "enterprise_code",
    "DocumentType": "document_type",
    "OrderNo": "order_no",
    "OrderHeaderKey": "ohk",
    "OrderDate": "order_date",
    "Createts": "createts",
    "Modifyts": "modifyts",
    "MinOrderStatus": "min_status",
    "MaxOrderStatus": "max_status",
}
SELECT = ", ".join(
    (
        "id",
        "ohk",
        "enterprise_code",
        "document_type",
        "order_no",
        "order_date",
        "createts",
        "modifyts",
        "min_status",
        "max_status",
    )
)
_SELECTED = tuple(SELECT.split(", "))
_RANGE_INDEXES = {"order_date": "orders_date", "modifyts": "orders_modifyts"}
#: A range matching fewer index entries than this is read through its own index and sorted.
PROBE = 2000


def open_codes(rows: list[tuple[str, float]]) -> list[str]:
    """The status codes holding quantity, as Min/Max see them (cancelled only when nothing else is open)."""
    held = [code for code, qty in rows if qty > 0]
    open_ = [code for code in held if code != statuses.CANCELLED]
    return sorted(set(open_ or held or [statuses.CREATED]), key=statuses.sort_key)


def line_codes(line: Doc) -> list[str]:
    node = line.get("OrderStatuses")
    rows = as_list(node.get("OrderStatus") if isinstance(node, dict) else None)
    return open_codes([(str(r.get("Status", "")), float(r.get("StatusQty", "0") or 0)) for r in rows])


def lines_of(order: Doc) -> list[Doc]:
    node = order.get("OrderLines")
    return as_list(node.get("OrderLine") if isinstance(node, dict) else None)


class OrderView(Mapping[str, Any]):
    """One candidate order as a flat attribute view: indexed columns from the row, the rest (and the
    stored document) loaded only when a filter, sort or renderer asks."""

    def __init__(self, ctx: Ctx, row: tuple[Any, ...]) -> None:
        self.ctx = ctx
        self.row_id: int = row[0]
        self.ohk: str = row[1]
        self._row = row
        self._columns: dict[str, Any] | None = None
        self._doc: Doc | None = None

    @property
    def columns(self) -> dict[str, Any]:
        """The selected columns by name (built when a filter or sort first asks)."""
        if self._columns is None:
            self._columns = dict(zip(_SELECTED, self._row, strict=True))
        return self._columns

    def preload(self, raw: bytes) -> None:
        self._doc = dict(orjson.loads(raw))

    @property
    def doc(self) -> Doc:
        if self._doc is None:
            found = self.ctx.tx.conn.execute("SELECT doc FROM orders WHERE id=?", (self.row_id,)).fetchone()
            self._doc = dict(orjson.loads(found[0])) if found else {}
        return self._doc

    def __getitem__(self, name: str) -> Any:
        if name == "Status":
            low, high = self.columns["min_status"], self.columns["max_status"]
            if low == high:
                return [low]
            rows = [
                (str(r.get("Status", "")), float(r.get("StatusQty", "0") or 0))
                for line in lines_of(self.doc)
                for r in as_list(line.get("OrderStatuses", {}).get("OrderStatus"))
            ]
            return open_codes(rows)
        column = COLUMNS.get(name)
        if column is not None:
            return self.columns[column]
        value = self.doc.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.doc)

    def __len__(self) -> int:
        return len(self.doc)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default


# ----------------------------------------------------------------------------------------------- compiling


def compile_orders(doc: Doc) -> CompiledQuery:
    """getOrderList's input: header filters plus ``OrderLine``(/``Item``) and address child filters."""
    fields = {**ORDER_FIELDS, **{k: "text" for k in doc if k.startswith("Extn") and isinstance(doc[k], str)}}
    query = compile_query(doc, fields)
    for address in ADDRESSES:
        node = child(doc, address)
        if node is not None:
            sub = compile_query(node, PERSON_FIELDS)
            if sub.conditions or sub.complex:
                query.extra.append(partial(_element_matches, sub, address))
    line_node = child(doc, "OrderLine")
    if line_node is not None:
        line_query = compile_lines(line_node)
        if line_query.conditions or line_query.extra or line_query.complex:
            query.extra.append(partial(_any_line, line_query))
            query.children["OrderLine"] = line_query
    return query


def compile_lines(doc: Doc) -> CompiledQuery:
    query = compile_query(doc, LINE_FIELDS)
    item = child(doc, "Item")
    if item is not None:
        item_query = compile_query(item, ITEM_FIELDS)
        if item_query.conditions or item_query.complex:
            query.extra.append(partial(_element_matches, item_query, "Item"))
            query.children["Item"] = item_query
    return query


def _element_matches(query: CompiledQuery, name: str, view: Mapping[str, Any]) -> bool:
    doc = view.doc if isinstance(view, OrderView) else view
    value = doc.get(name)
    return query.matches(value if isinstance(value, dict) else {})


def line_view(line: Doc) -> dict[str, Any]:
    view = dict(line)
    view["Status"] = line_codes(line)
    item = line.get("Item")
    view["ItemID"] = item.get("ItemID", "") if isinstance(item, dict) else ""
    return view


def _any_line(line_query: CompiledQuery, view: Mapping[str, Any]) -> bool:
    order = view.doc if isinstance(view, OrderView) else view
    return any(line_query.matches(line_view(line)) for line in lines_of(dict(order)))


# ----------------------------------------------------------------------------------------------- SQL


def _cond_sql(cond: Cond, column: str) -> tuple[str, list[Any]] | None:
    op = cond.op
    simple = {"EQ": "=", "NE": "<>", "GT": ">", "GE": ">=", "LT": "<", "LE": "<="}
    if op in simple:
        return f"{column} {simple[op]} ?", [cond.value]
    if op == "RANGE":
        parts, params = [], []
        if cond.lo is not None:
            parts.append(f"{column} >= ?")
            params.append(cond.lo)
        if cond.hi is not None:
            parts.append(f"{column} {'<=' if cond.hi_inclusive else '<'} ?")
            params.append(cond.hi)
        return (" AND ".join(parts) or "1", params)
    if op == "FLIKE" and cond.value:
        upper = cond.value[:-1] + chr(ord(cond.value[-1]) + 1)
        return f"{column} >= ? AND {column} < ?", [cond.value, upper]
    if op == "LIKE":
        return f"instr({column}, ?) > 0", [cond.value]
    if op == "ELIKE":
        size = len(cond.value)  # no negative substr start: PostgreSQL reads it differently
        sql = f"length({column}) >= ? AND substr({column}, length({column}) - ?) = ?"
        return sql, [size, size - 1, cond.value]
    return None


def _status_sql(cond: Cond) -> tuple[str, list[Any], bool] | None:
    """A necessary condition on (min_status, max_status); True when it is also sufficient."""
    op, v = cond.op, cond.value
    if op == "GE":
        return "max_status >= ?", [v], True
    if op == "GT":
        return "max_status > ?", [v], True
    if op == "LE":
        return "min_status <= ?", [v], True
    if op == "LT":
        return "min_status < ?", [v], True
    if op == "EQ":
        return "min_status <= ? AND max_status >= ?", [v, v], False
    if op == "RANGE":
        parts, params = [], []
        if cond.hi is not None:
            parts.append("min_status <= ?")
            params.append(cond.hi)
        if cond.lo is not None:
            parts.append("max_status >= ?")
            params.append(cond.lo)
        return " AND ".join(parts) or "1", params, False
    return None


@dataclass
class Plan:
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    skip: set[int] = field(default_factory=set)
    ranges: list[tuple[str, str, list[Any]]] = field(default_factory=list)
    exact_key: bool = False


def plan(ctx: Ctx, query: CompiledQuery) -> Plan:
    out = Plan(where=["ns = ?"], params=[ctx.ns])
    for cond in query.pushable():
        if cond.attr == "Status":
            found = _status_sql(cond)
            if found is not None:
                out.where.append(found[0])
                out.params.extend(found[1])
                if found[2]:
                    out.skip.add(id(cond))
            continue
        column = COLUMNS.get(cond.attr)
        sql = _cond_sql(cond, column) if column else None
        if sql is None or column is None:
            continue
        out.where.append(sql[0])
        out.params.extend(sql[1])
        out.skip.add(id(cond))
        if column in _RANGE_INDEXES and cond.op not in ("NE", "LIKE", "ELIKE"):
            out.ranges.append((column, sql[0], sql[1]))
        if cond.op == "EQ" and column in ("ohk", "order_no"):
            out.exact_key = True
    if query.complex is not None and (query.complex_operator == "AND" or not query.conditions):
        prefilter = _group_sql(query.complex)
        # necessary, not sufficient: Python still tests the ComplexQuery on each row
        if prefilter is not None:
            out.where.append(f"({prefilter[0]})")
            out.params.extend(prefilter[1])
    for item_cond in _item_conditions(query):
        # without statistics SQLite scans order_lines by its primary key here: name the item index
        out.where.append(
            "ohk IN (SELECT ohk FROM order_lines INDEXED BY order_lines_item WHERE ns = ? AND item_id = ?)"
        )
        out.params.extend([ctx.ns, item_cond.value])
        out.exact_key = True
    return out


def _group_sql(group: Group) -> tuple[str, list[Any]] | None:
    """A condition on the orders' columns that every order matching ``group`` meets (None: none known).  An
    AND keeps the parts SQL can say (dropping a part only widens it); an OR needs every branch."""
    parts: list[tuple[str, list[Any]]] = []
    for item in group.items:
        if isinstance(item, Group):
            found = _group_sql(item)
        elif item.attr == "Status":
            status = _status_sql(item)
            found = None if status is None else (status[0], status[1])
        else:
            column = COLUMNS.get(item.attr)
            found = _cond_sql(item, column) if column else None
        if found is None:
            if group.op == "OR":
                return None
            continue
        parts.append(found)
    if not parts:
        return None
    joiner = " AND " if group.op == "AND" else " OR "
    return joiner.join(f"({sql})" for sql, _ in parts), [param for _, params in parts for param in params]


def _item_conditions(query: CompiledQuery) -> list[Cond]:
    """``OrderLine/Item/@ItemID`` (or ``OrderLine/@ItemID``) EQ filters: served by the order_lines index."""
    line_query = query.children.get("OrderLine")
    if line_query is None:
        return []
    conds = [c for c in line_query.pushable() if c.attr == "ItemID" and c.op == "EQ"]
    item_query = line_query.children.get("Item")
    if item_query is not None:
        conds += [c for c in item_query.pushable() if c.attr == "ItemID" and c.op == "EQ"]
    return conds


def _index_hint(ctx: Ctx, p: Plan, sql_order: list[tuple[str, bool]]) -> str:
    """SQLite has no statistics here: probe narrow date ranges, else walk the key index in result order."""
    if p.exact_key:
        return ""
    best: tuple[int, str] | None = None
    for column, sql, params in p.ranges:
        index = _RANGE_INDEXES[column]
        count = ctx.tx.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM orders INDEXED BY {index} WHERE ns = ? AND {sql} LIMIT ?) AS capped",
            [ctx.ns, *params, PROBE + 1],
        ).fetchone()[0]
        if count <= PROBE and (best is None or count < best[0]):
            best = (count, index)
    if best is not None:
        return f" INDEXED BY {best[1]}"
    if sql_order and sql_order[0][0] == "ohk":
        return " INDEXED BY orders_key"
    if len(sql_order) == 2 and sql_order[0][0] in _RANGE_INDEXES and sql_order[0][1] == sql_order[1][1]:
        return f" INDEXED BY {_RANGE_INDEXES[sql_order[0][0]]}"
    return ""


# ----------------------------------------------------------------------------------------------- searching


@dataclass
class Found:
    views: list[OrderView]
    more: bool


def sql_order(query: CompiledQuery) -> list[tuple[str, bool]] | None:
    """The ORDER BY columns (always ending with the key), or None when an OrderBy needs Python."""
    columns = []
    for attr, desc in query.order_by:
        column = COLUMNS.get(attr)
        if column is None:
            return None
        columns.append((column, desc))
    return [*columns, ("ohk", key_descending(query))]


def key_descending(query: CompiledQuery) -> bool:
    """Ties are broken by the key in the direction of the last OrderBy attribute, so that one index
    ``(ns, column, ohk)`` read forwards or backwards serves ``OrderBy OrderDate Desc`` without a sort."""
    return bool(query.order_by) and query.order_by[-1][1]


def _seek_sql(order: list[tuple[str, bool]], last: OrderView) -> tuple[str, list[Any]]:
    """Strictly after ``last`` on the combined order (ties broken by the key): neither lost nor repeated."""
    ors, params = [], []
    for index, (column, desc) in enumerate(order):
        parts = [f"{c} = ?" for c, _ in order[:index]] + [f"{column} {'<' if desc else '>'} ?"]
        params.extend([last.columns[c] for c, _ in order[:index]] + [last.columns[column]])
        ors.append("(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(ors) + ")", params


def row_of(ctx: Ctx, ohk: str) -> OrderView | None:
    found = ctx.tx.conn.execute(
        f"SELECT {SELECT} FROM orders WHERE ns = ? AND ohk = ?", (ctx.ns, ohk)
    ).fetchone()
    return None if found is None else OrderView(ctx, found)


def search(ctx: Ctx, query: CompiledQuery, limit: int | None, *, after: str | None = None) -> Found:
    """Matching orders in result order: at most ``limit`` (all when None), and whether more exist.
    ``after`` is the OrderHeaderKey of the previous page's last record (NEXTPAGE)."""
    p = plan(ctx, query)
    order = sql_order(query)
    last = None
    if after is not None:
        last = row_of(ctx, after)
        if last is None:
            raise InvalidPageRequest(
                f"The previous page's last record {after} no longer exists.",
                attributes={"Name": "OrderHeaderKey", "Value": after},
            )
    if order is not None and last is not None:
        sql, params = _seek_sql(order, last)
        p.where.append(sql)
        p.params.extend(params)
    order_sql = ", ".join(f"{c} {'DESC' if d else 'ASC'}" for c, d in (order or [("ohk", False)]))
    hint = _index_hint(ctx, p, order or [])
    skip = frozenset(p.skip)
    stop = None if limit is None or order is None else limit + 1
    filtered = query.needs_rows(skip)
    # SQL decided everything: let it stop at the limit.  On PostgreSQL, rows still to test in Python bring
    # their document along (a statement per row costs a round trip) and arrive in batches (a server cursor).
    bounded = f" LIMIT {min(int(stop), 2**62)}" if stop is not None and not filtered else ""
    with_doc = filtered and ctx.tx.dialect == "postgresql"
    sql = (
        f"SELECT {SELECT}{', doc' if with_doc else ''} FROM orders{hint} WHERE {' AND '.join(p.where)} "
        f"ORDER BY {order_sql}{bounded}"
    )
    # a bounded result is small (header columns, at most the limit + 1): fetched at once, no cursor to step
    rows = iter(ctx.tx.conn.execute(sql, p.params).fetchall()) if bounded else ctx.tx.stream(sql, p.params)
    views: list[OrderView] = []
    try:
        for row in rows:
            view = OrderView(ctx, row[: len(_SELECTED)])
            if with_doc:
                view.preload(row[-1])
            if not filtered or query.matches(view, skip=skip):  # unfiltered: SQL decided every condition
                views.append(view)
                if stop is not None and len(views) >= stop:
                    break
    finally:
        if isinstance(rows, Generator):
            rows.close()  # a server cursor is closed inside the transaction that opened it
    if order is None:
        views = _python_order(query, views, last)
    more = limit is not None and len(views) > limit
    return Found(views[:limit] if limit is not None else views, more)


def _python_order(query: CompiledQuery, views: list[OrderView], last: OrderView | None) -> list[OrderView]:
    desc = key_descending(query)
    ranked = query.sort(sorted(views, key=lambda v: v.ohk, reverse=desc))
    if last is None:
        return ranked
    keys = [v.ohk for v in ranked]
    if last.ohk in keys:
        return ranked[keys.index(last.ohk) + 1 :]
    merged = query.sort(sorted([*views, last], key=lambda v: v.ohk, reverse=desc))
    position = [v.ohk for v in merged].index(last.ohk)
    return [v for v in merged[position + 1 :] if v.ohk != last.ohk]
