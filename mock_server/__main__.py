"""Command line: ``sterling-mock serve | seed | reset | ...`` (the ``sterling-mock`` console script)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from sterling_mock.mock_server.base.settings import DURABILITY, Settings, parse_users
from sterling_mock.mock_server.store.db import database_errors, describe, redact


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        help="SQLite file, sqlite:///PATH or :memory: (default var/sterling-mock.db), or "
        "postgresql://user:pass@host:port/dbname[?schema=NAME] for a store shared by several instances",
    )
    parser.add_argument("--seed", type=int, help="seed of the demo data (default 42)")
    parser.add_argument("--auth-style", choices=["ANY", "BASIC", "STANDARD", "JWT", "OPEN"], type=str.upper)
    parser.add_argument("--users", help="user:password[,user:password...] (default admin:password)")
    parser.add_argument("--auth-error-status", type=int, choices=[400, 401])
    parser.add_argument("--quantity-format", choices=["int", "decimal"])
    parser.add_argument("--strict-master-data", action="store_true", default=None)
    parser.add_argument("--durability", choices=list(DURABILITY), type=str.upper)
    parser.add_argument("--control-token", help="require X-Sterling-Mock-Token on /_fake/ routes")
    parser.add_argument(
        "--console-read-only",
        action="store_true",
        default=None,
        help="the demo console shows everything but refuses actions and controls",
    )
    parser.add_argument("--template-dir", help="folder of stored output templates (<id>.xml or <id>.json)")
    parser.add_argument("--master-data-file", help="JSON master data (enterprises, nodes, items, inventory)")
    parser.add_argument("--pipeline-file", help="JSON status pipelines (descriptions, sub-statuses, moves)")
    parser.add_argument(
        "--allow-any-transition",
        action="store_true",
        default=None,
        help="changeOrderStatus may move quantity to any status",
    )
    parser.add_argument("--flows-file", help="JSON configured services for executeFlow / IsFlow=Y")
    parser.add_argument(
        "--allow-put", action="store_true", default=None, help="PUT /order/<key> runs changeOrder"
    )
    parser.add_argument(
        "--interop-auth",
        choices=["password", "user", "open"],
        help="how the interop servlet checks YFSEnvironment credentials (default password)",
    )


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    overrides: dict[str, Any] = {
        "db": args.db,
        "seed": args.seed,
        "auth_style": args.auth_style,
        "users": parse_users(args.users) if args.users else None,
        "auth_error_status": args.auth_error_status,
        "quantity_format": args.quantity_format,
        "strict_master_data": args.strict_master_data,
        "durability": args.durability,
        "control_token": args.control_token,
        "console_read_only": args.console_read_only,
        "template_dir": args.template_dir,
        "master_data_file": args.master_data_file,
        "pipeline_file": args.pipeline_file,
        "allow_any_transition": args.allow_any_transition,
        "flows_file": args.flows_file,
        "allow_put": args.allow_put,
        "interop_auth": args.interop_auth,
    }
    overrides.update(extra)
    return Settings.from_env(**overrides)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sterling-mock", description="A local, stateful fake of IBM Sterling OMS."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the fake under its production server (gunicorn)")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 9080)")
    serve.add_argument("--workers", type=int, help="worker processes (default 2)")
    serve.add_argument(
        "--demo-orders", type=int, help="orders seeded into an empty store (default 300; 0: none)"
    )
    serve.add_argument("--throttle", action="store_true", default=None, help="turn throttling on")
    serve.add_argument("--log-level", help="gunicorn log level (default warning)")
    serve.add_argument("--quiet", action="store_true", help="do not print the banner")
    serve.add_argument(
        "--stubs", help="a recording folder or stub file answering APIs the fake does not model"
    )
    _add_server_options(serve)

    seed = sub.add_parser("seed", help="write N realistic orders straight into a store file")
    seed.add_argument("--orders", type=int, default=1000)
    seed.add_argument("--namespace", default="default")
    _add_server_options(seed)

    repair = sub.add_parser(
        "repair",
        help="list the stored records a read cannot take (written by an older version) and repair them",
    )
    repair.add_argument("--dry-run", action="store_true", help="only list them")
    _add_server_options(repair)

    from sterling_mock.mock_server.control.cli import add_parsers, add_remote_seed

    add_remote_seed(seed)
    add_parsers(sub)  # reset, summary, faults, clock, journal, throttle, agents, advance, state (--url)
    from sterling_mock.mock_server.recording import cli as recording_cli

    recording_cli.add_parsers(sub)  # record, drift
    return parser


def cmd_serve(args: argparse.Namespace) -> int:
    from sterling_mock.mock_server.doors.server import serve

    settings = _settings(
        args,
        host=args.host,
        port=args.port,
        workers=args.workers,
        demo_orders=args.demo_orders,
        throttle_enabled=args.throttle,
        log_level=args.log_level,
        stubs=_stubs(args.stubs),
    )
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: binding {settings.host}: the fake and its control plane are reachable from the network",
            file=sys.stderr,
        )
    settings = _shareable(settings)
    serve(settings, quiet=args.quiet)
    return 0


MEMORY_URLS = (":memory:", "sqlite://", "sqlite:///", "sqlite:///:memory:")


def _shareable(settings: Settings) -> Settings:
    """An in-memory store lives in one process, and the server's workers are processes: ``serve --db :memory:``
    serves from a temporary file instead, removed when the server exits (as ephemeral as asked, and shared)."""
    if settings.db.strip() not in MEMORY_URLS:
        return settings
    import atexit
    import dataclasses
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="sterling-mock-")
    atexit.register(shutil.rmtree, folder, True)
    print(
        "note: an in-memory store cannot be shared by the server's worker processes; "
        f"serving from a temporary store removed on exit ({folder})",
        file=sys.stderr,
    )
    return dataclasses.replace(settings, db=os.path.join(folder, "store.db"))


def _stubs(path: str | None) -> str | None:
    """A recording folder's stubs rebuilt (its matching.json may have been edited), or a stub file."""
    if not path:
        return None
    from sterling_mock.mock_server.recording.cli import prepare_stubs

    return prepare_stubs(path)


