"""The status pipelines without HTTP: ordering, allowed moves, sub-statuses, configuration files and the
Min/Max/"Partially ..." rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.statuses import Pipelines


def test_codes_compare_segment_by_segment() -> None:
    codes = ["3900", "3700.02", "1100", "3700.01", "3700", "3200.10", "9000", "3200"]
    assert sorted(codes, key=statuses.sort_key) == [
        "1100", "3200", "3200.10", "3700", "3700.01", "3700.02", "3900", "9000",
    ]  # fmt: skip


def test_default_pipelines() -> None:
    pipelines = Pipelines.default()
    sales = pipelines.get("0001")
    assert sales.codes()[:3] == ["1000", "1100", "1200"] and sales.describe("3350") == "Included In Shipment"
    returns = pipelines.get("0003")
    assert (returns.describe("3700.01"), returns.describe("3900")) == ("Return Created", "Received")
    assert pipelines.get("0099") is sales
    assert pipelines.get(statuses.SHIPMENT).describe("1400") == "Shipment Shipped"


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("1100", "1500", True),
        ("1500", "3200", True),
        ("3200", "3350", True),
        ("3350", "3700", True),
        ("3200", "3200.10", True),  # a code and its own sub-statuses
        ("3200.10", "3350", True),  # a sub-status moves as its base code
        ("3200.10", "3200", True),
        ("1100", "3700", False),
        ("3700", "9000", False),  # shipped quantity is never cancelled
        ("9000", "1100", False),
        ("1500", "1500", False),
        ("3700", "3700.01", True),
    ],
)
def test_moves(source: str, target: str, allowed: bool) -> None:
    assert Pipelines.default().get("0001").allows(source, target) is allowed


def test_return_moves() -> None:
    returns = Pipelines.default().get("0003")
    assert returns.allows("3200", "3900") and returns.allows("3700.01", "3900")
    assert not returns.allows("3900", "1100")


def test_flat_and_full_configuration(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {
                "0001": {"3700.0005": "Order Delivered", "1100": "Open"},
                "0003": {"statuses": {"3950": "Closed"}, "moves": {"3900": ["3700.01"]}},
                "0007": {
                    "replace": True,
                    "statuses": {"1100": "New", "2000": "Done"},
                    "moves": {"1100": ["2000"]},
                },
            }
        )
    )
    pipelines = Pipelines.from_file(path)
    sales = pipelines.get("0001")
    assert (sales.describe("3700.0005"), sales.describe("1100"), sales.describe("1500")) == (
        "Order Delivered",
        "Open",
        "Scheduled",
    )
    assert sales.allows("3700", "3700.0005")
    assert (
        pipelines.get("0003").allows("3900", "3700.01") and pipelines.get("0003").describe("3950") == "Closed"
    )
    custom = pipelines.get("0007")
    assert (
        custom.codes() == ["1100", "2000"]
        and custom.allows("1100", "2000")
        and not custom.allows("1100", "1500")
    )
    assert Pipelines.default().get("0001").describe("1100") == "Created"  # defaults are not shared


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "expected an object"),
        ({"0001": "x"}, "expected an object"),
        ({"0001": {"abc": "x"}}, "not a status code"),
        ({"0001": {"moves": {"1100": "1500"}}}, "must list status codes"),
        ({"0001": {"statuses": []}}, "statuses must be an object"),
    ],
)
def test_bad_configuration(config: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Pipelines.configure(config)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pipeline file"):
        Pipelines.from_file(tmp_path / "missing.json")


def test_min_max_and_partially() -> None:
    sales = Pipelines.default().get("0001")
    assert statuses.min_max([("3200", 2), ("3700", 1)]) == ("3200", "3700")
    assert statuses.status_text(sales, "3200", "3700") == "Partially Shipped"
    # cancelled quantity counts only when nothing else is open
    assert statuses.min_max([("1100", 2), ("9000", 1)]) == ("1100", "1100")
    assert statuses.min_max([("3700", 2), ("9000", 1)]) == ("3700", "3700")
    assert statuses.min_max([("9000", 3)]) == ("9000", "9000")
    assert statuses.min_max([("1100", 0)]) == ("1100", "1100")
    assert statuses.status_text(sales, "3200.10", "3200.10") == "3200.10"
