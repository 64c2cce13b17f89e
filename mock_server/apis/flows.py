"""Configured services ("flows"): what executeFlow, the servlet's IsFlow="Y" and multiApi's FlowName run.

Real Sterling runs services an installation built in its Configurator; the fake invents none.  A service is
declared in the flows file (setting ``flows_file``) or through the control plane (``/_fake/flows``, per
namespace, winning over the file) and does one of three things:

- ``"api"``: run one API of the table on the (optionally transformed) input, with the service's
  ``"template"`` unless the caller sent one;
- ``"response"``: answer a fixed document (XML text, or ``{"root": ..., "document": {...}}``);
- neither: answer the transformed input itself, as a service whose only nodes are translators does.

``"input"`` transforms the input root's attributes and children, in this order: ``drop`` (names),
``rename`` ({old: new}), ``defaults`` ({name: value}, when absent or empty) and ``set`` ({name: value}).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from sterling_mock.client.wire import Doc, WireError, from_jsonable, from_xml
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import InvalidServiceDefinition, MandatoryMissing, UnknownService
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.queries.templates import apply_template
from sterling_mock.mock_server.store.tx import Tx

#: APIs a service may not run: services do not call services, and login is not an API a service runs.
NOT_IN_FLOWS = frozenset({"executeFlow", "login"})
_KEYS = frozenset({"name", "api", "input", "template", "response", "output_root", "description"})
_TRANSFORMS = ("drop", "rename", "defaults", "set")


class FlowError(ValueError):
    """A definition that cannot be used, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _xml_or_doc(value: Any, field: str) -> tuple[str | None, Doc]:
    """XML text -> (root, doc); a JSON object -> (None, doc) in Sterling's JSON mapping."""
    if isinstance(value, str):
        try:
            return from_xml(value.encode())
        except WireError as exc:
            raise FlowError(field, exc.message) from None
    if isinstance(value, dict):
        try:
            return None, from_jsonable(value)
        except WireError as exc:
            raise FlowError(field, exc.message) from None
    raise FlowError(field, "must be XML text or a JSON object")


def _string_map(value: Any, field: str) -> dict[str, str]:
    """Names to values; numbers are taken as their string forms, like every JSON input (reference §2)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) and k for k in value):
        raise FlowError(field, "must be an object of names to values")
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise FlowError(f"{field}.{key}", "must be a string")
    return {k: str(v) for k, v in value.items()}


def _transform(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - set(_TRANSFORMS):
        raise FlowError("input", f"must be an object with {', '.join(_TRANSFORMS)}")
    out: dict[str, Any] = {}
    if "drop" in value:
        drop = value["drop"]
        if not isinstance(drop, list) or not all(isinstance(n, str) and n for n in drop):
            raise FlowError("input.drop", "must be a list of names")
        out["drop"] = list(drop)
    for key in ("rename", "defaults", "set"):
        if key in value:
            out[key] = _string_map(value[key], f"input.{key}")
    return out


def validate(data: Any, apis: Mapping[str, ApiSpec], *, name: str | None = None) -> dict[str, Any]:
    """A definition checked and normalised (templates and responses as documents); raises FlowError."""
    if not isinstance(data, dict):
        raise FlowError("flow", "must be a JSON object")
    unknown = set(data) - _KEYS
    if unknown:
        raise FlowError(sorted(unknown)[0], f"unknown field; use {', '.join(sorted(_KEYS))}")
    flow_name = name or data.get("name")
    if not isinstance(flow_name, str) or not flow_name.strip() or len(flow_name) > 200:
        raise FlowError("name", "must be a non-empty string of at most 200 characters")
    flow: dict[str, Any] = {"name": flow_name, "input": _transform(data.get("input"))}
    api, response = data.get("api"), data.get("response")
    if api is not None and response is not None:
        raise FlowError("response", "a service runs an API or answers a fixed response, not both")
    if api is not None:
        if not isinstance(api, str) or api not in apis or api in NOT_IN_FLOWS:
            raise FlowError("api", f"{api!r} is not an API this fake can run in a service")
        flow["api"] = api
    if response is not None:
        root, doc = _fixed_response(response)
        flow["response"] = {"root": root, "document": doc}
    if data.get("template") is not None:
        flow["template"] = _xml_or_doc(data["template"], "template")[1]
    for key in ("output_root", "description"):
        if data.get(key) is not None:
            if not isinstance(data[key], str) or not data[key]:
                raise FlowError(key, "must be a non-empty string")
            flow[key] = data[key]
    return flow


def _fixed_response(value: Any) -> tuple[str, Doc]:
    if isinstance(value, dict) and set(value) <= {"root", "document"} and "root" in value:
        root = value["root"]
        if not isinstance(root, str) or not root:
            raise FlowError("response.root", "must be an element name")
        return root, _xml_or_doc(value.get("document") or {}, "response.document")[1]
    root, doc = _xml_or_doc(value, "response")
    if root is None:
        raise FlowError("response", 'as JSON give {"root": "<element>", "document": {...}}')
    return root, doc


# ------------------------------------------------------------------------------------------- where flows live


def read_file(path: str, apis: Mapping[str, ApiSpec]) -> dict[str, dict[str, Any]]:
    """The flows file: ``{"flows": [definition, ...]}``, a list of definitions, or ``{name: definition}``."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise FlowError("flows_file", f"{path}: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("flows"), list):
        data = data["flows"]
    if isinstance(data, dict):
        items = [validate(d, apis, name=n) for n, d in data.items()]
    elif isinstance(data, list):
        items = [validate(d, apis) for d in data]
    else:
        raise FlowError("flows_file", f"{path}: expected a list of services")
    return {flow["name"]: flow for flow in items}


