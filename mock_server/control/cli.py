"""Command-line access to a running fake's control plane: ``sterling-mock reset|faults|clock|journal|...``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the helper brings in requests: loaded by the commands that talk to a fake, not by serve
    from sterling_mock.mock_server.control.helper import FakeControl

COMMANDS = ("reset", "summary", "faults", "clock", "journal", "throttle", "agents", "advance", "state")
DEFAULT_URL = "http://127.0.0.1:9080"


def _remote(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get("STERLING_MOCK_URL", DEFAULT_URL),
        help=f"the running fake (default $STERLING_MOCK_URL or {DEFAULT_URL})",
    )
    parser.add_argument("--namespace", default=os.environ.get("STERLING_MOCK_NAMESPACE", "default"))
    parser.add_argument(
        "--token",
        default=os.environ.get("STERLING_MOCK_CONTROL_TOKEN", ""),
        help="X-Sterling-Mock-Token (default $STERLING_MOCK_CONTROL_TOKEN)",
    )


def add_parsers(sub: Any) -> None:
    """Register the control subcommands on the main parser's subparsers."""
    reset = sub.add_parser("reset", help="fresh state in a namespace of a running fake (or --all)")
    reset.add_argument("--all", action="store_true", help="every namespace")
    _remote(sub.add_parser("summary", help="counts by status, enterprise, document type; throttle; journal"))
    _remote(reset)

    faults = sub.add_parser("faults", help="list, add, delete or clear fault rules")
    faults.add_argument("action", choices=["list", "add", "delete", "clear"], nargs="?", default="list")
    faults.add_argument("id", nargs="?", help="the rule to delete")
    faults.add_argument("--api", help="API name, or '*'")
    kind = faults.add_mutually_exclusive_group()
    kind.add_argument("--error", metavar="CODE[:DESCRIPTION]", help="answer a Sterling error")
    kind.add_argument("--http", type=int, metavar="STATUS", help="answer HTTP 500/502/503/504")
    kind.add_argument("--latency", type=int, metavar="MS", help="delay, then run the call")
    kind.add_argument("--reset", action="store_true", help="reset the connection")
    kind.add_argument("--close", action="store_true", help="close the connection mid-response")
    kind.add_argument("--slow-body", type=int, metavar="BYTES_PER_S", help="deliver the body slowly")
    kind.add_argument("--json", dest="rule_json", metavar="RULE", help="a whole rule as JSON")
    faults.add_argument("--http-status", type=int, default=400, help="HTTP status of --error (default 400)")
    faults.add_argument("--times", type=int)
    faults.add_argument("--probability", type=float)
    faults.add_argument("--user")
    faults.add_argument("--match", action="append", default=[], metavar="ATTR=VALUE")
    faults.add_argument("--after", action="store_true", help="let the call complete first")
    _remote(faults)

    clock = sub.add_parser("clock", help="show, freeze, unfreeze, set or advance the virtual clock")
    clock.add_argument(
        "action", choices=["show", "freeze", "unfreeze", "set", "advance"], nargs="?", default="show"
    )
    clock.add_argument("value", nargs="?", help="ISO 8601 time for set; seconds or PT1H for advance")
    _remote(clock)

    journal = sub.add_parser("journal", help="list (or --clear) the request journal")
    journal.add_argument("--api", default="")
    journal.add_argument("--since", default="")
    journal.add_argument("--limit", type=int, default=20)
    journal.add_argument("--clear", action="store_true")
    _remote(journal)

    throttle = sub.add_parser("throttle", help="show or change throttling")
    onoff = throttle.add_mutually_exclusive_group()
    onoff.add_argument("--on", dest="enabled", action="store_const", const=True)
    onoff.add_argument("--off", dest="enabled", action="store_const", const=False)
    throttle.add_argument("--rate", type=float)
    throttle.add_argument("--burst", type=int)
    _remote(throttle)

    agents = sub.add_parser("agents", help="run lifecycle agents now, or turn them on/off")
    agents.add_argument("action", choices=["run", "on", "off", "show"], nargs="?", default="run")
    agents.add_argument("--steps", type=int, default=1)
    agents.add_argument("--every", type=int, help="virtual seconds between steps (on)")
    _remote(agents)

    advance = sub.add_parser("advance", help="walk one order to a status")
    advance.add_argument("order_header_key")
    advance.add_argument("--to", required=True, help="status code, e.g. 3700")
    _remote(advance)

    state = sub.add_parser("state", help="export or import a namespace's state (JSON snapshot)")
    state.add_argument("action", choices=["export", "import"])
    state.add_argument("file", nargs="?", help="file to write or read (default stdout / stdin)")
    _remote(state)


def add_remote_seed(parser: argparse.ArgumentParser) -> None:
    """``sterling-mock seed --url ...`` seeds a running fake through the control plane."""
    parser.add_argument("--url", help="seed a running fake through /_fake/seed instead of a store file")
    parser.add_argument("--token", default=os.environ.get("STERLING_MOCK_CONTROL_TOKEN", ""))
    parser.add_argument(
        "--statuses",
        help="status mix, e.g. 1100,1500,3200,3700 or 1100=3,3700=1 (default: a realistic mix, "
        "Created to Shipped and Cancelled)",
    )
    parser.add_argument("--enterprises", help="comma-separated enterprise codes")


