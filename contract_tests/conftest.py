"""The contract suite's switch and rules: the target (the fake by default, a real instance from STERLING_URL),
one marker per test enforced at collection, writes only with --allow-writes on a real instance, parity
snapshots (--record), and failure messages that show the calls made."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.fixtures import create_order_input, sterling_faker

from .parity import SNAPSHOT_DIR, Recorder, snapshot_path
from .sterling import NAMESPACE_HEADER, Sterling
from .target import FakeServer, Target, from_environment

CONTRACT_DIR = Path(__file__).resolve().parent
KINDS = ("verified", "unverified", "fake_only")
RUN_ID = uuid.uuid4().hex[:6].upper()
READ_NAMESPACE = "contract-read"
SEQUENCE = itertools.count(1)
EXCHANGES = pytest.StashKey[Sterling]()
PARITY = pytest.StashKey[list[str]]()
FAILED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sterling contract")
    group.addoption("--allow-writes", action="store_true", help="run tests that write on a real instance")
    group.addoption("--record", action="store_true", help="record parity snapshots from this target")
    group.addoption(
        "--parity-strict",
        action="store_true",
        help="also fail on differences from snapshots recorded against the fake (examples)",
    )
    group.addoption("--snapshot-dir", default=str(SNAPSHOT_DIR), help="where parity snapshots live")


def pytest_configure(config: pytest.Config) -> None:
    for line in (
        "verified: has passed against a real Sterling instance",
        "unverified: written from the reference, not yet run against a real Sterling",
        "fake_only: exercises the fake's own features (control plane, settings)",
        "writes: creates or changes data on the target",
    ):
        config.addinivalue_line("markers", line)


def _in_suite(item: pytest.Item) -> bool:
    return CONTRACT_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every contract test carries exactly one of verified / unverified / fake_only, or collection fails;
    on a real target fake_only tests skip, and so do writing tests without --allow-writes."""
    offenders = []
    real = from_environment() is not None
    allow_writes = bool(config.getoption("--allow-writes"))
    for item in items:
        if not _in_suite(item):
            continue
        kinds = [k for k in KINDS if item.get_closest_marker(k) is not None]
        if len(kinds) != 1:
            offenders.append(f"{item.nodeid}: {kinds or 'no marker'}")
            continue
        item.user_properties.append(("contract", kinds[0]))
        item.user_properties.append(("target", "real" if real else "fake"))
        if real and kinds[0] == "fake_only":
            item.add_marker(pytest.mark.skip(reason="fake_only: the target is a real instance"))
        elif real and item.get_closest_marker("writes") and not allow_writes:
            item.add_marker(
                pytest.mark.skip(reason="writes: pass --allow-writes to write on a real instance")
            )
    if offenders:
        raise pytest.UsageError(
            "every contract test needs exactly one of @pytest.mark.verified, @pytest.mark.unverified or "
            "@pytest.mark.fake_only:\n  " + "\n  ".join(offenders)
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "call":
        item.stash[FAILED] = report.failed
    differences: list[str] = item.stash.get(PARITY, [])
    if report.when == "teardown" and differences:
        report.sections.append(("parity differences", "\n".join(differences)))
    if report.failed and EXCHANGES in item.stash:
        report.sections.append(("sterling calls (last 3)", item.stash[EXCHANGES].describe(3)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    shown = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for title, text in getattr(report, "sections", []):
                if title == "parity differences" and report.when == "teardown":
                    shown.append(f"{report.nodeid}\n  " + text.replace("\n", "\n  "))
    if shown:
        terminalreporter.section("parity differences from example snapshots (not failures)")
        for text in shown:
            terminalreporter.write_line(text)


# ---------------------------------------------------------------------------------------------- target


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The real instance named by the environment, or a fake started once per session (per xdist worker)."""
    real = from_environment()
    if real is not None:
        yield real
        return
    server = FakeServer(tmp_path_factory.mktemp("contract"))
    try:
        yield server.target()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def read_namespace(target: Target) -> str:
    """On the fake, a namespace seeded once with orders across statuses for the read-only tests."""
    if not target.is_fake:
        return ""
    namespace = f"{READ_NAMESPACE}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    headers = {NAMESPACE_HEADER: namespace}
    requests.post(
        target.control_url + "/_fake/reset", json={}, headers=headers, timeout=30
    ).raise_for_status()
    body = {"orders": 24, "seed": 7, "statuses": {"1100": 2, "1500": 1, "3200": 1, "3700": 2}}
    requests.post(
        target.control_url + "/_fake/seed", json=body, headers=headers, timeout=60
    ).raise_for_status()
    return namespace


@pytest.fixture(params=["json", "xml"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sterling(
    request: pytest.FixtureRequest, target: Target, read_namespace: str, fmt: str
) -> Iterator[Sterling]:
    """A caller of the target in ``fmt``.  On the fake, a writing test gets a namespace of its own and a
    read-only one the shared seeded namespace.  Answers feed the parity recorder."""
    writes = request.node.get_closest_marker("writes") is not None
    namespace = ""
    if target.is_fake:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        namespace = f"ct-{RUN_ID}-{worker}-{next(SEQUENCE)}" if writes else read_namespace
    directory = Path(str(request.config.getoption("--snapshot-dir")))
    recorder = Recorder(
        snapshot_path(request.node.nodeid, directory),
        bool(request.config.getoption("--record")),
        target.name,
        target.base_url if target.is_fake else "",
    )
    fake_only = request.node.get_closest_marker("fake_only") is not None  # no real answer to compare with
    caller = Sterling(target, namespace, fmt, on_response=None if fake_only else recorder)
    request.node.stash[EXCHANGES] = caller
    yield caller
    caller.session.close()
    called = {e.url.split("/invoke/", 1)[1].split("?", 1)[0] for e in caller.exchanges if "/invoke/" in e.url}
    request.node.user_properties.append(("apis", " ".join(sorted(called - {"login"} or called))))
    _finish_parity(request, recorder)


def _finish_parity(request: pytest.FixtureRequest, recorder: Recorder) -> None:
    if request.node.stash.get(FAILED, False):
        return  # the failure says enough; parity of a broken test's answers would only add noise
    source, found = recorder.finish()
    if not found:
        return
    if source == "real" or request.config.getoption("--parity-strict"):
        pytest.fail(
            f"answers differ in shape from the snapshot recorded against a {source} instance "
            f"({recorder.path}):\n  " + "\n  ".join(found),
            pytrace=False,
        )
    request.node.stash[PARITY] = found


# ---------------------------------------------------------------------------------------------- data


@pytest.fixture
def order_prefix() -> str:
    """A prefix unique to this test in this run: a real instance keeps every order the suite creates, and a
    test that lists its own orders (``OrderNo`` FLIKE the prefix) must not find another test's."""
    return f"CT{RUN_ID}{os.getpid() % 1000:03d}{next(SEQUENCE):04d}-"


@pytest.fixture
def order_no(order_prefix: str) -> Callable[[], str]:
    """Order numbers that start with ``order_prefix``."""
    counter = itertools.count(1)

    def make() -> str:
        return f"{order_prefix}{next(counter):03d}"

    return make


@pytest.fixture
def new_order(sterling: Sterling, order_no: Callable[[], str]) -> Callable[..., tuple[str, Doc]]:
    """``new_order(lines=2, **overrides)`` creates an order and answers (OrderHeaderKey, the input)."""
    faker = sterling_faker(len(sterling.exchanges) + 11)

    def make(lines: int = 2, **overrides: Any) -> tuple[str, Doc]:
        node = overrides.pop("node", "DC_EAST")
        doc = create_order_input(
            faker, lines=lines, OrderNo=order_no(), EnterpriseCode="Matrix-R", **overrides
        )
        for line in as_list(doc["OrderLines"]["OrderLine"]):
            line["ShipNode"] = node
        out = sterling.invoke("createOrder", doc)
        return str(out["OrderHeaderKey"]), doc

    return make


@pytest.fixture
def existing_order(sterling: Sterling) -> Doc:
    """An order that already exists on the target (read-only tests): the newest one getOrderList finds."""
    found = sterling.invoke(
        "getOrderList", {"MaximumRecords": "1", "DocumentType": "0001", "OrderBy": _newest()}, fmt="json"
    )
    orders = as_list(found.get("Order"))
    if not orders:
        pytest.skip("the target has no sales orders to read")
    return orders[0]


def _newest() -> Doc:
    return {"Attribute": {"Name": "OrderDate", "Desc": "Y"}}


@pytest.fixture
def control(sterling: Sterling, target: Target) -> Callable[..., Any]:
    """``control("POST", "clock", {"freeze": True})``: the fake's control plane in the test's namespace."""
    if not target.is_fake:
        pytest.skip("the control plane exists only on the fake")

    def call(method: str, path: str, body: Doc | None = None) -> Any:
        response = requests.request(
            method,
            f"{target.control_url}/_fake/{path}",
            json=body,
            headers={NAMESPACE_HEADER: sterling.namespace},
            timeout=30,
        )
        assert response.status_code < 400, (response.status_code, response.text)
        return response.json() if response.content else None

    return call
