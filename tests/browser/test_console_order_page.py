"""The order page as an audience sees it, in a real Chromium: only the actions the order's status allows, every
status in words (shipments' own pipeline included), the node each line ships from, and the raw documents kept
behind a toggle."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import LiveServer

AUTH = ("admin", "password")
CONSOLE = "/_fake/console"
BUTTONS = ("schedule", "release", "ship", "advance", "cancel")


def new_order(server: LiveServer, to: str = "") -> str:
    """An API-created order with no ShipNode on its line, walked to ``to`` through the control plane."""
    doc = {
        "EnterpriseCode": "Matrix-R",
        "OrderLines": {"OrderLine": [{"OrderedQty": "2", "Item": {"ItemID": "SHOE-101"}}]},
    }
    made = requests.post(f"{server.base_url}/invoke/createOrder", json=doc, auth=AUTH, timeout=10)
    assert made.status_code == 200, made.text
    key = str(made.json()["OrderHeaderKey"])
    if to:
        moved = requests.post(f"{server.url}/_fake/orders/{key}/advance", json={"to": to}, timeout=30)
        assert moved.status_code == 200, moved.text
    return key


def buttons(page: Any) -> set[str]:
    return {name for name in BUTTONS if page.locator(f"#actions #{name}").count()}


@pytest.mark.parametrize(
    ("status", "offered", "targets"),
    [
        ("", {"schedule", "ship", "advance", "cancel"}, ["1500", "3200", "3700", "9000"]),
        ("1500", {"release", "ship", "advance", "cancel"}, ["3200", "3700", "9000"]),
        ("3200", {"ship", "advance", "cancel"}, ["3700", "9000"]),
        ("3700", set(), []),
        ("9000", set(), []),
    ],
)
def test_only_the_actions_the_status_allows_are_offered(
    page: Any, console_server: LiveServer, status: str, offered: set[str], targets: list[str]
) -> None:
    key = new_order(console_server, status)
    page.goto(f"{console_server.url}{CONSOLE}/orders/{key}")
    assert buttons(page) == offered
    if targets:
        values = page.locator("#advance-to option").evaluate_all("options => options.map(o => o.value)")
        assert values == targets
    else:
        assert "Nothing left to do" in page.locator("#no-actions").inner_text()


def test_an_offered_action_moves_the_order_and_the_offer_follows(
    page: Any, console_server: LiveServer
) -> None:
    key = new_order(console_server, "1500")
    page.goto(f"{console_server.url}{CONSOLE}/orders/{key}")
    with page.expect_navigation():
        page.click("#release")
    assert page.locator("#order-status").inner_text() == "Released"
    assert buttons(page) == {"ship", "advance", "cancel"}


def test_shipments_and_releases_are_described_in_words(page: Any, console_server: LiveServer) -> None:
    key = new_order(console_server, "3700")
    page.goto(f"{console_server.url}{CONSOLE}/orders/{key}")
    assert page.locator(".shipment .shipment-status").first.inner_text() == "Shipped"
    assert page.locator(".release .release-status").first.inner_text() == "Shipped"
    text = page.locator("main").inner_text()
    assert "status 1400" not in text and "Backordered From Node" not in text


def test_the_node_column_shows_where_each_line_ships_from(page: Any, console_server: LiveServer) -> None:
    key = new_order(console_server)
    page.goto(f"{console_server.url}{CONSOLE}/orders/{key}")
    assert page.locator("table.lines td.node").first.inner_text() == "not yet assigned"

    released = new_order(console_server, "3200")
    page.goto(f"{console_server.url}{CONSOLE}/orders/{released}")
    node = page.locator(".release strong").first.inner_text()
    assert node and page.locator("table.lines td.node").first.inner_text() == node


def test_raw_documents_and_keys_stay_behind_a_toggle(page: Any, console_server: LiveServer) -> None:
    key = new_order(console_server)
    page.goto(f"{console_server.url}{CONSOLE}/orders/{key}")
    assert page.locator("#raw-json").is_hidden() and page.locator("#tab-xml").is_hidden()
    assert key not in page.locator("main").inner_text()  # no OrderHeaderKey on the page an audience sees
    assert "journaled" not in page.locator("main").inner_text()

    page.click("#raw-documents summary")
    assert page.locator("#tab-json").is_visible() and page.locator("#raw-json").is_visible()
    assert key in page.locator("#raw-documents").inner_text()
    page.click("#tab-xml")
    assert "<OrderLine " in page.locator("#pane-xml pre.doc").inner_text()
