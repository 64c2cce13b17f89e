"""multiApi (several APIs in one transaction) and getPage (paged lists, reference §10)."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from sterling_mock.client.wire import Doc, as_list, child, to_json, to_jsonable, to_xml
from sterling_mock.mock_server.apis import pages
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import (
    InvalidPageRequest,
    InvalidValue,
    MandatoryMissing,
    PageSetExpired,
    SterlingError,
    UnknownApi,
)
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.queries.query import present

#: Virtual seconds a GENERIC result set lives, and how many a namespace keeps [INF: IBM keeps them in the
#: application server's cache; both are settings when the installation defines them].
PAGE_SET_TTL = 1800
PAGE_SET_KEEP = 20
PAGED = {"getOrderList": "orders", "getOrderLineList": "lines", "getOrderDetails": "details"}


def _lookup(ctx: Ctx, name: str) -> ApiSpec:
    spec: ApiSpec | None = ctx.apis.get(name)  # the table imports this module: the pipeline hands it over
    if spec is None:
        raise UnknownApi(f"API '{name}' is not implemented by this instance.", attributes={"ApiName": name})
    return spec


def _only_child(node: Any) -> tuple[str, Doc] | None:
    """``Input``/``Template`` wrap one element that keeps its name (reference §2)."""
    if not isinstance(node, dict):
        return None
    for name, value in node.items():
        first = as_list(value)
        if first:
            return name, first[0]
    return None


def _inner(ctx: Ctx, api: Doc, where: str) -> tuple[str, ApiSpec, Doc, Doc | None]:
    name = present(api, "Name") or present(api, "FlowName")
    if name is None:
        raise MandatoryMissing(f"{where} needs a Name.", attributes={"Name": "Name"})
    found = _only_child(api.get("Input"))
    template = _only_child(api.get("Template"))
    if present(api, "FlowName") or present(api, "IsFlow") == "Y":
        # a configured service, run as executeFlow inside this call's transaction
        flow_input: Doc = {"FlowName": name, "Input": found[1] if found else {}}
        if found:
            flow_input["InputRoot"] = found[0]
        return name, _lookup(ctx, "executeFlow"), flow_input, template[1] if template else None
    if name in ("multiApi", "getPage"):
        raise InvalidValue(f"{name} cannot run inside {where}.", attributes={"Name": "Name", "Value": name})
    spec = _lookup(ctx, name)
    return name, spec, found[1] if found else {}, template[1] if template else None


def _run(ctx: Ctx, name: str, spec: ApiSpec, doc: Doc, template: Doc | None) -> Output:
    inner = dataclasses.replace(ctx, api=name, template=template)
    output = spec.fn(inner, doc)
    return Output.none() if spec.void else output


def multi_api(ctx: Ctx, doc: Doc) -> Output:
    """multiApi: every ``API`` runs in this call's one transaction; the first failure rolls all back and is
    answered (its MoreInfo names the failing API and its position) [DOC].  Each ``API`` may carry its own
    ``Template``; a void API gives ``<Output/>``.  Services (``FlowName``/``IsFlow="Y"``) run as executeFlow.
    """
    answers: list[Doc] = []
    for index, api in enumerate(as_list(doc.get("API"))):
        name, spec, inner_doc, template = _inner(ctx, api, "multiApi")
        try:
            output = _run(ctx, name, spec, inner_doc, template)
        except SterlingError as exc:
            exc.attributes.setdefault("MultiApiName", name)
            exc.attributes.setdefault("MultiApiIndex", str(index + 1))
            raise
        body = pages.inner_doc(output, ctx.fmt)
        label = "FlowName" if present(api, "FlowName") or present(api, "IsFlow") == "Y" else "Name"
        answers.append({label: name, "Output": {} if output.void else {output.root: body}})
    return Output("MultiApi", {"API": answers})


# ----------------------------------------------------------------------------------------------- getPage


#: The largest PageNumber or PageSize taken (Sterling's own are Java ints).
PAGE_NUMBER_MAX = 2**31 - 1


def _number(doc: Doc, name: str, default: int | None) -> int:
    raw = present(doc, name)
    if raw is None:
        if default is None:
            raise MandatoryMissing(f"getPage needs {name}.", attributes={"Name": name})
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidPageRequest(
            f"{name}={raw!r} is not a number.", attributes={"Name": name, "Value": raw}
        ) from None
    if abs(value) > PAGE_NUMBER_MAX:  # a column's integer on every store (SQLite's and PostgreSQL's 64 bits)
        raise InvalidPageRequest(
            f"{name}={raw!r} is out of range (at most {PAGE_NUMBER_MAX}).",
            attributes={"Name": name, "Value": raw},
        )
    return value


def _generic_rows(ctx: Ctx, kind: str, spec: ApiSpec, doc: Doc) -> tuple[list[tuple[str, bytes | None]], Doc]:
    if kind == "orders":
        return [(k, None) for k in pages.order_keys(ctx, doc)], {
            "history": present(doc, "ReadFromHistory") or ""
        }
    if kind == "lines":
        return [(k, None) for k in pages.line_keys(ctx, doc)], {
            "history": present(doc, "ReadFromHistory") or ""
        }
    if kind == "details":
        return [(k, None) for k in pages.detail_keys(ctx, doc)], {}
    root, attrs, item, items = pages.generic_items(ctx, spec.fn, doc)
    return pages.dumps_rows(items), {"root": root, "attrs": attrs, "item": item}


def _render(
    ctx: Ctx, kind: str, meta: Doc, doc: Doc, rows: list[tuple[str, bytes | None]], more: bool
) -> pages.Page:
    keys = [key for key, _ in rows]
    if kind == "orders":
        return pages.order_page(ctx, keys, more, meta["history"])
    if kind == "lines":
        return pages.line_page(ctx, keys, more, meta["history"])
    if kind == "details":
        return pages.detail_page(ctx, doc, keys, None, len(keys))
    items = [orjson.loads(body) for _, body in rows if body is not None]
    return pages.generic_page(meta["root"], meta["attrs"], meta["item"], items, more)


def _generic(
    ctx: Ctx, page: Doc, kind: str, spec: ApiSpec, doc: Doc, number: int, size: int
) -> tuple[Doc, Any]:
    token = present(page, "PageSetToken")
    now = clock.now(ctx.tx, ctx.ns).timestamp()
    found = ctx.tx.get_page_set(ctx.ns, token) if token and present(page, "Refresh") != "Y" else None
    if token and present(page, "Refresh") != "Y" and (found is None or found[0] < now):
        raise PageSetExpired(
            f"PageSetToken {token} is unknown or expired.", attributes={"PageSetToken": token}
        )
    if found is None:
        rows, meta = _generic_rows(ctx, kind, spec, doc)
        meta["total"] = len(rows)
        token = ctx.new_key()
        keep = int(getattr(ctx.settings, "page_set_keep", PAGE_SET_KEEP))
        ttl = float(getattr(ctx.settings, "page_set_ttl", PAGE_SET_TTL))
        ctx.tx.put_page_set(ctx.ns, token, now, now + ttl, meta, rows, keep)
    else:
        meta = found[1]
    assert token is not None
    total = int(meta["total"])
    start, count = pages.page_bounds(number, size, total)
    rows = ctx.tx.page_rows(ctx.ns, token, start, count)
    rendered = _render(ctx, kind, meta, doc, rows, start + count < total)
    attrs = {
        "IsFirstPage": "Y" if number == 1 else "N",
        "IsLastPage": "Y" if start + count >= total else "N",
        "IsValidPage": "Y" if number == 1 or start < total else "N",
        "PageNumber": str(number),
        "PageSetToken": token,
    }
    return attrs, rendered


def _next(ctx: Ctx, page: Doc, kind: str, spec: ApiSpec, doc: Doc, number: int, size: int) -> tuple[Doc, Any]:
    previous = child(page, "PreviousPage")
    if kind == "orders":
        rendered = pages.order_next(ctx, doc, pages.last_key(previous, "Order", "OrderHeaderKey"), size)
    elif kind in ("lines", "details"):
        after = pages.last_key(previous, "OrderLine", "OrderLineKey")
        rendered = (
            pages.line_next(ctx, doc, after, size)
            if kind == "lines"
            else (pages.detail_page(ctx, doc, None, after, size))
        )
    else:
        root, attrs, item, items = pages.generic_items(ctx, spec.fn, doc)
        record = child(previous, "LastRecord", item) if previous else None
        start = 0
        if record:
            matches = [
                i
                for i, it in enumerate(items)
                if all(it.get(k) == v for k, v in record.items() if isinstance(v, str))
            ]
            start = matches[-1] + 1 if matches else 0
        rendered = pages.generic_page(
            root, attrs, item, items[start : start + size], start + size < len(items)
        )
    first = previous is None or child(previous, "LastRecord") is None
    attrs = {
        "IsFirstPage": "Y" if first else "N",
        "IsLastPage": "N" if rendered.more else "Y",
        "IsValidPage": "Y",
        "PageNumber": str(number),
        "PageSetToken": "",
    }
    return attrs, rendered


def _page_output(ctx: Ctx, attrs: Doc, page: pages.Page) -> Output:
    last = {"LastRecord": page.last_record} if page.last_record else {}
    if page.body is None:
        return Output("Page", {**attrs, **last, "Output": {page.root: page.doc or {}}})
    if ctx.fmt == "xml":
        head = to_xml("Page", attrs)[:-2] + b">"
        record = to_xml("LastRecord", page.last_record, declaration=False) if page.last_record else b""
        body = head + record + b"<Output>" + page.body + b"</Output></Page>"
    else:
        record = (
            b',"LastRecord":' + orjson.dumps(to_jsonable("LastRecord", page.last_record))
            if page.last_record
            else b""
        )
        body = (
            to_json("Page", attrs)[:-1]
            + record
            + b',"Output":{"'
            + page.root.encode()
            + b'":'
            + page.body
            + b"}}"
        )
    return Output("Page", prerendered={ctx.fmt: body})


def get_page(ctx: Ctx, doc: Doc) -> Output:
    """getPage over getOrderList, getOrderLineList, getOrderDetails (its lines) and any other list API.

    GENERIC computes the whole result once and keeps it (keys, in order) under a PageSetToken that expires
    after ``PAGE_SET_TTL`` virtual seconds; a namespace keeps the newest ``PAGE_SET_KEEP`` sets.  Refresh="Y"
    re-queries and answers a new token.  NEXTPAGE continues strictly after ``PreviousPage/LastRecord`` on the
    list's order (OrderBy, then the key).  The answer adds ``LastRecord`` (the last item's key) for the next
    NEXTPAGE call [INF].  A page past the end answers ``IsValidPage="N"`` with an empty list.
    Deviations: ``MaximumRecords`` caps GENERIC sets only; services (``IsFlow="Y"``) are not paged.
    """
    api = child(doc, "API")
    if api is None:
        raise MandatoryMissing("getPage needs an API element.", attributes={"Name": "API"})
    name, spec, inner_input, template = _inner(ctx, api, "getPage")
    number, size = _number(doc, "PageNumber", 1), _number(doc, "PageSize", None)
    pages.page_bounds(number, size, 0)
    strategy = present(doc, "PaginationStrategy") or "GENERIC"
    if strategy not in ("GENERIC", "NEXTPAGE"):
        raise InvalidPageRequest(
            f"PaginationStrategy={strategy!r}: use GENERIC or NEXTPAGE.",
            attributes={"Name": "PaginationStrategy", "Value": strategy},
        )
    kind = PAGED.get(name, "generic")
    inner = pages.with_template(ctx, template, name)
    step = _generic if strategy == "GENERIC" else _next
    attrs, rendered = step(inner, doc, kind, spec, inner_input, number, size)
    return _page_output(ctx, attrs, rendered)


APIS = {
    "multiApi": ApiSpec(multi_api, "MultiApi", "MultiApi", writes=True),
    "getPage": ApiSpec(get_page, "Page", "Page", writes=True),
}
