"""List queries (reference §9): QryTypes by data type, From/To ranges, ComplexQuery, OrderBy and
MaximumRecords, compiled once from an input document and evaluated on flat attribute views.

``compile_query(doc, fields)`` is what every list API uses; ``fields`` maps each filterable attribute to its
data type: ``text``, ``number``, ``date``, ``datetime`` or ``status`` (dotted status codes, compared segment
by segment).  Attributes of the input that are not in ``fields`` are ignored, as Sterling ignores input
attributes that map to no column; a ComplexQuery ``Exp`` or an ``OrderBy`` naming no field is an error.
A view value may be a list (an order's status codes, its lines' item ids): the condition then holds when
any value satisfies it, as a SQL join would.  Date-only comparisons (``DATERANGE``, the ``date`` type) use
the UTC calendar date.  SQL push-down for orders lives in ``order_query.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import (
    InvalidComplexQuery,
    InvalidFilterValue,
    InvalidQryType,
    SterlingError,
    UnknownQueryAttribute,
)
from sterling_mock.mock_server.domain import clock, statuses

TYPES = ("text", "number", "date", "datetime", "status")
_ORDERED = frozenset({"BETWEEN", "EQ", "GE", "GT", "LE", "LT", "NE"})
#: QryTypes by data type, case sensitive (reference §9).  ``DATERANGE`` is also accepted on date-times:
#: IBM's own examples query ``OrderDate`` (a date-time column) with it [DOC].
QRY_TYPES: dict[str, frozenset[str]] = {
    "text": frozenset({"EQ", "FLIKE", "LIKE", "GT", "LT", "NE"}),
    "number": _ORDERED,
    "date": frozenset({"DATERANGE", "BETWEEN", "EQ", "GE", "GT", "LE", "LT", "NE"}),
    "datetime": _ORDERED | {"DATERANGE"},
    "status": _ORDERED,
}
#: ``ELIKE`` (ends with) exists only inside a ComplexQuery [DOC].
COMPLEX_EXTRA = {"text": frozenset({"ELIKE"})}
_STATUS_CODE = re.compile(r"^\d+(\.\d+)*$")


def present(doc: Mapping[str, Any], name: str) -> str | None:
    value = doc.get(name)
    return value if isinstance(value, str) and value != "" else None


# ----------------------------------------------------------------------------------------------- values


def normalise(dtype: str, raw: str, attribute: str) -> Any:
    """A filter value in its comparable form, or a Sterling error naming the attribute."""
    if dtype == "number":
        try:
            value = Decimal(raw.strip())
            if not value.is_finite():
                raise InvalidOperation
            return value
        except InvalidOperation:
            raise InvalidFilterValue(
                f"{attribute}={raw!r} is not a number.", attributes={"Name": attribute, "Value": raw}
            ) from None
    if dtype == "datetime":
        return clock.column_value(clock.parse_datetime(raw, attribute=attribute))
    if dtype == "date":
        return clock.parse_date_only(raw, attribute=attribute).isoformat()
    if dtype == "status":
        if not _STATUS_CODE.match(raw.strip()):
            raise InvalidFilterValue(
                f"{attribute}={raw!r} is not a status code.", attributes={"Name": attribute, "Value": raw}
            )
        return statuses.sort_key(raw.strip())
    return raw


@lru_cache(maxsize=65536)
def _view_value(dtype: str, raw: str) -> Any:
    try:
        return normalise(dtype, raw, "")
    except SterlingError:
        return None


def view_value(dtype: str, raw: Any) -> Any:
    """A stored value in comparable form (None when absent or unreadable: it matches nothing but NE)."""
    if not isinstance(raw, str) or raw == "":
        return None
    return raw if dtype == "text" else _view_value(dtype, raw)


def _day_bounds(raw: str, attribute: str) -> tuple[str, str]:
    """[start of the UTC day, start of the next day) in column form."""
    day = clock.parse_date_only(raw, attribute=attribute)
    start = clock.parse_datetime(day.isoformat())
    return clock.column_value(start), clock.column_value(start + timedelta(days=1))


# ----------------------------------------------------------------------------------------------- conditions


@dataclass
class Cond:
    """One comparison: ``op`` is EQ NE GT GE LT LE FLIKE LIKE ELIKE, or RANGE (``lo``/``hi``)."""

    attr: str
    dtype: str
    op: str
    value: Any = None
    lo: Any = None
    hi: Any = None
    hi_inclusive: bool = True

    def test_one(self, v: Any) -> bool:
        if v is None:
            return False
        op = self.op
        if op == "EQ":
            return bool(v == self.value)
        if op == "NE":
            return bool(v != self.value)
        if op == "RANGE":
            if self.lo is not None and v < self.lo:
                return False
            return self.hi is None or (v <= self.hi if self.hi_inclusive else v < self.hi)
        if op == "GT":
            return bool(v > self.value)
        if op == "GE":
            return bool(v >= self.value)
        if op == "LT":
            return bool(v < self.value)
        if op == "LE":
            return bool(v <= self.value)
        if op == "FLIKE":
            return str(v).startswith(self.value)
        if op == "LIKE":
            return self.value in str(v)
        return str(v).endswith(self.value)  # ELIKE

    def test(self, view: Mapping[str, Any]) -> bool:
        raw = view.get(self.attr)
        if isinstance(raw, list):
            return any(self.test_one(view_value(self.dtype, item)) for item in raw)
        value = view_value(self.dtype, raw)
        if value is None and self.op == "NE":
            return True  # SQL would drop NULLs; Sterling stores ' ' for unset columns, which is NE anything
        return self.test_one(value)


@dataclass
class Group:
    op: str  # AND | OR
    items: list[Cond | Group] = field(default_factory=list)

    def test(self, view: Mapping[str, Any]) -> bool:
        if self.op == "AND":
            return all(item.test(view) for item in self.items)
        return any(item.test(view) for item in self.items) if self.items else True


def _check_qry(dtype: str, qry: str, attribute: str, *, complex_query: bool = False) -> None:
    allowed = QRY_TYPES[dtype] | (COMPLEX_EXTRA.get(dtype, frozenset()) if complex_query else frozenset())
    if qry not in allowed:
        raise InvalidQryType(
            f"{attribute}QryType={qry!r} is not valid for a {dtype} attribute; "
            f"use one of {', '.join(sorted(allowed))}.",
            attributes={"Name": attribute + "QryType", "Value": qry},
        )


def attribute_conditions(doc: Mapping[str, Any], attr: str, dtype: str) -> list[Cond]:
    """The conditions of one attribute: ``Attr`` with ``AttrQryType``, ``FromAttr``/``ToAttr``."""
    value = present(doc, attr)
    qry = present(doc, attr + "QryType")
    lo_raw, hi_raw = present(doc, "From" + attr), present(doc, "To" + attr)
    if qry is not None:
        _check_qry(dtype, qry, attr)
    conds: list[Cond] = []
    if lo_raw is not None or hi_raw is not None:
        conds.append(_range(attr, dtype, qry, lo_raw, hi_raw))
    if value is not None and (qry not in ("BETWEEN", "DATERANGE") or not conds):
        conds.append(_single(attr, dtype, qry or "EQ", value))
    return conds


def _range(attr: str, dtype: str, qry: str | None, lo_raw: str | None, hi_raw: str | None) -> Cond:
    if qry == "DATERANGE" and dtype == "datetime":
        lo = _day_bounds(lo_raw, "From" + attr)[0] if lo_raw else None
        hi = _day_bounds(hi_raw, "To" + attr)[1] if hi_raw else None
        return Cond(attr, dtype, "RANGE", lo=lo, hi=hi, hi_inclusive=False)
    lo = normalise(dtype, lo_raw, "From" + attr) if lo_raw else None
    hi = normalise(dtype, hi_raw, "To" + attr) if hi_raw else None
    return Cond(attr, dtype, "RANGE", lo=lo, hi=hi)


def _single(attr: str, dtype: str, qry: str, raw: str) -> Cond:
    if qry in ("BETWEEN", "DATERANGE"):
        qry = "EQ"  # a range QryType with a single value and no From/To: the value itself
    if qry in ("FLIKE", "LIKE", "ELIKE"):
        return Cond(attr, dtype, qry, value=raw)
    return Cond(attr, dtype, qry, value=normalise(dtype, raw, attr))


# ----------------------------------------------------------------------------------------------- ComplexQuery


def _expression(exp: Doc, fields: Mapping[str, str]) -> Cond:
    name = present(exp, "Name")
    if name is None or name not in fields:
        raise UnknownQueryAttribute(
            f"ComplexQuery Exp Name={name or ''!r} names no column of this list.",
            attributes={"Name": "Exp/@Name", "Value": name or ""},
        )
    dtype = fields[name]
    qry = present(exp, "QryType") or present(exp, name + "QryType") or "EQ"
    _check_qry(dtype, qry, name, complex_query=True)
    raw = exp.get("Value")
    if not isinstance(raw, str):
        raise InvalidComplexQuery(f"Exp {name} has no Value.", attributes={"Name": name})
    return _single(name, dtype, qry, raw)


def _group(op: str, node: Doc, fields: Mapping[str, str]) -> Group:
    group = Group(op)
    for key, value in node.items():
        if key == "Exp":
            group.items.extend(_expression(exp, fields) for exp in as_list(value))
        elif key in ("And", "Or"):
            group.items.extend(_group(key.upper(), sub, fields) for sub in as_list(value))
        elif not isinstance(value, str):
            raise InvalidComplexQuery(
                f"<{key}> is not allowed in a ComplexQuery; use And, Or and Exp.", attributes={"Name": key}
            )
    return group


def complex_query(node: Any, fields: Mapping[str, str]) -> tuple[str, Group] | None:
    """(how it joins the other filters, the expression).  ``Operator`` joins it with the rest of the input,
    which is itself an implied AND [DOC: "Defining complex queries"]."""
    if not isinstance(node, dict):
        return None
    operator = (present(node, "Operator") or "AND").upper()
    if operator not in ("AND", "OR"):
        raise InvalidComplexQuery(
            f"ComplexQuery Operator={operator!r}: use AND or OR.",
            attributes={"Name": "Operator", "Value": operator},
        )
    group = _group("AND", node, fields)
    return (operator, group) if group.items else None


# ----------------------------------------------------------------------------------------------- the query


@dataclass
class CompiledQuery:
    """Filters (ANDed), an optional ComplexQuery, OrderBy and MaximumRecords of one list input."""

    fields: Mapping[str, str]
    conditions: list[Cond] = field(default_factory=list)
    complex: Group | None = None
    complex_operator: str = "AND"
    order_by: list[tuple[str, bool]] = field(default_factory=list)
    max_records: int | None = None
    #: Extra predicates a list adds (child elements, joins); ANDed with ``conditions``.
    extra: list[Callable[[Mapping[str, Any]], bool]] = field(default_factory=list)
    #: Queries of child elements (``OrderLine``, ``Item``) a list compiled into ``extra``, for push-down.
    children: dict[str, CompiledQuery] = field(default_factory=dict)

    def pushable(self) -> list[Cond]:
        """Conditions that may be evaluated alone (by SQL): none when the ComplexQuery is ORed in."""
        return [] if self.complex is not None and self.complex_operator == "OR" else list(self.conditions)

    def needs_rows(self, skip: frozenset[int]) -> bool:
        """Whether ``matches`` has anything left to test once the ``skip`` conditions hold (SQL did them)."""
        return bool(self.extra) or self.complex is not None or any(id(c) not in skip for c in self.conditions)

    def matches(self, view: Mapping[str, Any], *, skip: frozenset[int] = frozenset()) -> bool:
        """Does the flat view pass every filter (conditions whose ``id`` is in ``skip`` are known to hold)?"""
        if not all(check(view) for check in self.extra):
            return False
        rest = all(c.test(view) for c in self.conditions if id(c) not in skip)
        if self.complex is None:
            return rest
        if self.complex_operator == "OR" and self.conditions:
            return rest or self.complex.test(view)
        return rest and self.complex.test(view)

    def sort(
        self, views: list[Any], *, key_of: Callable[[Any], Mapping[str, Any]] = lambda v: v
    ) -> list[Any]:
        """Stable sort by the OrderBy attributes (missing values first), each ascending or descending."""
        result = list(views)
        for index in range(len(self.order_by) - 1, -1, -1):
            attr, desc = self.order_by[index]
            dtype = self.fields[attr]

            def one(item: Any, attr: str = attr, dtype: str = dtype) -> tuple[int, Any]:
                value = view_value(dtype, key_of(item).get(attr))
                return (0, "") if value is None else (1, value)

            result.sort(key=one, reverse=desc)
        return result


def order_by(doc: Mapping[str, Any], fields: Mapping[str, str]) -> list[tuple[str, bool]]:
    node = doc.get("OrderBy")
    out = []
    for attribute in as_list(node.get("Attribute") if isinstance(node, dict) else None):
        name = present(attribute, "Name")
        if name is None or name not in fields:
            raise UnknownQueryAttribute(
                f"OrderBy Attribute Name={name or ''!r} names no column of this list.",
                attributes={"Name": "OrderBy/Attribute/@Name", "Value": name or ""},
            )
        out.append((name, str(attribute.get("Desc", "N")).upper() in ("Y", "TRUE")))
    return out


def max_records(doc: Mapping[str, Any]) -> int | None:
    raw = present(doc, "MaximumRecords")
    if raw is None:
        return None
    try:
        number = Decimal(raw.strip())
        if not number.is_finite():
            raise InvalidOperation
        # Clamped before int(): int(Decimal("1e999999")) alone costs a worker 40 s of CPU.
        value = int(max(min(number, Decimal(2**31 - 1)), Decimal(-1)))
    except (InvalidOperation, ValueError):
        raise InvalidFilterValue(
            f"MaximumRecords={raw!r} is not a number.", attributes={"Name": "MaximumRecords", "Value": raw}
        ) from None
    if value < 0:
        raise InvalidFilterValue(
            f"MaximumRecords={raw!r} must not be negative.",
            attributes={"Name": "MaximumRecords", "Value": raw},
        )
    return value or None  # 0: the installation's default cap


def _named(input_doc: Doc) -> set[str]:
    """Every attribute a key of the input may give conditions to: the key itself, and the key without its
    ``QryType`` suffix or ``From``/``To`` prefix (a superset: ``attribute_conditions`` decides)."""
    names: set[str] = set()
    for key in input_doc:
        names.add(key)
        if key.endswith("QryType"):
            names.add(key[:-7])
        if key.startswith("From"):
            names.add(key[4:])
        elif key.startswith("To"):
            names.add(key[2:])
    return names


def compile_query(input_doc: Doc, fields: dict[str, str]) -> CompiledQuery:
    """Compile a list API's input; raises a SterlingError naming the attribute for a bad QryType or value."""
    for name, dtype in fields.items():
        if dtype not in TYPES:
            raise ValueError(f"field {name}: unknown data type {dtype}")
    query = CompiledQuery(fields)
    named = _named(input_doc)
    for attr, dtype in fields.items():
        if attr in named:  # an attribute the input does not name has no conditions
            query.conditions.extend(attribute_conditions(input_doc, attr, dtype))
    found = complex_query(input_doc.get("ComplexQuery"), fields)
    if found is not None:
        query.complex_operator, query.complex = found
    query.order_by = order_by(input_doc, fields)
    query.max_records = max_records(input_doc)
    return query
