"""What an API function sees: the call's context (transaction, namespace, caller, clock) and its output."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.statuses import Pipelines
from sterling_mock.mock_server.store.tx import Tx


class Prepared(Protocol):
    """A write being prepared outside the store's write lock (``calls.deferred.Prepared``): what a context
    asks of it.  Named by this protocol so the domain never imports the call pipeline."""

    checks: list[tuple[Callable[..., None], tuple[Any, ...]]]

    def draw(self, name: str, start: int, fmt: str | None) -> str: ...

    def holds_token(self, value: Any) -> bool: ...


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
    _stamp: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    #: The API table (``apis.APIS``), handed over by the call pipeline: APIs that run other APIs (multiApi,
    #: getPage, executeFlow) look them up here, so no API module imports the table that imports it.
    apis: Mapping[str, Any] = field(default_factory=dict)
    #: Set while a write API is prepared outside the write lock (deferred.py): keys and sequence numbers are
    #: tokens, checks that need them wait for the commit.
    prepared: Prepared | None = None

    def now(self) -> datetime:
        """One instant per call: every timestamp a call writes is the same, as in one Sterling transaction."""
        if self._now is None:
            self._now = clock.now(self.tx, self.ns)
        return self._now

    def new_key(self) -> str:
        if self.prepared is not None:
            return self.prepared.draw("key", 1, None)
        return clock.make_key(self.now(), self.tx.next_value(self.ns, "key"))

    def sequence_text(self, name: str, start: int, fmt: str) -> str:
        """The next value of sequence ``name`` (first ``start``), formatted by ``fmt`` (``"Y{:09d}"``)."""
        if self.prepared is not None:
            return self.prepared.draw(name, start, fmt)
        return fmt.format(self.tx.next_value(self.ns, name, start))

    def verify(self, check: Callable[..., None], *args: Any) -> None:
        """Run ``check(ctx, *args)`` (it raises when the write must not happen).  While prepared, it runs again
        at the commit, on the final values; now as well when ``args`` hold no token (same error order)."""
        if self.prepared is None or not self.prepared.holds_token(args):
            check(self, *args)
        if self.prepared is not None:
            self.prepared.checks.append((check, args))

    def stamp(self) -> str:
        """``now()`` as every timestamp attribute of the call shows it (formatted once per call)."""
        if not self._stamp:
            self._stamp = clock.format_datetime(self.now())
        return self._stamp


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
