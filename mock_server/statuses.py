"""The status pipelines: codes, descriptions, ordering, and the Min/Max/"Partially ..." rules (reference §6)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CANCELLED = "9000"
CREATED = "1100"
DRAFT = "1000"

#: Sales order pipeline (0001) from getStatusList on an IBM demo instance [OBS].
SALES_ORDER: dict[str, str] = {
    "1000": "Draft Order Created",
    "1100": "Created",
    "1200": "Reserved",
    "1300": "Backordered",
    "1310": "Unscheduled",
    "1400": "Backordered From Node",
    "1500": "Scheduled",
    "1600": "Awaiting Chained Order Creation",
    "2100": "Chained Order Created",
    "3200": "Released",
    "3300": "Sent To Node",
    "3350": "Included In Shipment",
    "3700": "Shipped",
    "3700.01": "Return Created",
    "3700.02": "Return Received",
    "3900": "Received",
    "3950": "Receipt Closed",
    "9000": "Cancelled",
}

#: Return order pipeline (0003) [INF: the common default of a return pipeline].
RETURN_ORDER: dict[str, str] = {
    "1000": "Draft Order Created",
    "1100": "Created",
    "1500": "Scheduled",
    "3200": "Released",
    "3700.01": "Return Created",
    "3900": "Received",
    "3950": "Receipt Closed",
    "9000": "Cancelled",
}


def sort_key(code: str) -> str:
    """A string that orders dotted status codes segment by segment (``3700.01 < 3700.02 < 3900``)."""
    parts = code.split(".")
    out = []
    for part in parts:
        digits = part if part.isdigit() else "0"
        out.append(digits.zfill(8)[-8:])
    return ".".join(out)


@dataclass
class Pipeline:
    document_type: str
    descriptions: dict[str, str]

    def describe(self, code: str) -> str:
        return self.descriptions.get(code, code)

    def known(self, code: str) -> bool:
        return code in self.descriptions

    def codes(self) -> list[str]:
        return sorted(self.descriptions, key=sort_key)


@dataclass
class Pipelines:
    """The installation's pipelines by document type; unknown document types use the sales order's."""

    by_type: dict[str, Pipeline] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Pipelines:
        return cls(
            {
                "0001": Pipeline("0001", dict(SALES_ORDER)),
                "0003": Pipeline("0003", dict(RETURN_ORDER)),
                "0005": Pipeline("0005", dict(SALES_ORDER)),
                "0006": Pipeline("0006", dict(SALES_ORDER)),
            }
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Pipelines:
        """``{"0001": {"3700.0005": "Order Delivered", ...}, "0003": {...}}``: replaces or adds codes."""
        pipelines = cls.default()
        config = json.loads(Path(path).read_text(encoding="utf-8"))
        for doc_type, codes in config.items():
            base = pipelines.by_type.get(doc_type) or Pipeline(doc_type, dict(SALES_ORDER))
            base.descriptions.update({str(k): str(v) for k, v in codes.items()})
            pipelines.by_type[doc_type] = base
        return pipelines

    def get(self, document_type: str) -> Pipeline:
        return self.by_type.get(document_type) or self.by_type["0001"]


def min_max(codes_with_qty: Iterable[tuple[str, float]]) -> tuple[str, str]:
    """Lowest and highest status over the quantities given.

    Cancelled quantity (9000) counts only when nothing else is open: a line of 3 with 1 cancelled and 2
    created reads Created, not "Partially Cancelled" — Sterling drops cancelled quantity from OrderedQty
    and its status views follow the open quantity.
    """
    present = [code for code, qty in codes_with_qty if qty > 0]
    if not present:
        return CREATED, CREATED
    open_codes = [c for c in present if c != CANCELLED]
    pool = open_codes or present
    ordered = sorted(pool, key=sort_key)
    return ordered[0], ordered[-1]


def status_text(pipeline: Pipeline, min_code: str, max_code: str) -> str:
    """Order/line ``Status``: the description, or "Partially <max>" when quantities differ [OBS]."""
    if min_code == max_code:
        return pipeline.describe(max_code)
    return "Partially " + pipeline.describe(max_code)
