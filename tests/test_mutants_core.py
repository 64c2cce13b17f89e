"""Fast tests of the core's rules, function by function, written to kill the mutants `make mutate` found alive
(and run by `make mutate-check`): the JSON array rule (a child named like its parent is an object), QryType
comparisons at their boundaries, status codes of different widths (3200.9 < 3200.10).  The same rules through
HTTP, on the SQL and the Python path of getOrderList, are in tests/test_mutants.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sterling_mock.client.wire import (
    WireError,
    as_list,
    from_json,
    from_jsonable,
    from_xml,
    is_list_child,
    to_json,
    to_jsonable,
    to_xml,
)
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.queries.query import compile_query

Doc = dict[str, Any]
FIELDS = {"Name": "text", "Qty": "number", "When": "datetime", "Day": "date", "Status": "status"}


# ------------------------------------------------------------------------------------------ the JSON array rule


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        ("Order", "Order", False),  # named like its parent: an object
        ("Extn", "Extn", False),
        ("OrderList", "Order", True),  # the parent's name starts with the child's: an array
        ("OrderAudit", "Order", True),
        ("Orders", "Order", True),
        ("Order", "OrderList", False),  # the other way round: an object
        ("ShipmentLines", "ShipmentLine", True),
        ("Shipment", "ShipmentLines", False),
        ("Modifications", "Modification", True),
        ("Order", "Modification", True),  # always an array, whatever its parent
    ],
)
def test_is_list_child(parent: str, child: str, expected: bool) -> None:
    assert is_list_child(parent, child) is expected


def test_a_child_named_like_its_parent_is_an_object_in_json() -> None:
    doc = {"Extn": {"ExtnA": "1", "Extn": {"ExtnB": "2"}}}
    assert json.loads(to_json("Order", doc)) == {"Extn": {"ExtnA": "1", "Extn": {"ExtnB": "2"}}}
    assert to_jsonable("Order", {"Order": {"OrderNo": "1"}}) == {"Order": {"OrderNo": "1"}}
    # and one repeated child named like its parent stays an array of the items given
    both = to_jsonable("Order", {"Order": [{"OrderNo": "1"}, {"OrderNo": "2"}]})
    assert both == {"Order": [{"OrderNo": "1"}, {"OrderNo": "2"}]}


def test_single_list_children_are_arrays_and_values_strings() -> None:
    out = to_jsonable(
        "OrderList", {"TotalOrderList": "1", "Order": {"OrderNo": "1", "PriceInfo": {"A": "2"}}}
    )
    assert out == {"TotalOrderList": "1", "Order": [{"OrderNo": "1", "PriceInfo": {"A": "2"}}]}
    one_item_list = to_jsonable("Order", {"PriceInfo": [{"A": "2"}]})
    assert one_item_list == {"PriceInfo": {"A": "2"}}  # a list of one, not a list child: an object
    assert to_jsonable("Order", {"A": None, "B": 3}) == {"B": "3"}  # None is left out, others become strings


def test_items_of_a_repeated_element_are_mapped_under_their_own_name() -> None:
    """Two OrderLines elements: each one's OrderLine children follow the rule for OrderLines, not Order."""
    doc = {"OrderLines": [{"OrderLine": {"PrimeLineNo": "1"}}, {"OrderLine": {"PrimeLineNo": "2"}}]}
    assert to_jsonable("Order", doc) == {
        "OrderLines": [{"OrderLine": [{"PrimeLineNo": "1"}]}, {"OrderLine": [{"PrimeLineNo": "2"}]}]
    }


def test_json_and_xml_read_alike() -> None:
    text = '{"OrderNo":"1","OrderLines":{"OrderLine":[{"PrimeLineNo":"1"}]},"Flag":true,"Qty":2}'
    doc = from_json(text)
    assert doc == {
        "OrderNo": "1",
        "OrderLines": {"OrderLine": [{"PrimeLineNo": "1"}]},
        "Flag": "Y",
        "Qty": "2",
    }
    root, again = from_xml(to_xml("Order", doc))
    assert root == "Order"
    assert again["OrderNo"] == "1" and as_list(again["OrderLines"]["OrderLine"]) == [{"PrimeLineNo": "1"}]


# ------------------------------------------------------------------------------------------ status widths


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ("3200.9", "3200.10"),
        ("3200", "3200.1"),
        ("3200.10", "3350"),
        ("3700.01", "3700.02"),
        ("3700.02", "3900"),
        ("999", "1000"),
        ("1100", "1500"),
    ],
)
def test_status_codes_order_segment_by_segment(low: str, high: str) -> None:
    assert statuses.sort_key(low) < statuses.sort_key(high)
    assert statuses.min_max([(high, 1), (low, 2)]) == (low, high)


