"""Send fuzz cases to the fake's WSGI app and judge the answers: a Sterling-shaped error or a success, never
an HTTP 500 or an unhandled exception; the store consistent afterwards."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from sterling_mock.client.wire import WireError, from_xml
from sterling_mock.mock_server.invariants import check

from .doors import Request, request_for
from .mutate import Case, case, samples

BASIC = {"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())


def _shaped(status: int, body: bytes, door: str) -> str | None:
    """None when the answer is acceptable, else why not."""
    if status >= 500 or status == 0:
        return f"HTTP {status}"
    if status in (200, 201) and door == "interop":
        if body.lstrip().startswith(b"<?xml") or body.lstrip().startswith(b"<"):
            return None
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


def send(client: FlaskClient, item: Case) -> tuple[int, bytes]:
    headers = {**BASIC, "Accept": item.accept}
    if item.content_type:
        headers["Content-Type"] = item.content_type
    if item.door == "interop":
        response = client.post("/smcfs/interop/InteropHttpServlet", data=item.body, headers=headers)
    elif item.door == "resource":
        response = client.post("/smcfs/restapi/order", data=item.body, headers=headers)
    else:
        response = client.post(f"/smcfs/restapi/invoke/{item.api}", data=item.body, headers=headers)
    return response.status_code, response.get_data()


def fuzz(client: FlaskClient, count: int, seed: int, store: Any = None) -> Tally:
    rng = random.Random(seed)
    corpus = samples()
    tally = Tally()
    keys: list[tuple[str, str, str]] = []
    if store is not None:
        with store.read() as tx:
            keys = [
                tuple(r)
                for r in tx.conn.execute(
                    "SELECT ohk, enterprise_code, order_no FROM orders WHERE ns='default' LIMIT 500"
                )
            ]
    for _ in range(count):
        item = case(rng, corpus, keys)
        try:
            status, body = send(client, item)
        except Exception as exc:  # an exception escaping the app is a failure of the fake
            tally.statuses[0] += 1
            tally.failures.append(f"{item.door} {item.api}: {type(exc).__name__}: {exc}")
            continue
        tally.statuses[status] += 1
        why = _shaped(status, body, item.door)
        if why is not None:
            tally.failures.append(f"{item.door} {item.api} ({item.content_type}): {why}: {body[:300]!r}")
    if store is not None:
        tally.failures += [f"invariant: {p}" for p in check(store)]
    return tally


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
    return _shaped(status, body, "rest")


def send_raw(client: FlaskClient, item: Request) -> tuple[int, bytes]:
    headers = {**BASIC, **item.headers}
    if headers.get("Authorization") == "none":
        del headers["Authorization"]
    path = item.path + (f"?{item.query}" if item.query else "")
    response = client.open(path, method=item.method, data=item.body, headers=headers)
    return response.status_code, response.get_data()


def _order_keys(client: FlaskClient, store: Any) -> list[str]:
    with store.read() as tx:
        keys = [r[0] for r in tx.conn.execute("SELECT ohk FROM orders WHERE ns='default' LIMIT 500")]
    if len(keys) < 20:
        client.post("/_fake/reset", json={"namespace": "default"})
        client.post("/_fake/seed", json={"orders": 50, "seed": len(keys)})
        return _order_keys(client, store)
    return keys


def fuzz_doors(client: FlaskClient, count: int, seed: int, store: Any) -> Tally:
    """``count`` requests over resources, executeFlow, jwt/login, the control plane and the console."""
    rng = random.Random(seed)
    corpus = {api: doc for api, (_, doc) in samples().items()}
    tally = Tally()
    keys: list[str] = []
    for number in range(count):
        if number % 100 == 0:  # the control plane's resets empty the store now and then: refill it
            keys = _order_keys(client, store)
        item = request_for(rng, keys, corpus)
        try:
            status, body = send_raw(client, item)
        except Exception as exc:  # an exception escaping the app is a failure of the fake
            tally.statuses[0] += 1
            tally.failures.append(f"{item.method} {item.path}?{item.query}: {type(exc).__name__}: {exc}")
            continue
        tally.statuses[status] += 1
        why = judge(item, status, body)
        if why is not None:
            tally.failures.append(
                f"{item.method} {item.path}?{item.query} {item.body[:120]!r}: {why}: {body[:300]!r}"
            )
    tally.failures += [f"invariant: {p}" for p in check(store)]
    return tally
