"""Parity snapshots: masking rules, shapes, readable differences, and --record / compare end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from tests.conftest import LiveServer
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


def test_record_on_the_fake_writes_regression_snapshots(tmp_path: Path) -> None:
    copy = suite_copy(tmp_path, EXTRA)
    snapshots = tmp_path / "regression"
    test = str(copy / "test_extra.py")
    recorded = run_copy(copy, test, "--record", "--regression-dir", str(snapshots))
    assert recorded.returncode == 0, recorded.stdout
    path = snapshots / "test_extra" / "test_one_order[json].json"
    data = json.loads(path.read_text())
    assert (data["source"], data["target"]) == ("fake", "the fake")
    assert list(data["entries"]) == ["1 createOrder", "2 getOrderDetails"]
    assert data["entries"]["2 getOrderDetails"]["OrderHeaderKey"] == "<key>"

    same = run_copy(copy, test, "--regression-dir", str(snapshots))
    assert same.returncode == 0 and "differences" not in same.stdout, same.stdout

    # the fake against its own past: listed, not failed, unless --regression-strict
    data["entries"]["2 getOrderDetails"]["ExtnPriority"] = "<number>"
    path.write_text(json.dumps(data))
    drifted = run_copy(copy, test, "--regression-dir", str(snapshots))
    assert drifted.returncode == 0, drifted.stdout
    assert "differences from the regression snapshots" in drifted.stdout
    assert "missing /@ExtnPriority" in drifted.stdout
    strict = run_copy(copy, test, "--regression-dir", str(snapshots), "--regression-strict")
    assert strict.returncode == 1 and "missing /@ExtnPriority" in strict.stdout
    # and a regression snapshot never makes a real recording: nothing under the parity folder
    assert not (copy / "parity" / "test_extra").exists()


@pytest.fixture
def as_if_real(tmp_path: Path) -> Iterator[LiveServer]:
    (tmp_path / "server").mkdir()
    server = LiveServer(tmp_path / "server")
    yield server
    server.stop()


def test_a_real_recording_fails_the_fake_that_differs(tmp_path: Path, as_if_real: LiveServer) -> None:
    """--record against a target behind STERLING_URL writes parity/<label>/...; a run against the fake that
    answers differently then fails, naming the label; the test may be marked verified only after that."""
    copy = suite_copy(tmp_path, EXTRA)
    parity = tmp_path / "parity"
    test = str(copy / "test_extra.py")
    real = {
        "STERLING_URL": as_if_real.url + "/smcfs",
        "STERLING_USER": "admin",
        "STERLING_PASSWORD": "password",
    }
    recorded = run_copy(
        copy,
        test,
        "--record",
        "--allow-writes",
        "--parity-dir",
        str(parity),
        "--target-label",
        "qa-1",
        env=real,
    )
    assert recorded.returncode == 0, recorded.stdout
    path = parity / "qa-1" / "test_extra" / "test_one_order[json].json"
    data = json.loads(path.read_text())
    assert (data["source"], data["target"]) == ("real", "qa-1")

    fake = run_copy(copy, test, "--parity-dir", str(parity))
    assert fake.returncode == 0, fake.stdout

    details = data["entries"]["2 getOrderDetails"]
    details["ExtnPriority"] = "<number>"
    details["OrderDate"] = "<date>"
    path.write_text(json.dumps(data))
    differs = run_copy(copy, test, "--parity-dir", str(parity))
    assert differs.returncode == 1
    assert "answers differ in shape from a real instance's" in differs.stdout
    assert "recorded against qa-1" in differs.stdout
    assert "2 getOrderDetails: missing /@ExtnPriority (recorded: '<number>')" in differs.stdout
    assert "2 getOrderDetails: /@OrderDate: recorded <date>, now <datetime>" in differs.stdout


VERIFIED = """
import pytest

@pytest.mark.verified
@pytest.mark.parametrize("fmt", ["json"])
def test_claims_verified(sterling):
    sterling.invoke("getOrderList", {"MaximumRecords": "1"})
"""


def test_verified_needs_a_real_recording(tmp_path: Path) -> None:
    copy = suite_copy(tmp_path, VERIFIED)
    parity = tmp_path / "parity"
    test = str(copy / "test_extra.py")
    refused = run_copy(copy, test, "--parity-dir", str(parity))
    assert refused.returncode != 0
    assert (
        "test_claims_verified[json]: verified without a recording against a real instance"
        in refused.stdout + (refused.stderr)
    )
    # a snapshot recorded from the fake, moved under the parity folder, does not count either
    fake_made = parity / "fake" / "test_extra" / "test_claims_verified[json].json"
    fake_made.parent.mkdir(parents=True)
    entries = {"1 getOrderList": {"TotalOrderList": "<number>"}}
    fake_made.write_text(json.dumps({"source": "fake", "target": "the fake", "entries": entries}))
    assert run_copy(copy, test, "--parity-dir", str(parity)).returncode != 0
    real_made = parity / "qa-1" / "test_extra" / "test_claims_verified[json].json"
    real_made.parent.mkdir(parents=True)
    real_made.write_text(json.dumps({"source": "real", "target": "qa-1", "entries": entries}))
    accepted = run_copy(copy, test, "--parity-dir", str(parity), "--collect-only")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "test_claims_verified[json]" in accepted.stdout
