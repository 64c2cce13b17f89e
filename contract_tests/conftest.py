"""The contract suite's switch and rules: the target (the fake by default, a real instance from STERLING_URL),
the instance's values from options (instance.py), one marker per test enforced at collection (``verified`` only
with a real recording behind it, ``fake_only`` only with a reason), writes only with --allow-writes on a real
instance, parity recordings and regression snapshots (--record), and failure messages that show the calls."""

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
from sterling_mock.fixtures import (
    confirm_shipment_input,
    create_order_input,
    create_shipment_input,
    sterling_faker,
)

from . import instance as values
from .instance import Instance
from .parity import (
    PARITY_DIR,
    REGRESSION_DIR,
    Recorder,
    compare,
    label_of,
    real_recordings,
    safe_label,
    snapshot_path,
)
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
    group.addoption(
        "--record",
        action="store_true",
        help="record this run's answers: parity recordings from a real target (under --parity-dir, labelled "
        "--target-label), regression snapshots from the fake (under --regression-dir)",
    )
    group.addoption(
        "--regression-strict",
        "--parity-strict",
        action="store_true",
        dest="regression_strict",
        help="also fail on differences from the regression snapshots (the fake's own past answers)",
    )
    group.addoption(
        "--regression-dir",
        "--snapshot-dir",
        dest="regression_dir",
        default=str(REGRESSION_DIR),
        help="where regression snapshots (recorded from the fake) live",
    )
    group.addoption(
        "--parity-dir",
        default=str(PARITY_DIR),
        help="where parity recordings (recorded from real targets, one folder per label) live",
    )
    group.addoption(
        "--target-label",
        default=os.environ.get("STERLING_LABEL", ""),
        help="label of the real target a --record run writes (env STERLING_LABEL; default: STERLING_URL's host)",
    )
    values.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for line in (
        "verified: has passed against a real Sterling instance (a parity recording is behind it)",
        "unverified: written from the reference, not yet run against a real Sterling",
        "fake_only(reason): holds only on the fake (its control plane, settings or data); says why",
        "writes: creates or changes data on the target",
    ):
        config.addinivalue_line("markers", line)


def _in_suite(item: pytest.Item) -> bool:
    return CONTRACT_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every contract test carries exactly one of verified / unverified / fake_only, or collection fails; a
    ``verified`` test needs a parity recording against a real instance, a ``fake_only`` one a reason.  On a
    real target fake_only tests skip, and so do writing tests without --allow-writes."""
    offenders = []
    parity_dir = Path(str(config.getoption("--parity-dir")))
    real = from_environment() is not None
    allow_writes = bool(config.getoption("--allow-writes"))
    for item in items:
        if not _in_suite(item):
            continue
        kinds = [k for k in KINDS if item.get_closest_marker(k) is not None]
        if len(kinds) != 1:
            offenders.append(f"{item.nodeid}: {kinds or 'no marker'}")
            continue
        if kinds[0] == "fake_only" and not _reason(item.get_closest_marker("fake_only")):
            offenders.append(f"{item.nodeid}: fake_only without reason=...")
            continue
        if kinds[0] == "verified" and not real_recordings(item.nodeid, parity_dir):
            offenders.append(f"{item.nodeid}: verified without a recording against a real instance")
            continue
        item.user_properties.append(("contract", kinds[0]))
        item.user_properties.append(("target", "real" if real else "fake"))
        if real and kinds[0] == "fake_only":
            why = _reason(item.get_closest_marker("fake_only"))
            item.add_marker(pytest.mark.skip(reason=f"fake_only on a real instance: {why}"))
        elif real and item.get_closest_marker("writes") and not allow_writes:
            item.add_marker(
                pytest.mark.skip(reason="writes: pass --allow-writes to write on a real instance")
            )
    if offenders:
        raise pytest.UsageError(
            "every contract test needs exactly one of @pytest.mark.verified, @pytest.mark.unverified or "
            '@pytest.mark.fake_only(reason="why only the fake"); verified only with a parity recording of a '
            "real instance (record one with --record against STERLING_URL):\n  " + "\n  ".join(offenders)
        )


def _reason(marker: pytest.Mark | None) -> str:
    if marker is None:
        return ""
    return str(marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")).strip()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "call":
        item.stash[FAILED] = report.failed
    differences: list[str] = item.stash.get(PARITY, [])
    if report.when == "teardown" and differences:
        report.sections.append(("regression differences", "\n".join(differences)))
    if report.failed and EXCHANGES in item.stash:
        report.sections.append(("sterling calls (last 3)", item.stash[EXCHANGES].describe(3)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    shown = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for title, text in getattr(report, "sections", []):
                if title == "regression differences" and report.when == "teardown":
                    shown.append(f"{report.nodeid}\n  " + text.replace("\n", "\n  "))
    if shown:
        terminalreporter.section(
            "differences from the regression snapshots: the fake against its past (not failures)"
        )
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
def instance(pytestconfig: pytest.Config) -> Instance:
    """The instance values (enterprise, seller, items, nodes, ...): options, environment, ini or the fake's."""
    return values.from_config(pytestconfig)


