"""Hostile XML and oversized bodies: refused fast, with bounded memory, nothing fetched from the network."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from flask.testing import FlaskClient

from bench.harness import process_tree, rss_mib
from tests.conftest import BASIC, LiveServer

URL = "/smcfs/restapi/invoke/createOrder"


class _Counting(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY x "pwned">')

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def trap() -> Iterator[str]:
    """A local server that counts every fetch: hostile documents point their entities and includes at it."""
    _Counting.hits = 0
    server = HTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/evil"
    server.shutdown()
    server.server_close()


def doctype_documents(trap: str) -> list[bytes]:
    """Documents with a DOCTYPE (external DTD, parameter and external entities, a billion laughs)."""
    return [
        f'<!DOCTYPE Order SYSTEM "{trap}"><Order EnterpriseCode="E"/>'.encode(),
        f'<!DOCTYPE Order [<!ENTITY % p SYSTEM "{trap}"> %p;]><Order EnterpriseCode="E"/>'.encode(),
        f'<!DOCTYPE Order [<!ENTITY e SYSTEM "{trap}">]><Order EnterpriseCode="&e;"/>'.encode(),
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>'
        b'<Order EnterpriseCode="&lol3;"/>',
    ]


def inert_documents(trap: str) -> list[bytes]:
    """No DOCTYPE, but pointers a careless parser would follow: an XInclude, a stylesheet instruction."""
    return [
        f'<Order xmlns:xi="http://www.w3.org/2001/XInclude" EnterpriseCode="E"><xi:include href="{trap}"/>'
        f"</Order>".encode(),
        f'<?xml-stylesheet type="text/xsl" href="{trap}"?><Order EnterpriseCode="E"/>'.encode(),
    ]


def hostile_documents(trap: str) -> list[bytes]:
    return doctype_documents(trap) + inert_documents(trap)


def order_count(client: FlaskClient) -> str:
    listed = client.post(
        "/smcfs/restapi/invoke/getOrderList",
        data=b"{}",
        headers={**BASIC, "Content-Type": "application/json"},
    )
    return str(listed.json["TotalOrderList"])


def test_doctype_documents_are_refused_and_nothing_is_fetched(client: FlaskClient, trap: str) -> None:
    """Only a refusal will do: MOCK0002, HTTP 400, no order created, no fetch."""
    for body in doctype_documents(trap):
        response = client.post(URL, data=body, headers={**BASIC, "Content-Type": "application/xml"})
        assert response.status_code == 400, body
        assert response.json["errors"][0]["ErrorCode"] == "MOCK0002", body
    assert order_count(client) == "0"
    assert _Counting.hits == 0


def test_xinclude_and_stylesheets_are_inert(client: FlaskClient, trap: str) -> None:
    """Plain data: the order is created with the values as written, nothing included or fetched."""
    for body in inert_documents(trap):
        response = client.post(URL, data=body, headers={**BASIC, "Content-Type": "application/xml"})
        assert response.status_code == 200, body
        assert response.json["EnterpriseCode"] == "E" and b"pwned" not in response.data
    assert order_count(client) == "2"
    assert _Counting.hits == 0


def test_hostile_xml_through_the_servlet(client: FlaskClient, trap: str) -> None:
    for body in doctype_documents(trap):
        response = client.post(
            "/smcfs/interop/InteropHttpServlet",
            data={
                "InteropApiName": "createOrder",
                "YFSEnvironment.userId": "admin",
                "YFSEnvironment.password": "password",
                "InteropApiData": body.decode(),
            },
        )
        assert response.status_code == 200  # the servlet answers errors with 200 and an <Errors> document
        assert b"<Errors>" in response.data and b'ErrorCode="MOCK0002"' in response.data
    assert order_count(client) == "0"
    assert _Counting.hits == 0


def test_huge_attribute_value_is_bounded(client: FlaskClient) -> None:
    body = b'<Order EnterpriseCode="' + b"E" * 9_000_000 + b'"/>'
    response = client.post(URL, data=body, headers={**BASIC, "Content-Type": "application/xml"})
    error = response.get_json()["errors"][0]
    assert (response.status_code, error["ErrorCode"]) == (400, "MOCK0011")  # the key column's bound
    assert error["MoreInfo"] == {
        "ErrorRelatedMoreInfo": "EnterpriseCode has 9,000,000 bytes",
        "Attribute": "EnterpriseCode",
    }
    assert order_count(client) == "0"


def _raw_post(port: int, length: int, chunk: bytes) -> bytes:
    """Stream ``length`` bytes as a body and return whatever the server answers (it may stop reading early)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = (
            f"POST {URL} HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC['Authorization']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        ).encode()
        sock.sendall(head)
        sent = 0
        try:
            while sent < length:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return sock.recv(65536)
        except ConnectionResetError:
            return b""


def test_100_mb_body_is_refused_with_bounded_memory(live_server: LiveServer) -> None:
    pids = process_tree(live_server.process.pid)
    before = rss_mib(pids)
    answer = _raw_post(live_server.port, 100 * 2**20, b"x" * 2**20)  # the socket's timeout bounds a hang
    assert answer == b"" or b" 413 " in answer.split(b"\r\n", 1)[0]
    assert rss_mib(process_tree(live_server.process.pid)) - before < 50
    assert requests.get(live_server.url + "/_fake/health", timeout=5).status_code == 200
