"""The console's order page shows the customer and the item master records behind an order (issue 23)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import Api

LINES = {
    "OrderLine": [
        {"OrderedQty": "1", "Item": {"ItemID": "SHOE-200", "UnitOfMeasure": "EACH"}},
        {"OrderedQty": "1", "Item": {"ItemID": "NOT-ON-FILE"}},
    ]
}


def test_order_page_shows_customer_and_items(client: FlaskClient, api: Api) -> None:
    customer = api("getCustomerDetails", {"CustomerID": "CUST100001"}, root="Customer")
    order = {"EnterpriseCode": customer["OrganizationCode"], "BillToID": "CUST100001", "OrderLines": LINES}
    key = api("createOrder", order)["OrderHeaderKey"]
    item = api("getItemDetails", {"ItemID": "SHOE-200"}, root="Item")
    page = client.get(f"/_fake/console/orders/{key}").data.decode()
    assert 'id="customer"' in page and "CUST100001" in page
    contact = customer["CustomerContactList"]["CustomerContact"][0]
    assert contact["EmailID"] in page
    assert item["PrimaryInformation"]["Description"] in page
    assert "not in the catalogue" in page


def test_order_without_a_known_customer(client: FlaskClient, api: Api) -> None:
    key = api("createOrder", {"EnterpriseCode": "Matrix-R", "BillToID": "NOBODY", "OrderLines": LINES})[
        "OrderHeaderKey"
    ]
    page = client.get(f"/_fake/console/orders/{key}").data.decode()
    assert "BillToID NOBODY names no customer on file." in page
    key = api("createOrder", {"EnterpriseCode": "Matrix-R", "OrderLines": LINES})["OrderHeaderKey"]
    assert "No BillToID" in client.get(f"/_fake/console/orders/{key}").data.decode()
