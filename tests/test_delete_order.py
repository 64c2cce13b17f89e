"""deleteOrder, over /invoke and the resource door's DELETE."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import BASIC, Api

ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {"OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "A"}}]},
}


def test_delete_created_order(api: Api, fmt: str) -> None:
    created = api("createOrder", ORDER, fmt)
    out = api("deleteOrder", {"OrderHeaderKey": created["OrderHeaderKey"], "Action": "DELETE"}, fmt)
    assert out["OrderNo"] == created["OrderNo"]
    _, error = api.error("getOrderDetails", {"OrderHeaderKey": created["OrderHeaderKey"]}, fmt)
    assert error["ErrorCode"] == "YFS10003"
    _, error = api.error(
        "getOrderAuditList", {"OrderHeaderKey": created["OrderHeaderKey"]}, fmt, root="OrderAudit"
    )
    assert error["ErrorCode"] == "YFS10003"  # its audits went with it


def test_delete_by_natural_key_and_unknown(api: Api) -> None:
    api("createOrder", {**ORDER, "OrderNo": "DEL-1"})
    api("deleteOrder", {"EnterpriseCode": "Matrix-R", "OrderNo": "DEL-1", "DocumentType": "0001"})
    _, error = api.error("deleteOrder", {"EnterpriseCode": "Matrix-R", "OrderNo": "DEL-1"})
    assert error["ErrorCode"] == "YFS10003"


def test_scheduled_order_cannot_be_deleted(api: Api) -> None:
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    _, error = api.error("deleteOrder", {"OrderHeaderKey": key})
    assert error["ErrorCode"] == "MOCK0201"
    assert api("getOrderDetails", {"OrderHeaderKey": key})["MaxOrderStatus"] == "1500"


def test_wrong_action(api: Api) -> None:
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    _, error = api.error("deleteOrder", {"OrderHeaderKey": key, "Action": "CANCEL"})
    assert error["ErrorCode"] == "MOCK0101"


def test_resource_delete(client: FlaskClient, api: Api) -> None:
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    response = client.delete(f"/smcfs/restapi/order/{key}", headers=BASIC)
    assert response.status_code == 200, response.data
    assert response.json["id"] == key
    assert client.delete(f"/smcfs/restapi/order/{key}", headers=BASIC).status_code == 400


def test_a_released_then_cancelled_order_takes_its_releases_along(api: Api) -> None:
    """Found by the fuzzer (issue 21): deleting such an order left its OrderRelease rows behind."""
    from sterling_mock.mock_server.domain.invariants import check

    key = api(
        "createOrder",
        {
            **ORDER,
            "OrderLines": {
                "OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "A"}, "ShipNode": "DC_EAST"}]
            },
        },
    )["OrderHeaderKey"]
    api("scheduleOrder", {"OrderHeaderKey": key}, root="ScheduleOrder")
    api("releaseOrder", {"OrderHeaderKey": key}, root="ReleaseOrder")
    assert api("getOrderReleaseList", {"OrderHeaderKey": key}, root="OrderRelease").get("OrderRelease")
    api("changeOrder", {"OrderHeaderKey": key, "Action": "CANCEL"})
    api("deleteOrder", {"OrderHeaderKey": key})
    store = api.client.application.extensions["sterling_mock"].store
    assert check(store) == []
