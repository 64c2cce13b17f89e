"""getPage's listings (reference §10): how each paged API computes its whole result (GENERIC, kept as a
result set under a PageSetToken) or the page after a previous page's last record (NEXTPAGE), and renders a
page.  getOrderList and getOrderLineList page over orders and lines through the order search; getOrderDetails
pages over its order's lines; any other list API is run once and its items are kept as documents."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from sterling_mock.client.wire import Doc, as_list, child, from_json, from_xml
from sterling_mock.mock_server.apis import lists
from sterling_mock.mock_server.base.errors import InvalidPageRequest
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.queries.order_query import compile_orders, lines_of, row_of, search
from sterling_mock.mock_server.domain.queries.query import present


@dataclass
class Page:
    """One page: its output (bytes in the caller's format, or a document) and the last record's keys."""

    root: str
    body: bytes | None
    doc: Doc | None
    last_record: Doc | None
    more: bool


def inner_doc(output: Output, fmt: str) -> Doc:
    """An inner API's output as a document (parsing stored bytes when it answered pre-rendered)."""
    if output.doc is not None:
        return output.doc
    body = output.prerendered.get(fmt)
    if body is None:
        return {}
    return from_xml(body)[1] if fmt == "xml" else from_json(body)


def _list_page(result: lists.ListResult, last: Doc | None, more: bool) -> Page:
    if result.fragments is not None:
        return Page(result.root, result.body(), None, last, more)
    return Page(result.root, None, result.doc(), last, more)


# ----------------------------------------------------------------------------------------------- orders


def order_keys(ctx: Ctx, doc: Doc) -> list[str]:
    query = compile_orders(doc)
    return [v.ohk for v in search(ctx, query, query.max_records).views]


def order_page(ctx: Ctx, keys: list[str], more: bool, history: str) -> Page:
    views = [v for v in (row_of(ctx, key) for key in keys) if v is not None]
    result = lists.order_list(ctx, views, more, history)
    last = {"Order": {"OrderHeaderKey": views[-1].ohk}} if views else None
    return _list_page(result, last, more)


def order_next(ctx: Ctx, doc: Doc, after: str | None, size: int) -> Page:
    query = compile_orders(doc)
    found = search(ctx, query, size, after=after)
    return order_page(ctx, [v.ohk for v in found.views], found.more, present(doc, "ReadFromHistory") or "")


# ----------------------------------------------------------------------------------------------- lines


def line_keys(ctx: Ctx, doc: Doc) -> list[str]:
    query = lists.line_query_of(doc)[1]
    pairs, _ = lists.collect_lines(ctx, doc, query.max_records)
    return [f"{view.ohk}|{line.get('OrderLineKey', '')}" for view, line in pairs]


def line_page(ctx: Ctx, keys: list[str], more: bool, history: str) -> Page:
    pairs = []
    for key in keys:
        ohk, olk = key.split("|", 1)
        view = row_of(ctx, ohk)
        if view is not None:
            pairs += [(view, line) for line in lines_of(view.doc) if line.get("OrderLineKey") == olk]
    result = lists.line_list(ctx, pairs, more, history)
    last = {"OrderLine": {"OrderLineKey": str(pairs[-1][1].get("OrderLineKey"))}} if pairs else None
    return _list_page(result, last, more)


def line_next(ctx: Ctx, doc: Doc, after: str | None, size: int) -> Page:
    pairs, more = lists.collect_lines(ctx, doc, size, after)
    keys = [f"{view.ohk}|{line.get('OrderLineKey', '')}" for view, line in pairs]
    return line_page(ctx, keys, more, present(doc, "ReadFromHistory") or "")


# ----------------------------------------------------------------------------------------------- details


def _details(ctx: Ctx, doc: Doc) -> Doc:
    return inner_doc(ctx.apis["getOrderDetails"].fn(ctx, doc), ctx.fmt)


def detail_keys(ctx: Ctx, doc: Doc) -> list[str]:
    return [str(line.get("OrderLineKey", "")) for line in lines_of(_details(ctx, doc))]


def detail_page(ctx: Ctx, doc: Doc, keys: list[str] | None, after: str | None, size: int) -> Page:
    order = _details(ctx, doc)
    lines = lines_of(order)
    if keys is None:
        wanted = [str(line.get("OrderLineKey", "")) for line in lines]
        start = wanted.index(after) + 1 if after in wanted else 0
        keys, more = wanted[start : start + size], start + size < len(wanted)
    else:
        more = False
    chosen = [line for line in lines if str(line.get("OrderLineKey", "")) in keys]
    if isinstance(order.get("OrderLines"), dict):
        order["OrderLines"] = {**order["OrderLines"], "OrderLine": chosen}
    last = {"OrderLine": {"OrderLineKey": keys[-1]}} if keys else None
    return Page("Order", None, order, last, more)


# ----------------------------------------------------------------------------------------------- any list


def generic_items(ctx: Ctx, fn: Callable[[Ctx, Doc], Output], doc: Doc) -> tuple[str, Doc, str, list[Doc]]:
    """(root, root attributes, item name, items) of any list API's whole answer."""
    output = fn(ctx, doc)
    answer = inner_doc(output, ctx.fmt)
    attrs = {k: v for k, v in answer.items() if isinstance(v, str)}
    for name, value in answer.items():
        if not isinstance(value, str):
            return output.root, attrs, name, as_list(value)
    return output.root, attrs, "", []


def generic_page(root: str, attrs: Doc, item: str, items: list[Doc], more: bool) -> Page:
    doc: Doc = {**attrs, **({item: items} if items else {})}
    key = next((k for k in (items[-1] if items else {}) if k.endswith("Key")), None)
    last = {item: {key: items[-1][key]}} if items and key else None
    return Page(root, None, doc, last, more)


def last_key(previous: Any, item: str, attribute: str) -> str | None:
    """The key of ``PreviousPage/LastRecord/<item>`` (None on the first page)."""
    record = child(previous, "LastRecord", item) if isinstance(previous, dict) else None
    return present(record, attribute) if record is not None else None


def with_template(ctx: Ctx, template: Doc | None, api: str) -> Ctx:
    return dataclasses.replace(ctx, template=template, api=api)


def dumps_rows(items: list[Doc]) -> list[tuple[str, bytes | None]]:
    return [("", orjson.dumps(item)) for item in items]


def page_bounds(number: int, size: int, total: int) -> tuple[int, int]:
    if number < 1 or size < 1:
        raise InvalidPageRequest(
            "PageNumber and PageSize must be positive.",
            attributes={"PageNumber": str(number), "PageSize": str(size)},
        )
    start = (number - 1) * size
    return start, min(size, max(total - start, 0))
