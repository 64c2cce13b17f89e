"""ApiSpec: how one API is registered."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.orders import shapes


def conforming(fn: Callable[[Ctx, Doc], Output], root: str) -> Callable[[Ctx, Doc], Output]:
    """``fn`` seeing its input with attributes and elements kept apart (``shapes.conform``): decided here,
    once, for every API and every door (multiApi, getPage and executeFlow call ``fn`` too)."""
    if getattr(fn, "conformed", False):
        return fn

    @functools.wraps(fn)
    def conformed(ctx: Ctx, doc: Doc) -> Output:
        return fn(ctx, shapes.conform(root, doc))

    conformed.conformed = True  # type: ignore[attr-defined]
    return conformed


@dataclass(frozen=True)
class ApiSpec:
    fn: Callable[[Ctx, Doc], Output]
    input_root: str
    output_root: str
    #: Runs in a write transaction (BEGIN IMMEDIATE).
    writes: bool = False
    #: Callable without credentials (login).
    public: bool = False
    #: Answers nothing: HTTP 204 over REST, ``<Output/>`` through multiApi and interop.
    void: bool = False
    #: A read's answer from a single statement when it can give one (a cached body), else None: tried first,
    #: outside a transaction (one statement is consistent by itself); ``fn`` runs when it gives nothing.
    fast: Callable[[Ctx, Doc], Output | None] | None = None
    #: A write built outside the write lock and committed in a few statements (deferred.py): ``fn`` draws its
    #: keys and numbers through ``Ctx.new_key``/``sequence_text``, checks through ``Ctx.verify``, and writes only
    #: through the Tx methods ``deferred.RECORDED`` lists.
    prepared: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "fn", conforming(self.fn, self.input_root))
