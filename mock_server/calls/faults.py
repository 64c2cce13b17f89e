"""Fault rules per namespace: which calls they match, when they fire, and what a firing does.

A rule fires before the API runs (state unchanged) unless ``"after": true`` lets the call commit first.
Errors and HTTP failures are raised here; connection-level actions (reset, close mid-response, slow body)
are handed to the WSGI middleware in ``app.py`` through a request-scoped context variable, because only
the server's socket can perform them.
"""

from __future__ import annotations

import errno
import random
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.store.core import Store
from sterling_mock.mock_server.store.journal import side_write
from sterling_mock.mock_server.store.tx import Tx

ACTIONS = ("error", "http", "latency", "reset", "close", "slow_body")
HTTP_STATUSES = (500, 502, 503, 504)
MAX_LATENCY_MS = 120_000

#: The connection-level action for the request being served, read by ``app.ConnectionFaults``.
CONNECTION_FAULT: ContextVar[dict[str, Any] | None] = ContextVar(
    "sterling_mock_connection_fault", default=None
)


class RuleError(ValueError):
    """A fault rule that cannot be stored; ``field`` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class FaultHttp(Exception):
    """An HTTP failure with a realistic body (what a proxy or the servlet container answers)."""

    def __init__(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        super().__init__(f"injected HTTP {status}")
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers


class FaultAbort(Exception):
    """The call was refused for a connection-level fault (reset or close) before it ran."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"injected connection {kind}")
        self.kind = kind


@dataclass
class Fired:
    id: str
    action: dict[str, Any]
    after: bool


# ------------------------------------------------------------------------------------------ validation


def _expect(cond: bool, name: str, message: str) -> None:
    if not cond:
        raise RuleError(name, message)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_action(action: Any) -> dict[str, Any]:
    _expect(isinstance(action, dict), "action", "action must be an object with a 'type'")
    kind = action.get("type")
    _expect(kind in ACTIONS, "action.type", f"action.type must be one of {', '.join(ACTIONS)}")
    out: dict[str, Any] = {"type": kind}
    if kind == "error":
        code = action.get("code")
        _expect(isinstance(code, str) and bool(code), "action.code", "an error action needs a 'code' string")
        status = action.get("http_status", 400)
        _expect(
            _integer(status) and 400 <= status <= 599, "action.http_status", "http_status must be 400-599"
        )
        more = action.get("more_info", {})
        _expect(isinstance(more, (dict, str)), "action.more_info", "more_info must be an object or a string")
        out.update(
            code=code, description=str(action.get("description") or code), http_status=status, more_info=more
        )
    elif kind == "http":
        status = action.get("status")
        _expect(status in HTTP_STATUSES, "action.status", "status must be 500, 502, 503 or 504")
        out["status"] = status
        if "retry_after" in action:
            _expect(
                _integer(action["retry_after"]) and action["retry_after"] >= 0,
                "action.retry_after",
                "retry_after must be a whole number of seconds",
            )
            out["retry_after"] = action["retry_after"]
    elif kind == "latency":
        ms = action.get("ms")
        _expect(_integer(ms) and 0 <= ms <= MAX_LATENCY_MS, "action.ms", f"ms must be 0-{MAX_LATENCY_MS}")
        out["ms"] = ms
    elif kind == "slow_body":
        rate = action.get("bytes_per_s")
        _expect(_integer(rate) and rate >= 1, "action.bytes_per_s", "bytes_per_s must be a positive integer")
        out["bytes_per_s"] = rate
    return out


def validate_rule(data: dict[str, Any], default_seed: int) -> dict[str, Any]:
    """A stored rule from a request body, or RuleError naming the bad field."""
    api = data.get("api")
    _expect(isinstance(api, str) and bool(api), "api", "api must be an API name, or '*' for every API")
    rule: dict[str, Any] = {"api": api}
    for name in ("user", "transport"):
        if data.get(name) is not None:
            _expect(isinstance(data[name], str), name, f"{name} must be a string")
            rule[name] = data[name]
    match = data.get("match", {})
    _expect(
        isinstance(match, dict) and all(isinstance(v, (str, int, float)) for v in match.values()),
        "match",
        "match must map attribute names to values",
    )
    rule["match"] = {str(k): str(v) for k, v in match.items()}
    times = data.get("times")
    _expect(times is None or (_integer(times) and times >= 1), "times", "times must be a positive integer")
    probability = data.get("probability")
    _expect(
        probability is None
        or (
            isinstance(probability, (int, float))
            and not isinstance(probability, bool)
            and 0 < probability <= 1
        ),
        "probability",
        "probability must be in (0, 1]",
    )
    seed = data.get("seed", default_seed)
    _expect(_integer(seed), "seed", "seed must be an integer")
    after = data.get("after", False)
    _expect(isinstance(after, bool), "after", "after must be true or false")
    rule.update(
        times=times,
        probability=probability,
        seed=seed,
        after=after,
        action=validate_action(data.get("action")),
    )
    return rule


