"""Organizations and ship nodes as Sterling answers them, built from the master data (enterprises, sellers,
nodes; ``domain/masterdata.py``): the namespace's loaded copy when it has one, else the file itself.

The hierarchy [INF]: ``DEFAULT`` (Sterling's root organization, which owns the default catalogue and codes)
is the parent of every enterprise; a seller's parent is its enterprise; a node's parent is its owner.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.base.errors import UnknownOrganization
from sterling_mock.mock_server.domain import masterdata
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.itemmaster import defaults
from sterling_mock.mock_server.store.schema import lifecycle as md

ADDRESS = ("AddressLine1", "AddressLine2", "City", "State", "ZipCode", "Country", "DayPhone", "EMailID")
NODE_ATTRS = ("ShipNode", "Description", "NodeType", "OwnerKey", "Latitude", "Longitude", "TimeZone")
ROLES = {"enterprise": "ENTERPRISE", "seller": "SELLER", "node": "NODE"}


@lru_cache(maxsize=8)
def _file(path: str, stamp: int) -> masterdata.MasterData:
    return masterdata.load_file(path)


def _data(ctx: Ctx) -> masterdata.MasterData:
    source = Path(ctx.settings.master_data_file) if ctx.settings.master_data_file else masterdata.DEFAULT_FILE
    try:
        stamp = source.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _file(str(source), stamp)


def records(ctx: Ctx, kind: str) -> list[dict[str, Any]]:
    """The master data's records of one kind (``enterprise``, ``seller``, ``node``, ``item``), by code."""
    if md.md_loaded(ctx.tx, ctx.ns):
        return md.md_all(ctx.tx, ctx.ns, kind)
    return sorted(
        (doc for k, _, doc in _data(ctx).records if k == kind), key=lambda d: str(d[masterdata.KEYS[kind]])
    )


def supply(ctx: Ctx) -> list[tuple[str, str, float]]:
    if md.md_loaded(ctx.tx, ctx.ns):
        rows = ctx.tx.conn.execute(
            "SELECT item_id, node, qty FROM md_supply WHERE ns=? ORDER BY item_id, node", (ctx.ns,)
        ).fetchall()
        return [(str(r[0]), str(r[1]), float(r[2])) for r in rows]
    return sorted(_data(ctx).supply)


# ------------------------------------------------------------------------------------------ nodes


def person(doc: dict[str, Any], company: str = "") -> Doc:
    out = {k: str(doc[k]) for k in ADDRESS if doc.get(k)}
    if company:
        out["Company"] = company
    return out


def ship_node(ctx: Ctx, node: dict[str, Any], owners: dict[str, dict[str, Any]]) -> Doc:
    """A ShipNode as getShipNodeList answers it [DOC]."""
    code = str(node["ShipNode"])
    owner = str(node.get("OwnerKey", ""))
    out: Doc = {"ShipnodeKey": code}  # the first *Key: getPage's LastRecord names the node by it
    out.update({k: str(node.get(k, "")) for k in NODE_ATTRS})
    store = str(node.get("NodeType", "")).lower() == "store"
    out.update(
        {
            "NodeOrgCode": code,
            "ShippingNode": "Y",
            "ReceivingNode": "Y",
            "ReturnsNode": "Y",
            "InventoryTracked": "Y",
            "CanShipToStore": "Y" if store else "N",
            "TimeDiff": "",
            "ShipNodePersonInfo": person(node, str(node.get("Description", ""))),
            "OwnerOrganization": {
                "OrganizationCode": owner,
                "OrganizationName": str(owners.get(owner, {}).get("OrganizationName", owner)),
            },
        }
    )
    return out


def ship_nodes(ctx: Ctx) -> list[Doc]:
    owners = {str(e["OrganizationCode"]): e for e in records(ctx, "enterprise")}
    return [ship_node(ctx, node, owners) for node in records(ctx, "node")]


# ------------------------------------------------------------------------------------------ organizations


