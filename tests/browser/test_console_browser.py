"""What a presenter does with the demo console, in a real Chromium against a real server: filter the order
book, open an order, ship it and watch its status, the pipeline chart and the journal change; the XML/JSON
tabs equal the API's own answer; order values holding HTML stay text; read-only and token protection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import sterling_faker
from tests.conftest import LiveServer

from .conftest import screenshot_dir

AUTH = ("admin", "password")
CONSOLE = "/_fake/console"


def invoke(
    server: LiveServer, api: str, doc: dict[str, Any], accept: str = "application/json"
) -> requests.Response:
    response = requests.post(
        f"{server.base_url}/invoke/{api}", json=doc, auth=AUTH, headers={"Accept": accept}, timeout=10
    )
    assert response.status_code in (200, 204), response.text
    return response


def shoot(page: Any, name: str) -> None:
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000


def chart_count(page: Any, chart: str, code: str) -> int:
    cell = page.locator(f"#{chart} tr[data-code='{code}'] td.num")
    return int(cell.inner_text().replace(",", "")) if cell.count() else 0


@pytest.fixture(scope="module")
def created(console_server: LiveServer) -> str:
    doc = create_order_input(sterling_faker(99), lines=2, EnterpriseCode="Matrix-R", OrderNo="DEMO-1001")
    doc["CustomerEMailID"] = "grace.hopper@example.com"
    return str(invoke(console_server, "createOrder", doc).json()["OrderHeaderKey"])


def test_presenter_filters_opens_ships_and_sees_status_chart_and_journal_change(
    page: Any, console_server: LiveServer, created: str
) -> None:
    url = console_server.url
    page.goto(f"{url}{CONSOLE}/")
    assert page.locator("table.orders tbody tr").count() == 50
    shoot(page, "order-book")

    page.select_option("#f-enterprise", "Matrix-R")
    page.select_option("#f-status", "1100")
    with page.expect_navigation():  # count the new page's rows, not the old one's while it unloads
        page.click("button:has-text('Apply')")
    rows = page.locator("table.orders tbody tr")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "Matrix-R" in text and "Created" in text

    page.fill("#f-q", "grace.hopper")
    page.select_option("#f-status", "")
    with page.expect_navigation():  # count the new page's rows, not the old one's while it unloads
        page.click("button:has-text('Apply')")
    assert page.locator("table.orders tbody tr").count() == 1
    page.click("text=DEMO-1001")
    assert page.locator("#order-status").inner_text() == "Created"

    page.goto(f"{url}{CONSOLE}/pipeline")
    shipped_before = chart_count(page, "chart-orders", "3700")
    page.goto(f"{url}{CONSOLE}/orders/{created}")
    page.fill("#tracking", "1Z999AA10123456784")
    page.click("#ship")
    page.wait_for_url(re.compile(r".*/orders/.*msg=.*"))
    assert page.locator("#order-status").inner_text() == "Shipped"
    assert "confirmShipment" in page.locator(".flash").inner_text()
    assert page.locator(".shipment .tracking").first.inner_text() == "1Z999AA10123456784"
    assert page.locator("table.lines .seg").first.inner_text().endswith("Shipped")
    shoot(page, "order-detail")

    page.click("nav >> text=Pipeline")
    assert chart_count(page, "chart-orders", "3700") == shipped_before + 1
    shoot(page, "pipeline")

    page.click("nav >> text=Journal")
    newest = page.locator("#journal-rows tr.entry").first
    assert "confirmShipment" in newest.inner_text() and "console" in newest.inner_text()
    newest.locator("summary").click()
    assert created in newest.locator("pre.doc").first.inner_text()
    shoot(page, "journal")


def test_pipeline_and_journal_update_live_while_agents_run(page: Any, console_server: LiveServer) -> None:
    url = console_server.url
    page.goto(f"{url}{CONSOLE}/pipeline")
    created_before = chart_count(page, "chart-orders", "1100")
    assert created_before > 0
    moved = requests.post(f"{url}/_fake/agents/run", json={"steps": 1}, timeout=30).json()["moved"]
    assert moved.get("1100->1500")
    # no reload: the page polls its fragment
    page.wait_for_function(
        "([n]) => { const c = document.querySelector(\"#chart-orders tr[data-code='1100'] td.num\");"
        " return !c || Number(c.textContent.replace(/,/g, '')) !== n; }",
        arg=[created_before],
    )
    assert chart_count(page, "chart-orders", "1100") == created_before - moved["1100->1500"]

    page.goto(f"{url}{CONSOLE}/journal")
    invoke(console_server, "getOrderList", {"MaximumRecords": "1"})
    page.wait_for_selector("#journal-rows tr.entry:first-child summary:has-text('getOrderList')")


def test_detail_tabs_equal_the_apis_answer_and_copy_it(
    page: Any, console_server: LiveServer, created: str
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{console_server.url}{CONSOLE}/orders/{created}")
    key = {"OrderHeaderKey": created}
    as_json = invoke(console_server, "getOrderDetails", key).text
    as_xml = invoke(console_server, "getOrderDetails", key, "application/xml").text
    page.click("#raw-documents summary")  # the raw documents sit behind a toggle
    assert page.locator("#pane-xml").is_hidden()
    assert page.input_value("#raw-json") == as_json
    page.click("button:has-text('Copy JSON')")
    assert page.evaluate("navigator.clipboard.readText()") == as_json

    page.focus("#tab-json")
    page.keyboard.press("ArrowRight")  # the tabs work from the keyboard
    assert page.locator("#pane-xml").is_visible() and page.locator("#pane-json").is_hidden()
    assert page.input_value("#raw-xml") == as_xml
    assert "<OrderLine " in page.locator("#pane-xml pre.doc").inner_text()


def test_order_values_holding_html_stay_text(page: Any, console_server: LiveServer) -> None:
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    doc = create_order_input(sterling_faker(5), lines=1, OrderNo="XSS-1", CustomerPONo=hostile)
    doc["CustomerEMailID"] = hostile
    doc["PersonInfoShipTo"]["FirstName"] = hostile
    doc["OrderLines"]["OrderLine"][0]["Item"]["ItemDesc"] = hostile
    key = invoke(console_server, "createOrder", doc).json()["OrderHeaderKey"]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in (f"/orders/{key}", "/?q=XSS-1", "/journal"):
        page.goto(f"{console_server.url}{CONSOLE}{path}")
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("main img").count() == 0
    page.goto(f"{console_server.url}{CONSOLE}/orders/{key}")
    assert hostile in page.locator("dl.facts").inner_text()
    assert dialogs == []


def test_keyboard_reaches_every_page(page: Any, console_server: LiveServer) -> None:
    page.goto(f"{console_server.url}{CONSOLE}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(10):  # through the navigation's links, whichever pages come before the journal
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Journal":
            break
    assert page.evaluate("document.activeElement.textContent") == "Journal"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/journal.*"))
    page.goto(f"{console_server.url}{CONSOLE}/controls")
    shoot(page, "controls")


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("ro"), env={"STERLING_MOCK_CONSOLE_READ_ONLY": "1"})
    yield server
    server.stop()


def test_read_only_console_refuses_actions(page: Any, read_only_server: LiveServer) -> None:
    key = invoke(read_only_server, "createOrder", create_order_input(sterling_faker(3)))
    ohk = key.json()["OrderHeaderKey"]
    page.goto(f"{read_only_server.url}{CONSOLE}/orders/{ohk}")
    assert page.locator(".badge.ro").inner_text() == "read-only"
    assert page.locator("#ship").count() == 0
    status = page.evaluate(
        "async (url) => (await fetch(url, {method: 'POST', body: new URLSearchParams({ns: 'default'})})).status",
        f"{CONSOLE}/orders/{ohk}/cancel",
    )
    assert status == 403
    page.goto(f"{read_only_server.url}{CONSOLE}/controls")
    page.on("dialog", lambda d: d.accept())
    page.click("button:has-text('Seed')")
    assert "read-only" in page.locator("main").inner_text()
    assert requests.get(f"{read_only_server.url}/_fake/summary", timeout=10).json()["orders"] == 1


def test_token_protected_console_asks_once(page: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    server = LiveServer(tmp_path_factory.mktemp("token"), "--control-token", "demo-token")
    try:
        page.goto(f"{server.url}{CONSOLE}/journal")
        assert page.locator("h1").inner_text() == "Token needed"
        page.fill("#token", "demo-token")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{server.url}{CONSOLE}/journal"
        assert page.locator("h1").inner_text().startswith("Journal")
        page.goto(f"{server.url}{CONSOLE}/controls")
        assert page.locator("h1").inner_text().startswith("Controls")
    finally:
        server.stop()