def test_sort_key_and_base_of_written_out() -> None:
    assert statuses.sort_key("3200.10") == "00003200.00000010"
    assert statuses.sort_key("3200.9") == "00003200.00000009"
    assert statuses.sort_key("x") == "00000000"
    assert statuses.base_of("3200.10") == "3200" and statuses.base_of("3700.01.5") == "3700"
    assert statuses.is_code("3200.10") and not statuses.is_code("3200.") and not statuses.is_code("")


def test_min_max_rules_written_out() -> None:
    assert statuses.min_max([]) == ("1100", "1100")
    assert statuses.min_max([("3700", 0), ("1500", 1)]) == ("1500", "1500")  # no quantity, no status
    assert statuses.min_max([("9000", 2), ("1100", 1)]) == ("1100", "1100")  # cancelled counts only alone
    assert statuses.min_max([("9000", 2)]) == ("9000", "9000")
    pipeline = statuses.Pipelines.default().get("0001")
    assert statuses.status_text(pipeline, "3200", "3700") == "Partially Shipped"
    assert statuses.status_text(pipeline, "3700", "3700") == "Shipped"
    assert statuses.status_text(pipeline, "3200.10", "3200.10") == "3200.10"  # undescribed: the code


def test_moves_between_sub_statuses_and_their_base() -> None:
    pipeline = statuses.Pipelines.default().get("0001")
    assert pipeline.allows("3200", "3200.10") and pipeline.allows("3200.10", "3200.9")
    assert pipeline.allows("3200.10", "3700")  # a sub-status moves as its base does
    assert not pipeline.allows("3200.10", "3200.10") and not pipeline.allows("9000", "1100")
    assert not pipeline.allows("3700", "1100")
    assert pipeline.codes()[:3] == ["1000", "1100", "1200"] and pipeline.codes()[-1] == "9000"


# ------------------------------------------------------------------------------------------ QryType comparisons


def matching(doc: Doc, views: list[Doc]) -> list[str]:
    query = compile_query(doc, FIELDS)
    return [str(v["Name"]) for v in views if query.matches(v)]


NUMBERS = [{"Name": "one", "Qty": "1"}, {"Name": "two", "Qty": "2.0"}, {"Name": "ten", "Qty": "10"}]


@pytest.mark.parametrize(
    ("qry", "expected"),
    [
        ("EQ", ["two"]),
        ("NE", ["one", "ten"]),
        ("GT", ["ten"]),
        ("GE", ["two", "ten"]),
        ("LT", ["one"]),
        ("LE", ["one", "two"]),
    ],
)
def test_number_boundaries_compare_as_numbers(qry: str, expected: list[str]) -> None:
    assert matching({"Qty": "2", "QtyQryType": qry}, NUMBERS) == expected  # 10 > 2 (not "10" < "2")


STAMPS = [
    {"Name": "early", "When": "2025-05-01T09:00:00+00:00"},
    {"Name": "exact", "When": "2025-05-02T09:00:00+00:00"},
    {"Name": "late", "When": "2025-05-03T09:00:00+00:00"},
]


@pytest.mark.parametrize(
    ("qry", "expected"),
    [("GE", ["exact", "late"]), ("GT", ["late"]), ("LE", ["early", "exact"]), ("LT", ["early"])],
)
def test_datetime_boundaries_whatever_the_offset(qry: str, expected: list[str]) -> None:
    assert matching({"When": "2025-05-02T11:00:00+02:00", "WhenQryType": qry}, STAMPS) == expected


def test_ranges_include_both_ends() -> None:
    assert matching({"FromQty": "2", "ToQty": "10", "QtyQryType": "BETWEEN"}, NUMBERS) == ["two", "ten"]
    assert matching({"FromQty": "2", "QtyQryType": "BETWEEN"}, NUMBERS) == ["two", "ten"]
    assert matching({"ToQty": "2", "QtyQryType": "BETWEEN"}, NUMBERS) == ["one", "two"]
    assert matching({"FromQty": "2", "ToQty": "10"}, NUMBERS) == ["two", "ten"]  # From/To alone: a range
    assert matching({"ToQty": "1"}, NUMBERS) == ["one"]
    days = {"FromWhen": "2025-05-02", "ToWhen": "2025-05-02", "WhenQryType": "DATERANGE"}
    assert matching(days, STAMPS) == ["exact"]  # the whole day, the next one excluded
    edges = [
        {"Name": "first instant", "When": "2025-05-02T00:00:00+00:00"},
        {"Name": "last second", "When": "2025-05-02T23:59:59+00:00"},
        {"Name": "next midnight", "When": "2025-05-03T00:00:00+00:00"},
    ]
    assert matching(days, edges) == ["first instant", "last second"]
    assert matching({"FromWhen": "2025-05-02T09:00:00Z", "ToWhen": "2025-05-03T09:00:00Z"}, STAMPS) == [
        "exact",
        "late",
    ]


