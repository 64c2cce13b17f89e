"""Every door against a real gunicorn server: servlet as Java calls it, resources, a file service, JWT."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from requests.auth import HTTPBasicAuth

from sterling_mock.client.wire import as_list, from_xml, to_xml
from tests.conftest import LiveServer

CREDS = {"YFSEnvironment.userId": "admin", "YFSEnvironment.password": "password"}
ORDER = {
    "EnterpriseCode": "DEFAULT",
    "OrderNo": "L-1",
    "OrderLines": {
        "OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "A"}, "LinePriceInfo": {"UnitPrice": "7"}}]
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("doors")
    flows = tmp / "flows.json"
    flows.write_text(json.dumps({"XX_OrderCount": {"api": "getOrderList", "template": "<OrderList/>"}}))
    live = LiveServer(Path(tmp), env={"STERLING_MOCK_FLOWS_FILE": str(flows)})
    yield live
    live.stop()


def test_java_style_servlet_call_on_the_wire(server: LiveServer) -> None:
    params = {
        "YFSEnvironment.progId": "Test",
        "InteropApiName": "createOrder",
        "ApiName": "CreateOrder",
        **CREDS,
        "InteropApiData": to_xml("Order", ORDER, declaration=False).decode(),
        "timeout": "30",
    }
    # empty body, no Content-Type, no Authorization [OBS: 83 captured calls]
    response = requests.post(f"{server.url}/smcfs/interop/InteropHttpServlet?{urlencode(params)}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert response.headers["InteropSentData"] == "true"
    assert from_xml(response.content)[1]["OrderNo"] == "L-1"
    refused = requests.post(
        f"{server.url}/smcfs/interop/InteropHttpServlet",
        params={"InteropApiName": "getOrderList", "YFSEnvironment.userId": "admin"},
        timeout=10,
    )
    assert refused.status_code == 200 and b'ErrorCode="YCP0427"' in refused.content


def test_ibm_client_session_against_resources_and_services(server: LiveServer) -> None:
    session = requests.Session()
    base = server.base_url
    auth = HTTPBasicAuth("admin", "password")
    login = session.post(f"{base}/invoke/login", auth=auth, json={"LoginID": "admin", "Password": "password"})
    jwt = session.get(
        f"{base}/jwt", params={"_token": login.json()["UserToken"], "_loginid": "admin"}, timeout=10
    )
    assert jwt.status_code == 200
    headers = {
        "Authorization": f"Bearer {jwt.text}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    listed = session.get(f"{base}/order", params={"OrderNo": "~sw~L-"}, headers=headers, timeout=10)
    assert listed.status_code == 200 and [o["OrderNo"] for o in listed.json()] == ["L-1"]
    key = listed.json()[0]["id"]
    patched = session.patch(f"{base}/order/{key}", json={"CustomerPONo": "PO-L"}, headers=headers, timeout=10)
    assert patched.json() == {**patched.json(), "id": key, "OrderNo": "L-1"}
    # requests replaces the Bearer header with Basic when auth= is given, as IBM's client does [OBS]
    detail = session.get(f"{base}/order/{key}", headers=headers, auth=auth, timeout=10)
    assert detail.json()["CustomerPONo"] == "PO-L"
    counted = session.post(f"{base}/executeFlow/XX_OrderCount", json={}, headers=headers, timeout=10)
    assert counted.status_code == 200 and counted.json()["TotalOrderList"] == "1"
    missing = session.post(
        f"{base}/executeFlow/XX_Nothing",
        data="<X/>",
        timeout=10,
        headers={**headers, "Content-Type": "application/xml", "Accept": "application/xml"},
    )
    assert missing.status_code == 400
    assert as_list(from_xml(missing.content)[1]["Error"])[0]["ErrorCode"] == "MOCK0600"
