"""Input size limits: over-limit bodies read through before the 413 (``SwallowOversized``), elements per document,
attributes per element."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from sterling_mock.mock_server.base.errors import DocumentTooLarge
from sterling_mock.mock_server.base.settings import Settings

# Work per request is bounded by the body limit only if it grows linearly with the body: an order's lines
# cost ~14 KB of memory each once built and stored (200,000 bare <OrderLine/> in a 5 MB body took 65 s and
# 2.9 GB), and lxml reads an element's attribute values in quadratic time (100,000 attributes on one element
# in a 1 MB body took 82 s).  Sterling's richest elements carry about 100 attributes.
MAX_ELEMENTS = 20_000
MAX_ATTRIBUTES = 1_000


def check_xml_attributes(body: bytes, limit: int = MAX_ATTRIBUTES) -> None:
    """Refuse an element with more than ``limit`` attributes before the codec reads their values."""
    if body.count(b"=") <= limit:
        return  # no element can carry more attributes than the body has '=' signs
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return  # the codec reports it with its own message
    widest = max((len(element.attrib) for element in root.iter() if isinstance(element.tag, str)), default=0)
    if widest > limit:
        raise DocumentTooLarge(f"An element has {widest} attributes; the limit is {limit}.")


def check_elements(doc: Any, limit: int = MAX_ELEMENTS) -> None:
    """Refuse a parsed document with more than ``limit`` elements (objects, in JSON)."""
    count = 0
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            count += 1
            if count > limit:
                raise DocumentTooLarge(f"The document has more than {limit} elements.")
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(node)


#: Bytes read at a time while an over-limit body is discarded, and the most time spent discarding one: under
#: gunicorn's worker timeout (60 s), which would otherwise kill the worker mid-swallow.
SWALLOW_CHUNK = 64 * 1024
SWALLOW_SECONDS = 30.0


class SwallowOversized:
    """WSGI middleware: read and discard the rest of a body over ``max_body_bytes`` (up to ``max_swallow_bytes``
    in all, as Tomcat's ``maxSwallowSize``) before the app answers 413, so that a client which sends its whole
    body before reading (``requests``, Java's HttpClient: no ``Expect: 100-continue``) reads the 413 error
    document instead of meeting a connection closed mid-send.  A bigger body is not read at all: the app
    answers 413 and the server closes the connection at once.

    A chunked body (no Content-Length) is read here, up to the limit: under it, the app sees it as a body with
    a Content-Length (Werkzeug cut a chunked body at the limit without a word, so a 15 MB JSON document
    answered MOCK0001 "could not be parsed"); over it, as an over-limit body.  Every other request passes
    untouched.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_body_bytes
        self.bound = settings.max_swallow_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH")
        if length:
            try:
                size = int(length)
            except ValueError:
                size = 0  # the app refuses it as it always has
            if size > self.limit:
                if size <= self.bound:
                    _discard(environ["wsgi.input"], size)
                environ["wsgi.input"] = io.BytesIO()  # the app answers 413 from the header alone
        elif "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
            self._dechunk(environ)
        return self.app(environ, start_response)

    def _dechunk(self, environ: dict[str, Any]) -> None:
        """Replace a chunked body by its bytes and their length (or, over the limit, by the length alone)."""
        stream = environ["wsgi.input"]
        body = bytearray()
        try:
            while len(body) <= self.limit:
                chunk = stream.read(min(SWALLOW_CHUNK, self.limit + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
            size = len(body)
            if size > self.limit:
                body = bytearray()
                size += _discard(stream, max(0, self.bound - size))
        except Exception as exc:  # the client stopped sending: the app meets the same error (MOCK0010)
            environ["wsgi.input"] = RaisingBody(exc)
            size = 1
        else:
            environ["wsgi.input"] = io.BytesIO(bytes(body))
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)


def _discard(stream: Any, count: int) -> int:
    """Read and drop up to ``count`` bytes of ``stream`` (less when it ends, fails or takes too long)."""
    done = 0
    deadline = time.monotonic() + SWALLOW_SECONDS
    try:
        while done < count and time.monotonic() < deadline:
            chunk = stream.read(min(SWALLOW_CHUNK, count - done))
            if not chunk:
                break
            done += len(chunk)
    except Exception:  # gone, or too slow: the 413 is answered all the same and the connection closed
        pass
    return done


class RaisingBody(io.RawIOBase):
    """A body stream that raises what reading the real one raised (the request is handed on to Flask, whose
    handlers answer that error as they would have)."""

    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise self.exc
