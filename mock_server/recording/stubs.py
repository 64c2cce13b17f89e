"""Stubs: recorded or hand-written answers for APIs, matched on the API name and a few input attributes.

A stub is a plain JSON object::

    {"api": "getCustomerDetails", "match": {"CustomerID": "C-1"}, "answer": "<Customer .../>",
     "status": 200, "delay_ms": 0, "times": 2, "override": false}

``answer`` is the answer document as XML text, or in Sterling's JSON mapping (``{"root": "Customer",
"json": {...}}``, or the JSON object itself with ``root`` beside it); ``error`` (``{"code", "description",
"status", "attributes"}``) answers a Sterling error instead.  It is converted as every answer is: the caller's
``Accept`` picks XML or JSON.  ``times`` limits how often it answers (then the next stub that matches does).

A recording becomes stubs exchange by exchange: ``match`` holds the API's match attributes as recorded
(``matching.json`` in the session edits them per API; by default the root's keys (``*Key``), its natural
keys and ``Action``), or, when the input has none of them, a hash of the normalised input (empty values
and credentials left out).  Repeated calls replay in recorded order: every recording of a match answers once,
the last one from then on.  A call no stub matches answers ``MOCK0800`` naming the closest recordings and
what differed.  Which stubs a namespace holds, and how often each answered, is in the store (kv): ``reset``
clears them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sterling_mock.client.wire import Doc, WireError, from_json, from_xml
from sterling_mock.mock_server.recording.documents import answer_of, guess_root, request_document
from sterling_mock.mock_server.recording.format import MATCHING, Exchange, Session, write_json_atomic
from sterling_mock.mock_server.recording.redact import PLACEHOLDER, SECRET_NAME

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
_CREDENTIALS = frozenset({"_token", "_loginid", "LoginID", "UserToken", "YFSEnvironment.userId"})
HASH = "#hash"


class StubError(ValueError):
    """A stub that cannot be used; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# ---------------------------------------------------------------------------------------- matching


def normalised(doc: Any) -> Any:
    """A document without empty values and credentials, keys sorted (what the hash is taken of)."""
    if isinstance(doc, dict):
        out = {}
        for key in sorted(doc):
            value = doc[key]
            if key in _CREDENTIALS or SECRET_NAME.search(key):
                continue
            if isinstance(value, str) and (not value.strip() or PLACEHOLDER.fullmatch(value)):
                continue
            out[key] = normalised(value)
        return out
    if isinstance(doc, list):
        return [normalised(item) for item in doc]
    return doc


def input_hash(doc: Doc) -> str:
    text = json.dumps(normalised(doc), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_attributes(doc: Doc) -> list[str]:
    """The default match attributes of an input: keys, natural keys and Action on its root, when set."""
    return sorted(
        k
        for k, v in doc.items()
        if isinstance(v, str)
        and v.strip()
        and (k in NATURAL_KEYS or (k.endswith("Key") and k != "PageSetToken"))
        and k not in _CREDENTIALS
    )


def match_of(doc: Doc, attributes: list[str] | None) -> dict[str, str]:
    """What a recorded input is matched on: the API's attributes as recorded, or the input's hash."""
    names = attributes if attributes is not None else default_attributes(doc)
    match = {name: value_at(doc, name) for name in names}
    match = {k: v for k, v in match.items() if v}
    return match or {HASH: input_hash(doc)}


def value_at(doc: Doc, name: str) -> str:
    """A root attribute, or a path ``Child/Grandchild/@Attr`` (a repeated element: its first entry)."""
    node: Any = doc
    parts = name.split("/")
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, list):
            node = node[0] if node else None
    value = node.get(parts[-1].lstrip("@")) if isinstance(node, dict) else None
    return value if isinstance(value, str) else ""


def matches(match: dict[str, str], doc: Doc) -> list[str]:
    """The match attributes ``doc`` differs on (empty: it matches)."""
    differs = []
    for name, expected in match.items():
        got = input_hash(doc) if name == HASH else value_at(doc, name)
        if got != expected:
            differs.append(name)
    return differs


