"""Drift: a recording from a second fake (other keys and numbers, one planted behaviour) replayed against a
fresh fake finds exactly the planted difference, and reports it as JSON, a summary and JUnit XML."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sterling_mock.mock_server.__main__ import main
from sterling_mock.mock_server.recording.drift import Drift, drift_session
from sterling_mock.mock_server.recording.format import Session
from sterling_mock.mock_server.recording.report import junit, summary
from sterling_mock.mock_server.recording.targets import InProcess
from tests.recording_support import Recorded, real_instance, record_session

PLANTED = {
    "seq": 7,
    "api": "getOrderList",
    "path": "/",
    "kind": "status",
    "real": "400 YFS10003",
    "fake": "200",
}


@pytest.fixture(scope="module")
def real() -> Iterator[str]:
    with real_instance() as url:
        yield url


@pytest.fixture(scope="module")
def recorded(real: str, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return record_session(tmp_path_factory.mktemp("rec") / "checkout", real)


@pytest.fixture(scope="module")
def report(recorded: Recorded) -> dict[str, Any]:
    return drift_session(str(recorded.path))


def copy_of(recorded: Recorded, tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    shutil.copytree(recorded.path, copy)
    return copy


def edit_answer(folder: Path, name: str, change: object) -> None:
    path = folder / "exchanges" / name
    exchange = json.loads(path.read_text())
    body = json.loads(exchange["response"]["body"])
    change(body)  # type: ignore[operator]
    exchange["response"]["body"] = json.dumps(body)
    path.write_text(json.dumps(exchange))


def test_drift_finds_exactly_the_planted_difference(report: dict[str, Any]) -> None:
    assert report["differences"] == [PLANTED]
    assert report["uncovered"] == 1 and report["exchanges"] == 13
    assert report["unmodelled"] == {"getLoyaltyDetails": [10], "getLoyaltyTierList": [11, 12, 13]}
    assert report["preconditions"] == []
    assert report["references"] >= 5  # keys, order number, user token, JWT bound between the two systems


def test_values_that_differ_between_two_real_reads_propose_a_rule(report: dict[str, Any]) -> None:
    assert report["proposed_rules"] == [
        {
            "api": "getLoyaltyTierList",
            "path": "/LoyaltyTierList/LoyaltyTier/@TierName",
            "kind": "value",
            "reason": "differs between two real answers to the same read (#11, #12)",
        }
    ]


def test_junit_json_and_exit_status_from_the_command_line(
    recorded: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit_file, json_file = tmp_path / "drift.xml", tmp_path / "drift.json"
    assert main(["drift", str(recorded.path), "--junit", str(junit_file), "--json", str(json_file)]) == 1
    suite = ET.parse(junit_file).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "13" and suite.get("failures") == "1"
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed == ["#0007 getOrderList"]
    assert json.loads(json_file.read_text())["differences"] == [PLANTED]
    out = capsys.readouterr().out
    assert "#7 getOrderList status /: real '400 YFS10003', fake '200'" in out


def test_ignore_rules_cover_differences_and_say_which_never_fired(recorded: Recorded, tmp_path: Path) -> None:
    copy = copy_of(recorded, tmp_path)
    rules = [
        {
            "id": "list-fault",
            "api": "getOrderList",
            "kind": "status",
            "reason": "a fault rule on the test instance",
        },
        {"id": "dates", "path": "/Order/@OrderDate", "reason": "never differs here"},
    ]
    (copy / "drift-rules.json").write_text(json.dumps(rules))
    assert main(["drift", str(copy)]) == 0
    result = drift_session(str(copy))
    assert result["uncovered"] == 0 and result["differences"] == [{**PLANTED, "ignored_by": "list-fault"}]
    assert [r["fired"] for r in result["rules"]] == [1, 0] and result["never_fired"] == ["dates"]


def test_a_value_difference_has_a_path_with_natural_keys(recorded: Recorded, tmp_path: Path) -> None:
    copy = copy_of(recorded, tmp_path)

    def change(order: dict[str, object]) -> None:
        line = order["OrderLines"]["OrderLine"][0]  # type: ignore[index]
        line["OrderedQty"] = "3.00"
        del order["OrderName"]
        order["Extra"] = "1"

    edit_answer(copy, "0006-getOrderDetails.json", change)
    found = sorted(
        (d["path"], d["kind"], d["real"], d["fake"]) for d in drift_session(str(copy))["differences"]
    )
    assert found == [
        ("/", "status", "400 YFS10003", "200"),  # the planted one, still there
        ("/Order/@Extra", "missing", "1", None),
        ("/Order/@OrderName", "unexpected", None, "changed"),
        ("/Order/OrderLines/OrderLine[@PrimeLineNo=1]/@OrderedQty", "value", "3.00", "2.00"),
    ]


def test_keys_are_compared_as_relations(recorded: Recorded, tmp_path: Path) -> None:
    copy = copy_of(recorded, tmp_path)
    other = "20200101000000000000001"
    edit_answer(copy, "0006-getOrderDetails.json", lambda order: order.update(OrderHeaderKey=other))
    found = [d for d in drift_session(str(copy))["differences"] if d["seq"] == 6]
    assert [(d["path"], d["kind"], d["real"]) for d in found] == [("/Order/@OrderHeaderKey", "value", other)]


def test_an_order_from_before_the_recording_is_a_precondition(recorded: Recorded, tmp_path: Path) -> None:
    session = Session.create(tmp_path / "old-order")
    original = Session.open(recorded.path).exchanges()[5]  # getOrderDetails by natural key
    original.pop("seq")
    session.append(original)
    result = drift_session(str(session.path))
    assert result["differences"] == [] and result["uncovered"] == 0
    [pre] = result["preconditions"]
    assert (
        pre["api"] == "getOrderDetails"
        and pre["fake"] == "YFS10003"
        and pre["refers_to"] == ["OrderNo=Y100000004"]
    )


def test_live_diff_while_recording(real: str, tmp_path: Path) -> None:
    differ = Drift(InProcess(), name="live")
    record_session(tmp_path / "live", real, differ=differ)
    live = differ.finish()
    assert live["differences"] == [PLANTED] and live["exchanges"] == 13
    assert "1 not covered by a rule" in summary(live) and 'failures="1"' in junit(live)


def test_a_precondition_is_loaded_from_the_recorded_answer(recorded: Recorded, tmp_path: Path) -> None:
    session = Session.create(tmp_path / "old-order")
    exchange = Session.open(recorded.path).exchanges()[8]  # the interop read of the scheduled order (1500)
    exchange.pop("seq")
    session.append(exchange)
    result = drift_session(str(session.path), load_preconditions=True)
    assert result["preconditions"] == []
    assert result["preloaded"] == [
        {"seq": 1, "api": "getOrderDetails", "refers_to": [f"OrderHeaderKey={recorded.order_key}"]}
    ]
    assert result["differences"] == []
