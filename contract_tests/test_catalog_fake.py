"""Contract of the fake's own catalogue (issue 23): its seeded items, customers and codes, and the control
plane that replaces them.  Skipped on a real instance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sterling_mock.client.wire import as_list

from .instance import Instance
from .sterling import Sterling

pytestmark = pytest.mark.writes
Control = Callable[..., Any]


@pytest.mark.fake_only(reason="the demo catalogue, customers and codes are the fake's seeded data")
def test_seeded_catalogue_customers_and_codes(sterling: Sterling) -> None:
    items = sterling.invoke("getItemList", {"ItemID": "SHOE-2", "ItemIDQryType": "FLIKE"})
    assert len(as_list(items["Item"])) >= 30
    customers = sterling.invoke("getCustomerList", {"MaximumRecords": "500"})
    assert len(as_list(customers["Customer"])) >= 300
    holds = sterling.invoke(
        "getCommonCodeList", {"CodeType": "ORDER_HOLD_TYPE", "OrganizationCode": "Matrix-R"}
    )
    assert "FRAUD_CHECK" in {c["CodeValue"] for c in as_list(holds["CommonCode"])}


@pytest.mark.fake_only(reason="PUT /_fake/catalogue is the fake's control plane")
def test_control_plane_replaces_the_items(sterling: Sterling, control: Control, instance: Instance) -> None:
    control(
        "PUT",
        "catalogue",
        {"replace": True, "items": [{"ItemID": "ONLY-ONE", "OrganizationCode": "DEFAULT"}]},
    )
    out = sterling.invoke("getItemList", {})
    assert [i["ItemID"] for i in as_list(out["Item"])] == ["ONLY-ONE"]
    control("POST", "reset")
    item = instance.item(0).item_id  # back from the master data the fake was started with
    assert sterling.invoke("getItemDetails", {"ItemID": item})["ItemID"] == item
