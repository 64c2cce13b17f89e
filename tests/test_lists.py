"""getOrderList and getOrderLineList: filters, QryTypes, ranges, status, ComplexQuery, OrderBy, paging."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import model
from tests.conftest import Api


def fake_of(app: Flask) -> Fake:
    runtime: Fake = app.extensions["sterling_mock"]
    return runtime


def at(app: Flask, when: str) -> None:
    with fake_of(app).store.write() as tx:
        clock.freeze(tx, "default", True)
        clock.set_time(tx, "default", clock.parse_datetime(when))


def order(no: str, **extra: Any) -> dict[str, Any]:
    lines = extra.pop("lines", [("SKU-1", "2")])
    return {
        "EnterpriseCode": extra.pop("EnterpriseCode", "Matrix-R"),
        "OrderNo": no,
        "OrderLines": {
            "OrderLine": [
                {"OrderedQty": q, "Item": {"ItemID": item}, "LinePriceInfo": {"UnitPrice": "10"}}
                for item, q in lines
            ]
        },
        **extra,
    }


def set_statuses(app: Flask, ohk: str, per_line: list[list[tuple[str, str]]]) -> None:
    """Put each line's quantities in the given statuses (what the lifecycle APIs do), through the model."""
    fake = fake_of(app)
    with fake.store.write() as tx:
        ctx = Ctx(tx=tx, ns="default", user="test", settings=fake.settings, pipelines=fake.pipelines)
        stored = model.load(ctx, {"OrderHeaderKey": ohk})
        for line, rows in zip(model.lines_of(stored), per_line, strict=True):
            line["OrderStatuses"] = {"OrderStatus": [{"Status": s, "StatusQty": q} for s, q in rows]}
        model.touch(ctx, stored)
        model.save(ctx, stored, insert=False)


def nos(out: dict[str, Any]) -> list[str]:
    return [o["OrderNo"] for o in as_list(out.get("Order"))]


@pytest.fixture
def orders(app: Flask, api: Api) -> dict[str, str]:
    """Six orders over three days, two enterprises, several channels and statuses."""
    keys = {}
    specs = [
        ("A1", "2025-01-10T09:00:00+00:00", {"EntryType": "WEB", "CustomerEMailID": "ada@example.com"}),
        (
            "A2",
            "2025-01-10T18:30:00-05:00",
            {"EntryType": "CALL_CENTER", "lines": [("SKU-2", "1"), ("SKU-3", "1")]},
        ),
        (
            "A3",
            "2025-01-11T12:00:00+00:00",
            {"EntryType": "WEB", "PersonInfoShipTo": {"City": "Leeds", "ZipCode": "LS1"}},
        ),
        ("B1", "2025-01-11T13:00:00+00:00", {"EnterpriseCode": "Aurora", "EntryType": "STORE"}),
        ("A4", "2025-01-12T08:00:00+00:00", {"SellerOrganizationCode": "Matrix-S", "PriorityNumber": "5"}),
        ("A5", "2025-01-12T23:59:59+00:00", {"EntryType": "WEB", "PriorityNumber": "12"}),
    ]
    for no, when, extra in specs:
        at(app, when)
        keys[no] = api("createOrder", order(no, OrderDate=when, **extra))["OrderHeaderKey"]
    set_statuses(app, keys["A2"], [[("1500", "1")], [("3700", "1")]])  # partially shipped
    set_statuses(app, keys["A3"], [[("3200", "2")]])
    set_statuses(app, keys["A5"], [[("9000", "2")]])
    return keys


def test_default_shape_and_envelope(api: Api, orders: dict[str, str], fmt: str) -> None:
    out = api("getOrderList", {"EnterpriseCode": "Matrix-R"}, fmt)
    assert nos(out) == ["A1", "A2", "A3", "A4", "A5"]
    assert (out["TotalOrderList"], out["LastRecordSet"], out["ReadFromHistory"]) == ("5", "Y", "")
    assert out["LastOrderHeaderKey"] == orders["A5"]
    first = as_list(out["Order"])[0]
    assert {"PriceInfo", "OverallTotals", "InvoicedTotals", "RemainingTotals"} <= set(first)
    assert "OrderLines" not in first and "Modifyts" not in first
    assert first["TaxExemptionFlag"] == "N" and "TaxExemptFlag" not in first


