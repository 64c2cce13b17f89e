"""A deterministic slice of the fuzz run (``make fuzz`` does 10,000+): every answer a Sterling-shaped error or a
success — never HTTP 500 — and the store consistent afterwards."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardening.run import _shaped, fuzz, fuzz_doors
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


def seeded_app() -> Flask:
    app = create_app(Settings(db=":memory:", demo_orders=0))
    seed_orders(app.extensions["sterling_mock"], "default", 30, seed=2)
    return app


@SLOW
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_mutated_samples_over_every_door(seed: int) -> None:
    app = seeded_app()
    fake = app.extensions["sterling_mock"]
    tally = fuzz(app.test_client(), 40, seed, fake.store)
    assert tally.failures == [], tally.failures[:5]
    assert tally.count == 40


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


@SLOW
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_other_doors_resources_flows_session_control_and_console(seed: int) -> None:
    """Resources with operator query strings, executeFlow, jwt/login, the control plane and the console."""
    app = seeded_app()
    fake = app.extensions["sterling_mock"]
    tally = fuzz_doors(app.test_client(), 60, seed, fake.store)
    assert tally.failures == [], tally.failures[:5]
    assert tally.count == 60
    assert check(fake.store, journal_limit=fake.settings.journal_limit, page_sets=20) == []
