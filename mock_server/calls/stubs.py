"""Stubs in the call pipeline: an API the fake does not model is answered from stubs, recorded or hand-written,
through the same dispatcher as every API (so faults, throttling and the journal apply).

A stub is a plain JSON object::

    {"api": "getCustomerDetails", "match": {"CustomerID": "C-1"}, "answer": "<Customer .../>",
     "status": 200, "delay_ms": 0, "times": 2, "override": false}

``answer`` is the answer document as XML text, or in Sterling's JSON mapping (``{"root": "Customer", "json":
{...}}``); ``error`` (``{"code", "description", "status", "attributes"}``) answers a Sterling error instead,
``status: 204`` (or no answer) a void one.  Answers are converted as every answer is (the caller's ``Accept``,
an output template).  ``match`` names input attributes (root attributes, or paths ``Child/@Attr``) and their
values, or ``#hash``, the hash of the normalised input (empty values and credentials left out: credentials
never take part in matching).  Stubs are tried in order: the first that matches and has answers left
(``times``) answers.  A recording gives one stub per exchange, ``times`` 1 except the last of each match, so
repeated calls replay in recorded order, then the last answer (``recording/stubs.py`` builds them).  A call no
stub matches answers ``MOCK0800`` naming the closest stubs and what differed.

Where stubs live: a namespace's (``PUT /_fake/stubs``) in the store (kv ``stubs``; how often each answered in
kv ``stubs.uses``; the modelled APIs a stub overrides in kv ``stubs.override``), so ``reset`` clears them; the
server's (setting ``stubs``: a stub file, or a recording folder's ``stubs.json``) are read from disk, like
``template_dir``, and shared by every namespace (their use counts are per namespace, in the store).  A
modelled API keeps the fake's state unless a stub for it says ``"override": true``; such a stub answers only
the inputs it matches.  APIs that call other APIs (multiApi, getPage, a service's steps) see the same stubs
through ``StubbedTable``; there a stub's error fails the enclosing call, its delay is not waited, and a
plain-text answer, which no enclosing document can hold, answers ``MOCK0801``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sterling_mock.client.wire import Doc, WireError, from_json, from_xml
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.store.tx import Tx

HASH = "#hash"
STUB_FILE = "stubs.json"
KV_STUBS = "stubs"
KV_USES = "stubs.uses"
KV_OVERRIDE = "stubs.override"
#: Attribute names that hold credentials, and the recorder's placeholders for them: never matched on.
SECRET_NAME = re.compile(r"(pass(word|wd)?|secret|pwd)$", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\{\{(password|token|jwt|loginid|cookie|secret):(\d+)\}\}")
CREDENTIALS = frozenset({"_token", "_loginid", "LoginID", "UserToken", "YFSEnvironment.userId"})
_DELAY = "stub_delay_ms"
_ERROR = "stub_error"
Stub = dict[str, Any]


class StubError(ValueError):
    """A stub that cannot be used; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NoStubMatches(SterlingError):
    code = "MOCK0800"
    description = "No stub or recording answers this call: the closest ones are named in the error."


# ---------------------------------------------------------------------------------------- matching


def normalised(doc: Any) -> Any:
    """A document without empty values and credentials, keys sorted (what the hash is taken of)."""
    if isinstance(doc, dict):
        out = {}
        for key in sorted(doc):
            value = doc[key]
            if key in CREDENTIALS or SECRET_NAME.search(key):
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


def _sent(doc: Doc, name: str) -> str:
    return input_hash(doc) if name == HASH else value_at(doc, name)


def differences(match: dict[str, str], doc: Doc) -> list[str]:
    """The match attributes ``doc`` differs on (empty: it matches)."""
    return [name for name, expected in match.items() if _sent(doc, name) != expected]


def signature(stub: Stub) -> str:
    return str(stub["api"]) + "|" + json.dumps(stub.get("match", {}), sort_keys=True)


class Miss(Exception):
    """No stub matched: the closest stubs and what differed, for the error message."""

    def __init__(self, api: str, closest: list[tuple[Stub, list[str]]], doc: Doc) -> None:
        parts = []
        for stub, differs in closest:
            shown = ", ".join(
                f"{n}: recorded {stub['match'].get(n)!r}, sent {_sent(doc, n)!r}" for n in differs
            )
            parts.append(f"{stub.get('source') or stub.get('id')} ({shown or 'no answers left'})")
        self.closest_text = "; ".join(parts)
        super().__init__(f"No stub of {api} matches this input. Closest: {self.closest_text or 'none'}.")


