"""The default catalogue, customers and common codes of every namespace: deterministic from the seed and the
master-data file, generated in a few milliseconds (plain ``random.Random`` over the word lists below, no Faker
on the fake's start path) and kept as immutable derived data, like the master-data file itself.

The master-data file may add to them: its ``items`` (flat ``ItemID ItemDesc UnitOfMeasure ProductClass
UnitPrice``, or with ``PrimaryInformation`` and the other item elements), ``customers`` (Customer documents) and
``commonCodes`` (CommonCode attributes); ``"catalogue": {"items": N, "customers": N}`` sets how many are
generated beside them (300 and 300 by default; 0 for none).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sterling_mock.client.wire import Doc

DEFAULT_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "masterdata.json"
#: The organization default items and codes belong to (Sterling's root organization) [INF].
CATALOG_ORG = "DEFAULT"
ITEM_KEY_BASE = "20240101000000000"
CUSTOMER_KEY_BASE = "20240101000001"
CODE_KEY_BASE = "20240101000002"
GENERATED_ITEMS = 300
GENERATED_CUSTOMERS = 300
IMAGE_BASE = "https://images.example.com/catalog"

WORDS_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "catalogue.json"
_WORDS = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
#: (family, noun, department, price range in cents, weight in lb, brands, sizes)
FAMILIES: tuple[tuple[str, str, str, tuple[int, int], str, tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (f[0], f[1], f[2], (int(f[3][0]), int(f[3][1])), f[4], tuple(f[5]), tuple(f[6]))
    for f in _WORDS["families"]
)
COLOURS: tuple[str, ...] = tuple(_WORDS["colours"])
FIRST: list[str] = list(_WORDS["first_names"])
LAST: list[str] = list(_WORDS["last_names"])
STREETS: tuple[str, ...] = tuple(_WORDS["streets"])
#: (city, state, zip prefix, latitude, longitude)
CITIES: tuple[tuple[str, ...], ...] = tuple(tuple(c) for c in _WORDS["cities"])
COMPANIES: tuple[str, ...] = tuple(_WORDS["companies"])
CLASSES: tuple[str, ...] = tuple(_WORDS["classes"])
CARDS: tuple[str, ...] = tuple(_WORDS["cards"])
ENTERPRISES = ("Matrix-R", "Aurora", "NorthWind", "Globex")
#: CodeType -> [(CodeValue, short description, long description)], seeded for every organization.
#: ``ORDER_HOLD_TYPE`` lists the hold types orders may carry (issue 25 reads them) [INF: real instances keep
#: hold types in their own configuration; common codes are where integrators look them up].
COMMON_CODES: dict[str, list[tuple[str, str, str]]] = {
    code_type: [(v[0], v[1], v[2]) for v in values] for code_type, values in _WORDS["common_codes"].items()
}


@dataclass(frozen=True)
class Defaults:
    """A namespace's starting items, customers and common codes, in key order."""

    items: tuple[Doc, ...]
    customers: tuple[Doc, ...]
    codes: tuple[Doc, ...]


def defaults(seed: int, path: str) -> Defaults:
    """The defaults for a seed and a master-data file (empty: the packaged one), computed once per process."""
    source = Path(path) if path else DEFAULT_FILE
    try:
        stamp = source.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _defaults(seed, str(source), stamp)


@lru_cache(maxsize=8)
def _defaults(seed: int, path: str, stamp: int) -> Defaults:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    found = raw.get("catalogue")
    counts: dict[str, Any] = found if isinstance(found, dict) else {}
    rng = random.Random(f"catalogue-{seed}")
    items = [file_item(entry) for entry in raw.get("items", []) if isinstance(entry, dict)]
    taken = {item["ItemID"] for item in items}
    items += generated_items(rng, _count(counts, "items", GENERATED_ITEMS), taken)
    for index, item in enumerate(items):
        item["ItemKey"] = f"{ITEM_KEY_BASE}{index + 1:06d}"
    customers = [dict(c) for c in raw.get("customers", []) if isinstance(c, dict) and c.get("CustomerID")]
    customers += generated_customers(rng, _count(counts, "customers", GENERATED_CUSTOMERS))
    for index, customer in enumerate(customers):
        customer.setdefault("CustomerKey", f"{CUSTOMER_KEY_BASE}{index + 1:09d}")
    customers.sort(key=lambda c: str(c["CustomerKey"]))
    codes = common_codes([c for c in raw.get("commonCodes", []) if isinstance(c, dict)])
    return Defaults(tuple(items), tuple(customers), tuple(codes))


def _count(counts: dict[str, Any], name: str, default: int) -> int:
    value = counts.get(name, default)
    return max(0, min(int(value), 100_000)) if isinstance(value, int) else default


# ------------------------------------------------------------------------------------------ items


