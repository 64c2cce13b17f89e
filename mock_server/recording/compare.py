"""One real answer against one fake answer, attribute by attribute and both ways, through numbered references.

Keys (``*Key``), order, shipment and release numbers, page-set and user tokens differ between two systems by
nature: they are **references**.  The first time a recorded value meets a fake value at the same
place they are bound (``R1``, ``R2``, ...), and from then on the relation is what is compared: the key
createOrder returned must be the key the next answer shows, on both sides.  Timestamps and who made a call
(user ids and names: the drift replays as its own user) are compared as "both present"; everything else
(statuses, error codes, quantities, amounts, flags) is compared as a value.

Each difference has a path with natural keys (``/Order/OrderLines/OrderLine[@PrimeLineNo=1]/@Status``), a kind
(``status``, ``error``, ``missing``, ``unexpected``, ``value``, ``format``, ``count``) and both values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sterling_mock.client.wire import Doc, as_list

KINDS = ("status", "error", "missing", "unexpected", "value", "format", "count")
REFERENCE_NAMES = frozenset(
    {"OrderNo", "ShipmentNo", "ReleaseNo", "PageSetToken", "UserToken", "InvoiceNo", "ReceiptNo", "id"}
)
#: Who made a call: the drift replays as its own user, so these are compared as "both present".
IDENTITY = frozenset({"LoginID", "UserName", "EnteredBy"})
#: Attributes whose value means nothing across systems (a fresh id per error) [OBS].
NOISE = frozenset({"ErrorUniqueExceptionId", "Stack"})
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:?\d{2}|Z)?)?$")
#: Attributes that identify an entry of a repeated element, in order of preference.
ITEM_KEYS = ("PrimeLineNo", "ItemID", "Name", "ChargeName", "ChargeCategory", "CodeValue", "TaxName", "Node")


def is_reference(name: str) -> bool:
    return name in REFERENCE_NAMES or (name.endswith("Key") and name != "PipelineKey")


def is_identity(name: str) -> bool:
    lower = name.lower()
    return name in IDENTITY or lower.endswith("userid") or lower.endswith("progid")


@dataclass
class Difference:
    seq: int
    api: str
    path: str
    kind: str
    real: str | None
    fake: str | None
    note: str = ""
    ignored_by: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "api": self.api,
            "path": self.path,
            "kind": self.kind,
            "real": self.real,
            "fake": self.fake,
        }
        if self.note:
            out["note"] = self.note
        if self.ignored_by:
            out["ignored_by"] = self.ignored_by
        return out


@dataclass
class Bindings:
    """Recorded value <-> fake value, numbered in the order they were first met."""

    forward: dict[str, str] = field(default_factory=dict)
    backward: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)

    def bind(self, real: str, fake: str) -> str | None:
        """None when consistent (binding them the first time); else why not."""
        if real in self.forward:
            if self.forward[real] == fake:
                return None
            return f"R{self.numbers[real]} was bound to {self.forward[real]!r}"
        if fake in self.backward and self.backward[fake] != real:
            return f"the fake's value is already R{self.numbers[self.backward[fake]]}"
        self.forward[real] = fake
        self.backward[fake] = real
        self.numbers[real] = len(self.numbers) + 1
        return None

    def label(self, real: str) -> str:
        number = self.numbers.get(real)
        return f"R{number}" if number else real

    def rewrite(self, text: str) -> str:
        """Every bound recorded value in ``text`` replaced by its fake value (whole tokens only)."""
        if not self.forward or not text:
            return text
        for real in sorted(self.forward, key=len, reverse=True):
            if len(real) < 3 or real not in text:
                continue
            pattern = r"(?<![A-Za-z0-9])" + re.escape(real) + r"(?![A-Za-z0-9])"
            text = re.sub(pattern, self.forward[real].replace("\\", "\\\\"), text)
        return text


@dataclass
class Comparer:
    bindings: Bindings
    seq: int = 0
    api: str = ""
    found: list[Difference] = field(default_factory=list)

    def diff(self, path: str, kind: str, real: str | None, fake: str | None, note: str = "") -> None:
        self.found.append(Difference(self.seq, self.api, path, kind, real, fake, note))

    def element(self, path: str, real: Doc, fake: Doc) -> None:
        """Attributes both ways, then children both ways (repeated ones matched by natural key)."""
        for name in _ordered(real, fake):
            r, f = real.get(name), fake.get(name)
            if isinstance(r, (dict, list)) or isinstance(f, (dict, list)):
                repeated = isinstance(r, list) or isinstance(f, list)
                self.children(path, name, as_list(r), as_list(f), repeated=repeated)
                continue
            self.attribute(f"{path}/@{name}", name, r, f)

    def attribute(self, path: str, name: str, real: str | None, fake: str | None) -> None:
        if name in NOISE:
            return
        if fake is None:
            self.diff(path, "missing", real, None)
            return
        if real is None:
            self.diff(path, "unexpected", None, fake)
            return
        if is_reference(name) and real and fake:
            problem = self.bindings.bind(real, fake)
            if problem:
                self.diff(path, "value", self.bindings.label(real), fake, problem)
            return
        if real == fake or is_identity(name) or (TIMESTAMP.match(real) and TIMESTAMP.match(fake)):
            return
        self.diff(path, "value", real, fake)

    def children(
        self, path: str, name: str, real: list[Doc], fake: list[Doc], *, repeated: bool = True
    ) -> None:
        key = _item_key(real, fake) if repeated else None
        if key is None:
            if len(real) != len(fake):
                self.diff(f"{path}/{name}", "count", str(len(real)), str(len(fake)))
            for index, (r, f) in enumerate(zip(real, fake, strict=False), 1):
                label = f"{path}/{name}" if len(real) == len(fake) == 1 else f"{path}/{name}[{index}]"
                self.element(label, r, f)
            return
        fakes = {_key_value(item, key): item for item in fake}
        reals = {_key_value(item, key): item for item in real}
        for value, item in reals.items():
            label = f"{path}/{name}[{_key_text(key, value)}]"
            if value in fakes:
                self.element(label, item, fakes[value])
            else:
                self.diff(label, "missing", "present", None)
        for value in fakes:
            if value not in reals:
                self.diff(f"{path}/{name}[{_key_text(key, value)}]", "unexpected", None, "present")


def _ordered(real: Doc, fake: Doc) -> list[str]:
    names = list(real)
    names += [n for n in fake if n not in real]
    return names


def _item_key(real: list[Doc], fake: list[Doc]) -> tuple[str, ...] | None:
    """The natural key of a repeated element: one attribute (with SubLineNo beside PrimeLineNo) present and
    unique in every entry on both sides; None when entries are compared by position."""
    items = real + fake
    for name in ITEM_KEYS:
        names = (name, "SubLineNo") if name == "PrimeLineNo" else (name,)
        present = all(isinstance(item.get(name), str) for item in items)
        if present and all(len({_key_value(i, names) for i in side}) == len(side) for side in (real, fake)):
            return names
    return None


def _key_value(item: Doc, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(item.get(n, "")) for n in names)


def _key_text(names: tuple[str, ...], value: tuple[str, ...]) -> str:
    parts = [
        f"@{n}={v}" for n, v in zip(names, value, strict=True) if not (n == "SubLineNo" and v in ("1", ""))
    ]
    return " and ".join(parts)
