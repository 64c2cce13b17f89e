"""Hostile and mutated Sterling inputs for the fuzz runs: valid sample documents from ``fixtures/samples``
bent out of shape (wrong types, missing keys, huge values, deep nesting, odd Unicode, duplicate attributes,
bad dates and QryTypes), plus raw garbage — each as (door, api, content type, body bytes)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sterling_mock.client.wire import from_xml, to_json, to_xml

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
ODD = [
    "",
    " ",
    "\u0000",
    "\ufffe",
    "\U0001f600" * 50,
    "é" * 3,
    "<script>alert(1)</script>",
    "&amp;",
    "'\"",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "0001-01-01",
    "2025-13-45T99:99:99",
    "20251301",
    "Y",
    "N",
    "null",
    "Infinity",
    "1e999999",  # int() of it once cost 40 s of CPU
    "1e-999999999",  # as text, a gigabyte of digits
    "1e30",
    "9999-12-31T23:59:59-14:00",  # past year 9999 in UTC
    "0001-01-01T00:00:00+14:00",
]
QRY = ["EQ", "eq", "FLIKE", "LIKE", "GT", "BETWEEN", "DATERANGE", "NOPE", "ELIKE", ""]
APIS_EXTRA = ["noSuchApi", "createorder", "../../etc/passwd", "getOrderList%00"]


@dataclass
class Case:
    door: str
    api: str
    content_type: str
    body: bytes
    accept: str = "application/json"


def samples() -> dict[str, tuple[str, dict[str, Any]]]:
    """API -> (input root, input document), from the XML samples."""
    out = {}
    for path in sorted(SAMPLES.glob("*.input.xml")):
        root, doc = from_xml(path.read_bytes())
        out[path.name.split(".")[0]] = (root, doc)
    return out


def _paths(doc: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for key, value in doc.items():
        found.append((*prefix, key))
        if isinstance(value, dict):
            found += _paths(value, (*prefix, key))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            found += _paths(value[0], (*prefix, key))
    return found


def _parent(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = doc
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, list):
            node = node[0] if node else None
    return node if isinstance(node, dict) else None


def mutate(rng: random.Random, doc: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    for _ in range(rng.randint(1, 4)):
        paths = _paths(doc)
        if not paths:
            doc["Junk"] = rng.choice(ODD)
            continue
        path = rng.choice(paths)
        parent = _parent(doc, path)
        if parent is None:
            continue
        key = path[-1]
        action = rng.randrange(8)
        if action == 0:
            parent.pop(key, None)
        elif action == 1:
            parent[key] = rng.choice(ODD)
        elif action == 2:
            parent[key] = {"Nested": {"Deeper": rng.choice(ODD)}}
        elif action == 3:
            parent[key] = [{"A": rng.choice(ODD)}, {"B": "2"}]
        elif action == 4:
            parent[key + "QryType"] = rng.choice(QRY)
        elif action == 5:
            parent[key] = "x" * rng.choice([1000, 100_000])
        elif action == 6:
            node: dict[str, Any] = {}
            top = node
            for _ in range(rng.choice([10, 70])):
                node["N"] = {}
                node = node["N"]
            parent[key] = top
        else:
            parent["OrderDate" if rng.random() < 0.5 else "Modifyts"] = rng.choice(ODD)
    return doc


def garbage(rng: random.Random) -> bytes:
    choices = [
        b"",
        b"{",
        b"[]",
        b"null",
        b"<",
        b"<Order",
        b"<?xml version='1.0'?>",
        b"\xff\xfe\x00<",
        b'<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><Order A="&a;"/>',
        b'<Order xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd"/></Order>',
        b'<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?><Order/>',
        b'<Order A="1" A="2"/>',
        b'{"A": 1, "A": {"B": 2}}',
        b'{"Order": [1, 2, 3]}',
        bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))),
        b"<Order><OrderLines>" + b"<OrderLine/>" * 25_000 + b"</OrderLines></Order>",  # past MAX_ELEMENTS
        b"<Order " + b" ".join(b'A%d="1"' % i for i in range(1500)) + b"/>",  # past MAX_ATTRIBUTES
    ]
    return rng.choice(choices)


def _retarget(doc: Any, key: tuple[str, str, str]) -> Any:
    """Point the sample at an order that exists in the fuzzed store, so mutations reach the API's logic."""
    if isinstance(doc, list):
        return [_retarget(item, key) for item in doc]
    if not isinstance(doc, dict):
        return doc
    values = dict(zip(("OrderHeaderKey", "EnterpriseCode", "OrderNo"), key, strict=True))
    return {k: values[k] if k in values and isinstance(v, str) else _retarget(v, key) for k, v in doc.items()}


def case(
    rng: random.Random,
    corpus: dict[str, tuple[str, dict[str, Any]]],
    keys: list[tuple[str, str, str]] | None = None,
) -> Case:
    """One input for one door; ``keys`` are (OrderHeaderKey, EnterpriseCode, OrderNo) of existing orders."""
    api = rng.choice([*corpus, *APIS_EXTRA]) if rng.random() < 0.95 else rng.choice(APIS_EXTRA)
    root, doc = corpus.get(api, ("Order", {"EnterpriseCode": "Matrix-R"}))
    if api != "createOrder" and keys and rng.random() < 0.8:
        doc = _retarget(doc, rng.choice(keys))
    fmt = rng.choice(["json", "xml"])
    if rng.random() < 0.15:
        body = garbage(rng)
    else:
        mutated = mutate(rng, doc)
        body = to_xml(root, mutated) if fmt == "xml" else to_json(root, mutated)
    content_type = "application/xml" if fmt == "xml" else "application/json"
    if rng.random() < 0.05:
        content_type = rng.choice(["text/plain", "", "application/x-www-form-urlencoded", "image/png"])
    accept = rng.choice(["application/json", "application/xml", "*/*", ""])
    door = rng.choice(["rest", "rest", "rest", "interop", "resource"])
    if door == "interop":
        if fmt == "json":
            body = to_xml(root, doc)
        return Case(
            "interop",
            api,
            "application/x-www-form-urlencoded",
            f"InteropApiName={quote(api)}&YFSEnvironment.userId=admin&YFSEnvironment.password=password"
            f"&InteropApiData={quote(body.decode('utf-8', 'replace'))}".encode(),
            "text/xml",
        )
    return Case(door, api, content_type, body, accept)
