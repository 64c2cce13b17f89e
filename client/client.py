"""SterlingClient: one ``requests.Session`` speaking to a real Sterling or the fake — auth, formats, typed
errors, retries with backoff that never repeat a write that may have been applied, and integration helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from .errors import AuthenticationError, SterlingApiError, ThrottledError, TransportError
from .retry import RetryPolicy, call_with_retries
from .wire import Doc, WireError, as_list, from_json, from_xml, to_json, to_xml

#: Input root element of each API (XML needs it; JSON drops it).  Unknown APIs default to ``Order``.
INPUT_ROOTS = {
    "login": "Login",
    "createOrder": "Order",
    "getOrderDetails": "Order",
    "getOrderList": "Order",
    "changeOrder": "Order",
    "deleteOrder": "Order",
    "getOrderLineList": "OrderLine",
    "getOrderAuditList": "OrderAudit",
    "getOrderAuditDetails": "OrderAudit",
    "scheduleOrder": "ScheduleOrder",
    "releaseOrder": "ReleaseOrder",
    "changeOrderStatus": "OrderStatusChange",
    "getOrderReleaseList": "OrderRelease",
    "createShipment": "Shipment",
    "confirmShipment": "Shipment",
    "changeShipment": "Shipment",
    "getShipmentDetails": "Shipment",
    "getShipmentList": "Shipment",
    "getShipmentListForOrder": "Order",
    "multiApi": "MultiApi",
    "getPage": "Page",
    # catalogue, organizations, customers, configuration, order views (issue 23)
    "manageItem": "ItemList",
    "getItemList": "Item",
    "getCompleteItemList": "Item",
    "getItemDetails": "Item",
    "getItemNodeDefnList": "ItemNodeDefn",
    "getOrganizationList": "Organization",
    "getOrganizationHierarchy": "Organization",
    "getShipNodeList": "ShipNode",
    "manageCustomer": "Customer",
    "getCustomerList": "Customer",
    "getCustomerDetails": "Customer",
    "getCommonCodeList": "CommonCode",
    "getStatusList": "Status",
    "registerLogout": "registerLogout",
    "getCompleteOrderDetails": "Order",
    "getOrderLineDetails": "OrderLineDetail",
    "getShipmentLineList": "ShipmentLine",
    # holds, cancellation, payments, invoices, returns, alerts (issue 25)
    "getOrderHoldTypeList": "OrderHoldType",
    "getHoldTypeList": "HoldType",
    "cancelOrder": "Order",
    "processOrderPayments": "Order",
    "createOrderInvoice": "Order",
    "getOrderInvoiceList": "OrderInvoice",
    "getOrderInvoiceDetails": "OrderInvoice",
    "startReceipt": "Receipt",
    "receiveOrder": "Receipt",
    "closeReceipt": "Receipt",
    "getReceiptList": "Receipt",
    "createException": "Inbox",
    "getExceptionList": "Inbox",
    "getExceptionListForOrder": "Inbox",
    "resolveException": "ResolutionDetails",
    # inventory, promising, reservations (issue 24)
    "adjustInventory": "Items",
    "getInventorySupply": "InventorySupply",
    "getATP": "GetATP",
    "getAvailableInventory": "Promise",
    "monitorItemAvailability": "MonitorItemAvailability",
    "findInventory": "Promise",
    "reserveAvailableInventory": "Promise",
    "cancelReservation": "CancelReservation",
}
#: Lists whose entries are always lists in what the helpers return (Sterling's single-child quirk undone).
LIST_PATHS = {
    "OrderLines": "OrderLine",
    "OrderStatuses": "OrderStatus",
    "Notes": "Note",
    "Shipments": "Shipment",
    "ShipmentLines": "ShipmentLine",
    "PaymentMethods": "PaymentMethod",
    "OrderList": "Order",
}


def restapi_url(base_url: str) -> str:
    """``http://h``, ``http://h/smcfs`` or ``http://h/smcfs/restapi`` -> ``http://h/smcfs/restapi``."""
    url = base_url.rstrip("/")
    path = urlsplit(url).path
    if path.endswith("/smcfs/restapi"):
        return url
    if path.endswith("/smcfs"):
        return url + "/restapi"
    return url + "/smcfs/restapi"


def is_read(api: str) -> bool:
    """Calls that change nothing, so repeating one is always safe."""
    return api.startswith("get") or api == "login"


