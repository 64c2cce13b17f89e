"""Writes the ``fixtures/samples`` of the holds, cancellation, payments, invoices, returns and alerts APIs
(issue 25): a scripted walk on the fake, in process, with a frozen clock and shipment invoicing off (so
createOrderInvoice has something to invoice).  ``python -m contract_tests.make_samples_aftercare [--out DIR]``;
the same run gives the same files but for the milliseconds inside keys.  (``make_samples`` writes the others;
it needs a server, this one does not.)
"""

from __future__ import annotations

import argparse
import base64
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sterling_mock.fixtures as fx
from sterling_mock.client.client import INPUT_ROOTS
from sterling_mock.client.wire import Doc, from_json, to_json
from sterling_mock.fixtures.validate import OUTPUT_SCHEMAS
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app

from .make_samples import FROZEN_AT, SAMPLES, write

BASIC = {"Authorization": "Basic " + base64.b64encode(b"admin:password").decode()}


class Walk:
    def __init__(self, out: Path) -> None:
        self.client = create_app(
            Settings(db=":memory:", demo_orders=0, invoice_on_shipment=False)
        ).test_client()
        for body in ({"set": FROZEN_AT}, {"freeze": True}):
            assert self.client.post("/_fake/clock", json=body).status_code == 200
        self.out = out

    def call(self, api: str, doc: Doc, *, save: bool = False) -> Doc:
        root = INPUT_ROOTS[api]
        headers = {**BASIC, "Content-Type": "application/json", "Accept": "application/json"}
        response = self.client.post(f"/smcfs/restapi/invoke/{api}", data=to_json(root, doc), headers=headers)
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{api}: {response.status_code} {response.data[:500]!r}")
        result = from_json(response.data) if response.data else {}
        if save:
            write(self.out, f"{api}.input", root, doc)
            write(self.out, f"{api}.output", OUTPUT_SCHEMAS[api][1], result)
        return result


def run(walk: Walk) -> None:
    faker = fx.sterling_faker(2025)
    order: dict[str, Any] = fx.create_order_input(
        faker, lines=2, OrderNo="Y100000401", EnterpriseCode="Matrix-R"
    )
    order["PaymentMethods"]["PaymentMethod"][0].update(CreditCardNo="4111111111111111", ChargeSequence="1")
    order["OrderHoldTypes"] = {"OrderHoldType": [{"HoldType": "FRAUD_HOLD", "ReasonText": "Score above 90"}]}
    key = walk.call("createOrder", order)["OrderHeaderKey"]
    walk.call("getOrderHoldTypeList", {"OrderHeaderKey": key}, save=True)
    walk.call("getHoldTypeList", {"OrganizationCode": "Matrix-R"}, save=True)
    resolve = {"HoldType": "FRAUD_HOLD", "Status": "1300", "ReasonText": "Reviewed"}
    walk.call("changeOrder", {"OrderHeaderKey": key, "OrderHoldTypes": {"OrderHoldType": [resolve]}})
    walk.call("processOrderPayments", {"OrderHeaderKey": key}, save=True)
    for api in ("scheduleOrder", "releaseOrder"):
        walk.call(api, {"OrderHeaderKey": key})
    walk.call("confirmShipment", {"OrderHeaderKey": key})
    invoice = walk.call("createOrderInvoice", {"OrderHeaderKey": key, "InvoiceType": "ORDER"}, save=True)
    walk.call("getOrderInvoiceList", {"OrderHeaderKey": key}, save=True)
    walk.call("getOrderInvoiceDetails", {"OrderInvoiceKey": invoice["OrderInvoiceKey"]}, save=True)
    sale = walk.call("getOrderDetails", {"OrderHeaderKey": key})
    line_key = sale["OrderLines"]["OrderLine"][0]["OrderLineKey"]
    returned = {
        "EnterpriseCode": "Matrix-R", "DocumentType": "0003", "OrderNo": "R100000401", "DerivedFromOrderHeaderKey": key,
        "OrderLines": {"OrderLine": [{"OrderedQty": "1", "DerivedFromOrderLineKey": line_key}]},
    }  # fmt: skip
    ret = walk.call("createOrder", returned)["OrderHeaderKey"]
    receipt = walk.call("startReceipt", {"DocumentType": "0003", "ReceivingNode": "DC_EAST",
                                         "Shipment": {"DocumentType": "0003", "EnterpriseCode": "Matrix-R",
                                                      "OrderNo": "R100000401"}}, save=True)  # fmt: skip
    lines = {
        "ReceiptLine": [{"PrimeLineNo": "1", "SubLineNo": "1", "Quantity": "1", "DispositionCode": "RESELL"}]
    }
    walk.call(
        "receiveOrder", {"ReceiptHeaderKey": receipt["ReceiptHeaderKey"], "ReceiptLines": lines}, save=True
    )
    walk.call("closeReceipt", {"ReceiptHeaderKey": receipt["ReceiptHeaderKey"]}, save=True)
    walk.call("getReceiptList", {"OrderHeaderKey": ret}, save=True)
    phone = {"Name": "Phone", "Value": "555-0100", "ReferenceType": "TEXT"}
    alert = {"ExceptionType": "CUSTOMER_CALLBACK", "Description": "Customer asks for a call", "Priority": "2",
             "QueueId": "CSR", "OrderHeaderKey": key, "InboxReferencesList": {"InboxReferences": [phone]}}  # fmt: skip
    inbox = walk.call("createException", alert, save=True)
    walk.call("getExceptionList", {"ExceptionType": "CUSTOMER_CALLBACK"}, save=True)
    walk.call(
        "getExceptionListForOrder", {"OrderHeaderKey": key, "ExceptionType": "CUSTOMER_CALLBACK"}, save=True
    )
    walk.call(
        "resolveException",
        {"Inbox": {"InboxKey": inbox["InboxKey"]}, "AuditDetail": "Called back"},
        save=True,
    )
    second = fx.create_order_input(faker, lines=2, OrderNo="Y100000402", EnterpriseCode="Matrix-R")
    other = walk.call("createOrder", second)["OrderHeaderKey"]
    walk.call("cancelOrder", {"OrderHeaderKey": other, "ModificationReasonCode": "CUSTOMER",
                              "ModificationReasonText": "Customer changed their mind"}, save=True)  # fmt: skip


def write_samples(
    argv: list[str] | None,
    walk: Callable[[Path], Walk],
    steps: Callable[[Any], None],
    description: str | None,
) -> int:
    """The command line of an in-process sample writer: ``--out DIR``, then ``steps(walk(DIR))``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=SAMPLES)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    steps(walk(args.out))
    print(f"samples written to {args.out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    return write_samples(argv, Walk, run, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
