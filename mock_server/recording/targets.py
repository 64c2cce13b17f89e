"""Where drift replays a session: a fake of its own in this process, or a running fake (``--url``)."""

from __future__ import annotations

from typing import Any, Protocol

NAMESPACE_HEADER = "X-Sterling-Mock-Namespace"


class Target(Protocol):
    """Where the fake is: ``send`` a Sterling request, ``control`` a ``/_fake/`` route."""

    def send(
        self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]: ...

    def control(self, path: str, ns: str, data: dict[str, Any]) -> None: ...


class InProcess:
    """A fake of its own, in this process, on an in-memory store (no server, no port)."""

    def __init__(self, settings: Any = None) -> None:
        from werkzeug.test import Client

        from sterling_mock.mock_server.base.settings import Settings
        from sterling_mock.mock_server.doors.app import create_app

        # the environment's STERLING_MOCK_* settings apply (quantity format, pipelines...): configure the fake
        # like the instance the session was recorded from
        settings = settings or Settings.from_env(db=":memory:", demo_orders=0)
        self.app = create_app(settings)
        self.client = Client(self.app)

    def send(
        self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        answer = self.client.open(path, method=method, query_string=query, headers=headers, data=body)
        return answer.status_code, dict(answer.headers), answer.get_data()

    def control(self, path: str, ns: str, data: dict[str, Any]) -> None:
        answer = self.client.post(path, json=data, headers={NAMESPACE_HEADER: ns})
        if answer.status_code >= 300:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.get_data(as_text=True)}")


class Remote:
    """A running fake at ``url`` (its root: ``http://127.0.0.1:9080``)."""

    def __init__(self, url: str, control_token: str = "") -> None:
        import requests

        self.url = url.rstrip("/")
        for suffix in ("/smcfs/restapi", "/smcfs"):
            if self.url.endswith(suffix):
                self.url = self.url[: -len(suffix)]
        self.http = requests.Session()
        self.http.trust_env = False
        self.token = control_token

    def send(
        self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        answer = self.http.request(
            method, self.url + path, params=query, headers=headers, data=body, timeout=60
        )
        return answer.status_code, dict(answer.headers), answer.content

    def control(self, path: str, ns: str, data: dict[str, Any]) -> None:
        headers = {NAMESPACE_HEADER: ns, **({"X-Sterling-Mock-Token": self.token} if self.token else {})}
        answer = self.http.post(self.url + path, json=data, headers=headers, timeout=60)
        answer.raise_for_status()
