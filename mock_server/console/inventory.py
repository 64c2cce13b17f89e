"""The console's inventory page (issue 24): supply, future supply, demand, reserved and available quantity per
item and node, with the backordered quantity that waits for each item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, request

from sterling_mock.mock_server.console import bp, fake, namespace, page
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.inventory import supply

#: Items shown at most (the first by ItemID, or those starting with the filter).
MAX_ITEMS = 200


def _rows(ctx: Ctx, prefix: str) -> tuple[list[dict[str, Any]], bool]:
    items = sorted({r["item_id"] for r in supply.rows_of(ctx) if r["item_id"].startswith(prefix)})
    rows: list[dict[str, Any]] = supply.availability(ctx, items[:MAX_ITEMS])
    for row in rows:
        row["empty"] = Decimal(row["Available"]) <= 0
    return rows, len(items) > MAX_ITEMS


@bp.get("/inventory")
def inventory_page() -> Response:
    ns = namespace()
    prefix = (request.args.get("item") or "").strip()
    runtime = fake()
    with runtime.store.read() as tx:
        ctx = Ctx(tx=tx, ns=ns, user="console", settings=runtime.settings, pipelines=runtime.pipelines)
        rows, more = _rows(ctx, prefix)
        strict = supply.strict(ctx)
    return page("inventory.html", ns=ns, rows=rows, more=more, prefix=prefix, strict=strict, limit=MAX_ITEMS)
