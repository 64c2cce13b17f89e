"""Small, bounded slices of the concurrency and crash-safety scripts (the full figures: docs/reliability.md)."""

from __future__ import annotations

from hardening import concurrency, crash


def test_concurrent_clients_across_workers() -> None:
    result = concurrency.run(clients=8, workers=2, ops=12)
    assert result["lost_updates"] == 0
    assert result["server_errors"] == {}
    assert result["invariant_problems"] == []
    assert result["race_orders"] == 3  # each contested OrderNo stored exactly once
    assert result["yfc0001"] == 3 * 7  # ...and refused for every other client with Sterling's YFC0001
    outcomes: dict[str, int] = result["outcomes"]  # type: ignore[assignment]
    # the lifecycle race: every step applied once or refused with a Sterling error, never lost (lost_updates
    # counts shipped units too)
    assert outcomes.get("life-createShipment:200:ok", 0) > 0
    assert all(key.split(":")[1] in ("200", "204", "400") for key in outcomes if key.startswith("life-"))


def test_sigkill_loses_and_tears_nothing() -> None:
    result = crash.run(writes=120, kills=2, seed=3, clients=3)
    assert result["kills"] == 2
    assert result["acknowledged"] >= 120
    assert (result["lost"], result["torn"], result["invariant_problems"]) == (0, 0, [])
