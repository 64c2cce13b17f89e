"""Writes the ``fixtures/samples`` of the inventory, promising and reservation APIs (issue 24): a storefront's
walk on the fake, in process, with a frozen clock.  ``python -m contract_tests.make_samples_inventory [--out DIR]``;
the same run gives the same files.
"""

from __future__ import annotations

from sterling_mock.client.client import INPUT_ROOTS
from sterling_mock.client.wire import Doc
from sterling_mock.fixtures.validate import OUTPUT_SCHEMAS

from .make_samples import write
from .make_samples_aftercare import Walk as AftercareWalk
from .make_samples_aftercare import write_samples


class Walk(AftercareWalk):
    """The aftercare walk's caller; a void API (204) gets an input sample only."""

    def call(self, api: str, doc: Doc, *, save: bool = False) -> Doc:
        result = super().call(api, doc, save=save and bool(OUTPUT_SCHEMAS.get(api)))
        if save and api not in OUTPUT_SCHEMAS:
            write(self.out, f"{api}.input", INPUT_ROOTS[api], doc)
        return result


PROMISE = {
    "OrganizationCode": "Matrix-R",
    "ShipToAddress": {
        "AddressLine1": "1 Main St",
        "City": "Albany",
        "State": "NY",
        "ZipCode": "12207",
        "Country": "US",
    },
    "PromiseLines": {
        "PromiseLine": [
            {
                "LineId": "1",
                "ItemID": "SHOE-100",
                "RequiredQty": "2",
                "UnitOfMeasure": "EACH",
                "DeliveryMethod": "SHP",
            },
            {
                "LineId": "2",
                "ItemID": "LMP-104",
                "RequiredQty": "5",
                "UnitOfMeasure": "EACH",
                "DeliveryMethod": "SHP",
            },
        ]
    },
}


def run(walk: Walk) -> None:
    items = [
        {"ItemID": "SHOE-100", "ShipNode": "DC_EAST", "Quantity": "120", "AdjustmentType": "ABSOLUTE",
         "SupplyType": "ONHAND"},
        {"ItemID": "LMP-104", "ShipNode": "DC_WEST", "Quantity": "25", "AdjustmentType": "ADJUSTMENT",
         "SupplyType": "PO_PLACED", "ETA": "2025-02-10"},
    ]  # fmt: skip
    walk.call("adjustInventory", {"Item": items}, save=True)
    walk.call(
        "getInventorySupply",
        {"ItemID": "SHOE-100", "OrganizationCode": "Matrix-R", "UnitOfMeasure": "EACH"},
        save=True,
    )
    walk.call(
        "getATP", {"ItemID": "LMP-104", "OrganizationCode": "Matrix-R", "ToDate": "2025-03-01"}, save=True
    )
    walk.call("findInventory", PROMISE, save=True)
    walk.call("getAvailableInventory", PROMISE, save=True)
    reserve = {
        **PROMISE,
        "ReservationParameters": {"ReservationID": "CART-1001", "AllowPartialReservation": "Y"},
    }
    walk.call("reserveAvailableInventory", reserve, save=True)
    walk.call(
        "cancelReservation",
        {"ReservationID": "CART-1001", "ItemID": "LMP-104", "OrganizationCode": "Matrix-R"},
        save=True,
    )
    walk.call("monitorItemAvailability", {"ItemID": "LMP-104", "OrganizationCode": "Matrix-R"}, save=True)


def main(argv: list[str] | None = None) -> int:
    return write_samples(argv, Walk, run, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
