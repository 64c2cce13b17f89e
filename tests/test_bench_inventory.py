"""make bench's inventory section writes supply straight into the store: those rows must be what the fake reads
(so the section cannot measure an empty inventory unnoticed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import inventory
from sterling_mock.client.wire import as_list
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.store.core import Store
from tests.conftest import Api

pytestmark = pytest.mark.sqlite_only  # the section runs on a SQLite file


def test_the_stocked_supply_is_what_find_inventory_reads(tmp_path: Path) -> None:
    db = str(tmp_path / "bench.db")
    Store(db).close()  # the schema, as the section's first start makes it
    inventory.stock(db, 3)
    api = Api(create_app(Settings(db=db, demo_orders=0)).test_client())
    found = api(
        "findInventory",
        {
            "OrganizationCode": "Matrix-R",
            "PromiseLines": {"PromiseLine": [{"ItemID": "ITEM-00001", "RequiredQty": "1"}]},
        },
        root="Promise",
    )
    [line] = as_list(found["SuggestedOption"]["Option"]["PromiseLines"]["PromiseLine"])
    assert as_list(line["Assignments"]["Assignment"])[0]["ShipNode"].startswith("NODE_")
