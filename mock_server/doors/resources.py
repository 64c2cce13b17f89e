"""The resource REST face (``/smcfs/restapi/order...``): HTTP verbs on the order resource, answers with ``id``.

IBM maps a resource's verbs onto its APIs [DOC: "Calling List/Detail/Create/Update/Delete APIs"]:
``GET /order`` getOrderList (filters as query parameters, ``~op~`` operators in the value), ``GET /order/<key>``
and ``GET /order/detail?EnterpriseCode=&OrderNo=&DocumentType=`` getOrderDetails, ``POST /order`` createOrder,
``PATCH /order/<key>`` changeOrder, ``DELETE /order/<key>`` deleteOrder.  Authentication, formats, stored
templates (``_templateId``) and errors are those of ``/invoke``.

Choices [INF]: a list answers a JSON **array** of orders, each with ``id`` (= OrderHeaderKey) first [OBS];
single-order answers carry ``id`` too (PATCH's is [OBS]; GET's and POST's follow it).  In XML the list keeps
its ``<OrderList>`` root and every ``Order`` gets an ``id`` attribute.  ``PUT /order/<key>`` is changeOrder
only with the setting ``allow_put`` (IBM documents PATCH); ``PATCH /order`` (Create-Or-Modify) is for
"manage" APIs only [DOC], so orders answer 405.  ``DELETE /order/<key>`` runs deleteOrder.  Several
operators on one attribute (``OrderDate=~gteq~a&OrderDate=~lt~b``) are all applied.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from flask import Blueprint, Response, g, request

from sterling_mock.client.wire import Doc, as_list, to_jsonable, to_xml
from sterling_mock.mock_server.apis import pages
from sterling_mock.mock_server.base.errors import InvalidValue, MethodNotAllowed
from sterling_mock.mock_server.domain.context import Output
from sterling_mock.mock_server.doors.http import JSON_TYPE, XML_TYPE, render_output, response_format
from sterling_mock.mock_server.doors.rest import call, fake, read_body

bp = Blueprint("resources", __name__, url_prefix="/smcfs/restapi")
#: The documented operators and the QryType each becomes [DOC: "Calling List APIs"]; ``eq`` is EQ spelled out.
OPERATORS = {
    "eq": "EQ",
    "neq": "NE",
    "gt": "GT",
    "gteq": "GE",
    "lt": "LT",
    "lteq": "LE",
    "sw": "FLIKE",
    "ew": "ELIKE",
    "like": "LIKE",
}
_OPERATOR = re.compile(r"~([A-Za-z]+)~(.*)", re.S)


def list_input(args: Any) -> Doc:
    """Query parameters -> getOrderList's input.  ``Attr=v`` is an EQ attribute; ``Attr=~op~v`` becomes an
    ``Exp`` of an AND ComplexQuery, the only place ``ELIKE`` and repeated attributes are allowed [DOC]."""
    doc: Doc = {}
    expressions: list[Doc] = []
    for name, value in args.items(multi=True):
        if name.startswith("_"):  # _loginid, _token, _templateId ...: not filters
            continue
        found = _OPERATOR.fullmatch(value)
        if found is None:
            doc[name] = value
            continue
        operator = OPERATORS.get(found[1].lower())
        if operator is None:
            raise InvalidValue(
                f"{name}={value!r}: the operator ~{found[1]}~ is not one of "
                + ", ".join(f"~{op}~" for op in OPERATORS),
                attributes={"Name": name, "Value": value},
            )
        expressions.append({"Name": name, "Value": found[2], "QryType": operator})
    if expressions:
        doc["ComplexQuery"] = {"Operator": "AND", "And": {"Exp": expressions}}
    return doc


def _query_doc() -> Doc:
    return {name: value for name, value in request.args.items() if not name.startswith("_")}


def _json_of(output: Output) -> dict[str, Any]:
    body = output.prerendered.get("json")
    if body is not None:
        found: dict[str, Any] = orjson.loads(body)
        return found
    return to_jsonable(output.root, output.doc or {})


def _single(output: Output) -> Response:
    """One order with ``id`` (the key the API answered, else the document's OrderHeaderKey)."""
    fmt = g.response_format
    if output.void:
        return render_output(output, fmt)
    if fmt == "xml":
        doc = dict(pages.inner_doc(output, "xml"))
        key = output.meta.get("id") or doc.get("OrderHeaderKey")
        if isinstance(key, str) and key:
            doc["id"] = key
        return Response(to_xml(output.root, doc), content_type=XML_TYPE)
    data = _json_of(output)
    key = output.meta.get("id") or data.get("OrderHeaderKey")
    answer = {"id": key, **data} if isinstance(key, str) and key else data
    return Response(orjson.dumps(answer), content_type=JSON_TYPE)


def _listing(output: Output) -> Response:
    if g.response_format == "xml":
        doc = dict(pages.inner_doc(output, "xml"))
        orders = [
            {**o, "id": o["OrderHeaderKey"]} if "OrderHeaderKey" in o else o
            for o in as_list(doc.get("Order"))
        ]
        if orders:
            doc["Order"] = orders
        return Response(to_xml(output.root, doc), content_type=XML_TYPE)
    orders = _json_of(output).get("Order") or []
    answer = [{"id": o["OrderHeaderKey"], **o} if "OrderHeaderKey" in o else o for o in as_list(orders)]
    return Response(orjson.dumps(answer), content_type=JSON_TYPE)


@bp.before_request
def _negotiate() -> None:
    g.response_format = response_format(request)


@bp.get("/order")
def list_orders() -> Response:
    return _listing(call("getOrderList", list_input(request.args), transport="resource"))


@bp.get("/order/detail")
def order_by_natural_key() -> Response:
    return _single(call("getOrderDetails", _query_doc(), transport="resource"))


@bp.get("/order/<key>")
def get_order(key: str) -> Response:
    return _single(call("getOrderDetails", {"OrderHeaderKey": key}, transport="resource"))


@bp.post("/order")
def create_order() -> Response:
    _, doc = read_body()
    return _single(call("createOrder", doc, transport="resource"))


@bp.route("/order/<key>", methods=["PATCH", "PUT"])
def change_order(key: str) -> Response:
    """changeOrder on the order named by the URL (a key in the body is overridden by the URL's)."""
    if request.method == "PUT" and not fake().settings.allow_put:
        raise MethodNotAllowed("PUT is not enabled on this instance (setting allow_put); use PATCH.")
    _, doc = read_body() if request.get_data(cache=True).strip() else (None, {})
    return _single(call("changeOrder", {**doc, "OrderHeaderKey": key}, transport="resource"))


@bp.delete("/order/<key>")
def delete_order(key: str) -> Response:
    return _single(call("deleteOrder", {"OrderHeaderKey": key}, transport="resource"))
