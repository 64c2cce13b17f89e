"""The demo console's pages through the Flask test client: order book (filters, sorting, keyset paging),
order detail (the exact getOrderDetails answers), pipeline, journal, escaping of order values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import sterling_faker
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.seeding.seed import SeedOptions, seed_orders

from .conftest import BASIC, Api

CONSOLE = "/_fake/console"
ENTRIES = ".//*[@id='journal-rows']/tr[contains(@class, 'entry')]"


def html(response: Any) -> Any:
    assert response.status_code == 200, response.data[:2000]
    assert response.content_type == "text/html; charset=utf-8"
    return lxml.html.fromstring(response.data.decode("utf-8"))


def order_keys(tree: Any) -> list[str]:
    return [
        a.get("href").split("/orders/")[1].split("?")[0]
        for a in tree.xpath(".//table[contains(@class, 'orders')]//td/a")
    ]


def rel_link(tree: Any, rel: str) -> str | None:
    found = tree.xpath(f".//a[@rel='{rel}']")
    return found[0].get("href") if found else None


@pytest.fixture
def seeded(app: Flask) -> list[dict[str, Any]]:
    """130 seeded orders across statuses and enterprises, as (key, no, enterprise, date, status) rows."""
    return seed_book(app)


Book = tuple[FlaskClient, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def book() -> Iterator[Book]:
    """The seeded book made once, for the tests that only read it: seeding is most of their time (~2.5 s
    each on PostgreSQL)."""
    app = create_app(Settings(db=":memory:", demo_orders=0))
    yield app.test_client(), seed_book(app)
    app.extensions["sterling_mock"].store.close()


def seed_book(app: Flask) -> list[dict[str, Any]]:
    fake = app.extensions["sterling_mock"]
    mix = {"1100": 2.0, "1500": 1.0, "3200": 1.0, "3700": 2.0, "9000": 0.5}
    seed_orders(fake, "default", 130, seed=7, options=SeedOptions(statuses=mix))
    with fake.store.read() as tx:
        rows = tx.conn.execute(
            "SELECT ohk, order_no, enterprise_code, document_type, order_date, modifyts, max_status "
            "FROM orders WHERE ns='default'"
        ).fetchall()
    names = ("ohk", "order_no", "enterprise", "doc_type", "order_date", "modifyts", "max_status")
    return [dict(zip(names, row, strict=True)) for row in rows]


def walk(client: FlaskClient, first: str) -> tuple[list[str], str]:
    """Follow "Next" from ``first`` to the end: every key in page order, and the last page's URL."""
    keys: list[str] = []
    url = first
    for _ in range(100):
        tree = html(client.get(url))
        keys += order_keys(tree)
        following = rel_link(tree, "next")
        if following is None:
            return keys, url
        url = following
    raise AssertionError("paging did not end")


# ------------------------------------------------------------------------------------------ order book


def test_every_page_renders_on_an_empty_namespace(client: FlaskClient) -> None:
    for path in ("/", "/pipeline", "/pipeline/live", "/journal", "/journal/rows", "/controls"):
        response = client.get(CONSOLE + path)
        assert response.status_code == 200, path
        assert b"<script>" not in response.data
    assert b"No orders match" in client.get(CONSOLE + "/").data


def test_assets_are_served_by_the_fake_itself(client: FlaskClient) -> None:
    page = client.get(CONSOLE + "/").data.decode()
    assert "http://" not in page and "https://" not in page  # no CDN, nothing fetched from elsewhere
    for name in ("console.css", "console.js"):
        with client.get(f"{CONSOLE}/static/{name}") as response:
            assert response.status_code == 200 and len(response.data) > 1000


@pytest.mark.parametrize(
    ("sort", "direction", "key"),
    [
        ("", "", lambda r: (r["order_date"], r["ohk"])),
        ("", "asc", lambda r: (r["order_date"], r["ohk"])),
        ("modified", "", lambda r: (r["modifyts"], r["ohk"])),
        ("orderno", "asc", lambda r: (r["order_no"], r["enterprise"], r["doc_type"])),
        ("orderno", "desc", lambda r: (r["order_no"], r["enterprise"], r["doc_type"])),
    ],
)
def test_paging_visits_every_order_once_in_order_and_back(
    book: Book, sort: str, direction: str, key: Any
) -> None:
    client, seeded = book
    expected = [r["ohk"] for r in sorted(seeded, key=key, reverse=direction != "asc")]
    first = f"{CONSOLE}/?size=25&sort={sort}&dir={direction or 'desc'}"
    keys, last = walk(client, first)
    assert keys == expected
    back: list[str] = []
    url: str | None = last
    while url:
        tree = html(client.get(url))
        back = order_keys(tree) + back
        url = rel_link(tree, "prev")
    assert back == expected


