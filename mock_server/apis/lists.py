"""List APIs over orders: getOrderList and getOrderLineList (reference §9), and the list envelope they share
with getPage.  Filters and their SQL push-down live in ``query.py`` and ``order_query.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from sterling_mock.client.wire import Doc, child, from_json, from_xml, to_jsonable, to_xml, xml_fragment
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.domain.catalog import enrich
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import cache, render
from sterling_mock.mock_server.domain.queries.order_query import (
    OrderView,
    compile_lines,
    compile_orders,
    line_view,
    lines_of,
    row_of,
    search,
)
from sterling_mock.mock_server.domain.queries.query import CompiledQuery, present
from sterling_mock.mock_server.domain.queries.templates import apply_template, item_template, needs_full_order
from sterling_mock.mock_server.store import journal


@dataclass
class ListResult:
    """A list output: the root's paging attributes (in Sterling's JSON order) and its items, either as
    rendered fragments in the caller's format (the stored default) or as documents (templates)."""

    root: str
    item: str
    attrs: dict[str, str]
    fmt: str
    fragments: list[bytes] | None = None
    items: list[Doc] = field(default_factory=list)
    #: The JSON fragments beside XML ones (fetched only when needed), so the journal keeps JSON without
    #: parsing the XML body back.
    json_source: Callable[[], list[bytes]] | None = None
    #: The journal's document limit when the journal is on (0: off): an XML answer's journal form is then
    #: packed here, once per distinct body (``journal.remembered``).
    journal_bytes: int = 0

    def body(self) -> bytes:
        """The whole list element in ``fmt`` (JSON: the element's content, root name dropped)."""
        if self.fragments is None:
            return (
                to_xml(self.root, self.doc(), declaration=False)
                if self.fmt == "xml"
                else (orjson.dumps(to_jsonable(self.root, self.doc())))
            )
        if self.fmt == "xml":
            head = to_xml(self.root, dict(self.attrs), declaration=False)
            if not self.fragments:
                return head
            return head[:-2] + b">" + b"".join(self.fragments) + f"</{self.root}>".encode()
        attrs = orjson.dumps(self.attrs)[1:-1]
        if not self.fragments:
            return b"{" + attrs + b"}"
        return b'{"' + self.item.encode() + b'":[' + b",".join(self.fragments) + b"]," + attrs + b"}"

    def doc(self) -> Doc:
        if self.fragments is None:
            return {self.item: self.items, **self.attrs} if self.items else dict(self.attrs)
        if self.fmt == "xml":
            return from_xml(self.body())[1]
        return from_json(self.body())

    def output(self) -> Output:
        if self.fragments is None:
            return Output(self.root, self.doc())
        body = self.body()
        if self.fmt != "xml":
            return Output(self.root, prerendered={"json": body})
        out = {"xml": b'<?xml version="1.0" encoding="UTF-8"?>' + body}
        if self.json_source is None:
            return Output(self.root, prerendered=out)
        if self.journal_bytes:  # the same XML answer as before: its journal form is known, no JSON needed
            packed = journal.remembered(body, self.journal_bytes)
            if packed is not None:
                return Output(self.root, prerendered=out, journal=packed)
        out["json"] = ListResult(self.root, self.item, self.attrs, "json", self.json_source()).body()
        if self.journal_bytes:
            packed = journal.packed_output(out["json"], self.journal_bytes)
            if packed is not None:
                journal.remember(body, self.journal_bytes, packed)
                return Output(self.root, prerendered=out, journal=packed)
        return Output(self.root, prerendered=out)


def _history(doc: Doc) -> str:
    return present(doc, "ReadFromHistory") or ""


def cap(ctx: Ctx, query: CompiledQuery) -> int:
    """An explicit MaximumRecords overrides the installation's default cap (reference §9)."""
    return query.max_records or ctx.settings.default_max_records


# ----------------------------------------------------------------------------------------------- orders


def order_view_doc(ctx: Ctx, view: OrderView, template: Doc) -> Doc:
    """What a getOrderList template selects from: the list fragment's view plus the stored order, or the
    full getOrderDetails view when the template reaches into lines or other detail-only elements."""
    return template_view(ctx, view.doc, template)


def template_view(ctx: Ctx, order: Doc, template: Doc) -> Doc:
    """``order_view_doc`` of a stored order document."""
    light = render.list_order(order)
    # lines and payment methods (card numbers masked) come from the full view
    for key, value in order.items():
        if key not in ("OrderLines", "PaymentMethods") and (isinstance(value, str) or key not in light):
            light.setdefault(key, value)
    if needs_full_order(template, light):
        descriptions = ctx.pipelines.get(str(order.get("DocumentType", "0001"))).descriptions
        return enrich.join_order(ctx, order, render.full_order(order, ctx.settings, descriptions), template)
    return light


def default_fragments(ctx: Ctx, views: list[OrderView], fmt: str) -> list[bytes]:
    """The orders' stored default list fragments in ``fmt``, fetched together."""
    column = "r_list_xml" if fmt == "xml" else "r_list_json"
    stored = ctx.tx.get_rendered_many(ctx.ns, [view.ohk for view in views], column)
    return [default_fragment(ctx, view, fmt, stored.get(view.ohk)) for view in views]


