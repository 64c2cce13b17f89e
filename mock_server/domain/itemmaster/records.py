"""Where a namespace's items and customers are read from and written to, and the list search over them.

While a namespace has not changed a kind, its records are the defaults (``defaults.py``); the first change
copies the defaults into the kind's table in the same transaction (one bulk insert) and from then on the
table is the truth.  The search evaluates a compiled list query (``queries/query.py``) on each record's flat
view; equality on the natural-key columns is done by SQL, so a 20-row page of a 100,000-item catalogue is one
indexed statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import defaults
from sterling_mock.mock_server.store.schema import catalog as sql

BATCH = 500


class Condition(Protocol):
    attr: str
    op: str
    value: Any


class Query(Protocol):
    """What the search needs of a compiled list query (``domain/queries/query.CompiledQuery``), named here so
    this package stays below the query language (which imports the order model)."""

    order_by: list[tuple[str, bool]]

    def pushable(self) -> Sequence[Condition]: ...

    def needs_rows(self, skip: frozenset[int]) -> bool: ...

    def matches(self, view: Mapping[str, Any], *, skip: frozenset[int] = frozenset()) -> bool: ...

    def sort(self, views: list[Any], *, key_of: Callable[[Any], Mapping[str, Any]] = ...) -> list[Any]: ...


SIMPLE = {"GT": ">", "GE": ">=", "LT": "<", "LE": "<=", "EQ": "="}


@dataclass(frozen=True)
class Kind:
    """A catalogue kind: its table, its key attribute, and which attribute fills which column."""

    name: str
    table: sql.Table
    key: str
    columns: tuple[tuple[str, str], ...]  # (attribute, column), in the table's column order
    initial: Callable[[defaults.Defaults], tuple[Doc, ...]]

    def row(self, doc: Doc) -> tuple[str, ...] | tuple[Any, ...]:
        return (doc[self.key], *(str(doc.get(attr, "")) for attr, _ in self.columns), orjson.dumps(doc))


ITEMS = Kind(
    "items",
    sql.ITEMS,
    "ItemKey",
    (("ItemID", "item_id"), ("OrganizationCode", "org"), ("UnitOfMeasure", "uom")),
    lambda d: d.items,
)
CUSTOMERS = Kind(
    "customers",
    sql.CUSTOMERS,
    "CustomerKey",
    (("CustomerID", "customer_id"), ("OrganizationCode", "org"), ("CustomerType", "ctype")),
    lambda d: d.customers,
)


def base(ctx: Ctx) -> defaults.Defaults:
    return defaults.defaults(ctx.settings.seed, ctx.settings.master_data_file)


def stored(ctx: Ctx, kind: Kind) -> bool:
    """Does the namespace hold this kind in its table (it changed it), rather than the defaults?"""
    return sql.revision(ctx.tx, ctx.ns, kind.name) is not None


def revision(ctx: Ctx, kind: Kind) -> int:
    return sql.revision(ctx.tx, ctx.ns, kind.name) or 0


def materialise(ctx: Ctx, kind: Kind) -> None:
    """Before a change (write transactions only): copy the defaults into the table once, and count a revision."""
    if not stored(ctx, kind):
        sql.put_many(ctx.tx, ctx.ns, kind.table, [kind.row(doc) for doc in kind.initial(base(ctx))])
    sql.bump(ctx.tx, ctx.ns, kind.name)


def replace(ctx: Ctx, kind: Kind, docs: Iterable[Doc], *, keep: bool) -> int:
    """The control plane's replace (``keep=False``) or extend (``keep=True``); answers how many are held."""
    materialise(ctx, kind)
    if not keep:
        sql.clear(ctx.tx, ctx.ns, kind.table)
    rows = [kind.row(doc) for doc in docs]
    width = (
        3 if kind is ITEMS else 2
    )  # the natural key: ItemID+OrganizationCode+UnitOfMeasure, CustomerID+org
    for row in rows:  # a record with the natural key of one already held replaces it
        where = {
            column: str(value)
            for (_, column), value in zip(kind.columns[:width], row[1 : 1 + width], strict=False)
        }
        for old in sql.find(ctx.tx, ctx.ns, kind.table, where):
            sql.delete(ctx.tx, ctx.ns, kind.table, str(orjson.loads(old)[kind.key]))
    sql.put_many(ctx.tx, ctx.ns, kind.table, rows)
    return sql.count(ctx.tx, ctx.ns, kind.table)


def lookup_item(ctx: Ctx, item_id: str, uom: str = "", org: str = "") -> Doc | None:
    """The item with this ItemID (and unit of measure and organization when given): the given
    organization's first, then the catalogue organization's, then any."""
    found = [d for d in find(ctx, ITEMS, ItemID=item_id) if not uom or d.get("UnitOfMeasure") == uom]
    for wanted in (org, defaults.CATALOG_ORG):
        for doc in found:
            if wanted and doc.get("OrganizationCode") == wanted:
                return doc
    return found[0] if found else None


def count(ctx: Ctx, kind: Kind) -> int:
    if not stored(ctx, kind):
        return len(kind.initial(base(ctx)))
    return sql.count(ctx.tx, ctx.ns, kind.table)