def test_filters_enterprise_status_and_dates(book: Book) -> None:
    client, seeded = book
    enterprise = seeded[0]["enterprise"]
    tree = html(client.get(f"{CONSOLE}/?enterprise={enterprise}&size=100"))
    assert sorted(order_keys(tree)) == sorted(r["ohk"] for r in seeded if r["enterprise"] == enterprise)
    options = [o.get("value") for o in tree.xpath(".//*[@id='f-enterprise']/option") if o.get("value")]
    assert options == sorted({r["enterprise"] for r in seeded})

    shipped = [r["ohk"] for r in seeded if r["max_status"] == "00003700"]
    assert shipped, "the seed should ship some orders"
    assert sorted(order_keys(html(client.get(f"{CONSOLE}/?status=3700&size=100")))) == sorted(shipped)

    day = seeded[0]["order_date"][:10]
    same_day = sorted(r["ohk"] for r in seeded if r["order_date"][:10] == day)
    assert sorted(order_keys(html(client.get(f"{CONSOLE}/?from={day}&to={day}&size=100")))) == same_day


def test_text_search_by_order_number_prefix_and_customer(client: FlaskClient, api: Api) -> None:
    faker = sterling_faker(3)
    doc = create_order_input(faker, OrderNo="DEMO-4711", CustomerEMailID="ada.lovelace@example.com")
    key = api("createOrder", doc)["OrderHeaderKey"]
    api("createOrder", create_order_input(faker, OrderNo="OTHER-1"))
    assert order_keys(html(client.get(f"{CONSOLE}/?q=DEMO-47"))) == [key]
    assert order_keys(html(client.get(f"{CONSOLE}/?q=LOVELACE"))) == [key]
    assert order_keys(html(client.get(f"{CONSOLE}/?q=nobody-at-all"))) == []


def test_bad_query_values_fall_back_instead_of_failing(book: Book) -> None:
    client, _ = book
    for query in (
        "size=7",
        "sort=drop%20table",
        "after=%%%",
        "before=bm90LWpzb24",
        "from=31/12/2025",
        "status=x",
    ):
        assert order_keys(html(client.get(f"{CONSOLE}/?{query}"))), query
    response = client.get(f"{CONSOLE}/?ns=bad%20name")
    assert response.status_code == 400 and b"Bad namespace" in response.data


def test_namespaces_are_separate(client: FlaskClient, app: Flask, seeded: list[Any]) -> None:
    seed_orders(app.extensions["sterling_mock"], "other", 3, seed=1)
    assert len(order_keys(html(client.get(f"{CONSOLE}/?ns=other")))) == 3


# ------------------------------------------------------------------------------------------ order detail


def test_detail_tabs_hold_exactly_what_get_order_details_answers(client: FlaskClient, api: Api) -> None:
    key = api("createOrder", create_order_input(sterling_faker(5), lines=2))["OrderHeaderKey"]
    tree = html(client.get(f"{CONSOLE}/orders/{key}"))
    for fmt, mime in (("json", "application/json"), ("xml", "application/xml")):
        answer = client.post(
            "/smcfs/restapi/invoke/getOrderDetails",
            data=f'{{"OrderHeaderKey": "{key}"}}',
            headers={**BASIC, "Content-Type": "application/json", "Accept": mime},
        )
        assert tree.get_element_by_id(f"raw-{fmt}").text == answer.data.decode()
    assert len(tree.xpath(".//table[contains(@class, 'lines')]/tbody/tr")) == 2
    assert tree.get_element_by_id("order-status").text_content() == "Created"
    assert tree.xpath(".//ol[@class='timeline']/li"), "the createOrder audit shows in the timeline"
    assert tree.xpath(".//blockquote"), "the order's note shows"


def test_reading_pages_adds_nothing_to_the_journal(client: FlaskClient, api: Api) -> None:
    key = api("createOrder", create_order_input(sterling_faker(6)))["OrderHeaderKey"]
    before = client.get("/_fake/journal").json["total"]  # type: ignore[index]
    for path in ("/", f"/orders/{key}", "/pipeline", "/journal", "/controls"):
        client.get(CONSOLE + path)
    assert client.get("/_fake/journal").json["total"] == before  # type: ignore[index]


def test_unknown_order_is_a_404_page(client: FlaskClient) -> None:
    response = client.get(f"{CONSOLE}/orders/NOPE")
    assert response.status_code == 404
    assert b"YFS10003" in response.data or b"No such order" in response.data


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_values_from_an_order_render_as_text(client: FlaskClient, api: Api, app: Flask) -> None:
    doc = create_order_input(sterling_faker(8), lines=1, OrderNo="<b>X-1</b>", CustomerPONo=HOSTILE)
    doc["CustomerEMailID"] = HOSTILE
    doc["PersonInfoShipTo"]["FirstName"] = HOSTILE
    doc["OrderLines"]["OrderLine"][0]["Item"]["ItemDesc"] = HOSTILE
    doc["Notes"]["Note"][0]["NoteText"] = HOSTILE
    key = api("createOrder", doc)["OrderHeaderKey"]
    api.error("changeOrder", {"OrderHeaderKey": key, "Action": HOSTILE})  # a journaled failure holding it
    pages = [f"/orders/{key}", "/", "/?q=%3Cb%3E", "/journal", "/journal/rows", "/pipeline"]
    for path in pages:
        body = client.get(CONSOLE + path).data.decode()
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>X-1" not in body, path
    detail = client.get(f"{CONSOLE}/orders/{key}").data.decode()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in detail
    assert "&lt;b&gt;X-1&lt;/b&gt;" in detail
    tree = html(client.get(f"{CONSOLE}/orders/{key}"))
    assert tree.get_element_by_id("order-no").text == "<b>X-1</b>"  # shown as the text it is
    assert not tree.xpath(".//main//script | .//main//img")


