"""Configuration reads: common codes (the defaults of ``defaults.py``, which the master-data file may extend)
and the status list, built from the pipelines the fake runs (``domain/orders/statuses.py``)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.domain import statuses
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records

CODE_FIELDS = {
    "CodeType": "text",
    "CodeValue": "text",
    "OrganizationCode": "text",
    "DocumentType": "text",
    "CommonCodeKey": "text",
    "CodeShortDescription": "text",
    "CodeName": "text",
}
STATUS_FIELDS = {
    "ProcessTypeKey": "text",
    "DocumentType": "text",
    "Status": "status",
    "StatusName": "text",
    "StatusKey": "text",
}
#: The process type of each pipeline [INF: Sterling's standard process type keys].
PROCESS_TYPES = {
    "0001": "ORDER_FULFILLMENT",
    "0003": "RETURN_FULFILLMENT",
    "0005": "PO_FULFILLMENT",
    "0006": "TRANSFER_FULFILLMENT",
    statuses.SHIPMENT: "ORDER_DELIVERY",
}


def common_codes(ctx: Ctx) -> list[Doc]:
    return [dict(code) for code in records.base(ctx).codes]


def status_rows(ctx: Ctx) -> list[Doc]:
    """One Status per code of every pipeline, sub-statuses included (``1100.005``), in pipeline order."""
    out: list[Doc] = []
    for doc_type, pipeline in ctx.pipelines.by_type.items():
        process = PROCESS_TYPES.get(doc_type, f"{doc_type}_FULFILLMENT")
        for code in pipeline.codes():
            name = pipeline.describe(code)
            out.append(
                {
                    "Status": code,
                    "StatusKey": f"{process}_{code}",
                    "StatusName": name,
                    "Description": name,
                    "StatusType": "01",
                    "ProcessTypeKey": process,
                    "DocumentType": "" if doc_type == statuses.SHIPMENT else doc_type,
                    "IsSubStatus": "Y" if "." in code else "N",
                    "BaseStatus": statuses.base_of(code),
                }
            )
    return out
