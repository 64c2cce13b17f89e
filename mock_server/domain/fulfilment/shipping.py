"""The shipment model: building a shipment from order lines (their released quantity -> 3350), confirming it
(-> 3700), partial confirmation, and the order changes one shipment call batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sterling_mock.client.wire import Doc, as_list, child
from sterling_mock.mock_server.base.errors import (
    InvalidShipment,
    MandatoryMissing,
    QuantityNotReleased,
    RecordAlreadyExists,
    ShipmentClosed,
    ShipmentNodeConflict,
)
from sterling_mock.mock_server.domain import clock, masterdata, statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.fulfilment import lifecycle
from sterling_mock.mock_server.domain.holds import config as hold_types
from sterling_mock.mock_server.domain.holds import holds
from sterling_mock.mock_server.domain.invoices import invoices
from sterling_mock.mock_server.domain.orders import model, render
from sterling_mock.mock_server.domain.queries.query import present
from sterling_mock.mock_server.store.schema import lifecycle as sql

SHIPMENT_CREATED = "1100"
SHIPMENT_SHIPPED = "1400"
SHIPMENT_CANCELLED = "9000"
OPEN = ("1100", "1300")
#: Changes an active hold blocking shipment refuses.
SHIPPING_CHANGES = ("CREATE_SHIPMENT", "CONFIRM_SHIPMENT")
OUTPUT_KEYS = ("SellerOrganizationCode", "ShipNode", "ShipmentKey", "ShipmentNo")
#: Input attributes that are verbs, keys or derived, never copied onto the stored shipment.
NOT_COPIED = frozenset(
    {
        "ShipmentKey", "Status", "StatusDate", "Action", "ShipComplete", "IgnoreOrdering",
        "OverrideModificationRules", "BackOrderRemovedQuantity", "OrderHeaderKey", "OrderNo", "ReleaseNo",
        "OrderReleaseKey", "DocumentType", "EnterpriseCode", *render.AUDIT_ATTRS,
    }
)  # fmt: skip
DATES = ("ExpectedShipmentDate", "ExpectedDeliveryDate", "RequestedDeliveryDate", "ActualShipmentDate")


@dataclass
class Batch:
    """The orders one call changes: loaded once, saved and audited once each at the end."""

    ctx: Ctx
    orders: dict[str, tuple[Doc, Doc, list[Doc]]] = field(default_factory=dict)

    def order(self, key: str) -> Doc:
        if key not in self.orders:
            order = model.load(self.ctx, {"OrderHeaderKey": key})
            self.orders[key] = (order, lifecycle.snapshot(order), [])
        return self.orders[key][0]

    def touched(self, key: str, line: Doc) -> None:
        lines = self.orders[key][2]
        if all(line is not other for other in lines):
            lines.append(line)

    def commit(self, change: str, doc: Doc) -> None:
        for order, before, lines in self.orders.values():
            if lines and change in SHIPPING_CHANGES:  # a held order or line does not ship (MOCK0700)
                holds.check(self.ctx, order, hold_types.SHIP, lines)
            if lines:
                lifecycle.commit(self.ctx, order, before, [change], lines, doc)


# ------------------------------------------------------------------------------------------ building


def order_key(ctx: Ctx, header: Doc, entry: Doc) -> str:
    """The order of a shipment line: OrderHeaderKey, OrderNo (+EnterpriseCode, DocumentType) on the line or
    the shipment, or the line's OrderLineKey."""
    for source in (entry, header):
        if present(source, "OrderHeaderKey"):
            return model.resolve_key(ctx, {"OrderHeaderKey": source["OrderHeaderKey"]})
    order_no = present(entry, "OrderNo") or present(header, "OrderNo")
    if order_no:
        natural = {
            "OrderNo": order_no,
            "EnterpriseCode": present(entry, "EnterpriseCode") or present(header, "EnterpriseCode") or "",
            "DocumentType": present(entry, "DocumentType") or present(header, "DocumentType") or "0001",
        }
        return model.resolve_key(ctx, natural)
    found = sql.order_of_line(ctx.tx, ctx.ns, present(entry, "OrderLineKey") or "")
    if found is None:
        raise MandatoryMissing(
            "A shipment line needs OrderHeaderKey, OrderNo + EnterpriseCode, or OrderLineKey.",
            attributes={"Name": "OrderHeaderKey"},
        )
    return found


