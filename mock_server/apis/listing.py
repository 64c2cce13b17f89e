"""One way to answer a list API over stored documents (holds, invoices, receipts, alerts): filter with the
list query language (reference §9), sort, cap at MaximumRecords, and add the paging attributes of the
``<Entity>List`` roots (reference §14: ``LastRecordSet``, ``Last<Entity>Key``, ``Total<Entity>List``)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.fulfilment import list_doc
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.queries.query import compile_query


def answer(ctx: Ctx, doc: Doc, fields: dict[str, str], item: str, key: str, views: list[Doc]) -> Output:
    """``<item>List`` of the ``views`` the input's filters select."""
    query = compile_query(doc, fields)
    found = query.sort([v for v in views if query.matches(v)])
    limit = query.max_records or ctx.settings.default_max_records
    more = len(found) > limit
    found = found[:limit]
    root = item + "List"
    attrs = {
        "LastRecordSet": "N" if more else "Y",
        f"Last{key}": str(found[-1].get(key, "")) if found else "",
        f"Total{root}": str(len(found)),
    }
    return Output(root, list_doc(ctx, root, item, found, attrs))
