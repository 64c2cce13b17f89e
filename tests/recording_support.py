"""Shared by the recording tests: a second fake standing in for a real Sterling, served on a free port, and
the recorder in front of it.

The "real" instance differs from the fake a drift runs against: its own user and password, orders created
before the recording (so keys and order numbers differ), two APIs the fake does not model (getLoyaltyDetails,
and getLoyaltyTierList answering differently on every call), and one planted behaviour: a fault rule makes its
getOrderList answer YFS10003.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.recording.format import Session
from sterling_mock.mock_server.recording.proxy import Recorder

logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log lines in the test output
REAL_USER = "qa"
REAL_PASSWORD = "S3cret-Pass!"
ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {
        "OrderLine": [
            {"OrderedQty": "2", "Item": {"ItemID": "SHOE-101"}, "LinePriceInfo": {"UnitPrice": "59.90"}}
        ]
    },
}


class RealSterling:
    """The fake plus what a real instance has that the fake does not model."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.tier_calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.endswith("/invoke/getLoyaltyDetails"):
            request = Request(environ)
            customer = json.loads(request.get_data() or b"{}").get("CustomerID", "")
            if customer != "C-1":
                body = {
                    "errors": [
                        {"ErrorCode": "YCP0001", "ErrorDescription": "Customer not found", "httpcode": 400}
                    ]
                }
                return Response(json.dumps(body), 400, content_type="application/json")(
                    environ, start_response
                )
            answer = {
                "CustomerID": "C-1",
                "Tier": "GOLD",
                "OrganizationCode": "Matrix-R",
                "Points": "1200",
            }
            return Response(json.dumps(answer), content_type="application/json")(environ, start_response)
        if path.endswith("/invoke/getLoyaltyTierList"):
            self.tier_calls += 1
            tiers: dict[str, Any] = {
                "LoyaltyTier": [
                    {
                        "Program": "REWARDS",
                        "TierCode": "A",
                        "TierName": f"call {self.tier_calls}",
                    }
                ]
            }
            return Response(json.dumps(tiers), content_type="application/json")(environ, start_response)
        return self.app(environ, start_response)  # type: ignore[no-any-return]


@contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` on a free 127.0.0.1 port in a thread: its root URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def real_instance() -> Iterator[str]:
    """The stand-in real Sterling: its URL (context root ``/smcfs``)."""
    settings = Settings(db=":memory:", demo_orders=0, seed=7, users={REAL_USER: REAL_PASSWORD})
    app = create_app(settings)
    client = app.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(f"{REAL_USER}:{REAL_PASSWORD}".encode()).decode()}
    for _ in range(3):  # orders before the recording: the recorded numbers differ from a fresh fake's
        assert client.post("/smcfs/restapi/invoke/createOrder", json=ORDER, headers=auth).status_code == 200
    fault = {
        "api": "getOrderList",
        "action": {"type": "error", "code": "YFS10003", "description": "YFS:Invalid Order"},
    }
    assert client.post("/_fake/faults", json=fault).status_code == 201
    with served(RealSterling(app)) as url:
        yield url + "/smcfs"


@dataclass
class Recorded:
    path: Path
    secrets: list[str] = field(default_factory=list)
    order_key: str = ""


def record_session(folder: Path, target: str, differ: Any = None) -> Recorded:
    """Record one client session through the proxy: every door, every credential style; what the client
    saw that must never reach the disk is returned with the folder."""
    session = Session.create(folder, target=target)
    recorder = Recorder(target, session, differ=differ)
    out = Recorded(folder)
    with served(recorder) as proxy:
        base = proxy + "/smcfs/restapi"
        http = requests.Session()
        http.trust_env = False
        login = http.post(f"{base}/invoke/login", json={"LoginID": REAL_USER, "Password": REAL_PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["UserToken"]
        creds = {"_loginid": REAL_USER, "_token": token}
        created = http.post(f"{base}/invoke/createOrder", params=creds, json=ORDER).json()
        key, order_no = created["OrderHeaderKey"], created["OrderNo"]
        out.order_key = key
        details = http.post(
            f"{base}/invoke/getOrderDetails",
            params=creds,
            data=f'<Order OrderHeaderKey="{key}"/>',
            headers={"Content-Type": "application/xml", "Accept": "application/xml"},
        )
        assert details.status_code == 200, details.text
        jwt = http.get(f"{base}/jwt", params=creds).text.strip()
        bearer = {"Authorization": f"Bearer {jwt}"}
        change = {"OrderHeaderKey": key, "OrderName": "changed"}
        assert http.post(f"{base}/invoke/changeOrder", json=change, headers=bearer).status_code == 200
        natural = {"EnterpriseCode": "Matrix-R", "OrderNo": order_no, "DocumentType": "0001"}
        basic = (REAL_USER, REAL_PASSWORD)
        assert http.post(f"{base}/invoke/getOrderDetails", json=natural, auth=basic).status_code == 200
        assert (
            http.post(f"{base}/invoke/getOrderList", json={"OrderNo": order_no}, auth=basic).status_code
            == 400
        )
        assert (
            http.post(f"{base}/invoke/scheduleOrder", json={"OrderHeaderKey": key}, auth=basic).status_code
            == 204
        )
        interop = {
            "InteropApiName": "getOrderDetails",
            "IsFlow": "N",
            "InteropApiData": f'<Order OrderHeaderKey="{key}"/>',
            "YFSEnvironment.userId": REAL_USER,
            "YFSEnvironment.password": REAL_PASSWORD,
        }
        assert http.post(proxy + "/smcfs/interop/InteropHttpServlet", params=interop).status_code == 200
        assert http.post(f"{base}/invoke/getLoyaltyDetails", json={"CustomerID": "C-1"}, auth=basic).ok
        for _ in range(3):
            assert http.post(f"{base}/invoke/getLoyaltyTierList", json={"Program": "REWARDS"}, auth=basic).ok
        out.secrets = [
            REAL_PASSWORD,
            token,
            jwt,
            base64.b64encode(f"{REAL_USER}:{REAL_PASSWORD}".encode()).decode(),
        ]
    assert recorder.close() == []
    return out
