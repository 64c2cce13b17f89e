"""The API table: every Sterling API the fake serves, by name.  Each family module declares its own
literal ``APIS`` table (one line per API); this module merges them in one place."""

from __future__ import annotations

from sterling_mock.mock_server.apis import (
    audits,
    changes,
    flows,
    fulfilment,
    lists,
    multi,
    orders,
    session,
    shipments,
)  # executeFlow: configured services, run by every door (transports issue)
from sterling_mock.mock_server.apis import catalog, configuration, parties  # issue 23: catalogue, customers, configuration
from sterling_mock.mock_server.apis import cancellation, holds  # issue 25: holds, cancelOrder
from sterling_mock.mock_server.apis.spec import ApiSpec

FAMILIES = (session, orders, lists, changes, audits, multi, fulfilment, shipments, flows, holds, cancellation, catalog, parties, configuration)

APIS: dict[str, ApiSpec] = {name: spec for family in FAMILIES for name, spec in family.APIS.items()}

__all__ = ["APIS", "ApiSpec"]