def test_text_qry_types() -> None:
    views = [{"Name": "alpha"}, {"Name": "alphabet"}, {"Name": "beta"}]
    assert matching({"Name": "alpha", "NameQryType": "FLIKE"}, views) == ["alpha", "alphabet"]
    assert matching({"Name": "ph", "NameQryType": "LIKE"}, views) == ["alpha", "alphabet"]
    assert matching({"Name": "alpha"}, views) == ["alpha"]  # EQ by default
    assert matching({"Name": "alpha", "NameQryType": "GT"}, views) == ["alphabet", "beta"]
    assert matching({"Name": "beta", "NameQryType": "LT"}, views) == ["alpha", "alphabet"]
    ends = {"ComplexQuery": {"And": {"Exp": {"Name": "Name", "Value": "bet", "QryType": "ELIKE"}}}}
    assert matching(ends, views) == ["alphabet"]


def test_status_boundaries_segment_by_segment() -> None:
    views = [{"Name": n, "Status": n} for n in ("3200", "3200.9", "3200.10", "3350")]
    assert matching({"Status": "3200.9", "StatusQryType": "GT"}, views) == ["3200.10", "3350"]
    assert matching({"Status": "3200.10", "StatusQryType": "LE"}, views) == ["3200", "3200.9", "3200.10"]
    assert matching({"FromStatus": "3200.9", "ToStatus": "3200.10", "StatusQryType": "BETWEEN"}, views) == [
        "3200.9",
        "3200.10",
    ]


def test_missing_values_match_only_ne_and_lists_match_any() -> None:
    views = [{"Name": "none"}, {"Name": "many", "Qty": ["1", "5"]}]
    assert matching({"Qty": "5"}, views) == ["many"]
    assert matching({"Qty": "1", "QtyQryType": "NE"}, views) == ["none", "many"]  # 5 differs from 1
    assert matching({"Qty": "3", "QtyQryType": "GT"}, views) == ["many"]


def test_or_groups_and_empty_groups() -> None:
    either = {
        "ComplexQuery": {
            "Operator": "OR",
            "Or": {"Exp": [{"Name": "Qty", "Value": "1"}, {"Name": "Qty", "Value": "10"}]},
        }
    }
    assert matching(either, NUMBERS) == ["one", "ten"]
    both = {
        "ComplexQuery": {
            "And": {
                "Exp": [
                    {"Name": "Qty", "Value": "1", "QryType": "GE"},
                    {"Name": "Qty", "Value": "2", "QryType": "LE"},
                ]
            }
        }
    }
    assert matching(both, NUMBERS) == ["one", "two"]


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ({"Qty": "x"}, "MOCK0301"),
        ({"Name": "a", "NameQryType": "GE"}, "MOCK0300"),
        ({"Qty": "1", "QtyQryType": "FLIKE"}, "MOCK0300"),
        ({"Status": "12a"}, "MOCK0301"),
        ({"Qty": "Infinity"}, "MOCK0301"),
    ],
)
def test_bad_values_and_qry_types_are_refused(doc: Doc, code: str) -> None:
    with pytest.raises(SterlingError) as raised:
        compile_query(doc, FIELDS)
    assert raised.value.code == code


# ------------------------------------------------------------------------------------------ errors, written out


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (b"", "empty", "The request body is empty."),
        (b"  ", "empty", "The request body is empty."),
        (b"[1]", "type", "A Sterling JSON document must be an object."),
        (b'{"": "x"}', "type", "Empty attribute or element name in the input document."),
        (b'{"Lines": [1]}', "type", "Element 'Lines' must hold objects, not int."),
    ],
)
def test_json_refusals_name_their_kind(body: bytes, kind: str, message: str) -> None:
    with pytest.raises(WireError) as raised:
        from_json(body)
    assert (raised.value.kind, raised.value.message, str(raised.value)) == (kind, message, message)