def release_key(ctx: Ctx, order: Doc, entry: Doc) -> str | None:
    key, number = present(entry, "OrderReleaseKey"), present(entry, "ReleaseNo")
    if key is None and number is None:
        return None
    for header in sql.releases_of(ctx.tx, ctx.ns, order["OrderHeaderKey"]):
        if header["OrderReleaseKey"] == key or (key is None and header["ReleaseNo"] == number):
            return str(header["OrderReleaseKey"])
    raise QuantityNotReleased(
        f"Order {order['OrderNo']} has no release {key or number}.",
        attributes={"OrderReleaseKey": key or "", "ReleaseNo": number or ""},
    )


@dataclass
class Pick:
    ohk: str
    line: Doc
    rows: list[Doc]
    amount: Decimal


def _picks(
    ctx: Ctx, batch: Batch, header: Doc, entries: list[Doc], node: str | None
) -> tuple[str, list[Pick]]:
    """The ship node and what each requested line takes — checked before anything moves."""
    picks: list[Pick] = []
    for entry in entries:
        ohk = order_key(ctx, header, entry)
        order = batch.order(ohk)
        line = lifecycle.find_line(order, entry)
        release = release_key(ctx, order, entry) or release_key(ctx, order, header)
        if node is None:
            first = lifecycle.shippable(line, None, release)
            node = str(first[0].get("ShipNode", "")) if first else ""
        rows = lifecycle.shippable(line, node, release)
        available = lifecycle.total(rows)
        anywhere = lifecycle.total(lifecycle.shippable(line, None, release))
        wanted = model.decimal_of(entry, "Quantity", model.qty_text(anywhere), minimum=Decimal(0))
        if wanted == 0 or wanted > available:
            error = ShipmentNodeConflict if anywhere >= wanted > 0 else QuantityNotReleased
            raise error(
                f"Line {line['PrimeLineNo']} of order {order['OrderNo']}: {model.qty_text(wanted)} asked, "
                f"{model.qty_text(available)} released and not in a shipment at node {node or '(none)'}.",
                attributes={
                    "OrderLineKey": line["OrderLineKey"],
                    "ShipNode": node or "",
                    "Quantity": str(wanted),
                },
            )
        picks.append(Pick(ohk, line, rows, wanted))
    return node or "", picks


def copied(doc: Doc) -> Doc:
    out = {k: v for k, v in doc.items() if isinstance(v, str) and v != "" and k not in NOT_COPIED}
    for name in DATES:
        if name in out:
            out[name] = clock.normalise_datetime(out[name], attribute=name)
    return out


def build(ctx: Ctx, batch: Batch, doc: Doc, entries: list[Doc]) -> Doc:
    """Create one shipment from ``entries`` (shipment lines): its order quantity -> 3350 Included In Shipment."""
    given_node = present(doc, "ShipNode")
    if given_node:
        masterdata.check_node(ctx, given_node, shipment=True)
    node, picks = _picks(ctx, batch, doc, entries, given_node)
    first = batch.order(picks[0].ohk)
    seller = present(doc, "SellerOrganizationCode") or str(first.get("SellerOrganizationCode", ""))
    masterdata.check_organization(ctx, seller, "SellerOrganizationCode")
    number = present(doc, "ShipmentNo") or str(ctx.tx.next_value(ctx.ns, "shipment_no", 100000001))
    if any(n == node and s == seller for _, n, s in sql.shipment_keys_by_no(ctx.tx, ctx.ns, number)):
        raise RecordAlreadyExists(
            f"Shipment {number} exists at {node} for {seller}.",
            attributes={"ShipmentNo": number, "ShipNode": node, "SellerOrganizationCode": seller},
        )
    key = ctx.new_key()
    shipment = _header(ctx, doc, first, key, number, node, seller)
    lines = []
    for index, pick in enumerate(picks, start=1):
        release = str(pick.rows[0].get("OrderReleaseKey", ""))
        lifecycle.take(ctx, pick.line, pick.rows, pick.amount, statuses.INCLUDED_IN_SHIPMENT, ShipmentKey=key)
        batch.touched(pick.ohk, pick.line)
        lines.append(_shipment_line(ctx, batch.order(pick.ohk), pick, release, index))
    shipment["ShipmentLines"] = {"ShipmentLine": lines}
    sql.put_shipment(ctx.tx, ctx.ns, shipment, sorted({p.ohk for p in picks}))
    return shipment


