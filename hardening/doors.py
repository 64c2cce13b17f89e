"""Fuzz requests for every door, each as a raw request (method, path, query, headers, body) with the answer
shape its door promises: a Sterling document through REST ``/invoke``, the order resource, the interop
servlet, ``multiApi`` and ``getPage`` (``sterling``); and beside them resources with operator query strings,
``executeFlow``, ``/jwt`` and ``/invoke/login``, the control plane ``/_fake/`` and the console (``request_for``)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote as _quote

from .mutate import ODD, QRY, break_body, json_body, mutate, xml_body

OPERATORS = ["", "~neq~", "~gt~", "~gteq~", "~lt~", "~lteq~", "~sw~", "~ew~", "~like~", "~nope~", "~"]
ORDER_FIELDS = [
    "EnterpriseCode",
    "OrderNo",
    "DocumentType",
    "OrderDate",
    "Status",
    "MaxOrderStatus",
    "Modifyts",
]
ORDER_FIELDS += ["MaximumRecords", "_templateId", "OrderBy", "ReadFromHistory", "Nope"]

# Plausible control-plane bodies (docs/control-plane.md) that the mutator bends out of shape.  The seed
# counts stay small: a 1,000,000-order seed is a legitimate, slow request, not hostile input.
CONTROL: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/_fake/seed", {"orders": "3", "seed": "42", "enterprises": ["A", "B"], "statuses": ["1100"]}),
    ("POST", "/_fake/reset", {"namespace": "fz"}),
    ("GET", "/_fake/summary", {}),
    ("GET", "/_fake/state", {}),
    ("GET", "/_fake/namespaces", {}),
    (
        "PUT",
        "/_fake/state",
        {"format": "sterling-mock-snapshot", "version": 1, "tables": {"orders": [{"ohk": "1", "doc": "{}"}]}},
    ),
    ("GET", "/_fake/faults", {}),
    (
        "POST",
        "/_fake/faults",
        {
            "api": "getOrderList",
            "times": "1",
            "match": {"EnterpriseCode": "Nope"},
            "action": {"type": "error"},
        },
    ),
    (
        "POST",
        "/_fake/faults",
        {"api": "createOrder", "probability": "0.0", "action": {"type": "latency", "ms": "1"}},
    ),
    ("DELETE", "/_fake/faults/nope", {}),
    ("GET", "/_fake/throttle", {}),
    ("PUT", "/_fake/throttle", {"enabled": "false", "rate": "5", "burst": "10"}),
    ("GET", "/_fake/clock", {}),
    ("POST", "/_fake/clock", {"freeze": "true", "set": "2025-01-27T10:17:09+00:00"}),
    ("POST", "/_fake/clock", {"advance": "PT1H"}),
    ("POST", "/_fake/clock", {"freeze": "false"}),
    ("GET", "/_fake/agents", {}),
    ("PUT", "/_fake/agents", {"enabled": "false", "every": "60"}),
    ("POST", "/_fake/agents/run", {"steps": "1", "backorder_rate": "0.1", "cancel_rate": "0.1"}),
    ("POST", "/_fake/orders/{key}/advance", {"to": "3700"}),
    ("GET", "/_fake/journal", {}),
    ("PUT", "/_fake/templates/fz", {"Order": {"OrderNo": "", "Status": ""}}),
    ("DELETE", "/_fake/templates/fz", {}),
    ("GET", "/_fake/flows", {}),
    ("POST", "/_fake/flows", {"name": "fzFlow", "api": "getOrderList"}),
    ("PUT", "/_fake/flows/fzFlow", {"api": "getOrderDetails"}),
    ("DELETE", "/_fake/flows/fzFlow", {}),
]
CONSOLE_GETS = ["/", "/orders/{key}", "/pipeline", "/pipeline/live", "/journal", "/journal/rows", "/controls"]
CONSOLE_ACTIONS = ["cancel", "schedule", "release", "ship", "advance", "nope"]
CONSOLE_CONTROLS = ["seed", "reset", "agents_run", "agents_auto", "clock", "throttle", "fault_add", "nope"]


def quote(text: str, safe: str = "/") -> str:
    """Percent-encoding that passes a lone surrogate through (odd values carry one)."""
    return _quote(text, safe=safe, errors="surrogatepass")


@dataclass
class Request:
    door: str  # "rest" (Sterling envelope), "interop", "control" ({"error": ...}), "console" (HTML), "text" (jwt)
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """The exact request, to repeat by hand."""
        headers = " ".join(f"-H '{k}: {v}'" for k, v in sorted(self.headers.items()))
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{query} {headers} body={self.body[:2000]!r}"


def _odd(rng: random.Random) -> str:
    return rng.choice([*ODD, *QRY, "1", "Matrix-R", "0001", "2025-01-27", "Y"])


def _query(rng: random.Random, key: str) -> str:
    params = []
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(ORDER_FIELDS)
        value = rng.choice(OPERATORS) + rng.choice([_odd(rng), key])
        params.append(f"{quote(name)}={quote(value)}")
    return "&".join(params)


def _json(rng: random.Random, doc: dict[str, Any]) -> bytes:
    if rng.random() < 0.1:
        return rng.choice([b"", b"{", b"[]", b"null", b'"x"', b"\xff", b'{"a": NaN}'])
    return json.dumps(mutate(rng, doc) if rng.random() < 0.7 else doc).encode()


def resource(rng: random.Random, key: str, order: dict[str, Any]) -> Request:
    method = rng.choice(["GET", "GET", "PATCH", "PUT", "DELETE"])
    target = rng.choice([key, key, "detail", "nope", "%00", "0" * 40])
    path = "/smcfs/restapi/order" + ("" if method == "GET" and rng.random() < 0.4 else f"/{target}")
    headers = {"Content-Type": rng.choice(["application/json", "application/xml", "text/plain"])}
    headers["Accept"] = rng.choice(["application/json", "application/xml", "*/*"])
    body = _json(rng, order) if method in ("PATCH", "PUT") else b""
    return Request("rest", method, path, _query(rng, key), body, headers)


def flow(rng: random.Random, key: str, order: dict[str, Any]) -> Request:
    service = rng.choice(["fzFlow", "nope", "getOrderList", "..%2F..", "x" * 300])
    headers = {
        "Content-Type": "application/json",
        "Accept": rng.choice(["application/json", "application/xml"]),
    }
    return Request("rest", "POST", f"/smcfs/restapi/executeFlow/{service}", "", _json(rng, order), headers)


def session(rng: random.Random) -> Request:
    if rng.random() < 0.5:
        query = f"_loginid={quote(_odd(rng))}&_token={quote(_odd(rng))}" if rng.random() < 0.8 else ""
        return Request("text", "GET", "/smcfs/restapi/jwt", query, headers={"Authorization": "none"})
    doc = {"LoginID": rng.choice(["admin", _odd(rng)]), "Password": rng.choice(["password", _odd(rng)])}
    headers = {"Content-Type": "application/json", "Authorization": "none"}
    return Request("rest", "POST", "/smcfs/restapi/invoke/login", "", _json(rng, doc), headers)


def control(rng: random.Random, key: str) -> Request:
    method, path, doc = rng.choice(CONTROL)
    path = path.replace("{key}", rng.choice([key, "nope"]))
    query = rng.choice(["", f"limit={quote(_odd(rng))}", f"api={quote(_odd(rng))}&since={quote(_odd(rng))}"])
    body = _json(rng, doc) if method in ("POST", "PUT") else b""
    headers = {"Content-Type": "application/json"}
    if (path == "/_fake/state" and method == "PUT") or path == "/_fake/reset":
        # a snapshot or a reset replaces the namespace: keep default's orders (the pool inputs target)
        headers["X-Sterling-Mock-Namespace"] = "fz"
    elif rng.random() < 0.1:
        headers["X-Sterling-Mock-Namespace"] = rng.choice(["fz", "", "../x", "é", "a" * 200])
    return Request("control", method, path, query, body, headers)


def console(rng: random.Random, key: str) -> Request:
    query = f"ns={quote(rng.choice(['default', 'fz', _odd(rng)]))}&" + _query(rng, key)
    if rng.random() < 0.7:
        path = "/_fake/console" + rng.choice(CONSOLE_GETS).replace(
            "{key}", rng.choice([key, "nope", "%2e%2e"])
        )
        return Request("console", "GET", path, query)
    if rng.random() < 0.5:
        path = f"/_fake/console/orders/{rng.choice([key, 'nope'])}/{rng.choice(CONSOLE_ACTIONS)}"
    else:
        control = rng.choice(CONSOLE_CONTROLS)
        path = f"/_fake/console/controls/{control}"
        if control == "reset":  # keep default's orders (the pool inputs target)
            query = "ns=fz&" + query.partition("&")[2]
    form = "&".join(
        f"{n}={quote(_odd(rng))}" for n in rng.sample(["orders", "seed", "steps", "to", "set"], 2)
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
    return Request("console", "POST", path, query, form.encode(), headers)


def request_for(rng: random.Random, keys: list[str], orders: dict[str, dict[str, Any]]) -> Request:
    key = rng.choice(keys) if keys else "nope"
    order = orders.get("changeOrder") or {"OrderHeaderKey": key}
    door = rng.choice(["resource", "resource", "flow", "session", "control", "control", "console"])
    if door == "resource":
        return resource(rng, key, order)
    if door == "flow":
        return flow(rng, key, orders.get("getOrderList") or {})
    if door == "session":
        return session(rng)
    return control(rng, key) if door == "control" else console(rng, key)


# ------------------------------------------------------------------------------ Sterling documents, every door

#: The stored template every full-template read names (``PUT /_fake/templates/fuzzFull`` at the start of a run).
FULL_TEMPLATE_ID = "fuzzFull"
FULL_TEMPLATE: dict[str, Any] = {
    "Order": {
        "Notes": {"Note": [{}]},
        "Extn": {},
        "OrderDates": {"OrderDate": [{}]},
        "References": {"Reference": [{}]},
        "Instructions": {"Instruction": [{}]},
        "PriceInfo": {},
        "OverallTotals": {},
        "PersonInfoShipTo": {},
        "PersonInfoBillTo": {},
        "PersonInfoContact": {},
        "PaymentMethods": {"PaymentMethod": [{}]},
        "HeaderCharges": {"HeaderCharge": [{}]},
        "HeaderTaxes": {"HeaderTax": [{}]},
        "OrderStatuses": {"OrderStatus": [{}]},
        "OrderLines": {
            "OrderLine": [
                {
                    "Item": {},
                    "LinePriceInfo": {},
                    "LineOverallTotals": {},
                    "Notes": {"Note": [{}]},
                    "Extn": {},
                    "OrderStatuses": {"OrderStatus": [{}]},
                    "LineCharges": {"LineCharge": [{}]},
                    "LineTaxes": {"LineTax": [{}]},
                    "References": {"Reference": [{}]},
                }
            ]
        },
    }
}
CONTENT_TYPES = {"json": "application/json", "xml": "application/xml"}
WRONG_TYPES = [
    "text/plain",
    "",
    "application/x-www-form-urlencoded",
    "image/png",
    "application/json; charset=latin-1",
]


def _body(rng: random.Random, root: str, doc: Any, fmt: str) -> bytes:
    body = xml_body(root, doc) if fmt == "xml" else json_body(doc, rng)
    return break_body(rng, body, fmt) if rng.random() < 0.08 else body


def _headers(rng: random.Random, fmt: str) -> dict[str, str]:
    content_type = CONTENT_TYPES[fmt] if rng.random() > 0.05 else rng.choice(WRONG_TYPES)
    headers = {"Accept": rng.choice(["application/json", "application/xml", "*/*", ""])}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def _template_query(rng: random.Random) -> str:
    return f"_templateId={FULL_TEMPLATE_ID}" if rng.random() < 0.15 else ""


def invoke(rng: random.Random, api: str, root: str, doc: Any, fmt: str) -> Request:
    return Request(
        "rest",
        "POST",
        f"/smcfs/restapi/invoke/{api}",
        _template_query(rng),
        _body(rng, root, doc, fmt),
        _headers(rng, fmt),
    )


def order_resource(rng: random.Random, api: str, root: str, doc: Any, fmt: str, key: str) -> Request:
    """The order resource's verb for the API (createOrder POST, getOrderDetails GET, changeOrder PATCH,
    deleteOrder DELETE, getOrderList GET with the document as query parameters)."""
    headers = _headers(rng, fmt)
    if api == "createOrder":
        return Request("rest", "POST", "/smcfs/restapi/order", "", _body(rng, root, doc, fmt), headers)
    if api == "deleteOrder":
        return Request("rest", "DELETE", f"/smcfs/restapi/order/{key}", "", b"", headers)
    if api == "getOrderDetails":
        return Request("rest", "GET", f"/smcfs/restapi/order/{key}", _template_query(rng), b"", headers)
    if api == "getOrderList" or not isinstance(doc, dict):
        flat = doc if isinstance(doc, dict) else {}
        query = "&".join(
            f"{quote(str(k))}={quote(str(v))}" for k, v in flat.items() if not isinstance(v, (dict, list))
        )
        return Request("rest", "GET", "/smcfs/restapi/order", query, b"", headers)
    return Request("rest", "PATCH", f"/smcfs/restapi/order/{key}", "", _body(rng, root, doc, fmt), headers)


def interop(rng: random.Random, api: str, root: str, doc: Any) -> Request:
    fields: list[tuple[str, bytes]] = [
        ("InteropApiName", api.encode()),
        ("YFSEnvironment.userId", b"admin"),
        ("YFSEnvironment.password", b"password"),
        ("InteropApiData", _body(rng, root, doc, "xml")),
    ]
    if rng.random() < 0.15:
        fields.append(("TemplateData", xml_body("Order", FULL_TEMPLATE["Order"])))
    if rng.random() < 0.05:
        fields.append(("IsFlow", rng.choice([b"Y", b"N", b"x"])))
    form = "&".join(f"{name}={_quote(value, safe='')}" for name, value in fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "none"}
    return Request("interop", "POST", "/smcfs/interop/InteropHttpServlet", "", form.encode(), headers)


def multi_api(rng: random.Random, calls: list[tuple[str, str, Any]], fmt: str) -> Request:
    """``multiApi`` running each (API, root, document); the wrapper itself bent now and then."""
    entries: list[dict[str, Any]] = []
    for api, root, doc in calls:
        entry: dict[str, Any] = {"Name": api, "Input": {root: doc}}
        if rng.random() < 0.2:
            entry["Template"] = FULL_TEMPLATE if root == "Order" else {root: {}}
        entries.append(entry)
    wrapper: dict[str, Any] = {"API": entries}
    if rng.random() < 0.15:
        wrapper = mutate(rng, wrapper, 1)
    return Request(
        "rest",
        "POST",
        "/smcfs/restapi/invoke/multiApi",
        "",
        _body(rng, "MultiApi", wrapper, fmt),
        _headers(rng, fmt),
    )


def get_page(rng: random.Random, api: str, root: str, doc: Any, fmt: str) -> Request:
    page: dict[str, Any] = {
        "PageNumber": rng.choice(["1", "2", "0", "-1", "x", "999999"]),
        "PageSize": rng.choice(["1", "5", "50", "0", "x"]),
        "PaginationStrategy": rng.choice(["GENERIC", "NEXTPAGE", "NOPE"]),
        "Refresh": rng.choice(["N", "Y"]),
        "API": {"IsFlow": "N", "Name": api, "Input": {root: doc}},
    }
    if rng.random() < 0.3:
        page["API"]["Template"] = {f"{root}List": {root: [{}]}}
    if rng.random() < 0.15:
        page = mutate(rng, page, 1)
    return Request(
        "rest", "POST", "/smcfs/restapi/invoke/getPage", "", _body(rng, "Page", page, fmt), _headers(rng, fmt)
    )