# ------------------------------------------------------------------------------------------ storage


def add(tx: Tx, ns: str, rule: dict[str, Any]) -> dict[str, Any]:
    pos = tx.next_value(ns, "fault")
    fault_id = f"f{pos}"
    tx.conn.execute(
        "INSERT INTO faults(ns, id, pos, rule, remaining) VALUES(?, ?, ?, ?, ?)",
        (ns, fault_id, pos, orjson.dumps(rule), rule.get("times")),
    )
    return {"id": fault_id, **rule, "remaining": rule.get("times"), "fired": 0}


def listing(tx: Tx, ns: str) -> list[dict[str, Any]]:
    rows = tx.conn.execute(
        "SELECT id, rule, remaining, matched, fired FROM faults WHERE ns=? ORDER BY pos", (ns,)
    ).fetchall()
    return [
        {"id": r[0], **orjson.loads(r[1]), "remaining": r[2], "matched": r[3], "fired": r[4]} for r in rows
    ]


def delete(tx: Tx, ns: str, fault_id: str) -> bool:
    return int(tx.conn.execute("DELETE FROM faults WHERE ns=? AND id=?", (ns, fault_id)).rowcount) > 0


def clear(tx: Tx, ns: str) -> None:
    tx.conn.execute("DELETE FROM faults WHERE ns=?", (ns,))


def has_rules(tx: Tx, ns: str) -> bool:
    return tx.has_faults(ns)


# ------------------------------------------------------------------------------------------ matching


def _values_at(doc: Any, path: list[str]) -> list[str]:
    if not path:
        return [doc] if isinstance(doc, str) else []
    if isinstance(doc, list):
        return [v for item in doc for v in _values_at(item, path)]
    if isinstance(doc, dict):
        return _values_at(doc.get(path[0]), path[1:])
    return []


def matches(rule: dict[str, Any], api: str, user: str, transport: str, doc: Doc) -> bool:
    """Does a rule apply?  ``match`` keys are root attributes or ``Child/Attr`` paths (any repeat matches)."""
    if rule["api"] not in ("*", api):
        return False
    if rule.get("user") not in (None, user) or rule.get("transport") not in (None, transport):
        return False
    return all(value in _values_at(doc, key.split("/")) for key, value in rule.get("match", {}).items())


def take(store: Store, ns: str, api: str, user: str, transport: str, doc: Doc) -> Fired | None:
    """The first rule (in creation order) that matches and fires; counts are spent atomically."""
    with store.read() as tx:
        if not has_rules(tx, ns):
            return None
        candidates = [r for r in listing(tx, ns) if matches(r, api, user, transport, doc)]
    if not candidates:
        return None
    with side_write(store) as tx:
        for rule in candidates:
            row = tx.conn.execute(
                "UPDATE faults SET matched = matched + 1 WHERE ns=? AND id=? RETURNING remaining, matched",
                (ns, rule["id"]),
            ).fetchone()
            if row is None:  # deleted meanwhile
                continue
            remaining, matched = row
            probability = rule.get("probability")
            if probability is not None and random.Random(f"{rule['seed']}:{matched}").random() >= probability:
                continue
            if remaining is not None and remaining <= 1:
                tx.conn.execute("DELETE FROM faults WHERE ns=? AND id=?", (ns, rule["id"]))
            else:
                tx.conn.execute(
                    "UPDATE faults SET fired = fired + 1, remaining = CASE WHEN remaining IS NULL THEN NULL "
                    "ELSE remaining - 1 END WHERE ns=? AND id=?",
                    (ns, rule["id"]),
                )
            return Fired(rule["id"], rule["action"], bool(rule.get("after")))
    return None


