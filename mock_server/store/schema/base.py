"""What the area modules' statements need of a transaction: a Protocol, so no area module imports the store's
core (``store.tx.Tx``), which creates their tables."""

from __future__ import annotations

from typing import Any, Protocol


class Tx(Protocol):
    """A transaction: its connection (``store.tx.Tx.conn``)."""

    @property
    def conn(self) -> Any: ...
