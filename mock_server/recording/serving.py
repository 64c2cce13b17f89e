"""Stubs inside the fake: an API it does not model is answered from the namespace's stubs (or the server's
``--stubs`` recording), through the same dispatcher as every API, so faults, throttling and the journal apply.

Where stubs live: the control plane's (``PUT /_fake/stubs``) in the store, per namespace (kv ``stubs``; how
often each answered in kv ``stubs.uses``; the modelled APIs a stub overrides in kv ``stubs.override``), so
``reset`` clears them; the server's (setting ``stubs``: a session folder or a stub file) are read from disk,
like ``template_dir``, and shared by every namespace (their use counts are per namespace, in the store).

A modelled API keeps the fake's state unless a stub for it says ``"override": true``; such a stub answers
only the inputs it matches, the API runs for the others.  A stub answering an error raises it after the
call's transaction, so its use is counted and a retry gets the next recording.
"""

from __future__ import annotations

import functools
import json
import os
import time
from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.recording.stubs import Miss, choose, load_path
from sterling_mock.mock_server.store.core import Tx

KV_STUBS = "stubs"
KV_USES = "stubs.uses"
KV_OVERRIDE = "stubs.override"
_DELAY = "stub_delay_ms"
_ERROR = "stub_error"


class NoStubMatches(SterlingError):
    code = "MOCK0800"
    description = "No stub or recording answers this call: the closest ones are named in the error."


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: float) -> tuple[dict[str, Any], ...]:
    return tuple(load_path(path))


def server_stubs(settings: Settings) -> tuple[dict[str, Any], ...]:
    """The stubs of the setting ``stubs`` (read again when the file or session changes)."""
    path = settings.stubs
    if not path:
        return ()
    manifest = os.path.join(path, "manifest.json") if os.path.isdir(path) else path
    try:
        stamp = os.stat(manifest).st_mtime
        matching = os.path.join(path, "matching.json")
        if os.path.isdir(path) and os.path.exists(matching):
            stamp += os.stat(matching).st_mtime
    except OSError:
        stamp = 0.0
    return _load(path, stamp)


def stubs_of(tx: Tx, ns: str, settings: Settings) -> list[dict[str, Any]]:
    """A namespace's stubs in the order they are tried: the control plane's, then the server's."""
    stored = tx.kv_get(ns, KV_STUBS) or {}
    return [*stored.get("stubs", []), *server_stubs(settings)]


def has_stubs(tx: Tx, ns: str, settings: Settings, api: str) -> bool:
    return any(stub.get("api") == api for stub in stubs_of(tx, ns, settings))


def overrides(tx: Tx, ns: str, settings: Settings) -> list[str]:
    """Modelled APIs whose stubs answer first in this namespace (read from what the call prefetched)."""
    stored = tx.kv_get(ns, KV_OVERRIDE) or []
    from_server = [s["api"] for s in server_stubs(settings) if s.get("override")] if settings.stubs else []
    return [*stored, *from_server]


def put(tx: Tx, ns: str, stubs: list[dict[str, Any]]) -> None:
    """Replace a namespace's stubs (their use counts start again)."""
    tx.kv_put(ns, KV_STUBS, {"stubs": stubs})
    tx.kv_put(ns, KV_OVERRIDE, sorted({s["api"] for s in stubs if s.get("override")}))
    tx.kv_delete(ns, KV_USES)


def clear(tx: Tx, ns: str) -> None:
    for key in (KV_STUBS, KV_USES, KV_OVERRIDE):
        tx.kv_delete(ns, key)


def listing(tx: Tx, ns: str, settings: Settings) -> list[dict[str, Any]]:
    uses = tx.kv_get(ns, KV_USES) or {}
    return [{**stub, "used": uses.get(stub.get("id"), 0)} for stub in stubs_of(tx, ns, settings)]


def serve(ctx: Ctx, doc: Doc) -> Output:
    """Answer ``ctx.api`` from the stub that matches (counting its use); a modelled API whose override
    stubs do not match runs as usual; otherwise MOCK0800 naming the closest stubs."""
    stubs = stubs_of(ctx.tx, ctx.ns, ctx.settings)
    uses: dict[str, int] = ctx.tx.kv_get(ctx.ns, KV_USES) or {}
    try:
        stub = choose(stubs, uses, ctx.api, doc)
    except Miss as miss:
        from sterling_mock.mock_server.apis import APIS

        modelled = APIS.get(ctx.api)
        if modelled is not None:
            output = modelled.fn(ctx, doc)
            return Output.none() if modelled.void else output
        raise NoStubMatches(
            str(miss), attributes={"ApiName": ctx.api, "Closest": miss.closest_text or "none"}
        ) from None
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
