"""The production server end to end: create and read an order over real HTTP."""

from __future__ import annotations

import requests

from tests.conftest import LiveServer


def test_create_and_read_over_http(live_server: LiveServer) -> None:
    auth = ("admin", "password")
    created = requests.post(
        live_server.base_url + "/invoke/createOrder",
        json={
            "EnterpriseCode": "Matrix-R",
            "OrderLines": {"OrderLine": [{"OrderedQty": 2, "Item": {"ItemID": "A"}}]},
        },
        auth=auth,
        timeout=10,
    )
    assert created.status_code == 200, created.text
    key = created.json()["OrderHeaderKey"]
    read = requests.post(
        live_server.base_url + "/invoke/getOrderDetails", json={"OrderHeaderKey": key}, auth=auth, timeout=10
    )
    assert read.status_code == 200
    assert read.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert read.json()["OrderHeaderKey"] == key
    assert read.json()["Status"] == "Created"