def put(ctx: Ctx, kind: Kind, doc: Doc) -> None:
    sql.put_many(ctx.tx, ctx.ns, kind.table, [kind.row(doc)])


def remove(ctx: Ctx, kind: Kind, key: str) -> None:
    sql.delete(ctx.tx, ctx.ns, kind.table, key)


def find(ctx: Ctx, kind: Kind, **where: str) -> list[Doc]:
    """Records whose natural-key attributes equal ``where`` (attribute names), in key order."""
    if not stored(ctx, kind):
        first = kind.columns[0][0]
        pool = _index(kind, base(ctx)).get(where[first], []) if first in where else kind.initial(base(ctx))
        return [dict(d) for d in pool if all(d.get(k, "") == v for k, v in where.items())]
    columns = dict(kind.columns)
    return [
        orjson.loads(raw)
        for raw in sql.find(ctx.tx, ctx.ns, kind.table, {columns[k]: v for k, v in where.items()})
    ]


#: Memo of a pure function of immutable defaults (by identity; the object is kept so its id is never reused).
_INDEXES: dict[tuple[str, int], tuple[defaults.Defaults, dict[str, list[Doc]]]] = {}


def _index(kind: Kind, data: defaults.Defaults) -> dict[str, list[Doc]]:
    """The defaults of a kind by their first natural-key attribute (ItemID, CustomerID)."""
    found = _INDEXES.get((kind.name, id(data)))
    if found is None or found[0] is not data:
        index: dict[str, list[Doc]] = {}
        for doc in kind.initial(data):
            index.setdefault(str(doc.get(kind.columns[0][0], "")), []).append(doc)
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        found = _INDEXES[(kind.name, id(data))] = (data, index)
    return found[1]


# ------------------------------------------------------------------------------------------ search


def flat(doc: Doc) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if isinstance(v, str)}


def search(
    ctx: Ctx,
    kind: Kind,
    query: Query,
    limit: int | None,
    view: Callable[[Doc], Mapping[str, Any]] = flat,
) -> tuple[list[Doc], bool]:
    """(matching records in the list's order, at most ``limit``; whether more match).  Order: the OrderBy
    attributes, then the key ascending."""
    if not stored(ctx, kind):
        found = [d for d in kind.initial(base(ctx)) if query.matches(view(d))]
        docs, more = _ordered(query, found, view, limit)
        return [dict(d) for d in docs], more  # copies: the defaults are shared by every call
    columns = {**dict(kind.columns), kind.key: kind.table.key}
    where: list[str] = []
    params: list[Any] = []
    pushed: set[int] = set()
    for cond in query.pushable():
        pushable = _condition_sql(cond, columns.get(cond.attr))
        if pushable is not None:
            where.append(pushable[0])
            params.extend(pushable[1])
            pushed.add(id(cond))
    if not query.needs_rows(frozenset(pushed)) and all(attr in columns for attr, _ in query.order_by):
        # everything in SQL (text columns compare in byte order on both stores: db.py's COLLATE "C")
        order = [f"{columns[attr]} {'DESC' if desc else 'ASC'}" for attr, desc in query.order_by]
        rows = sql.scan(
            ctx.tx, ctx.ns, kind.table, where, params, ", ".join([*order, kind.table.key]), _plus_one(limit)
        )
        docs = [orjson.loads(raw) for _, raw in rows]
        return _cut(docs, limit)
    matched: list[Doc] = []
    after = ""
    wanted = None if query.order_by else _plus_one(limit)
    while wanted is None or len(matched) < wanted:
        rows = sql.scan(
            ctx.tx,
            ctx.ns,
            kind.table,
            [*where, f"{kind.table.key} > ?"],
            [*params, after],
            kind.table.key,
            BATCH,
        )
        for _, raw in rows:
            doc = orjson.loads(raw)
            if query.matches(view(doc), skip=frozenset(pushed)):
                matched.append(doc)
        if len(rows) < BATCH:
            break
        after = rows[-1][0]
    return _ordered(query, matched, view, limit)


def _condition_sql(cond: Condition, column: str | None) -> tuple[str, list[Any]] | None:
    """A text condition on a column as SQL that holds exactly when the condition does, or None.  Columns are
    never NULL (``""`` when absent), which no pushed comparison matches, as the list query's views."""
    if column is None:
        return None
    value = cond.value
    if cond.op in SIMPLE and isinstance(value, str) and value:
        return f"{column} {SIMPLE[cond.op]} ?", [value]
    if cond.op == "FLIKE" and isinstance(value, str) and value:
        upper = value[:-1] + chr(ord(value[-1]) + 1)
        return f"{column} >= ? AND {column} < ?", [value, upper]
    return None


def _plus_one(limit: int | None) -> int | None:
    return None if limit is None else limit + 1


def _cut(docs: list[Doc], limit: int | None) -> tuple[list[Doc], bool]:
    if limit is None:
        return docs, False
    return docs[:limit], len(docs) > limit


def _ordered(
    query: Query, docs: list[Doc], view: Callable[[Doc], Mapping[str, Any]], limit: int | None
) -> tuple[list[Doc], bool]:
    if query.order_by:
        docs = query.sort(docs, key_of=view)
    return _cut(docs, limit)
