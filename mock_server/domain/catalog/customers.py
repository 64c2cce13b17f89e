"""Customers: consumer (``CustomerType="02"``) and business (``"01"``) customers with their contacts, the
contacts' addresses and payment methods, and scheduling preferences; manageCustomer's changes and the list
query over them."""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc, as_list
from sterling_mock.mock_server.base.errors import CustomerNotFound, InvalidValue, MandatoryMissing
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.domain.queries.query import CompiledQuery, compile_query, present

FIELDS = {
    "CustomerID": "text",
    "CustomerKey": "text",
    "OrganizationCode": "text",
    "CustomerType": "text",
    "BuyerOrganizationCode": "text",
    "CustomerClassificationCode": "text",
    "Status": "text",
}
CONTACT_FIELDS = {
    "CustomerContactID": "text",
    "FirstName": "text",
    "LastName": "text",
    "EmailID": "text",
    "DayPhone": "text",
    "MobilePhone": "text",
}
TYPES = ("01", "02")
ACTIONS = ("MANAGE", "CREATE", "MODIFY", "DELETE")


def contacts(doc: Doc) -> list[Doc]:
    return as_list((doc.get("CustomerContactList") or {}).get("CustomerContact"))


def compile_customers(doc: Doc) -> CompiledQuery:
    """getCustomerList's query: Customer attributes, and ``CustomerContactList/CustomerContact`` attributes
    (a customer matches when any contact does)."""
    query = compile_query(doc, dict(FIELDS))
    wrapper = doc.get("CustomerContactList")
    contact = wrapper.get("CustomerContact") if isinstance(wrapper, dict) else None
    contact = contact[0] if isinstance(contact, list) and contact else contact
    if isinstance(contact, dict):
        sub = compile_query(contact, dict(CONTACT_FIELDS))
        if sub.conditions or sub.complex is not None:
            query.extra.append(lambda view: any(sub.matches(c) for c in view.get("_contacts", ())))
    return query


def view(doc: Doc) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in doc.items() if isinstance(v, str)}
    out["_contacts"] = [{k: v for k, v in c.items() if isinstance(v, str)} for c in contacts(doc)]
    return out


def search(ctx: Ctx, query: CompiledQuery, limit: int | None) -> tuple[list[Doc], bool]:
    return records.search(ctx, records.CUSTOMERS, query, limit, view)


def flat(doc: Doc) -> Doc:
    """getCustomerList's default item: the customer's attributes only [DOC]."""
    return {k: v for k, v in doc.items() if isinstance(v, str)}


def details(doc: Doc) -> Doc:
    """getCustomerDetails' shape: every attribute and element, with the lists' wrappers always present."""
    out = dict(doc)
    out.setdefault("CustomerContactList", {})
    out.setdefault("CustomerSchedulingPreferences", {})
    return out


def find(ctx: Ctx, doc: Doc, *, required: bool = True) -> Doc | None:
    """The customer named by ``CustomerKey``, or ``CustomerID`` (+ ``OrganizationCode``)."""
    key, customer_id = present(doc, "CustomerKey"), present(doc, "CustomerID")
    org = present(doc, "OrganizationCode")
    if key is None and customer_id is None:
        if not required:
            return None
        raise MandatoryMissing(
            "Give CustomerID (with OrganizationCode) or CustomerKey.", attributes={"Name": "CustomerID"}
        )
    if customer_id is not None:  # the natural key decides; a CustomerKey beside it only narrows ties
        where = {"CustomerID": customer_id, **({"OrganizationCode": org} if org else {})}
        found = records.find(ctx, records.CUSTOMERS, **where)
        found = [d for d in found if d.get("CustomerKey") == key] or found
    else:
        found = search(ctx, compile_query({"CustomerKey": key or ""}, {"CustomerKey": "text"}), 1)[0]
    if found:
        return found[0]
    if not required:
        return None
    attributes = {"CustomerID": customer_id or "", "OrganizationCode": org or "", "CustomerKey": key or ""}
    raise CustomerNotFound(
        f"Customer {customer_id or key} does not exist.",
        attributes={k: v for k, v in attributes.items() if v},
    )


def by_id(ctx: Ctx, customer_id: str, org: str = "") -> Doc | None:
    """The customer an order's ``BillToID`` names: its enterprise's first, else any with that ID."""
    found = records.find(ctx, records.CUSTOMERS, CustomerID=customer_id)
    return next((d for d in found if d.get("OrganizationCode") == org), found[0] if found else None)


# ------------------------------------------------------------------------------------------ manageCustomer