def test_json_envelope_on_the_wire(api: Api, orders: dict[str, str]) -> None:
    import json

    raw = api.raw("getOrderList", {"OrderNo": "A1"})
    body = json.loads(raw.data)
    assert list(body) == ["Order", "TotalOrderList", "LastRecordSet", "LastOrderHeaderKey", "ReadFromHistory"]
    assert isinstance(body["Order"], list) and len(body["Order"]) == 1
    empty = json.loads(api.raw("getOrderList", {"OrderNo": "NOPE"}).data)
    assert empty == {
        "TotalOrderList": "0",
        "LastRecordSet": "Y",
        "LastOrderHeaderKey": "",
        "ReadFromHistory": "",
    }


def test_xml_envelope_on_the_wire(api: Api, orders: dict[str, str]) -> None:
    raw = api.raw("getOrderList", {"OrderNo": "A1", "ReadFromHistory": "N"}, "xml").data
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?><OrderList LastOrderHeaderKey="')
    assert b'LastRecordSet="Y" ReadFromHistory="N" TotalOrderList="1"><Order ' in raw
    assert raw.endswith(b"</Order></OrderList>")


def test_empty_values_are_no_filter(api: Api, orders: dict[str, str], fmt: str) -> None:
    # as IBM's own client sends it (reference §2)
    doc = {"FromOrderDate": "", "ToOrderDate": "", "OrderDateQryType": "BETWEEN", "Status": "", "OrderNo": ""}
    assert api("getOrderList", doc, fmt)["TotalOrderList"] == "6"


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"OrderNo": "A", "OrderNoQryType": "FLIKE"}, ["A1", "A2", "A3", "A4", "A5"]),
        ({"OrderNo": "1", "OrderNoQryType": "LIKE"}, ["A1", "B1"]),
        ({"OrderNo": "A3", "OrderNoQryType": "GT"}, ["A4", "A5", "B1"]),
        ({"OrderNo": "A3", "OrderNoQryType": "LT"}, ["A1", "A2"]),
        ({"OrderNo": "A3", "OrderNoQryType": "NE", "EnterpriseCode": "Matrix-R"}, ["A1", "A2", "A4", "A5"]),
        ({"EntryType": "WEB"}, ["A1", "A3", "A5"]),
        ({"EntryType": "web"}, []),  # case-sensitive
        ({"CustomerEMailID": "ada@example.com"}, ["A1"]),
        ({"SellerOrganizationCode": "Matrix-S"}, ["A4"]),
        ({"PriorityNumber": "10", "PriorityNumberQryType": "GE"}, ["A5"]),
        ({"FromPriorityNumber": "1", "ToPriorityNumber": "5", "PriorityNumberQryType": "BETWEEN"}, ["A4"]),
        ({"PersonInfoShipTo": {"City": "Leeds"}}, ["A3"]),
        ({"PersonInfoShipTo": {"ZipCode": "LS", "ZipCodeQryType": "FLIKE"}}, ["A3"]),
        ({"OrderLine": {"Item": {"ItemID": "SKU-3"}}}, ["A2"]),
        ({"OrderLine": {"Item": {"ItemID": "SKU-", "ItemIDQryType": "FLIKE"}}, "EntryType": "STORE"}, ["B1"]),
        ({"OrderLine": {"ItemID": "SKU-2"}}, ["A2"]),
    ],
)
def test_filters(api: Api, orders: dict[str, str], doc: dict[str, Any], expected: list[str]) -> None:
    for fmt in ("json", "xml"):
        assert sorted(nos(api("getOrderList", doc, fmt))) == expected, fmt


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        # DATERANGE compares UTC calendar days, inclusive; A2 is 2025-01-10T23:30Z
        (
            {"FromOrderDate": "20250110", "ToOrderDate": "20250110", "OrderDateQryType": "DATERANGE"},
            ["A1", "A2"],
        ),
        (
            {"FromOrderDate": "2025-01-11", "ToOrderDate": "2025-01-12", "OrderDateQryType": "DATERANGE"},
            ["A3", "A4", "A5", "B1"],
        ),
        # BETWEEN compares instants, inclusive, with every input form of reference §5
        (
            {
                "FromOrderDate": "2025-01-10T18:30:00-0500",
                "ToOrderDate": "2025-01-11T12:00:00Z",
                "OrderDateQryType": "BETWEEN",
            },
            ["A2", "A3"],
        ),
        ({"FromOrderDate": "2025-01-11 13:00:00-00:00", "OrderDateQryType": "BETWEEN"}, ["A4", "A5", "B1"]),
        ({"ToOrderDate": "2025-01-10T09:00:00.000+00:00", "OrderDateQryType": "BETWEEN"}, ["A1"]),
        ({"OrderDate": "2025-01-12T08:00:00+00:00"}, ["A4"]),
        ({"OrderDate": "2025-01-12", "OrderDateQryType": "GE"}, ["A4", "A5"]),
        ({"OrderDate": "20250110", "OrderDateQryType": "LT"}, []),
    ],
)
def test_date_ranges(
    api: Api, orders: dict[str, str], doc: dict[str, Any], expected: list[str], fmt: str
) -> None:
    assert sorted(nos(api("getOrderList", doc, fmt))) == expected


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"Status": "1100"}, ["A1", "A4", "B1"]),
        ({"Status": "3700"}, ["A2"]),  # partially shipped: any of its statuses
        ({"Status": "1500"}, ["A2"]),
        ({"Status": "3200"}, ["A3"]),
        ({"Status": "9000"}, ["A5"]),
        ({"FromStatus": "3200", "ToStatus": "3700", "StatusQryType": "BETWEEN"}, ["A2", "A3"]),
        ({"FromStatus": "1200", "ToStatus": "3350", "StatusQryType": "BETWEEN"}, ["A2", "A3"]),
        ({"Status": "3700", "StatusQryType": "GE"}, ["A2", "A5"]),
        ({"Status": "1500", "StatusQryType": "LT"}, ["A1", "A4", "B1"]),
        ({"Status": "1100", "StatusQryType": "NE"}, ["A2", "A3", "A5"]),
        ({"MaxOrderStatus": "3700"}, ["A2"]),
        ({"MinOrderStatus": "1500"}, ["A2"]),
    ],
)
def test_status_filters(
    api: Api, orders: dict[str, str], doc: dict[str, Any], expected: list[str], fmt: str
) -> None:
    assert sorted(nos(api("getOrderList", doc, fmt))) == expected


