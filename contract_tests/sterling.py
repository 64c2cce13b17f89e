"""The suite's way to call a target: invoke through the project's client (``client.SterlingClient``) in JSON or
XML, typed errors, every main answer (and error) checked against its XSD, and a log of exchanges that failure
messages show (request and answer); ``request()`` stays raw for the wire-detail tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from sterling_mock.client import RetryPolicy, SterlingApiError, SterlingClient, TransportError
from sterling_mock.client.client import INPUT_ROOTS
from sterling_mock.client.wire import Doc, from_json, from_xml, to_json, to_xml
from sterling_mock.fixtures.validate import OUTPUT_SCHEMAS, SchemaViolation, errors_document, validate

from .target import Target

NAMESPACE_HEADER = "X-Sterling-Mock-Namespace"
TYPES = {"json": "application/json", "xml": "application/xml"}
SHOWN_BYTES = 1500


@dataclass
class Exchange:
    """One HTTP call as a failure message shows it."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int = 0
    response_body: bytes = b""

    def describe(self) -> str:
        headers = {k: ("***" if k.lower() == "authorization" else v) for k, v in self.request_headers.items()}
        return (
            f"{self.method} {self.url}\n  request headers: {headers}\n"
            f"  request body: {_clip(self.request_body)}\n"
            f"  -> HTTP {self.status}: {_clip(self.response_body)}"
        )