# ---------------------------------------------------------------------------------------- stub sets


def stubs_from_session(session: Session, *, start: int = 0) -> list[dict[str, Any]]:
    """One stub per recorded exchange, in recorded order; repeats of a match answer once each, the last
    one of a match from then on."""
    matching: dict[str, list[str]] = session.side_file(MATCHING, {})
    out: list[dict[str, Any]] = []
    for exchange in session.exchanges():
        api = exchange.get("api", "")
        if exchange.get("transport") in ("login", "jwt") or not api:
            continue
        _, doc = request_document(exchange)
        out.append(
            {
                "id": f"{session.path.name}#{exchange.get('seq')}",
                "api": api,
                "match": match_of(doc, matching.get(api)),
                "times": 1,
                **answer_of(exchange),
                "source": f"{session.path.name}#{exchange.get('seq')}",
            }
        )
    last: dict[str, int] = {}
    for index, stub in enumerate(out):
        last[_signature(stub)] = index
    for index in last.values():
        out[index]["times"] = None
    for index, stub in enumerate(out, start):
        stub.setdefault("order", index)
    return out


def _signature(stub: dict[str, Any]) -> str:
    return str(stub["api"]) + "|" + json.dumps(stub.get("match", {}), sort_keys=True)


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


def normalise_stub(raw: Any, index: int) -> dict[str, Any]:
    """A user-written stub (a stub file, ``PUT /_fake/stubs``) checked and in stored form."""
    where = f"stubs[{index}]"
    if not isinstance(raw, dict):
        raise StubError(where, "must be an object")
    api = raw.get("api")
    if not isinstance(api, str) or not api.strip():
        raise StubError(f"{where}.api", "must name the API")
    match = raw.get("match", {})
    if not isinstance(match, dict) or not all(isinstance(v, str) for v in match.values()):
        raise StubError(f"{where}.match", "must map input attributes to string values")
    stub: dict[str, Any] = {
        "id": str(raw.get("id") or f"stub-{index + 1}"),
        "api": api.strip(),
        "match": match,
        "override": bool(raw.get("override", False)),
        "order": index,
    }
    for name in ("times", "delay_ms", "status"):
        value = raw.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise StubError(f"{where}.{name}", "must be a whole number of at least 0")
        stub[name] = value
    stub["status"] = stub["status"] or 200
    if "error" in raw:
        error = raw["error"]
        if not isinstance(error, dict) or not isinstance(error.get("code"), str):
            raise StubError(f"{where}.error", 'must be {"code": ..., "description": ...}')
        stub["error"] = {
            "code": error["code"],
            "description": str(error.get("description", "")),
            "more_info": str(error.get("more_info", "")),
            "attributes": {str(k): str(v) for k, v in dict(error.get("attributes", {})).items()},
            "status": int(error.get("status", stub["status"] if stub["status"] >= 400 else 400)),
        }
        return stub
    stub.update(_answer(raw.get("answer"), raw.get("root"), api, f"{where}.answer", stub["status"]))
    return stub


def _answer(answer: Any, root: Any, api: str, where: str, status: int) -> dict[str, Any]:
    if answer is None or status == 204:
        return {"void": True}
    if isinstance(answer, str):
        try:
            name, doc = from_xml(answer)
        except WireError as exc:
            raise StubError(where, exc.message) from None
        return {"root": name, "doc": doc}
    if isinstance(answer, dict):
        body = answer.get("json", answer) if "json" in answer else answer
        name = str(answer.get("root") or "") if "json" in answer else str(root or "")
        try:
            doc = from_json(json.dumps(body))
        except WireError as exc:
            raise StubError(where, exc.message) from None
        return {"root": str(name or guess_root(api)), "doc": doc}
    raise StubError(where, "must be XML text or a JSON object")


