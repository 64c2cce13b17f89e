"""``make bench``'s lifecycle section runs end to end (it once crashed on answers served from the render cache,
unnoticed because only the benchmark called it)."""

from __future__ import annotations

from bench import lifecycle


def test_the_lifecycle_section_walks_its_orders_to_shipped() -> None:
    lines: list[tuple[str, str]] = []
    lifecycle.run(lambda label, value: lines.append((label, value)), True, count=3)
    assert ("orders that reached Shipped", "3 of 3") in lines
