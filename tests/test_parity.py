"""Parity snapshots: masking rules, shapes, readable differences, and --record / compare end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract_tests.parity import (
    Recorder,
    Snapshot,
    compare,
    differences,
    mask,
    normalise,
    shape,
    snapshot_path,
)
from tests.test_contract_switch import run_copy, suite_copy


@pytest.mark.parametrize(
    ("name", "value", "token"),
    [
        ("OrderHeaderKey", "anything-the-caller-chose", "<key>"),
        ("Reference", "20250127101709000000001", "<key>"),
        ("UserToken", "3899a128d4e6", "<token>"),
        ("OrderDate", "2025-01-27T10:17:09+00:00", "<datetime>"),
        ("Createts", "2025-01-27T10:17:09Z", "<datetime>"),
        ("ReqDeliveryDate", "2025-08-12", "<date>"),
        ("MaxOrderStatus", "3200.10", "<status>"),
        ("GrandTotal", "899.00", "<amount>"),
        ("OrderedQty", "3", "<number>"),
        ("HoldFlag", "N", "<flag>"),
        ("Status", "Partially Shipped", "<text>"),
        ("OrderNo", "Y100000331", "<text>"),
        ("CustomerPONo", "", ""),
    ],
)
def test_masking_rules(name: str, value: str, token: str) -> None:
    assert mask(name, value) == token


def test_normalise_and_shape() -> None:
    doc = {
        "OrderNo": "Y1",
        "OrderLines": {"OrderLine": [{"PrimeLineNo": "1"}, {"PrimeLineNo": "2", "Status": "Created"}]},
        "PriceInfo": {"TotalAmount": "10.00"},
    }
    normal = normalise(doc)
    assert normal["OrderLines"]["OrderLine"][1] == {"PrimeLineNo": "<number>", "Status": "<text>"}
    assert (
        shape(normal)
        == shape(doc)
        == {
            "@OrderNo": "<text>",
            "OrderLines": {"OrderLine[]": {"@PrimeLineNo": "<number>", "@Status": "<text>"}},
            "PriceInfo": {"@TotalAmount": "<amount>"},
        }
    )


def test_differences_are_readable() -> None:
    recorded = shape(
        {"A": "1", "B": "x", "C": "", "Order": [{"K": "20250127101709000000001"}], "P": {"T": "1.00"}}
    )
    now = shape({"A": "2025-01-01", "C": "text", "D": "Y", "Order": {"K": "1"}, "P": "x"})
    assert differences(recorded, now) == [
        "/@A: recorded <number>, now <date>",
        "missing /@B (recorded: '<text>')",
        "unexpected /@D (now: '<flag>')",
        "unexpected /@P (now: '<text>')",
        "unexpected /Order (now: an element)",  # a list became a single object
        "missing /Order[] (recorded: an element)",
        "missing /P (recorded: an element)",
    ]


def test_compare_by_label() -> None:
    recorded = {"1 createOrder": {"OrderNo": "<text>"}, "2 getOrderDetails": {"Status": "<text>"}}
    now = {"1 createOrder": {"OrderNo": "<text>", "Extra": "<text>"}, "3 getOrderList": {}}
    assert compare(recorded, now) == [
        "1 createOrder: unexpected /@Extra (now: '<text>')",
        "2 getOrderDetails: recorded, but the test no longer makes this call",
        "3 getOrderList: new call, not in the snapshot",
    ]


def test_snapshot_path_and_recorder(tmp_path: Path) -> None:
    path = snapshot_path("contract_tests/test_orders.py::test_x[json]", tmp_path)
    assert path == tmp_path / "test_orders" / "test_x[json].json"
    recording = Recorder(path, True, "real", "https://oms.example")
    recording("getOrderDetails", "json", {"OrderHeaderKey": "1", "Status": "Created"})
    assert recording.finish() == ("real", [])
    saved = Snapshot.load(path)
    assert (saved.source, saved.entries) == (
        "real",
        {"1 getOrderDetails": {"OrderHeaderKey": "<key>", "Status": "<text>"}},
    )
    comparing = Recorder(path, False, "fake")
    comparing("getOrderDetails", "json", {"OrderHeaderKey": "2", "Status": "Created", "New": "x"})
    assert comparing.finish() == ("real", ["1 getOrderDetails: unexpected /@New (now: '<text>')"])
    assert Recorder(tmp_path / "none.json", False, "fake").finish() == ("", [])


EXTRA = """
import pytest

pytestmark = pytest.mark.unverified

@pytest.mark.writes
@pytest.mark.parametrize("fmt", ["json"])
def test_one_order(sterling, new_order):
    key, _ = new_order(lines=1)
    sterling.invoke("getOrderDetails", {"OrderHeaderKey": key})
"""


def test_record_then_compare_end_to_end(tmp_path: Path) -> None:
    copy = suite_copy(tmp_path, EXTRA)
    snapshots = tmp_path / "snaps"
    test = str(copy / "test_extra.py")
    recorded = run_copy(copy, test, "--record", "--snapshot-dir", str(snapshots))
    assert recorded.returncode == 0, recorded.stdout
    path = snapshots / "test_extra" / "test_one_order[json].json"
    data = json.loads(path.read_text())
    assert data["source"] == "fake"
    assert list(data["entries"]) == ["1 createOrder", "2 getOrderDetails"]
    assert data["entries"]["2 getOrderDetails"]["OrderHeaderKey"] == "<key>"

    same = run_copy(copy, test, "--snapshot-dir", str(snapshots))
    assert same.returncode == 0 and "parity differences" not in same.stdout, same.stdout

    # a snapshot "recorded against a real instance" that the fake no longer matches fails, readably
    details = data["entries"]["2 getOrderDetails"]
    details["ExtnPriority"] = "<number>"
    details["OrderDate"] = "<date>"
    data["source"] = "real"
    path.write_text(json.dumps(data))
    real = run_copy(copy, test, "--snapshot-dir", str(snapshots))
    assert real.returncode == 1
    assert "differ in shape from the snapshot recorded against a real instance" in real.stdout
    assert "2 getOrderDetails: missing /@ExtnPriority (recorded: '<number>')" in real.stdout
    assert "2 getOrderDetails: /@OrderDate: recorded <date>, now <datetime>" in real.stdout

    # the same differences from an example recorded against the fake are reported, not failed
    data["source"] = "fake"
    path.write_text(json.dumps(data))
    example = run_copy(copy, test, "--snapshot-dir", str(snapshots))
    assert example.returncode == 0, example.stdout
    assert "parity differences from example snapshots (not failures)" in example.stdout
    assert "missing /@ExtnPriority" in example.stdout
    strict = run_copy(copy, test, "--snapshot-dir", str(snapshots), "--parity-strict")
    assert strict.returncode == 1 and "missing /@ExtnPriority" in strict.stdout
