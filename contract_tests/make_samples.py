"""Writes ``fixtures/samples``: one input and one output document per API, in XML and JSON, taken from a
scripted order walk against a target (the fake with a frozen clock, or ``STERLING_URL``).

``python -m contract_tests.make_samples [--out DIR]``; the same run on the fake gives the same files.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import requests

import sterling_mock.fixtures as fx
from sterling_mock.client.wire import Doc, to_jsonable, to_xml
from sterling_mock.fixtures.validate import OUTPUT_SCHEMAS, errors_document

from .samples_catalogue import run_catalogue
from .sterling import INPUT_ROOTS, ApiError, Sterling
from .target import FakeServer, Target, from_environment

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
NAMESPACE = "samples"
FROZEN_AT = "2025-01-27T10:17:09+00:00"


def write(out: Path, name: str, root: str, doc: Doc) -> None:
    """``<name>.xml`` (indented, attributes in ASCII order) and ``<name>.json`` (Sterling's mapping, indented)."""
    (out / f"{name}.xml").write_bytes(to_xml(root, doc, indent="  ") + b"\n")
    text = json.dumps(to_jsonable(root, doc), indent=2, ensure_ascii=False)
    (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")


class Walk:
    """Runs APIs and keeps each one's first input and output."""

    def __init__(self, sterling: Sterling, out: Path) -> None:
        self.sterling = sterling
        self.out = out
        self.done: set[str] = set()

    def __call__(self, api: str, doc: Doc) -> Doc:
        result = self.sterling.invoke(api, doc)
        if api not in self.done:
            self.done.add(api)
            write(self.out, f"{api}.input", INPUT_ROOTS[api], doc)
            if result:  # a void API answers 204 and no document over REST
                shown = {**result, "UserToken": "0" * 48} if "UserToken" in result else result
                write(self.out, f"{api}.output", OUTPUT_SCHEMAS[api][1], shown)
        return result

    def error(self, name: str, api: str, doc: Doc) -> None:
        """An error answer, saved as the ``<Errors>`` document (XML) and the REST envelope (JSON)."""
        try:
            self.sterling.invoke(api, doc)
        except ApiError:
            response = self.sterling.exchanges[-1].response_body
            data = json.loads(response)
            data["errors"][0]["ErrorUniqueExceptionId"] = "0123456789abcdef0123"
            (self.out / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            (self.out / f"{name}.xml").write_bytes(
                to_xml("Errors", errors_document(data), indent="  ") + b"\n"
            )
            return
        raise RuntimeError(f"{api} did not fail")


def run(walk: Walk) -> None:
    """The scripted walk: create, read, change, fulfil, ship, list, page, audit, delete."""
    faker = fx.sterling_faker(2025)
    order = fx.create_order_input(faker, lines=2, OrderNo="Y100000331", EnterpriseCode="Matrix-R")
    for line in order["OrderLines"]["OrderLine"]:
        line["ShipNode"] = "DC_EAST"
    walk("login", fx.login_input())
    key = walk("createOrder", order)["OrderHeaderKey"]
    walk("getOrderDetails", fx.get_order_details_input(key))
    walk(
        "getOrderList",
        fx.get_order_list_input(order_by=("OrderDate", True), max_records=10, EnterpriseCode="Matrix-R"),
    )
    walk("getOrderLineList", fx.get_order_line_list_input(key))
    walk("changeOrder", fx.change_order_input(key, CustomerPONo="PO-CHANGED"))
    audits = walk("getOrderAuditList", fx.get_order_audit_list_input(key))
    walk("getOrderAuditDetails", {"OrderAuditKey": audits["LastOrderAuditKey"]})
    walk("scheduleOrder", fx.schedule_order_input(key))
    walk("releaseOrder", fx.release_order_input(key))
    walk("getOrderReleaseList", fx.get_order_release_list_input(key))
    walk(
        "changeOrderStatus", fx.change_order_status_input(key, lines=[{"PrimeLineNo": "2", "Quantity": "1"}])
    )
    shipment = walk("createShipment", fx.create_shipment_input(key))
    walk("changeShipment", {"ShipmentKey": shipment["ShipmentKey"], "TrackingNo": faker.tracking_no()})
    walk("confirmShipment", fx.confirm_shipment_input(shipment["ShipmentKey"], faker))
    walk("getShipmentDetails", {"ShipmentKey": shipment["ShipmentKey"]})
    walk("getShipmentList", fx.get_shipment_list_input(ShipNode="DC_EAST"))
    walk("getShipmentListForOrder", fx.get_shipment_list_for_order_input(key))
    run_catalogue(walk, key)  # issue 23
    template = ("Order", {"OrderNo": "", "Status": "", "MaxOrderStatus": ""})
    walk(
        "multiApi",
        fx.multi_api_input(fx.api_call("getOrderDetails", "Order", {"OrderHeaderKey": key}, template)),
    )
    list_template = ("OrderList", {"Order": {"OrderNo": "", "OrderHeaderKey": "", "Status": ""}})
    walk("getPage", fx.get_page_input(page_size=5, template=list_template))
    draft = fx.create_order_input(
        faker, lines=1, OrderNo="Y100000332", EnterpriseCode="Matrix-R", DraftOrderFlag="Y"
    )
    walk("deleteOrder", {"OrderHeaderKey": walk.sterling.invoke("createOrder", draft)["OrderHeaderKey"]})
    walk.error("error", "getOrderDetails", fx.get_order_details_input("20250127101709000000999"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=SAMPLES)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    real = from_environment()
    server = None if real else FakeServer(Path(tempfile.mkdtemp(prefix="samples-")))
    try:
        target: Target = real or server.target()  # type: ignore[union-attr]
        if server is not None:
            headers = {"X-Sterling-Mock-Namespace": NAMESPACE}
            for body in ({"set": FROZEN_AT}, {"freeze": True}):
                requests.post(
                    server.url + "/_fake/clock", json=body, headers=headers, timeout=10
                ).raise_for_status()
        sterling = Sterling(target, NAMESPACE if server else "", "json")
        run(Walk(sterling, args.out))
    finally:
        if server is not None:
            server.stop()
    print(f"samples written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
