"""Control routes for the catalogue (issue 23): replace or extend a namespace's items and customers.

``PUT /_fake/catalogue`` ``{"items": [Item...], "customers": [Customer...], "replace": false}``: the documents
have manageItem's and manageCustomer's shapes; ``replace: true`` drops the namespace's current items (or
customers, for whichever list is given) first.  ``GET /_fake/catalogue`` counts them.  A reset brings the
defaults back.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.control import ControlError, body, bp, fake, invalid, json_response, namespace
from sterling_mock.mock_server.domain.catalog import customers, items
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.store.tx import Tx

LIMIT = 200_000


def _ctx(tx: Tx, ns: str) -> Ctx:
    runtime = fake()
    return Ctx(
        tx=tx, ns=ns, user="control", settings=runtime.settings, pipelines=runtime.pipelines, api="catalogue"
    )


def _documents(data: dict[str, Any], name: str) -> list[Doc] | None:
    given = data.get(name)
    if given is None:
        return None
    if not isinstance(given, list) or len(given) > LIMIT or not all(isinstance(d, dict) for d in given):
        raise invalid(name, f"must be a list of at most {LIMIT} objects")
    return given


def _counts(ctx: Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {"namespace": ctx.ns}
    for kind in (records.ITEMS, records.CUSTOMERS):
        out[kind.name] = records.count(ctx, kind)
        out[kind.name + "_changed"] = records.stored(ctx, kind)
    return out


@bp.get("/catalogue")
def get_catalogue() -> Response:
    """``{"namespace", "items", "customers", "items_changed", "customers_changed"}``."""
    ns = namespace()
    with fake().store.read() as tx:
        return json_response(_counts(_ctx(tx, ns)))


@bp.put("/catalogue")
def put_catalogue() -> Response:
    """Replace or extend the namespace's items and customers; every document is checked before any is written."""
    data = body()
    ns = namespace(data)
    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        raise invalid("replace", "must be true or false")
    given_items, given_customers = _documents(data, "items"), _documents(data, "customers")
    if given_items is None and given_customers is None:
        raise invalid("items", "give items, customers or both")
    with fake().store.write(ns=ns) as tx:
        ctx = _ctx(tx, ns)
        try:
            built_items = [_item(ctx, doc) for doc in given_items or []]
            built_customers = [_customer(ctx, doc) for doc in given_customers or []]
        except SterlingError as exc:
            raise ControlError(400, "INVALID_DOCUMENT", f"{exc.error_code}: {exc.more_info}") from None
        if given_items is not None:
            records.replace(ctx, records.ITEMS, built_items, keep=not replace)
        if given_customers is not None:
            records.replace(ctx, records.CUSTOMERS, built_customers, keep=not replace)
        return json_response(_counts(ctx))


def _item(ctx: Ctx, doc: Doc) -> Doc:
    _, _, _, uom = items.check(doc)
    return items.merged(None, doc, ctx.new_key(), uom)  # keys are the fake's: a given one could collide


def _customer(ctx: Ctx, doc: Doc) -> Doc:
    customers.check(doc)
    customer_id = str(doc.get("CustomerID") or "")
    if not customer_id or not doc.get("OrganizationCode"):
        raise ControlError(400, "INVALID_DOCUMENT", "every customer needs CustomerID and OrganizationCode")
    return customers.merged(None, doc, ctx.new_key(), customer_id, ctx.new_key)