def load_path(path: str) -> list[dict[str, Any]]:
    """Stubs from a session folder or a stub file (``{"stubs": [...]}`` or a list)."""
    from pathlib import Path

    target = Path(path)
    if target.is_dir():
        return stubs_from_session(Session.open(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    items = data.get("stubs", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise StubError("stubs", "must be a list")
    return [normalise_stub(item, i) for i, item in enumerate(items)]


# ---------------------------------------------------------------------------------------- choosing


class Miss(Exception):
    """No stub matched: the closest stubs and what differed, for the error message."""

    def __init__(self, api: str, closest: list[tuple[dict[str, Any], list[str]]], doc: Doc) -> None:
        self.api = api
        self.closest = closest
        parts = []
        for stub, differs in closest:
            shown = ", ".join(
                f"{name}: recorded {stub['match'].get(name)!r}, sent {_sent(doc, name)!r}" for name in differs
            )
            parts.append(f"{stub.get('source') or stub.get('id')} ({shown or 'exhausted'})")
        self.closest_text = "; ".join(parts)
        super().__init__(f"No stub of {api} matches this input. Closest: {self.closest_text or 'none'}.")


def _sent(doc: Doc, name: str) -> str:
    return input_hash(doc) if name == HASH else value_at(doc, name)


def choose(stubs: list[dict[str, Any]], uses: dict[str, int], api: str, doc: Doc) -> dict[str, Any]:
    """The stub that answers: the first in order that matches and has answers left; ``Miss`` otherwise."""
    candidates = [s for s in stubs if s.get("api") == api]
    scored = []
    for stub in sorted(candidates, key=lambda s: s.get("order", 0)):
        differs = matches(stub.get("match", {}), doc)
        if not differs:
            times = stub.get("times")
            if times is None or uses.get(stub["id"], 0) < times:
                return stub
        scored.append((len(differs), stub.get("order", 0), stub, differs))
    scored.sort(key=lambda item: (item[0], item[1]))
    seen: set[str] = set()
    closest = []
    for _, _, stub, differs in scored:
        signature = _signature(stub)
        if signature in seen:
            continue
        seen.add(signature)
        closest.append((stub, differs))
        if len(closest) == 3:
            break
    raise Miss(api, closest, doc)


class Matcher:
    """Stubs kept in memory (the recorder's ``append`` mode): recorded calls are answered from the session."""

    def __init__(self, stubs: list[dict[str, Any]], exchanges: dict[str, Exchange]) -> None:
        self.stubs = stubs
        self.exchanges = exchanges
        self.uses: dict[str, int] = {}

    @classmethod
    def from_session(cls, session: Session) -> Matcher:
        exchanges = {f"{session.path.name}#{e.get('seq')}": e for e in session.exchanges()}
        return cls(stubs_from_session(session), exchanges)

    def replay_request(self, api: str, path: str, query: Any, body: bytes, headers: Any) -> Any:
        """A werkzeug Response replaying the recorded answer, or None when the call has no recording."""
        from werkzeug.wrappers import Response

        from sterling_mock.mock_server.recording.proxy import body_format, classify

        transport, _ = classify("POST", path, dict(query))
        exchange = {
            "transport": transport,
            "request": {
                "method": "POST",
                "path": path,
                "query": [list(q) for q in query],
                "body": body.decode("utf-8", "replace"),
                "format": body_format(headers.get("Content-Type", ""), body),
            },
        }
        _, doc = request_document(exchange)
        try:
            stub = choose(self.stubs, self.uses, api, doc)
        except Miss:
            return None
        self.uses[stub["id"]] = self.uses.get(stub["id"], 0) + 1
        recorded = self.exchanges.get(stub["id"], {}).get("response", {})
        return Response(
            recorded.get("body", ""),
            status=int(recorded.get("status") or 200),
            headers=dict(recorded.get("headers", {})),
        )


def stubbed_apis(stubs: list[dict[str, Any]], modelled: set[str] | frozenset[str]) -> dict[str, list[str]]:
    """For the coverage page: the APIs a loaded recording answers, apart from those the fake models
    (``{"stubbed": [...], "overridden": [...]}``: overridden are modelled APIs a stub is set to override)."""
    apis = {s["api"] for s in stubs}
    overridden = {s["api"] for s in stubs if s.get("override") and s["api"] in modelled}
    return {"stubbed": sorted(apis - set(modelled)), "overridden": sorted(overridden)}