@pytest.fixture(scope="session")
def read_namespace(target: Target, instance: Instance) -> str:
    """On the fake, a namespace holding orders across statuses for the read-only tests, made through the
    API with the instance values (so a fake with other master data, even strict, serves it too)."""
    if not target.is_fake:
        return ""
    namespace = f"{READ_NAMESPACE}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    requests.post(
        target.control_url + "/_fake/reset", json={}, headers={NAMESPACE_HEADER: namespace}, timeout=30
    ).raise_for_status()
    caller = Sterling(target, namespace, "json")
    try:
        for number, steps in enumerate(READ_WALK):
            # an OrderDate of its own per order: made within one second, they tied, and "the newest" (what
            # existing_order reads) was whichever the store listed first (a shipped order one run, a new one the next)
            doc = order_document(
                instance,
                sterling_faker(70 + number),
                f"CTREAD{RUN_ID}-{number:02d}",
                2,
                OrderDate=f"2026-01-{number + 1:02d}T10:00:00+00:00",
            )
            _walk(caller, str(caller.invoke("createOrder", doc)["OrderHeaderKey"]), steps)
    finally:
        caller.session.close()
    return namespace


#: How far each order of the read namespace goes: created, scheduled, released, shipped.
READ_WALK = (0, 0, 1, 2, 3, 0)


def _walk(caller: Sterling, key: str, steps: int) -> None:
    if steps >= 1:
        caller.invoke("scheduleOrder", {"OrderHeaderKey": key})
    if steps >= 2:
        caller.invoke("releaseOrder", {"OrderHeaderKey": key})
    if steps >= 3:
        shipment = caller.invoke("createShipment", create_shipment_input(key))
        caller.invoke("confirmShipment", confirm_shipment_input(str(shipment["ShipmentKey"])))


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
    recorder = _recorder(request.config, request.node.nodeid, target)
    fake_only = request.node.get_closest_marker("fake_only") is not None  # no real answer to compare with
    caller = Sterling(target, namespace, fmt, on_response=None if fake_only else recorder)
    request.node.stash[EXCHANGES] = caller
    yield caller
    caller.session.close()
    called = {e.url.split("/invoke/", 1)[1].split("?", 1)[0] for e in caller.exchanges if "/invoke/" in e.url}
    request.node.user_properties.append(("apis", " ".join(sorted(called - {"login"} or called))))
    _finish_parity(request, recorder)


def _label(config: pytest.Config, target: Target) -> str:
    given = safe_label(str(config.getoption("--target-label")))
    return given or label_of(target.base_url)


def _recorder(config: pytest.Config, nodeid: str, target: Target) -> Recorder:
    """Where this test's answers go: a --record run against a real target writes a parity recording under
    its label, one against the fake a regression snapshot; any other run compares (``_finish_parity``)."""
    record = bool(config.getoption("--record"))
    regression = snapshot_path(nodeid, Path(str(config.getoption("regression_dir"))))
    if target.is_fake:
        return Recorder(regression, record, "fake", "the fake")
    label = _label(config, target)
    parity = snapshot_path(nodeid, Path(str(config.getoption("--parity-dir"))) / label)
    return Recorder(parity, record, "real", label)


