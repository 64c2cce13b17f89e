"""invoke(api, document, call): the one path every door takes — authentication is done by the door; here
the API is looked up, run inside one transaction, and its output pruned by a template."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from client.wire import Doc

from .apis import APIS, ApiSpec
from .context import Ctx, Output
from .errors import InternalError, InvalidValue, SterlingError, UnknownApi
from .settings import Settings
from .statuses import Pipelines
from .store import Store

log = logging.getLogger("sterling_mock")


@dataclass
class Call:
    """Who calls what, through which door, wanting which format."""

    api: str
    ns: str = "default"
    user: str = ""
    transport: str = "rest"
    fmt: str = "json"
    progid: str = "RestServlet"
    template: Doc | None = None
    extras: dict[str, str] = field(default_factory=dict)


class Fake:
    """The fake's runtime: settings, store and pipelines, and the dispatcher every door calls."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.db, durability=settings.durability)
        self.pipelines = Pipelines.default()

    def spec(self, api: str) -> ApiSpec:
        spec = APIS.get(api)
        if spec is None:
            raise UnknownApi(f"API '{api}' is not implemented by this instance.", attributes={"ApiName": api})
        return spec

    def stored_template(self, template_id: str | None) -> Doc | None:
        """A template registered through the control plane, or ``<template_dir>/<id>.xml|.json``."""
        if not template_id:
            return None
        with self.store.read() as tx:
            stored = tx.kv_get("_templates", template_id)
        if isinstance(stored, dict):
            return stored
        if self.settings.template_dir and template_id.replace("_", "").replace("-", "").isalnum():
            import os

            found = _template_from_file(os.path.join(self.settings.template_dir, template_id))
            if found is not None:
                return found
        raise InvalidValue(
            f"No output template '{template_id}' is registered.",
            attributes={"Name": "_templateId", "Value": template_id},
        )

    def invoke(self, call: Call, doc: Doc) -> Output:
        """Run one API in one transaction: a failed call changes nothing."""
        spec = self.spec(call.api)
        try:
            with self.store.write() if spec.writes else self.store.read() as tx:
                ctx = Ctx(
                    tx=tx,
                    ns=call.ns,
                    user=call.user,
                    settings=self.settings,
                    pipelines=self.pipelines,
                    api=call.api,
                    progid=call.progid,
                    template=call.template,
                    fmt=call.fmt,
                )
                output = spec.fn(ctx, doc)
                return Output.none() if spec.void else output
        except SterlingError as exc:
            exc.api_name = call.api
            raise
        except Exception as exc:  # never a stack trace on the wire; the log keeps it
            log.exception("internal error in %s", call.api)
            error = InternalError(f"{type(exc).__name__} in {call.api}")
            error.api_name = call.api
            raise error from exc


def _template_from_file(path: str) -> Doc | None:
    from pathlib import Path

    from client.wire import from_json, from_xml

    for suffix in (".xml", ".json"):
        candidate = Path(path + suffix)
        if candidate.is_file():
            data = candidate.read_bytes()
            return from_xml(data)[1] if suffix == ".xml" else from_json(data)
    return None