def file_item(entry: dict[str, Any]) -> Doc:
    """An item of the master-data file as an item-master document (flat entries get PrimaryInformation)."""
    doc: Doc = {k: str(v) for k, v in entry.items() if not isinstance(v, (dict, list)) and k not in FLAT_ONLY}
    doc.setdefault("OrganizationCode", CATALOG_ORG)
    doc.setdefault("UnitOfMeasure", "EACH")
    doc.setdefault("ItemGroupCode", "PROD")
    primary = dict(entry.get("PrimaryInformation") or {})
    description = str(entry.get("ItemDesc", "") or doc["ItemID"])
    primary.setdefault("Description", description)
    primary.setdefault("ShortDescription", description)
    primary.setdefault("DefaultProductClass", str(entry.get("ProductClass", "GOOD")))
    primary.setdefault("UnitCost", str(entry.get("UnitPrice", "0.00")))
    primary.setdefault("CostCurrency", "USD")
    primary.setdefault("ItemType", "REGULAR")
    primary.setdefault("Status", "3000")
    doc["PrimaryInformation"] = {k: str(v) for k, v in primary.items()}
    for name in ("ClassificationCodes", "InventoryParameters", "ItemAliasList", "Extn", "CategoryList"):
        if isinstance(entry.get(name), dict):
            doc[name] = entry[name]
    if "UnitPrice" in entry:
        price = str(entry["UnitPrice"])
        doc.setdefault("ComputedPrice", {"ListPrice": price, "UnitPrice": price})
    return doc


FLAT_ONLY = frozenset({"ItemDesc", "ProductClass", "UnitPrice"})


def generated_items(rng: random.Random, count: int, taken: set[str]) -> list[Doc]:
    out: list[Doc] = []
    serial = 200
    while len(out) < count:
        family, noun, department, (low, high), weight, brands, sizes = FAMILIES[len(out) % len(FAMILIES)]
        item_id = f"{family}-{serial + len(out) // len(FAMILIES)}"
        if item_id in taken:
            serial += 1
            continue
        out.append(_item(rng, item_id, family, noun, department, low, high, weight, brands, sizes))
    return out


