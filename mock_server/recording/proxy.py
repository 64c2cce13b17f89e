"""The recording proxy: a WSGI app that forwards every Sterling call to ``--target`` and keeps the exchange.

Every door a client uses is forwarded as it came (REST ``invoke`` with getPage and multiApi, ``executeFlow``,
resources, the interop servlet, login and ``/jwt``), answered with the real answer, and written to the session
(``format.py``) after ``redact.py`` took the secrets out: the request and answer (allow-listed headers), the
API name, the transport, request and answer formats, the template, the status and the time taken.

Modes: ``record`` starts a new session; ``append`` opens one and forwards only calls that have no recording
yet (the others are answered from the session, as ``serve --stubs`` would); ``passthrough`` forwards and
keeps nothing.  Requests outside Sterling's URLs are forwarded, never kept.  With a ``differ``
(``drift.Drift``) each recorded exchange is also replayed against the fake as it happens (the live ``diff``
mode).  ``close()`` audits every file for secrets and refuses (``clean:
false`` in the manifest, ``RedactionError``) when one is still found.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from werkzeug.wrappers import Request, Response

from sterling_mock.mock_server.calls.stubs import Miss, Stub, choose
from sterling_mock.mock_server.recording.documents import request_document
from sterling_mock.mock_server.recording.format import Exchange, Session, utc_now
from sterling_mock.mock_server.recording.redact import (
    REQUEST_HEADERS,
    RESPONSE_HEADERS,
    Customers,
    Redactor,
    keep_headers,
)
from sterling_mock.mock_server.recording.stubs import (
    stubs_from_session,
    write_default_matching,
    write_stub_file,
)

MODES = ("record", "append", "passthrough")
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "host", "te"}
_HOP |= {"upgrade", "proxy-authorization", "proxy-connection", "trailer", "accept-encoding"}
#: The resource door's common routes, named by the API they run [DOC].
_RESOURCES = {
    ("GET", "order"): "getOrderList",
    ("GET", "order/"): "getOrderDetails",
    ("POST", "order"): "createOrder",
    ("PATCH", "order/"): "changeOrder",
    ("PUT", "order/"): "changeOrder",
}


class RedactionError(RuntimeError):
    """A session still holds a real secret or token pattern: it is not closed as clean."""

    def __init__(self, findings: list[str]) -> None:
        super().__init__("the recording still holds secrets: " + "; ".join(findings[:10]))
        self.findings = findings


def classify(method: str, path: str, params: dict[str, str]) -> tuple[str, str]:
    """(transport, API name) of a request to a Sterling URL."""
    rest = path.split("/restapi/", 1)[1].lstrip("/") if "/restapi/" in path else ""
    if rest.startswith("invoke/"):
        api = rest.split("/", 1)[1].strip("/")
        return ("login" if api == "login" else "rest"), api
    if rest.startswith("executeFlow/"):
        return "flow", rest.split("/", 1)[1].strip("/")
    if rest == "jwt" or rest.startswith("jwt?"):
        return "jwt", "jwt"
    if "/interop/" in path:
        flow = params.get("IsFlow", "N").upper() == "Y"
        name = (params.get("ServiceName") if flow else "") or params.get("InteropApiName", "")
        if not name and params.get("ApiName"):
            name = params["ApiName"][:1].lower() + params["ApiName"][1:]
        return "interop", name or "interop"
    if rest:
        head, _, tail = rest.partition("/")
        resource = _RESOURCES.get((method, head + ("/" if tail else "")))
        return "resource", resource or f"{method} /{head}"
    return "other", path


def body_format(content_type: str, body: bytes) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    if "json" in mime:
        return "json"
    if "xml" in mime:
        return "xml"
    if "form" in mime:
        return "form"
    stripped = body.lstrip()
    if not stripped:
        return ""
    if stripped.startswith(b"<"):
        return "xml"
    if stripped.startswith((b"{", b"[")):
        return "json"
    return "text"


class Recorder:
    """The proxy's state: the session, the secrets, the HTTP session to the target, the mode."""

    def __init__(
        self,
        target: str,
        session: Session | None,
        *,
        mode: str = "record",
        fake_customers: bool = False,
        differ: Any = None,
        timeout: float = 60.0,
        http: requests.Session | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        self.target = target.rstrip("/")
        self.session = session
        self.mode = mode
        self.redactor = Redactor()
        self.customers = Customers() if fake_customers else None
        self.differ = differ
        self.timeout = timeout
        self.http = http or requests.Session()
        self.http.trust_env = False
        self.lock = threading.Lock()
        self.replayer: Any = None
        if mode == "append" and session is not None:
            self.replayer = Matcher.from_session(session)

    # ------------------------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def url_for(self, path: str) -> str:
        base_path = urlsplit(self.target).path.rstrip("/")
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path) :]
        elif base_path and path.startswith("/smcfs/"):
            path = path[len("/smcfs") :]
        return self.target + path

    def handle(self, request: Request) -> Response:
        body = request.get_data(cache=True)
        query = list(request.args.items(multi=True))
        params = dict(query)
        if (
            request.mimetype in ("", "application/x-www-form-urlencoded")
            and body
            and body.lstrip()[:1] != b"<"
        ):
            params = {**dict(parse_qsl(body.decode("utf-8", "replace"))), **params}
        transport, api = classify(request.method, request.path, params)
        if self.replayer is not None:
            with self.lock:
                replay = self.replayer.replay_request(api, request.path, query, body, request.headers)
            if replay is not None:
                replayed: Response = replay
                return replayed
        restore = self.redactor.restore
        headers = {
            k: restore(v)
            for k, v in request.headers.items()
            if k.lower() not in _HOP and k.lower() != "cookie"
        }
        if request.headers.get("Cookie"):
            headers["Cookie"] = restore(request.headers["Cookie"])
        started, clock = utc_now(), time.perf_counter()
        try:
            answer = self.http.request(
                request.method,
                self.url_for(request.path),
                params=[(k, restore(v)) for k, v in query],
                data=restore(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"),
                headers=headers,
                allow_redirects=False,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            return Response(f"sterling-mock record: the target did not answer: {exc}\n", status=502)
        duration = (time.perf_counter() - clock) * 1000
        out_headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in _HOP]
        response = Response(answer.content, status=answer.status_code, headers=out_headers)
        if self.mode != "passthrough" and self.session is not None and transport != "other":
            exchange = self.exchange(request, query, body, transport, api, answer, started, duration)
            with self.lock:
                exchange["seq"] = self.session.append(exchange)
                if self.differ is not None:
                    self.differ.step(exchange)
        return response

    # ------------------------------------------------------------------------------------ the exchange

    def exchange(
        self,
        request: Request,
        query: list[tuple[str, str]],
        body: bytes,
        transport: str,
        api: str,
        answer: requests.Response,
        started: str,
        duration: float,
    ) -> Exchange:
        """What is written: everything a replay and a drift report need, with the secrets replaced."""
        red = self.redactor
        with self.lock:
            authorization = request.headers.get("Authorization", "")
            auth = red.learn_authorization(authorization)
            auth_ref = red.learn(authorization.partition(" ")[2], "jwt") if auth == "bearer" else ""
            red.learn_cookies(request.headers.get("Cookie", ""))
            for cookie in answer.raw.headers.getlist("Set-Cookie") if answer.raw is not None else ():
                red.learn_cookies(cookie.split(";", 1)[0])
            kept_query = []
            for name, value in query:
                if name == "_token":
                    value = red.learn(value, "token")
                    auth = "token" if auth == "none" else auth
                elif name in ("_loginid", "YFSEnvironment.userId"):
                    value = red.learn(value, "loginid")
                elif name == "YFSEnvironment.password":
                    value = red.learn(value, "password")
                    auth = "interop" if auth == "none" else auth
                kept_query.append([name, value])
            text = body.decode("utf-8", "replace")
            answer_text = answer.content.decode("utf-8", "replace")
            login = api == "login"
            red.learn_document_text(text, login=login)
            if request.mimetype == "application/x-www-form-urlencoded" or transport == "interop":
                for name, value in parse_qsl(text):
                    if name == "YFSEnvironment.password":
                        red.learn(value, "password")
                    elif name == "YFSEnvironment.userId":
                        red.learn(value, "loginid")
            if api == "jwt" and answer.status_code == 200:
                answer_text = red.learn(answer_text.strip(), "jwt")
            red.learn_document_text(answer_text, login=login)
            structured = login or transport == "interop"
            text = red.scrub(text, structured=structured)
            answer_text = red.scrub(answer_text, structured=structured)
            kept_query = [[k, red.scrub(v)] for k, v in kept_query]
            if self.customers is not None:
                text, answer_text = self._fake_customers(request, text, answer, answer_text)
        req_format = body_format(request.content_type or "", body)
        return {
            "api": api,
            "transport": transport,
            "started": started,
            "duration_ms": round(duration, 3),
            "auth": auth,
            "auth_ref": auth_ref,
            "request": {
                "method": request.method,
                "path": request.path,
                "query": kept_query,
                "headers": keep_headers(dict(request.headers), REQUEST_HEADERS),
                "body": text,
                "format": req_format,
                "accept": request.headers.get("Accept", ""),
                "template": dict(query).get("_templateId") or dict(query).get("_templateKey") or "",
            },
            "response": {
                "status": answer.status_code,
                "headers": keep_headers(dict(answer.headers), RESPONSE_HEADERS),
                "body": answer_text,
                "format": body_format(answer.headers.get("Content-Type", ""), answer.content),
            },
        }

    def _fake_customers(
        self, request: Request, text: str, answer: requests.Response, answer_text: str
    ) -> tuple[str, str]:
        from sterling_mock.mock_server.recording.documents import parse_body

        assert self.customers is not None
        for raw, fmt in ((text, body_format(request.content_type or "", text.encode())), (answer_text, "")):
            doc = parse_body(raw, fmt or body_format(answer.headers.get("Content-Type", ""), raw.encode()))
            if doc is not None:
                self.customers.collect(doc[1])
        return self.customers.replace(text), self.customers.replace(answer_text)

    # ------------------------------------------------------------------------------------ closing

    def close(self) -> list[str]:
        """Audit every file; mark the session clean, or refuse (``RedactionError``) naming what was found."""
        if self.session is None:
            return []
        write_default_matching(self.session)
        write_stub_file(self.session)
        findings = self.redactor.audit(self.session.files())
        self.session.close(clean=not findings, findings=findings)
        if findings:
            raise RedactionError(findings)
        return findings


class Matcher:
    """Stubs kept in memory (the recorder's ``append`` mode): recorded calls are answered from the session."""

    def __init__(self, stubs: list[Stub], exchanges: dict[str, Exchange]) -> None:
        self.stubs = stubs
        self.exchanges = exchanges
        self.uses: dict[str, int] = {}

    @classmethod
    def from_session(cls, session: Session) -> Matcher:
        exchanges = {f"{session.path.name}#{e.get('seq')}": e for e in session.exchanges()}
        return cls(stubs_from_session(session), exchanges)

    def replay_request(self, api: str, path: str, query: Any, body: bytes, headers: Any) -> Any:
        """A werkzeug Response replaying the recorded answer, or None when the call has no recording."""
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
