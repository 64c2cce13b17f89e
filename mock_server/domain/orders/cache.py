"""The rendered-output cache: getOrderDetails bodies and templated getOrderList fragments stored beside orders.

Correct across worker processes without any process memory of state (the project's performance rules): a row is
only ever inserted if the order still holds the exact document bytes it was rendered from (checked inside the
inserting transaction), and every order write deletes the order's rows in its own transaction.  So a read
right after a write, through any worker, renders afresh.  Renders made by a read are stored after the call
in the journal's bookkeeping transaction (no extra commit); a write call stores them in its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import orjson

from sterling_mock.client.wire import Doc, to_json, to_jsonable, to_xml, xml_fragment
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import render, shapes
from sterling_mock.mock_server.domain.statuses import Pipelines
from sterling_mock.mock_server.store import journal

#: Rows kept, newest first (≈ 10 KB per getOrderDetails body, ≈ 1–5 KB per templated list fragment).
KEEP = journal.RENDER_CACHE_KEEP
FILLS = "render_fills"


@dataclass
class Fill:
    """A render to store after the call: order key, kind, body, and the document bytes it came from."""

    ohk: str
    kind: str
    body: bytes
    source: bytes

    def row(self) -> tuple[str, str, bytes, bytes]:
        return self.ohk, self.kind, self.body, self.source


@lru_cache(maxsize=512)
def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


#: Memo of a pure function of the process's Pipelines (loaded once at start, never mutated), by identity;
#: the object is kept so its id is never reused.  Not state: nothing here depends on the store.
_PIPELINES_TEXT: dict[int, tuple[Pipelines, str]] = {}


def _pipelines_text(pipelines: Pipelines) -> str:
    found = _PIPELINES_TEXT.get(id(pipelines))
    if found is None or found[0] is not pipelines:
        text = orjson.dumps(
            {k: p.descriptions for k, p in pipelines.by_type.items()}, option=orjson.OPT_SORT_KEYS
        ).decode()
        if len(_PIPELINES_TEXT) > 64:
            _PIPELINES_TEXT.clear()
        found = _PIPELINES_TEXT[id(pipelines)] = (pipelines, text)
    return found[1]


def fingerprint(ctx: Ctx) -> str:
    """Everything besides the stored document that shapes a render: quantity format, card masking and
    descriptions."""
    shaping = f"{ctx.settings.quantity_format}\x1f{ctx.settings.mask_card_numbers}"
    return _digest(shaping + "\x1f" + _pipelines_text(ctx.pipelines))


def template_id(template: Doc) -> str:
    return _digest(orjson.dumps(template, option=orjson.OPT_SORT_KEYS).decode())


def pending(ctx: Ctx) -> list[Fill]:
    """Renders this call made that are worth storing (dispatch writes them after the call)."""
    found: list[Fill] = ctx.extras.setdefault(FILLS, [])
    return found


def formats(ctx: Ctx) -> tuple[str, ...]:
    """JSON always (the journal keeps the JSON body), plus XML for an XML caller."""
    return ("json", "xml") if ctx.fmt == "xml" else ("json",)


def journal_kind(ctx: Ctx, output: str, fp: str) -> str | None:
    """The kind under which an output's journal form is kept (None when the journal is off): the form
    depends on the journal's document limit, so that is part of the kind."""
    if ctx.settings.journal_limit <= 0:
        return None
    return f"{output}.journal.{ctx.settings.journal_doc_bytes}.{fp}"


def _details_kinds(ctx: Ctx) -> tuple[dict[str, str], dict[str, str]]:
    """The render-cache kinds of a default getOrderDetails body: every one a fill stores, and the ones this
    caller reads."""
    fp = fingerprint(ctx)
    kinds = {fmt: f"details.{fmt}.{fp}" for fmt in formats(ctx)}
    journal_form = journal_kind(ctx, "details", fp)
    wanted = dict(kinds)
    if journal_form is not None:
        kinds["journal"] = wanted["journal"] = journal_form
        if ctx.fmt == "xml":
            del wanted["json"]  # an XML caller needs JSON only for the journal, whose form is cached
    return kinds, wanted


def cached_details(ctx: Ctx, ohk: str) -> dict[str, bytes] | None:
    """``order_details`` from the cache alone (one statement), or None.  A hit also proves the order
    exists: its rows go in the transaction of every write or deletion of the order."""
    _, wanted = _details_kinds(ctx)
    cached = ctx.tx.renders_of(ctx.ns, [ohk], list(wanted.values()))
    if len(cached) == len(wanted):
        return {name: cached[(ohk, kind)] for name, kind in wanted.items()}
    return None


def order_details(ctx: Ctx, ohk: str) -> dict[str, bytes] | None:
    """The default getOrderDetails body per format in ``formats(ctx)``, cached or rendered now, and under
    ``"journal"`` the JSON body as the journal stores it (``journal.packed_output``) when the journal is on;
    None when the order does not exist."""
    found = cached_details(ctx, ohk)
    if found is not None:
        return found
    kinds, _ = _details_kinds(ctx)
    journal_form = kinds.get("journal")
    raw = ctx.tx.get_order_bytes(ctx.ns, ohk)
    if raw is None:
        return None
    order = orjson.loads(raw)
    descriptions = ctx.pipelines.get(str(order.get("DocumentType", "0001"))).descriptions
    doc = shapes.rendering("Order", ohk, order, render.order_details, ctx.settings, descriptions)
    out = {"json": to_json("Order", doc)}
    if "xml" in kinds:
        out["xml"] = to_xml("Order", doc)
    if journal_form is not None:
        packed = journal.packed_output(out["json"], ctx.settings.journal_doc_bytes)
        if packed is not None:
            out["journal"] = packed
    pending(ctx).extend(Fill(ohk, kinds[name], body, raw) for name, body in out.items())
    return out


def list_fragments(
    ctx: Ctx,
    ohks: list[str],
    raw: Callable[[int], bytes],
    tid: str,
    build: Callable[[Doc], Doc],
    fmts: tuple[str, ...],
) -> list[dict[str, bytes]]:
    """Each order of a templated list as fragments in the formats ``fmts`` (``build`` turns the stored order
    into the templated item; ``raw(i)`` gives order ``i``'s stored document), cached under the template's id
    and looked up for the whole page in one statement; an order rendered now comes in every format of
    ``formats(ctx)``."""
    fp = fingerprint(ctx)
    kinds = {fmt: f"list.{tid}.{fmt}.{fp}" for fmt in formats(ctx)}
    wanted = [(fmt, kinds[fmt]) for fmt in fmts]
    cached = ctx.tx.renders_of(ctx.ns, list(dict.fromkeys(ohks)), [kind for _, kind in wanted])
    found: list[dict[str, bytes]] = []
    for index, ohk in enumerate(ohks):
        bodies: dict[str, bytes] = {}
        for fmt, kind in wanted:
            body = cached.get((ohk, kind))
            if body is None:
                break
            bodies[fmt] = body
        else:  # every format cached
            found.append(bodies)
            continue
        source = raw(index)
        item = build(orjson.loads(source))
        out = {"json": orjson.dumps(to_jsonable("Order", item))}
        if "xml" in kinds:
            out["xml"] = xml_fragment("Order", item).encode()
        pending(ctx).extend(Fill(ohk, kinds[fmt], body, source) for fmt, body in out.items())
        found.append(out)
    return found
