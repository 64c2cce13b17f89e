"""Drift: replay a recorded session against the fake and report, call by call, where the fake answers otherwise.

The session is replayed in order in a fresh namespace of the fake (in process by default, or a running fake
with ``--url``), the namespace's clock set to each exchange's recorded time.  Before each request the binding
table (``compare.Bindings``) rewrites the recorded keys and numbers to the fake's, placeholders of the
recorder become the drift user's credentials or the tokens the fake issued; after it, the fake's answer is
compared with the real one (``compare.Comparer``).

An API the fake does not model (MOCK0006) is listed apart: serve it from the recording's stubs.  A call that
refers to keys no earlier answer produced (an order that existed before the recording) and that
the fake refuses while the real instance answered is a **precondition**, reported apart, not as drift; with
``load_preconditions`` an order a recorded getOrderDetails answer shows is created from it first
(``preload.py``: the recorded answer is the snapshot step) and the call replayed.
Ignore rules are data (``drift-rules.json`` in the session, or ``--rules``): ``{"api": "*", "path":
"/Order/@OrderDate", "kind": "value", "reason": "..."}`` (``*`` in a path matches anything); the report says
which fired and which never did, and proposes rules for values that differ between two real answers to the
same read.  The exit status fails only on differences no rule covers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import uuid
from typing import Any

from sterling_mock.mock_server.calls.stubs import PLACEHOLDER, guess_root, normalised
from sterling_mock.mock_server.recording.compare import Bindings, Comparer, Difference
from sterling_mock.mock_server.recording.documents import error_of, parse_body, request_document
from sterling_mock.mock_server.recording.format import RULES, Exchange, Session
from sterling_mock.mock_server.recording.preload import order_input, status_of
from sterling_mock.mock_server.recording.report import Rule, load_rules, load_rules_data
from sterling_mock.mock_server.recording.targets import NAMESPACE_HEADER, InProcess, Target

READS = ("get", "find", "login", "jwt")
#: The fake's answer for an API it does not model (and that has no stubs): not drift, listed apart.
UNMODELLED = "MOCK0006"
_SENT_HEADERS = ("content-type", "accept")


class Drift:
    """The replay of one session, exchange by exchange (``step``), and its report (``finish``)."""

    def __init__(
        self,
        target: Target,
        *,
        name: str = "",
        rules: list[Rule] | None = None,
        user: str = "admin",
        password: str = "password",
        namespace: str = "",
        load_preconditions: bool = False,
    ) -> None:
        self.target = target
        self.name = name
        self.rules = rules or []
        self.user = user
        self.password = password
        self.ns = namespace or f"drift-{uuid.uuid4().hex[:8]}"
        self.bindings = Bindings()
        self.differences: list[Difference] = []
        self.preconditions: list[dict[str, Any]] = []
        self.preloaded: list[dict[str, Any]] = []
        self.load_preconditions = load_preconditions
        self.unmodelled: dict[str, list[int]] = {}
        self.proposed: list[dict[str, Any]] = []
        self.reads: dict[str, tuple[int, Exchange]] = {}
        self.steps: list[dict[str, Any]] = []
        self.started = False

    # ------------------------------------------------------------------------------------ replay

    def begin(self, at: str | None) -> None:
        self.target.control("/_fake/reset", self.ns, {"namespace": self.ns})
        if at:
            self.target.control("/_fake/clock", self.ns, {"set": at})
            self.target.control("/_fake/clock", self.ns, {"freeze": True})
        self.started = True

    def run(self, session: Session) -> dict[str, Any]:
        exchanges = session.exchanges()
        self.name = self.name or session.path.name
        self.begin(exchanges[0].get("started") if exchanges else None)
        for exchange in exchanges:
            self.step(exchange)
        return self.finish()

    def _secrets(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            kind = match.group(1)
            if kind == "password":
                return self.password
            if kind == "loginid":
                return self.user
            return self.bindings.forward.get(match.group(0), match.group(0))

        return PLACEHOLDER.sub(value, text) if "{{" in text else text

    def _request(self, exchange: Exchange) -> tuple[str, str, list[tuple[str, str]], dict[str, str], bytes]:
        req = exchange.get("request", {})
        fix = self.bindings.rewrite
        path = fix(req.get("path", "/"))
        query = [(k, fix(self._secrets(v))) for k, v in req.get("query", [])]
        headers = {k: v for k, v in req.get("headers", {}).items() if k.lower() in _SENT_HEADERS}
        headers[NAMESPACE_HEADER] = self.ns
        auth = exchange.get("auth", "none")
        bearer = self.bindings.forward.get(str(exchange.get("auth_ref", "")))
        if auth == "bearer" and bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        elif auth in ("basic", "bearer", "other"):
            headers["Authorization"] = self._basic()
        body = fix(self._secrets(req.get("body", ""))).encode("utf-8")
        return req.get("method", "POST"), path, query, headers, body

    def step(self, exchange: Exchange) -> list[Difference]:
        if not self.started:
            self.begin(exchange.get("started"))
        seq, api = int(exchange.get("seq", 0)), str(exchange.get("api", ""))
        if exchange.get("started"):
            self.target.control("/_fake/clock", self.ns, {"set": exchange["started"]})
        unbound = self._unbound(exchange)
        status, headers, body = self.target.send(*self._request(exchange))
        comparer = Comparer(self.bindings, seq, api)
        aside = self._compare(comparer, exchange, status, headers, body, unbound)
        if aside and "refers_to" in aside and self.load_preconditions and self._preload(exchange):
            self.preloaded.append({"seq": seq, "api": api, "refers_to": aside["refers_to"]})
            status, headers, body = self.target.send(*self._request(exchange))
            comparer = Comparer(self.bindings, seq, api)
            aside = self._compare(comparer, exchange, status, headers, body, [])
        if aside and aside.pop("unmodelled", False):
            self.unmodelled.setdefault(api, []).append(seq)
        elif aside:
            self.preconditions.append(aside)
        if aside is not None:
            comparer.found = []
        self._cover(comparer.found)
        self.differences += comparer.found
        self._remember_read(exchange)
        self.steps.append({"seq": seq, "api": api, "differences": len(comparer.found)})
        return comparer.found

    def _preload(self, exchange: Exchange) -> bool:
        """Create the order a recorded getOrderDetails answer shows (``preload.py``); whether it worked."""
        resp = exchange.get("response", {})
        parsed = parse_body(self._secrets_in_answer(resp.get("body", "")), resp.get("format", ""))
        if exchange.get("api") != "getOrderDetails" or parsed is None or parsed[0] not in (None, "Order"):
            return False
        order = parsed[1]
        real_key = order.get("OrderHeaderKey")
        if not isinstance(real_key, str):
            return False
        headers = {
            "Content-Type": "application/json",
            NAMESPACE_HEADER: self.ns,
            "Authorization": self._basic(),
        }
        body = json.dumps(order_input(order)).encode()
        status, _, answer = self.target.send("POST", "/smcfs/restapi/invoke/createOrder", [], headers, body)
        if status != 200:
            return False
        fake_key = str(json.loads(answer).get("OrderHeaderKey", ""))
        self.bindings.bind(real_key, fake_key)
        if status_of(order):
            with contextlib.suppress(Exception):  # a status the pipeline cannot reach: compared as it stands
                self.target.control(f"/_fake/orders/{fake_key}/advance", self.ns, {"to": status_of(order)})
        return True

    def _basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()

    def _unbound(self, exchange: Exchange) -> list[str]:
        from sterling_mock.mock_server.recording.compare import is_reference

        _, doc = request_document(exchange)
        return sorted(
            f"{k}={v}"
            for k, v in doc.items()
            if isinstance(v, str)
            and v
            and is_reference(k)
            and v not in self.bindings.forward
            and not PLACEHOLDER.fullmatch(v)
        )

    # ------------------------------------------------------------------------------------ comparing

    def _compare(
        self,
        comparer: Comparer,
        exchange: Exchange,
        status: int,
        headers: dict[str, str],
        body: bytes,
        unbound: list[str],
    ) -> dict[str, Any] | None:
        resp = exchange.get("response", {})
        real_status = int(resp.get("status") or 0)
        real_text = self._secrets_in_answer(resp.get("body", ""))
        fake_text = body.decode("utf-8", "replace")
        if "jwt" in (exchange.get("api"), exchange.get("transport")) and real_status == status == 200:
            comparer.bindings.bind(real_text.strip(), fake_text.strip())  # a JWT as plain text
            return None
        real_fmt = _fmt(resp.get("format", ""), real_text)
        fake_fmt = _fmt(_content_fmt(headers.get("Content-Type", "")), fake_text)
        real = parse_body(real_text, real_fmt) if real_text.strip() else None
        fake = parse_body(fake_text, fake_fmt) if fake_text.strip() else None
        real_error = error_of(real[0], real[1], real_status) if real else None
        fake_error = error_of(fake[0], fake[1], status) if fake else None
        if real_status != status or bool(real_error) != bool(fake_error):
            if fake_error and fake_error["code"] == UNMODELLED and not real_error:
                return {"seq": comparer.seq, "api": comparer.api, "unmodelled": True}
            if unbound and fake_error and not real_error:
                return {
                    "seq": comparer.seq,
                    "api": comparer.api,
                    "refers_to": unbound,
                    "fake": fake_error["code"],
                }
            comparer.diff("/", "status", _status(real_status, real_error), _status(status, fake_error))
            return None
        if real_error and fake_error:
            if real_error["code"] != fake_error["code"]:
                comparer.diff("/Errors/Error/@ErrorCode", "error", real_error["code"], fake_error["code"])
            return None
        if real_text.strip() and fake_text.strip() and real_fmt != fake_fmt:
            comparer.diff("/", "format", real_fmt, fake_fmt)
            return None
        if real is None or fake is None:
            if (real is None) != (fake is None) and (real_text.strip() or fake_text.strip()):
                comparer.diff("/", "format", real_fmt or "empty", fake_fmt or "empty")
            return None
        root = real[0] or fake[0] or _root(comparer.api)
        comparer.element("/" + root, real[1], fake[1])
        return None

    def _secrets_in_answer(self, text: str) -> str:
        """A recorded answer with the login id and password placeholders as the drift user's values."""
        if "{{" not in text:
            return text
        return PLACEHOLDER.sub(
            lambda m: (
                self.user
                if m.group(1) == "loginid"
                else self.password
                if m.group(1) == "password"
                else m.group(0)
            ),
            text,
        )

    def _cover(self, found: list[Difference]) -> None:
        for difference in found:
            for rule in self.rules:
                if rule.covers(difference):
                    rule.fired += 1
                    difference.ignored_by = rule.id
                    break

    def _remember_read(self, exchange: Exchange) -> None:
        """Two real answers to the same read with no write between: what differs proposes an ignore rule."""
        api = str(exchange.get("api", ""))
        if not api.startswith(READS):
            self.reads.clear()
            return
        _, doc = request_document(exchange)
        key = api + json.dumps(normalised(doc), sort_keys=True)
        earlier = self.reads.get(key)
        self.reads[key] = (int(exchange.get("seq", 0)), exchange)
        if earlier is None:
            return
        first = parse_body(earlier[1]["response"].get("body", ""), earlier[1]["response"].get("format", ""))
        second = parse_body(exchange["response"].get("body", ""), exchange["response"].get("format", ""))
        if first is None or second is None:
            return
        comparer = Comparer(Bindings(), int(exchange.get("seq", 0)), api)
        comparer.element("/" + (first[0] or _root(api)), first[1], second[1])
        known = {(p["api"], p["path"]) for p in self.proposed}
        for difference in comparer.found:
            if (api, difference.path) not in known and difference.kind == "value":
                self.proposed.append(
                    {
                        "api": api,
                        "path": difference.path,
                        "kind": "value",
                        "reason": f"differs between two real answers to the same read (#{earlier[0]}, "
                        f"#{difference.seq})",
                    }
                )

    # ------------------------------------------------------------------------------------ the report

    def finish(self) -> dict[str, Any]:
        uncovered = [d for d in self.differences if not d.ignored_by]
        by_api: dict[str, dict[str, int]] = {}
        for difference in uncovered:
            paths = by_api.setdefault(difference.api, {})
            paths[f"{difference.kind} {difference.path}"] = (
                paths.get(f"{difference.kind} {difference.path}", 0) + 1
            )
        return {
            "session": self.name,
            "namespace": self.ns,
            "exchanges": len(self.steps),
            "differences": [d.as_json() for d in self.differences],
            "uncovered": len(uncovered),
            "preconditions": self.preconditions,
            "preloaded": self.preloaded,
            "unmodelled": self.unmodelled,
            "rules": [r.as_json() for r in self.rules],
            "never_fired": [r.id for r in self.rules if r.fired == 0],
            "proposed_rules": self.proposed,
            "by_api": by_api,
            "steps": self.steps,
            "references": len(self.bindings.numbers),
        }


