"""Sterling status codes -> descriptions and a small set of workflow states (configurable)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DESCRIPTIONS = {
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
WORKFLOW = {
    "1000": "draft",
    "1100": "open",
    "1200": "open",
    "1300": "backordered",
    "1310": "open",
    "1400": "backordered",
    "1500": "allocated",
    "1600": "allocated",
    "2100": "allocated",
    "3200": "released",
    "3300": "released",
    "3350": "packing",
    "3700": "shipped",
    "3700.01": "returning",
    "3700.02": "returning",
    "3900": "returned",
    "3950": "closed",
    "9000": "cancelled",
}


@dataclass
class StatusMap:
    descriptions: dict[str, str] = field(default_factory=lambda: dict(DESCRIPTIONS))
    workflow: dict[str, str] = field(default_factory=lambda: dict(WORKFLOW))

    @classmethod
    def from_file(cls, path: str | Path) -> StatusMap:
        """``{"descriptions": {code: text}, "workflow": {code: state}}``, merged over the defaults."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        mapping = cls()
        mapping.descriptions.update({str(k): str(v) for k, v in data.get("descriptions", {}).items()})
        mapping.workflow.update({str(k): str(v) for k, v in data.get("workflow", {}).items()})
        return mapping

    def _lookup(self, table: dict[str, str], code: str) -> str:
        while code:
            if code in table:
                return table[code]
            code = code.rpartition(".")[0]  # 3700.0005 falls back to 3700
        return ""

    def describe(self, code: str) -> str:
        return self._lookup(self.descriptions, code) or code

    def state(self, code: str) -> str:
        return self._lookup(self.workflow, code) or "unknown"

    def order_state(self, min_code: str, max_code: str) -> str:
        """The order's workflow state: its status's, or ``partially_<max>`` when quantities differ."""
        if not max_code:
            return "unknown"
        state = self.state(max_code)
        return state if min_code in ("", max_code) else f"partially_{state}"
