"""Stubs from a recording: one per exchange, matched on the API's attributes as recorded (the stub format and
how stubs answer are in ``calls/stubs.py``).

``match`` holds the API's match attributes as recorded: ``matching.json`` in the session edits them per API
(written with the defaults when a session closes: the root's keys (``*Key``), its natural keys and
``Action``); an input with none of them is matched on the hash of its normalised input.  The session's
``stubs.json`` is the stub file ``serve --stubs`` and ``PUT /_fake/stubs {"recording": ...}`` read; it is
written when the session closes and again by ``serve --stubs`` (so an edited ``matching.json`` applies).
"""

from __future__ import annotations

from pathlib import Path

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.calls.stubs import (
    CREDENTIALS,
    HASH,
    STUB_FILE,
    Stub,
    input_hash,
    load_file,
    signature,
    stubbed_apis,
    value_at,
)
from sterling_mock.mock_server.recording.documents import answer_of, request_document
from sterling_mock.mock_server.recording.format import MATCHING, Session, write_json_atomic

NATURAL_KEYS = frozenset(
    {
        "OrderNo",
        "EnterpriseCode",
        "DocumentType",
        "ShipmentNo",
        "ShipNode",
        "ItemID",
        "OrganizationCode",
        "CallingOrganizationCode",
        "UnitOfMeasure",
        "CustomerID",
        "CodeType",
        "CodeValue",
        "ReleaseNo",
        "InvoiceNo",
        "ReceiptNo",
        "SellerOrganizationCode",
        "ExceptionType",
        "ProcessTypeKey",
        "Action",
        "FlowName",
        "Name",
    }
)


def default_attributes(doc: Doc) -> list[str]:
    """The default match attributes of an input: keys, natural keys and Action on its root, when set."""
    return sorted(
        k
        for k, v in doc.items()
        if isinstance(v, str)
        and v.strip()
        and (k in NATURAL_KEYS or (k.endswith("Key") and k != "PageSetToken"))
        and k not in CREDENTIALS
    )


def match_of(doc: Doc, attributes: list[str] | None) -> dict[str, str]:
    """What a recorded input is matched on: the API's attributes as recorded, or the input's hash."""
    names = attributes if attributes is not None else default_attributes(doc)
    match = {name: value_at(doc, name) for name in names}
    match = {k: v for k, v in match.items() if v}
    return match or {HASH: input_hash(doc)}


def stubs_from_session(session: Session) -> list[Stub]:
    """One stub per recorded exchange (login and JWT calls aside), in recorded order; repeats of a match
    answer once each, the last one of a match from then on."""
    matching: dict[str, list[str]] = session.side_file(MATCHING, {})
    out: list[Stub] = []
    for exchange in session.exchanges():
        api = exchange.get("api", "")
        if exchange.get("transport") in ("login", "jwt") or not api:
            continue
        _, doc = request_document(exchange)
        name = f"{session.path.name}#{exchange.get('seq')}"
        out.append(
            {
                "id": name,
                "api": api,
                "match": match_of(doc, matching.get(api)),
                "times": 1,
                **answer_of(exchange),
                "source": name,
                "order": len(out),
            }
        )
    last = {signature(stub): index for index, stub in enumerate(out)}
    for index in last.values():
        out[index]["times"] = None
    return out


def write_default_matching(session: Session) -> None:
    """Write ``matching.json`` with the default attributes of every API recorded, unless it exists
    (it is the user's to edit)."""
    path = session.path / MATCHING
    if path.exists():
        return
    found: dict[str, list[str]] = {}
    for exchange in session.exchanges():
        if exchange.get("transport") in ("login", "jwt"):
            continue
        _, doc = request_document(exchange)
        names = found.setdefault(exchange.get("api", ""), [])
        names.extend(n for n in default_attributes(doc) if n not in names)
    write_json_atomic(path, {api: sorted(names) for api, names in sorted(found.items()) if api})


def write_stub_file(session: Session) -> Path:
    """(Re)write the session's ``stubs.json`` from its exchanges and ``matching.json``."""
    path = session.path / STUB_FILE
    write_json_atomic(path, {"stubs": stubs_from_session(session)})
    return path


def load_path(path: str) -> list[Stub]:
    """Stubs from a session folder (built from its exchanges) or a stub file."""
    target = Path(path)
    if target.is_dir() and (target / "manifest.json").exists():
        return stubs_from_session(Session.open(target))
    return load_file(target)


def coverage_section(path: str, modelled: set[str] | frozenset[str]) -> str:
    """The coverage page's section for a loaded recording or stub file: the APIs it answers that the fake does
    not model (with how many answers and what they match on), apart from the modelled APIs it overrides."""
    stubs = load_path(path)
    listed = stubbed_apis(stubs, modelled)
    name = Path(path).name
    lines = [
        f"## Answered from a recording: {name}",
        "",
        "Not modelled by the fake: served from recorded (or hand-written) answers by `serve --stubs` or "
        "`PUT /_fake/stubs`, matched on the API name and the attributes below; no state behind them.",
        "",
        "| API | answers | matched on |",
        "|---|---|---|",
    ]
    for api in listed["stubbed"]:
        mine = [s for s in stubs if s["api"] == api]
        keys = sorted({k for s in mine for k in s.get("match", {})}) or ["(anything)"]
        shown = ", ".join("hash of the input" if k == HASH else k for k in keys)
        lines.append(f"| {api} | {len(mine)} | {shown} |")
    if not listed["stubbed"]:
        lines.append("| (none) | | |")
    if listed["overridden"]:
        lines += [
            "",
            "Modelled APIs a stub overrides for the inputs it matches: " + ", ".join(listed["overridden"]),
        ]
    return "\n".join(lines) + "\n"