def default_fragment(ctx: Ctx, view: OrderView, fmt: str, stored: bytes | None) -> bytes:
    """An order's stored default list fragment in ``fmt`` (rendered now for rows stored without one)."""
    if stored is None:
        listed = render.list_order(view.doc)
        stored = (
            xml_fragment("Order", listed).encode()
            if fmt == "xml"
            else (orjson.dumps(to_jsonable("Order", listed)))
        )
    return stored


def order_fragments(
    ctx: Ctx, views: list[OrderView], template: Doc | None
) -> tuple[list[bytes], Callable[[], list[bytes]]] | None:
    """(fragments in the caller's format, what gives the JSON fragments) of each view, in order: the stored
    default ones, or templated ones through the render cache; None when the template names no ``Order``.
    An XML caller's JSON fragments are fetched only if asked for (the journal, on a new answer)."""
    if template is None:
        fragments = default_fragments(ctx, views, ctx.fmt)
        if ctx.fmt != "xml":
            return fragments, lambda: fragments
        return fragments, lambda: default_fragments(ctx, views, "json")
    sub = item_template(template, "Order")
    if sub is None:
        return None
    tid = cache.template_id(sub) + enrich.cache_tag(ctx, sub)  # ItemDetails: the catalogue's revision too

    def build(order: Doc) -> Doc:
        return apply_template("Order", template_view(ctx, order, sub), sub, keep_paging=False)

    ohks = [view.ohk for view in views]
    found = cache.list_fragments(
        ctx, ohks, lambda index: _order_bytes(ctx, views[index]), tid, build, (ctx.fmt,)
    )
    if ctx.fmt != "xml":
        fragments = [f["json"] for f in found]
        return fragments, lambda: fragments

    def json_side() -> list[bytes]:
        missing = [index for index, f in enumerate(found) if "json" not in f]  # rendered now have it
        more = cache.list_fragments(
            ctx,
            [ohks[index] for index in missing],
            lambda at: _order_bytes(ctx, views[missing[at]]),
            tid,
            build,
            ("json",),
        )
        for index, fragment in zip(missing, more, strict=True):
            found[index]["json"] = fragment["json"]
        return [f["json"] for f in found]

    return [f["xml"] for f in found], json_side


def _order_bytes(ctx: Ctx, view: OrderView) -> bytes:
    return ctx.tx.get_order_bytes(ctx.ns, view.ohk) or orjson.dumps(view.doc)


def order_items(
    ctx: Ctx, views: list[OrderView], template: Doc | None
) -> tuple[list[bytes] | None, list[Doc]]:
    """Rendered list fragments in the caller's format, or no items (a template naming no ``Order``)."""
    found = order_fragments(ctx, views, template)
    return (None, []) if found is None else (found[0], [])


def order_list(ctx: Ctx, views: list[OrderView], more: bool, history: str) -> ListResult:
    attrs = {
        "TotalOrderList": str(len(views)),
        "LastRecordSet": "N" if more else "Y",
        "LastOrderHeaderKey": views[-1].ohk if views else "",
        "ReadFromHistory": history,
    }
    found = order_fragments(ctx, views, ctx.template)
    if found is None:
        return ListResult("OrderList", "Order", attrs, ctx.fmt, None, [])
    journal_bytes = ctx.settings.journal_doc_bytes if ctx.settings.journal_limit > 0 else 0
    return ListResult(
        "OrderList", "Order", attrs, ctx.fmt, found[0], json_source=found[1], journal_bytes=journal_bytes
    )


def get_order_list(ctx: Ctx, doc: Doc) -> Output:
    """getOrderList: every header attribute is a filter (reference §9), with ``OrderLine``(``/Item``) and
    ``PersonInfoShipTo``/``PersonInfoBillTo`` child filters, ComplexQuery, OrderBy and MaximumRecords.

    Default order: OrderHeaderKey ascending (keys grow with creation time), so ``LastOrderHeaderKey`` with
    ``OrderHeaderKeyQryType="GT"`` is a cursor; with an OrderBy, ties are broken by the key in the direction
    of the last OrderBy attribute [INF].  ``TotalOrderList`` counts the orders returned, as on real
    instances; ``LastRecordSet="N"`` when more match.  Status filters: see ``order_query``.
    Deviations: there is no history store — ``ReadFromHistory="Y"`` answers no orders, ``B`` the live ones;
    unknown input attributes are ignored (Extn* header attributes are filters); text comparisons are
    case-sensitive and binary; date-only comparisons use the UTC date.
    """
    query = compile_orders(doc)
    history = _history(doc)
    if history == "Y":
        return order_list(ctx, [], False, history).output()
    found = search(ctx, query, cap(ctx, query))
    return order_list(ctx, found.views, found.more, history).output()


# ----------------------------------------------------------------------------------------------- lines