def test_complex_query(api: Api, orders: dict[str, str], fmt: str) -> None:
    doc = {
        "EnterpriseCode": "Matrix-R",
        "ComplexQuery": {
            "Operator": "AND",
            "And": {
                "Or": {
                    "Exp": [
                        {"Name": "EntryType", "Value": "CALL_CENTER", "QryType": "EQ"},
                        {"Name": "OrderNo", "Value": "5", "QryType": "ELIKE"},
                    ]
                }
            },
        },
    }
    assert nos(api("getOrderList", doc, fmt)) == ["A2", "A5"]
    nested = {
        "ComplexQuery": {
            "Operator": "AND",
            "Or": {
                "Exp": {"Name": "OrderNo", "Value": "B1"},
                "And": {
                    "Exp": [
                        {"Name": "EntryType", "Value": "WEB"},
                        {"Name": "OrderDate", "Value": "2025-01-12", "QryType": "GE"},
                    ]
                },
            },
        }
    }
    assert sorted(nos(api("getOrderList", nested, fmt))) == ["A5", "B1"]
    # Operator="OR" joins the complex query with the other filters [DOC]
    either = {
        "OrderNo": "A1",
        "ComplexQuery": {"Operator": "OR", "Or": {"Exp": {"Name": "OrderNo", "Value": "A4"}}},
    }
    assert nos(api("getOrderList", either, fmt)) == ["A1", "A4"]


