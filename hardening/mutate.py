"""Hostile and mutated Sterling documents for the fuzz runs: the sample input of every API bent out of shape —
type and shape mutations (a string becomes an object or an array and back, a child element's name used as an
attribute, an attribute's name used as an element), numbers, booleans, null, empty, huge and deep values, odd
Unicode, odd names — and bodies broken on the wire (duplicated attributes, truncation, garbage).

A document here is a JSON-able tree: ``dict`` (an element), ``list`` (a repeated element), ``str`` (an
attribute) and, before the codec sees them, raw JSON numbers, booleans and null.  ``xml_body`` writes any such
tree as XML (a list of scalars becomes text elements) and ``json_body`` as JSON, without the codec's checks."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sterling_mock.client.wire import from_xml

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
ODD = [
    "",
    " ",
    "\u0000",
    "\ufffe",
    "\ud800",  # a lone surrogate: valid in JSON text, not in UTF-8
    "\u202eRTL",
    "e\u0301\u0301\u0301",
    "\U0001f600" * 50,
    "é" * 3,
    "<script>alert(1)</script>",
    "&amp;",
    "'\"",
    "]]>",
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
NUMBERS: list[Any] = [0, 1, -1, 2.5, 1e308, -1e-308, 10**30, 2**63, 0.1]
ODD_NAMES = ["", "1abc", "a b", "xml:lang", "Order/OrderNo", "ns:Extn", "\u00e9l\u00e9ment", "-", "_"]
QRY = ["EQ", "eq", "FLIKE", "LIKE", "GT", "BETWEEN", "DATERANGE", "NOPE", "ELIKE", ""]
APIS_EXTRA = ["noSuchApi", "createorder", "../../etc/passwd", "getOrderList%00"]


# ------------------------------------------------------------------------------------------- the corpus


def samples() -> dict[str, tuple[str, dict[str, Any]]]:
    """API -> (input root, input document), from the XML samples."""
    out = {}
    for path in sorted(SAMPLES.glob("*.input.xml")):
        root, doc = from_xml(path.read_bytes())
        out[path.name.split(".")[0]] = (root, doc)
    return out


@lru_cache(maxsize=1)
def bases() -> dict[str, list[dict[str, Any]]]:
    """Root element -> every sample document (inputs and outputs) with that root: an API's input is bent
    from any of them (clients send back what they read), so its elements are the ones it stores."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(SAMPLES.glob("*.xml")):
        try:
            root, doc = from_xml(path.read_bytes())
        except Exception:
            continue
        out.setdefault(root, []).append(doc)
    return out


def _names(doc: Any, elements: set[str], attributes: set[str]) -> None:
    if isinstance(doc, list):
        for item in doc:
            _names(item, elements, attributes)
    elif isinstance(doc, dict):
        for key, value in doc.items():
            (attributes if isinstance(value, str) else elements).add(key)
            _names(value, elements, attributes)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(element names, attribute names) the samples use, inputs and outputs: what a mutation swaps."""
    elements: set[str] = set()
    attributes: set[str] = set()
    for path in sorted(SAMPLES.glob("*.xml")):
        try:
            _names(from_xml(path.read_bytes())[1], elements, attributes)
        except Exception:
            continue
    return tuple(sorted(elements)), tuple(sorted(attributes - elements))


# ------------------------------------------------------------------------------------------- mutations


def _nodes(
    doc: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every element of the tree with its path."""
    if isinstance(doc, dict):
        yield path, doc
        for key, value in doc.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(doc, list):
        for index, item in enumerate(doc):
            yield from _nodes(item, (*path, index))


def _deep(rng: random.Random) -> dict[str, Any]:
    top: dict[str, Any] = {}
    node = top
    for _ in range(rng.choice([10, 70, 300])):
        node["N"] = {}
        node = node["N"]
    return top


def _value(rng: random.Random, kind: str) -> Any:
    """A value of the given kind for a mutation."""
    if kind == "object":
        return rng.choice([{}, {"Nested": {"Deeper": rng.choice(ODD)}}, {"A": rng.choice(ODD)}])
    if kind == "array":
        return rng.choice([[], [{"A": rng.choice(ODD)}, {"B": "2"}], ["x", 1], [None], [[{}]]])
    if kind == "number":
        return rng.choice(NUMBERS)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "empty":
        return rng.choice(["", {}, []])
    if kind == "huge":
        return rng.choice(["x" * rng.choice([1000, 100_000]), [{"A": str(i)} for i in range(2000)]])
    if kind == "deep":
        return _deep(rng)
    return rng.choice(ODD)


KINDS = ("string", "object", "array", "number", "boolean", "null", "empty", "huge", "deep")


