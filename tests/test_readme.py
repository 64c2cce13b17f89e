"""Every shell and Python example of the README and the user documents runs as written, against a fresh fake
started exactly as ``make run`` starts it (demo seed, 300 orders), on a free 127.0.0.1 port instead of 9080.

Conventions for the examples (README.md and every ``docs/*.md``):

- A fenced block tagged ``sh``, ``bash``, ``shell`` or ``python`` is an example and is run; other tags (``json``,
  ``xml``, ``nginx``, ``text``) are shown, not run.
- A block that is not meant to run here (``make test``, a pip install, a real Sterling's URL) is preceded by the
  line ``<!-- readme-test: skip (why) -->``; a block that runs until stopped (``--follow``) by
  ``<!-- readme-test: stop-after N -->``: it must still be running after N seconds, having printed something
  (it gets up to a minute more to print its first line).
- Each block runs on its own (variables do not carry over between blocks), from a scratch folder holding a link
  to the project's ``.venv`` (so ``.venv/bin/...`` and ``var/...`` work as from a checkout), with ``.venv/bin`` on
  ``PATH`` and ``STERLING_URL``/``STERLING_MOCK_URL`` pointing at the server. ``127.0.0.1:9080`` in a block is
  replaced by the server's address. ``curl`` fails on an HTTP error (``--fail-with-body``), so an example whose
  call is refused fails the test.
- A Python block defining ``test_`` functions runs under pytest (the package's plugin included); any other runs as
  a script.

One server serves every example, README's first (so they meet the fresh store they promise), then each
document's in order; the blocks of docs/ keep to their own namespaces or to what README already changed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from sterling_mock.mock_server.base.ports import free_port
from tests.conftest import ROOT, LiveServer

#: README.md and every document under docs/.
DOCUMENTS = ("README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")))
SHELL = {"sh", "bash", "shell"}
PYTHON = {"python", "py"}
MARKER = re.compile(r"^<!--\s*readme-test:\s*(skip|stop-after\s+(\d+))\b.*-->\s*$")
FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
BLOCK_TIMEOUT = 180
#: How much longer than its N seconds a stop-after block may take to print its first line (a loaded machine).
STOP_AFTER_GRACE = 60
#: curl as the examples show it, but an HTTP error fails the block (its body is still printed).
CURL = 'curl() { command curl --fail-with-body --show-error --max-time 60 "$@"; }\n'
pytestmark = pytest.mark.sqlite_only  # the examples run `make run`'s store; the PostgreSQL pass adds nothing


@dataclass
class Block:
    document: str
    line: int
    language: str
    code: str
    skip: str = ""
    stop_after: int = 0

    @property
    def name(self) -> str:
        return f"{self.document}:{self.line}"


def blocks(document: str) -> list[Block]:
    """The examples of a document, with their markers."""
    found: list[Block] = []
    lines = (ROOT / document).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        start, language, body = i, opening.group(1).lower(), []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        if language not in SHELL | PYTHON:
            continue
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.match(before.strip())
        block = Block(document, start + 1, "python" if language in PYTHON else "sh", "\n".join(body) + "\n")
        if marker and marker.group(1) == "skip":
            block.skip = before.strip()
        elif marker:
            block.stop_after = int(marker.group(2))
        found.append(block)
    return found


ALL = [block for document in DOCUMENTS for block in blocks(document)]


class DemoServer(LiveServer):
    """``make run``'s server (``sterling-mock serve``, the demo seed and its 300 orders) on a free port."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = self.url + "/smcfs/restapi"
        self.log_path = tmp / f"demo-{self.port}.log"
        self.db = str(tmp / "var" / "sterling-mock.db")
        (tmp / "var").mkdir(exist_ok=True)
        cmd = [ROOT / ".venv/bin/sterling-mock", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*map(str, cmd), "--db", self.db], stdout=self.log, stderr=subprocess.STDOUT, cwd=tmp
        )
        self.wait_ready(timeout=120)
        self.wait_seeded(timeout=180)

    def wait_seeded(self, timeout: float) -> None:
        """The demo orders are written after the port opens; health says ``"seeding": false`` once they are in
        (the examples read them)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not requests.get(self.url + "/_fake/health", timeout=5).json().get("seeding"):
                return
            time.sleep(0.2)
        raise RuntimeError("the demo orders were not written in time:\n" + self.log_path.read_text())


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DemoServer]]:
    """The demo server of every example (one: each start writes the 300 demo orders), started on first use."""
    if not (ROOT / ".venv/bin/sterling-mock").exists():
        pytest.skip("no .venv: `make install` first")
    started: dict[str, DemoServer] = {}
    try:
        yield started
    finally:
        for server in started.values():
            server.stop()


def server_for(servers: dict[str, DemoServer], tmp: pytest.TempPathFactory) -> DemoServer:
    if "demo" not in servers:
        servers["demo"] = DemoServer(tmp.mktemp("demo"))
    return servers["demo"]


def workdir(tmp_path: Path) -> Path:
    """A scratch folder that looks like a checkout: ``.venv`` linked, ``var/`` present."""
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "var").mkdir()
    return tmp_path


def environment(server: DemoServer) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{ROOT / '.venv/bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "STERLING_URL": server.url,
        "STERLING_MOCK_URL": server.url,
        "PYTHONUNBUFFERED": "1",
    }


def localise(code: str, server: DemoServer) -> str:
    return code.replace("127.0.0.1:9080", f"127.0.0.1:{server.port}").replace(
        "localhost:9080", f"127.0.0.1:{server.port}"
    )


def command(block: Block, code: str, folder: Path) -> list[str]:
    if block.language == "sh":
        return ["bash", "-e", "-o", "pipefail", "-c", CURL + code]
    script = folder / f"test_example_{block.line}.py"
    if not re.search(r"^def test_", code, re.M):
        script = folder / f"example_{block.line}.py"
        script.write_text(code)
        return [sys.executable, str(script)]
    script.write_text(code)
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(folder),
        str(script),
    ]


def run_until_stopped(
    argv: list[str], folder: Path, env: dict[str, str], seconds: int
) -> tuple[int | None, str]:
    """Start, wait ``seconds`` (or its end), stop it; its exit code if it ended by itself, and its output
    (collected into a file: a pipe could fill up and stall it)."""
    with (folder / "output.txt").open("w+b") as output:
        process = subprocess.Popen(
            argv, cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + seconds + STOP_AFTER_GRACE
        code: int | None = None
        while code is None and time.monotonic() < deadline:
            try:
                code = process.wait(0.2)
            except subprocess.TimeoutExpired:  # still running: stop once it ran its time and said something
                if time.monotonic() > deadline - STOP_AFTER_GRACE and os.fstat(output.fileno()).st_size > 0:
                    break
        if code is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        output.seek(0)
        return code, output.read().decode(errors="replace")


@pytest.mark.parametrize("block", ALL, ids=[b.name for b in ALL])
def test_example_runs_as_written(
    block: Block, servers: dict[str, DemoServer], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    if block.skip:
        pytest.skip(f"{block.name} is marked {block.skip}")
    server = server_for(servers, tmp_path_factory)
    folder = workdir(tmp_path)
    argv = command(block, localise(block.code, server), folder)
    env = environment(server)
    if block.stop_after:
        code, output = run_until_stopped(argv, folder, env, block.stop_after)
        assert code is None, f"{block.name} ended (exit {code}) instead of running on:\n{output}"
        assert output.strip(), f"{block.name} printed nothing in {block.stop_after} s"
        return
    done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=BLOCK_TIMEOUT)
    assert done.returncode == 0, (
        f"{block.name} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    )


def test_the_examples_are_found() -> None:
    """The parser sees the README's examples (a broken fence would silently run nothing)."""
    readme = [b for b in ALL if b.document == "README.md"]
    assert sum(b.language == "sh" and not b.skip for b in readme) >= 3
    assert sum(b.language == "python" and not b.skip for b in readme) >= 3
    assert any("getOrderDetails" in b.code and "$" in b.code for b in readme)  # Try it: chained calls
    assert [b for b in ALL if b.document == "docs/polling.md" and b.language == "python"]