# ------------------------------------------------------------------------------------------ pipeline, journal


def test_pipeline_counts_follow_the_agents(client: FlaskClient, api: Api) -> None:
    for seed in range(3):
        api("createOrder", create_order_input(sterling_faker(seed), lines=1))
    tree = html(client.get(f"{CONSOLE}/pipeline/live"))
    counts = {
        tr.get("data-code"): tr.xpath(".//td[contains(@class, 'count')]")[0].text
        for tr in tree.xpath(".//*[@id='chart-orders']//tr")
    }
    assert counts == {"1100": "3"}
    assert client.post("/_fake/agents/run", json={"steps": 1}).status_code == 200
    tree = html(client.get(f"{CONSOLE}/pipeline/live"))
    counts = {
        tr.get("data-code"): tr.xpath(".//td[contains(@class, 'count')]")[0].text
        for tr in tree.xpath(".//*[@id='chart-orders']//tr")
    }
    assert counts == {"1500": "3"}
    assert tree.get_element_by_id("kpi-per-minute").text == "3"
    assert [tr.get("data-code") for tr in tree.xpath(".//*[@id='chart-qty']//tr")] == ["1500"]


def test_journal_lists_calls_filters_and_streams_newer_rows(client: FlaskClient, api: Api) -> None:
    api("createOrder", create_order_input(sterling_faker(1)))
    api.error("getOrderDetails", {"OrderHeaderKey": "NOPE"})
    tree = html(client.get(f"{CONSOLE}/journal"))
    rows = tree.xpath(ENTRIES)
    assert [r.xpath(".//summary")[0].text for r in rows] == ["getOrderDetails", "createOrder"]
    assert "failed" in rows[0].get("class") and "YFS10003" in rows[0].text_content()
    assert "EnterpriseCode" in rows[1].xpath(".//pre")[0].text
    only_errors = html(client.get(f"{CONSOLE}/journal?errors=1")).xpath(ENTRIES)
    assert len(only_errors) == 1
    by_api = html(client.get(f"{CONSOLE}/journal?api=createOrder")).xpath(ENTRIES)
    assert len(by_api) == 1
    last = int(rows[0].get("data-id"))
    assert b"<tr" not in client.get(f"{CONSOLE}/journal/rows?after={last}").data
    api("createOrder", create_order_input(sterling_faker(2)))
    newer = lxml.html.fragment_fromstring(
        client.get(f"{CONSOLE}/journal/rows?after={last}").data.decode(), create_parent="tbody"
    )
    assert [tr.xpath(".//summary")[0].text for tr in newer.xpath("./tr")] == ["createOrder"]


def test_large_namespaces_show_estimates_from_a_sample(
    client: FlaskClient, seeded: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sterling_mock.mock_server.console import pipeline

    monkeypatch.setattr(pipeline, "EXACT_ORDERS", 50)
    monkeypatch.setattr(pipeline, "EXACT_QTY", 50)
    monkeypatch.setattr(pipeline, "COUNT_CAP", 60)
    tree = html(client.get(f"{CONSOLE}/pipeline/live"))
    cells = tree.xpath(".//*[@id='chart-orders']//td[contains(@class, 'count')]")
    assert cells and all(c.text.startswith("≈") for c in cells)
    estimated = sum(int(c.text[1:].replace(",", "")) for c in cells)
    assert abs(estimated - len(seeded)) <= 2  # scaled to the exact total, give or take rounding
    shipped = sum(1 for r in seeded if r["max_status"] == "00003700")
    sampled = int(
        tree.xpath(".//*[@id='chart-orders']//tr[@data-code='3700']/td[contains(@class, 'count')]")[0].text[
            1:
        ]
    )
    assert abs(sampled - shipped) <= len(seeded) * 0.25
    assert "estimated from" in tree.text_content()
    # the seed spreads Modifyts over the weeks before the clock: make 60+ orders change within the minute
    moved = client.post("/_fake/agents/run", json={"steps": 1}).get_json()["moved"]
    assert sum(moved.values()) > 60
    tree = html(client.get(f"{CONSOLE}/pipeline/live"))
    assert tree.get_element_by_id("kpi-per-minute").text == "60+"
    assert "more than 60 orders" in html(client.get(f"{CONSOLE}/")).xpath("string(.//h1)")
