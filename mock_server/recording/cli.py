"""``sterling-mock record`` and ``sterling-mock drift`` (``serve --stubs`` is a setting of ``serve``)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sterling_mock.mock_server.recording.format import FormatError, Session

COMMANDS = ("record", "drift")


def add_parsers(sub: Any) -> None:
    record = sub.add_parser(
        "record", help="a proxy in front of a real Sterling that records every call (docs/recording.md)"
    )
    record.add_argument(
        "--target", required=True, help="the real instance, e.g. https://oms.example.com/smcfs"
    )
    record.add_argument("--out", required=True, help="the session folder, e.g. recordings/checkout")
    record.add_argument("--mode", choices=["record", "append", "passthrough"], default="record")
    record.add_argument("--host", default="127.0.0.1")
    record.add_argument(
        "--port", type=int, default=9081, help="the proxy's port (default 9081; 0: a free one)"
    )
    record.add_argument(
        "--fake-customers", action="store_true", help="replace customer names, addresses, e-mails, phones"
    )
    record.add_argument("--diff", action="store_true", help="live diff: replay each call on the fake too")
    record.add_argument("--diff-url", default="", help="the fake for --diff (default: one in this process)")
    record.add_argument("--json", default="", help="--diff, --drift: write the drift report here")
    record.add_argument("--junit", default="", help="--diff, --drift: write its JUnit XML here")
    record.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the target")
    record.add_argument(
        "--drift", action="store_true", help="when the session closes, replay it against the fake"
    )
    record.add_argument("--fail-on-drift", action="store_true", help="exit 1 on differences no rule covers")
    record.add_argument(
        "run",
        nargs=argparse.REMAINDER,
        help="-- COMMAND: run it with STERLING_URL set to the proxy, then close the session (make contract)",
    )

    drift = sub.add_parser("drift", help="replay a recording against the fake and report the differences")
    drift.add_argument("session", help="the session folder (recordings/NAME)")
    drift.add_argument("--json", default="", help="write the report as JSON here")
    drift.add_argument("--junit", default="", help="write JUnit XML here")
    drift.add_argument("--url", default="", help="a running fake (default: a fresh one in this process)")
    drift.add_argument("--control-token", default="", help="X-Sterling-Mock-Token of that fake")
    drift.add_argument("--rules", default="", help="a JSON file of ignore rules (besides drift-rules.json)")
    drift.add_argument("--user", default="admin", help="the fake's user for replayed calls")
    drift.add_argument("--password", default="password")
    drift.add_argument(
        "--load-preconditions",
        action="store_true",
        help="create orders that existed before the recording from the recorded answers that show them",
    )


def run(args: argparse.Namespace) -> int:
    if args.command == "record":
        return cmd_record(args)
    return cmd_drift(args)


def prepare_stubs(path: str) -> str:
    """For ``serve --stubs``: a session folder's ``stubs.json`` rebuilt from its exchanges and its (maybe
    edited) ``matching.json``; a stub file as it is.  The absolute path the server reads."""
    from sterling_mock.mock_server.recording.stubs import write_stub_file

    target = Path(path).resolve()
    if (target / "manifest.json").exists():
        return str(write_stub_file(Session.open(target)))
    if not target.exists():
        raise ValueError(f"--stubs {path}: no such recording or stub file")
    return str(target)


def write_outputs(report: dict[str, Any], json_path: str, junit_path: str) -> None:
    from sterling_mock.mock_server.recording.report import junit

    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if junit_path:
        Path(junit_path).parent.mkdir(parents=True, exist_ok=True)
        Path(junit_path).write_text(junit(report), encoding="utf-8")


def cmd_drift(args: argparse.Namespace) -> int:
    from sterling_mock.mock_server.recording.drift import drift_session
    from sterling_mock.mock_server.recording.report import summary
    from sterling_mock.mock_server.recording.targets import Remote

    try:
        target = Remote(args.url, args.control_token) if args.url else None
        report = drift_session(
            args.session,
            target=target,
            rules_file=args.rules,
            user=args.user,
            password=args.password,
            load_preconditions=args.load_preconditions,
        )
    except FormatError as exc:
        print(f"sterling-mock drift: {exc}", file=sys.stderr)
        return 2
    write_outputs(report, args.json, args.junit)
    print(summary(report))
    return 1 if report["uncovered"] else 0


def cmd_record(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from sterling_mock.mock_server.recording.proxy import Recorder, RedactionError

    try:
        session = None
        if args.mode == "record":
            session = Session.create(args.out, target=args.target, mode=args.mode)
        elif args.mode == "append":
            session = Session.open(args.out)
    except FormatError as exc:
        print(f"sterling-mock record: {exc}", file=sys.stderr)
        return 2
    differ = _differ(args, session) if args.diff and session is not None else None
    recorder = Recorder(
        args.target,
        session,
        mode=args.mode,
        fake_customers=args.fake_customers,
        differ=differ,
        timeout=args.timeout,
    )
    server = make_server(args.host, args.port, recorder, threaded=True)
    proxy = f"http://{args.host}:{server.port}{urlsplit(args.target).path.rstrip('/') or '/smcfs'}"
    command = [part for part in args.run if part != "--"] if args.run else []
    print(
        f"sterling-mock record: {proxy} -> {args.target} ({args.mode}{', live diff' if differ else ''}) "
        f"into {args.out}; " + ("running " + " ".join(command) if command else "Ctrl-C closes the session"),
        flush=True,
    )
    status = _serve(server, command, proxy)
    try:
        recorder.close()
    except RedactionError as exc:
        print(f"sterling-mock record: NOT closed as clean: {exc}", file=sys.stderr)
        return 1
    count = len(session.entries) if session is not None else 0
    print(f"sterling-mock record: {count} exchanges in {args.out}, no secrets found")
    report = None
    if differ is not None:
        report = differ.finish()
    elif args.drift and session is not None:
        from sterling_mock.mock_server.recording.drift import drift_session

        report = drift_session(args.out)
    if report is not None:
        from sterling_mock.mock_server.recording.report import summary

        write_outputs(report, args.json, args.junit)
        print(summary(report))
        if report["uncovered"] and args.fail_on_drift:
            status = status or 1
    return status


def _serve(server: Any, command: list[str], proxy: str) -> int:
    """Serve until Ctrl-C or SIGTERM, or, given a command, until it exits (its exit status)."""
    import subprocess
    import threading

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    if not command:
        signal.signal(signal.SIGTERM, stop)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return subprocess.run(command, env={**os.environ, "STERLING_URL": proxy}, check=False).returncode
    finally:
        server.shutdown()
        server.server_close()


def _differ(args: argparse.Namespace, session: Session) -> Any:
    from sterling_mock.mock_server.recording.drift import Drift
    from sterling_mock.mock_server.recording.format import RULES
    from sterling_mock.mock_server.recording.report import load_rules, load_rules_data
    from sterling_mock.mock_server.recording.targets import InProcess, Remote

    target = Remote(args.diff_url) if args.diff_url else InProcess()
    rules = load_rules(load_rules_data(session.side_file(RULES, [])))
    return Drift(target, name=session.path.name, rules=rules)
