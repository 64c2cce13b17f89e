"""The console's pages: order book, order detail, pipeline (and its live fragment), journal, controls.

Reads of orders go through the same APIs a client calls (getOrderDetails, getOrderReleaseList,
getShipmentListForOrder, getOrderAuditList) via ``Fake.run``, which does not journal them: the journal
shows what clients and the console's *actions* did, not the console looking.  The order book alone reads
the ``orders`` table (``book.py``) to stay fast at a million orders.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, request

from sterling_mock.client.wire import Doc, as_list, from_json, to_json, to_xml
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls import agents, faults, throttle
from sterling_mock.mock_server.calls.dispatch import Call
from sterling_mock.mock_server.console import (
    USER,
    ConsoleError,
    aftercare,
    book,
    bp,
    catalogue,
    fake,
    link,
    namespace,
    page,
    pipeline,
    views,
)
from sterling_mock.mock_server.domain import clock, statuses
from sterling_mock.mock_server.store import journal

JOURNAL_PAGE = 100


def api_bytes(ns: str, api: str, doc: Doc, fmt: str) -> bytes:
    """The exact body the REST door answers for ``api`` in ``fmt``, without a journal entry."""
    output = fake().run(Call(api=api, ns=ns, user=USER, transport="console", fmt=fmt), doc)
    body = output.prerendered.get(fmt)
    if body is None:
        body = (
            to_xml(output.root, output.doc or {}) if fmt == "xml" else to_json(output.root, output.doc or {})
        )
    return body


def api_doc(ns: str, api: str, doc: Doc) -> Doc:
    return from_json(api_bytes(ns, api, doc, "json"))


# ------------------------------------------------------------------------------------------ order book


@bp.get("/")
def order_book() -> Response:
    ns = namespace()
    query = book.BookQuery.from_args(request.args)
    with fake().store.read() as tx:
        result = book.fetch(tx, ns, query)
        total = pipeline.capped_count(tx, ns)
        enterprises = book.enterprises(tx, ns)
    pipeline_codes = fake().pipelines.get("0001").descriptions
    return page(
        "book.html",
        ns=ns,
        query=query,
        result=result,
        total=total,
        enterprises=enterprises,
        status_options=pipeline_codes,
        page_sizes=book.PAGE_SIZES,
        count_cap=pipeline.COUNT_CAP,
        link=link,
    )


# ------------------------------------------------------------------------------------------ order detail


@bp.get("/orders/<order_key>")
def order_detail(order_key: str) -> Response:
    ns = namespace()
    key = {"OrderHeaderKey": order_key}
    try:
        raw_json = api_bytes(ns, "getOrderDetails", key, "json")
        raw_xml = api_bytes(ns, "getOrderDetails", key, "xml")
    except SterlingError as exc:
        raise ConsoleError(404, "No such order", f"{exc.error_code}: {exc.error_description}") from None
    order = from_json(raw_json)
    releases = as_list(api_doc(ns, "getOrderReleaseList", key).get("OrderRelease"))
    shipments = as_list(api_doc(ns, "getShipmentListForOrder", key).get("Shipment"))
    audits = as_list(api_doc(ns, "getOrderAuditList", key).get("OrderAudit"))
    with fake().store.read() as tx:
        stored = tx.get_order(ns, order_key) or {}
    descriptions = fake().pipelines.get(str(order.get("DocumentType") or "0001")).descriptions
    lines = as_list(_get(order, "OrderLines", "OrderLine"))
    return page(
        "order.html",
        ns=ns,
        order=order,
        customer=catalogue.customer_of(
            ns, order, api_doc
        ),  # issue 23: the customer and items behind the order
        catalogue=catalogue.items_of(ns, lines, api_doc),
        document_type=views.document_type(str(order.get("DocumentType", ""))),
        lines=[{**_line_view(line, descriptions), "node": views.line_node(line)} for line in lines],
        payments=as_list(_get(order, "PaymentMethods", "PaymentMethod")),
        aftercare=aftercare.of_order(
            ns, order, stored, api_doc
        ),  # issue 25: holds, payments, invoices, alerts
        releases=[(r, views.release_status(r, descriptions)) for r in releases],
        shipments=[(s, views.shipment_status(s, fake().pipelines)) for s in shipments],
        audits=[(audit, _modification_types(audit)) for audit in reversed(audits)],
        notes=as_list(_get(stored, "Notes", "Note")),
        raw_json=raw_json.decode("utf-8"),
        raw_xml=raw_xml.decode("utf-8"),
        pretty_json=orjson.dumps(orjson.loads(raw_json), option=orjson.OPT_INDENT_2).decode("utf-8"),
        pretty_xml=to_xml("Order", order, indent="  ").decode("utf-8"),
        actions=views.offered_actions(order, descriptions),
        link=link,
        as_list=as_list,
        message=_message(),
    )


def _modification_types(audit: Doc) -> list[str]:
    """The audit's modification types once each (they repeat per level: the order and each line)."""
    names: dict[str, None] = {}
    for level in as_list(_get(audit, "OrderAuditLevels", "OrderAuditLevel")):
        for kind in as_list(_get(level, "ModificationTypes", "ModificationType")):
            names.setdefault(str(kind.get("Name", "")), None)
    return [name for name in names if name]


def _get(doc: Doc, wrapper: str, name: str) -> Any:
    node = doc.get(wrapper)
    return node.get(name) if isinstance(node, dict) else None