def seed_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--statuses`` and ``--enterprises`` as ``POST /_fake/seed`` takes them."""
    options: dict[str, Any] = {}
    if args.statuses:
        parts = [p.split("=", 1) for p in args.statuses.split(",") if p]
        options["statuses"] = {p[0]: float(p[1]) if len(p) > 1 else 1.0 for p in parts}
    if args.enterprises:
        options["enterprises"] = [e for e in args.enterprises.split(",") if e]
    return options


def seed_remote(args: argparse.Namespace) -> int:
    options = seed_options(args)
    from sterling_mock.mock_server.control.helper import FakeControl

    with FakeControl(args.url, args.namespace, args.token) as fc:
        return _print({"created": fc.seed(args.orders, args.seed, **options)})


def _usage(message: str) -> Exception:
    from sterling_mock.mock_server.control.helper import FakeControlError

    return FakeControlError(400, "USAGE", message)


def run(args: argparse.Namespace) -> int:
    """Run one control subcommand; 0 on success, 1 when the fake refused, 2 when it cannot be reached."""
    from sterling_mock.mock_server.control.helper import FakeControl, FakeControlError

    try:
        with FakeControl(args.url, args.namespace, args.token) as fc:
            return _print(_dispatch(fc, args))
    except FakeControlError as exc:
        print(f"sterling-mock: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # requests' connection errors derive from OSError
        print(f"sterling-mock: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 2


def _dispatch(fc: FakeControl, args: argparse.Namespace) -> Any:
    command = args.command
    if command == "reset":
        return {"reset": fc.reset(all_namespaces=args.all)}
    if command == "summary":
        return fc.summary()
    if command == "faults":
        return _faults(fc, args)
    if command == "clock":
        return _clock(fc, args)
    if command == "journal":
        if args.clear:
            fc.clear_journal()
            return {"cleared": True}
        return fc.journal(args.api, since=args.since, limit=args.limit)
    if command == "throttle":
        if args.enabled is None and args.rate is None and args.burst is None:
            return fc.throttle()
        return fc.set_throttle(args.enabled, args.rate, args.burst)
    if command == "agents":
        if args.action == "run":
            return {"moved": fc.run_agents(args.steps)}
        if args.action == "show":
            return fc.agents()
        return fc.set_agents(enabled=args.action == "on", **({"every": args.every} if args.every else {}))
    if command == "advance":
        return fc.advance_order(args.order_header_key, args.to)
    return _state(fc, args)


def _faults(fc: FakeControl, args: argparse.Namespace) -> Any:
    if args.action == "list":
        return {"faults": fc.faults()}
    if args.action == "clear":
        fc.clear_faults()
        return {"cleared": True}
    if args.action == "delete":
        if not args.id:
            raise _usage("faults delete needs the rule id")
        fc.delete_fault(args.id)
        return {"deleted": args.id}
    if args.rule_json:
        return fc.request("POST", "faults", json.loads(args.rule_json))
    rule: dict[str, Any] = {
        "match": dict(m.split("=", 1) for m in args.match if "=" in m),
        "after": args.after,
    }
    for name in ("times", "probability", "user"):
        if getattr(args, name) is not None:
            rule[name] = getattr(args, name)
    return fc.add_fault(args.api or "", _action(args), **rule)


def _action(args: argparse.Namespace) -> dict[str, Any]:
    if args.error:
        code, _, description = args.error.partition(":")
        return {
            "type": "error",
            "code": code,
            "description": description or code,
            "http_status": args.http_status,
        }
    if args.http is not None:
        return {"type": "http", "status": args.http}
    if args.latency is not None:
        return {"type": "latency", "ms": args.latency}
    if args.slow_body is not None:
        return {"type": "slow_body", "bytes_per_s": args.slow_body}
    return {"type": "reset" if args.reset else "close" if args.close else ""}


def _clock(fc: FakeControl, args: argparse.Namespace) -> Any:
    if args.action == "show":
        return fc.clock()
    if args.action == "freeze":
        return fc.freeze(args.value)
    if args.action == "unfreeze":
        return fc.unfreeze()
    if not args.value:
        raise _usage(f"clock {args.action} needs a value")
    if args.action == "set":
        return fc.set_time(args.value)
    value: float | str = float(args.value) if args.value.replace(".", "", 1).isdigit() else args.value
    return fc.advance(value)


def _state(fc: FakeControl, args: argparse.Namespace) -> Any:
    if args.action == "export":
        snapshot = fc.export_state()
        if args.file:
            with open(args.file, "w", encoding="utf-8") as out:
                json.dump(snapshot, out)
            return {"exported": args.file, "orders": len(snapshot["tables"].get("orders", []))}
        return snapshot
    if args.file:
        with open(args.file, encoding="utf-8") as source:
            data = json.load(source)
    else:
        data = json.load(sys.stdin)
    return {"imported": fc.import_state(data)}


def _print(value: Any) -> int:
    print(json.dumps(value, indent=2))
    return 0