# ------------------------------------------------------------------------------------------ firing


def fire(fired: Fired) -> None:
    """Perform a fired rule's action at its moment (before the API runs, or after it committed)."""
    action = fired.action
    kind = action["type"]
    if kind == "latency":
        time.sleep(action["ms"] / 1000)
    elif kind == "error":
        more = action.get("more_info")
        raise SterlingError(
            more if isinstance(more, str) else str(more.get("ErrorRelatedMoreInfo", "")) if more else "",
            code=action["code"],
            description=action["description"],
            http_status=action["http_status"],
            attributes={k: str(v) for k, v in more.items() if k != "ErrorRelatedMoreInfo"}
            if isinstance(more, dict)
            else None,
        )
    elif kind == "http":
        raise http_failure(action["status"], action.get("retry_after"))
    else:
        CONNECTION_FAULT.set({**action, "id": fired.id})
        if kind in ("reset", "close") and not fired.after:
            raise FaultAbort(kind)


_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def http_failure(status: int, retry_after: int | None = None) -> FaultHttp:
    """What production answers when the JVM or the proxy in front of it fails: never a Sterling document.

    500 is WebSphere Liberty's plain error page; 502/503/504 are the HTML pages of the HTTP proxy in front
    of the application server (IBM HTTP Server / Apache style).
    """
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if status == 500:
        body = (
            b"Error 500: java.lang.NullPointerException: Cannot invoke "
            b'"com.yantra.yfc.dom.YFCElement.getAttribute(String)" because "inElem" is null'
        )
        return FaultHttp(500, body, "text/html;charset=ISO-8859-1", headers)
    reason = _REASONS[status]
    detail = {
        502: "The proxy server received an invalid response from an upstream server.",
        503: "The server is temporarily unable to service your request due to maintenance downtime or "
        "capacity problems. Please try again later.",
        504: "The gateway did not receive a timely response from the upstream server or application.",
    }[status]
    html = (
        '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
        f"<title>{status} {reason}</title>\n</head><body>\n<h1>{reason}</h1>\n<p>{detail}</p>\n"
        "<hr>\n<address>IBM_HTTP_Server at oms.example.com Port 443</address>\n</body></html>\n"
    )
    return FaultHttp(status, html.encode(), "text/html; charset=iso-8859-1", headers)


# ------------------------------------------------------------------------------------------ connection level


class ConnectionFaults:
    """WSGI middleware performing connection-level faults on the server's own socket.

    ``reset``: RST with no answer (SO_LINGER 0, then close); ``close``: the status line, headers (with the
    full Content-Length) and half the body, then FIN; ``slow_body``: the body dribbled at ``bytes_per_s``.
    Under gunicorn the socket is ``environ["gunicorn.socket"]``; without one (Flask's test client) reset and
    close raise ConnectionResetError / ConnectionAbortedError into the caller instead.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        token = CONNECTION_FAULT.set(None)
        try:
            result = self.app(environ, start_response)
            fault = CONNECTION_FAULT.get()
        finally:
            CONNECTION_FAULT.reset(token)
        if fault is None:
            return result
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        sock = environ.get("gunicorn.socket")
        if fault["type"] == "reset":
            return _reset(sock)
        if fault["type"] == "close":
            return _cut(sock, body)
        return _dribble(body, int(fault["bytes_per_s"]))


def _reset(sock: Any) -> Iterator[bytes]:
    import socket
    import struct

    if sock is None:
        raise ConnectionResetError(errno.ECONNRESET, "injected connection reset")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    # gunicorn's sync worker treats ECONNRESET as the peer's doing: logged at debug level, socket dropped
    raise ConnectionResetError(errno.ECONNRESET, "injected connection reset")


def _cut(sock: Any, body: bytes) -> Iterator[bytes]:
    yield body[: len(body) // 2]
    if sock is None:
        raise ConnectionAbortedError(errno.ECONNABORTED, "injected close mid-response")
    import socket

    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    raise BrokenPipeError(errno.EPIPE, "injected close mid-response")


def _dribble(body: bytes, bytes_per_s: int) -> Iterator[bytes]:
    tick = 0.1
    chunk = max(1, int(bytes_per_s * tick))
    for start in range(0, len(body), chunk):
        if start:
            time.sleep(tick * min(chunk, len(body) - start) / chunk)
        yield body[start : start + chunk]
