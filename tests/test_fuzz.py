"""A seeded 1,000-input slice of ``make fuzz`` (which runs 10,000+ on each store): every API of the table through
every door, in XML and JSON, type- and shape-mutated; never HTTP 5xx, every order an input could have touched
still readable (getOrderDetails default and full template, getOrderList by key), the store's invariants kept.
Runs on the suite's store (the PostgreSQL pass runs it there)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardening.fuzz import prepare, run
from hardening.run import _shaped
from sterling_mock.mock_server.apis import APIS
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain.invariants import check
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.seeding.seed import seed_orders
from tests.conftest import BASIC

SLOW = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLICE_SEED = 21


def seeded_app() -> Flask:
    app = create_app(Settings(db=":memory:", demo_orders=0))
    seed_orders(app.extensions["sterling_mock"], "default", 5, seed=2)
    return app


def test_seeded_slice_of_the_fuzzer_breaks_no_order() -> None:
    tally, _ = run(":memory:", 1000, SLICE_SEED, orders=40, every=500)
    assert tally.count == 1000
    assert tally.server_errors == 0, tally.failures[:5]
    assert tally.unreadable == 0, tally.failures[:5]
    assert tally.failures == [], tally.failures[:5]
    assert tally.checked > 200  # the inputs did reach orders


def test_every_api_of_the_table_is_fuzzed() -> None:
    fuzzer = prepare(":memory:", SLICE_SEED, orders=20)
    apis = {fuzzer.build(number).api for number in range(1000)}
    assert set(APIS) <= apis, sorted(set(APIS) - apis)


def test_an_input_is_rebuilt_from_its_number_alone() -> None:
    first = prepare(":memory:", 5, orders=20)
    second = prepare(":memory:", 5, orders=20)
    assert first.pool == second.pool
    for number in (0, 17, 999, 123_456):
        assert first.build(number).request == second.build(number).request


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@SLOW
@given(api=st.sampled_from(sorted(APIS)), body=st.dictionaries(st.text(max_size=15), JSON_VALUES, max_size=6))
def test_arbitrary_json_documents(api: str, body: dict[str, Any]) -> None:
    app = seeded_app()
    client = app.test_client()
    response = client.post(
        f"/smcfs/restapi/invoke/{api}",
        data=json.dumps(body),
        headers={**BASIC, "Content-Type": "application/json"},
    )
    assert _shaped(response.status_code, response.get_data(), "rest") is None, response.get_data()[:300]
    assert check(app.extensions["sterling_mock"].store) == []


@SLOW
@given(text=st.text(max_size=200))
def test_arbitrary_xml_text(text: str) -> None:
    app = seeded_app()
    body = f'<Order EnterpriseCode="Matrix-R" OrderNo="{text[:20]}">{text}</Order>'.encode("utf-8", "replace")
    for api in ("createOrder", "getOrderList", "changeOrder"):
        response = app.test_client().post(
            f"/smcfs/restapi/invoke/{api}", data=body, headers={**BASIC, "Content-Type": "application/xml"}
        )
        assert _shaped(response.status_code, response.get_data(), "rest") is None
