"""Support for the control-plane tests: ``Ctl`` calls ``/_fake/`` through the Flask test client."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import sterling_faker
from tests.conftest import Api

NS = "X-Sterling-Mock-Namespace"


class Ctl:
    """``ctl("POST", "clock", {"freeze": True})`` -> (status, JSON or None), optionally in a namespace."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def __call__(
        self, method: str, path: str, body: Any = None, *, ns: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        all_headers = {**({NS: ns} if ns else {}), **(headers or {})}
        response = self.client.open(f"/_fake/{path}", method=method, json=body, headers=all_headers)
        assert response.content_type == "application/json" or response.status_code == 204, response.data[:500]
        return response.status_code, (response.json if response.data else None)

    def ok(self, method: str, path: str, body: Any = None, *, ns: str = "") -> Any:
        status, data = self(method, path, body, ns=ns)
        assert status in (200, 201, 204), (status, data)
        return data


def order_input(seed: int = 1, **overrides: Any) -> dict[str, Any]:
    return create_order_input(sterling_faker(seed), **overrides)


def create(api: Api, fmt: str = "json", ns: str = "", **overrides: Any) -> dict[str, Any]:
    headers = {NS: ns} if ns else None
    return api("createOrder", order_input(**overrides), fmt, headers=headers)


def order_count(ctl: Ctl, ns: str = "") -> int:
    return int(ctl.ok("GET", "summary", ns=ns)["orders"])


def test_support_ctl_reads_health(client: FlaskClient) -> None:
    assert Ctl(client).ok("GET", "health")["status"] == "ok"
