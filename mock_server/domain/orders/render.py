"""Output shapes of an order: the default getOrderDetails document (reference §8, §13), the getOrderList
fragment, the full view that templates select from, and the pre-rendered bytes stored beside each order."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import orjson

from sterling_mock.client.wire import Doc, as_list, to_jsonable, xml_fragment
from sterling_mock.mock_server.base.errors import SterlingError, UnreadableRecord
from sterling_mock.mock_server.base.settings import Settings

F = TypeVar("F", bound=Callable[..., Doc])


def _named(root: str, key: str) -> Callable[[F], F]:
    """A render that fails on a stored record answers an error naming the record (MOCK0121: written by an
    older version, ``sterling-mock repair`` mends it), never a 500."""

    def wrap(render: F) -> F:
        @functools.wraps(render)
        def named(source: Doc, *args: Any) -> Doc:
            try:
                return render(source, *args)
            except SterlingError:
                raise
            except Exception as exc:  # named, then raised as the fake's error
                name = str(source.get(key, "")) if isinstance(source, dict) else ""
                raise UnreadableRecord.naming(root, name, f"{type(exc).__name__}: {exc}") from exc

        return named  # type: ignore[return-value]

    return wrap


ORDER_ATTRS = (
    "AllocationRuleID AuthorizationExpirationDate BillToID BuyerOrganizationCode CarrierAccountNo "
    "CarrierServiceCode ChainType ChargeActualFreightFlag CustCustPONo CustomerEMailID CustomerPONo DeliveryCode "
    "Division DocumentType DraftOrderFlag EnteredBy EnterpriseCode EntryType FreightTerms HasDeliveryLines "
    "HasProductLines HasServiceLines HoldFlag HoldReasonCode MaxOrderStatus MaxOrderStatusDesc MinOrderStatus "
    "MinOrderStatusDesc NotificationType NotifyAfterShipmentFlag OrderDate OrderHeaderKey OrderName OrderNo "
    "OrderType OriginalTax OriginalTotalAmount OtherCharges PaymentStatus PendingTransferIn PersonalizeCode "
    "PriorityCode PriorityNumber Purpose ReturnByGiftRecipient SCAC ScacAndService ScacAndServiceKey "
    "SearchCriteria1 SearchCriteria2 SellerOrganizationCode Status TaxExemptFlag TaxExemptionCertificate "
    "TaxJurisdiction TaxPayerId TermsCode TotalAdjustmentAmount isHistory"
).split()
#: getOrderList's header set differs slightly from getOrderDetails' [OBS: Adidas SIT getOrderList].
LIST_ATTRS = tuple(
    sorted(
        {
            a
            for a in ORDER_ATTRS
            if a
            not in ("HasDeliveryLines", "HasProductLines", "HasServiceLines", "BillToID", "TaxExemptFlag")
        }
        | {"TaxExemptionFlag", "NotificationReference"}
    )
)
LINE_ATTRS = (
    "AllocationDate ApptStatus AwaitingDeliveryRequest CanAddServiceLines CarrierAccountNo CarrierServiceCode "
    "CustomerLinePONo CustomerPONo DeliveryCode DeliveryMethod DepartmentCode FreightTerms FulfillmentType "
    "HasDeliveryLines HasServiceLines HoldFlag HoldReasonCode ImportLicenseNo InvoicedQty IsBundleParent "
    "ItemGroupCode KitCode LineSeqNo LineType MaxLineStatus MaxLineStatusDesc MinLineStatus MinLineStatusDesc "
    "OpenQty OrderHeaderKey OrderLineKey OrderedQty OriginalOrderedQty OtherCharges PackListType PersonalizeCode "
    "PersonalizeFlag PickableFlag PrimeLineNo Purpose RemainingQty ReqDeliveryDate ReservationID ReservationPool "
    "SCAC ScacAndService ScacAndServiceKey Segment SegmentType SerialNo ShipNode ShipTogetherNo SplitQty Status "
    "StatusQuantity SubLineNo SubstituteItemID SubstituteItemUOM isHistory"
).split()
ITEM_ATTRS = (
    "CostCurrency CountryOfOrigin CustomerItem CustomerItemDesc ECCNNo HarmonizedCode ISBN ItemDesc ItemID "
    "ItemShortDesc ItemWeight ItemWeightUOM ManufacturerItem ManufacturerItemDesc ManufacturerName NMFCClass "
    "NMFCCode NMFCDescription ProductClass ProductLine ScheduleBCode SupplierItem SupplierItemDesc TaxProductCode "
    "UPCCode UnitCost UnitOfMeasure"
).split()
LINE_PRICE_ATTRS = (
    "ActualPricingQty DiscountPercentage InvoicedPricingQty IsPriceLocked LineTotal ListPrice OrderedPricingQty "
    "PricingQtyConversionFactor PricingUOM RetailPrice SettledAmount SettledQuantity TaxableFlag UnitPrice"
).split()
LINE_TOTAL_ATTRS = "Charges Discount ExtendedPrice LineTotal OptionPrice PricingQty Tax UnitPrice".split()
STATUS_ATTRS = (
    "OrderHeaderKey OrderLineKey OrderLineScheduleKey OrderReleaseStatusKey PipelineKey ShipNode Status "
    "StatusDate StatusDescription StatusQty TotalQuantity"
).split()
PERSON_ATTRS = (
    "AddressLine1 AddressLine2 AddressLine3 AddressLine4 AddressLine5 AddressLine6 AlternateEmailID Beeper City "
    "Company Country DayFaxNo DayPhone Department EMailID EveningFaxNo EveningPhone FirstName JobTitle LastName "
    "MiddleName MobilePhone OtherPhone PersonID PersonInfoKey State Suffix Title ZipCode"
).split()
PAYMENT_ATTRS = (
    "CheckNo CheckReference CreditCardExpDate CreditCardName CreditCardNo CreditCardType CustomerPONo "
    "DisplayCreditCardNo DisplayCustomerAccountNo DisplayPaymentReference1 DisplaySvcNo FundsAvailable "
    "GetFundsAvailableUserExitInvoked PaymentReference1 PaymentReference2 PaymentReference3 PaymentType"
).split()
CHARGE_TXN_ATTRS = (
    "AdditionalExpectedAuthorizations TotalCredits TotalDebits TotalOpenAuthorizations TotalOpenBookings "
    "TotalTransferredIn TotalTransferredOut"
).split()
HEADER_CHARGE_ATTRS = (
    "ChargeAmount ChargeCategory ChargeName ChargeNameKey InvoicedChargeAmount IsBillable IsDiscount Reference "
    "RemainingChargeAmount"
).split()
HEADER_TAX_ATTRS = (
    "ChargeCategory ChargeName ChargeNameKey InvoicedTax Reference_1 Reference_2 Reference_3 RemainingTax Tax "
    "TaxName TaxPercentage TaxableFlag"
).split()
TOTALS_ATTRS = "GrandCharges GrandDiscount GrandTax GrandTotal HdrCharges HdrDiscount HdrTax HdrTotal LineSubTotal".split()
QTY_ATTRS = frozenset(
    "OrderedQty OriginalOrderedQty OpenQty RemainingQty InvoicedQty StatusQuantity StatusQty TotalQuantity "
    "Quantity PricingQty ActualPricingQty OrderedPricingQty InvoicedPricingQty SettledQuantity SplitQty".split()
)
#: Stored and returned only when a template names them [OBS: reference §8].
TEMPLATE_ONLY = ("Notes", "OrderDates", "Extn")
AUDIT_ATTRS = ("Createts", "Modifyts", "Createuserid", "Modifyuserid", "Createprogid", "Modifyprogid")


def qty(value: str, settings: Settings) -> str:
    if value == "":
        return value
    return _qty(value, settings.quantity_format)


@functools.lru_cache(maxsize=4096)
def _qty(value: str, quantity_format: str) -> str:
    """A quantity as the setting ``quantity_format`` shows it.  A pure function of its arguments, memoised:
    an order's quantities repeat ("1", "3.00"), and parsing each as a Decimal on every render was a tenth of
    a render."""
    try:
        number = Decimal(value)
    except ArithmeticError:
        return value
    return (
        str(number.quantize(Decimal("0.01")))
        if quantity_format == "decimal"
        else (str(int(number)) if number == number.to_integral() else str(number.normalize()))
    )


def fixed(source: Any, names: list[str] | tuple[str, ...], settings: Settings | None = None) -> Doc:
    """A fixed attribute set, present even when empty (reference §13); with ``settings``, quantities in the
    form ``quantity_format`` asks (only the set's quantity names are looked at: about half of a render is fixed
    attribute sets, and every write renders its order once)."""
    get = source.get if isinstance(source, dict) else _NOTHING.get
    out: Doc = {name: value if isinstance(value := get(name, ""), str) else "" for name in names}
    if settings is not None:
        fmt = settings.quantity_format
        for name in _quantities_in(names):
            value = out[name]
            if value:
                out[name] = _qty(value, fmt)
    return out


_NOTHING: Doc = {}
#: The quantity names of each attribute set (the sets are module constants, kept alive here with their id).
_QUANTITIES: dict[int, tuple[object, tuple[str, ...]]] = {}


def _quantities_in(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    found = _QUANTITIES.get(id(names))
    if found is None or found[0] is not names:
        found = (names, tuple(name for name in names if name in QTY_ATTRS))
        if len(_QUANTITIES) < 256:  # constant sets only in practice; a bound all the same
            _QUANTITIES[id(names)] = found
    return found[1]


def _wrapped(source: Doc, wrapper: str, name: str, attrs: list[str] | None = None) -> Doc:
    node = source.get(wrapper)
    items = as_list(node.get(name) if isinstance(node, dict) else None)
    if attrs is not None:
        items = [
            {**fixed(item, attrs), **{k: v for k, v in item.items() if not isinstance(v, str)}}
            for item in items
        ]
    return {name: items} if items else {}


def _status_row(
    row: Doc, line: Doc, schedule_key: str, settings: Settings, pipeline_desc: dict[str, str]
) -> Doc:
    out = fixed(row, STATUS_ATTRS, settings)
    out.update(
        OrderHeaderKey=line["OrderHeaderKey"],
        OrderLineKey=line["OrderLineKey"],
        OrderLineScheduleKey=schedule_key,
        StatusDescription=pipeline_desc.get(row["Status"], row.get("StatusDescription", row["Status"])),
        TotalQuantity=qty(str(line.get("OriginalOrderedQty", line.get("OrderedQty", "0"))), settings),
        PipelineKey=row.get("PipelineKey", ""),
    )
    out["Details"] = {"ExpectedDeliveryDate": "", "ExpectedShipmentDate": "", "TagNumber": ""}
    return out


@_named("OrderLine", "OrderLineKey")
def line_details(line: Doc, settings: Settings, descriptions: dict[str, str]) -> Doc:
    out = fixed(line, LINE_ATTRS, settings)
    rows = as_list(line.get("OrderStatuses", {}).get("OrderStatus"))
    remaining = line.get("OpenQty", line.get("OrderedQty", "0"))
    out.update(
        RemainingQty=qty(str(remaining), settings),
        InvoicedQty=qty(str(line.get("InvoicedQty") or "0"), settings),
        StatusQuantity=qty(line.get("OrderedQty", "0"), settings),
        HoldFlag=line.get("HoldFlag", "N"),
        isHistory="N",
    )
    schedule_key = line["OrderLineKey"] + "1"
    out["Item"] = fixed(line.get("Item"), ITEM_ATTRS)
    out["LinePriceInfo"] = fixed(line.get("LinePriceInfo"), LINE_PRICE_ATTRS, settings)
    for empty in ("OrderLineOptions",):
        out[empty] = {}
    out["References"] = _wrapped(line, "References", "Reference")
    for empty in ("ProductItems", "ServiceAssociations", "ProductAssociations", "DeliveryAssociations"):
        out[empty] = {}
    out["LineCharges"] = _wrapped(line, "LineCharges", "LineCharge")
    out["LineTaxes"] = _wrapped(line, "LineTaxes", "LineTax")
    out["CapacityAllocations"] = {}
    out["WorkOrders"] = {"NumberOfWorkOrders": "0"}
    out["Instructions"] = {
        "NumberOfInstructions": str(len(as_list(line.get("Instructions", {}).get("Instruction"))))
    }
    out["KitLines"] = {"NumberOfKitLines": "0"}
    out["AdditionalAddresses"] = {"NumberOfAdditionalAddresses": "0"}
    out["Notes"] = {"NumberOfNotes": str(len(as_list(line.get("Notes", {}).get("Note"))))}
    out["Schedules"] = {
        "Schedule": [
            {
                "ExpectedDeliveryDate": "",
                "ExpectedShipmentDate": "",
                "OrderHeaderKey": line["OrderHeaderKey"],
                "OrderLineKey": line["OrderLineKey"],
                "OrderLineScheduleKey": schedule_key,
                "Quantity": qty(line.get("OrderedQty", "0"), settings),
                "ScheduleNo": "1",
                "TagNumber": "",
            }
        ]
    }
    totals = fixed(line.get("LineOverallTotals"), LINE_TOTAL_ATTRS, settings)
    out["LineOverallTotals"] = totals
    invoiced = line.get("LineInvoicedTotals")
    out["LineInvoicedTotals"] = {
        **{k: "0.00" for k in LINE_TOTAL_ATTRS},
        "AdditionalLinePriceTotal": "0.00",
        "PricingQty": qty("0", settings),
        **(fixed(invoiced, LINE_TOTAL_ATTRS, settings) if isinstance(invoiced, dict) else {}),
    }
    out["LineRemainingTotals"] = {
        **_remaining(totals, invoiced, settings),
        "AdditionalLinePriceTotal": "0.00",
    }
    line_rows = []
    for row in rows:
        status_row = _status_row(row, line, schedule_key, settings, descriptions)
        status_row["KitDetails"] = {}
        line_rows.append(status_row)
    out["OrderStatuses"] = {"OrderStatus": line_rows} if line_rows else {}
    return out


def _allowed_modifications(order: Doc) -> Doc:
    closed = order.get("MinOrderStatus") in ("9000",) or str(order.get("MinOrderStatus", "")) >= "3700"
    types = (
        ["NOTE"]
        if closed
        else [
            "ADD_LINE",
            "ADDRESS",
            "CANCEL",
            "CHANGE_ORDER_DATE",
            "HOLD",
            "NOTE",
            "OTHERS",
            "PAYMENT_METHOD",
            "PRICE",
        ]
    )
    return {"Modification": [{"ModificationType": t, "ThroughOverride": "N"} for t in types]}


def price_info(order: Doc) -> Doc:
    price = order.get("PriceInfo", {})
    return {
        "Currency": price.get("Currency", "USD"),
        "EnterpriseCurrency": price.get("Currency", "USD"),
        "ReportingConversionDate": "",
        "ReportingConversionRate": "1.00",
        "TotalAmount": price.get("TotalAmount", ""),
    }


def payment_methods(order: Doc, settings: Settings) -> Doc:
    """``PaymentMethods`` as real instances answer them: ``DisplayCreditCardNo`` the card's last four digits
    (when the order gives none) and ``CreditCardNo`` masked but for those four, unless the setting
    ``mask_card_numbers`` is off [OBS: display forms filled, numbers never in clear].  Other numbers (SvcNo,
    CustomerAccountNo) are left as stored."""
    wrapped = _wrapped(order, "PaymentMethods", "PaymentMethod", PAYMENT_ATTRS)
    for method in wrapped.get("PaymentMethod", []):
        number = method.get("CreditCardNo")
        if not isinstance(number, str) or not number:
            continue
        if not method.get("DisplayCreditCardNo"):
            method["DisplayCreditCardNo"] = number[-4:]
        if settings.mask_card_numbers:
            method["CreditCardNo"] = "*" * max(len(number) - 4, 0) + number[-4:]
    return wrapped


@_named("Order", "OrderHeaderKey")
def order_details(order: Doc, settings: Settings, descriptions: dict[str, str]) -> Doc:
    """The default getOrderDetails output (reference §8): fixed attribute sets, empty where unset."""
    out = fixed(order, ORDER_ATTRS)
    lines = as_list(order.get("OrderLines", {}).get("OrderLine"))
    out.update(
        HasDeliveryLines="N",
        HasProductLines="Y" if lines else "N",
        HasServiceLines="N",
        HoldFlag=order.get("HoldFlag", "N"),
        isHistory="N",
    )
    out["AllowedModifications"] = _allowed_modifications(order)
    out["PriceInfo"] = price_info(order)
    rendered_lines = [line_details(line, settings, descriptions) for line in lines]
    out["OrderLines"] = {"OrderLine": rendered_lines} if rendered_lines else {}
    instructions = as_list(order.get("Instructions", {}).get("Instruction"))
    out["Instructions"] = {"NumberOfInstructions": str(len(instructions))}
    if instructions:
        out["Instructions"]["Instruction"] = instructions
    for address in ("PersonInfoShipTo", "PersonInfoBillTo", "PersonInfoContact"):
        if address != "PersonInfoContact" or address in order:
            out[address] = fixed(order.get(address), PERSON_ATTRS)
    out["AdditionalAddresses"] = {"NumberOfAdditionalAddresses": "0"}
    out["References"] = _wrapped(order, "References", "Reference")
    out["PaymentMethods"] = payment_methods(order, settings)
    out["ChargeTransactionDetails"] = charge_transactions(order)
    out["ProductServiceAssocs"] = {}
    totals = fixed(order.get("OverallTotals"), TOTALS_ATTRS)
    out["OverallTotals"] = totals
    out["InvoicedTotals"], out["RemainingTotals"] = invoiced_remaining(order, totals)
    out["HeaderCharges"] = _wrapped(order, "HeaderCharges", "HeaderCharge", HEADER_CHARGE_ATTRS)
    out["HeaderTaxes"] = _wrapped(order, "HeaderTaxes", "HeaderTax", HEADER_TAX_ATTRS)
    header_rows = [
        {k: v for k, v in row.items() if k != "KitDetails"}
        for rendered in rendered_lines
        for row in rendered.get("OrderStatuses", {}).get("OrderStatus", [])
    ]
    out["OrderStatuses"] = {"OrderStatus": header_rows} if header_rows else {}
    out["ExchangeOrders"] = {}
    return out


@_named("Order", "OrderHeaderKey")
def full_order(order: Doc, settings: Settings, descriptions: dict[str, str]) -> Doc:
    """Everything a template may select: the default output plus stored extras (Notes, OrderDates, Extn,
    audit columns and any attribute the caller sent)."""
    out = order_details(order, settings, descriptions)
    for key, value in order.items():
        if isinstance(value, str):
            out.setdefault(key, value)
        elif key in TEMPLATE_ONLY or key not in out:
            out[key] = value
    stored_lines = as_list(order.get("OrderLines", {}).get("OrderLine"))
    for rendered, stored in zip(out.get("OrderLines", {}).get("OrderLine", []), stored_lines, strict=True):
        for key, value in stored.items():
            if isinstance(value, str):
                rendered.setdefault(key, value)
            elif key in ("Notes", "Extn") or key not in rendered:
                rendered[key] = value
    return out


def list_order(order: Doc) -> Doc:
    """One order as getOrderList returns it by default: header attributes and totals, no lines."""
    out = fixed(order, LIST_ATTRS)
    out.update(
        TaxExemptionFlag=order.get("TaxExemptFlag", "N"), HoldFlag=order.get("HoldFlag", "N"), isHistory="N"
    )
    out["PriceInfo"] = price_info(order)
    totals = fixed(order.get("OverallTotals"), TOTALS_ATTRS)
    out["OverallTotals"] = totals
    out["InvoicedTotals"], out["RemainingTotals"] = invoiced_remaining(order, totals)
    return out


def prerender(order: Doc, settings: Settings, descriptions: dict[str, str] | None = None) -> dict[str, bytes]:
    """The rendered outputs stored beside an order: its getOrderList fragments (JSON, XML).

    getOrderDetails renders from the stored document on each read (≈0.08 ms): storing it too cost ≈20 KB per
    order (40 GB at a million orders) for a gain the measurements do not justify.
    """
    del descriptions, settings  # list fragments carry no descriptions or quantities today
    listed = list_order(order)
    return {
        "list_json": orjson.dumps(to_jsonable("Order", listed)),
        "list_xml": xml_fragment("Order", listed).encode("utf-8"),
    }


# ------------------------------------------------------------------------------------------ payments, invoices
#: A ChargeTransactionDetail's fixed attribute set and its empty children (reference §13).
CHARGE_DETAIL_ATTRS = (
    "AuditTransactionID AuthorizationExpirationDate AuthorizationID BookAmount ChargeTransactionKey ChargeType "
    "CollectionDate CreditAmount DebitAmount DistributedAmount HoldAgainstBook OpenAuthorizedAmount "
    "OrderHeaderKey OrderInvoiceKey PaymentKey RequestAmount SettledAmount Status TransactionDate "
    "TransferFromOhKey TransferToOhKey UserExitStatus"
).split()
CHARGE_DETAIL_CHILDREN = (
    "InvoiceCollectionDetails CreditCardTransactions LinkedSettlementList RefundSettlementMappingChargeList "
    "RefundSettlementReasonList TransferToOrder TransferFromOrder"
).split()


def charge_transactions(order: Doc) -> Doc:
    """``ChargeTransactionDetails``: the header totals (zero until processOrderPayments writes some) and one
    ``ChargeTransactionDetail`` per payment transaction stored on the order."""
    stored = order.get("ChargeTransactionDetails")
    node: Doc = stored if isinstance(stored, dict) else {}
    out: Doc = {k: str(node.get(k) or "0.00") for k in CHARGE_TXN_ATTRS}
    details = [
        {**fixed(d, CHARGE_DETAIL_ATTRS), **{c: {} for c in CHARGE_DETAIL_CHILDREN}}
        for d in as_list(node.get("ChargeTransactionDetail"))
    ]
    if details:
        out["ChargeTransactionDetail"] = details
    return out


def _remaining(totals: Doc, invoiced: Any, settings: Settings | None = None) -> Doc:
    if not isinstance(invoiced, dict):
        return dict(totals)
    out = dict(totals)
    for name, value in totals.items():
        try:
            left = Decimal(value or "0") - Decimal(str(invoiced.get(name) or "0"))
        except ArithmeticError:
            continue
        out[name] = (
            qty(str(left), settings)
            if settings is not None and name in QTY_ATTRS
            else str(left.quantize(Decimal("0.01")))
        )
    return out


def invoiced_remaining(order: Doc, totals: Doc) -> tuple[Doc, Doc]:
    """``InvoicedTotals`` (what the order's invoices hold) and ``RemainingTotals`` (overall less invoiced)."""
    stored = order.get("InvoicedTotals")
    invoiced = {k: "0.00" for k in TOTALS_ATTRS}
    if isinstance(stored, dict):
        invoiced.update(fixed(stored, TOTALS_ATTRS))
    return invoiced, _remaining(totals, stored)
