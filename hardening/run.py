"""The seeded fuzzer's engine: input number N is rebuilt from (seed, N) alone and sent to the fake's WSGI app;
its answer must be a Sterling-shaped error or a success (never HTTP 5xx, never an unhandled exception), and
every order it could have touched must still answer getOrderDetails (default and the full template) and be
listed by getOrderList with its key, and keep each order's invariants (``check_orders``); the whole store's
invariants are checked as the run goes and at its end."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from sterling_mock.client.wire import WireError, from_xml
from sterling_mock.mock_server.apis import APIS
from sterling_mock.mock_server.domain.invariants import check_orders

from . import doors
from .doors import FULL_TEMPLATE, FULL_TEMPLATE_ID, Request, request_for
from .mutate import APIS_EXTRA, bases, mutate, retarget, samples

BASIC = {"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}
#: An OrderHeaderKey (the fake's keys are 20-odd digits), found in a request or an answer.
KEY = re.compile(rb"(?<![0-9])[0-9]{20,26}(?![0-9])")
LIST_APIS = (
    "getOrderList",
    "getOrderLineList",
    "getOrderReleaseList",
    "getShipmentList",
    "getOrderAuditList",
)


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    unreadable: int = 0
    checked: int = 0

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500 or status == 0)


@dataclass
class Input:
    number: int
    api: str
    request: Request
    writes: bool


def _shaped(status: int, body: bytes, door: str) -> str | None:
    """None when the answer is acceptable, else why not."""
    if status >= 500 or status == 0:
        return f"HTTP {status}"
    if status in (200, 201) and door == "interop":
        if body.lstrip().startswith(b"<"):
            return None if b"MOCK0500" not in body else "interop internal error MOCK0500"
        return "interop answer is not XML"
    if status < 400:
        return None
    text = body.lstrip()
    if text.startswith(b"{"):
        envelope = json.loads(text)
        errors = envelope.get("errors") if isinstance(envelope, dict) else None
        if not (isinstance(errors, list) and errors and "ErrorCode" in errors[0]):
            return "JSON error without the errors envelope"
        if errors[0]["ErrorCode"] == "MOCK0500":
            return "internal error MOCK0500"
        return None
    try:
        root, _ = from_xml(text)
    except WireError:
        return "error body is neither Sterling JSON nor XML"
    return None if root == "Errors" else f"XML error with root {root}"


def _control_shaped(status: int, body: bytes) -> str | None:
    if status >= 500 or status == 0:
        return f"HTTP {status}"
    if status < 400:
        return None
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return "control error is not JSON"
    if not (isinstance(error, dict) and {"code", "message"} <= set(error)):
        return "control error without {'error': {'code', 'message'}}"
    return None


def judge(item: Request, status: int, body: bytes) -> str | None:
    """None when the answer is what the request's door promises, else why not."""
    if item.door == "control":
        return _control_shaped(status, body)
    if item.door == "console":
        return f"HTTP {status}" if status >= 500 else None
    return _shaped(status, body, "interop" if item.door == "interop" else "rest")


def send_raw(client: FlaskClient, item: Request) -> tuple[int, bytes]:
    headers = {**BASIC, **item.headers}
    if headers.get("Authorization") == "none":
        del headers["Authorization"]
    path = item.path + (f"?{item.query}" if item.query else "")
    response = client.open(path, method=item.method, data=item.body, headers=headers)
    return response.status_code, response.get_data()