def cmd_seed(args: argparse.Namespace) -> int:
    import time

    from sterling_mock.mock_server.calls.dispatch import Fake
    from sterling_mock.mock_server.control.cli import seed_options
    from sterling_mock.mock_server.seeding.seed import SeedOptions, seed_orders

    settings = _settings(args)
    options = SeedOptions.from_json(seed_options(args))  # ValueError: a clear message, exit 2
    fake = Fake(settings)
    started = time.perf_counter()
    created = seed_orders(fake, args.namespace, args.orders, seed=settings.seed, options=options)
    elapsed = time.perf_counter() - started
    fake.store.close()
    size = ""
    if fake.store.dialect == "sqlite" and not fake.store.memory:
        size = f" ({os.path.getsize(fake.store.path) / 1e6:.1f} MB)"
    print(f"seeded {created} orders into {redact(settings.db)} in {elapsed:.1f} s{size}")
    return 0


def _control_cli() -> Any:
    from sterling_mock.mock_server.control import cli

    return cli


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "seed":
            return cmd_seed(args) if not args.url else _control_cli().seed_remote(args)
        if args.command == "repair":
            from sterling_mock.mock_server.domain import repair

            return repair.run(_settings(args), dry_run=args.dry_run)
        if args.command in ("record", "drift"):
            from sterling_mock.mock_server.recording import cli as recording_cli

            return recording_cli.run(args)
        if args.command in _control_cli().COMMANDS:
            return int(_control_cli().run(args))
    except ValueError as exc:
        print(f"sterling-mock: {exc}", file=sys.stderr)
        return 2
    except database_errors() as exc:  # an unreachable or refusing database: one clear line, no traceback
        print(
            f"sterling-mock: the store {redact(str(getattr(args, 'db', '') or ''))} cannot be used: {describe(exc)}",
            file=sys.stderr,
        )
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
