"""Foundation: createOrder and getOrderDetails over the REST door, in JSON and XML."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from flask import Flask
from flask.testing import FlaskClient

from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain import clock
from tests.conftest import BASIC, Api

#: The 59 Order attributes of IBM's default getOrderDetails output (reference §8), written out.
ORDER_ATTRS = set(
    (
        "AllocationRuleID AuthorizationExpirationDate BillToID BuyerOrganizationCode CarrierAccountNo "
        "CarrierServiceCode ChainType ChargeActualFreightFlag CustCustPONo CustomerEMailID CustomerPONo "
        "DeliveryCode Division DocumentType DraftOrderFlag EnteredBy EnterpriseCode EntryType FreightTerms "
        "HasDeliveryLines HasProductLines HasServiceLines HoldFlag HoldReasonCode MaxOrderStatus "
        "MaxOrderStatusDesc MinOrderStatus MinOrderStatusDesc NotificationType NotifyAfterShipmentFlag "
        "OrderDate OrderHeaderKey OrderName OrderNo OrderType OriginalTax OriginalTotalAmount OtherCharges "
        "PaymentStatus PendingTransferIn PersonalizeCode PriorityCode PriorityNumber Purpose "
        "ReturnByGiftRecipient SCAC ScacAndService ScacAndServiceKey SearchCriteria1 SearchCriteria2 "
        "SellerOrganizationCode Status TaxExemptFlag TaxExemptionCertificate TaxJurisdiction TaxPayerId "
        "TermsCode TotalAdjustmentAmount isHistory"
    ).split()
)

#: OrderLine attributes of the default output (reference §13).
LINE_ATTRS = set(
    (
        "AllocationDate ApptStatus AwaitingDeliveryRequest CanAddServiceLines CarrierAccountNo "
        "CarrierServiceCode CustomerLinePONo CustomerPONo DeliveryCode DeliveryMethod DepartmentCode "
        "FreightTerms FulfillmentType HasDeliveryLines HasServiceLines HoldFlag HoldReasonCode "
        "ImportLicenseNo InvoicedQty IsBundleParent ItemGroupCode KitCode LineSeqNo LineType MaxLineStatus "
        "MaxLineStatusDesc MinLineStatus MinLineStatusDesc OpenQty OrderHeaderKey OrderLineKey OrderedQty "
        "OriginalOrderedQty OtherCharges PackListType PersonalizeCode PersonalizeFlag PickableFlag "
        "PrimeLineNo Purpose RemainingQty ReqDeliveryDate ReservationID ReservationPool SCAC ScacAndService "
        "ScacAndServiceKey Segment SegmentType SerialNo ShipNode ShipTogetherNo SplitQty Status "
        "StatusQuantity SubLineNo SubstituteItemID SubstituteItemUOM isHistory"
    ).split()
)

#: OrderLine/Item attributes (reference §13).
ITEM_ATTRS = set(
    (
        "CostCurrency CountryOfOrigin CustomerItem CustomerItemDesc ECCNNo HarmonizedCode ISBN ItemDesc "
        "ItemID ItemShortDesc ItemWeight ItemWeightUOM ManufacturerItem ManufacturerItemDesc ManufacturerName "
        "NMFCClass NMFCCode NMFCDescription ProductClass ProductLine ScheduleBCode SupplierItem "
        "SupplierItemDesc TaxProductCode UPCCode UnitCost UnitOfMeasure"
    ).split()
)

#: OrderLine/LinePriceInfo attributes (reference §13).
LINE_PRICE_ATTRS = set(
    (
        "ActualPricingQty DiscountPercentage InvoicedPricingQty IsPriceLocked LineTotal ListPrice "
        "OrderedPricingQty PricingQtyConversionFactor PricingUOM RetailPrice SettledAmount SettledQuantity "
        "TaxableFlag UnitPrice"
    ).split()
)

#: PersonInfoShipTo/BillTo attributes (reference §13).
PERSON_ATTRS = set(
    (
        "AddressLine1 AddressLine2 AddressLine3 AddressLine4 AddressLine5 AddressLine6 AlternateEmailID "
        "Beeper City Company Country DayFaxNo DayPhone Department EMailID EveningFaxNo EveningPhone FirstName "
        "JobTitle LastName MiddleName MobilePhone OtherPhone PersonID PersonInfoKey State Suffix Title "
        "ZipCode"
    ).split()
)


ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {
        "OrderLine": [
            {
                "OrderedQty": "2",
                "Item": {"ItemID": "SHOE-101", "UnitOfMeasure": "EACH"},
                "LinePriceInfo": {"UnitPrice": "50.00"},
                "LineCharges": {
                    "LineCharge": [{"ChargeCategory": "Gift", "ChargeName": "Wrap", "ChargeAmount": "5"}]
                },
                "LineTaxes": {"LineTax": [{"TaxName": "VAT", "Tax": "3.50"}]},
            },
            {"OrderedQty": "1", "Item": {"ItemID": "TEE-202"}, "LinePriceInfo": {"UnitPrice": "19.99"}},
        ]
    },
    "HeaderCharges": {
        "HeaderCharge": [
            {"ChargeCategory": "Shipping", "ChargeName": "Ship", "ChargeAmount": "7.95"},
            {"ChargeCategory": "DISCOUNT", "ChargeName": "Promo", "ChargeAmount": "10.00"},
        ]
    },
    "HeaderTaxes": {"HeaderTax": [{"TaxName": "SalesTax", "Tax": "4.20"}]},
    "PersonInfoShipTo": {"FirstName": "Ada", "LastName": "Lovelace", "City": "London", "Country": "GB"},
    "PaymentMethods": {"PaymentMethod": [{"PaymentType": "CREDIT_CARD", "CreditCardType": "VISA"}]},
    "Notes": {"Note": [{"NoteText": "leave at door"}]},
    "OrderDates": {"OrderDate": [{"DateTypeId": "DELIVERY", "RequestedDate": "2025-02-01"}]},
    "Extn": {"ExtnLoyaltyId": "L-77"},
    "ExtnChannelRef": "web-1",
}


def fake_of(app: Flask) -> Fake:
    runtime: Fake = app.extensions["sterling_mock"]
    return runtime


def freeze_at(app: Flask, when: str, ns: str = "default") -> None:
    with fake_of(app).store.write() as tx:
        clock.freeze(tx, ns, True)
        clock.set_time(tx, ns, clock.parse_datetime(when))


def test_create_order_default_output_is_exactly_four_attributes(api: Api, fmt: str) -> None:
    out = api("createOrder", ORDER, fmt)
    assert sorted(out) == ["DocumentType", "EnterpriseCode", "OrderHeaderKey", "OrderNo"]
    assert out["DocumentType"] == "0001"
    assert out["EnterpriseCode"] == "Matrix-R"
    assert re.fullmatch(r"Y\d{9}", out["OrderNo"])
    assert re.fullmatch(r"\d{23}", out["OrderHeaderKey"])


def test_keys_and_numbers_come_from_the_clock_and_sequences(app: Flask, api: Api) -> None:
    freeze_at(app, "2025-01-27T10:17:09+00:00")
    first = api("createOrder", ORDER)
    second = api("createOrder", ORDER)
    assert first["OrderHeaderKey"].startswith("20250127101709000")
    assert int(second["OrderHeaderKey"][-6:]) > int(first["OrderHeaderKey"][-6:])
    assert (first["OrderNo"], second["OrderNo"]) == ("Y100000001", "Y100000002")
    details = api("getOrderDetails", {"OrderHeaderKey": first["OrderHeaderKey"]})
    assert details["OrderDate"] == "2025-01-27T10:17:09+00:00"


def test_get_order_details_full_shape(api: Api, fmt: str) -> None:
    key = api("createOrder", ORDER, fmt)["OrderHeaderKey"]
    order = api("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    attrs = {k for k, v in order.items() if isinstance(v, str)}
    assert attrs == ORDER_ATTRS
    assert (order["Status"], order["MinOrderStatus"], order["MaxOrderStatus"]) == ("Created", "1100", "1100")
    assert order["MinOrderStatusDesc"] == order["MaxOrderStatusDesc"] == "Created"
    children = [k for k, v in order.items() if not isinstance(v, str)]
    assert children[:3] == ["AllowedModifications", "PriceInfo", "OrderLines"]
    for name in (
        "PersonInfoShipTo",
        "PersonInfoBillTo",
        "PaymentMethods",
        "ChargeTransactionDetails",
        "OverallTotals",
        "InvoicedTotals",
        "RemainingTotals",
        "HeaderCharges",
        "HeaderTaxes",
        "OrderStatuses",
    ):
        assert name in order, name
    # stored, but only returned when a template names them (reference §8)
    for name in ("Notes", "OrderDates", "Extn", "Createts", "Modifyts", "ExtnChannelRef"):
        assert name not in order
    lines = order["OrderLines"]["OrderLine"]
    assert isinstance(lines, list) and len(lines) == 2
    line = lines[0]
    assert {k for k, v in line.items() if isinstance(v, str)} == LINE_ATTRS
    assert set(line["Item"]) == ITEM_ATTRS
    assert set(line["LinePriceInfo"]) == LINE_PRICE_ATTRS
    assert (line["PrimeLineNo"], line["SubLineNo"], line["OrderedQty"]) == ("1", "1", "2.00")
    assert (line["Status"], line["MinLineStatus"], line["MaxLineStatus"]) == ("Created", "1100", "1100")
    rows = line["OrderStatuses"]["OrderStatus"]
    rows = rows if isinstance(rows, list) else [rows]
    assert [(r["Status"], r["StatusDescription"], r["StatusQty"]) for r in rows] == [
        ("1100", "Created", "2.00")
    ]
    assert order["PersonInfoShipTo"]["FirstName"] == "Ada"
    assert set(order["PersonInfoShipTo"]) == PERSON_ATTRS


def test_totals_are_computed(api: Api) -> None:
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    order = api("getOrderDetails", {"OrderHeaderKey": key})
    totals = order["OverallTotals"]
    # lines: 2 x 50 + 1 x 19.99 = 119.99; charges 5 (line) + 7.95 (header); discount 10; tax 3.50 + 4.20
    assert totals["LineSubTotal"] == "119.99"
    assert totals["GrandCharges"] == "12.95"
    assert totals["GrandDiscount"] == "10.00"
    assert totals["GrandTax"] == "7.70"
    assert totals["GrandTotal"] == "130.64"
    assert (totals["HdrCharges"], totals["HdrDiscount"], totals["HdrTax"]) == ("7.95", "10.00", "4.20")
    assert order["PriceInfo"]["TotalAmount"] == "130.64"
    line = order["OrderLines"]["OrderLine"][0]
    assert line["LineOverallTotals"]["ExtendedPrice"] == "100.00"
    assert line["LineOverallTotals"]["LineTotal"] == "108.50"


def test_json_shapes_on_the_wire(client: FlaskClient) -> None:
    headers = {**BASIC, "Content-Type": "application/json"}
    created = client.post("/smcfs/restapi/invoke/createOrder", data=json.dumps(ORDER), headers=headers)
    key = created.json["OrderHeaderKey"]
    raw = client.post(
        "/smcfs/restapi/invoke/getOrderDetails", data=json.dumps({"OrderHeaderKey": key}), headers=headers
    )
    assert raw.headers["Content-Type"] == "application/json; charset=UTF-8"
    body = json.loads(raw.data)
    assert "Order" not in body  # root name dropped
    assert isinstance(body["OrderLines"]["OrderLine"], list)
    assert isinstance(body["PriceInfo"], dict)
    assert body["ExchangeOrders"] == {}
    assert body["AdditionalAddresses"] == {"NumberOfAdditionalAddresses": "0"}
    assert isinstance(body["AllowedModifications"]["Modification"], list)

    def all_strings(value: object) -> bool:
        if isinstance(value, dict):
            return all(all_strings(v) for v in value.values())
        if isinstance(value, list):
            return all(all_strings(v) for v in value)
        return isinstance(value, str)

    assert all_strings(body)


def test_draft_order_is_1000(api: Api) -> None:
    key = api("createOrder", {**ORDER, "DraftOrderFlag": "Y"})["OrderHeaderKey"]
    order = api("getOrderDetails", {"OrderHeaderKey": key})
    assert (order["Status"], order["MaxOrderStatus"]) == ("Draft Order Created", "1000")


def test_read_by_natural_key(api: Api, fmt: str) -> None:
    created = api("createOrder", {**ORDER, "OrderNo": "WEB-0001"}, fmt)
    assert created["OrderNo"] == "WEB-0001"
    order = api(
        "getOrderDetails", {"EnterpriseCode": "Matrix-R", "OrderNo": "WEB-0001", "DocumentType": "0001"}, fmt
    )
    assert order["OrderHeaderKey"] == created["OrderHeaderKey"]
    order = api("getOrderDetails", {"EnterpriseCode": "Matrix-R", "OrderNo": "WEB-0001"}, fmt)
    assert order["OrderHeaderKey"] == created["OrderHeaderKey"]


def test_unknown_order_is_yfs10003(api: Api, fmt: str) -> None:
    status, error = api.error("getOrderDetails", {"OrderHeaderKey": "2025000000000000000000"}, fmt)
    assert status == 400
    assert (error["ErrorCode"], error["ErrorDescription"]) == ("YFS10003", "YFS:Invalid Order")
    status, error = api.error("getOrderDetails", {"EnterpriseCode": "Matrix-R", "OrderNo": "NOPE"}, fmt)
    assert error["ErrorCode"] == "YFS10003"


def test_duplicate_order_no_is_yfc0001_and_stores_nothing(app: Flask, api: Api, fmt: str) -> None:
    api("createOrder", {**ORDER, "OrderNo": "DUP-1"}, fmt)
    status, error = api.error("createOrder", {**ORDER, "OrderNo": "DUP-1"}, fmt)
    assert (status, error["ErrorCode"]) == (400, "YFC0001")
    assert error["ErrorDescription"] == "Record already exists in the database."
    # same number under another enterprise or document type is fine
    api("createOrder", {**ORDER, "OrderNo": "DUP-1", "EnterpriseCode": "Aurora"}, fmt)
    api("createOrder", {**ORDER, "OrderNo": "DUP-1", "DocumentType": "0003"}, fmt)
    with fake_of(app).store.read() as tx:
        assert tx.count_orders("default") == 3


def test_given_order_header_key_is_kept_and_unique(api: Api) -> None:
    out = api("createOrder", {**ORDER, "OrderHeaderKey": "CALLER-KEY-1"})
    assert out["OrderHeaderKey"] == "CALLER-KEY-1"
    _, error = api.error("createOrder", {**ORDER, "OrderHeaderKey": "CALLER-KEY-1"})
    assert error["ErrorCode"] == "YFC0001"


def test_missing_enterprise_code(api: Api, fmt: str) -> None:
    status, error = api.error("createOrder", {"OrderLines": {}}, fmt)
    assert (status, error["ErrorCode"]) == (400, "MOCK0100")
    status, error = api.error("createOrder", {"EnterpriseCode": ""}, fmt)
    assert error["ErrorCode"] == "MOCK0100"


def test_failed_create_changes_nothing(app: Flask, api: Api) -> None:
    bad = {**ORDER, "OrderLines": {"OrderLine": [{"OrderedQty": "1"}, {"OrderedQty": "lots"}]}}
    _, error = api.error("createOrder", bad)
    assert error["ErrorCode"] == "MOCK0101"
    assert "OrderedQty" in json.dumps(error)
    with fake_of(app).store.read() as tx:
        assert tx.count_orders("default") == 0
    # the order number sequence rolled back with the failed call
    assert api("createOrder", ORDER)["OrderNo"] == "Y100000001"


def test_invalid_order_date(api: Api) -> None:
    _, error = api.error("createOrder", {**ORDER, "OrderDate": "27/01/2025"})
    assert error["ErrorCode"] == "MOCK0102"


def test_order_date_input_forms(api: Api) -> None:
    for raw, expected in [
        ("2025-01-27T10:17:09-0500", "2025-01-27T10:17:09-05:00"),
        ("2025-01-27T10:17:09.123Z", "2025-01-27T10:17:09+00:00"),
        ("2025-01-27", "2025-01-27T00:00:00+00:00"),
        ("20250127", "2025-01-27T00:00:00+00:00"),
        ("2022-07-10 00:00:00-00:00", "2022-07-10T00:00:00+00:00"),
    ]:
        key = api("createOrder", {**ORDER, "OrderDate": raw})["OrderHeaderKey"]
        assert api("getOrderDetails", {"OrderHeaderKey": key})["OrderDate"] == expected, raw


def test_quantity_format_setting() -> None:
    from sterling_mock.mock_server.base.settings import Settings
    from sterling_mock.mock_server.doors.app import create_app

    api = Api(create_app(Settings(db=":memory:", quantity_format="int")).test_client())
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    assert api("getOrderDetails", {"OrderHeaderKey": key})["OrderLines"]["OrderLine"][0]["OrderedQty"] == "2"


def test_stored_template_returns_extras(tmp_path: object) -> None:
    from pathlib import Path

    from sterling_mock.mock_server.base.settings import Settings
    from sterling_mock.mock_server.doors.app import create_app

    folder = Path(str(tmp_path))
    (folder / "withNotes.xml").write_text(
        '<Order OrderNo="" ExtnChannelRef="" Modifyts="">'
        "<Notes><Note/></Notes><Extn/><OrderDates><OrderDate/></OrderDates></Order>"
    )
    api = Api(create_app(Settings(db=":memory:", template_dir=str(folder))).test_client())
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    order = api("getOrderDetails", {"OrderHeaderKey": key}, query="?_templateId=withNotes")
    assert set(order) == {"OrderNo", "ExtnChannelRef", "Modifyts", "Notes", "Extn", "OrderDates"}
    assert order["Notes"]["Note"][0]["NoteText"] == "leave at door"
    assert order["Extn"] == {"ExtnLoyaltyId": "L-77"}
    assert datetime.fromisoformat(order["Modifyts"]).tzinfo == timezone.utc
    _, error = api.error("getOrderDetails", {"OrderHeaderKey": key}, query="?_templateId=missing")
    assert error["ErrorCode"] == "MOCK0101"


def test_xml_namespaced_input_keeps_extn_attributes(client: FlaskClient) -> None:
    body = (
        '<tns:Order xmlns:tns="http://www.sterlingcommerce.com/documentation" EnterpriseCode="Matrix-R" '
        'ExtnSource="ulta"><OrderLines><OrderLine OrderedQty="1"><Item ItemID="A"/></OrderLine></OrderLines></tns:Order>'
    )
    response = client.post(
        "/smcfs/restapi/invoke/createOrder",
        data=body,
        headers={**BASIC, "Content-Type": "text/xml", "Accept": "application/xml"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=UTF-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Order DocumentType="0001" ')