def mutate(rng: random.Random, doc: dict[str, Any], rounds: int | None = None) -> dict[str, Any]:
    """``doc`` (not changed) with 1-4 mutations applied: type and shape changes, swapped element and attribute
    names, odd values and names, removals."""
    doc = json.loads(json.dumps(doc))
    elements, attributes = vocabulary()
    for _ in range(rng.randint(1, 4) if rounds is None else rounds):
        nodes = list(_nodes(doc))
        _, node = nodes[0] if rng.random() < 0.3 else rng.choice(nodes)
        keys = list(node)
        action = rng.randrange(12)
        if action == 0 and keys:  # a string becomes an object or an array, an element a string
            key = rng.choice(keys)
            kind = "string" if isinstance(node[key], (dict, list)) else rng.choice(["object", "array"])
            node[key] = _value(rng, kind)
        elif action == 1:  # a child element's name used as an attribute (the poison)
            names = [k for k in keys if isinstance(node[k], (dict, list))] or list(elements)
            node[rng.choice(names if rng.random() < 0.6 else list(elements))] = rng.choice(
                ["x", "oops", "", "1"]
            )
        elif action == 2:  # an attribute's name used as an element
            names = [k for k in keys if isinstance(node[k], str)] or list(attributes)
            node[rng.choice(names if rng.random() < 0.6 else list(attributes))] = _value(
                rng, rng.choice(["object", "array"])
            )
        elif action == 3 and keys:  # any kind of value anywhere
            node[rng.choice(keys)] = _value(rng, rng.choice(KINDS))
        elif action == 4 and keys:
            node.pop(rng.choice(keys))
        elif action == 5 and keys:
            node[rng.choice(keys) + "QryType"] = rng.choice(QRY)
        elif action == 6:
            node[rng.choice(ODD_NAMES)] = rng.choice(["x", {}, 1])
        elif action == 7:
            node["OrderDate" if rng.random() < 0.5 else "Modifyts"] = rng.choice(ODD)
        elif action == 8 and keys:  # one element where a list belongs, or a list where one belongs
            key = rng.choice(keys)
            value = node[key]
            node[key] = value[0] if isinstance(value, list) and value else [value, value]
        elif action == 9:
            node[rng.choice(list(elements))] = _value(rng, rng.choice(KINDS))
        elif action == 10:
            node[rng.choice(list(attributes))] = _value(rng, rng.choice(KINDS))
        else:
            node["Junk"] = _value(rng, rng.choice(KINDS))
    return doc


# ------------------------------------------------------------------------------------------- bodies


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml(name: str, node: Any, out: list[str]) -> None:
    if not isinstance(node, dict):
        out.append(f"<{name}>{escape(_scalar(node))}</{name}>")
        return
    attrs = "".join(
        f" {key}={quoteattr(_scalar(value))}"
        for key, value in node.items()
        if not isinstance(value, (dict, list))
    )
    children = [(k, v) for k, v in node.items() if isinstance(v, (dict, list))]
    if not children:
        out.append(f"<{name}{attrs}/>")
        return
    out.append(f"<{name}{attrs}>")
    for key, value in children:
        for item in value if isinstance(value, list) else [value]:
            _xml(key, item, out)
    out.append(f"</{name}>")


#: Bodies are cut here (a truncated body is an input too): past the fake's 10 MB limit is another test's.
MAX_BODY = 3_000_000


def xml_body(root: str, doc: Any) -> bytes:
    out: list[str] = []
    _xml(root, doc, out)
    return "".join(out).encode("utf-8", "surrogatepass")[:MAX_BODY]


def json_body(doc: Any, rng: random.Random) -> bytes:
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")[:MAX_BODY]


def break_body(rng: random.Random, body: bytes, fmt: str) -> bytes:
    """A body broken on the wire: a duplicated attribute or key, truncated, or garbage."""
    action = rng.randrange(4)
    if action == 0:
        if fmt == "xml" and b" " in body[:200]:
            cut = body.index(b" ")
            return body[:cut] + b' Dup="1" Dup="2"' + body[cut:]
        if fmt == "json" and body.startswith(b"{"):
            return b'{"OrderNo": "A", "OrderNo": {"B": "2"}, ' + body[1:]
        return body
    if action in (1, 2):
        return body[: rng.randrange(max(len(body), 1))]
    return garbage(rng)


def garbage(rng: random.Random) -> bytes:
    choices = [
        b"",
        b"{",
        b"[]",
        b"null",
        b'"x"',
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
        b'{"a": NaN}',
        bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))),
        b"<Order><OrderLines>" + b"<OrderLine/>" * 25_000 + b"</OrderLines></Order>",  # past MAX_ELEMENTS
        b"<Order " + b" ".join(b'A%d="1"' % i for i in range(1500)) + b"/>",  # past MAX_ATTRIBUTES
    ]
    return rng.choice(choices)


def retarget(doc: Any, key: tuple[str, str, str], *, create: bool = False) -> Any:
    """Point the sample at an order that exists in the fuzzed store, so mutations reach the API's logic (a
    createOrder keeps the enterprise but drops the order number: it would exist already)."""
    if isinstance(doc, list):
        return [retarget(item, key, create=create) for item in doc]
    if not isinstance(doc, dict):
        return doc
    values = dict(zip(("OrderHeaderKey", "EnterpriseCode", "OrderNo"), key, strict=True))
    out = {}
    for name, value in doc.items():
        if create and name in ("OrderHeaderKey", "OrderNo") and isinstance(value, str):
            continue
        out[name] = (
            values[name] if name in values and isinstance(value, str) else retarget(value, key, create=create)
        )
    return out
