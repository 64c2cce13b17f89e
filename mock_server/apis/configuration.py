"""Configuration reads: getCommonCodeList, getStatusList, and registerLogout (reference §14)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.catalog import cap, listed
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.domain.catalog import config
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.queries.query import compile_query


def get_common_code_list(ctx: Ctx, doc: Doc) -> Output:
    """getCommonCodeList: ``CommonCodeList`` of the codes matching the input ``CommonCode`` (CodeType,
    CodeValue, OrganizationCode, DocumentType, ... with QryTypes), each with CodeType, CodeValue,
    CodeShortDescription, CodeLongDescription, CodeName, CommonCodeKey, DocumentType, OrganizationCode,
    MeantForEnterprise, SystemDefinedCode [DOC].  Default order: OrganizationCode, CodeType, CodeValue.

    Seeded for ``DEFAULT`` and every enterprise [INF: the types and values are the fake's]:
    ``YCD_CANCEL_REASON``, ``YCD_RETURN_REASON``, ``ORDER_MODIFICATION_REASON``, ``ORDER_HOLD_TYPE`` (the hold
    types orders may carry), ``CARRIER_SERVICE``, ``ORDER_TYPE`` and ``ENTRY_TYPE``; the master-data file's
    ``commonCodes`` add to them.  Deviation: no fallback to a parent organization's codes; an unknown
    organization answers an empty list.
    """
    query = compile_query(doc, dict(config.CODE_FIELDS))
    found = query.sort([c for c in config.common_codes(ctx) if query.matches(c)])
    limit = cap(ctx, query)
    return listed(
        ctx, doc, ("CommonCodeList", "CommonCode", "CommonCodeKey"), (found[:limit], len(found) > limit), dict
    )


def get_status_list(ctx: Ctx, doc: Doc) -> Output:
    """getStatusList: ``StatusList`` of the statuses of the pipelines the fake runs (the configured ones
    included), sub-statuses too, filtered by ProcessTypeKey (``ORDER_FULFILLMENT`` for sales orders,
    ``RETURN_FULFILLMENT`` 0003, ``PO_FULFILLMENT`` 0005, ``TRANSFER_FULFILLMENT`` 0006, ``ORDER_DELIVERY`` for
    shipments [INF]), DocumentType, Status and StatusName.  Each with Status, StatusKey, StatusName,
    Description, StatusType, ProcessTypeKey [DOC]; StatusKey is ``<ProcessTypeKey>_<Status>`` [INF]."""
    query = compile_query(doc, dict(config.STATUS_FIELDS))
    found = query.sort([s for s in config.status_rows(ctx) if query.matches(s)])
    limit = cap(ctx, query)
    return listed(ctx, doc, ("StatusList", "Status", "StatusKey"), (found[:limit], len(found) > limit), dict)


def register_logout(ctx: Ctx, doc: Doc) -> Output:
    """registerLogout (``registerLogout@UserId,SessionId``): accepted and answers nothing (HTTP 204 over REST,
    ``<Output/>`` through multiApi and interop) [INF]; IBM's XApi HTTP pattern calls it after every call [OBS].
    Deviation: a login token stays valid until it expires."""
    return Output.none()


APIS = {
    "getCommonCodeList": ApiSpec(get_common_code_list, "CommonCode", "CommonCodeList"),
    "getStatusList": ApiSpec(get_status_list, "Status", "StatusList"),
    "registerLogout": ApiSpec(register_logout, "registerLogout", "registerLogout", void=True),
}
