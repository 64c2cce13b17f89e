"""What the write's self-check costs (issue 21): createOrder and changeOrder in-process, with the check that every
written order keeps attributes and elements apart and renders (``model._readable``) and with it switched off,
in alternating rounds so the machine's noise falls on both alike.  ``python -m bench.write_check``."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.doors.app import create_app

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "samples" / "createOrder.input.json"
HEADERS = {"Authorization": "Basic YWRtaW46cGFzc3dvcmQ=", "Content-Type": "application/json"}


def _round(client: Any, order: dict[str, Any], calls: int) -> tuple[float, float]:
    """Milliseconds per createOrder and per changeOrder over ``calls`` of each."""
    body = json.dumps({k: v for k, v in order.items() if k != "OrderNo"})
    keys = []
    started = time.perf_counter()
    for _ in range(calls):
        keys.append(
            client.post("/smcfs/restapi/invoke/createOrder", data=body, headers=HEADERS).json[
                "OrderHeaderKey"
            ]
        )
    created = time.perf_counter() - started
    started = time.perf_counter()
    for index, key in enumerate(keys):
        change = {
            "OrderHeaderKey": key,
            "CustomerPONo": f"PO-{index}",
            "Notes": {"Note": [{"NoteText": "n"}]},
        }
        client.post("/smcfs/restapi/invoke/changeOrder", data=json.dumps(change), headers=HEADERS)
    changed = time.perf_counter() - started
    return created / calls * 1000, changed / calls * 1000


def run(report: Callable[[str, str], None], quick: bool) -> None:
    """``make bench``'s ``write_check`` section: each API's time with the check as a ratio to its time without it
    in the same run."""
    for api, on, off, spread in measure(4 if quick else 8, 100 if quick else 200):
        report(
            f"{api}, in process, write check on / off",
            f"{on:.3f} / {off:.3f} ms: {on / off:.2f}x (rounds' spread ±{spread:.1%})",
        )


def measure(rounds: int, calls: int) -> list[tuple[str, float, float, float]]:
    """(API, ms with the check, ms without it, the spread of the rounds without it) for createOrder and
    changeOrder, in alternating rounds."""
    client = create_app(Settings(db=":memory:", demo_orders=0)).test_client()
    order = json.loads(SAMPLE.read_text())
    checked = model._readable
    times: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    _round(client, order, calls)  # warm-up
    try:
        for number in range(rounds * 2):
            state = "on" if number % 2 == 0 else "off"
            model._readable = checked if state == "on" else (lambda *a, **k: None)
            times[state].append(_round(client, order, calls))
    finally:
        model._readable = checked
    found = []
    for index, api in enumerate(("createOrder", "changeOrder")):
        on = statistics.median(t[index] for t in times["on"])
        off = statistics.median(t[index] for t in times["off"])
        found.append((api, on, off, statistics.pstdev(t[index] for t in times["off"]) / off))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.write_check")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    for api, on, off, spread in measure(args.rounds, args.calls):
        print(
            f"{api:12} check on {on:.3f} ms, off {off:.3f} ms: {on / off:.3f}x (rounds' spread ±{spread:.1%})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
