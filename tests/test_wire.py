"""The codec (client/wire.py): Sterling's JSON mapping and XML rules, checked against literal expectations."""

from __future__ import annotations

import json

import pytest

from sterling_mock.client.wire import WireError, as_list, from_json, from_xml, is_list_child, to_json, to_xml


def test_xml_output_is_compact_with_declaration_and_sorted_attributes() -> None:
    doc = {
        "OrderNo": "Y1",
        "DocumentType": "0001",
        "EnterpriseCode": "E",
        "PriceInfo": {"TotalAmount": "1.00"},
    }
    assert to_xml("Order", doc) == (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Order DocumentType="0001" EnterpriseCode="E" OrderNo="Y1"><PriceInfo TotalAmount="1.00"/></Order>'
    )


def test_xml_escapes_attribute_values() -> None:
    out = to_xml("Note", {"NoteText": 'a<b>&"c"\nd'})
    assert out.endswith(b'<Note NoteText="a&lt;b&gt;&amp;&quot;c&quot;&#10;d"/>')
    assert from_xml(out)[1] == {"NoteText": 'a<b>&"c"\nd'}


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        ("OrderList", "Order", True),
        ("OrderLines", "OrderLine", True),
        ("Notes", "Note", True),
        ("OrderStatuses", "OrderStatus", True),
        ("PaymentMethods", "PaymentMethod", True),
        ("Order", "PriceInfo", False),
        ("Output", "Order", False),
        ("MultiApi", "API", False),
        ("AllowedModifications", "Modification", True),
    ],
)
def test_single_child_rule(parent: str, child: str, expected: bool) -> None:
    assert is_list_child(parent, child) is expected


def test_json_drops_root_and_applies_single_child_rule() -> None:
    doc = {
        "TotalOrderList": "1",
        "LastRecordSet": "Y",
        "Order": [{"OrderNo": "Y1", "PriceInfo": {"Currency": "USD"}, "Notes": {"Note": {"NoteText": "x"}}}],
    }
    assert json.loads(to_json("OrderList", doc)) == {
        "TotalOrderList": "1",
        "LastRecordSet": "Y",
        "Order": [
            {"OrderNo": "Y1", "PriceInfo": {"Currency": "USD"}, "Notes": {"Note": [{"NoteText": "x"}]}}
        ],
    }


def test_json_empty_wrapper_is_object_and_count_only_wrapper_keeps_count() -> None:
    body = json.loads(to_json("Order", {"HeaderCharges": {}, "Notes": {"NumberOfNotes": "0"}}))
    assert body == {"HeaderCharges": {}, "Notes": {"NumberOfNotes": "0"}}


def test_json_wrapper_child_keeps_its_name() -> None:
    doc = {"PageNumber": "1", "Output": {"OrderList": {"Order": [{"OrderNo": "1"}]}}}
    assert json.loads(to_json("Page", doc)) == {
        "PageNumber": "1",
        "Output": {"OrderList": {"Order": [{"OrderNo": "1"}]}},
    }


def test_single_api_under_multiapi_is_an_object() -> None:
    assert json.loads(to_json("MultiApi", {"API": [{"Name": "x"}]})) == {"API": {"Name": "x"}}


def test_json_input_numbers_and_booleans_become_strings() -> None:
    doc = from_json(b'{"PageNumber": 1, "Rate": 2.5, "Whole": 3.0, "Desc": true, "No": false, "Skip": null}')
    assert doc == {"PageNumber": "1", "Rate": "2.5", "Whole": "3", "Desc": "Y", "No": "N"}


def test_xml_input_single_child_rule_and_namespaces() -> None:
    raw = (
        b'<tns:Order xmlns:tns="urn:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="urn:x y" ExtnChannel="web" EnterpriseCode="E">'
        b'<OrderLines><OrderLine PrimeLineNo="1"/></OrderLines><PriceInfo Currency="USD"/></tns:Order>'
    )
    root, doc = from_xml(raw)
    assert root == "Order"
    assert doc == {
        "ExtnChannel": "web",
        "EnterpriseCode": "E",
        "OrderLines": {"OrderLine": [{"PrimeLineNo": "1"}]},
        "PriceInfo": {"Currency": "USD"},
    }


@pytest.mark.parametrize(
    "raw",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Order A="&a;"/>',
        b'<!DOCTYPE Order SYSTEM "http://127.0.0.1:1/evil.dtd"><Order/>',
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><l>&lol2;</l>',
    ],
)
def test_doctype_and_entities_are_refused(raw: bytes) -> None:
    with pytest.raises(WireError) as info:
        from_xml(raw)
    assert info.value.kind == "doctype"


@pytest.mark.parametrize("raw", [b"<Order", b"", b"   ", b"not xml", b"<a></b>"])
def test_malformed_xml(raw: bytes) -> None:
    with pytest.raises(WireError):
        from_xml(raw)


@pytest.mark.parametrize("raw", [b"{", b"[]", b'"x"', b'{"A": [1, 2]}', b"", b'{"": "x"}'])
def test_malformed_json(raw: bytes) -> None:
    with pytest.raises(WireError):
        from_json(raw)


def test_depth_limit() -> None:
    deep = b"<a>" * 80 + b"</a>" * 80
    with pytest.raises(WireError) as info:
        from_xml(deep, max_depth=64)
    assert info.value.kind == "depth"
    nested: dict[str, object] = {}
    node = nested
    for _ in range(80):
        node["A"] = {}
        node = node["A"]  # type: ignore[assignment]
    with pytest.raises(WireError):
        from_json(json.dumps(nested), max_depth=64)


def test_round_trip_xml_json() -> None:
    doc = {"A": "1", "Lines": {"Line": [{"N": "1"}, {"N": "2"}]}, "Info": {"X": "y"}}
    assert from_xml(to_xml("Root", doc))[1] == doc
    assert from_json(to_json("Root", doc)) == doc


def test_as_list() -> None:
    assert as_list(None) == []
    assert as_list({"a": "1"}) == [{"a": "1"}]
    assert as_list([{"a": "1"}, {"b": "2"}]) == [{"a": "1"}, {"b": "2"}]


def test_pretty_printed_errors_document() -> None:
    out = to_xml(
        "Errors", {"Error": [{"ErrorCode": "X", "Attribute": [{"Name": "a", "Value": "b"}]}]}, indent="    "
    )
    assert out.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Errors>\n    <Error ErrorCode="X">\n        <Attribute Name="a" Value="b"/>\n    </Error>\n</Errors>'
    )
