"""The REST fast path (``rest.FastInvoke``): ``POST /smcfs/restapi/invoke/<api>`` answered without Flask's
per-request machinery must answer byte for byte as the Flask route does, journal alike, and leave every
request it cannot answer exactly (refusals before the call, other routes, query strings, other body types)
to Flask untouched."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors import rest
from sterling_mock.mock_server.doors.app import create_app

BASIC = "Basic " + base64.b64encode(b"admin:password").decode()
WRONG = "Basic " + base64.b64encode(b"admin:nope").decode()
CREATE = {
    "EnterpriseCode": "Matrix-R",
    "OrderNo": "FAST-1",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "2", "Item": {"ItemID": "SKU-1"}, "LinePriceInfo": {"UnitPrice": "5.00"}}
        ]
    },
}
_IDS = re.compile(rb'(ErrorUniqueExceptionId"?[=:]\s*")[0-9a-f]+')


def _fast(app: Flask) -> rest.FastInvoke:
    layer: Any = app.wsgi_app
    while not isinstance(layer, rest.FastInvoke):
        layer = layer.app
    return layer


def _frozen_app(ns: str) -> Flask:
    """An app whose namespace ``ns`` has its clock frozen (each app its own namespace: on the PostgreSQL pass
    every ``:memory:`` store is one shared database)."""
    app = create_app(Settings(db=":memory:", demo_orders=0))
    app.config["TEST_NAMESPACE"] = ns
    client = app.test_client()
    for body in ({"freeze": True}, {"set": "2026-03-01T10:00:00Z"}):
        assert client.post("/_fake/clock", json={**body, "namespace": ns}).status_code == 200
    template = b'<Order OrderNo=""><OrderLines><OrderLine PrimeLineNo=""/></OrderLines></Order>'
    assert client.put("/_fake/templates/lines", data=template).status_code in (200, 201)
    return app


def _environ(
    api: str,
    body: bytes,
    *,
    content_type: str = "application/json",
    accept: str = "application/json",
    auth: str = BASIC,
    query: str = "",
    ns: str = "",
) -> dict[str, Any]:
    return EnvironBuilder(
        path=f"/smcfs/restapi/invoke/{api}",
        method="POST",
        data=body,
        content_type=content_type,
        headers={"Authorization": auth, "Accept": accept, "X-Sterling-Mock-Namespace": ns},
        query_string=query,
    ).get_environ()


def _answer(wsgi: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> tuple[str, list[Any], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen.update(status=status, headers=headers)

    body = b"".join(wsgi(environ, start_response))
    headers = sorted((k, v) for k, v in seen["headers"] if k.lower() != "date")
    return seen["status"], headers, _IDS.sub(rb"\1<id>", body)


def _journal(app: Flask) -> list[tuple[Any, ...]]:
    ns = app.config["TEST_NAMESPACE"]
    answer = app.test_client().get("/_fake/journal?limit=100", headers={"X-Sterling-Mock-Namespace": ns})
    entries = answer.json["entries"]  # type: ignore[index]
    return [(e["transport"], e["api"], e["user"], e["http_status"], e["error_code"]) for e in entries]


CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    # (api, body, environ options, taken by the fast path)
    ("createOrder", json.dumps(CREATE), {}, True),
    ("createOrder", json.dumps(CREATE), {}, True),  # YFC0001: the call's own error, after invoke
    ("getOrderDetails", '{"OrderNo":"FAST-1","EnterpriseCode":"Matrix-R"}', {}, True),
    (
        "getOrderDetails",
        '{"OrderNo":"FAST-1","EnterpriseCode":"Matrix-R"}',
        {"accept": "application/xml"},
        True,
    ),
    (
        "getOrderDetails",
        '<Order OrderNo="FAST-1" EnterpriseCode="Matrix-R"/>',
        {"content_type": "text/xml"},
        True,
    ),
    (
        "getOrderDetails",
        '{"OrderNo":"NONE","EnterpriseCode":"Matrix-R"}',
        {"accept": "application/xml"},
        True,
    ),
    ("getOrderList", '{"MaximumRecords":"5"}', {}, True),
    ("getOrderDetails", '{"OrderNo":"FAST-1"', {}, False),  # malformed: refused at the door
    ("getOrderDetails", '<!DOCTYPE x [<!ENTITY e "e">]><Order/>', {"content_type": "application/xml"}, False),
    ("getOrderDetails", '{"OrderNo":"FAST-1","EnterpriseCode":"Matrix-R"}', {"auth": WRONG}, False),
    ("getOrderDetails", '{"OrderNo":"FAST-1","EnterpriseCode":"Matrix-R"}', {"auth": ""}, False),
    ("noSuchApi", "{}", {}, False),
    (
        "getOrderList",
        '{"MaximumRecords":"5"}',
        {"query": "_templateId=nope"},
        True,
    ),  # YFS10003-like, in the call
    ("getOrderList", '{"MaximumRecords":"5"}', {"query": "_templateId=lines"}, True),
    ("getOrderList", '{"MaximumRecords":"5"}', {"query": "_templateId=lines%00"}, False),
    ("getOrderList", '{"MaximumRecords":"5"}', {"content_type": "text/plain"}, False),
]


def test_the_fast_path_answers_and_journals_as_the_flask_route_does() -> None:
    run = uuid.uuid4().hex[:8]
    fast_app, flask_app = _frozen_app(f"fast-{run}"), _frozen_app(f"flask-{run}")
    fast, flask_route = _fast(fast_app), _fast(flask_app).fallback
    handed_over: list[str] = []
    fallback = fast.fallback

    def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        handed_over.append(environ["PATH_INFO"])
        return fallback(environ, start_response)

    fast.fallback = counting
    for api, body, options, taken in CASES:
        before = len(handed_over)
        got = _answer(fast_app.wsgi_app, _environ(api, body.encode(), ns=f"fast-{run}", **options))
        want = _answer(flask_route, _environ(api, body.encode(), ns=f"flask-{run}", **options))
        assert got == want, (api, body, options)
        assert (len(handed_over) == before) is taken, (api, body, options)
    journaled = _journal(fast_app)
    assert journaled == _journal(flask_app)
    # every call journaled once, the door's refusals too (a refusal handed over is not journaled twice)
    assert [(api, status, code) for _, api, _, status, code in journaled] == [
        ("createOrder", 200, ""),
        ("createOrder", 400, "YFC0001"),
        ("getOrderDetails", 200, ""),
        ("getOrderDetails", 200, ""),
        ("getOrderDetails", 200, ""),
        ("getOrderDetails", 400, "YFS10003"),
        ("getOrderList", 200, ""),
        ("getOrderDetails", 400, "MOCK0001"),
        ("getOrderDetails", 400, "MOCK0002"),
        ("getOrderDetails", 400, "YCP0427"),
        ("getOrderDetails", 400, "YCP0427"),
        ("noSuchApi", 400, "MOCK0006"),
        ("getOrderList", 400, "MOCK0101"),
        ("getOrderList", 200, ""),
        ("getOrderList", 400, "MOCK0001"),
        ("getOrderList", 200, ""),
    ]


def test_a_body_that_stops_arriving_is_answered_by_flask_with_mock0010() -> None:
    app = _frozen_app(f"stall-{uuid.uuid4().hex[:8]}")

    class Stalled:
        def read(self, *args: Any) -> bytes:
            raise TimeoutError("timed out")

    environ = _environ("getOrderList", b'{"MaximumRecords":"5"}')
    environ["wsgi.input"] = Stalled()
    status, _, body = _answer(app.wsgi_app, environ)
    assert status.startswith("408")
    assert b"MOCK0010" in body


def test_a_short_body_is_left_to_flask() -> None:
    app = _frozen_app(f"stall-{uuid.uuid4().hex[:8]}")
    fast = _fast(app)

    def short() -> dict[str, Any]:
        environ = _environ("getOrderList", b'{"MaximumRecords":"5"}')
        environ["CONTENT_LENGTH"] = "100"  # more than the client sends
        return environ

    got = _answer(app.wsgi_app, short())
    assert got == _answer(fast.fallback, short())  # what the Flask route answers, on the same app
    assert got[0].startswith("408") and b"MOCK0010" in got[2]


def test_a_hook_the_fast_path_would_skip_is_refused() -> None:
    app = create_app(Settings(db=":memory:", demo_orders=0))
    rest.check_hooks(app, app.before_request_funcs[None])  # the app as built passes

    @app.after_request
    def stamp(response: Any) -> Any:
        return response

    with pytest.raises(RuntimeError, match="stamp"):
        rest.check_hooks(app, app.before_request_funcs[None])


def test_nothing_the_fast_path_invokes_reaches_for_flask() -> None:
    """``Fake.invoke`` runs without a Flask request context on the fast path: only the doors may import Flask."""
    import ast
    from pathlib import Path

    package = Path(rest.__file__).parent
    doors = {"app.py", "rest.py", "http.py", "interop.py", "resources.py", "inprocess.py", "server.py"}
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in ("control", "console") or str(relative) in doors:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{relative}: {name}" for name in names if name.split(".")[0] in ("flask", "werkzeug")
            ]
    assert offenders == []