def _fmt(declared: str, text: str) -> str:
    if declared in ("json", "xml"):
        return declared
    stripped = text.lstrip()
    return "xml" if stripped.startswith("<") else "json" if stripped.startswith(("{", "[")) else "text"


def _content_fmt(content_type: str) -> str:
    return "json" if "json" in content_type else "xml" if "xml" in content_type else ""


def _status(status: int, error: dict[str, Any] | None) -> str:
    return f"{status} {error['code']}" if error else str(status)


def _root(api: str) -> str:
    try:
        from sterling_mock.mock_server.apis import APIS

        spec = APIS.get(api)
        if spec is not None:
            return spec.output_root
    except ImportError:  # pragma: no cover
        pass
    return guess_root(api)


def drift_session(
    path: str,
    *,
    target: Target | None = None,
    rules_file: str = "",
    user: str = "admin",
    password: str = "password",
    load_preconditions: bool = False,
) -> dict[str, Any]:
    """Replay the session at ``path`` against ``target`` (a fresh in-process fake by default): the report."""
    session = Session.open(path)
    raw_rules: list[Any] = list(load_rules_data(session.side_file(RULES, [])))
    if rules_file:
        with open(rules_file, encoding="utf-8") as handle:
            raw_rules += load_rules_data(json.load(handle))
    drift = Drift(
        target or InProcess(),
        name=session.path.name,
        rules=load_rules(raw_rules),
        user=user,
        password=password,
        load_preconditions=load_preconditions,
    )
    return drift.run(session)
