"""FakeControl: the control plane from Python (requests only), the base of the pytest plugin and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from sterling_mock.mock_server.base.web import NAMESPACE_HEADER

TOKEN_HEADER = "X-Sterling-Mock-Token"


class FakeControlError(Exception):
    """A control call the fake refused: its HTTP status and the ``{"error": {"code", "message"}}`` body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class FakeControl:
    """``FakeControl("http://127.0.0.1:9080", namespace="w1")``: every call is scoped to one namespace.

    Methods take and return built-in types, mirroring the routes of docs/control-plane.md.
    """

    def __init__(self, url: str, namespace: str = "default", token: str = "", timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        if self.url.endswith("/smcfs/restapi"):
            self.url = self.url[: -len("/smcfs/restapi")]
        self.namespace = namespace
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers[NAMESPACE_HEADER] = namespace
        if token:
            self.session.headers[TOKEN_HEADER] = token

    def __enter__(self) -> FakeControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def for_namespace(self, namespace: str) -> FakeControl:
        """The same server, another namespace (same token)."""
        return FakeControl(self.url, namespace, str(self.session.headers.get(TOKEN_HEADER, "")), self.timeout)

    def request(self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        response = self.session.request(
            method, f"{self.url}/_fake/{path.lstrip('/')}", json=json, params=params, timeout=self.timeout
        )
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                raise FakeControlError(response.status_code, error["code"], error["message"])
            except (ValueError, KeyError, TypeError):
                raise FakeControlError(response.status_code, "HTTP", response.text[:500]) from None
        return None if response.status_code == 204 or not response.content else response.json()

    # ------------------------------------------------------------------------------------ state

    def health(self) -> dict[str, Any]:
        return dict(self.request("GET", "health"))

    def reset(self, *, all_namespaces: bool = False) -> list[str]:
        return list(self.request("POST", "reset", {"all": True} if all_namespaces else {})["reset"])

    def seed(self, orders: int = 100, seed: int | None = None, **options: Any) -> int:
        """``options``: ``enterprises=[...]``, ``statuses={"1100": 3, "3700": 1}`` or a list, ``from``/``to``."""
        body = {"orders": orders, **({"seed": seed} if seed is not None else {}), **options}
        return int(self.request("POST", "seed", body)["created"])

    def summary(self) -> dict[str, Any]:
        return dict(self.request("GET", "summary"))

    def export_state(self) -> dict[str, Any]:
        return dict(self.request("GET", "state"))

    def import_state(self, snapshot: dict[str, Any]) -> dict[str, int]:
        return dict(self.request("PUT", "state", snapshot)["imported"])

    def put_template(self, template_id: str, template: dict[str, Any]) -> None:
        self.request("PUT", f"templates/{template_id}", template)

    # ------------------------------------------------------------------------------------ faults

    def faults(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "faults")["faults"])

    def add_fault(self, api: str, action: dict[str, Any], **rule: Any) -> dict[str, Any]:
        """``add_fault("createOrder", {"type": "http", "status": 503}, times=1, match={...}, after=False)``."""
        return dict(self.request("POST", "faults", {"api": api, "action": action, **rule}))

    def error_fault(
        self, api: str, code: str, description: str = "", http_status: int = 400, **rule: Any
    ) -> str:
        action = {
            "type": "error",
            "code": code,
            "description": description or code,
            "http_status": http_status,
        }
        return str(self.add_fault(api, action, **rule)["id"])

    def delete_fault(self, fault_id: str) -> None:
        self.request("DELETE", f"faults/{fault_id}")

    def clear_faults(self) -> None:
        self.request("DELETE", "faults")

    @contextmanager
    def fault(self, api: str, action: dict[str, Any], **rule: Any) -> Iterator[dict[str, Any]]:
        """A rule for the duration of a ``with`` block (gone afterwards even if it never fired)."""
        created = self.add_fault(api, action, **rule)
        try:
            yield created
        finally:
            try:
                self.delete_fault(created["id"])
            except FakeControlError as exc:
                if exc.status != 404:  # a rule with ``times`` removes itself when spent
                    raise

    # ------------------------------------------------------------------------------------ throttling

    def throttle(self) -> dict[str, Any]:
        return dict(self.request("GET", "throttle"))

    def set_throttle(
        self, enabled: bool | None = None, rate: float | None = None, burst: int | None = None
    ) -> dict[str, Any]:
        body = {k: v for k, v in (("enabled", enabled), ("rate", rate), ("burst", burst)) if v is not None}
        return dict(self.request("PUT", "throttle", body))

    # ------------------------------------------------------------------------------------ time and agents

    def clock(self) -> dict[str, Any]:
        return dict(self.request("GET", "clock"))

    def freeze(self, at: str | None = None) -> dict[str, Any]:
        return dict(self.request("POST", "clock", {"freeze": True, **({"set": at} if at else {})}))

    def unfreeze(self) -> dict[str, Any]:
        return dict(self.request("POST", "clock", {"freeze": False}))

    def set_time(self, when: str) -> dict[str, Any]:
        return dict(self.request("POST", "clock", {"set": when}))

    def advance(self, seconds: float | str) -> dict[str, Any]:
        """Move the namespace's clock forward (seconds or ``"PT1H"``); due agent steps run."""
        return dict(self.request("POST", "clock", {"advance": seconds}))

    def run_agents(self, steps: int = 1, **overrides: Any) -> dict[str, int]:
        return dict(self.request("POST", "agents/run", {"steps": steps, **overrides})["moved"])

    def agents(self) -> dict[str, Any]:
        return dict(self.request("GET", "agents"))

    def set_agents(self, **settings: Any) -> dict[str, Any]:
        return dict(self.request("PUT", "agents", settings))

    def advance_order(self, order_header_key: str, to: str) -> dict[str, Any]:
        return dict(self.request("POST", f"orders/{order_header_key}/advance", {"to": to}))

    # ------------------------------------------------------------------------------------ inventory

    def set_inventory(self, supply: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        """Supply records ``{ItemID, ShipNode, Quantity, ...}`` set in bulk, plus any other field of ``PUT
        /_fake/inventory`` (``replace``, ``strict``, ``levels``, ``nodes``)."""
        return dict(self.request("PUT", "inventory", {"supply": supply or [], **fields}))

    def inventory(self, item: str = "") -> dict[str, Any]:
        """Settings, supply records and supply/demand/reserved/available per item and node."""
        return dict(self.request("GET", "inventory", params={"item": item} if item else None))

    def inventory_alerts(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "inventory/alerts")["alerts"])

    # ------------------------------------------------------------------------------------ journal

    def journal(
        self,
        api: str = "",
        *,
        since: str = "",
        until: str = "",
        user: str = "",
        transport: str = "",
        limit: int = 100,
    ) -> dict[str, Any]:
        params = {
            "api": api,
            "since": since,
            "until": until,
            "user": user,
            "transport": transport,
            "limit": limit,
        }
        return dict(self.request("GET", "journal", params={k: v for k, v in params.items() if v}))

    def calls(self, api: str, **match: str) -> list[dict[str, Any]]:
        """Journal entries of ``api`` whose input has every ``match`` attribute: ``calls("changeOrder",
        Action="CANCEL")`` is how a test checks "my code cancelled once"."""
        entries = self.journal(api, limit=100_000)["entries"]
        return [e for e in entries if all(str((e.get("input") or {}).get(k)) == v for k, v in match.items())]

    def clear_journal(self) -> None:
        self.request("DELETE", "journal")