def _clip(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= SHOWN_BYTES else text[:SHOWN_BYTES] + f"... ({len(text)} chars)"


class ApiError(Exception):
    """A Sterling error answer: code, description, MoreInfo (as a dict) and the HTTP status."""

    def __init__(self, code: str, description: str, more_info: dict[str, str], http_status: int) -> None:
        super().__init__(f"{code}: {description} (HTTP {http_status}) {more_info}")
        self.code = code
        self.description = description
        self.more_info = more_info
        self.http_status = http_status


class ContractFailure(AssertionError):
    """An answer that breaks the contract (wrong status, wrong root, schema); the message shows the call."""


ResponseHook = Callable[[str, str, Doc], None]


@dataclass
class Sterling:
    """Calls one target as one user, in one namespace on the fake (none on a real instance)."""

    target: Target
    namespace: str = ""
    fmt: str = "json"
    session: requests.Session = field(default_factory=requests.Session)
    on_response: ResponseHook | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    token: str = ""
    timeout: float = 30.0
    _clients: dict[str, SterlingClient] = field(default_factory=dict, repr=False)
    _raw: bool = field(default=False, repr=False)

    # ------------------------------------------------------------------------------------------ calls

    def invoke(
        self, api: str, doc: Doc, *, fmt: str | None = None, root: str | None = None, **kw: Any
    ) -> Doc:
        """Run ``api`` through :class:`client.SterlingClient` and return its output document ({} for a void
        API); a Sterling error raises ApiError.  The raw answer is checked too: its root, and its XSD.

        ``template_id`` names a stored template (then the XSD check is skipped: a template prunes the output).
        """
        fmt = fmt or self.fmt
        before = len(self.exchanges)
        try:
            out = self._client(fmt).invoke(api, doc, root=root, template_id=kw.get("template_id"))
        except SterlingApiError as exc:
            raise self._api_error(exc.response, fmt, self.exchanges[-1]) from None
        except TransportError as exc:
            raise ContractFailure(f"{api}: {exc}\n{self.describe()}") from None
        exchange = self.exchanges[-1] if len(self.exchanges) > before else Exchange("POST", api, {}, b"")
        if exchange.status == 204:
            return {}
        if exchange.status != 200:
            raise ContractFailure(f"unexpected HTTP {exchange.status}\n{exchange.describe()}")
        self._parse(api, exchange.response_body, fmt, exchange)  # the root element, for XML
        if "template_id" not in kw:
            self._check(api, out, exchange.response_body if fmt == "xml" else None, exchange)
        if self.on_response is not None:
            self.on_response(api, fmt, out)
        return out

    def _client(self, fmt: str) -> SterlingClient:
        """The project's client, one per wire format, sharing this caller's session (and its exchange log)."""
        found = self._clients.get(fmt)
        if found is None:
            headers = {NAMESPACE_HEADER: self.namespace} if self.namespace else {}
            found = SterlingClient(
                self.target.base_url,
                self.target.user,
                self.target.password,
                auth=self.target.auth,
                format=fmt,
                timeout=self.timeout,
                retry=RetryPolicy.none(),
                headers=headers,
                session=self.session,
            )
            self._clients[fmt] = found
        return found

    def _log(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Session hook: every call the client makes lands in the exchange log failure messages show."""
        if self._raw:
            return
        request = response.request
        body = request.body or b""
        self.exchanges.append(
            Exchange(
                str(request.method),
                str(request.url),
                dict(request.headers),
                body.encode() if isinstance(body, str) else bytes(body),
                response.status_code,
                response.content,
            )
        )

    def __post_init__(self) -> None:
        self.session.hooks["response"].append(self._log)

    def error(self, api: str, doc: Doc, *, fmt: str | None = None, root: str | None = None) -> ApiError:
        """The ApiError ``api`` answers ``doc`` with; a success is a contract failure."""
        try:
            self.invoke(api, doc, fmt=fmt, root=root)
        except ApiError as error:
            return error
        raise ContractFailure(f"{api} succeeded where an error was expected\n{self.describe(1)}")

    def post(
        self,
        api: str,
        doc: Doc,
        *,
        fmt: str,
        root: str | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[requests.Response, Exchange]:
        """POST the document to ``/invoke/<api>`` with matching Content-Type and Accept."""
        root = root or INPUT_ROOTS.get(api, "Order")
        body = to_xml(root, doc) if fmt == "xml" else to_json(root, doc)
        all_headers = {"Content-Type": TYPES[fmt], "Accept": TYPES[fmt], **(headers or {})}
        return self.request("POST", f"/invoke/{api}", body, all_headers, params)

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        *,
        authenticate: bool = True,
    ) -> tuple[requests.Response, Exchange]:
        """Any call under the REST root (``path`` starts with ``/``), authenticated as the target says."""
        all_headers = dict(headers or {})
        all_params = dict(params or {})
        if self.namespace:
            all_headers[NAMESPACE_HEADER] = self.namespace
        auth = None
        if authenticate:
            auth = self._authenticate(all_params)
        url = self.target.base_url + path
        exchange = Exchange(method, url, all_headers, body)
        self.exchanges.append(exchange)
        self._raw = True
        try:
            response = self.session.request(
                method,
                url,
                data=body or None,
                headers=all_headers,
                params=all_params,
                auth=auth,
                timeout=self.timeout,
            )
        finally:
            self._raw = False
        exchange.url = response.url
        exchange.status = response.status_code
        exchange.response_body = response.content
        return response, exchange

    def describe(self, last: int = 3) -> str:
        """The last exchanges, readable, for failure messages."""
        return "\n".join(e.describe() for e in self.exchanges[-last:]) or "(no calls)"

    # ------------------------------------------------------------------------------------------ helpers

    @staticmethod
    def _template(kw: dict[str, Any]) -> dict[str, str] | None:
        template_id = kw.get("template_id")
        return {"_templateId": str(template_id)} if template_id else None

    def _authenticate(self, params: dict[str, str]) -> tuple[str, str] | None:
        if self.target.auth == "token":
            if not self.token:
                self.token = self.login()
            params.update({"_loginid": self.target.user, "_token": self.token})
            return None
        return (self.target.user, self.target.password)

    def login(self) -> str:
        """``POST /invoke/login`` -> the UserToken (STANDARD authentication, reference §3)."""
        body = to_json("Login", {"LoginID": self.target.user, "Password": self.target.password})
        headers = {"Content-Type": TYPES["json"], "Accept": TYPES["json"]}
        response, exchange = self.request("POST", "/invoke/login", body, headers, authenticate=False)
        if response.status_code != 200:
            raise self._api_error(response, "json", exchange)
        token = str(from_json(response.content).get("UserToken", ""))
        if not token:
            raise ContractFailure(f"login answered no UserToken\n{exchange.describe()}")
        return token

    def _parse(self, api: str, body: bytes, fmt: str, exchange: Exchange) -> Doc:
        try:
            if fmt == "json":
                return from_json(body)
            root, doc = from_xml(body)
        except ValueError as exc:
            raise ContractFailure(
                f"{api} answered an unparseable {fmt}: {exc}\n{exchange.describe()}"
            ) from None
        expected = OUTPUT_SCHEMAS.get(api, ("", ""))[1]
        if expected and root != expected:
            raise ContractFailure(
                f"{api} answered root <{root}>, expected <{expected}>\n{exchange.describe()}"
            )
        return doc

    def _check(self, api: str, doc: Doc, raw_xml: bytes | None, exchange: Exchange) -> None:
        known = OUTPUT_SCHEMAS.get(api)
        if known is None:
            return
        try:
            validate(raw_xml if raw_xml is not None else doc, known[0], root=known[1])
        except SchemaViolation as exc:
            raise ContractFailure(f"{api}: {exc}\n{exchange.describe()}") from None

    def _api_error(self, response: requests.Response, fmt: str, exchange: Exchange) -> ApiError:
        """Parse the error answer (REST JSON envelope or XML ``<Errors>``) and check it against errors.xsd."""
        try:
            if "json" in response.headers.get("Content-Type", "") or response.content.lstrip()[:1] == b"{":
                document = errors_document(json.loads(response.content))
            else:
                document = from_xml(response.content)[1]
            validate(document, "errors", root="Errors")
        except (ValueError, SchemaViolation) as exc:
            raise ContractFailure(
                f"HTTP {response.status_code} without a Sterling error document: {exc}\n{exchange.describe()}"
            ) from None
        first = document["Error"][0] if isinstance(document["Error"], list) else document["Error"]
        more = {a["Name"]: a.get("Value", "") for a in _attributes(first)}
        if first.get("ErrorRelatedMoreInfo"):
            more["ErrorRelatedMoreInfo"] = first["ErrorRelatedMoreInfo"]
        return ApiError(first["ErrorCode"], first.get("ErrorDescription", ""), more, response.status_code)


def _attributes(error: Doc) -> list[Doc]:
    value = error.get("Attribute")
    if isinstance(value, dict):
        return [value]
    return [a for a in value or [] if isinstance(a, dict)]
