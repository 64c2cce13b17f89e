"""Per-user token buckets per namespace (reference §12): 429 + ``Retry-After`` past the burst.

The bucket refills on the namespace's clock: real time while the clock runs, and not at all while it is
frozen — so a test freezes the clock for exact figures (a burst of ``B + k`` calls: exactly ``k`` refused)
and advances it to refill.  With a running clock a burst lasting ``t`` seconds earns ``rate * t`` extra
calls, as any real token bucket would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sterling_mock.mock_server.base.errors import Throttled
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.store.core import Store
from sterling_mock.mock_server.store.journal import counter, side_write
from sterling_mock.mock_server.store.spool import bump
from sterling_mock.mock_server.store.tx import Tx

KV_KEY = "_throttle"


@dataclass(frozen=True)
class ThrottleConfig:
    enabled: bool
    rate: float
    burst: int

    def as_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "rate": self.rate, "burst": self.burst}


def config(tx: Tx, ns: str, settings: Settings) -> ThrottleConfig:
    """The namespace's settings in force: set at run time (``PUT /_fake/throttle``) or the server's."""
    stored = tx.kv_get(ns, KV_KEY)
    base = ThrottleConfig(
        settings.throttle_enabled, float(settings.throttle_rate), int(settings.throttle_burst)
    )
    if not isinstance(stored, dict):
        return base
    return ThrottleConfig(
        bool(stored.get("enabled", base.enabled)),
        float(stored.get("rate", base.rate)),
        int(stored.get("burst", base.burst)),
    )


def configure(tx: Tx, ns: str, settings: Settings, changes: dict[str, Any]) -> ThrottleConfig:
    """Apply validated changes; buckets restart full so the new burst holds from the next call."""
    current = config(tx, ns, settings).as_json()
    current.update(changes)
    tx.kv_put(ns, KV_KEY, current)
    tx.conn.execute("DELETE FROM throttle_buckets WHERE ns=?", (ns,))
    return config(tx, ns, settings)


def take(store: Store, ns: str, user: str, cfg: ThrottleConfig) -> None:
    """Spend one token of ``user``'s bucket, or raise Throttled with ``Retry-After`` in whole seconds."""
    with side_write(store) as tx:
        now = clock.now(tx, ns).timestamp()
        row = tx.conn.execute(
            "SELECT tokens, updated FROM throttle_buckets WHERE ns=? AND user=?", (ns, user)
        ).fetchone()
        tokens = float(cfg.burst) if row is None else float(row[0])
        if row is not None and now > float(row[1]):
            tokens = min(float(cfg.burst), tokens + (now - float(row[1])) * cfg.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        tx.conn.execute(
            "INSERT INTO throttle_buckets(ns, user, tokens, updated) VALUES(?, ?, ?, ?) "
            "ON CONFLICT(ns, user) DO UPDATE SET tokens=excluded.tokens, updated=excluded.updated",
            (ns, user, tokens, now),
        )
        bump(tx.conn, ns, "throttle_allowed" if allowed else "throttle_throttled")
    if not allowed:
        wait = max(1, math.ceil((1.0 - tokens) / cfg.rate)) if cfg.rate > 0 else 3600
        raise Throttled(
            f"User {user} is over {cfg.rate:g} calls/s (burst {cfg.burst}); retry after {wait} s.",
            attributes={"RetryAfter": str(wait)},
            headers={"Retry-After": str(wait)},
        )


def stats(tx: Tx, ns: str) -> dict[str, int]:
    return {
        "allowed": counter(tx, ns, "throttle_allowed"),
        "throttled": counter(tx, ns, "throttle_throttled"),
    }
