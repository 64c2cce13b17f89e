"""What an API function sees: the call's context (transaction, namespace, caller, clock) and its output."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from client.wire import Doc

from . import clock
from .settings import Settings
from .statuses import Pipelines
from .store import Tx


@dataclass
class Ctx:
    tx: Tx
    ns: str
    user: str
    settings: Settings
    pipelines: Pipelines
    api: str = ""
    progid: str = "RestServlet"
    #: An inline output template (multiApi, getPage, interop TemplateData, stored ``_templateId``).
    template: Doc | None = None
    #: The format the caller wants ("json" or "xml"): lets reads pick the matching stored rendering.
    fmt: str = "json"
    _now: datetime | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        """One instant per call: every timestamp a call writes is the same, as in one Sterling transaction."""
        if self._now is None:
            self._now = clock.now(self.tx, self.ns)
        return self._now

    def new_key(self) -> str:
        return clock.make_key(self.now(), self.tx.next_value(self.ns, "key"))

    def stamp(self) -> str:
        return clock.format_datetime(self.now())


@dataclass
class Output:
    """An API's answer: a document under ``root``, or bytes already rendered per format, or nothing (void)."""

    root: str
    doc: Doc | None = None
    prerendered: dict[str, bytes] = field(default_factory=dict)
    void: bool = False
    #: Extra values a transport may need (the resource door answers ``id``).
    meta: dict[str, str] = field(default_factory=dict)
    #: Renders a read made, for the render cache: ``(ohk, kind, body, source document)`` rows.
    renders: list[tuple[str, str, bytes, bytes]] = field(default_factory=list)
    #: The output as the journal stores it, when it came from the render cache (``journal.packed_output``).
    journal: bytes | None = None

    @classmethod
    def none(cls) -> Output:
        return cls("Output", {}, void=True)
