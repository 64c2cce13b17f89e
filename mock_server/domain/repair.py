"""``sterling-mock repair``: find the stored records a read cannot take — an attribute where the model keeps
an element, or an element where it keeps an attribute (``shapes``), as an older version could write them —
and repair them by dropping the offending values; orders get their list fragments rendered again and their
cached renders dropped.  With ``--dry-run`` it only lists them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.orders import render, shapes
from sterling_mock.mock_server.store.core import Store

#: (table, key column, root element of its documents); master-data records are named by their kind.
TABLES = (
    ("orders", "ohk", "Order"),
    ("order_releases", "release_key", "OrderRelease"),
    ("shipments", "shipment_key", "Shipment"),
)


@dataclass
class Finding:
    table: str
    ns: str
    key: str
    root: str
    problems: list[str]
    doc: dict[str, Any]

    def line(self) -> str:
        return f"{self.table} {self.ns}/{self.key}: {', '.join(self.problems)}"


def _rows(store: Store, table: str, key: str) -> list[tuple[str, str, bytes]]:
    with store.read() as tx:
        return [
            (str(r[0]), str(r[1]), bytes(r[2]))
            for r in tx.conn.execute(f"SELECT ns, {key}, doc FROM {table}")
        ]


def _render_problem(doc: dict[str, Any], settings: Settings) -> str | None:
    try:
        render.full_order(doc, settings, {})
    except Exception as exc:
        return f"cannot be rendered ({type(exc).__name__}: {exc})"
    return None


def scan(store: Store, settings: Settings) -> list[Finding]:
    """Every stored order, release, shipment and master-data record that breaks the shapes rule (an order
    that cannot be rendered is listed too)."""
    found: list[Finding] = []
    for table, key, root in TABLES:
        for ns, name, raw in _rows(store, table, key):
            doc = orjson.loads(raw)
            problems = shapes.violations(root, doc)
            if not problems and table == "orders" and isinstance(doc, dict):
                problem = _render_problem(doc, settings)
                problems = [problem] if problem else []
            if problems:
                found.append(Finding(table, ns, name, root, problems, doc))
    with store.read() as tx:
        records = [
            (str(r[0]), str(r[1]), str(r[2]), bytes(r[3]))
            for r in tx.conn.execute("SELECT ns, kind, code, doc FROM md_records")
        ]
    for ns, kind, code, raw in records:
        doc = orjson.loads(raw)
        problems = shapes.violations(kind, doc)
        if problems:
            found.append(Finding("md_records", ns, f"{kind}/{code}", kind, problems, doc))
    return found


def fix(store: Store, settings: Settings, findings: list[Finding]) -> int:
    """Write each finding back without its offending values; the number of records repaired."""
    repaired = 0
    with store.write() as tx:
        for finding in findings:
            if not isinstance(finding.doc, dict):
                continue
            doc = shapes.repaired(finding.root, finding.doc)
            if shapes.violations(finding.root, doc):
                continue
            raw = orjson.dumps(doc)
            if finding.table == "orders":
                if _render_problem(doc, settings) is not None:
                    continue
                listed = render.prerender(doc, settings)
                tx.conn.execute(
                    "UPDATE orders SET doc=?, r_list_json=?, r_list_xml=? WHERE ns=? AND ohk=?",
                    (raw, listed["list_json"], listed["list_xml"], finding.ns, finding.key),
                )
                tx.conn.execute("DELETE FROM render_cache WHERE ns=? AND ohk=?", (finding.ns, finding.key))
            elif finding.table == "md_records":
                kind, _, code = finding.key.partition("/")
                tx.conn.execute(
                    "UPDATE md_records SET doc=? WHERE ns=? AND kind=? AND code=?",
                    (raw, finding.ns, kind, code),
                )
            else:
                column = dict((t, k) for t, k, _ in TABLES)[finding.table]
                tx.conn.execute(
                    f"UPDATE {finding.table} SET doc=? WHERE ns=? AND {column}=?",
                    (raw, finding.ns, finding.key),
                )
            repaired += 1
    return repaired


def run(settings: Settings, *, dry_run: bool) -> int:
    """List (and unless ``dry_run`` repair) the store's unreadable records.  Exit status: 0 when the store is
    clean or was repaired, 1 when ``dry_run`` found records or some could not be repaired."""
    store = Store(settings.db)
    try:
        findings = scan(store, settings)
        if not findings:
            print("no unreadable records")
            return 0
        for finding in findings:
            print(finding.line())
        if dry_run:
            print(f"{len(findings)} unreadable record(s); run without --dry-run to repair them")
            return 1
        repaired = fix(store, settings, findings)
        print(f"repaired {repaired} of {len(findings)} record(s) (the values listed were dropped)")
        return 0 if repaired == len(findings) else 1
    finally:
        store.close()