def _line_view(line: Doc, descriptions: dict[str, str]) -> dict[str, Any]:
    """A line with its quantity per status, as segments of a stacked bar (share of the line's total)."""
    rows = as_list(_get(line, "OrderStatuses", "OrderStatus"))
    per_status: dict[str, float] = {}
    for row in rows:
        try:
            qty = float(row.get("StatusQty") or 0)
        except ValueError:
            continue
        if qty > 0:
            code = str(row.get("Status", ""))
            per_status[code] = per_status.get(code, 0.0) + qty
    whole = sum(per_status.values()) or 1.0
    segments = [
        {
            "code": code,
            "description": descriptions.get(code, code),
            "qty": qty,
            "label": f"{qty:g}",
            "share": round(100 * qty / whole, 2),
        }
        for code, qty in sorted(per_status.items(), key=lambda kv: statuses.sort_key(kv[0]))
    ]
    return {"line": line, "item": line.get("Item") or {}, "segments": segments}


# ------------------------------------------------------------------------------------------ pipeline


@bp.get("/pipeline")
def pipeline_page() -> Response:
    ns = namespace()
    return page("pipeline.html", ns=ns, data=pipeline.snapshot(fake(), ns), agents=_agents(ns), link=link)


@bp.get("/pipeline/live")
def pipeline_live() -> Response:
    """The chart alone: the pipeline page polls it every few seconds while it is visible."""
    ns = namespace()
    return page("_pipeline_chart.html", ns=ns, data=pipeline.snapshot(fake(), ns), link=link)


def _agents(ns: str) -> dict[str, Any]:
    with fake().store.read() as tx:
        return agents.config(tx, ns, fake())


# ------------------------------------------------------------------------------------------ journal


def _journal_filters() -> dict[str, str]:
    return {name: request.args.get(name, "").strip()[:100] for name in ("api", "user", "transport")}


def _journal_rows(ns: str, after: int) -> list[dict[str, Any]]:
    filters = _journal_filters()
    errors_only = request.args.get("errors") == "1"
    journal.settle(fake().store)
    with fake().store.read() as tx:
        # failures are looked for among the newest ten pages of calls
        found = journal.entries(tx, ns, limit=JOURNAL_PAGE * (10 if errors_only else 1), **filters)
    rows = [
        e
        for e in found
        if e["id"] > after and (not errors_only or e["error_code"] or e["http_status"] >= 400)
    ][-JOURNAL_PAGE:]
    for entry in rows:
        entry["input_text"] = _pretty(entry["input"])
        entry["output_text"] = _pretty(entry["output"])
    return list(reversed(rows))


def _pretty(value: Any) -> str:
    return "" if value is None else orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")


@bp.get("/journal")
def journal_page() -> Response:
    ns = namespace()
    rows = _journal_rows(ns, 0)
    with fake().store.read() as tx:
        stats = journal.stats(tx, ns)
    return page(
        "journal.html",
        ns=ns,
        rows=rows,
        stats=stats,
        filters=_journal_filters(),
        errors_only=request.args.get("errors") == "1",
        last_id=max((r["id"] for r in rows), default=0),
        link=link,
    )


@bp.get("/journal/rows")
def journal_rows() -> Response:
    """Entries newer than ``after`` (newest first), for the journal page's live updates."""
    ns = namespace()
    after = request.args.get("after", "0")
    return page("_journal_rows.html", ns=ns, rows=_journal_rows(ns, int(after) if after.isdigit() else 0))


# ------------------------------------------------------------------------------------------ controls


@bp.get("/controls")
def controls_page() -> Response:
    ns = namespace()
    with fake().store.read() as tx:
        state = {
            "clock": clock.clock_info(tx, ns),
            "throttle": throttle.config(tx, ns, fake().settings).as_json(),
            "throttle_stats": throttle.stats(tx, ns),
            "faults": faults.listing(tx, ns),
            "agents": agents.config(tx, ns, fake()),
            "orders": tx.count_orders(ns),
        }
    return page("controls.html", ns=ns, state=state, link=link, message=_message())


def _message() -> dict[str, str]:
    return {"text": request.args.get("msg", "")[:500], "kind": "error" if request.args.get("err") else "ok"}


@bp.app_template_filter("money")
def _money(value: str) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return value or ""


#: Colour families of status codes (by base code), for badges, bars and chart rows.
TONES = {
    **dict.fromkeys(("1000", "1100"), "created"),
    **dict.fromkeys(("1300", "1310", "1400"), "backorder"),
    **dict.fromkeys(("1200", "1500", "1600", "2100"), "scheduled"),
    **dict.fromkeys(("3200", "3300", "3350"), "released"),
    **dict.fromkeys(("3700", "3900", "3950"), "shipped"),
    "9000": "cancelled",
}


@bp.app_template_filter("tone")
def _tone(code: str) -> str:
    return "tone-" + TONES.get(statuses.base_of(code or ""), "other")


@bp.app_template_filter("num")
def _num(value: float | int) -> str:
    """``1234567`` -> ``1,234,567``; ``2.5`` -> ``2.5`` (no trailing zeros)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


@bp.app_template_filter("when")
def _when(value: str) -> str:
    """``2025-01-27T10:17:09+00:00`` -> ``2025-01-27 10:17:09``."""
    return (value or "").replace("T", " ")[:19]