def action_of(doc: Doc) -> str:
    raw = present(doc, "Operation") or present(doc, "Action") or "Manage"
    if raw.upper() not in ACTIONS:
        raise InvalidValue(
            f"Operation={raw!r}: use Manage, Create, Modify or Delete.",
            attributes={"Name": "Operation", "Value": raw},
        )
    return raw.upper()


def check(doc: Doc) -> None:
    """Shape checks of a manageCustomer input (before anything is written)."""
    ctype = present(doc, "CustomerType")
    if ctype is not None and ctype not in TYPES:
        raise InvalidValue(
            f"CustomerType={ctype!r}: use 01 (business) or 02 (consumer).",
            attributes={"Name": "CustomerType", "Value": ctype},
        )
    wrapper = doc.get("CustomerContactList")
    if wrapper is not None and wrapper != "" and not isinstance(wrapper, dict):
        raise InvalidValue(
            "CustomerContactList must be an element.", attributes={"Name": "CustomerContactList"}
        )
    for contact in _elements(wrapper, "CustomerContact"):
        _elements(contact.get("CustomerAdditionalAddressList"), "CustomerAdditionalAddress")
        _elements(contact.get("CustomerPaymentMethodList"), "CustomerPaymentMethod")


def _elements(wrapper: Any, name: str) -> list[Doc]:
    if wrapper is None or wrapper == "":
        return []
    if not isinstance(wrapper, dict):
        raise InvalidValue(f"{name}List must be an element.", attributes={"Name": name})
    raw = wrapper.get(name)
    found = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    if not all(isinstance(item, dict) for item in found):
        raise InvalidValue(f"{name} must be elements.", attributes={"Name": name})
    return found


def merged(old: Doc | None, given: Doc, key: str, customer_id: str, new_id: Any) -> Doc:
    """The stored customer after a change: attributes replaced where given; contacts merged by
    CustomerContactID, their addresses by CustomerAdditionalAddressID and payment methods by
    DisplayCreditCardNo+PaymentType (entries without an ID are added with a new one) [INF]."""
    doc: Doc = dict(old or {})
    for name, value in given.items():
        if name in ("Operation", "Action"):
            continue
        if isinstance(value, str):
            doc[name] = value
        elif name == "CustomerContactList" and isinstance(value, dict):
            doc[name] = {
                "CustomerContact": _merge_list(
                    contacts(doc),
                    _elements(value, "CustomerContact"),
                    "CustomerContactID",
                    new_id,
                    _merge_contact,
                )
            }
        elif isinstance(value, dict):
            kept = doc.get(name)  # a name stored as an attribute before is replaced, not merged (issue 21)
            doc[name] = {**(kept if isinstance(kept, dict) else {}), **value}
    doc["CustomerKey"] = key
    doc["CustomerID"] = customer_id
    doc.setdefault("CustomerType", "02")
    doc.setdefault("Status", "10")
    return doc


def _merge_contact(old: Doc, new: Doc, new_id: Any) -> Doc:
    out = {**old, **{k: v for k, v in new.items() if isinstance(v, str)}}
    for wrapper, name, ident in (
        ("CustomerAdditionalAddressList", "CustomerAdditionalAddress", "CustomerAdditionalAddressID"),
        ("CustomerPaymentMethodList", "CustomerPaymentMethod", "CustomerPaymentMethodKey"),
    ):
        if isinstance(new.get(wrapper), dict):
            before = as_list((old.get(wrapper) or {}).get(name))
            out[wrapper] = {
                name: _merge_list(before, _elements(new[wrapper], name), ident, new_id, _merge_flat)
            }
    for name, value in new.items():
        if isinstance(value, dict) and name not in (
            "CustomerAdditionalAddressList",
            "CustomerPaymentMethodList",
        ):
            out[name] = value
    return out


def _merge_flat(old: Doc, new: Doc, new_id: Any) -> Doc:
    out = {**old, **new}
    if isinstance(old.get("PersonInfo"), dict) and isinstance(new.get("PersonInfo"), dict):
        out["PersonInfo"] = {**old["PersonInfo"], **new["PersonInfo"]}
    return out


def _merge_list(old: list[Doc], new: list[Doc], ident: str, new_id: Any, merge: Any) -> list[Doc]:
    out = {str(entry.get(ident, "")): dict(entry) for entry in old}
    for entry in new:
        given = present(entry, ident)
        if given is not None and given in out:
            out[given] = merge(out[given], entry, new_id)
        else:
            made = merge({}, entry, new_id)
            made[ident] = given or new_id()
            out[made[ident]] = made
    return list(out.values())