_EXPRESSIONS = st.one_of(
    st.fixed_dictionaries(
        {
            "Name": st.just("OrderNo"),
            "Value": st.sampled_from(["A1", "A5", "B1", "A", "5", "1", "Z"]),
            "QryType": st.sampled_from(["EQ", "NE", "FLIKE", "LIKE", "ELIKE"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "Name": st.sampled_from(["OrderDate", "Createts"]),
            "Value": st.sampled_from(["2025-01-10", "2025-01-11T12:00:00Z", "2025-01-12", "2025-01-13"]),
            "QryType": st.sampled_from(["EQ", "GE", "GT", "LE", "LT"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "Name": st.sampled_from(["Status", "MaxOrderStatus", "MinOrderStatus"]),
            "Value": st.sampled_from(["1100", "1500", "3200", "3700", "9000"]),
            "QryType": st.sampled_from(["EQ", "NE", "GE", "GT", "LE", "LT"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "Name": st.sampled_from(["EnterpriseCode", "EntryType"]),
            "Value": st.sampled_from(["Matrix-R", "Aurora", "WEB", "STORE"]),
            "QryType": st.sampled_from(["EQ", "NE"]),
        }
    ),
)
_GROUPS = st.recursive(
    st.builds(lambda exps: {"Exp": exps}, st.lists(_EXPRESSIONS, min_size=1, max_size=3)),
    lambda inner: st.builds(
        lambda exps, op, sub: {"Exp": exps, op: sub},
        st.lists(_EXPRESSIONS, max_size=2),
        st.sampled_from(["And", "Or"]),
        inner,
    ),
    max_leaves=4,
)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    group=_GROUPS,
    op=st.sampled_from(["And", "Or"]),
    operator=st.sampled_from(["AND", "OR"]),
    rest=st.sampled_from([{}, {"EnterpriseCode": "Matrix-R"}, {"OrderNo": "B1"}]),
)
def test_a_complex_query_answers_alike_with_and_without_its_sql_prefilter(
    api: Api,
    orders: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    group: dict[str, Any],
    op: str,
    operator: str,
    rest: dict[str, str],
) -> None:
    """The ComplexQuery's SQL prefilter (order_query._group_sql) only narrows what Python then tests."""
    from sterling_mock.mock_server.domain.queries import order_query

    doc = {**rest, "ComplexQuery": {"Operator": operator, op: group}}
    with_sql = api.raw("getOrderList", doc)
    with monkeypatch.context() as patch:
        patch.setattr(order_query, "_group_sql", lambda group: None)
        without = api.raw("getOrderList", doc)
    assert with_sql.status_code == without.status_code
    assert with_sql.status_code != 200 or sorted(nos(with_sql.json)) == sorted(nos(without.json))


def test_order_by_and_maximum_records(api: Api, orders: dict[str, str], fmt: str) -> None:
    doc = {"OrderBy": {"Attribute": [{"Name": "EnterpriseCode"}, {"Name": "OrderDate", "Desc": "Y"}]}}
    assert nos(api("getOrderList", doc, fmt)) == ["B1", "A5", "A4", "A3", "A2", "A1"]
    by_entry = {
        "OrderBy": {"Attribute": [{"Name": "EntryType", "Desc": "Y"}, {"Name": "OrderNo"}]},
        "MaximumRecords": "4",
    }
    out = api("getOrderList", by_entry, fmt)
    assert nos(out) == ["A1", "A3", "A5", "B1"]
    assert (out["TotalOrderList"], out["LastRecordSet"], out["LastOrderHeaderKey"]) == (
        "4",
        "N",
        orders["B1"],
    )


def test_json_booleans_and_numbers_are_accepted(client: Any, orders: dict[str, str]) -> None:
    from tests.conftest import BASIC

    body = {"MaximumRecords": 2, "OrderBy": {"Attribute": {"Name": "OrderNo", "Desc": True}}}
    out = client.post("/smcfs/restapi/invoke/getOrderList", json=body, headers=BASIC).json
    assert [o["OrderNo"] for o in out["Order"]] == ["B1", "A5"]


def test_last_order_header_key_is_a_cursor(api: Api, orders: dict[str, str], fmt: str) -> None:
    seen: list[str] = []
    last = ""
    while True:
        doc = {"MaximumRecords": "4", "OrderHeaderKey": last, "OrderHeaderKeyQryType": "GT" if last else ""}
        out = api("getOrderList", doc, fmt)
        seen += nos(out)
        if out["LastRecordSet"] == "Y":
            break
        last = out["LastOrderHeaderKey"]
    assert seen == ["A1", "A2", "A3", "B1", "A4", "A5"]


def test_default_cap_is_a_setting(orders: dict[str, str], app: Flask, api: Api) -> None:
    fake_of(app).settings.default_max_records = 2
    out = api("getOrderList", {})
    assert (out["TotalOrderList"], out["LastRecordSet"]) == ("2", "N")
    assert api("getOrderList", {"MaximumRecords": "10"})["TotalOrderList"] == "6"


def test_modifyts_poll(app: Flask, api: Api, orders: dict[str, str], fmt: str) -> None:
    at(app, "2025-02-01T10:00:00+00:00")
    set_statuses(app, orders["A1"], [[("1500", "2")]])
    doc = {"FromModifyts": "2025-02-01T09:59:59Z", "ModifytsQryType": "BETWEEN"}
    assert nos(api("getOrderList", doc, fmt)) == ["A1"]
    doc = {"FromModifyts": "20250201", "ToModifyts": "20250201", "ModifytsQryType": "DATERANGE"}
    assert nos(api("getOrderList", doc, fmt)) == ["A1"]
    doc = {"Modifyts": "2025-02-01T05:00:00-05:00", "ModifytsQryType": "GE"}
    assert nos(api("getOrderList", doc, fmt)) == ["A1"]


def test_template_prunes_and_keeps_paging(app: Flask, api: Api, orders: dict[str, str], fmt: str) -> None:
    template = {
        "Order": {
            "OrderNo": "",
            "Modifyts": "",
            "PriceInfo": {"TotalAmount": ""},
            "OrderLines": {"OrderLine": {"PrimeLineNo": "", "Item": {"ItemID": ""}}},
        }
    }
    with fake_of(app).store.write() as tx:
        tx.kv_put("_templates", "listT", template)
    out = api("getOrderList", {"OrderNo": "A2"}, fmt, query="?_templateId=listT")
    assert out["TotalOrderList"] == "1" and out["LastRecordSet"] == "Y"
    only = as_list(out["Order"])[0]
    assert set(only) == {"OrderNo", "Modifyts", "PriceInfo", "OrderLines"}
    assert only["PriceInfo"] == {"TotalAmount": "20.00"}
    lines = as_list(only["OrderLines"]["OrderLine"])
    assert [(ln["PrimeLineNo"], ln["Item"]["ItemID"]) for ln in lines] == [("1", "SKU-2"), ("2", "SKU-3")]


@pytest.mark.parametrize(
    ("doc", "code", "name"),
    [
        ({"OrderNo": "A", "OrderNoQryType": "BAD"}, "MOCK0300", "OrderNoQryType"),
        ({"OrderNo": "A", "OrderNoQryType": "eq"}, "MOCK0300", "OrderNoQryType"),  # case-sensitive
        ({"OrderNo": "A", "OrderNoQryType": "ELIKE"}, "MOCK0300", "OrderNoQryType"),  # complex queries only
        ({"OrderDate": "2025-01-01", "OrderDateQryType": "LIKE"}, "MOCK0300", "OrderDateQryType"),
        ({"FromOrderDate": "27/01/2025", "OrderDateQryType": "BETWEEN"}, "MOCK0102", "FromOrderDate"),
        ({"PriorityNumber": "high"}, "MOCK0301", "PriorityNumber"),
        ({"Status": "Shipped"}, "MOCK0301", "Status"),
        ({"MaximumRecords": "ten"}, "MOCK0301", "MaximumRecords"),
        ({"ComplexQuery": {"And": {"Exp": {"Name": "NoSuchColumn", "Value": "x"}}}}, "MOCK0302", "Exp/@Name"),
        ({"OrderBy": {"Attribute": {"Name": "Nope"}}}, "MOCK0302", "OrderBy/Attribute/@Name"),
        (
            {"ComplexQuery": {"Operator": "XOR", "And": {"Exp": {"Name": "OrderNo", "Value": "x"}}}},
            "MOCK0303",
            "Operator",
        ),
    ],
)
def test_bad_filters(
    api: Api, orders: dict[str, str], doc: dict[str, Any], code: str, name: str, fmt: str
) -> None:
    status, error = api.error("getOrderList", doc, fmt)
    assert (status, error["ErrorCode"]) == (400, code)
    if fmt == "json":
        assert error["MoreInfo"]["Name"] == name
    else:
        attributes = {a["Name"]: a["Value"] for a in as_list(error.get("Attribute"))}
        assert attributes["Name"] == name


def test_read_from_history(api: Api, orders: dict[str, str], fmt: str) -> None:
    assert api("getOrderList", {"ReadFromHistory": "Y"}, fmt)["TotalOrderList"] == "0"
    out = api("getOrderList", {"ReadFromHistory": "B"}, fmt)
    assert (out["TotalOrderList"], out["ReadFromHistory"]) == ("6", "B")


def test_namespaces_are_isolated(api: Api, orders: dict[str, str]) -> None:
    other = api("getOrderList", {}, headers={"X-Sterling-Mock-Namespace": "other"})
    assert other["TotalOrderList"] == "0"


# --------------------------------------------------------------------------------------------- lines


def lines_of(out: dict[str, Any]) -> list[tuple[str, str]]:
    # OrderLine/Order is an array in JSON: the parent's name begins with the child's (reference §2)
    return [
        (as_list(ln["Order"])[0]["OrderNo"], ln["Item"]["ItemID"]) for ln in as_list(out.get("OrderLine"))
    ]


def test_order_line_list(api: Api, orders: dict[str, str], fmt: str) -> None:
    out = api("getOrderLineList", {"Order": {"EnterpriseCode": "Matrix-R"}}, fmt, root="OrderLine")
    assert lines_of(out)[:3] == [("A1", "SKU-1"), ("A2", "SKU-2"), ("A2", "SKU-3")]
    assert (out["TotalLineList"], out["LastRecordSet"]) == ("6", "Y")
    first = as_list(out["OrderLine"])[0]
    assert out["LastOrderLineKey"] == as_list(out["OrderLine"])[-1]["OrderLineKey"]
    assert {"Item", "LinePriceInfo", "OrderStatuses", "Order"} <= set(first)
    out = api("getOrderLineList", {"Item": {"ItemID": "SKU-3"}}, fmt, root="OrderLine")
    assert lines_of(out) == [("A2", "SKU-3")]
    out = api("getOrderLineList", {"Status": "3700"}, fmt, root="OrderLine")
    assert lines_of(out) == [("A2", "SKU-3")]  # line status codes, not the order's
    out = api(
        "getOrderLineList", {"OrderHeaderKey": orders["A2"], "MaximumRecords": "1"}, fmt, root="OrderLine"
    )
    assert (lines_of(out), out["LastRecordSet"], out["TotalLineList"]) == ([("A2", "SKU-2")], "N", "1")
    out = api(
        "getOrderLineList",
        {"OrderBy": {"Attribute": {"Name": "ItemID", "Desc": "Y"}}, "Order": {"EntryType": "CALL_CENTER"}},
        fmt,
        root="OrderLine",
    )
    assert lines_of(out) == [("A2", "SKU-3"), ("A2", "SKU-2")]


def test_order_line_list_bad_filter(api: Api, orders: dict[str, str], fmt: str) -> None:
    _, error = api.error("getOrderLineList", {"OrderedQty": "x"}, fmt, root="OrderLine")
    assert error["ErrorCode"] == "MOCK0301"
