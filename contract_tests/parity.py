"""Snapshots of answers: normalise them (keys, numbers, timestamps masked by rule), store them with ``--record``
and compare the shapes of later answers with them, describing each difference in one readable line.

Two kinds, kept apart:

- **parity recordings** (``parity/<target label>/<module>/<test>.json``, ``"source": "real"``): what a real
  instance answered, written only by ``--record`` against a real target.  A difference from one fails the test,
  and only a test with one behind it may be marked ``verified``.
- **regression snapshots** (``regression/<module>/<test>.json``, ``"source": "fake"``): what the fake itself
  answered; a difference is the fake against its own past, listed (``--regression-strict`` fails it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sterling_mock.client.wire import Doc

REGRESSION_DIR = Path(__file__).resolve().parent / "regression"
PARITY_DIR = Path(__file__).resolve().parent / "parity"

# Masking rules, first match wins: (token, attribute-name pattern or None, value pattern or None).
_RULES: tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None], ...] = (
    ("<key>", re.compile(r".*Key$"), None),
    ("<key>", None, re.compile(r"\d{20,25}")),
    ("<token>", re.compile(r"(UserToken|PageSetToken|ErrorUniqueExceptionId)$"), None),
    ("<datetime>", None, re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)?")),
    ("<date>", None, re.compile(r"\d{4}-\d{2}-\d{2}")),
    ("<status>", re.compile(r"(Min|Max)?\w*Status$"), re.compile(r"\d{4}(\.\d+)*")),
    ("<amount>", None, re.compile(r"-?\d+\.\d{2}")),
    ("<number>", None, re.compile(r"-?\d+(\.\d+)?")),
    ("<flag>", None, re.compile(r"[YN]")),
)


def mask(name: str, value: str) -> str:
    """The token standing for ``value`` of attribute ``name``; "" stays "" (present but empty)."""
    if value == "":
        return ""
    for token, name_rule, value_rule in _RULES:
        if name_rule is not None and not name_rule.match(name):
            continue
        if value_rule is not None and not value_rule.fullmatch(value):
            continue
        return token
    return "<text>"


def normalise(doc: Doc) -> Doc:
    """The document with every value masked; repeated children keep their order and count."""
    out: Doc = {}
    for key, value in doc.items():
        if isinstance(value, str):
            out[key] = mask(key, value)
        elif isinstance(value, dict):
            out[key] = normalise(value)
        elif isinstance(value, list):
            out[key] = [normalise(v) for v in value if isinstance(v, dict)]
    return out


def shape(doc: Doc) -> Doc:
    """The shape: attribute names with their masked kind, children by name (``Name[]`` when a list, the
    union of its items' shapes); data-dependent counts and values are gone."""
    out: Doc = {}
    for key, value in sorted(doc.items()):
        if isinstance(value, str):
            out["@" + key] = mask(key, value) if not value.startswith("<") else value
        elif isinstance(value, dict):
            out[key] = shape(value)
        elif isinstance(value, list):
            merged: Doc = {}
            for item in value:
                if isinstance(item, dict):
                    _union(merged, shape(item))
            out[key + "[]"] = merged
    return out


def _union(into: Doc, other: Doc) -> None:
    for key, value in other.items():
        if isinstance(value, dict):
            _union(into.setdefault(key, {}), value)
        elif into.get(key) in (None, ""):
            into[key] = value


def differences(expected: Doc, actual: Doc, path: str = "") -> list[str]:
    """Readable differences between two shapes; an empty value is compatible with any kind (real instances
    write fixed attribute sets, empty where the data has nothing)."""
    found: list[str] = []
    for key in sorted(set(expected) | set(actual)):
        where = f"{path}/{key}" if not key.startswith("@") else f"{path}{key if path else '/' + key}"
        if key not in actual:
            found.append(f"missing {where} (recorded: {_kind(expected[key])})")
        elif key not in expected:
            found.append(f"unexpected {where} (now: {_kind(actual[key])})")
        elif isinstance(expected[key], dict) and isinstance(actual[key], dict):
            found.extend(differences(expected[key], actual[key], where))
        elif expected[key] != actual[key] and "" not in (expected[key], actual[key]):
            found.append(f"{where}: recorded {expected[key]}, now {actual[key]}")
    return found


def _kind(value: Any) -> str:
    return "an element" if isinstance(value, dict) else repr(value)


@dataclass
class Snapshot:
    """One test's recorded answers: ``source`` is ``real`` (recorded against a real instance) or ``fake``
    (an example recorded against the fake); ``entries`` map a label (``1 getOrderDetails``) to a
    normalised answer."""

    source: str
    target: str = ""
    entries: dict[str, Doc] = field(default_factory=dict)

    def dump(self) -> str:
        data = {"source": self.source, "target": self.target, "entries": self.entries}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(str(data["source"]), str(data.get("target", "")), dict(data["entries"]))


def snapshot_path(nodeid: str, root: Path = REGRESSION_DIR) -> Path:
    """``contract_tests/test_orders.py::test_x[json]`` -> ``<root>/test_orders/test_x[json].json``."""
    file_part, _, name = nodeid.partition("::")
    module = Path(file_part).stem
    safe = re.sub(r"[^\w\[\]\-.]+", "_", name.replace("::", "."))
    return root / module / f"{safe}.json"


def label_of(url: str) -> str:
    """A target label from its URL (``https://oms.example.com:9443/smcfs`` -> ``oms.example.com_9443``)."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return safe_label(host)


def safe_label(text: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", text.strip()).strip("_.")


def real_recordings(nodeid: str, root: Path = PARITY_DIR) -> list[tuple[Path, Snapshot]]:
    """Every recording of the test against a real instance, one per target label (sorted by label);
    files that are not real recordings (no ``"source": "real"`` or no target) are not counted."""
    found = []
    for label in sorted(p for p in root.glob("*") if p.is_dir()) if root.is_dir() else ():
        path = snapshot_path(nodeid, label)
        if not path.is_file():
            continue
        try:
            snapshot = Snapshot.load(path)
        except (OSError, ValueError, KeyError):
            continue
        if snapshot.source == "real" and snapshot.target and snapshot.entries:
            found.append((path, snapshot))
    return found


@dataclass
class Recorder:
    """Collects a test's answers; ``finish`` writes them (record) or compares them with the snapshot."""

    path: Path
    record: bool
    source: str
    target: str = ""
    entries: dict[str, Doc] = field(default_factory=dict)

    def __call__(self, api: str, fmt: str, doc: Doc) -> None:
        self.entries[f"{len(self.entries) + 1} {api}"] = normalise(doc)

    def finish(self) -> tuple[str, list[str]]:
        """(the snapshot's source or "" when there is none, readable differences)."""
        if self.record:
            if self.entries:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(
                    Snapshot(self.source, self.target, self.entries).dump(), encoding="utf-8"
                )
            return self.source, []
        if not self.path.is_file():
            return "", []
        recorded = Snapshot.load(self.path)
        return recorded.source, compare(recorded.entries, self.entries)


def compare(recorded: dict[str, Doc], now: dict[str, Doc]) -> list[str]:
    """Shape differences per label, each line prefixed with the label it belongs to."""
    found: list[str] = []
    for label in recorded:
        if label not in now:
            found.append(f"{label}: recorded, but the test no longer makes this call")
            continue
        found.extend(f"{label}: {line}" for line in differences(shape(recorded[label]), shape(now[label])))
    found.extend(f"{label}: new call, not in the snapshot" for label in now if label not in recorded)
    return found
