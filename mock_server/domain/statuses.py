"""The status pipelines: codes, descriptions, ordering, allowed moves, sub-statuses from a configuration
file, and the Min/Max/"Partially ..." rules (reference §6)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANCELLED = "9000"
CREATED = "1100"
DRAFT = "1000"
BACKORDERED = "1300"
SCHEDULED = "1500"
RELEASED = "3200"
INCLUDED_IN_SHIPMENT = "3350"
SHIPPED = "3700"
#: The pipeline key of shipments (not an order document type).
SHIPMENT = "SHIPMENT"

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

#: Moves a sales order's quantity may make [INF: the transactions of the default pipeline — scheduleOrder,
#: releaseOrder, createShipment, confirmShipment, unschedule, backorder, return — as status pairs].
#: A sub-status (``3200.10``) moves as its base code does, and to and from its base and siblings.
SALES_MOVES: dict[str, tuple[str, ...]] = {
    "1000": ("1100", "9000"),
    "1100": ("1200", "1300", "1310", "1400", "1500", "9000"),
    "1200": ("1300", "1500", "9000"),
    "1300": ("1100", "1310", "1500", "9000"),
    "1310": ("1300", "1500", "9000"),
    "1400": ("1300", "1500", "9000"),
    "1500": ("1300", "1310", "1600", "3200", "9000"),
    "1600": ("2100", "9000"),
    "2100": ("3200", "3700", "9000"),
    "3200": ("1300", "3300", "3350", "3700", "9000"),
    "3300": ("3350", "3700", "9000"),
    "3350": ("3200", "3700"),
    "3700": ("3700.01", "3900"),
    "3700.01": ("3700.02", "3900"),
    "3700.02": ("3900",),
    "3900": ("3950",),
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
RETURN_MOVES: dict[str, tuple[str, ...]] = {
    "1000": ("1100", "9000"),
    "1100": ("1500", "3200", "3700.01", "9000"),
    "1500": ("3200", "9000"),
    "3200": ("3700.01", "3900", "9000"),
    "3700.01": ("3900",),
    "3900": ("3950",),
}

#: Outbound shipment statuses [INF: the shipment pipeline's usual codes; configurable under "SHIPMENT"].
SHIPMENT_STATUSES: dict[str, str] = {
    "1100": "Shipment Created",
    "1300": "Shipment Packed",
    "1400": "Shipment Shipped",
    "1600": "Shipment Delivered",
    "9000": "Shipment Cancelled",
}
SHIPMENT_MOVES: dict[str, tuple[str, ...]] = {
    "1100": ("1300", "1400", "9000"),
    "1300": ("1400", "9000"),
    "1400": ("1600",),
}


def sort_key(code: str) -> str:
    """A string that orders dotted status codes segment by segment (``3700.01 < 3700.02 < 3900``)."""
    parts = code.split(".")
    out = []
    for part in parts:
        digits = part if part.isdigit() else "0"
        out.append(digits.zfill(8)[-8:])
    return ".".join(out)


def base_of(code: str) -> str:
    """``3200.10`` -> ``3200``: the pipeline code a sub-status hangs off."""
    return code.split(".", 1)[0]


def is_code(code: str) -> bool:
    return bool(code) and all(part.isdigit() for part in code.split("."))


@dataclass
class Pipeline:
    document_type: str
    descriptions: dict[str, str]
    moves: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self, code: str) -> str:
        return self.descriptions.get(code, code)

    def known(self, code: str) -> bool:
        return code in self.descriptions

    def codes(self) -> list[str]:
        return sorted(self.descriptions, key=sort_key)

    def allows(self, source: str, target: str) -> bool:
        """May quantity at ``source`` move to ``target``?  Sub-statuses share their base code's moves, and
        quantity may move between a code and its own sub-statuses (``3200`` <-> ``3200.10``)."""
        if source in (target, CANCELLED):
            return False
        if base_of(source) == base_of(target) and base_of(source) != CANCELLED:
            return True
        for start in dict.fromkeys((source, base_of(source))):
            allowed = self.moves.get(start, ())
            if target in allowed or base_of(target) in allowed:
                return True
        return False


def _pipeline(
    document_type: str, descriptions: dict[str, str], moves: dict[str, tuple[str, ...]]
) -> Pipeline:
    return Pipeline(document_type, dict(descriptions), dict(moves))


@dataclass
class Pipelines:
    """The installation's pipelines by document type; unknown document types use the sales order's."""

    by_type: dict[str, Pipeline] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Pipelines:
        return cls(
            {
                "0001": _pipeline("0001", SALES_ORDER, SALES_MOVES),
                "0003": _pipeline("0003", RETURN_ORDER, RETURN_MOVES),
                "0005": _pipeline("0005", SALES_ORDER, SALES_MOVES),
                "0006": _pipeline("0006", SALES_ORDER, SALES_MOVES),
                SHIPMENT: _pipeline(SHIPMENT, SHIPMENT_STATUSES, SHIPMENT_MOVES),
            }
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Pipelines:
        """Read a pipeline configuration (JSON); see ``configure`` for its shape."""
        try:
            config = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"pipeline file {path}: {exc}") from exc
        return cls.configure(config)

    @classmethod
    def configure(cls, config: Any) -> Pipelines:
        """The default pipelines changed by ``config``, keyed by document type (or ``SHIPMENT``)::

            {"0001": {"3700.0005": "Order Delivered"}}                      # flat: codes -> descriptions
            {"0001": {"statuses": {"3200.10": "Ready For Ship"},            # full form
                      "moves": {"3700": ["3700.0005"]}, "replace": false}}

        Codes replace or add descriptions; ``moves`` add allowed moves; ``replace: true`` starts the
        document type from nothing (its statuses and moves are then exactly those given).
        """
        if not isinstance(config, dict):
            raise ValueError("pipeline configuration: expected an object keyed by document type")
        pipelines = cls.default()
        for doc_type, spec in config.items():
            if not isinstance(spec, dict):
                raise ValueError(f"pipeline configuration {doc_type}: expected an object")
            full = "statuses" in spec or "moves" in spec
            codes = spec.get("statuses", {}) if full else spec
            moves = spec.get("moves", {}) if full else {}
            base = pipelines.by_type.get(doc_type)
            if base is None or spec.get("replace") is True:
                base = Pipeline(doc_type, {}, {}) if spec.get("replace") else _sales(doc_type)
            for code, text in _checked(doc_type, codes).items():
                base.descriptions[code] = text
            for code, targets in _checked_moves(doc_type, moves).items():
                base.moves[code] = tuple(dict.fromkeys((*base.moves.get(code, ()), *targets)))
            pipelines.by_type[doc_type] = base
        return pipelines

    def get(self, document_type: str) -> Pipeline:
        return self.by_type.get(document_type) or self.by_type["0001"]


def _sales(doc_type: str) -> Pipeline:
    return _pipeline(doc_type, SALES_ORDER, SALES_MOVES)


def _checked(doc_type: str, codes: Any) -> dict[str, str]:
    if not isinstance(codes, dict):
        raise ValueError(f"pipeline configuration {doc_type}: statuses must be an object")
    out = {}
    for code, text in codes.items():
        if not is_code(str(code)):
            raise ValueError(f"pipeline configuration {doc_type}: {code!r} is not a status code")
        out[str(code)] = str(text)
    return out


def _checked_moves(doc_type: str, moves: Any) -> dict[str, list[str]]:
    if not isinstance(moves, dict):
        raise ValueError(f"pipeline configuration {doc_type}: moves must be an object")
    out = {}
    for code, targets in moves.items():
        if (
            not is_code(str(code))
            or not isinstance(targets, list)
            or not all(is_code(str(t)) for t in targets)
        ):
            raise ValueError(f"pipeline configuration {doc_type}: moves[{code!r}] must list status codes")
        out[str(code)] = [str(t) for t in targets]
    return out


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