def choose(stubs: list[Stub], uses: dict[str, int], api: str, doc: Doc) -> Stub:
    """The stub that answers: the first in order that matches and has answers left; ``Miss`` otherwise."""
    scored = []
    for stub in sorted((s for s in stubs if s.get("api") == api), key=lambda s: s.get("order", 0)):
        differs = differences(stub.get("match", {}), doc)
        times = stub.get("times")
        if not differs and (times is None or uses.get(stub["id"], 0) < times):
            return stub
        scored.append((len(differs), stub.get("order", 0), stub, differs))
    scored.sort(key=lambda item: (item[0], item[1]))
    seen: set[str] = set()
    closest: list[tuple[Stub, list[str]]] = []
    for _, _, stub, differs in scored:
        if signature(stub) not in seen and len(closest) < 3:
            seen.add(signature(stub))
            closest.append((stub, differs))
    raise Miss(api, closest, doc)


def stubbed_apis(stubs: list[Stub], modelled: set[str] | frozenset[str]) -> dict[str, list[str]]:
    """For the coverage page: the APIs stubs answer apart from those the fake models (``stubbed``), and the
    modelled APIs a stub is set to override (``overridden``)."""
    apis = {s["api"] for s in stubs}
    overridden = {s["api"] for s in stubs if s.get("override") and s["api"] in modelled}
    return {"stubbed": sorted(apis - set(modelled)), "overridden": sorted(overridden)}


# ---------------------------------------------------------------------------------------- stub files


def guess_root(api: str) -> str:
    """The output root of an API the fake does not model, for a JSON answer rendered as XML [INF]:
    ``getXList`` answers ``XList``, ``getXDetails`` and ``manageX``/``createX``/``changeX`` answer ``X``,
    anything else ``Output``."""
    if api.startswith("get") and api.endswith("List"):
        return api[3:]
    if api.startswith("get") and api.endswith("Details"):
        return api[3:-7]
    for prefix in ("manage", "create", "change"):
        if api.startswith(prefix) and len(api) > len(prefix):
            return api[len(prefix) :]
    return "Output"


def normalise_stub(raw: Any, index: int) -> Stub:
    """A stub (hand-written, or as a recording gives it) checked and in stored form."""
    where = f"stubs[{index}]"
    if not isinstance(raw, dict):
        raise StubError(where, "must be an object")
    api = raw.get("api")
    if not isinstance(api, str) or not api.strip():
        raise StubError(f"{where}.api", "must name the API")
    match = raw.get("match", {})
    if not isinstance(match, dict) or not all(isinstance(v, str) for v in match.values()):
        raise StubError(f"{where}.match", "must map input attributes to string values")
    stub: Stub = {"id": str(raw.get("id") or f"stub-{index + 1}"), "api": api.strip(), "match": match}
    stub["override"] = bool(raw.get("override", False))
    stub["order"] = raw["order"] if isinstance(raw.get("order"), int) else index
    if raw.get("source"):
        stub["source"] = str(raw["source"])
    for name in ("times", "delay_ms", "status"):
        value = raw.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise StubError(f"{where}.{name}", "must be a whole number of at least 0")
        stub[name] = value
    stub["status"] = stub["status"] or 200
    if "error" in raw:
        stub["error"] = _error(raw["error"], f"{where}.error", stub["status"])
    elif isinstance(raw.get("doc"), dict):  # the stored form, as a recording gives it
        stub.update(root=str(raw.get("root") or guess_root(api)), doc=raw["doc"])
    elif "text" in raw:
        stub.update(text=str(raw["text"]))
    else:
        stub.update(_answer(raw.get("answer"), raw.get("root"), api, f"{where}.answer", stub["status"]))
    return stub


def _error(error: Any, where: str, status: int) -> dict[str, Any]:
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        raise StubError(where, 'must be {"code": ..., "description": ...}')
    attributes = error.get("attributes", {})
    return {
        "code": error["code"],
        "description": str(error.get("description", "")),
        "more_info": str(error.get("more_info", "")),
        "attributes": {
            str(k): str(v) for k, v in (attributes if isinstance(attributes, dict) else {}).items()
        },
        "status": int(error.get("status") or (status if status >= 400 else 400)),
    }


