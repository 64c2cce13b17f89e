"""In-process mode: ``with sterling_mock(): ...`` serves every ``requests`` call to Sterling URLs from the fake's
WSGI app in this process — no socket, no server — with the same bytes, errors and throttling as over HTTP.

Interception uses ``responses`` (getsentry's well-kept requests mock) rather than a hand-made transport adapter:
it patches ``HTTPAdapter.send``, the one place every Session goes through, so module-level ``requests.post``
and the Sessions that clients build for themselves are all caught, where an adapter is only seen by the
Sessions it is mounted on.  Anything that is not a Sterling URL passes on to whatever transport was in place
when the block began (the network, or a ``responses`` mock of the user's own around it).
"""

from __future__ import annotations

import io
import re
import sys
import time
from collections.abc import Iterable
from contextlib import ContextDecorator
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import requests
import responses
from flask import Flask
from requests.adapters import HTTPAdapter

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.faults import FaultAbort
from sterling_mock.mock_server.doors.app import create_app

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY_STERLING_URL = re.compile(r"^https?://[^/]+/(?:smcfs|_fake)(?:[/?].*)?$")
DEFAULT_URL = "http://sterling.inprocess"

WsgiHeaders = list[tuple[str, str]]


class sterling_mock(ContextDecorator):
    """Route Sterling calls to a fake in this process: a context manager, a decorator or (through the pytest
    plugin) the ``sterling_inprocess`` fixture.

    ``base_url``: only calls under it are served (default: any URL whose path starts with ``/smcfs/`` or
    ``/_fake/``, on any host).  ``db``: a store path (default ``:memory:``, so every block starts empty).
    ``settings``: any other :class:`~mock_server.settings.Settings` field (``throttle_enabled=True``, ...).
    Inside the block ``.app`` is the Flask app, ``.fake`` its runtime and ``.url`` a root URL it serves.
    """

    def __init__(self, base_url: str | None = None, *, db: str = ":memory:", **settings: Any) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.settings = Settings(db=db, **{"demo_orders": 0, **settings})
        self._mock: responses.RequestsMock | None = None
        self.app: Flask | None = None

    @property
    def url(self) -> str:
        """A root URL this block serves (``base_url`` without ``/smcfs/...``, or a made-up host)."""
        if not self.base_url:
            return DEFAULT_URL
        return self.base_url.split("/smcfs", 1)[0].split("/_fake", 1)[0]

    @property
    def fake(self) -> Any:
        assert self.app is not None, "use inside the with-block"
        return self.app.extensions["sterling_mock"]

    def __enter__(self) -> sterling_mock:
        if self.app is not None:
            raise RuntimeError("this sterling_mock is already active; create another one to nest")
        self.app = create_app(self.settings)
        # whatever sends now (the network, or a mock around this block) gets the calls this block does not serve
        mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=HTTPAdapter.send)
        pattern = (
            re.compile("^" + re.escape(self.base_url) + r"(?:[/?#].*)?$")
            if self.base_url
            else ANY_STERLING_URL
        )
        for method in METHODS:
            # a header list, not a dict, so repeated headers (Set-Cookie) survive; responses takes both
            mock.add_callback(method, pattern, callback=self._call, content_type=None)  # type: ignore[arg-type]
        mock.add_passthru(re.compile(".*"))
        mock.start()
        self._mock = mock
        return self

    def __exit__(self, *exc: object) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None
        if self.app is not None:
            self.app.extensions["sterling_mock"].store.close()
            self.app = None

    def _call(self, request: requests.PreparedRequest) -> tuple[int, WsgiHeaders, bytes]:
        app, mock = self.app, self._mock
        assert app is not None and mock is not None
        # responses keeps every call; the fake's journal is the record, so hold none (long blocks stay small)
        mock.calls.reset()
        for route in mock.registered():
            route.calls.reset()
        started = time.monotonic()
        try:
            status, headers, body = _run_wsgi(app, _environ(request))
        except FaultAbort as exc:  # connection-level faults reach the caller as a dropped connection
            raise requests.ConnectionError(
                f"connection {exc.kind} (fault injected)", request=request
            ) from None
        except (ConnectionResetError, ConnectionAbortedError) as exc:
            raise requests.ConnectionError(str(exc), request=request) from None
        limit = _read_timeout(getattr(request, "req_kwargs", {}).get("timeout"))
        if limit is not None and time.monotonic() - started > limit:
            # over HTTP the client gives up while the server finishes the call: the same outcome, just later
            raise requests.ReadTimeout(f"read timed out ({limit} s; in-process)", request=request)
        return status, headers, body


def _environ(request: requests.PreparedRequest) -> dict[str, Any]:
    """The WSGI environ gunicorn would build for this request (PEP 3333)."""
    url = urlsplit(str(request.url))
    body = _body(request.body)
    default_port = "443" if url.scheme == "https" else "80"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": str(request.method),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(url.path or "/").decode("latin-1"),
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or default_port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": url.netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
    if body or "CONTENT_LENGTH" in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def _body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    return b"".join(part.encode("utf-8") if isinstance(part, str) else bytes(part) for part in body)


def _run_wsgi(app: Flask, environ: dict[str, Any]) -> tuple[int, WsgiHeaders, bytes]:
    started: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: WsgiHeaders, exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return written.append

    result: Iterable[bytes] = app(environ, start_response)
    try:
        body = b"".join([*written, *result])
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    headers = list(started[1])
    # the HTTP server adds Date, and code under test may read it
    headers.append(("Date", formatdate(usegmt=True)))
    return int(str(started[0]).split(" ", 1)[0]), headers, body


def _read_timeout(timeout: Any) -> float | None:
    """requests' ``timeout``: a number, a (connect, read) pair, or urllib3's Timeout."""
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    read = getattr(timeout, "read_timeout", timeout)
    return float(read) if isinstance(read, int | float) else None