class Fuzzer:
    """Inputs over every API of the table and every door, each rebuilt from (seed, number) and the store's
    order pool as it was at the start (a list of (OrderHeaderKey, EnterpriseCode, OrderNo))."""

    def __init__(self, client: FlaskClient, store: Any, seed: int, pool: list[tuple[str, str, str]]) -> None:
        self.client = client
        self.store = store
        self.seed = seed
        self.pool = pool
        self.corpus = samples()
        self.apis = sorted(APIS)
        #: Writes weigh more (they can poison what later reads meet); changeOrder, the issue's, most.
        self.weights = [6 if api == "changeOrder" else 3 if APIS[api].writes else 1 for api in self.apis]
        self.tally = Tally()
        status, body = send_raw(
            client,
            Request(
                "control",
                "PUT",
                f"/_fake/templates/{FULL_TEMPLATE_ID}",
                body=json.dumps(FULL_TEMPLATE["Order"]).encode(),
                headers={"Content-Type": "application/json"},
            ),
        )
        assert status < 300, body

    # ------------------------------------------------------------------------------------------ inputs

    def _document(self, rng: random.Random, api: str) -> tuple[str, Any]:
        spec = APIS.get(api)
        root, doc = self.corpus.get(api, (spec.input_root if spec else "Order", {}))
        others = bases().get(root, [])
        if others and rng.random() < 0.4:  # any sample with the API's root: what a client read, sent back
            doc = others[rng.randrange(len(others))]
        target = self.pool[rng.randrange(len(self.pool))] if self.pool else None
        if target is not None and (not doc or rng.random() < 0.85):
            doc = retarget(
                doc or {"OrderHeaderKey": "", "EnterpriseCode": "", "OrderNo": ""},
                target,
                create=api == "createOrder",
            )
        return root, mutate(rng, doc) if rng.random() < 0.75 else doc

    def _api(self, rng: random.Random) -> str:
        if rng.random() < 0.02:
            return rng.choice(APIS_EXTRA)
        api = rng.choices(self.apis, self.weights)[0]
        if api == "deleteOrder" and rng.random() < 0.7:  # keep the pool from draining
            api = rng.choices(self.apis, self.weights)[0]
        return api

    def build(self, number: int) -> Input:
        """Input ``number`` of this run: the same (seed, number, pool) gives the same request."""
        rng = random.Random(f"{self.seed}:{number}")
        if rng.random() < 0.15:
            keys = [key for key, _, _ in self.pool]
            corpus = {api: doc for api, (_, doc) in self.corpus.items()}
            item = request_for(rng, keys, corpus)
            writes = item.method != "GET"
            return Input(number, item.path, item, writes)
        api = self._api(rng)
        root, doc = self._document(rng, api)
        fmt = rng.choice(["json", "xml"])
        key = self.pool[rng.randrange(len(self.pool))][0] if self.pool else "nope"
        door = rng.choices(["invoke", "resource", "interop", "multiApi", "getPage"], [45, 10, 15, 18, 12])[0]
        spec = APIS.get(api)
        writes = bool(spec and spec.writes)
        if door == "resource" and api in (
            "createOrder",
            "getOrderDetails",
            "changeOrder",
            "deleteOrder",
            "getOrderList",
        ):
            return Input(number, api, doors.order_resource(rng, api, root, doc, fmt, key), writes)
        if door == "interop":
            return Input(number, api, doors.interop(rng, api, root, doc), writes)
        if door == "multiApi":
            calls = [(api, root, doc)]
            if rng.random() < 0.3:
                other = self._api(rng)
                other_root, other_doc = self._document(rng, other)
                calls.append((other, other_root, other_doc))
                writes = writes or bool(APIS.get(other) and APIS[other].writes)
            return Input(number, api, doors.multi_api(rng, calls, fmt), writes)
        if door == "getPage":
            if api not in LIST_APIS and rng.random() < 0.7:
                api = rng.choice(LIST_APIS)
                root, doc = self._document(rng, api)
            return Input(number, api, doors.get_page(rng, api, root, doc, fmt), writes)
        return Input(number, api, doors.invoke(rng, api, root, doc, fmt), writes)

    # ------------------------------------------------------------------------------------------ checks

    def _existing(self, candidates: set[str]) -> list[str]:
        if not candidates:
            return []
        keys = sorted(candidates)[:40]
        marks = ", ".join("?" for _ in keys)
        with self.store.read() as tx:
            rows = tx.conn.execute(
                f"SELECT ohk FROM orders WHERE ns='default' AND ohk IN ({marks})", keys
            ).fetchall()
        return sorted(str(row[0]) for row in rows)

    def touched(self, item: Input, answer: bytes) -> list[str]:
        """The orders the input could have touched: keys named in its request, and in a write's answer."""
        request = item.request
        text = f"{request.path}?{request.query}".encode() + request.body
        candidates = {m.decode() for m in KEY.findall(text)}
        if item.writes:
            candidates |= {m.decode() for m in KEY.findall(answer[:200_000])}
        return self._existing(candidates)

    def unreadable(self, key: str, xml: bool = False) -> str | None:
        """None when the order answers getOrderDetails (default, full template) and getOrderList lists it."""
        accept = "application/xml" if xml else "application/json"
        body = json.dumps({"OrderHeaderKey": key}).encode()
        checks = [
            ("getOrderDetails", "", "application/json"),
            ("getOrderDetails", f"_templateId={FULL_TEMPLATE_ID}", accept),
            ("getOrderList", "", accept),
        ]
        for api, query, wanted in checks:
            request = Request(
                "rest",
                "POST",
                f"/smcfs/restapi/invoke/{api}",
                query,
                body,
                {"Content-Type": "application/json", "Accept": wanted},
            )
            status, answer = send_raw(self.client, request)
            if status != 200 or key.encode() not in answer:
                return f"{api}{'?' + query if query else ''} answered {status}: {answer[:300]!r}"
        return None

    def verify(self, item: Input, answer: bytes) -> None:
        keys = self.touched(item, answer)
        for problem in check_orders(self.store, "default", keys):
            self.tally.failures.append(
                f"input {item.number}: invariant: {problem}\n    request: {item.request.text()}"
            )
        for key in keys:
            self.tally.checked += 1
            why = self.unreadable(key, xml=item.number % 2 == 1)
            if why is not None:
                self.tally.unreadable += 1
                self.tally.failures.append(
                    f"input {item.number}: order {key} unreadable after it: {why}\n    request: {item.request.text()}"
                )

    # ------------------------------------------------------------------------------------------ running

    def run_one(self, number: int) -> None:
        item = self.build(number)
        try:
            status, answer = send_raw(self.client, item.request)
        except Exception as exc:  # an exception escaping the app is a failure of the fake
            self.tally.statuses[0] += 1
            self.tally.failures.append(
                f"input {number} ({item.api}): {type(exc).__name__}: {exc}\n    request: {item.request.text()}"
            )
            return
        self.tally.statuses[status] += 1
        why = judge(item.request, status, answer)
        if why is not None:
            self.tally.failures.append(
                f"input {number} ({item.api}): {why}: {answer[:300]!r}\n    request: {item.request.text()}"
            )
        if status < 500:
            self.verify(item, answer)

    def sweep(self) -> None:
        """Every order of the default namespace readable (the end of a run: agents and control-plane moves
        touch orders no request named)."""
        with self.store.read() as tx:
            keys = [
                str(r[0]) for r in tx.conn.execute("SELECT ohk FROM orders WHERE ns='default' ORDER BY ohk")
            ]
        for key in keys:
            self.tally.checked += 1
            why = self.unreadable(key)
            if why is not None:
                self.tally.unreadable += 1
                self.tally.failures.append(f"final sweep: order {key} unreadable: {why}")
