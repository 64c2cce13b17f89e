"""``make bench`` pieces that tests can run quickly: the lifecycle section end to end (it once crashed on answers
served from the render cache, unnoticed because only the benchmark called it) and the figures of a row."""

from __future__ import annotations

from bench import lifecycle
from bench.harness import Load, figures


def test_the_lifecycle_section_walks_its_orders_to_shipped() -> None:
    lines: list[tuple[str, str]] = []
    lifecycle.run(lambda label, value: lines.append((label, value)), True, count=3)
    assert ("orders that reached Shipped", "3 of 3") in lines


def test_a_row_gives_every_figure_as_a_ratio_to_the_baseline() -> None:
    base = Load(requests_per_s=6000, p50_ms=2.0, p99_ms=4.0, cpu_ms_per_req=0.2, peak_rss_mib=80, errors=0)
    row = Load(requests_per_s=1500, p50_ms=10.0, p99_ms=20.0, cpu_ms_per_req=1.0, peak_rss_mib=120, errors=1)
    text = figures(row, base, extra="  + postgres 0.50 ms/req")
    assert "1500 req/s   0.25x" in text
    assert "p50  10.00 ms (5.0x)" in text and "p99  20.00 ms (5.0x)" in text
    assert "cpu  1.00 ms/req (5.0x)" in text and "rss   120 MiB (1.5x)" in text
    assert text.endswith("+ postgres 0.50 ms/req  errors 1")
    assert "0.27x" in figures(row, base, ratio=0.27)  # a paired row's median of its rounds