def organizations(ctx: Ctx) -> list[Doc]:
    """Every organization: DEFAULT, the enterprises, the sellers that are not enterprises, the nodes."""
    enterprises = records(ctx, "enterprise")
    nodes = {str(n["ShipNode"]): n for n in records(ctx, "node")}
    by_code: dict[str, Doc] = {}
    by_code[defaults.CATALOG_ORG] = _org(defaults.CATALOG_ORG, "Default Organization", "", ["ENTERPRISE"])
    for e in enterprises:
        code = str(e["OrganizationCode"])
        node = nodes.get(str(e.get("DefaultShipNode", "")), {})
        org = _org(code, str(e.get("OrganizationName", code)), defaults.CATALOG_ORG, ["ENTERPRISE", "SELLER"])
        org.update(
            CatalogOrganizationCode=defaults.CATALOG_ORG,
            PrimaryEnterpriseKey=code,
            CorporatePersonInfo=person(node, str(e.get("OrganizationName", code))),
        )
        org["ContactPersonInfo"] = dict(org["CorporatePersonInfo"])
        org["BillingPersonInfo"] = dict(org["CorporatePersonInfo"])
        by_code[code] = org
    for s in records(ctx, "seller"):
        code = str(s["OrganizationCode"])
        if code in by_code:
            continue
        parent = str(s.get("EnterpriseCode", ""))
        org = _org(code, str(s.get("OrganizationName", code)), parent, ["SELLER"])
        org.update(
            InventoryOrganizationCode=parent,
            CatalogOrganizationCode=defaults.CATALOG_ORG,
            PrimaryEnterpriseKey=parent,
        )
        by_code[code] = org
    for code, n in nodes.items():
        if code in by_code:
            continue
        owner = str(n.get("OwnerKey", ""))
        org = _org(code, str(n.get("Description", code)), owner, ["NODE"])
        org.update(
            IsNode="Y",
            InventoryOrganizationCode=owner,
            CatalogOrganizationCode=defaults.CATALOG_ORG,
            PrimaryEnterpriseKey=owner,
            CorporatePersonInfo=person(n, str(n.get("Description", code))),
            Node={k: str(n.get(k, "")) for k in NODE_ATTRS},
        )
        by_code[code] = org
    return list(by_code.values())


def _org(code: str, name: str, parent: str, roles: list[str]) -> Doc:
    return {
        "OrganizationCode": code,
        "OrganizationKey": code,
        "OrganizationName": name,
        "ParentOrganizationCode": parent,
        "InventoryOrganizationCode": code,
        "CatalogOrganizationCode": code,
        "PrimaryEnterpriseKey": code,
        "IsEnterprise": "Y" if "ENTERPRISE" in roles else "N",
        "IsSeller": "Y" if "SELLER" in roles else "N",
        "IsNode": "N",
        "IsLegalEntity": "Y",
        "LocaleCode": "en_US_EST",
        "CorporatePersonInfo": {},
        "ContactPersonInfo": {},
        "BillingPersonInfo": {},
        "Node": {},
        "OrgRoleList": {"OrgRole": [{"RoleKey": role} for role in roles]},
    }


def organization(ctx: Ctx, code: str, attribute: str = "OrganizationCode") -> Doc:
    for org in organizations(ctx):
        if org["OrganizationCode"] == code:
            return org
    raise UnknownOrganization(f"Organization {code} does not exist.", attributes={attribute: code})


def hierarchy(ctx: Ctx, code: str, depth: int = 0) -> Doc:
    """The organization with ``SubOrganization/Organization`` for each child, recursively."""
    everything = organizations(ctx)
    root = organization(ctx, code)

    def build(org: Doc, level: int) -> Doc:
        out = dict(org)
        children = [o for o in everything if o["ParentOrganizationCode"] == org["OrganizationCode"]]
        if children and level < 8:
            out["SubOrganization"] = {"Organization": [build(child, level + 1) for child in children]}
        return out

    return build(root, depth)


# ------------------------------------------------------------------------------------------ item nodes


def item_node_definitions(ctx: Ctx) -> list[Doc]:
    """One definition per (item, node) the master data stocks, keyed ``<ItemID>:<Node>`` [INF]."""
    uoms = {str(i["ItemID"]): str(i.get("UnitOfMeasure", "EACH")) for i in records(ctx, "item")}
    return [
        {
            "ItemID": item,
            "Node": node,
            "OrganizationCode": defaults.CATALOG_ORG,
            "UnitOfMeasure": uoms.get(item, "EACH"),
            "ItemNodeDefnKey": f"{item}:{node}",
            "ProductClass": "GOOD",
            "InventoryTracked": "Y",
        }
        for item, node, _ in supply(ctx)
    ]
