"""Catalogue figures (issue 23): getItemList and getCustomerList, 20 per page, at 1,000 and 100,000 items and
customers, through a live fake, each as a ratio to the Flask baseline beside it (as the order lists are).

Half the pages are first pages of one organization, half continue after a random key (``ItemKeyQryType="GT"``),
as a client paging through the catalogue does."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from sterling_mock.mock_server.domain.itemmaster import defaults
from sterling_mock.mock_server.store.core import Store

from .harness import AUTH, baseline_server, drive, fake_server, json_body

Report = Callable[[str, str], None]
SIZES = (1_000, 100_000)
ORGS = ("Matrix-R", "Aurora", "NorthWind", "Globex")
KEY_BASE = "2025010100000000"


def key(n: int) -> str:
    return f"{KEY_BASE}{n:07d}"


def fill(db: str, count: int) -> float:
    """Items and customers written straight into the store's tables (100,000 through manageItem take minutes),
    shaped as the defaults are."""
    started = time.perf_counter()
    data = defaults.defaults(42, "")
    item_proto, customer_proto = data.items[-1], data.customers[0]
    store = Store(db)
    try:
        with store.write() as tx:
            items = []
            customers = []
            for n in range(count):
                item = {
                    **item_proto,
                    "ItemID": f"BENCH-{n:06d}",
                    "ItemKey": key(n),
                    "OrganizationCode": ORGS[n % 4],
                }
                items.append((key(n), item["ItemID"], item["OrganizationCode"], "EACH", orjson.dumps(item)))
                customer = {
                    **customer_proto,
                    "CustomerID": f"BC{n:07d}",
                    "CustomerKey": key(n),
                    "OrganizationCode": ORGS[n % 4],
                }
                customers.append(
                    (
                        key(n),
                        customer["CustomerID"],
                        customer["OrganizationCode"],
                        "02",
                        orjson.dumps(customer),
                    )
                )
            tx.conn.executemany(
                "INSERT INTO catalog_items(ns, item_key, item_id, org, uom, doc) VALUES('default', ?, ?, ?, ?, ?)",
                items,
            )
            tx.conn.executemany(
                "INSERT INTO catalog_customers(ns, customer_key, customer_id, org, ctype, doc) "
                "VALUES('default', ?, ?, ?, ?, ?)",
                customers,
            )
            tx.conn.executemany(
                "INSERT INTO catalog_state(ns, kind, rev) VALUES('default', ?, 1)",
                [("items",), ("customers",)],
            )
    finally:
        store.close()
    return time.perf_counter() - started


def bodies(rng: random.Random, count: int, key_name: str) -> list[bytes]:
    out = []
    for index in range(200):
        if index % 2:
            doc = {"MaximumRecords": "20", key_name: key(rng.randrange(count)), f"{key_name}QryType": "GT"}
        else:
            doc = {"MaximumRecords": "20", "OrganizationCode": rng.choice(ORGS)}
        out.append(json_body(doc))
    return out


def run(report: Report, quick: bool) -> None:
    from .__main__ import Paired  # the paired-rounds runner of make bench

    seconds = 3.0 if quick else 8.0
    rng = random.Random(23)
    headers = {"Authorization": AUTH, "Content-Type": "application/json"}
    base = baseline_server().start()
    try:
        for count in SIZES:
            with tempfile.TemporaryDirectory() as tmpdir:
                db = str(Path(tmpdir) / "catalog.db")
                fake = fake_server(db, "--demo-orders", "0")
                fake.start().stop()  # creates the schema
                took = fill(db, count)
                report(f"fill {count:,} items and {count:,} customers", f"{took:.1f} s")
                fake.start()
                try:
                    paired = Paired(base, seconds)
                    for api, key_name, noun in (
                        ("getItemList", "ItemKey", "items"),
                        ("getCustomerList", "CustomerKey", "customers"),
                    ):
                        sent = bodies(rng, count, key_name)
                        paired.row(
                            f"{api}, 20 per page, {count:,} {noun}, JSON",
                            lambda api=api, sent=sent, fake=fake, **run: drive(
                                fake,
                                "POST",
                                f"/smcfs/restapi/invoke/{api}",
                                bodies=sent,
                                headers=headers,
                                **run,
                            ),
                        )
                finally:
                    fake.stop()
    finally:
        base.stop()
