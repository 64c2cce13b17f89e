"""A throwaway PostgreSQL server for tests and benchmarks: ``initdb`` in a temporary directory, started on a
free 127.0.0.1 port, removed on ``stop()``.

PostgreSQL's own binaries are used (Debian's ``postgresql-15`` puts them in /usr/lib/postgresql/15/bin);
when none are found, :class:`Unavailable` says how to install them.  PostgreSQL refuses to run as root, so
as root the server runs as the ``postgres`` user that Debian's package creates.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sterling_mock.mock_server.base.ports import free_port
from sterling_mock.mock_server.store.db import with_schema

INSTALL_HINT = (
    "PostgreSQL 15 was not found: install it with `apt-get install -y postgresql-15` "
    "(or set STERLING_MOCK_PG_BIN to the folder holding initdb and pg_ctl)"
)
USER = "sterling"
PASSWORD = "sterling"
DATABASE = "sterling_mock"


class Unavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine, or the server would not start."""


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first, or None."""
    configured = os.environ.get("STERLING_MOCK_PG_BIN")
    if configured:  # only there: a wrong folder must say so, not quietly find another server
        candidates = [Path(configured)]
    else:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
        found = shutil.which("initdb")
        if found:
            candidates.append(Path(found).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _version(path: Path) -> int:
    try:
        return int(path.parent.name)
    except ValueError:
        return 0


@dataclass
class Cluster:
    """One running server; ``url`` reaches its database."""

    root: Path
    port: int
    bin: Path
    url: str = ""
    _stopped: bool = field(default=False, repr=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url_for(self, schema: str = "") -> str:
        return with_schema(self.url, schema) if schema else self.url

    def restart(self) -> None:
        """Restart the server (``fast``: every connection is dropped), as an upgrade or failover would."""
        _run(
            [
                str(self.bin / "pg_ctl"),
                "restart",
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "-l",
                str(self.data / "server.log"),
            ],
            timeout=90,
        )

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        with contextlib.suppress(Exception):
            _run(
                [str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "20"]
            )
        shutil.rmtree(self.root, ignore_errors=True)


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _run(cmd: list[str], timeout: float = 60) -> str:
    done = subprocess.run(
        _as_server_user(cmd), capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
    )
    if done.returncode != 0:
        raise Unavailable(
            f"{' '.join(cmd[:2])} failed ({done.returncode}): {done.stderr.strip() or done.stdout}"
        )
    return done.stdout


PREFIX = "sterling-mock-pg-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep(folder: Path) -> None:
    """Stop and remove the servers of runs that died without stopping theirs (a killed test run): each
    server's folder names the process that started it."""
    for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((root / "owner").read_text())
        except (OSError, ValueError):
            continue
        if owner == os.getpid() or _alive(owner):
            continue
        if (root / "data" / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                _run(
                    [str(folder / "pg_ctl"), "stop", "-D", str(root / "data"), "-m", "immediate", "-w"],
                    timeout=30,
                )
        shutil.rmtree(root, ignore_errors=True)


def start(
    *, durable: bool = False, port: int | None = None, max_connections: int = 200, password: bool = True
) -> Cluster:
    """Start a new server.  ``durable=False`` (tests) turns fsync off; benchmarks pass ``durable=True`` so the
    figures include the same commit flush SQLite pays.  ``password=False`` trusts loopback connections (the
    test suite's PostgreSQL pass opens hundreds: a SCRAM handshake costs ~8 ms each)."""
    folder = binaries()
    if folder is None:
        raise Unavailable(INSTALL_HINT)
    _sweep(folder)
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    cluster = Cluster(root=root, port=port or free_port(), bin=folder)
    try:
        (root / "owner").write_text(str(os.getpid()))
        os.chmod(root, 0o755)
        (root / "data").mkdir()
        pwfile = root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(root / "data", "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        _run(
            [
                str(folder / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                USER,
                "--pwfile",
                str(pwfile),
                "--auth",
                "scram-sha-256" if password else "trust",
                "--encoding",
                "UTF8",
                "--no-locale",
                "--no-instructions",
                *([] if durable else ["--no-sync"]),
            ],
            timeout=120,
        )
        pwfile.unlink()
        options = [
            f"-p {cluster.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={root / 'data'}",
            f"-c max_connections={max_connections}",
            "-c shared_buffers=128MB",
        ]
        if not durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        _run(
            [
                str(folder / "pg_ctl"),
                "start",
                "-D",
                str(root / "data"),
                "-w",
                "-t",
                "60",
                "-l",
                str(root / "data" / "server.log"),
                "-o",
                " ".join(options),
            ],
            timeout=90,
        )
        atexit.register(cluster.stop)
        cluster.url = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{cluster.port}/{DATABASE}"
        _create_database(cluster)
        return cluster
    except BaseException:
        cluster.stop()
        raise


def _create_database(cluster: Cluster) -> None:
    import psycopg

    admin = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{cluster.port}/postgres"
    deadline = time.monotonic() + 20
    while True:
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main() -> None:  # pragma: no cover - a convenience for trying the shared deployment by hand
    """``python -m mock_server.pgcluster``: start a server, print its URL, stop on Ctrl-C."""
    cluster = start(durable=True, port=int(os.environ.get("PGPORT", "0")) or None)
    print(cluster.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