def test_json_malformed_and_depth_limits() -> None:
    with pytest.raises(WireError) as raised:
        from_json(b'{"a": ')
    assert raised.value.kind == "malformed" and raised.value.message.startswith(
        "The input is not valid JSON: "
    )
    nested: Doc = {"A": "1"}
    for _ in range(4):
        nested = {"E": nested}
    assert from_jsonable(nested, max_depth=5)["E"]["E"]["E"]["E"] == {"A": "1"}  # 5 levels: at the limit
    with pytest.raises(WireError) as too_deep:
        from_jsonable(nested, max_depth=4)
    assert (too_deep.value.kind, too_deep.value.message) == (
        "depth",
        "The document is nested deeper than 4 levels.",
    )
    in_a_list = {"L": [{"M": [{"N": "1"}]}]}
    assert from_jsonable(in_a_list, max_depth=3) == in_a_list
    with pytest.raises(WireError, match="deeper than 2 levels"):
        from_jsonable(in_a_list, max_depth=2)
    assert from_json('{"A": null, "B": 1.0, "C": 1.5, "D": false}') == {"B": "1", "C": "1.5", "D": "N"}


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (b"", "empty", "The request body is empty."),
        (
            b"<!DOCTYPE a><a/>",
            "doctype",
            "DOCTYPE and entity declarations are not allowed in an input document.",
        ),
        (
            b'<!entity x "y"><a/>',
            "doctype",
            "DOCTYPE and entity declarations are not allowed in an input document.",
        ),
    ],
)
def test_xml_refusals_name_their_kind(body: bytes, kind: str, message: str) -> None:
    with pytest.raises(WireError) as raised:
        from_xml(body)
    assert (raised.value.kind, raised.value.message) == (kind, message)


def test_xml_malformed_depth_namespaces_and_text() -> None:
    with pytest.raises(WireError) as raised:
        from_xml(b"<a><b></a>")
    assert raised.value.kind == "malformed" and raised.value.message.startswith(
        "The input is not well-formed XML: "
    )
    assert from_xml(b"<a><b><c X='1'/></b></a>", max_depth=3)[1] == {"b": {"c": {"X": "1"}}}
    with pytest.raises(WireError) as too_deep:
        from_xml(b"<a><b><c X='1'/></b></a>", max_depth=2)
    assert (too_deep.value.kind, too_deep.value.message) == (
        "depth",
        "The document is nested deeper than 2 levels.",
    )
    namespaced = b'<Order xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="t" OrderNo="1"/>'
    assert from_xml(namespaced) == ("Order", {"OrderNo": "1"})
    assert from_xml(b"<Note>  hello  </Note>")[1] == {"#text": "hello"}
    assert from_xml(b"<Note A='1'><!-- c --><B/></Note>")[1] == {"A": "1", "B": {}}
    # repeated children become a list; an attribute and a child of the same name: the child wins
    assert from_xml(b"<Order><Note N='1'/><Note N='2'/><Note N='3'/></Order>")[1] == {
        "Note": [{"N": "1"}, {"N": "2"}, {"N": "3"}]
    }
    assert from_xml(b"<Order Extn='x'><Extn A='1'/></Order>")[1] == {"Extn": {"A": "1"}}


# ------------------------------------------------------------------------------------------ query errors


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"MaximumRecords": "5"}, 5),
        ({"MaximumRecords": " 7 "}, 7),
        ({"MaximumRecords": "2.9"}, 2),
        ({"MaximumRecords": "0"}, None),
        ({"MaximumRecords": ""}, None),
        ({}, None),
        ({"MaximumRecords": "1e999999"}, 2**31 - 1),
    ],
)
def test_maximum_records(doc: Doc, expected: int | None) -> None:
    assert compile_query(doc, FIELDS).max_records == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("many", "MaximumRecords='many' is not a number."),
        ("NaN", "MaximumRecords='NaN' is not a number."),
        ("-1", "MaximumRecords='-1' must not be negative."),
    ],
)
def test_maximum_records_refused(raw: str, message: str) -> None:
    with pytest.raises(SterlingError) as raised:
        compile_query({"MaximumRecords": raw}, FIELDS)
    assert raised.value.code == "MOCK0301"
    assert raised.value.more_info == message
    assert raised.value.attributes == {"Name": "MaximumRecords", "Value": raw}


