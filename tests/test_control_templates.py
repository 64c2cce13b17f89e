"""``GET /_fake/templates/<id>`` answers what ``PUT`` stored; ``GET /_fake/templates`` lists the ids."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import Api

XML = b'<OrderList><Order OrderHeaderKey="" OrderNo="" Modifyts=""/></OrderList>'
STORED = {"Order": [{"OrderHeaderKey": "", "OrderNo": "", "Modifyts": ""}]}


def test_get_answers_what_put_stored_in_either_format(client: FlaskClient) -> None:
    put = client.put("/_fake/templates/by-xml", data=XML, content_type="application/xml")
    assert put.status_code == 200 and put.get_json() == {"id": "by-xml", "template": STORED}
    assert client.get("/_fake/templates/by-xml").get_json() == {"id": "by-xml", "template": STORED}
    client.put("/_fake/templates/by-json", json=STORED)
    assert client.get("/_fake/templates/by-json").get_json() == put.get_json() | {"id": "by-json"}
    assert client.get("/_fake/templates").get_json() == {"templates": ["by-json", "by-xml"]}


def test_the_stored_template_shapes_the_answer(client: FlaskClient, api: Api) -> None:
    client.put("/_fake/templates/keys", data=XML, content_type="application/xml")
    api("createOrder", {"EnterpriseCode": "Aurora"})
    listed = api("getOrderList", {}, query="?_templateId=keys")
    assert set(listed["Order"][0]) == {"OrderHeaderKey", "OrderNo", "Modifyts"}


def test_unknown_or_deleted_template_is_a_404_in_the_control_shape(client: FlaskClient) -> None:
    missing = client.get("/_fake/templates/nothing")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "NOT_FOUND"
    client.put("/_fake/templates/gone", data=XML, content_type="application/xml")
    assert client.delete("/_fake/templates/gone").status_code == 204
    assert client.get("/_fake/templates/gone").status_code == 404
    assert client.get("/_fake/templates").get_json() == {"templates": []}