def _header(ctx: Ctx, doc: Doc, order: Doc, key: str, number: str, node: str, seller: str) -> Doc:
    shipment: Doc = {
        "EnterpriseCode": str(order["EnterpriseCode"]),
        "DocumentType": str(order["DocumentType"]),
        "BuyerOrganizationCode": str(order.get("BuyerOrganizationCode", "")),
        **copied(doc),
        "ShipmentKey": key,
        "ShipmentNo": number,
        "ShipNode": node,
        "SellerOrganizationCode": seller,
        "OrderHeaderKey": str(order["OrderHeaderKey"]),
        "OrderNo": str(order["OrderNo"]),
        "Status": SHIPMENT_CREATED,
        "StatusDate": ctx.stamp(),
        "Createts": ctx.stamp(),
        "Createuserid": ctx.user,
    }
    address = child(doc, "ToAddress") or order.get("PersonInfoShipTo")
    if isinstance(address, dict):
        shipment["ToAddress"] = {k: v for k, v in address.items() if isinstance(v, str) and v != ""}
    modified(ctx, shipment)
    return shipment


def _shipment_line(ctx: Ctx, order: Doc, pick: Pick, release: str, index: int) -> Doc:
    item = pick.line.get("Item") or {}
    header = sql.get_release(ctx.tx, ctx.ns, release) if release else None
    return {
        "ShipmentLineKey": ctx.new_key(),
        "ShipmentLineNo": str(index),
        "OrderHeaderKey": pick.ohk,
        "OrderLineKey": str(pick.line["OrderLineKey"]),
        "OrderReleaseKey": release,
        "ReleaseNo": str(header["ReleaseNo"]) if header else "",
        "OrderNo": str(order["OrderNo"]),
        "DocumentType": str(order["DocumentType"]),
        "PrimeLineNo": str(pick.line["PrimeLineNo"]),
        "SubLineNo": str(pick.line["SubLineNo"]),
        "ItemID": str(item.get("ItemID", "")),
        "UnitOfMeasure": str(item.get("UnitOfMeasure", "")),
        "ProductClass": str(item.get("ProductClass", "")),
        "Quantity": model.qty_text(pick.amount),
    }


def modified(ctx: Ctx, shipment: Doc) -> None:
    shipment["Modifyts"] = ctx.stamp()
    shipment["Modifyuserid"] = ctx.user


def entries(doc: Doc) -> list[Doc]:
    wrapper = child(doc, "ShipmentLines")
    return as_list(wrapper.get("ShipmentLine") if wrapper else None)


def by_node(ctx: Ctx, batch: Batch, doc: Doc) -> dict[str, list[Doc]]:
    """Every released line of the order named by ``doc`` (optionally one release), grouped by ship node."""
    ohk = model.resolve_key(ctx, doc)
    order = batch.order(ohk)
    release = release_key(ctx, order, doc)
    groups: dict[str, list[Doc]] = {}
    for line in model.lines_of(order):
        for node in dict.fromkeys(
            str(r.get("ShipNode", "")) for r in lifecycle.shippable(line, None, release)
        ):
            amount = lifecycle.total(lifecycle.shippable(line, node, release))
            entry = {"OrderHeaderKey": ohk, "OrderLineKey": line["OrderLineKey"], "Quantity": str(amount)}
            if release:
                entry["OrderReleaseKey"] = release
            groups.setdefault(node, []).append(entry)
    return groups


