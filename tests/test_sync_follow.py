"""``sterling-sync --follow`` says what each poll did, on stdout, one line per poll; ``--quiet`` says nothing."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from sterling_mock.client.sync import main
from sterling_mock.mock_server.control.helper import FakeControl
from tests.conftest import LiveServer

LINE = re.compile(
    r"^sterling-sync: poll (\d+): (\d+) orders seen, (\d+) written, watermark (\S+) \(OrderHeaderKey \S+\); "
    r"(next poll in 0 s at \d\d:\d\d:\d\d|no next poll)$"
)


def _argv(live_server: LiveServer, ns: str, tmp_path: Path) -> list[str]:
    return [
        "--url",
        live_server.url,
        "--namespace",
        ns,
        "--sink",
        f"jsonl:{tmp_path / 'follow.jsonl'}",
        "--follow",
        "--interval",
        "0",
        "--max-polls",
        "3",
    ]


def test_follow_prints_one_line_per_poll(
    live_server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeControl(live_server.url, namespace="follow-" + uuid.uuid4().hex[:8]) as ctl:
        ctl.seed(orders=5, seed=7)
        assert main(_argv(live_server, ctl.namespace, tmp_path)) == 0
    out = capsys.readouterr().out.splitlines()
    polls = [LINE.match(line) for line in out if line.startswith("sterling-sync: poll")]
    assert len(polls) == 3 and all(polls), out
    first, second, third = (m.groups() for m in polls if m)
    assert first[:3] == ("1", "5", "5")  # everything seen and written
    assert second[0] == "2" and int(second[1]) <= 5 and second[2] == "0"  # the overlap re-read, nothing new
    assert first[3] == second[3] == third[3]  # the watermark holds while nothing changes
    assert first[4].startswith("next poll") and third[4] == "no next poll"
    assert out[-1].startswith("sterling-sync: 5 orders written")  # the summary follows


def test_quiet_prints_nothing(
    live_server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeControl(live_server.url, namespace="quiet-" + uuid.uuid4().hex[:8]) as ctl:
        ctl.seed(orders=2, seed=7)
        assert main([*_argv(live_server, ctl.namespace, tmp_path), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert len((tmp_path / "follow.jsonl").read_text().splitlines()) == 2
