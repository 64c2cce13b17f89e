"""Content negotiation and rendering in one place: request bodies in, documents and errors out."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Request, Response, request

try:  # what ``flask.request`` resolves through (Flask 3.0 and 3.1)
    from flask.globals import _cv_request
except ImportError:  # pragma: no cover - a later Flask: through the proxy, as before
    _cv_request = None  # type: ignore[assignment]

from sterling_mock.client.wire import Doc, WireError, from_json, from_xml, to_json, to_xml
from sterling_mock.mock_server.base.errors import (
    DocumentTooDeep,
    ForbiddenXml,
    MalformedDocument,
    SterlingError,
    UnsupportedMediaType,
)
from sterling_mock.mock_server.base.web import NAMESPACE_HEADER as NAMESPACE_HEADER
from sterling_mock.mock_server.domain.context import Output
from sterling_mock.mock_server.doors import limits

JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "application/xml; charset=UTF-8"
TEXT_XML_TYPE = "text/xml; charset=UTF-8"


def current_request() -> Request:
    """The request itself, not Flask's proxy: the hot paths read a dozen of its attributes, and each read
    through ``flask.request`` costs a context-variable look-up."""
    if _cv_request is None:  # pragma: no cover
        return request._get_current_object()
    return _cv_request.get().request


def response_format(request: Request) -> str:
    """JSON unless the caller asks for XML: no Accept, or ``*/*``, answers JSON even to XML [OBS]."""
    accept = request.headers.get("Accept", "")
    if not accept or "xml" not in accept:
        return "json"
    if accept in ("application/xml", "text/xml"):  # one XML type, as clients send it: no parse (~10 µs)
        return "xml"
    best = request.accept_mimetypes.best_match(["application/json", "application/xml", "text/xml"])
    return "xml" if best in ("application/xml", "text/xml") else "json"


def request_format(request: Request, body: bytes) -> str:
    mimetype = request.mimetype
    if mimetype in ("application/json", "text/json") or mimetype.endswith("+json"):
        return "json"
    if mimetype in ("application/xml", "text/xml") or mimetype.endswith("+xml"):
        return "xml"
    if mimetype in ("", "application/octet-stream", "text/plain"):
        stripped = body.lstrip()
        return "xml" if stripped.startswith(b"<") else "json"
    raise UnsupportedMediaType(f"Content-Type {request.content_type!r} is not supported.")


def parse_document(body: bytes, fmt: str, max_depth: int) -> tuple[str | None, Doc]:
    """``(root name or None for JSON, document)``; parse failures become Sterling errors."""
    try:
        if fmt == "xml":
            limits.check_xml_attributes(body)
            root, doc = from_xml(body, max_depth=max_depth)
            limits.check_elements(doc)
            return root, doc
        doc = from_json(body, max_depth=max_depth)
        limits.check_elements(doc)
        if b"\\u0000" in body and _has_nul(doc):
            raise MalformedDocument("The document carries the character U+0000, which XML cannot carry.")
        return None, doc
    except WireError as exc:
        if exc.kind == "doctype":
            raise ForbiddenXml(exc.message) from None
        if exc.kind == "depth":
            raise DocumentTooDeep(exc.message) from None
        raise MalformedDocument(exc.message) from None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def render_output(output: Output, fmt: str, *, status: int = 200) -> Response:
    """A document response; a void API answers 204 with no body and no Content-Type [OBS]."""
    if output.void:
        response = Response(status=204)
        response.headers.remove("Content-Type")
        return response
    body = output.prerendered.get(fmt)
    if body is None:
        doc = output.doc or {}
        body = to_xml(output.root, doc) if fmt == "xml" else to_json(output.root, doc)
    return Response(body, status=status, content_type=XML_TYPE if fmt == "xml" else JSON_TYPE)


def error_id() -> str:
    return uuid.uuid4().hex[:20]


def rest_error(exc: SterlingError, fmt: str) -> Response:
    """REST errors: JSON ``{"errors":[...]}`` with ``httpcode`` a number, or XML ``<Errors><Error/></Errors>``."""
    more_info = {"ErrorRelatedMoreInfo": exc.more_info, **exc.attributes}
    if fmt == "xml":
        error: Doc = {
            "ErrorCode": exc.error_code,
            "ErrorDescription": exc.error_description,
            "ErrorRelatedMoreInfo": exc.more_info,
            "ErrorUniqueExceptionId": error_id(),
            "HttpCode": str(exc.status),
        }
        if exc.attributes:
            error["Attribute"] = [{"Name": k, "Value": v} for k, v in exc.attributes.items()]
        body = to_xml("Errors", {"Error": [error]})
        response = Response(body, status=exc.status, content_type=XML_TYPE)
    else:
        import orjson

        envelope = {
            "errors": [
                {
                    "ErrorCode": exc.error_code,
                    "ErrorDescription": exc.error_description,
                    "ErrorUniqueExceptionId": error_id(),
                    "MoreInfo": more_info,
                    "httpcode": exc.status,
                }
            ]
        }
        response = Response(orjson.dumps(envelope), status=exc.status, content_type=JSON_TYPE)
    for key, value in exc.headers.items():
        response.headers[key] = value
    return response


def classic_errors(exc: SterlingError, *, indent: str | None = "    ") -> bytes:
    """The interop servlet's ``<Errors>`` document (HTTP 200), pretty-printed as captured [OBS]."""
    attributes = [
        {"Name": "ErrorCode", "Value": exc.error_code},
        {"Name": "ErrorDescription", "Value": exc.error_description},
        *({"Name": k, "Value": v} for k, v in exc.attributes.items()),
    ]
    if exc.api_name:
        attributes.append({"Name": "ApiName", "Value": exc.api_name})
    error: Doc = {
        "ErrorCode": exc.error_code,
        "ErrorDescription": exc.error_description,
        "ErrorRelatedMoreInfo": exc.more_info,
        "Attribute": attributes,
        "Stack": {"#text": f"com.yantra.yfc.util.YFCException: {exc.error_description}"},
    }
    return to_xml("Errors", {"Error": [error]}, indent=indent)