def _item(
    rng: random.Random,
    item_id: str,
    family: str,
    noun: str,
    department: str,
    low: int,
    high: int,
    weight: str,
    brands: tuple[str, ...],
    sizes: tuple[str, ...],
) -> Doc:
    brand, colour, size = rng.choice(brands), rng.choice(COLOURS), rng.choice(sizes)
    short = f"{brand} {noun}"
    description = f"{short}, {colour}" + (f", {size}" if size else "")
    price = Decimal(rng.randint(low, high) // 100 * 100 + 99) / 100
    cost = (price * Decimal("0.45")).quantize(Decimal("0.01"))
    pack = family == "MUG" and rng.random() < 0.15
    upc = "".join(str(rng.randint(0, 9)) for _ in range(12))
    return {
        "ItemID": item_id,
        "OrganizationCode": CATALOG_ORG,
        "UnitOfMeasure": "CASE" if pack else "EACH",
        "ItemGroupCode": "PROD",
        "GlobalItemID": upc,
        "PrimaryInformation": {
            "Description": description,
            "ShortDescription": short,
            "ExtendedDescription": f"{description}. {department} by {brand}.",
            "DefaultProductClass": "GOOD",
            "ItemType": "REGULAR",
            "Status": "3000",
            "UnitCost": str(cost),
            "CostCurrency": "USD",
            "IsShippingAllowed": "Y",
            "IsPickupAllowed": "N" if family in ("JKT", "WCH") else "Y",
            "IsDeliveryAllowed": "N",
            "IsReturnable": "Y",
            "ManufacturerName": brand,
            "ImageID": f"{item_id}.jpg",
            "ImageLocation": f"{IMAGE_BASE}/{family.lower()}",
            "UnitWeight": weight,
            "UnitWeightUOM": "LBS",
            "ColorCode": colour.upper(),
            "SizeCode": size,
        },
        "ClassificationCodes": {
            "TaxProductCode": "NT" if department == "Kitchen" else "PC040100",
            "VelocityCode": rng.choice("AABC"),
            "Model": f"{family}{rng.randint(10, 99)}",
        },
        "InventoryParameters": {
            "ATPRule": "DEFAULT",
            "InventoryMonitorRule": "",
            "IsSerialTracked": "Y" if family == "WCH" else "N",
        },
        "ItemAliasList": {"ItemAlias": [{"AliasName": "UPC", "AliasValue": upc}]},
        "CategoryList": {
            "Category": [{"CategoryID": family, "CategoryPath": f"/{CATALOG_ORG}/{department}/{family}"}]
        },
        "ComputedPrice": {"ListPrice": str(price), "UnitPrice": str(price)},
        "Extn": {"ExtnBrand": brand, "ExtnDepartment": department},
    }


# ------------------------------------------------------------------------------------------ customers


def generated_customers(rng: random.Random, count: int) -> list[Doc]:
    return [_customer(rng, index) for index in range(count)]


def _person(rng: random.Random, first: str, last: str, email: str) -> Doc:
    city, state, zip_prefix, lat, lon = rng.choice(CITIES)
    return {
        "FirstName": first,
        "LastName": last,
        "AddressLine1": f"{rng.randint(10, 9899)} {rng.choice(STREETS)}",
        "City": city,
        "State": state,
        "ZipCode": f"{zip_prefix}{rng.randint(0, 99):02d}",
        "Country": "US",
        "EMailID": email,
        "DayPhone": f"+1{rng.randint(201, 989)}{rng.randint(2000000, 9999999)}",
        "Latitude": lat,
        "Longitude": lon,
    }


def _customer(rng: random.Random, index: int) -> Doc:
    customer_id = f"CUST{100001 + index}"
    business = rng.random() < 0.2
    enterprise = ENTERPRISES[index % len(ENTERPRISES)]
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first}.{last}{index + 1}@example.com".lower()
    home = _person(rng, first, last, email)
    addresses = [
        {
            "CustomerAdditionalAddressID": f"{customer_id}-A1",
            "IsBillTo": "Y",
            "IsShipTo": "Y",
            "IsSoldTo": "Y",
            "IsDefaultBillTo": "Y",
            "IsDefaultShipTo": "Y",
            "IsDefaultSoldTo": "Y",
            "PersonInfo": home,
        }
    ]
    if rng.random() < 0.35:
        other = _person(rng, first, last, email)
        addresses.append(
            {
                "CustomerAdditionalAddressID": f"{customer_id}-A2",
                "IsBillTo": "N",
                "IsShipTo": "Y",
                "IsSoldTo": "N",
                "IsDefaultBillTo": "N",
                "IsDefaultShipTo": "N",
                "IsDefaultSoldTo": "N",
                "PersonInfo": other,
            }
        )
    card = rng.choice(CARDS)
    contact: Doc = {
        "CustomerContactID": f"{customer_id}-C1",
        "FirstName": first,
        "LastName": last,
        "EmailID": email,
        "DayPhone": home["DayPhone"],
        "MobilePhone": f"+1{rng.randint(201, 989)}{rng.randint(2000000, 9999999)}",
        "CustomerAdditionalAddressList": {"CustomerAdditionalAddress": addresses},
        "CustomerPaymentMethodList": {
            "CustomerPaymentMethod": [
                {
                    "PaymentType": "CREDIT_CARD",
                    "CreditCardType": card,
                    "CreditCardName": f"{first} {last}",
                    "DisplayCreditCardNo": f"{rng.randint(0, 9999):04d}",
                    "CreditCardExpDate": f"{rng.randint(1, 12):02d}/{rng.randint(2027, 2031)}",
                    "IsDefaultMethod": "Y",
                }
            ]
        },
    }
    doc: Doc = {
        "CustomerID": customer_id,
        "CustomerType": "01" if business else "02",
        "OrganizationCode": enterprise,
        "CustomerClassificationCode": rng.choice(CLASSES),
        "Status": "10",
        "CustomerContactList": {"CustomerContact": [contact]},
        "CustomerSchedulingPreferences": {
            "IsLineShipComplete": "N",
            "IsLineShipSingleNode": "N",
            "OptimizationType": "01",
        },
    }
    if business:
        company = COMPANIES[index % len(COMPANIES)]
        code = company.upper().replace(" ", "_") + f"_{index + 1}"
        doc["BuyerOrganizationCode"] = code
        doc["BuyerOrganization"] = {"OrganizationCode": code, "OrganizationName": company}
        home["Company"] = company
    else:
        doc["Consumer"] = {"BillingPersonInfo": dict(home)}
    return doc


# ------------------------------------------------------------------------------------------ common codes


def common_codes(extra: list[dict[str, Any]]) -> list[Doc]:
    """The seeded codes for ``DEFAULT`` and every enterprise, then the file's own (which replace a seeded
    code with the same organization, type and value)."""
    rows: dict[tuple[str, str, str], Doc] = {}
    for org in (CATALOG_ORG, *ENTERPRISES):
        for code_type, values in COMMON_CODES.items():
            for value, short, long in values:
                rows[(org, code_type, value)] = {
                    "CodeType": code_type,
                    "CodeValue": value,
                    "CodeShortDescription": short,
                    "CodeLongDescription": long,
                    "CodeName": short,
                    "OrganizationCode": org,
                    "DocumentType": "",
                    "MeantForEnterprise": "N" if org == CATALOG_ORG else "Y",
                    "SystemDefinedCode": "N",
                }
    for entry in extra:
        doc = {k: str(v) for k, v in entry.items() if not isinstance(v, (dict, list))}
        if doc.get("CodeType") and doc.get("CodeValue"):
            doc.setdefault("OrganizationCode", CATALOG_ORG)
            rows[(doc["OrganizationCode"], doc["CodeType"], doc["CodeValue"])] = doc
    out = []
    for index, (_, doc) in enumerate(sorted(rows.items())):
        out.append({**doc, "CommonCodeKey": doc.get("CommonCodeKey") or f"{CODE_KEY_BASE}{index + 1:09d}"})
    return out
