"""invoke(api, document, call): the one path every door takes — authentication is done by the door; here
the API is looked up, run inside one transaction, and its output pruned by a template."""

from __future__ import annotations

import logging
import time

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis import APIS, ApiSpec
from sterling_mock.mock_server.base.errors import InternalError, InvalidValue, SterlingError, UnknownApi
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls import agents, deferred, faults, stubs, throttle
from sterling_mock.mock_server.calls.call import Call as Call
from sterling_mock.mock_server.domain import clock, masterdata
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import cache, model
from sterling_mock.mock_server.domain.statuses import Pipelines
from sterling_mock.mock_server.store import journal, walcheckpoint
from sterling_mock.mock_server.store.core import Store
from sterling_mock.mock_server.store.journal import Entry as JournalEntry
from sterling_mock.mock_server.store.tx import Tx

log = logging.getLogger("sterling_mock")
#: Transports of calls the fake makes itself: never throttled or faulted; seeding is not journaled either.
INTERNAL_TRANSPORTS = ("agent", "control", "seed")
#: The kv namespace of templates registered through the control plane (``PUT /_fake/templates/<id>``).
TEMPLATES_NS = "_templates"


class Fake:
    """The fake's runtime: settings, store and pipelines, and the dispatcher every door calls."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.db, durability=settings.durability)
        self.pipelines = (
            Pipelines.from_file(settings.pipeline_file) if settings.pipeline_file else Pipelines.default()
        )
        masterdata.load_file(settings.master_data_file)  # a bad file fails at start, not on first use
        if settings.flows_file:
            from sterling_mock.mock_server.apis import flows

            flows.read_file(settings.flows_file, APIS)  # likewise for the services file

    def knows(self, api: str) -> bool:
        return api in APIS

    def spec(self, api: str, ns: str = "") -> ApiSpec:
        """The API's spec; an API the fake does not model is answered by the namespace's stubs when it has
        some for it (``calls/stubs.py``), else MOCK0006."""
        spec = APIS.get(api)
        if spec is None:
            if ns:
                with self.store.read() as tx:
                    if stubs.has_stubs(tx, ns, self.settings, api):
                        return stubs.SPEC
            raise UnknownApi(f"API '{api}' is not implemented by this instance.", attributes={"ApiName": api})
        return spec

    def stored_template(self, template_id: str, tx: Tx) -> Doc:
        """A template registered through the control plane (read in ``tx``, usually from what
        ``prefetch_controls`` fetched), or ``<template_dir>/<id>.xml|.json``."""
        stored = tx.kv_get(TEMPLATES_NS, template_id)
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
        """Namespace, due agents, throttle, faults, the API, and a journal entry for every outcome.

        Calls the fake makes itself (transport ``agent``, ``control``, ``seed``) are never throttled, faulted
        or used to trigger agents; seeding is not journaled either.
        """
        started = time.perf_counter()
        if call.ns == "default" and call.user in self.settings.users_namespaces:
            call.ns = self.settings.users_namespaces[call.user]
        spec = self.spec(call.api, call.ns)
        entry = journal.Entry(call.ns, call.user, call.transport, call.api, doc)
        try:
            fired = self._before(call, doc, entry)
            if call.extras.get("stubbed"):
                spec = stubs.SPEC  # a stub set to override this modelled API
            inline = call.transport != "seed" and not (fired and fired.after) and spec is not stubs.SPEC
            output = self.run(call, doc, spec, entry=entry if inline else None, started=started)
            if output.meta and spec is stubs.SPEC:
                stubs.after(output)  # its delay, or the error it answers (after its use was counted)
            if spec.writes:
                walcheckpoint.notify(self.store)  # its WAL pages, checkpointed off the request path
            entry.packed_output = output.journal  # when cached, the document itself is not needed
            if output.journal is None:
                entry.output = journal.output_document(output.doc, output.prerendered)
            entry.http_status = 204 if output.void and call.transport in ("rest", "resource") else 200
            entry.renders = output.renders
            if fired and fired.after:
                faults.fire(fired)
            return output
        except BaseException as exc:
            describe_failure(entry, exc, call.transport)
            raise
        finally:
            if call.transport != "seed" and not entry.written:
                self.journal(entry, started)

    def _before(self, call: Call, doc: Doc, entry: journal.Entry) -> faults.Fired | None:
        """One read of the namespace's controls, then only the work they ask for: due agent steps, the
        throttle bucket, fault matching (a fault without ``after`` fires here, before the API)."""
        with self.store.read(single=True) as tx:
            # the block's one statement (with the stored template the call names, if any)
            named = call.template is None and call.template_id
            tx.prefetch_controls(  # the free kv slot reads the stub overrides when no template is named
                call.ns,
                throttle.KV_KEY,
                agents.KV_CONFIG,
                (TEMPLATES_NS, call.template_id) if named else (call.ns, stubs.KV_OVERRIDE),
            )
            entry.time = journal.stamp(clock.now(tx, call.ns))
            if call.template is None and call.template_id:
                call.template = self.stored_template(call.template_id, tx)
            if call.transport in INTERNAL_TRANSPORTS:
                return None
            if call.api in APIS and call.api in stubs.overrides(tx, call.ns, self.settings):
                call.extras["stubbed"] = "Y"
            limits = throttle.config(tx, call.ns, self.settings)
            agents_on = bool(agents.config(tx, call.ns, self)["enabled"])
            has_faults = faults.has_rules(tx, call.ns)
        if agents_on:
            agents.catch_up(self, call.ns)
        if limits.enabled:
            throttle.take(self.store, call.ns, call.user, limits)
        fired = (
            faults.take(self.store, call.ns, call.api, call.user, call.transport, doc) if has_faults else None
        )
        entry.fault = fired.id if fired else ""
        if fired and not fired.after:
            faults.fire(fired)
        return fired

    def journal_refusal(self, ns: str, door: str, api: str, exc: SterlingError) -> None:
        """Journal a call refused at the door, before ``invoke`` (bad credentials, bad body, unknown API)."""
        transport = {"resources": "resource", "": "rest"}.get(door, door)
        entry = journal.Entry(ns, "", transport, api)
        describe_failure(entry, exc, transport)
        self.journal(entry, time.perf_counter())

    def _journal_inline(
        self, tx: Tx, call: Call, entry: JournalEntry, output: Output, started: float
    ) -> None:
        """Append a write call's journal entry inside its transaction; on any failure leave it to the
        separate write after the call (bookkeeping never fails a call).  With a spool (SQLite files) the entry
        is appended to it after the call instead, like every other call's."""
        if self.settings.journal_limit <= 0 or self.store.spool is not None:
            return
        entry.packed_output = output.journal
        if output.journal is None:
            entry.output = journal.output_document(output.doc, output.prerendered)
        entry.http_status = 204 if output.void and call.transport in ("rest", "resource") else 200
        tx.conn.execute("SAVEPOINT journal_entry")
        try:
            journal.append(
                tx,
                entry,
                (time.perf_counter() - started) * 1000,
                limit=self.settings.journal_limit,
                doc_bytes=self.settings.journal_doc_bytes,
            )
        except Exception:  # pragma: no cover - see journal()
            tx.conn.execute("ROLLBACK TO journal_entry")
            log.exception("journal write failed for %s", entry.api)
        else:
            entry.written = True
        tx.conn.execute("RELEASE journal_entry")

    def journal(self, entry: journal.Entry, started: float) -> None:
        """Write one journal entry (a failure to write it never fails the call)."""
        try:
            if not entry.time:
                with self.store.read() as tx:
                    entry.time = journal.stamp(clock.now(tx, entry.ns))
            journal.write(
                self.store,
                entry,
                (time.perf_counter() - started) * 1000,
                limit=self.settings.journal_limit,
                doc_bytes=self.settings.journal_doc_bytes,
            )
        except Exception:  # pragma: no cover - bookkeeping must not turn a good answer into an error
            log.exception("journal write failed for %s", entry.api)

    def run(
        self,
        call: Call,
        doc: Doc,
        spec: ApiSpec | None = None,
        *,
        entry: JournalEntry | None = None,
        started: float = 0.0,
    ) -> Output:
        """Run one API in one transaction: a failed call changes nothing.  A write call's journal ``entry``
        commits in the same transaction (one commit per call: durable commits are what createOrder pays)."""
        spec = spec or self.spec(call.api)
        try:
            if spec.fast is not None and not spec.writes:  # one statement, no transaction around it
                with self.store.read(single=True) as tx:
                    quick = spec.fast(self._ctx(tx, call), doc)
                if quick is not None:
                    return Output.none() if spec.void else quick
            prepared = self._prepare(call, doc, spec) if spec.prepared else None
            with self.store.write(ns=call.ns) if spec.writes else self.store.read() as tx:
                if spec.writes:
                    walcheckpoint.adopt(tx.conn)  # its checkpoints run off the request path too
                ctx = self._ctx(tx, call)
                values = prepared[1].commit(ctx) if prepared is not None else None
                if prepared is not None and values is not None:
                    output = prepared[1].output(prepared[0], values)
                else:  # not prepared, or the clock moved on meanwhile: the API runs here, under the lock
                    try:
                        output = spec.fn(ctx, doc)
                    except SterlingError:
                        raise
                    except Exception as exc:
                        named = _unreadable(ctx)
                        if named is None:
                            raise
                        raise named from exc
                fills = [fill.row() for fill in ctx.extras.get(cache.FILLS, ())]
                if fills and spec.writes:
                    tx.put_renders(call.ns, fills, cache.KEEP)
                elif fills:
                    output.renders = fills  # stored with the journal entry, in its transaction
                final = Output.none() if spec.void else output
                if spec.writes and entry is not None:
                    self._journal_inline(tx, call, entry, final, started)
                return final
        except SterlingError as exc:
            exc.api_name = call.api
            raise
        except Exception as exc:  # never a stack trace on the wire; the log keeps it
            log.exception("internal error in %s", call.api)
            error = InternalError(f"{type(exc).__name__} in {call.api}")
            error.api_name = call.api
            raise error from exc

    def _prepare(self, call: Call, doc: Doc, spec: ApiSpec) -> tuple[Output, deferred.Prepared] | None:
        """Run a ``prepared`` write API on plain reads (no lock, no snapshot), its writes recorded (deferred.py);
        None when it must run classically (strict master data reads and writes through its own tables)."""
        if self.settings.strict_master_data:
            return None
        prepared = deferred.Prepared()
        # statement by statement, no snapshot: what it reads that matters is read again at the commit
        with self.store.read(single=True) as tx:
            ctx = self._ctx(tx, call)
            ctx.tx = deferred.Recorder(tx, prepared)  # type: ignore[assignment]
            ctx.prepared = prepared
            try:
                output = spec.fn(ctx, doc)
            except deferred.NeedsClassic:
                return None
            if ctx.extras.get(cache.FILLS):
                return None
            prepared.stamp = clock.format_datetime(ctx.now())
        return output, prepared

    def _ctx(self, tx: Tx, call: Call) -> Ctx:
        return Ctx(
            tx=tx,
            ns=call.ns,
            user=call.user,
            settings=self.settings,
            pipelines=self.pipelines,
            api=call.api,
            progid=call.progid,
            template=call.template,
            fmt=call.fmt,
            apis=stubs.StubbedTable(APIS, tx, call.ns, self.settings),
        )