def _answer(answer: Any, root: Any, api: str, where: str, status: int) -> Stub:
    if answer is None or status == 204:
        return {"void": True}
    try:
        if isinstance(answer, str):
            xml_root, doc = from_xml(answer)
            return {"root": xml_root, "doc": doc}
        if isinstance(answer, dict):
            body, named = (answer["json"], answer.get("root")) if "json" in answer else (answer, root)
            return {"root": str(named or guess_root(api)), "doc": from_json(json.dumps(body))}
    except WireError as exc:
        raise StubError(where, exc.message) from None
    raise StubError(where, "must be XML text or a JSON object")


def load_file(path: str | Path) -> list[Stub]:
    """The stubs of a stub file (``{"stubs": [...]}`` or a list), or of a recording folder's ``stubs.json``."""
    target = Path(path)
    if target.is_dir():
        target = target / STUB_FILE
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StubError("stubs", f"{target} cannot be read: {exc}") from None
    items = data.get("stubs", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise StubError("stubs", "must be a list")
    return [normalise_stub(item, i) for i, item in enumerate(items)]


# ---------------------------------------------------------------------------------------- in the store


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: float) -> tuple[Stub, ...]:
    return tuple(load_file(path))


def server_stubs(settings: Settings) -> tuple[Stub, ...]:
    """The stubs of the setting ``stubs`` (read again when the file changes)."""
    if not settings.stubs:
        return ()
    path = Path(settings.stubs)
    try:
        stamp = os.stat(path / STUB_FILE if path.is_dir() else path).st_mtime
    except OSError:
        stamp = 0.0
    return _load(settings.stubs, stamp)


def stubs_of(tx: Tx, ns: str, settings: Settings) -> list[Stub]:
    """A namespace's stubs in the order they are tried: the control plane's, then the server's."""
    stored = tx.kv_get(ns, KV_STUBS) or {}
    return [*stored.get("stubs", []), *server_stubs(settings)]


def has_stubs(tx: Tx, ns: str, settings: Settings, api: str) -> bool:
    return any(stub.get("api") == api for stub in stubs_of(tx, ns, settings))


def overrides(tx: Tx, ns: str, settings: Settings) -> list[str]:
    """Modelled APIs whose stubs answer first in this namespace (read from what the call prefetched)."""
    stored = tx.kv_get(ns, KV_OVERRIDE) or []
    if not settings.stubs:
        return list(stored)
    return [*stored, *(s["api"] for s in server_stubs(settings) if s.get("override"))]


def put(tx: Tx, ns: str, stubs: list[Stub]) -> None:
    """Replace a namespace's stubs (their use counts start again)."""
    tx.kv_put(ns, KV_STUBS, {"stubs": stubs})
    tx.kv_put(ns, KV_OVERRIDE, sorted({s["api"] for s in stubs if s.get("override")}))
    tx.kv_delete(ns, KV_USES)


def clear(tx: Tx, ns: str) -> None:
    for key in (KV_STUBS, KV_USES, KV_OVERRIDE):
        tx.kv_delete(ns, key)


def listing(tx: Tx, ns: str, settings: Settings) -> list[Stub]:
    uses = tx.kv_get(ns, KV_USES) or {}
    return [{**stub, "used": uses.get(stub.get("id"), 0)} for stub in stubs_of(tx, ns, settings)]


# ---------------------------------------------------------------------------------------- answering


