"""Organizations, ship nodes and customers: getOrganizationList, getOrganizationHierarchy, getShipNodeList,
manageCustomer, getCustomerList, getCustomerDetails (reference §14).  Organizations and nodes come from the
master data (``domain/catalog/nodes.py``); customers from ``domain/catalog/customers.py``."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.catalog import cap, listed
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import MandatoryMissing, RecordAlreadyExists
from sterling_mock.mock_server.domain.catalog import customers, nodes
from sterling_mock.mock_server.domain.context import Ctx, Output
from sterling_mock.mock_server.domain.itemmaster import records
from sterling_mock.mock_server.domain.queries.query import compile_query, present
from sterling_mock.mock_server.domain.queries.templates import apply_template

ORG_FIELDS = {
    "OrganizationCode": "text",
    "OrganizationKey": "text",
    "OrganizationName": "text",
    "ParentOrganizationCode": "text",
    "IsEnterprise": "text",
    "IsSeller": "text",
    "IsNode": "text",
    "IsLegalEntity": "text",
    "PrimaryEnterpriseKey": "text",
}
NODE_FIELDS = {
    "ShipNode": "text",
    "ShipnodeKey": "text",
    "Description": "text",
    "NodeType": "text",
    "OwnerKey": "text",
    "Latitude": "number",
    "Longitude": "number",
    "ShippingNode": "text",
    "ReceivingNode": "text",
    "ReturnsNode": "text",
}


def _shaped(ctx: Ctx, root: str, doc: Doc) -> Output:
    return Output(root, apply_template(root, doc, ctx.template) if ctx.template else doc)


def get_organization_list(ctx: Ctx, doc: Doc) -> Output:
    """getOrganizationList: ``OrganizationList`` of the organizations matching the input ``Organization``
    (OrganizationCode, IsEnterprise, IsNode, IsSeller, ParentOrganizationCode, ... with QryTypes), each with
    OrgRoleList and CorporatePersonInfo, ContactPersonInfo, BillingPersonInfo and Node [DOC].

    The organizations are ``DEFAULT`` (the root [INF]), the master data's enterprises, sellers and nodes
    (a node is an organization with ``IsNode="Y"``).  An unknown OrganizationCode matches nothing [INF].
    """
    query = compile_query(doc, dict(ORG_FIELDS))
    found = query.sort([o for o in nodes.organizations(ctx) if query.matches(o)])
    limit = cap(ctx, query)
    return listed(
        ctx,
        doc,
        ("OrganizationList", "Organization", "OrganizationKey"),
        (found[:limit], len(found) > limit),
        dict,
    )


def get_organization_hierarchy(ctx: Ctx, doc: Doc) -> Output:
    """getOrganizationHierarchy: the organization (``OrganizationCode``) with OrgRoleList and
    ``SubOrganization/Organization`` for each child organization, recursively [DOC].  An unknown organization
    is MOCK0202 [INF]."""
    code = present(doc, "OrganizationCode") or present(doc, "OrganizationKey")
    if code is None:
        raise MandatoryMissing(
            "getOrganizationHierarchy needs OrganizationCode.", attributes={"Name": "OrganizationCode"}
        )
    return _shaped(ctx, "Organization", nodes.hierarchy(ctx, code))


def get_ship_node_list(ctx: Ctx, doc: Doc) -> Output:
    """getShipNodeList: ``ShipNodeList`` of the master data's nodes matching the input ``ShipNode`` (ShipNode,
    NodeType, OwnerKey, ... with QryTypes), each with Description, NodeType, OwnerKey, Latitude, Longitude,
    TimeZone, ShippingNode/ReceivingNode/ReturnsNode, InventoryTracked, ShipNodePersonInfo (its address) and
    OwnerOrganization [DOC].  Every node may ship, receive and take returns [INF]; TimeDiff is empty."""
    query = compile_query(doc, dict(NODE_FIELDS))
    found = query.sort([n for n in nodes.ship_nodes(ctx) if query.matches(n)])
    limit = cap(ctx, query)
    return listed(
        ctx, doc, ("ShipNodeList", "ShipNode", "ShipnodeKey"), (found[:limit], len(found) > limit), dict
    )


# ------------------------------------------------------------------------------------------ customers


def manage_customer(ctx: Ctx, doc: Doc) -> Output:
    """manageCustomer: creates or changes a customer (``Operation`` Manage (default), Create, Modify or Delete
    [INF]) by CustomerID + OrganizationCode (or CustomerKey).  A new customer without CustomerID gets
    ``CUST<n>`` [INF].  Contacts merge by CustomerContactID, their addresses by CustomerAdditionalAddressID
    (entries without an ID are added) [INF].  OrganizationCode must be an organization on file (MOCK0202);
    CustomerType 01 (business) or 02 (consumer, the default).  Create of an existing customer is YFC0001;
    Modify or Delete of a missing one MOCK0950.  Answers the customer as getCustomerDetails does.
    """
    action = customers.action_of(doc)
    customers.check(doc)
    org = present(doc, "OrganizationCode")
    old = customers.find(ctx, doc, required=action in ("MODIFY", "DELETE"))
    if old is None and org is None:
        raise MandatoryMissing(
            "manageCustomer needs OrganizationCode.", attributes={"Name": "OrganizationCode"}
        )
    if org is not None:
        nodes.organization(ctx, org)
    if action == "CREATE" and old is not None:
        raise RecordAlreadyExists(
            f"Customer {old['CustomerID']} already exists.",
            attributes={
                "CustomerID": str(old["CustomerID"]),
                "OrganizationCode": str(old["OrganizationCode"]),
            },
        )
    records.materialise(ctx, records.CUSTOMERS)
    if action == "DELETE" and old is not None:
        records.remove(ctx, records.CUSTOMERS, str(old["CustomerKey"]))
        return _shaped(ctx, "Customer", customers.flat(old))
    key = str(old["CustomerKey"]) if old else ctx.new_key()
    customer_id = str(old["CustomerID"]) if old else present(doc, "CustomerID") or _new_id(ctx, str(org))
    new = customers.merged(old, doc, key, customer_id, ctx.new_key)
    records.put(ctx, records.CUSTOMERS, new)
    return _shaped(ctx, "Customer", customers.details(new))


def _new_id(ctx: Ctx, org: str) -> str:
    """``CUST<n>`` from a sequence, skipping IDs a caller already gave a customer of the organization."""
    while True:
        candidate = ctx.sequence_text("customer_id", 900001, "CUST{:06d}")
        if not records.find(ctx, records.CUSTOMERS, CustomerID=candidate, OrganizationCode=org):
            return candidate


def get_customer_list(ctx: Ctx, doc: Doc) -> Output:
    """getCustomerList: ``CustomerList LastCustomerKey LastRecordSet TotalCustomerList`` of the customers
    matching the input (CustomerID, OrganizationCode, CustomerType, BuyerOrganizationCode,
    CustomerClassificationCode, Status, and ``CustomerContactList/CustomerContact`` EmailID, FirstName,
    LastName, DayPhone... with QryTypes, ComplexQuery, OrderBy, MaximumRecords).  Flat by default (the
    customer's attributes) [DOC]; a template reaches CustomerContactList/CustomerContact/
    CustomerAdditionalAddressList/CustomerAdditionalAddress/PersonInfo.  The input's root name is not
    checked (IBM's agent tools send an ``Order`` root) [OBS].  Default order: CustomerKey ascending."""
    query = customers.compile_customers(doc)
    found = customers.search(ctx, query, cap(ctx, query))
    shape = customers.flat if ctx.template is None else customers.details
    return listed(ctx, doc, ("CustomerList", "Customer", "CustomerKey"), found, shape)


def get_customer_details(ctx: Ctx, doc: Doc) -> Output:
    """getCustomerDetails by CustomerKey or CustomerID (+ OrganizationCode): the customer with BuyerOrganization
    (business) or Consumer/BillingPersonInfo (consumer), CustomerContactList (contacts with
    CustomerAdditionalAddressList and CustomerPaymentMethodList) and CustomerSchedulingPreferences [DOC].
    Unknown customer: MOCK0950 [INF: no capture of the real error]."""
    found = customers.find(ctx, doc)
    assert found is not None
    return _shaped(ctx, "Customer", customers.details(found))


APIS = {
    "getOrganizationList": ApiSpec(get_organization_list, "Organization", "OrganizationList"),
    "getOrganizationHierarchy": ApiSpec(get_organization_hierarchy, "Organization", "Organization"),
    "getShipNodeList": ApiSpec(get_ship_node_list, "ShipNode", "ShipNodeList"),
    "manageCustomer": ApiSpec(manage_customer, "Customer", "Customer", writes=True),
    "getCustomerList": ApiSpec(get_customer_list, "Customer", "CustomerList"),
    "getCustomerDetails": ApiSpec(get_customer_details, "Customer", "Customer"),
}
