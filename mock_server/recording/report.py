"""The drift report's rules and outputs: ignore rules as data, a readable summary by API and path, JUnit XML."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from sterling_mock.mock_server.recording.compare import Difference


@dataclass
class Rule:
    id: str
    reason: str
    path: str = "*"
    api: str = "*"
    kind: str = ""
    fired: int = 0
    pattern: re.Pattern[str] = field(default=re.compile(".*"), repr=False)

    @classmethod
    def parse(cls, raw: Any, index: int) -> Rule:
        if not isinstance(raw, dict) or not isinstance(raw.get("reason"), str) or not raw["reason"].strip():
            raise ValueError(f"rules[{index}]: every ignore rule needs a reason")
        path = str(raw.get("path", "*"))
        return cls(
            id=str(raw.get("id") or f"rule-{index + 1}"),
            reason=raw["reason"],
            path=path,
            api=str(raw.get("api", "*")),
            kind=str(raw.get("kind", "")),
            pattern=re.compile("^" + re.escape(path).replace(r"\*", ".*") + "$"),
        )

    def covers(self, difference: Difference) -> bool:
        return (
            (self.api in ("*", difference.api))
            and (not self.kind or self.kind == difference.kind)
            and bool(self.pattern.match(difference.path))
        )

    def as_json(self) -> dict[str, Any]:
        out = {"id": self.id, "api": self.api, "path": self.path, "reason": self.reason, "fired": self.fired}
        if self.kind:
            out["kind"] = self.kind
        return out


def load_rules(raw: Any) -> list[Rule]:
    items = raw.get("rules", []) if isinstance(raw, dict) else raw or []
    return [Rule.parse(item, i) for i, item in enumerate(items)]


def load_rules_data(raw: Any) -> list[Any]:
    items = raw.get("rules", []) if isinstance(raw, dict) else raw
    return list(items) if isinstance(items, list) else []


def summary(report: dict[str, Any]) -> str:
    lines = [
        f"drift of {report['session']}: {report['exchanges']} calls, {len(report['differences'])} differences, "
        f"{report['uncovered']} not covered by a rule, {len(report['preconditions'])} preconditions"
    ]
    for api, paths in sorted(report["by_api"].items()):
        lines.append(f"  {api}")
        for path, count in sorted(paths.items()):
            lines.append(f"    {path}  x{count}")
    for difference in report["differences"]:
        if not difference.get("ignored_by"):
            lines.append(
                f"  #{difference['seq']} {difference['api']} {difference['kind']} {difference['path']}: "
                f"real {difference['real']!r}, fake {difference['fake']!r}"
            )
    for pre in report["preconditions"]:
        lines.append(f"  precondition #{pre['seq']} {pre['api']}: refers to {', '.join(pre['refers_to'])}")
    for pre in report.get("preloaded", []):
        lines.append(f"  loaded from the recording #{pre['seq']} {pre['api']}: {', '.join(pre['refers_to'])}")
    for api, seqs in sorted(report["unmodelled"].items()):
        lines.append(f"  not modelled by the fake (serve it from stubs): {api} #{', #'.join(map(str, seqs))}")
    for rule in report["rules"]:
        lines.append(f"  rule {rule['id']} fired {rule['fired']}x ({rule['reason']})")
    if report["never_fired"]:
        lines.append(f"  rules that never fired: {', '.join(report['never_fired'])}")
    for rule in report["proposed_rules"]:
        lines.append(f"  proposed rule: {json.dumps(rule)}")
    return "\n".join(lines)


def junit(report: dict[str, Any]) -> str:
    """One test case per replayed call; a failure lists its differences that no rule covers."""
    failing: dict[int, list[dict[str, Any]]] = {}
    for difference in report["differences"]:
        if not difference.get("ignored_by"):
            failing.setdefault(difference["seq"], []).append(difference)
    suite = quoteattr(f"drift.{report['session']}")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites><testsuite name={suite} tests="{len(report["steps"])}" failures="{len(failing)}" errors="0">',
    ]
    for step in report["steps"]:
        name = quoteattr(f"#{step['seq']:04d} {step['api']}")
        found = failing.get(step["seq"])
        if not found:
            out.append(f"<testcase classname={suite} name={name}/>")
            continue
        text = "\n".join(f"{d['kind']} {d['path']}: real {d['real']!r}, fake {d['fake']!r}" for d in found)
        message = quoteattr(f"{len(found)} difference(s): " + ", ".join(d["path"] for d in found))
        body = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(
            f"<testcase classname={suite} name={name}><failure message={message}>{body}</failure></testcase>"
        )
    out.append("</testsuite></testsuites>")
    return "\n".join(out) + "\n"