def _finish_parity(request: pytest.FixtureRequest, recorder: Recorder) -> None:
    """Record, or compare: a difference from a real instance's recording fails; on the fake, one from the
    regression snapshot is listed (failed with --regression-strict)."""
    if request.node.stash.get(FAILED, False):
        return  # the failure says enough, and a broken test's answers are recorded nowhere
    if recorder.record:
        recorder.finish()
        return
    failures = []
    for path, recorded in real_recordings(
        request.node.nodeid, Path(str(request.config.getoption("--parity-dir")))
    ):
        found = compare(recorded.entries, recorder.entries)
        if found:
            failures.append(f"recorded against {recorded.target} ({path}):\n    " + "\n    ".join(found))
    if failures:
        pytest.fail(
            "answers differ in shape from a real instance's:\n  " + "\n  ".join(failures), pytrace=False
        )
    if recorder.source != "fake":
        return  # a regression snapshot is the fake's past: no yardstick for a real instance
    _, found = recorder.finish()
    if found and request.config.getoption("regression_strict"):
        pytest.fail(
            f"answers differ in shape from the regression snapshot ({recorder.path}):\n  "
            + "\n  ".join(found),
            pytrace=False,
        )
    if found:
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


def order_document(instance: Instance, faker: Any, number: str, lines: int, **overrides: Any) -> Doc:
    """A createOrder input for the instance: Faker's addresses, prices and payment, the instance's
    enterprise, seller, document type, items and node (``node=`` names another node for every line)."""
    node = overrides.pop("node", instance.node)
    doc = create_order_input(
        faker,
        lines=lines,
        OrderNo=number,
        EnterpriseCode=instance.enterprise,
        SellerOrganizationCode=instance.seller,
        DocumentType=instance.document_type,
        **overrides,
    )
    if "OrderLines" not in overrides:
        for index, line in enumerate(as_list(doc["OrderLines"]["OrderLine"])):
            line["Item"] = {**instance.item(index).doc(), "ItemDesc": line["Item"]["ItemDesc"]}
            line["ShipNode"] = node
    return doc


@pytest.fixture
def order_input(sterling: Sterling, instance: Instance, order_no: Callable[[], str]) -> Callable[..., Doc]:
    """``order_input(lines=2, **overrides)``: a createOrder input with a fresh order number (not sent)."""
    faker = sterling_faker(len(sterling.exchanges) + 11)

    def make(lines: int = 2, **overrides: Any) -> Doc:
        return order_document(instance, faker, order_no(), lines, **overrides)

    return make


def needs_writes(request: pytest.FixtureRequest, what: str) -> None:
    """A test that changes the target carries ``writes``: on the fake that gives it a namespace of its own.
    Without it the test shares the read namespace, and what it changed there changed what the read-only tests
    saw (an order made by an unmarked test became "the newest order" of the others, by the order files ran in)."""
    if request.node.get_closest_marker("writes") is None:
        pytest.fail(f"{request.node.nodeid}: {what}, so the test needs @pytest.mark.writes", pytrace=False)


@pytest.fixture
def new_order(
    request: pytest.FixtureRequest, sterling: Sterling, order_input: Callable[..., Doc]
) -> Callable[..., tuple[str, Doc]]:
    """``new_order(lines=2, **overrides)`` creates an order and answers (OrderHeaderKey, the input)."""
    needs_writes(request, "new_order creates orders")

    def make(lines: int = 2, **overrides: Any) -> tuple[str, Doc]:
        doc = order_input(lines, **overrides)
        out = sterling.invoke("createOrder", doc)
        return str(out["OrderHeaderKey"]), doc

    return make


@pytest.fixture
def existing_order(sterling: Sterling, instance: Instance) -> Doc:
    """An order that already exists on the target (read-only tests): the newest one getOrderList finds."""
    found = sterling.invoke(
        "getOrderList",
        {"MaximumRecords": "1", "DocumentType": instance.document_type, "OrderBy": _newest()},
        fmt="json",
    )
    orders = as_list(found.get("Order"))
    if not orders:
        pytest.skip("the target has no sales orders to read")
    return orders[0]


def _newest() -> Doc:
    return {"Attribute": {"Name": "OrderDate", "Desc": "Y"}}


@pytest.fixture
def control(request: pytest.FixtureRequest, sterling: Sterling, target: Target) -> Callable[..., Any]:
    """``control("POST", "clock", {"freeze": True})``: the fake's control plane in the test's namespace."""
    if not target.is_fake:
        pytest.skip("the control plane exists only on the fake")
    needs_writes(request, "control changes the fake's settings")

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
