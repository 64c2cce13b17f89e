"""Documents that fit the body limit but would cost far more than their size: tens of thousands of elements
(each order line costs ~14 KB once built) or thousands of attributes on one element (lxml reads attribute
values in quadratic time) — refused with MOCK0009 before the work starts, nothing stored."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.doors.limits import MAX_ATTRIBUTES, MAX_ELEMENTS
from tests.conftest import BASIC

URL = "/smcfs/restapi/invoke/createOrder"


def _lines_xml(count: int) -> bytes:
    return (
        b'<Order EnterpriseCode="E"><OrderLines>'
        + b'<OrderLine OrderedQty="1"/>' * count
        + b"</OrderLines></Order>"
    )


def _lines_json(count: int) -> bytes:
    return json.dumps(
        {"EnterpriseCode": "E", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}] * count}}
    ).encode()


def _orders(client: FlaskClient) -> int:
    return int(client.get("/_fake/summary").json["orders"])


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_too_many_elements_is_refused_and_nothing_stored(client: FlaskClient, fmt: str) -> None:
    body = _lines_xml(MAX_ELEMENTS) if fmt == "xml" else _lines_json(MAX_ELEMENTS)
    answer = client.post(URL, data=body, headers={**BASIC, "Content-Type": f"application/{fmt}"})
    assert answer.status_code == 400
    error = answer.json["errors"][0]
    assert error["ErrorCode"] == "MOCK0009"
    assert (
        error["ErrorDescription"]
        == "The input document has more elements or attributes than the configured limit."
    )
    assert _orders(client) == 0


def test_a_large_order_within_the_limit_is_created(client: FlaskClient) -> None:
    answer = client.post(URL, data=_lines_xml(2000), headers={**BASIC, "Content-Type": "application/xml"})
    assert answer.status_code == 200
    assert _orders(client) == 1


def _wide(count: int) -> bytes:
    return b'<Order EnterpriseCode="E" ' + b" ".join(b'Extra%d="x"' % i for i in range(count)) + b"/>"


def test_too_many_attributes_on_one_element_is_refused(client: FlaskClient) -> None:
    answer = client.post(
        "/smcfs/restapi/invoke/getOrderList",
        data=_wide(MAX_ATTRIBUTES + 1),
        headers={**BASIC, "Content-Type": "application/xml", "Accept": "application/xml"},
    )
    assert answer.status_code == 400
    assert b'ErrorCode="MOCK0009"' in answer.data
    assert f"{MAX_ATTRIBUTES + 2} attributes".encode() in answer.data  # the extra ones and EnterpriseCode


def test_many_attributes_spread_over_elements_are_fine(client: FlaskClient) -> None:
    """The attribute limit is per element: 3,000 lines of 3 attributes each are an ordinary large order."""
    line = b'<OrderLine OrderedQty="1" PrimeLineNo="%d" SubLineNo="1"/>'
    body = b'<Order EnterpriseCode="E"><OrderLines>' + b"".join(line % n for n in range(1, 3001))
    body += b"</OrderLines></Order>"
    answer = client.post(URL, data=body, headers={**BASIC, "Content-Type": "application/xml"})
    assert answer.status_code == 200, answer.data[:300]


def test_the_servlet_answers_the_limit_in_classic_errors(client: FlaskClient) -> None:
    xml = _wide(MAX_ATTRIBUTES + 5).decode()
    answer = client.post(
        "/smcfs/interop/InteropHttpServlet",
        data=f"InteropApiName=createOrder&YFSEnvironment.userId=admin&YFSEnvironment.password=password"
        f"&InteropApiData={quote(xml)}",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert b"<Errors>" in answer.data and b'ErrorCode="MOCK0009"' in answer.data
    assert _orders(client) == 0
