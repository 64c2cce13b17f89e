"""Control routes that read or replace a namespace's records: journal, summary, state snapshots; and what
the stored output templates hold (they are stored by ``PUT /_fake/templates/<id>`` in ``control/__init__``)."""

from __future__ import annotations

import orjson
from flask import Response, request

from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls import faults, throttle
from sterling_mock.mock_server.calls.dispatch import TEMPLATES_NS
from sterling_mock.mock_server.control import (
    ControlError,
    bp,
    fake,
    invalid,
    json_response,
    namespace,
    no_content,
)
from sterling_mock.mock_server.domain import clock, snapshot
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.store import db, journal
from sterling_mock.mock_server.store.tx import Tx


def _time_arg(name: str) -> str:
    raw = request.args.get(name, "")
    if not raw:
        return ""
    try:
        return journal.stamp(clock.parse_datetime(raw, attribute=name))
    except SterlingError:
        raise invalid(name, f"{raw!r} is not an ISO 8601 date-time") from None


@bp.get("/journal")
def get_journal() -> Response:
    """``?api=&since=&until=&user=&transport=&limit=100`` -> ``{"entries": [...], "dropped": d}``, newest last."""
    raw_limit = request.args.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100_000:
        raise invalid("limit", "must be an integer from 1 to 100000")
    ns = namespace()
    journal.settle(fake().store)
    with fake().store.read() as tx:
        found = journal.entries(
            tx,
            ns,
            api=request.args.get("api", ""),
            since=_time_arg("since"),
            until=_time_arg("until"),
            user=request.args.get("user", ""),
            transport=request.args.get("transport", ""),
            limit=int(raw_limit),
        )
        stats = journal.stats(tx, ns)
    return json_response(
        {"entries": found, "dropped": stats["dropped"], "total": stats["entries"], "namespace": ns}
    )


@bp.delete("/journal")
def clear_journal() -> Response:
    with journal.settled(fake().store) as tx:
        journal.clear(tx, namespace())
    return no_content()


@bp.get("/summary")
def summary() -> Response:
    ns = namespace()
    journal.settle(fake().store)
    with fake().store.read() as tx:
        counts = snapshot.summary_counts(tx, ns)
        out = {
            **counts,
            "throttle": throttle.stats(tx, ns),
            "journal": journal.stats(tx, ns),
            "faults": len(faults.listing(tx, ns)),
            "clock": clock.clock_info(tx, ns),
            "namespace": ns,
        }
    return json_response(out)


@bp.get("/state")
def export_state() -> Response:
    with fake().store.read() as tx:
        return json_response(snapshot.export(tx, namespace()))


def _rederive(tx: Tx, ns: str) -> None:
    """Every imported order must be a JSON object under its own key, or each later read of it would fail; its
    query columns, line index and list renders are then derived again from that document, so an order edited
    in the snapshot is found by what it now says, not by the columns exported beside it."""
    runtime = fake()
    ctx = Ctx(
        tx=tx, ns=ns, user="", settings=runtime.settings, pipelines=runtime.pipelines, api="importState"
    )
    for key, raw in tx.conn.execute("SELECT ohk, doc FROM orders WHERE ns=?", (ns,)).fetchall():
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            doc = None
        if not isinstance(doc, dict):
            raise snapshot.SnapshotError(f"tables.orders: the doc of {key} is not a JSON object")
        if doc.get("OrderHeaderKey") != key:
            raise snapshot.SnapshotError(f"tables.orders: the doc of {key} names another OrderHeaderKey")
        try:
            model.rederive(ctx, doc)
        except (SterlingError, KeyError, TypeError, ValueError, AttributeError) as exc:
            detail = str(exc) if isinstance(exc, SterlingError) else f"{type(exc).__name__} {exc}"
            raise snapshot.SnapshotError(f"tables.orders: order {key} cannot be read: {detail}") from None


@bp.put("/state")
def import_state() -> Response:
    """Replace the namespace's state with a snapshot (from any namespace); all or nothing."""
    raw = request.get_data(cache=True)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ControlError(400, "INVALID_JSON", f"The body is not valid JSON: {exc}") from None
    ns = namespace()
    try:
        with fake().store.exclusive_write() as tx:
            counts = snapshot.import_(tx, ns, data)
            _rederive(tx, ns)
    except snapshot.SnapshotError as exc:
        raise ControlError(400, "INVALID_SNAPSHOT", str(exc)) from None
    except db.database_errors() as exc:  # a missing column, a duplicate key: the import is rolled back
        raise ControlError(
            400, "INVALID_SNAPSHOT", f"the snapshot's rows do not fit the store: {db.describe(exc)}"
        ) from None
    return json_response({"imported": counts, "namespace": ns})


@bp.get("/templates")
def list_templates() -> Response:
    """``{"templates": [id, ...]}``: the ids stored through the control plane (not the ``template_dir``
    files, which are read from their folder when named)."""
    with fake().store.read() as tx:
        rows = tx.conn.execute("SELECT key FROM kv WHERE ns=? ORDER BY key", (TEMPLATES_NS,)).fetchall()
    return json_response({"templates": [str(row[0]) for row in rows]})


@bp.get("/templates/<template_id>")
def get_template(template_id: str) -> Response:
    """What ``PUT /_fake/templates/<id>`` stored, in the shape it answered: ``{"id", "template"}``."""
    with fake().store.read() as tx:
        stored = tx.kv_get(TEMPLATES_NS, template_id)
    if stored is None:
        raise ControlError(
            404, "NOT_FOUND", f"id: no template {template_id!r} stored through /_fake/templates"
        )
    return json_response({"id": template_id, "template": stored})


@bp.get("/namespaces")
def namespaces() -> Response:
    """Every namespace holding orders or a journal, with its order count."""
    journal.settle(fake().store)
    with fake().store.read() as tx:
        rows = tx.conn.execute(
            "SELECT ns, sum(o) FROM (SELECT ns, count(*) AS o FROM orders GROUP BY ns "
            "UNION ALL SELECT DISTINCT ns, 0 FROM journal UNION ALL SELECT ns, 0 FROM namespaces) "
            "AS t GROUP BY ns ORDER BY ns"
        ).fetchall()
    return json_response({"namespaces": {str(ns): int(n) for ns, n in rows}})