# ------------------------------------------------------------------------------------------ the polling recipe


def recipe(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """docs/polling.md's Python example, imported as a module pointed at ``server``, with no safety lag (the
    test's changes are committed before it asks)."""
    code = next(b.code for b in ALL if b.document == "docs/polling.md" and b.language == "python")
    monkeypatch.setenv("STERLING_URL", server.url)
    spec = importlib.util.spec_from_loader("polling_recipe", loader=None)
    assert spec is not None
    module: Any = importlib.util.module_from_spec(spec)
    exec(compile(code, "docs/polling.md", "exec"), module.__dict__)
    module.LAG = module.timedelta(0)
    return module


def invoke(server: DemoServer, api: str, doc: dict[str, Any]) -> Any:
    answer = requests.post(
        f"{server.base_url}/invoke/{api}", json=doc, auth=("admin", "password"), timeout=30
    )
    assert answer.status_code in (200, 204), answer.text
    return answer.json() if answer.content else None


def all_keys(server: DemoServer) -> set[str]:
    listed = invoke(server, "getOrderList", {"MaximumRecords": "100000"})
    return {o["OrderHeaderKey"] for o in listed["Order"]}


def test_polling_recipe_sees_every_order_once_then_each_change(
    servers: dict[str, DemoServer], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = server_for(servers, tmp_path_factory)  # the demo orders, and what the examples added
    module = recipe(server, monkeypatch)
    module.PAGE = 7  # many pages, and page boundaries inside groups of orders sharing one Modifyts
    orders, since = module.poll("2000-01-01T00:00:00+00:00")
    keys = [o["OrderHeaderKey"] for o in orders]
    assert len(keys) == len(set(keys)) >= 300  # each order once
    assert set(keys) == all_keys(server)
    assert all(o["Modifyts"] <= since for o in orders)

    changed = keys[5]
    invoke(server, "changeOrder", {"OrderHeaderKey": changed, "CustomerPONo": "PO-POLLED"})
    created = invoke(server, "createOrder", {"EnterpriseCode": "Aurora"})["OrderHeaderKey"]
    at_the_edge = {o["OrderHeaderKey"] for o in orders if o["Modifyts"] == since}  # both ends are inclusive
    orders, _ = module.poll(since)
    seen = [o["OrderHeaderKey"] for o in orders]
    assert len(seen) == len(set(seen))
    assert set(seen) == at_the_edge | {changed, created}  # a window, not everything again