def find_shipment(ctx: Ctx, doc: Doc, *, required: bool) -> Doc | None:
    key = present(doc, "ShipmentKey")
    number = present(doc, "ShipmentNo")
    if key is None and number is not None:
        node, seller = present(doc, "ShipNode"), present(doc, "SellerOrganizationCode")
        found = [
            k
            for k, n, s in sql.shipment_keys_by_no(ctx.tx, ctx.ns, number)
            if (node is None or n == node) and (seller is None or s == seller)
        ]
        if len(found) > 1:
            raise InvalidShipment(
                f"Several shipments are numbered {number}: give ShipNode and SellerOrganizationCode.",
                attributes={"ShipmentNo": number},
            )
        key = found[0] if found else None
        if key is None and (not required or entries(doc)):
            return None
    if key is None:
        if required:
            raise MandatoryMissing(
                "Give ShipmentKey, or ShipmentNo + ShipNode + SellerOrganizationCode.",
                attributes={"Name": "ShipmentKey"},
            )
        return None
    shipment = sql.get_shipment(ctx.tx, ctx.ns, key)
    if shipment is None:
        raise InvalidShipment(
            f"No shipment {key}.", attributes={"ShipmentKey": key, "ShipmentNo": number or ""}
        )
    return shipment


def _reduce(ctx: Ctx, batch: Batch, shipment: Doc, given: list[Doc], backorder: bool) -> None:
    """Confirm with smaller line quantities: the difference leaves the shipment, back to 3200 Released
    (or to 1300 Backordered with ``BackOrderRemovedQuantity="Y"``)."""
    for entry in given:
        wanted = present(entry, "Quantity")
        line_doc = next(
            (s for s in as_list(shipment["ShipmentLines"].get("ShipmentLine")) if _same(s, entry)), None
        )
        if wanted is None or line_doc is None:
            continue
        amount = model.decimal_of(entry, "Quantity", minimum=Decimal(0))
        current = Decimal(line_doc["Quantity"])
        if amount > current:
            raise QuantityNotReleased(
                f"Shipment line {line_doc['ShipmentLineNo']} holds {line_doc['Quantity']}, not {wanted}.",
                attributes={"ShipmentLineKey": line_doc["ShipmentLineKey"], "Quantity": wanted},
            )
        order = batch.order(line_doc["OrderHeaderKey"])
        line = lifecycle.find_line(order, {"OrderLineKey": line_doc["OrderLineKey"]})
        rows = lifecycle.in_shipment(line, shipment["ShipmentKey"])
        if backorder:
            lifecycle.take(ctx, line, rows, current - amount, statuses.BACKORDERED, ShipmentKey=None,
                           OrderReleaseKey=None)  # fmt: skip
        else:
            lifecycle.take(ctx, line, rows, current - amount, statuses.RELEASED, ShipmentKey=None)
        batch.touched(line_doc["OrderHeaderKey"], line)
        line_doc["Quantity"] = model.qty_text(amount)


def _same(line_doc: Doc, entry: Doc) -> bool:
    for name in ("ShipmentLineKey", "OrderLineKey"):
        if present(entry, name):
            return bool(line_doc.get(name) == entry[name])
    return bool(
        line_doc.get("PrimeLineNo") == present(entry, "PrimeLineNo")
        and line_doc.get("SubLineNo") == (present(entry, "SubLineNo") or "1")
        and (present(entry, "OrderNo") is None or line_doc.get("OrderNo") == entry["OrderNo"])
    )


def confirm(ctx: Ctx, batch: Batch, shipment: Doc, doc: Doc) -> None:
    """An open shipment's quantity -> 3700 Shipped; the shipment -> 1400 with the call's tracking details."""
    if shipment["Status"] not in OPEN:
        raise ShipmentClosed(
            f"Shipment {shipment['ShipmentNo']} is at {shipment['Status']}.",
            attributes={"ShipmentKey": shipment["ShipmentKey"], "Status": shipment["Status"]},
        )
    _reduce(ctx, batch, shipment, entries(doc), present(doc, "BackOrderRemovedQuantity") == "Y")
    for line_doc in as_list(shipment["ShipmentLines"].get("ShipmentLine")):
        order = batch.order(line_doc["OrderHeaderKey"])
        line = lifecycle.find_line(order, {"OrderLineKey": line_doc["OrderLineKey"]})
        rows = lifecycle.in_shipment(line, shipment["ShipmentKey"])
        lifecycle.take(ctx, line, rows, lifecycle.total(rows), statuses.SHIPPED)
        batch.touched(line_doc["OrderHeaderKey"], line)
    lines = [s for s in as_list(shipment["ShipmentLines"].get("ShipmentLine")) if Decimal(s["Quantity"]) > 0]
    shipment.update(copied({k: v for k, v in doc.items() if k not in ("ShipNode", "ShipmentNo")}))
    shipment["ShipmentLines"] = {"ShipmentLine": lines}
    shipment.setdefault("ActualShipmentDate", ctx.stamp())
    shipment.update(Status=SHIPMENT_SHIPPED, StatusDate=ctx.stamp())
    modified(ctx, shipment)
    sql.put_shipment(ctx.tx, ctx.ns, shipment, [])
    if ctx.settings.invoice_on_shipment:  # Sterling's shipment-invoice agent, run at once
        invoices.shipment_invoices(ctx, {k: v[0] for k, v in batch.orders.items()}, shipment)