def serve(ctx: Ctx, doc: Doc) -> Output:
    """Answer ``ctx.api`` from the stub that matches (counting its use); a modelled API whose override
    stubs do not match runs as usual; otherwise MOCK0800 naming the closest stubs."""
    uses: dict[str, int] = ctx.tx.kv_get(ctx.ns, KV_USES) or {}
    try:
        stub = choose(stubs_of(ctx.tx, ctx.ns, ctx.settings), uses, ctx.api, doc)
    except Miss as miss:
        from sterling_mock.mock_server.apis import APIS

        modelled = APIS.get(ctx.api)
        if modelled is not None:
            output = modelled.fn(ctx, doc)
            return Output.none() if modelled.void else output
        attributes = {"ApiName": ctx.api, "Closest": miss.closest_text or "none"}
        raise NoStubMatches(str(miss), attributes=attributes) from None
    uses[stub["id"]] = uses.get(stub["id"], 0) + 1
    ctx.tx.kv_put(ctx.ns, KV_USES, uses)
    meta = {_DELAY: str(stub["delay_ms"])} if stub.get("delay_ms") else {}
    if stub.get("error"):
        return Output("Errors", {}, meta={**meta, _ERROR: json.dumps(stub["error"])})
    if stub.get("void"):
        return Output("Output", {}, void=True, meta=meta)
    if "text" in stub:
        body = str(stub["text"]).encode("utf-8")
        return Output("Output", None, prerendered={"json": body, "xml": body}, meta=meta)
    root, answer = str(stub.get("root") or "Output"), dict(stub.get("doc") or {})
    if ctx.template:
        from sterling_mock.mock_server.domain.queries.templates import apply_template

        answer = apply_template(root, answer, ctx.template)
    return Output(root, answer, meta=meta)


#: The dispatcher's spec for a stubbed call: a write (the use count), journaled after the call.
SPEC = ApiSpec(fn=serve, input_root="", output_root="Output", writes=True)


class TextInsideMultiApi(SterlingError):
    code = "MOCK0801"
    description = "A stub that answers plain text cannot answer inside multiApi."


def serve_inner(ctx: Ctx, doc: Doc) -> Output:
    """A stubbed API called by another API (a multiApi ``API``, a service step): as ``serve``, but a stub's
    error fails the enclosing call at once (so everything it did rolls back, as any inner failure does) and its
    ``delay_ms`` is not waited (the enclosing call holds its transaction meanwhile; a direct call waits)."""
    output = serve(ctx, doc)
    output.meta.pop(_DELAY, None)
    if _ERROR in output.meta:
        after(Output("Output", {}, meta={_ERROR: output.meta.pop(_ERROR)}))  # raises the stub's error
    if output.doc is None and not output.void:
        body = output.prerendered.get(ctx.fmt, b"")
        try:
            parsed = from_xml(body) if ctx.fmt == "xml" else ("Output", from_json(body))
        except WireError:
            raise TextInsideMultiApi(
                f"The stub answering {ctx.api} gives plain text, which no enclosing document can hold.",
                attributes={"ApiName": ctx.api},
            ) from None
        return Output(parsed[0] if ctx.fmt == "xml" else output.root, parsed[1], meta=output.meta)
    return output


@functools.lru_cache(maxsize=256)
def inner_spec(api: str) -> ApiSpec:
    """The spec a stubbed ``api`` runs under when another API calls it: it answers as ``api`` whatever the
    calling context names (getPage hands its own context to the APIs it pages)."""

    def fn(ctx: Ctx, doc: Doc) -> Output:
        return serve_inner(ctx if ctx.api == api else dataclasses.replace(ctx, api=api), doc)

    return ApiSpec(fn=fn, input_root="", output_root="Output", writes=True)


class StubbedTable(Mapping[str, ApiSpec]):
    """The API table as the APIs that run other APIs see it (multiApi's inner calls, a service's steps, getPage):
    in a namespace with stubs, an API the fake does not model answers from them, and so does a modelled API a
    stub overrides there, as a direct call would.  Made per call (the namespace's stubs are read on use)."""

    def __init__(self, table: Mapping[str, ApiSpec], tx: Tx, ns: str, settings: Settings) -> None:
        self.table, self.tx, self.ns, self.settings = table, tx, ns, settings

    def get(self, name: str, default: Any = None) -> Any:
        spec = self.table.get(name)
        if spec is not None:
            return inner_spec(name) if name in overrides(self.tx, self.ns, self.settings) else spec
        return inner_spec(name) if has_stubs(self.tx, self.ns, self.settings, name) else default

    def __getitem__(self, name: str) -> ApiSpec:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found  # type: ignore[no-any-return]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


def after(output: Output) -> None:
    """What a stub asks for once its transaction committed: a delay, an error answer."""
    delay = output.meta.get(_DELAY)
    if delay:
        time.sleep(int(delay) / 1000)
    error = output.meta.get(_ERROR)
    if error:
        data = json.loads(error)
        raise SterlingError(
            data.get("more_info", ""),
            code=data["code"],
            description=data.get("description", ""),
            http_status=int(data.get("status", 400)),
            attributes=dict(data.get("attributes", {})),
        )