def _file_flows(settings: Settings, apis: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if not settings.flows_file:
        return {}
    try:
        return read_file(settings.flows_file, apis)
    except FlowError as exc:
        raise InvalidServiceDefinition(str(exc)) from None


def put(tx: Tx, ns: str, flow: dict[str, Any]) -> None:
    tx.conn.execute(
        "INSERT INTO flows(ns, name, definition) VALUES(?, ?, ?) "
        "ON CONFLICT(ns, name) DO UPDATE SET definition=excluded.definition",
        (ns, flow["name"], orjson.dumps(flow)),
    )


def delete(tx: Tx, ns: str, name: str | None) -> int:
    if name is None:
        return int(tx.conn.execute("DELETE FROM flows WHERE ns=?", (ns,)).rowcount)
    return int(tx.conn.execute("DELETE FROM flows WHERE ns=? AND name=?", (ns, name)).rowcount)


def listing(tx: Tx, ns: str, settings: Settings, apis: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every service the namespace can call, each with its ``source`` (``control`` wins over ``file``)."""
    found = {name: {**flow, "source": "file"} for name, flow in _file_flows(settings, apis).items()}
    for name, raw in tx.conn.execute("SELECT name, definition FROM flows WHERE ns=? ORDER BY name", (ns,)):
        found[name] = {**orjson.loads(raw), "source": "control"}
    return [found[name] for name in sorted(found)]


def lookup(tx: Tx, ns: str, settings: Settings, name: str, apis: Mapping[str, Any]) -> dict[str, Any]:
    row = tx.conn.execute("SELECT definition FROM flows WHERE ns=? AND name=?", (ns, name)).fetchone()
    if row is not None:
        found: dict[str, Any] = orjson.loads(row[0])
        return found
    flow = _file_flows(settings, apis).get(name)
    if flow is None:
        raise UnknownService(
            f"Service '{name}' is not defined on this instance.", attributes={"ServiceName": name}
        )
    return flow


# ------------------------------------------------------------------------------------------- running one


def transform(rules: dict[str, Any], doc: Doc) -> Doc:
    out = dict(doc)
    for name in rules.get("drop", ()):
        out.pop(name, None)
    for old, new in rules.get("rename", {}).items():
        if old in out:
            out[new] = out.pop(old)
    for name, value in rules.get("defaults", {}).items():
        if out.get(name) in (None, ""):
            out[name] = value
    out.update(rules.get("set", {}))
    return out


def execute_flow(ctx: Ctx, doc: Doc) -> Output:
    """Run the configured service ``FlowName`` on ``Input`` (how every door hands a service call over).

    Runs inside one write transaction whatever the service does.  A service that runs a void API answers
    like that API (204 over REST, ``<Output/>`` through the servlet).  A caller's template (``TemplateData``,
    ``_templateId``, multiApi ``Template``) wins over the service's own [INF: real services configure the
    template on their API node].  Left out: conditions, queues, XSL translators and user exits — a service
    here is one API call, a fixed answer, or its input back.
    """
    name = doc.get("FlowName")
    if not isinstance(name, str) or not name:
        raise MandatoryMissing("executeFlow needs a service name.", attributes={"Name": "FlowName"})
    flow = lookup(ctx.tx, ctx.ns, ctx.settings, name, ctx.apis)
    given = doc.get("Input")
    inner = transform(flow.get("input", {}), given if isinstance(given, dict) else {})
    template = ctx.template if ctx.template is not None else flow.get("template")
    if "api" in flow:
        spec = ctx.apis[flow["api"]]
        output = spec.fn(dataclasses.replace(ctx, api=flow["api"], template=template), inner)
        return Output.none() if spec.void else output
    if "response" in flow:
        root, answer = flow["response"]["root"], copy.deepcopy(flow["response"]["document"])
    else:
        root = flow.get("output_root") or str(doc.get("InputRoot") or "Output")
        answer = inner
    if template is not None:
        answer = apply_template(root, answer, template)
    return Output(root, answer)


APIS = {
    "executeFlow": ApiSpec(execute_flow, "Input", "Output", writes=True),
}
