"""The API table: every Sterling API the fake serves, by name.  Each family module declares its own
literal ``APIS`` table (one line per API); this module merges them in one place."""

from __future__ import annotations

from sterling_mock.mock_server.apis import (  # issue 25
    alerts,
    audits,
    cancellation,
    catalog,
    changes,
    configuration,
    flows,
    fulfilment,
    holds,
    inventory,
    lists,
    multi,
    orders,
    parties,
    payments,
    promising,
    returns,
    session,
    shipments,
    views,
)  # issue 23: catalogue, customers, configuration  # issue 24: inventory, promising, reservations
from sterling_mock.mock_server.apis.spec import ApiSpec

FAMILIES = (
    session,
    orders,
    lists,
    changes,
    audits,
    multi,
    fulfilment,
    shipments,
    flows,
    catalog,
    parties,
    configuration,
    views,
    holds,
    cancellation,
    payments,
    alerts,
    returns,
    inventory,
    promising,
)

APIS: dict[str, ApiSpec] = {name: spec for family in FAMILIES for name, spec in family.APIS.items()}

__all__ = ["APIS", "ApiSpec"]