def _unreadable(ctx: Ctx) -> Exception | None:
    """The error naming an order the failed call loaded that an older version stored in a shape this one
    cannot read (MOCK0121, pointing at ``sterling-mock repair``), or None: a 500 stays a 500."""
    try:
        return model.unreadable_loaded(ctx)
    except Exception:  # the transaction may be unusable after the failure: keep the original error
        return None


def _template_from_file(path: str) -> Doc | None:
    from pathlib import Path

    from sterling_mock.client.wire import from_json, from_xml

    for suffix in (".xml", ".json"):
        candidate = Path(path + suffix)
        if candidate.is_file():
            data = candidate.read_bytes()
            return from_xml(data)[1] if suffix == ".xml" else from_json(data)
    return None


def describe_failure(entry: journal.Entry, exc: BaseException, transport: str) -> None:
    """Status, error code and output of a failed call, as the caller's door renders them."""
    if isinstance(exc, SterlingError):
        exc.journaled = True  # type: ignore[attr-defined]  # the app's handler must not journal it again
        # the interop servlet answers errors with HTTP 200 and an <Errors> document (reference §4), except
        # the size limit and throttling, which keep their status there too (interop.py)
        entry.http_status = 200 if transport == "interop" and exc.status not in (413, 429) else exc.status
        entry.error_code = exc.error_code
        entry.output = {
            "errors": [
                {
                    "ErrorCode": exc.error_code,
                    "ErrorDescription": exc.error_description,
                    "MoreInfo": {"ErrorRelatedMoreInfo": exc.more_info, **exc.attributes},
                }
            ]
        }
    elif isinstance(exc, faults.FaultHttp):
        entry.http_status = exc.status
        entry.output = {"body": exc.body.decode("latin-1")[:500]}
    elif isinstance(exc, faults.FaultAbort):
        entry.http_status = 0
        entry.error_code = f"connection {exc.kind}"
    else:
        entry.http_status = 500
        entry.error_code = type(exc).__name__