def confirm_order_shipments(ctx: Ctx, batch: Batch, doc: Doc) -> Doc:
    if not (present(doc, "OrderHeaderKey") or present(doc, "OrderNo")):
        raise MandatoryMissing(
            "Give ShipmentKey, ShipmentNo, ShipmentLines, or the order (OrderHeaderKey or OrderNo).",
            attributes={"Name": "ShipmentKey"},
        )
    ohk = model.resolve_key(ctx, doc)
    release = release_key(ctx, batch.order(ohk), doc)
    done: list[Doc] = []
    for shipment in sql.shipments_of_order(ctx.tx, ctx.ns, ohk):
        lines = as_list(shipment["ShipmentLines"].get("ShipmentLine"))
        if shipment["Status"] in OPEN and (
            release is None or any(s["OrderReleaseKey"] == release for s in lines)
        ):
            confirm(ctx, batch, shipment, header_only(doc))
            done.append(shipment)
    for node, entries in by_node(ctx, batch, doc).items():
        created = build(ctx, batch, {**header_only(doc), "ShipNode": node}, entries)
        confirm(ctx, batch, created, header_only(doc))
        done.append(created)
    if not done:
        raise QuantityNotReleased(
            f"Order {batch.order(ohk)['OrderNo']} has no released quantity to ship.",
            attributes={"OrderHeaderKey": ohk},
        )
    return done[0]


def header_only(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if isinstance(v, str) and k not in ("ShipNode", "ShipmentNo")}


def shipment_view(ctx: Ctx, shipment: Doc) -> Doc:
    """A stored shipment as the list and detail APIs answer it: quantities in the instance's format."""
    pipeline = ctx.pipelines.get(statuses.SHIPMENT)
    out = dict(shipment)
    out["StatusDescription"] = pipeline.describe(str(shipment.get("Status", "")))
    lines = []
    for line in as_list((shipment.get("ShipmentLines") or {}).get("ShipmentLine")):
        lines.append({**line, "Quantity": render.qty(str(line.get("Quantity", "0")), ctx.settings)})
    out["ShipmentLines"] = {"ShipmentLine": lines} if lines else {}
    return out


def cancel(ctx: Ctx, batch: Batch, shipment: Doc) -> None:
    """An open shipment's quantity back to 3200 Released (out of the shipment); the shipment -> 9000."""
    if shipment["Status"] not in OPEN:
        raise ShipmentClosed(
            f"Shipment {shipment['ShipmentNo']} has shipped and cannot be cancelled.",
            attributes={"ShipmentKey": shipment["ShipmentKey"], "Status": shipment["Status"]},
        )
    for line_doc in as_list(shipment["ShipmentLines"].get("ShipmentLine")):
        order = batch.order(line_doc["OrderHeaderKey"])
        line = lifecycle.find_line(order, {"OrderLineKey": line_doc["OrderLineKey"]})
        rows = lifecycle.in_shipment(line, shipment["ShipmentKey"])
        lifecycle.take(ctx, line, rows, lifecycle.total(rows), statuses.RELEASED, ShipmentKey=None)
        batch.touched(line_doc["OrderHeaderKey"], line)
    shipment.update(Status=SHIPMENT_CANCELLED, StatusDate=ctx.stamp())