@dataclass
class SterlingClient:
    """A Sterling REST client: ``invoke(api, document) -> document``.

    ``auth``: ``basic`` (HTTP Basic on every call), ``token`` (``/invoke/login`` then ``_loginid``/``_token``;
    logs in again once when the token is refused) or ``jwt`` (login, ``GET /jwt``, ``Authorization: Bearer``).
    ``format``: ``json`` or ``xml`` on the wire, both ways.  ``headers`` are sent on every call (e.g. the
    fake's ``X-Sterling-Mock-Namespace``).
    """

    base_url: str
    user: str = "admin"
    password: str = "password"
    auth: str = "basic"
    format: str = "json"
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    headers: dict[str, str] = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session)
    _token: str = field(default="", init=False, repr=False)
    _jwt: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        if self.auth not in ("basic", "token", "jwt"):
            raise ValueError("auth must be 'basic', 'token' or 'jwt'")
        if self.format not in ("json", "xml"):
            raise ValueError("format must be 'json' or 'xml'")
        self.url = restapi_url(self.base_url)

    def __enter__(self) -> SterlingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # ------------------------------------------------------------------------------------------ the wire

    def invoke(
        self,
        api: str,
        document: Doc | None = None,
        *,
        root: str | None = None,
        template_id: str | None = None,
    ) -> Doc:
        """Run ``api`` with ``document``; a void API answers ``{}``.  Raises the errors of ``client.errors``.

        ``template_id`` selects an output template stored on the server (``_templateId``)."""
        document = document or {}
        for attempt in (1, 2):
            try:
                return self._invoke_once(api, document, root or INPUT_ROOTS.get(api, "Order"), template_id)
            except AuthenticationError:
                if self.auth == "basic" or attempt == 2:
                    raise
                self._token = self._jwt = ""  # expired or refused: log in again, once
        raise AssertionError("unreachable")  # pragma: no cover

    def _invoke_once(self, api: str, document: Doc, root: str, template_id: str | None = None) -> Doc:
        body = to_xml(root, document) if self.format == "xml" else to_json(root, document)
        mime = "application/xml" if self.format == "xml" else "application/json"
        headers = {**self.headers, "Content-Type": mime, "Accept": mime}
        params: dict[str, str] = {}
        auth: tuple[str, str] | None = None
        if self.auth == "basic":
            auth = (self.user, self.password)
        elif self.auth == "token":
            params = {"_loginid": self.user, "_token": self._login()}
        else:
            headers["Authorization"] = "Bearer " + self._bearer()
        if template_id:
            params["_templateId"] = template_id
        response = self._send(
            "POST", f"{self.url}/invoke/{api}", api=api, data=body, headers=headers, params=params, auth=auth
        )
        return self._document(response)

    def _send(self, method: str, url: str, *, api: str, **kwargs: Any) -> requests.Response:
        def once() -> requests.Response:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)

        try:
            return call_with_retries(once, self.retry, safe=is_read(api))
        except requests.RequestException as exc:
            raise TransportError(f"{api}: {type(exc).__name__}: {exc}") from exc

    def _document(self, response: requests.Response) -> Doc:
        if response.status_code == 204 or not response.content:
            if response.status_code >= 400:
                raise TransportError(f"HTTP {response.status_code} with no body", response=response)
            return {}
        raise_for_errors(response)
        try:
            if _is_xml(response):
                return from_xml(response.content)[1]
            return from_json(response.content)
        except WireError as exc:
            raise TransportError(f"not a Sterling document: {exc.message}", response=response) from None

    # ------------------------------------------------------------------------------------------ auth

    def _login(self) -> str:
        if not self._token:
            response = self._send(
                "POST",
                f"{self.url}/invoke/login",
                api="login",
                json={"LoginID": self.user, "Password": self.password},
                headers={**self.headers, "Accept": "application/json"},
            )
            self._token = str(self._document(response).get("UserToken", ""))
            if not self._token:
                raise TransportError("login answered no UserToken", response=response)
        return self._token

    def _bearer(self) -> str:
        if not self._jwt:
            token = self._login()
            response = self._send(
                "GET",
                f"{self.url}/jwt",
                api="getJwt",
                headers=self.headers,
                params={"_loginid": self.user, "_token": token},
            )
            raise_for_errors(response)
            self._jwt = response.text.strip()
        return self._jwt

    # ------------------------------------------------------------------------------------------ helpers

    def get_order(
        self,
        key: str | None = None,
        *,
        enterprise: str | None = None,
        order_no: str | None = None,
        document_type: str = "0001",
        template: Doc | None = None,
    ) -> Doc:
        """getOrderDetails by OrderHeaderKey, or by EnterpriseCode + OrderNo + DocumentType."""
        doc: Doc = (
            {"OrderHeaderKey": key}
            if key
            else {
                "EnterpriseCode": enterprise or "",
                "OrderNo": order_no or "",
                "DocumentType": document_type,
            }
        )
        if template is not None:
            return normalise(self._templated("getOrderDetails", doc, "Order", template))
        return normalise(self.invoke("getOrderDetails", doc))

    def _templated(self, api: str, doc: Doc, root: str, template: Doc) -> Doc:
        answer = self.invoke(
            "multiApi", {"API": [{"Name": api, "Input": {root: doc}, "Template": {root: template}}]}
        )
        first = as_list(answer.get("API"))[0]
        output = first.get("Output", {})
        return dict(next(iter(output.values()))) if output else {}

    def iter_orders(self, page_size: int = 100, **filters: str) -> Iterator[Doc]:
        """Every order matching ``filters`` (getOrderList attributes), a page at a time, in OrderHeaderKey order.

        Pages by ``MaximumRecords`` and the last key as a cursor (``OrderHeaderKey`` GT), which needs no
        server-side result set and sees orders created while the walk runs."""
        last = ""
        while True:
            doc: Doc = {
                **filters,
                "MaximumRecords": str(page_size),
                "OrderBy": {"Attribute": [{"Name": "OrderHeaderKey"}]},
            }
            if last:
                doc.update(OrderHeaderKey=last, OrderHeaderKeyQryType="GT")
            answer = self.invoke("getOrderList", doc)
            orders = as_list(answer.get("Order"))
            yield from (normalise(o) for o in orders)
            if len(orders) < page_size or answer.get("LastRecordSet") == "Y" or not orders:
                return
            last = str(orders[-1]["OrderHeaderKey"])

    def create_order(self, order: Doc) -> Doc:
        return self.invoke("createOrder", order)

    def change_order(self, key: str, changes: Doc) -> Doc:
        return self.invoke("changeOrder", {**changes, "OrderHeaderKey": key})

    def cancel_order(self, key: str, *, reason_code: str = "", reason_text: str = "") -> Doc:
        doc: Doc = {"OrderHeaderKey": key, "Action": "CANCEL"}
        if reason_code:
            doc["ModificationReasonCode"] = reason_code
        if reason_text:
            doc["ModificationReasonText"] = reason_text
        return self.invoke("changeOrder", doc)

    def schedule_order(self, key: str, **attrs: str) -> None:
        self.invoke("scheduleOrder", {"OrderHeaderKey": key, **attrs})

    def release_order(self, key: str, **attrs: str) -> None:
        self.invoke("releaseOrder", {"OrderHeaderKey": key, **attrs})

    def confirm_shipment(self, shipment: Doc) -> Doc:
        return self.invoke("confirmShipment", shipment)

    def get_shipments(self, key: str) -> list[Doc]:
        """The shipments of one order (getShipmentListForOrder), always a list."""
        answer = self.invoke("getShipmentListForOrder", {"OrderHeaderKey": key})
        shipments = answer.get("Shipments", answer)
        return [
            normalise(s) for s in as_list(shipments.get("Shipment") if isinstance(shipments, dict) else None)
        ]


