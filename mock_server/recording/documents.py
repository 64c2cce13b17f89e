"""Sterling documents inside recorded exchanges: the input a request carried (whatever door it came through)
and the answer it got, as a document, a void answer or a Sterling error."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from sterling_mock.client.wire import Doc, WireError, from_json, from_xml
from sterling_mock.mock_server.calls.stubs import guess_root
from sterling_mock.mock_server.recording.format import Exchange


def parse_body(text: str, fmt: str) -> tuple[str | None, Doc] | None:
    """(root or None for JSON, document) of a body, or None when it is not a Sterling document."""
    if not text.strip():
        return None
    try:
        if fmt == "xml" or (not fmt and text.lstrip().startswith("<")):
            return from_xml(text)
        if fmt in ("json", ""):
            return None, from_json(text)
    except WireError:
        return None
    return None


def request_document(exchange: Exchange) -> tuple[str | None, Doc]:
    """The input document of a recorded request, whatever door it came through."""
    req = exchange.get("request", {})
    query = {k: v for k, v in req.get("query", [])}
    body = req.get("body", "")
    transport = exchange.get("transport", "")
    if transport == "interop":
        params = dict(parse_qsl(body)) if body and not body.lstrip().startswith("<") else {}
        params.update(query)
        data = params.get("InteropApiData", body if body.lstrip().startswith("<") else "")
        parsed = parse_body(data, "xml")
        return parsed if parsed is not None else (None, {})
    if transport == "resource" and req.get("method") in ("GET", "DELETE"):
        doc: Doc = {k: v for k, v in query.items() if not k.startswith("_")}
        tail = req.get("path", "").rstrip("/").split("/restapi/", 1)[-1].split("/")
        if len(tail) > 1 and tail[-1] != "detail":
            doc["OrderHeaderKey"] = tail[-1]
        return None, doc
    parsed = parse_body(body, req.get("format", ""))
    return parsed if parsed is not None else (None, {})


def answer_of(exchange: Exchange) -> dict[str, Any]:
    """A recorded response as a stub answer: a document, void, or a Sterling error."""
    resp = exchange.get("response", {})
    status = int(resp.get("status") or 200)
    body = resp.get("body", "")
    if status == 204 or not body.strip():
        return {"status": status, "void": True}
    parsed = parse_body(body, resp.get("format", ""))
    if parsed is None:
        return {
            "status": status,
            "text": body,
            "content_type": resp.get("headers", {}).get("Content-Type", ""),
        }
    root, doc = parsed
    error = error_of(root, doc, status)
    if error is not None:
        return {"status": status, "error": error}
    return {"status": status, "root": root or guess_root(exchange.get("api", "")), "doc": doc}


def error_of(root: str | None, doc: Doc, status: int) -> dict[str, Any] | None:
    """The first error of a REST JSON envelope or an ``<Errors>`` document, else None."""
    first: Any = None
    if root is None and isinstance(doc.get("errors"), list) and doc["errors"]:
        first = doc["errors"][0]
        info = first.get("MoreInfo") if isinstance(first.get("MoreInfo"), dict) else {}
        more = str(info.get("ErrorRelatedMoreInfo", ""))
        attrs = {k: v for k, v in info.items() if isinstance(v, str) and k != "ErrorRelatedMoreInfo"}
    elif root == "Errors":
        errors = doc.get("Error")
        first = errors[0] if isinstance(errors, list) and errors else errors
        if not isinstance(first, dict):
            return None
        more = str(first.get("ErrorRelatedMoreInfo", ""))
        attrs = {}
        for attr in first.get("Attribute", []) if isinstance(first.get("Attribute"), list) else []:
            name = attr.get("Name", "")
            if name and name not in ("ErrorCode", "ErrorDescription", "ApiName"):
                attrs[name] = attr.get("Value", "")
    else:
        return None
    return {
        "code": str(first.get("ErrorCode", "")),
        "description": str(first.get("ErrorDescription", "")),
        "more_info": more,
        "attributes": attrs,
        "status": status if status >= 400 else 400,
    }