def test_order_by_and_complex_query_refusals() -> None:
    query = compile_query(
        {"OrderBy": {"Attribute": [{"Name": "Qty", "Desc": "true"}, {"Name": "Name"}]}}, FIELDS
    )
    assert query.order_by == [("Qty", True), ("Name", False)]
    views = [{"Name": "b", "Qty": "1"}, {"Name": "a", "Qty": "1"}, {"Name": "c", "Qty": "9"}, {"Name": "d"}]
    assert [v["Name"] for v in query.sort(views)] == [
        "c",
        "a",
        "b",
        "d",
    ]  # missing values last when descending
    with pytest.raises(SterlingError) as unknown:
        compile_query({"OrderBy": {"Attribute": {"Name": "Nope"}}}, FIELDS)
    assert unknown.value.attributes == {"Name": "OrderBy/Attribute/@Name", "Value": "Nope"}
    with pytest.raises(SterlingError) as no_name:
        compile_query({"ComplexQuery": {"And": {"Exp": {"Value": "1"}}}}, FIELDS)
    assert no_name.value.attributes == {"Name": "Exp/@Name", "Value": ""}
    with pytest.raises(SterlingError) as no_value:
        compile_query({"ComplexQuery": {"And": {"Exp": {"Name": "Qty"}}}}, FIELDS)
    assert (no_value.value.code, no_value.value.attributes) == ("MOCK0303", {"Name": "Qty"})
    with pytest.raises(SterlingError) as operator:
        compile_query(
            {"ComplexQuery": {"Operator": "XOR", "And": {"Exp": {"Name": "Qty", "Value": "1"}}}}, FIELDS
        )
    assert operator.value.attributes == {"Name": "Operator", "Value": "XOR"}
    with pytest.raises(SterlingError) as child:
        compile_query({"ComplexQuery": {"Not": {"Exp": {"Name": "Qty", "Value": "1"}}}}, FIELDS)
    assert child.value.attributes == {"Name": "Not"}
    lower = compile_query(
        {"ComplexQuery": {"Operator": "or", "Or": {"Exp": {"Name": "Qty", "Value": "1"}}}}, FIELDS
    )
    assert lower.complex_operator == "OR"
    assert compile_query({"ComplexQuery": {"Operator": "AND"}}, FIELDS).complex is None  # empty: no filter
    with pytest.raises(ValueError, match="field X: unknown data type blob"):
        compile_query({}, {"X": "blob"})


# ------------------------------------------------------------------------------------------ pipeline files


def test_pipeline_configuration_forms() -> None:
    flat = statuses.Pipelines.configure({"0001": {"3700.0005": "Order Delivered"}}).get("0001")
    assert flat.describe("3700.0005") == "Order Delivered" and flat.describe("3700") == "Shipped"
    assert flat.allows("3700", "3900")  # the default moves are kept
    full = statuses.Pipelines.configure(
        {"0001": {"statuses": {"3200.10": "Ready For Ship"}, "moves": {"3700": ["3700.0005"]}}}
    ).get("0001")
    assert full.describe("3200.10") == "Ready For Ship"
    assert full.moves["3700"] == ("3700.01", "3900", "3700.0005")  # added after the defaults, once
    replaced = statuses.Pipelines.configure(
        {"0001": {"statuses": {"1100": "New", "9000": "Gone"}, "moves": {"1100": ["9000"]}, "replace": True}}
    ).get("0001")
    assert (replaced.descriptions, replaced.moves) == ({"1100": "New", "9000": "Gone"}, {"1100": ("9000",)})
    new_type = statuses.Pipelines.configure({"0007": {"1100": "Created here"}})
    assert new_type.get("0007").describe("1100") == "Created here"
    assert (
        new_type.get("0007").describe("3700") == "Shipped"
    )  # a new document type starts from the sales order's
    assert new_type.get("0099") is new_type.get("0001")  # unknown types read the sales order's
    assert statuses.Pipelines.default().get("SHIPMENT").describe("1400") == "Shipment Shipped"
    assert statuses.Pipelines.default().get("0003").allows("3200", "3700.01")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "pipeline configuration: expected an object keyed by document type"),
        ({"0001": []}, "pipeline configuration 0001: expected an object"),
        ({"0001": {"statuses": []}}, "pipeline configuration 0001: statuses must be an object"),
        ({"0001": {"37x": "Bad"}}, "pipeline configuration 0001: '37x' is not a status code"),
        ({"0001": {"moves": []}}, "pipeline configuration 0001: moves must be an object"),
        (
            {"0001": {"moves": {"3700": "3900"}}},
            "pipeline configuration 0001: moves['3700'] must list status codes",
        ),
        (
            {"0001": {"moves": {"3700": ["x"]}}},
            "pipeline configuration 0001: moves['3700'] must list status codes",
        ),
    ],
)
def test_pipeline_configuration_refusals(config: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        statuses.Pipelines.configure(config)
    assert str(raised.value) == message


def test_pipeline_file(tmp_path: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"0001": {"3200.10": "Ready"}}')
    assert statuses.Pipelines.from_file(path).get("0001").describe("3200.10") == "Ready"
    path.write_text("{")
    with pytest.raises(ValueError, match=r"^pipeline file .*p\.json: "):
        statuses.Pipelines.from_file(path)