def normalise(doc: Doc) -> Doc:
    """Lists where lists belong, whatever the count (the JSON single-child rule and XML both give objects)."""
    out: Doc = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            inner = normalise(value)
            child_name = LIST_PATHS.get(key)
            if child_name and child_name in inner:
                inner[child_name] = [normalise(c) for c in as_list(inner[child_name])]
            out[key] = inner
        elif isinstance(value, list):
            out[key] = [normalise(v) for v in value if isinstance(v, dict)]
        else:
            out[key] = value
    return out


def _is_xml(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return "xml" in content_type or response.content.lstrip().startswith(b"<")


def raise_for_errors(response: requests.Response) -> None:
    """Raise the typed error for a Sterling error answer: REST JSON ``errors``, XML ``<Errors>`` at any HTTP
    status (the interop servlet answers them with 200), or a non-Sterling error page."""
    status = response.status_code
    errors: list[Doc] = []
    body = response.content.lstrip()
    try:
        if body.startswith(b"<") and b"<Errors" in body[:200]:
            root, doc = from_xml(body)
            if root == "Errors":
                errors = [_flatten_xml_error(e) for e in as_list(doc.get("Error"))]
        elif status >= 400 and body.startswith(b"{"):
            parsed = response.json()
            if isinstance(parsed, dict) and isinstance(parsed.get("errors"), list):
                errors = [e for e in parsed["errors"] if isinstance(e, dict)]
    except (WireError, ValueError):
        errors = []
    if not errors:
        if status >= 400:
            if status == 429:
                raise ThrottledError(
                    "HTTP429",
                    "Too many requests",
                    http_status=status,
                    response=response,
                    retry_after=_retry_after(response),
                )
            raise TransportError(f"HTTP {status}: {response.text[:200]}", response=response)
        return
    first = errors[0]
    code = str(first.get("ErrorCode", ""))
    more = first.get("MoreInfo") if isinstance(first.get("MoreInfo"), dict) else {}
    more_info = {str(k): str(v) for k, v in (more or {}).items()}
    if "ErrorRelatedMoreInfo" in first and "ErrorRelatedMoreInfo" not in more_info:
        more_info["ErrorRelatedMoreInfo"] = str(first["ErrorRelatedMoreInfo"])
    kwargs: dict[str, Any] = {
        "more_info": more_info,
        "http_status": status,
        "errors": errors,
        "response": response,
    }
    description = str(first.get("ErrorDescription", ""))
    if status == 429:
        raise ThrottledError(code, description, retry_after=_retry_after(response), **kwargs)
    if code == "YCP0427":
        raise AuthenticationError(code, description, **kwargs)
    raise SterlingApiError(code, description, **kwargs)


def _flatten_xml_error(error: Doc) -> Doc:
    flat: Doc = {k: v for k, v in error.items() if isinstance(v, str)}
    more = {str(a.get("Name")): str(a.get("Value", "")) for a in as_list(error.get("Attribute"))}
    flat["MoreInfo"] = {k: v for k, v in more.items() if k not in ("ErrorCode", "ErrorDescription")}
    return flat


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


__all__ = ["SterlingClient", "normalise", "raise_for_errors", "restapi_url"]
