"""Sterling's error family: one class per condition, vendor codes on the classes, rendered by one handler.

Real codes are used where real instances were seen to answer them (reference §4).  Conditions for which no
real code is known use the clearly fake ``MOCK`` range, documented in COVERAGE.md, so nobody mistakes them
for Sterling's.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SterlingError(Exception):
    """Base of every error the fake answers with a Sterling error document."""

    code: ClassVar[str] = "MOCK0500"
    description: ClassVar[str] = "The fake could not complete the request."
    http_status: ClassVar[int] = 400

    def __init__(
        self,
        more_info: str | None = None,
        *,
        attributes: dict[str, str] | None = None,
        code: str | None = None,
        description: str | None = None,
        http_status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.error_code = code or self.code
        self.error_description = description or self.description
        self.status = http_status or self.http_status
        self.more_info = more_info or ""
        self.attributes = dict(attributes or {})
        self.headers = dict(headers or {})
        self.api_name = ""
        super().__init__(f"{self.error_code}: {self.error_description} {self.more_info}".strip())

    def as_detail(self) -> dict[str, Any]:
        return {
            "code": self.error_code,
            "description": self.error_description,
            "more_info": self.more_info,
            "attributes": self.attributes,
            "http_status": self.status,
        }


# --- real Sterling codes ------------------------------------------------------------------------------


class InvalidOrder(SterlingError):
    code = "YFS10003"
    description = "YFS:Invalid Order"


class InvalidNode(SterlingError):
    code = "YFS10048"
    description = "YFS:Invalid Node"


class ItemNotFound(SterlingError):
    code = "YCM0033"
    description = "Item Not Found"


class ShipNodeDoesNotExist(SterlingError):
    code = "YDM00085"
    description = "ShipNode does not exist in the system."


class RecordAlreadyExists(SterlingError):
    code = "YFC0001"
    description = "Record already exists in the database."


class NotAuthenticated(SterlingError):
    code = "YCP0427"
    description = "Cannot invoke API because user is not authenticated."


class ApiSecurityViolation(SterlingError):
    code = "YCP0428"
    description = "API security violation: the user is not allowed to invoke this API."
    http_status = 403


# --- the fake's own range (no real code is known) ---------------------------------------------------


class MalformedDocument(SterlingError):
    code = "MOCK0001"
    description = "The input document could not be parsed."


class ForbiddenXml(SterlingError):
    code = "MOCK0002"
    description = "The input document uses forbidden XML features (DOCTYPE or entities)."


class DocumentTooDeep(SterlingError):
    code = "MOCK0003"
    description = "The input document is nested too deeply."


class BodyTooLarge(SterlingError):
    code = "MOCK0004"
    description = "The request body is larger than the configured limit."
    http_status = 413


class UnsupportedMediaType(SterlingError):
    code = "MOCK0005"
    description = "Unsupported media type: send application/json, application/xml or text/xml."
    http_status = 415


class UnknownApi(SterlingError):
    code = "MOCK0006"
    description = "The API or service is not known to this instance."


class MethodNotAllowed(SterlingError):
    code = "MOCK0007"
    description = "The HTTP method is not allowed on this URL."
    http_status = 405


class NotFound(SterlingError):
    code = "MOCK0008"
    description = "No resource at this URL."
    http_status = 404


class KeyTooLong(SterlingError):
    code = "MOCK0011"
    description = "A key attribute is longer than the store keeps (500 bytes)."


class RequestTimeout(SterlingError):
    code = "MOCK0010"
    description = "The request body did not arrive in time."
    http_status = 408


class MandatoryMissing(SterlingError):
    code = "MOCK0100"
    description = "A mandatory attribute is missing."


class InvalidValue(SterlingError):
    code = "MOCK0101"
    description = "An attribute has an invalid value."


class InvalidDate(SterlingError):
    code = "MOCK0102"
    description = "A date or time value cannot be parsed."


class InvalidTransition(SterlingError):
    code = "MOCK0200"
    description = "The requested status change is not allowed by the pipeline."


class ChangeNotAllowed(SterlingError):
    code = "MOCK0201"
    description = "The order or line cannot be changed in its current status."


class Throttled(SterlingError):
    code = "MOCK0429"
    description = "Too many requests: the caller is over its rate limit. Retry after the given delay."
    http_status = 429


class InternalError(SterlingError):
    code = "MOCK0500"
    description = "The fake hit an internal error; the call changed nothing."
    http_status = 500


# --- queries and changes (MOCK0300-MOCK0399) ---------------------------------------------------------


class InvalidQryType(SterlingError):
    code = "MOCK0300"
    description = "The QryType is not valid for the attribute's data type."


class InvalidFilterValue(SterlingError):
    code = "MOCK0301"
    description = "A filter value cannot be read as the attribute's data type."


class UnknownQueryAttribute(SterlingError):
    code = "MOCK0302"
    description = "The query names an attribute that is not a column of the list."


class InvalidComplexQuery(SterlingError):
    code = "MOCK0303"
    description = "The ComplexQuery is not well formed."


class InvalidPageRequest(SterlingError):
    code = "MOCK0304"
    description = "The getPage request is not valid."


class PageSetExpired(SterlingError):
    code = "MOCK0305"
    description = 'The PageSetToken is unknown or has expired; call again with Refresh="Y" or no token.'


class InvalidOrderLine(SterlingError):
    code = "MOCK0310"
    description = "The order line does not exist on this order."


class AuditNotFound(SterlingError):
    code = "MOCK0311"
    description = "No order audit with this OrderAuditKey."


# --- doors: interop servlet, resources, services, JWT (MOCK0600-MOCK0699) --------------------------------


class UnknownService(SterlingError):
    code = "MOCK0600"
    description = "The service (flow) is not defined on this instance."


class InvalidServiceDefinition(SterlingError):
    code = "MOCK0601"
    description = "A configured service (flows file) is not valid."
    http_status = 500


class JwtNotEnabled(SterlingError):
    code = "MOCK0602"
    description = "JWT authentication is not enabled on this instance."
    http_status = 404


class InteropApiMissing(SterlingError):
    code = "MOCK0603"
    description = "The interop call names no API: send InteropApiName (or ServiceName with IsFlow=Y)."


# --- fulfilment lifecycle (MOCK0200-MOCK0299; InvalidTransition and ChangeNotAllowed above) ------------


class UnknownOrganization(SterlingError):
    code = "MOCK0202"
    description = "The organization is not defined in the master data."


class QuantityNotReleased(SterlingError):
    code = "MOCK0203"
    description = "The order line has not enough released quantity for the shipment."


class InvalidShipment(SterlingError):
    code = "MOCK0204"
    description = "The shipment does not exist."


class ShipmentNodeConflict(SterlingError):
    code = "MOCK0205"
    description = "The lines of one shipment must ship from one node."


class ShipmentClosed(SterlingError):
    code = "MOCK0206"
    description = "The shipment is already shipped or cancelled and cannot be changed."


class DocumentTooLarge(SterlingError):
    code = "MOCK0009"
    description = "The input document has more elements or attributes than the configured limit."


# --- holds, payments, invoices, returns, alerts (MOCK0700-MOCK0799; no real codes are known) ---------


class OrderOnHold(SterlingError):
    code = "MOCK0700"
    description = "The order or line is on hold: a hold type on it blocks this transaction."


class UnknownHoldType(SterlingError):
    code = "MOCK0701"
    description = "The hold type is not configured for the enterprise."


class HoldNotFound(SterlingError):
    code = "MOCK0702"
    description = "The order or line has no hold of this type to resolve."


class PaymentDeclined(SterlingError):
    code = "MOCK0710"
    description = "The payment was declined: the authorisation failed."


class ChargeExceedsAuthorization(SterlingError):
    code = "MOCK0711"
    description = "The charge is larger than the open authorisation."


class InvalidInvoice(SterlingError):
    code = "MOCK0720"
    description = "The order invoice does not exist."


class NothingToInvoice(SterlingError):
    code = "MOCK0721"
    description = "The order has no shipped quantity left to invoice."


class ReturnExceedsShipped(SterlingError):
    code = "MOCK0730"
    description = "The return asks for more than the shipped, not yet returned quantity."


class InvalidReceipt(SterlingError):
    code = "MOCK0731"
    description = "The receipt does not exist."


class ReceiptClosed(SterlingError):
    code = "MOCK0732"
    description = "The receipt is closed: nothing more can be received against it."


class InvalidException(SterlingError):
    code = "MOCK0740"
    description = "The alert (Inbox record) does not exist."


class ReceiptExceedsReturn(SterlingError):
    code = "MOCK0733"
    description = "The receipt line asks for more than the return line still expects."


# --- inventory and reservations (MOCK0900-MOCK0919; no real codes are known) ---------------------------


class UnknownReservation(SterlingError):
    code = "MOCK0900"
    description = "The reservation does not exist (or was already consumed or cancelled)."


class ReservationExpired(SterlingError):
    code = "MOCK0901"
    description = "The reservation has expired."


class ReservationMismatch(SterlingError):
    code = "MOCK0902"
    description = "The reservation does not hold this item."


# --- records that could not be rendered (MOCK0120-MOCK0129; no real codes are known) -------------------


class UnrenderableResult(SterlingError):
    code = "MOCK0120"
    description = "The call would leave a record that cannot be read back; nothing was changed."


class UnreadableRecord(SterlingError):
    code = "MOCK0121"
    description = (
        "A stored record has a shape this version cannot read (written by an older version): "
        "`sterling-mock repair` lists and repairs such records."
    )
    http_status = 409

    @classmethod
    def naming(cls, root: str, key: str, problem: str) -> UnreadableRecord:
        """The error a read answers when it meets a record it cannot read: it names the record."""
        return cls(
            f"{root} {key} is stored in a shape this version cannot read ({problem}); it was probably written "
            "by an older version. Run `sterling-mock repair --db <store>` to list and repair such records.",
            attributes={"Name": root, "Key": key, "Problem": problem},
        )


# --- catalogue, customers, configuration (MOCK0950-MOCK0999: no real codes are known) ---------------------


class CustomerNotFound(SterlingError):
    code = "MOCK0950"
    description = "The customer does not exist."
