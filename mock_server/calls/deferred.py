"""Prepared writes: a write API built outside the store's write lock, committed inside it in a few statements.

Why.  A durable createOrder spends ~0.5 ms of CPU validating, deriving totals, rendering its list fragments and
building its audit, and all of it ran inside the write transaction, which every worker of a store takes in
turn: two workers created one order after the other (bench/README.md, round 4).  Only three things in that
work need the lock: the sequences (keys, order numbers), the instant the call happens at, and the checks that
nothing else holds the same key or number.

How.  ``Fake.run`` runs an API whose spec says ``prepared`` twice over:

1. *prepare*, on plain reads (no lock; nothing it reads decides the outcome without being checked again at
   the commit), with a ``Prepared`` on the context: every key and sequence number the API
   draws (``Ctx.new_key``, ``Ctx.sequence_text``) is a token (``#<nonce>:<n>#``, unguessable, never escaped in
   JSON or XML); the checks that need the final values are recorded (``Ctx.verify``); writes are recorded,
   not run (``Recorder``: reads pass through, a write it does not know sends the call to the classic path);
2. *commit*, in the write transaction: if the namespace's clock still gives the same second (every stamp the
   call wrote has that resolution), the sequences are advanced once each by the number of tokens drawn from
   them, the tokens replaced by the values (one split and join per serialised document), the checks run, and
   the writes replayed.  Otherwise the API runs again, classically, inside the same transaction.

Results are those of the classic path: tokens are numbered in the order the API drew them, so one caller gets
the same keys and numbers; keys carry the commit's millisecond (taken under the lock), so they still sort in
commit order.  A failed check rolls back the whole transaction, sequences included.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.store.tx import Tx


class NeedsClassic(Exception):
    """The prepare step met something it cannot defer (a raw connection, an unknown write): run classically."""


#: Tx methods a prepare step may call: they only read (each statement on its own, outside any transaction).
READS = frozenset(
    {
        "order_exists",
        "order_key_by_no",
        "get_order",
        "get_order_bytes",
        "clock_state",
        "kv_get",
        "has_faults",
        "columns",
        "cached_renders",
        "renders_of",
        "get_rendered_many",
        "count_orders",
        "audits_of",
        "memo",
    }
)
#: Tx writes a prepare step records, with the index of the positional argument that is a document (None:
#: ``save_order``, whose row holds it under "doc"): serialised at once, so the commit replaces tokens in bytes.
RECORDED = {"save_order": None, "put_audit": 3}


class Recorder:
    """What a prepare step sees as ``ctx.tx``: the store's reads, and writes kept for the commit."""

    def __init__(self, tx: Tx, prepared: Prepared) -> None:
        self._tx = tx
        self._prepared = prepared

    def __getattr__(self, name: str) -> Any:
        if name in READS:
            return getattr(self._tx, name)
        if name in RECORDED:
            return lambda *args, **kwargs: self._prepared.record(name, args, kwargs)
        raise NeedsClassic(name)


@dataclass
class Values:
    """What the tokens of one call stand for: by token, and by number as text and as UTF-8."""

    exact: dict[str, str]
    text: list[str]
    raw: list[bytes]


class Prepared:
    """The tokens, checks and writes of one prepare step."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.marker = "#" + self.nonce + ":"
        #: (token, sequence name, start, format) in the order the API drew them; format None = a key.
        self.tokens: list[tuple[str, str, int, str | None]] = []
        self.checks: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        self.writes: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        #: The second every stamp of the call shows (``clock.format_datetime``).
        self.stamp = ""

    # ------------------------------------------------------------------------------------ prepare

    def draw(self, name: str, start: int, fmt: str | None) -> str:
        token = f"{self.marker}{len(self.tokens)}#"
        self.tokens.append((token, name, start, fmt))
        return token

    def holds_token(self, value: Any) -> bool:
        return self.marker in repr(value)

    def record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if name == "save_order":
            row = dict(args[1])
            row["doc"] = orjson.dumps(row["doc"])
            args = (args[0], row, *args[2:])
        else:
            index = RECORDED[name]
            if index is not None:
                args = (*args[:index], orjson.dumps(args[index]), *args[index + 1 :])
        self.writes.append((name, args, kwargs))

    # ------------------------------------------------------------------------------------ commit

    def commit(self, ctx: Ctx) -> Values | None:
        """Allocate, check and write in ``ctx.tx`` (the write transaction); the tokens' values, or None when
        the clock moved to another second since the prepare step (the caller then runs the API again)."""
        now = clock.now(ctx.tx, ctx.ns)
        if clock.format_datetime(now) != self.stamp:
            return None
        values = self._allocate(ctx.tx, ctx.ns, now)
        for check, args in self.checks:
            check(ctx, *self.substitute(args, values))
        for name, args, kwargs in self.writes:
            getattr(ctx.tx, name)(*self.substitute(args, values), **self.substitute(kwargs, values))
        return values

    def _allocate(self, tx: Tx, ns: str, now: Any) -> Values:
        drawn: dict[str, list[int]] = {}
        for number, (_token, name, _start, _fmt) in enumerate(self.tokens):
            drawn.setdefault(name, []).append(number)
        finals = [""] * len(self.tokens)
        for name, numbers in drawn.items():
            start = self.tokens[numbers[0]][2]
            first = tx.next_value(ns, name, start, count=len(numbers)) - len(numbers) + 1
            for offset, number in enumerate(numbers):
                fmt = self.tokens[number][3]
                finals[number] = (
                    clock.make_key(now, first + offset) if fmt is None else fmt.format(first + offset)
                )
        return Values(
            {token: final for (token, *_), final in zip(self.tokens, finals, strict=True)},
            finals,
            [final.encode() for final in finals],
        )

    def substitute(self, value: Any, values: Values) -> Any:
        """``value`` with every token replaced: strings, bytes, and lists, tuples and dict values of them."""
        kind = type(value)
        if kind is str:
            exact = values.exact.get(value)
            if exact is not None:
                return exact
            return _replace(value, self.marker, "#", values.text) if self.marker in value else value
        if kind is bytes:
            marker = self.marker.encode()
            return _replace(value, marker, b"#", values.raw) if marker in value else value
        if kind is dict:
            return {key: self.substitute(item, values) for key, item in value.items()}
        if kind is list:
            return [self.substitute(item, values) for item in value]
        if kind is tuple:
            return tuple([self.substitute(item, values) for item in value])
        return value

    def output(self, output: Output, values: Values) -> Output:
        output.doc = self.substitute(output.doc, values)
        output.prerendered = self.substitute(output.prerendered, values)
        output.meta = self.substitute(output.meta, values)
        return output


def _replace(text: Any, marker: Any, end: Any, values: list[Any]) -> Any:
    """``text`` (str or bytes) with each ``<marker><n><end>`` replaced by ``values[n]``: one split, one join."""
    parts = text.split(marker)
    out = [parts[0]]
    for part in parts[1:]:
        number, _, rest = part.partition(end)
        out.append(values[int(number)])
        out.append(rest)
    return text[:0].join(out)