def line_query_of(doc: Doc) -> tuple[CompiledQuery, CompiledQuery]:
    """(the header query from ``OrderLine/Order`` + the line's OrderHeaderKey, the line query)."""
    # OrderLine/Order is a list in Sterling's JSON (the parent's name begins with the child's)
    node = child(doc, "Order")
    header_input: Doc = dict(node) if node is not None else {}
    for name in ("OrderHeaderKey", "ReadFromHistory"):
        if present(doc, name):
            header_input[name] = doc[name]
    header = compile_orders(header_input)
    lines = compile_lines(doc)
    header.children["OrderLine"] = lines  # ItemID push-down only: lines are filtered one by one below
    return header, lines


def iter_lines(ctx: Ctx, doc: Doc, *, after: str | None = None) -> Iterator[tuple[OrderView, Doc]]:
    """Matching (order, line) pairs in order key then line order; ``after`` = an OrderLineKey to continue."""
    header, lines = line_query_of(doc)
    start_order = None
    if after is not None:
        row = ctx.tx.conn.execute(
            "SELECT ohk FROM order_lines WHERE ns=? AND olk=?", (ctx.ns, after)
        ).fetchone()
        start_order = row_of(ctx, row[0]) if row else None
    if start_order is not None:
        keys = [str(line.get("OrderLineKey")) for line in lines_of(start_order.doc)]
        tail = lines_of(start_order.doc)[keys.index(after) + 1 :] if after in keys else []
        if header.matches(start_order):
            yield from ((start_order, line) for line in tail if lines.matches(line_view(line)))
    batch_after = start_order.ohk if start_order is not None else None
    while True:
        found = search(ctx, header, 200, after=batch_after)
        for view in found.views:
            yield from ((view, line) for line in lines_of(view.doc) if lines.matches(line_view(line)))
        if not found.more or not found.views:
            return
        batch_after = found.views[-1].ohk


LINE_ORDER_ATTRS = (
    "OrderHeaderKey",
    "OrderNo",
    "EnterpriseCode",
    "DocumentType",
    "OrderDate",
    "SellerOrganizationCode",
    "BuyerOrganizationCode",
    "Status",
    "MinOrderStatus",
    "MaxOrderStatus",
)


def line_item(ctx: Ctx, order: Doc, line: Doc, template: Doc | None) -> Doc:
    descriptions = ctx.pipelines.get(str(order.get("DocumentType", "0001"))).descriptions
    out = render.line_details(line, ctx.settings, descriptions)
    if template is None:
        out["Order"] = render.fixed(order, LINE_ORDER_ATTRS)
        return out
    for key, value in line.items():
        if isinstance(value, str) or key not in out:
            out.setdefault(key, value)
    out["Order"] = {k: v for k, v in order.items() if isinstance(v, str)}
    return apply_template(
        "OrderLine", enrich.join_line(ctx, order, out, template), template, keep_paging=False
    )


def line_list(ctx: Ctx, pairs: list[tuple[OrderView, Doc]], more: bool, history: str) -> ListResult:
    attrs = {
        "TotalLineList": str(len(pairs)),
        "LastRecordSet": "N" if more else "Y",
        "LastOrderLineKey": str(pairs[-1][1].get("OrderLineKey", "")) if pairs else "",
        "ReadFromHistory": history,
    }
    sub = item_template(ctx.template, "OrderLine") if ctx.template is not None else None
    if ctx.template is not None and sub is None:
        return ListResult("OrderLineList", "OrderLine", attrs, ctx.fmt, None, [])
    items = [line_item(ctx, view.doc, line, sub) for view, line in pairs]
    return ListResult("OrderLineList", "OrderLine", attrs, ctx.fmt, None, items)


def collect_lines(ctx: Ctx, doc: Doc, limit: int | None, after: str | None = None) -> tuple[list[Any], bool]:
    _, lines = line_query_of(doc)
    pairs: list[tuple[OrderView, Doc]] = []
    for pair in iter_lines(ctx, doc, after=after):
        pairs.append(pair)
        if lines.order_by == [] and limit is not None and len(pairs) > limit:
            break
    if lines.order_by:
        pairs = lines.sort(pairs, key_of=lambda pair: line_view(pair[1]))
    more = limit is not None and len(pairs) > limit
    return (pairs[:limit] if limit is not None else pairs), more


def get_order_line_list(ctx: Ctx, doc: Doc) -> Output:
    """getOrderLineList: line filters on the input ``OrderLine`` (its attributes, ``Item``, line ``Status``
    codes with FromStatus/ToStatus) and header filters on its ``Order`` child; ``OrderLineList
    TotalLineList LastOrderLineKey LastRecordSet ReadFromHistory``.

    Default output per line: the getOrderDetails line (reference §13) plus an ``Order`` element with the
    header's keys and statuses [INF: no capture of the default].  Default order: order key, then line order.
    """
    _, lines = line_query_of(doc)
    history = _history(doc)
    if history == "Y":
        return line_list(ctx, [], False, history).output()
    pairs, more = collect_lines(ctx, doc, lines.max_records or ctx.settings.default_max_records)
    return line_list(ctx, pairs, more, history).output()


APIS = {
    "getOrderList": ApiSpec(get_order_list, "Order", "OrderList"),
    "getOrderLineList": ApiSpec(get_order_line_list, "OrderLine", "OrderLineList"),
}
