"""Hostile values that once reached an HTTP 500: dates at the edge of what ``datetime`` holds, numbers that are
not finite, and a virtual clock pushed past year 9999 — each refused with a Sterling or control-plane error."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sterling_mock.mock_server.domain.invariants import check
from tests.conftest import BASIC

EDGE_DATES = [
    "9999-12-31T23:59:59-14:00",  # a valid local time whose UTC form is past year 9999
    "9999-12-31T23:59:59.999-05:00",
    "0001-01-01T00:00:00+14:00",  # ...and one whose UTC form is before year 1
]
LISTS = ["getOrderList", "getOrderLineList", "getShipmentList", "getOrderReleaseList"]


def _line_order(date: str) -> dict[str, object]:
    line = {"OrderedQty": "1", "ReqShipDate": date, "Item": {"ItemID": "I"}}
    return {"EnterpriseCode": "E", "OrderDate": date, "OrderLines": {"OrderLine": [line]}}


@pytest.mark.parametrize("date", EDGE_DATES)
def test_edge_dates_are_invalid_dates_not_500(client: FlaskClient, date: str) -> None:
    created = client.post("/smcfs/restapi/invoke/createOrder", json=_line_order(date), headers=BASIC)
    assert created.status_code == 400
    assert (
        created.json["errors"][0]["ErrorDescription"]
        != "The fake hit an internal error; the call changed nothing."
    )
    for api in LISTS:
        for doc in (
            {"FromOrderDate": date, "ToOrderDate": date, "OrderDateQryType": "BETWEEN"},
            {"Modifyts": date, "ModifytsQryType": "GE"},
        ):
            answer = client.post(f"/smcfs/restapi/invoke/{api}", json=doc, headers=BASIC)
            assert answer.status_code in (200, 400), (api, doc, answer.data[:200])
            if answer.status_code == 400:
                assert answer.json["errors"][0]["ErrorCode"] != "MOCK0500"
    resource = client.get(f"/smcfs/restapi/order?OrderDate=~gt~{date}", headers=BASIC)
    assert resource.status_code in (200, 400)
    assert check(client.application.extensions["sterling_mock"].store) == []


def test_year_one_is_stored_with_a_sortable_four_digit_year(client: FlaskClient) -> None:
    """Index columns compare as text: year 1 must be ``0001``, not ``1``, or it sorts after year 2025."""
    for date in ("0001-01-01T00:00:00+00:00", "2025-01-01T00:00:00+00:00"):
        doc = {**_line_order(date), "OrderNo": "Y" + date[:4]}
        assert client.post("/smcfs/restapi/invoke/createOrder", json=doc, headers=BASIC).status_code == 200
    listed = client.post(
        "/smcfs/restapi/invoke/getOrderList",
        json={"EnterpriseCode": "E", "OrderBy": {"Attribute": [{"Name": "OrderDate"}]}},
        headers=BASIC,
    )
    assert [o["OrderNo"] for o in listed.json["Order"]] == ["Y0001", "Y2025"]


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN"])
def test_maximum_records_not_finite_is_a_filter_error(client: FlaskClient, value: str) -> None:
    answer = client.post("/smcfs/restapi/invoke/getOrderList", json={"MaximumRecords": value}, headers=BASIC)
    assert answer.status_code == 400
    assert (
        answer.json["errors"][0]["MoreInfo"]["ErrorRelatedMoreInfo"]
        == f"MaximumRecords={value!r} is not a number."
    )


def test_maximum_records_huge_is_no_cap_and_answers_at_once(client: FlaskClient) -> None:
    """``int(Decimal("1e999999"))`` costs 40 s of CPU: the cap is clamped before it becomes an int."""
    client.post("/smcfs/restapi/invoke/createOrder", json={"EnterpriseCode": "E"}, headers=BASIC)
    answer = client.post(
        "/smcfs/restapi/invoke/getOrderList", json={"MaximumRecords": "1e999999"}, headers=BASIC
    )
    assert answer.status_code == 200
    assert answer.json["TotalOrderList"] == "1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"advance": 1e20}, "advance"),
        ({"advance": 10**30}, "advance"),
        ({"set": "9999-12-31T23:59:59+00:00"}, "set"),  # a running clock would overflow a second later
        ({"set": "0001-01-01T00:00:00+00:00"}, "set"),  # keys start with a four-digit year
    ],
)
def test_clock_stays_inside_what_dates_can_hold(
    client: FlaskClient, body: dict[str, object], field: str
) -> None:
    answer = client.post("/_fake/clock", json=body)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "INVALID_FIELD"
    assert answer.json["error"]["message"].startswith(field + ":")
    assert (
        client.post(
            "/smcfs/restapi/invoke/createOrder", json={"EnterpriseCode": "E"}, headers=BASIC
        ).status_code
        == 200
    )


@pytest.mark.parametrize("value", ["1e30", "1e15", "1e5000", "1e-50000", "1e-999999999"])
@pytest.mark.parametrize("attribute", ["OrderedQty", "UnitPrice"])
def test_numbers_beyond_a_decimal_column_are_refused(client: FlaskClient, value: str, attribute: str) -> None:
    """``1e999999`` once cost a worker 40 s of CPU to turn into text; ``1e-999999999`` would be 1 GB of digits."""
    line = {"OrderedQty": "1", "Item": {"ItemID": "I"}, "LinePriceInfo": {"UnitPrice": "1"}}
    if attribute == "OrderedQty":
        line["OrderedQty"] = value
    else:
        line["LinePriceInfo"] = {"UnitPrice": value}
    doc = {"EnterpriseCode": "E", "OrderLines": {"OrderLine": [line]}}
    answer = client.post("/smcfs/restapi/invoke/createOrder", json=doc, headers=BASIC)
    assert answer.status_code == 400
    error = answer.json["errors"][0]
    assert error["ErrorCode"] == "MOCK0101"
    assert "out of range" in error["MoreInfo"]["ErrorRelatedMoreInfo"]


def test_large_but_storable_numbers_total_without_overflow(client: FlaskClient) -> None:
    line = {
        "OrderedQty": "999999999999",
        "Item": {"ItemID": "I"},
        "LinePriceInfo": {"UnitPrice": "999999999999.99"},
    }
    doc = {"EnterpriseCode": "E", "OrderLines": {"OrderLine": [line, {**line, "PrimeLineNo": "2"}]}}
    created = client.post("/smcfs/restapi/invoke/createOrder", json=doc, headers=BASIC)
    assert created.status_code == 200, created.data[:300]
    key = created.json["OrderHeaderKey"]
    details = client.post(
        "/smcfs/restapi/invoke/getOrderDetails", json={"OrderHeaderKey": key}, headers=BASIC
    )
    # Past 28 significant digits the sum is rounded (Python's decimal context), but it never overflows.
    assert details.json["OverallTotals"]["LineSubTotal"].startswith("19999999999979")
    assert check(client.application.extensions["sterling_mock"].store) == []


def test_console_clock_beyond_year_9000_is_a_message_not_500(client: FlaskClient) -> None:
    for advance in ("100000000000000000000", "P99999999D"):
        answer = client.post(
            "/_fake/console/controls/clock",
            data={"advance": advance},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert answer.status_code == 303
        assert "err=1" in answer.headers["Location"]
    assert client.get("/_fake/clock").json["now"] < "9000"


def _snapshot(orders: list[dict[str, object]]) -> dict[str, object]:
    return {"format": "sterling-mock-snapshot", "version": 1, "tables": {"orders": orders}}


@pytest.mark.parametrize(
    ("orders", "message"),
    [
        ([{"ohk": "1"}], "the snapshot's rows do not fit the store: a required value is missing"),
        (
            [
                {
                    "ohk": "1",
                    "enterprise_code": "E",
                    "document_type": "0001",
                    "order_no": "1",
                    "order_date": "2025-01-01T00:00:00.000",
                    "createts": "2025-01-01T00:00:00.000",
                    "modifyts": "2025-01-01T00:00:00.000",
                    "min_status": "1100",
                    "max_status": "1100",
                    "doc": {"text": "not json"},
                }
            ],
            "tables.orders: the doc of 1 is not a JSON object",
        ),
    ],
)
def test_a_broken_snapshot_is_refused_and_changes_nothing(
    client: FlaskClient, orders: list[dict[str, object]], message: str
) -> None:
    client.post("/smcfs/restapi/invoke/createOrder", json={"EnterpriseCode": "E"}, headers=BASIC)
    answer = client.put("/_fake/state", json=_snapshot(orders))
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "INVALID_SNAPSHOT"
    assert answer.json["error"]["message"].startswith(message)
    assert client.get("/_fake/summary").json["orders"] == 1


def test_a_snapshot_with_a_duplicate_order_is_refused(client: FlaskClient) -> None:
    client.post("/smcfs/restapi/invoke/createOrder", json={"EnterpriseCode": "E"}, headers=BASIC)
    snapshot = client.get("/_fake/state").json
    snapshot["tables"]["orders"].append(snapshot["tables"]["orders"][0])
    answer = client.put("/_fake/state", json=snapshot)
    assert answer.status_code == 400
    assert "duplicate key" in answer.json["error"]["message"]
    snapshot["tables"]["orders"].pop()
    assert client.put("/_fake/state", json=snapshot).status_code == 200  # the export itself round-trips
