"""The console's inventory page (supply, demand, available per item and node) and the pipeline's backordered
units clearing as supply arrives and the agents schedule."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import Api
from tests.test_control_support import Ctl
from tests.test_inventory import adjust, order
from tests.test_lifecycle import schedule


def backordered(client: FlaskClient) -> str:
    body = client.get("/_fake/console/pipeline/live").data.decode()
    found = re.search(r'id="kpi-backordered">([^<]*)<', body)
    assert found, body[:500]
    return found.group(1)


def test_inventory_page_shows_supply_demand_and_available(client: FlaskClient, api: Api) -> None:
    adjust(api, Quantity="10")
    key = api("createOrder", order("4"))["OrderHeaderKey"]
    schedule(api, key)
    body = client.get("/_fake/console/inventory?item=WIDGET").data.decode()
    row = re.search(r'<tr data-item="WIDGET-1" data-node="DC_EAST">(.*?)</tr>', body, re.S)
    assert row, body[:1000]
    cells = re.findall(r'<td class="num">(?:<strong>)?([^<]*)', row.group(1))
    assert cells == ["10", "0", "4", "0", "6"]  # supply, future, demand, reserved, available
    assert "lenient" in body
    assert 'aria-current="page">Inventory' in body
    assert "SHOE-100" not in body  # filtered by the item prefix


def test_pipeline_shows_backorders_clearing_as_supply_arrives(client: FlaskClient, api: Api) -> None:
    adjust(api, Quantity="1")
    key = api("createOrder", order("3"))["OrderHeaderKey"]
    schedule(api, key)
    assert backordered(client) == "2"
    adjust(api, Quantity="3")
    Ctl(client).ok("POST", "agents/run", {"steps": 1, "release": False, "ship": False})
    assert backordered(client) == "0"
