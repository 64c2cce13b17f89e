"""In-process mode: ``with sterling_mock(): ...`` sends every ``requests`` call to Sterling URLs straight to the
fake's WSGI app — no socket, no process, the same behaviour, errors and throttling as over HTTP.

Interception uses ``responses`` (getsentry's well-kept requests mock): it patches requests' transport at the one
place every Session goes through, so module-level ``requests.post`` and clients' own Sessions are both caught,
and anything else passes through to the network untouched.  A hand-made adapter would only catch Sessions we
mount it on.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import ContextDecorator
from typing import Any
from urllib.parse import urlsplit

import requests
import responses
from flask import Flask

from .app import create_app
from .faults import FaultAbort
from .settings import Settings

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY_STERLING_URL = re.compile(r"^https?://[^/]+/(?:smcfs|_fake)(?:/.*)?(?:\?.*)?$")


class sterling_mock(ContextDecorator):
    """Route Sterling calls to an in-process fake.

    ``base_url``: only calls under it are routed (default: any URL whose path starts with ``/smcfs/`` or
    ``/_fake/``).  ``db``: a store path (default ``:memory:``, so every block starts clean).  ``settings``:
    any other :class:`Settings` fields.  Inside the block, ``.app`` is the Flask app and ``.fake`` its runtime.
    """

    def __init__(self, base_url: str | None = None, *, db: str = ":memory:", **settings: Any) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.settings = Settings(db=db, demo_orders=0, **settings)
        self._mock: responses.RequestsMock | None = None
        self.app: Flask | None = None

    def __enter__(self) -> sterling_mock:
        self.app = create_app(self.settings)
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        pattern = (
            re.compile("^" + re.escape(self.base_url) + r"(?:[/?].*)?$")
            if self.base_url
            else ANY_STERLING_URL
        )
        for method in METHODS:
            mock.add_callback(method, pattern, callback=self._call)
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

    @property
    def fake(self) -> Any:
        assert self.app is not None, "use inside the with-block"
        return self.app.extensions["sterling_mock"]

    def _call(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        assert self.app is not None
        url = urlsplit(str(request.url))
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        with self.app.test_client() as client:
            try:
                response = client.open(
                    url.path,
                    method=str(request.method),
                    query_string=url.query,
                    data=body,
                    headers=headers,
                    base_url=f"{url.scheme}://{url.netloc}",
                )
                payload = response.get_data()
            except FaultAbort as exc:  # connection-level faults look like a dropped connection
                raise requests.ConnectionError(
                    f"connection {exc.kind} (fault injected)", request=request
                ) from None
            except (ConnectionResetError, ConnectionAbortedError) as exc:
                raise requests.ConnectionError(str(exc), request=request) from None
        return response.status_code, dict(response.headers), payload


@contextlib.contextmanager
def in_process(base_url: str | None = None, **kwargs: Any) -> Iterator[sterling_mock]:
    """``with in_process() as mock:`` — the same as ``with sterling_mock() as mock:``."""
    with sterling_mock(base_url, **kwargs) as mock:
        yield mock
