"""Seeding realistic demo orders from the Faker fixtures, deterministic for a given seed and clock."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import sterling_faker
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.seeding import bulk as seed_bulk

CHUNK = 500
BULK_FROM = 20000
PROTOTYPES = 5000


@dataclass
class SeedOptions:
    """What ``POST /_fake/seed`` may narrow: enterprises, a status mix (code -> weight), an order-date range."""

    enterprises: list[str] | None = None
    statuses: dict[str, float] | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeedOptions:
        """Validated options; ValueError("field: message") names the field at fault."""
        enterprises = data.get("enterprises")
        if enterprises is not None and (
            not isinstance(enterprises, list)
            or not enterprises
            or not all(isinstance(e, str) and e for e in enterprises)
        ):
            raise ValueError("enterprises: must be a non-empty list of enterprise codes")
        mix = data.get("statuses")
        if isinstance(mix, list) and mix and all(isinstance(c, str) for c in mix):
            mix = dict.fromkeys(mix, 1.0)
        if mix is not None and (
            not isinstance(mix, dict)
            or not mix
            or not all(
                isinstance(w, (int, float)) and not isinstance(w, bool) and w >= 0 for w in mix.values()
            )
            or sum(mix.values()) <= 0
        ):
            raise ValueError("statuses: must be a list of status codes or an object of code -> weight")
        bounds = []
        for name in ("from", "to"):
            raw = data.get(name)
            if raw is not None and not isinstance(raw, str):
                raise ValueError(f"{name}: must be an ISO 8601 date or date-time")
            try:
                bounds.append(clock.parse_datetime(raw, attribute=name) if raw else None)
            except SterlingError:
                raise ValueError(f"{name}: {raw!r} is not an ISO 8601 date or date-time") from None
        if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
            raise ValueError("from: must not be after 'to'")
        return cls(
            enterprises, {str(k): float(v) for k, v in mix.items()} if mix else None, bounds[0], bounds[1]
        )

    def order_date(self, faker: Any, base: datetime) -> datetime:
        if self.date_from is None and self.date_to is None:
            return base - timedelta(days=faker.random_int(0, 89), seconds=faker.random_int(0, 86399))
        start = self.date_from or (self.date_to or base) - timedelta(days=90)
        end = self.date_to or base
        return start + timedelta(seconds=faker.random_int(0, max(0, int((end - start).total_seconds()))))


def seed_orders(
    fake: Fake, ns: str, count: int, *, seed: int = 42, user: str = "seed", options: SeedOptions | None = None
) -> int:
    """Create ``count`` orders in ``ns``, dated over the 90 days before the namespace's clock.

    Orders are written in chunks of one transaction each; the same seed and clock give the same orders.
    With ``options.statuses`` each order is then walked to a status drawn from the mix through the
    lifecycle APIs (``agents.drive``), seeded per order.
    """
    faker = sterling_faker(seed)
    options = options or SeedOptions()
    keys: list[str] = []
    created = 0
    # Past BULK_FROM orders (no status walk, lenient master data) the first PROTOTYPES orders are made one by
    # one and the rest cloned from them as bytes (seed_bulk.py): 1,000,000 orders in minutes, not an hour.
    bulk = count >= BULK_FROM and not options.statuses and not fake.settings.strict_master_data
    direct = min(count, PROTOTYPES) if bulk else count
    while created < direct:
        with fake.store.write(ns=ns) as tx:
            base = clock.now(tx, ns)
            for _ in range(min(CHUNK, direct - created)):
                if options.enterprises:
                    doc = create_order_input(faker, EnterpriseCode=faker.random_element(options.enterprises))
                else:
                    doc = create_order_input(faker)
                when = options.order_date(faker, base)
                doc["OrderDate"] = clock.format_datetime(when)
                ctx = Ctx(
                    tx=tx,
                    ns=ns,
                    user=user,
                    settings=fake.settings,
                    pipelines=fake.pipelines,
                    api="createOrder",
                    progid="SeedAgent",
                )
                order = model.new_order(ctx, doc)
                model.save(ctx, order, insert=True)
                keys.append(order["OrderHeaderKey"])
                created += 1
    if bulk:
        created += _clone(fake, ns, keys, count - created, random.Random(seed), options)
    if options.statuses:
        from sterling_mock.mock_server.calls.agents import drive

        drive(fake, ns, keys, options.statuses, seed)
    return created


class _Ints:
    """``random_int`` over a ``random.Random``, for ``SeedOptions.order_date``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def random_int(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


def _clone(fake: Fake, ns: str, keys: list[str], count: int, rng: random.Random, options: SeedOptions) -> int:
    with fake.store.read() as tx:
        protos = [seed_bulk.load_prototype(tx, ns, key) for key in keys]
    return seed_bulk.clone(fake.store, ns, protos, count, rng, partial(options.order_date, _Ints(rng)))
