"""The catalogue part of make_samples' scripted walk (issue 23): items, organizations, nodes, customers,
common codes, statuses and the order views, run after the order has shipped."""

from __future__ import annotations

from typing import Any

import sterling_mock.fixtures as fx
from sterling_mock.fixtures import catalogue as cat


def run_catalogue(walk: Any, key: str) -> None:
    faker = fx.sterling_faker(2023)
    item = cat.manage_item_input(faker, OrganizationCode="Matrix-R")
    walk("manageItem", item)
    item_id = item["Item"][0]["ItemID"]
    walk("getItemList", cat.get_item_list_input(max_records=2, ItemID="SHOE-2", ItemIDQryType="FLIKE"))
    walk("getCompleteItemList", cat.get_item_list_input(ItemID=item_id))
    walk("getItemDetails", cat.get_item_details_input(item_id, "Matrix-R"))
    walk("getItemNodeDefnList", {"ItemID": "SHOE-100", "Node": "DC_EAST"})
    walk("getOrganizationList", {"OrganizationCode": "Matrix-R"})
    walk("getOrganizationHierarchy", {"OrganizationCode": "Globex"})
    walk("getShipNodeList", {"NodeType": "Store"})
    customer = cat.manage_customer_input(faker, OrganizationCode="Matrix-R")
    walk("manageCustomer", customer)
    walk("getCustomerList", cat.get_customer_list_input(max_records=3, OrganizationCode="Matrix-R"))
    walk("getCustomerDetails", {"CustomerID": customer["CustomerID"], "OrganizationCode": "Matrix-R"})
    walk("getCommonCodeList", cat.get_common_code_list_input("ORDER_HOLD_TYPE", "Matrix-R"))
    walk("getStatusList", {"ProcessTypeKey": "ORDER_DELIVERY"})
    walk("registerLogout", {"UserId": "admin", "SessionId": "0"})
    walk("getCompleteOrderDetails", fx.get_order_details_input(key))
    walk("getOrderLineDetails", {"OrderHeaderKey": key, "PrimeLineNo": "1", "SubLineNo": "1"})
    walk("getShipmentLineList", {"OrderHeaderKey": key})
