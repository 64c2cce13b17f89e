"""Seeding realistic demo orders from the Faker fixtures, deterministic for a given seed and clock."""

from __future__ import annotations

from datetime import timedelta

from fixtures.builders import create_order_input
from fixtures.provider import sterling_faker

from . import clock, model
from .context import Ctx
from .dispatch import Fake

CHUNK = 500


def seed_orders(fake: Fake, ns: str, count: int, *, seed: int = 42, user: str = "seed") -> int:
    """Create ``count`` orders in ``ns``, dated over the 90 days before the namespace's clock.

    Orders are written in chunks of one transaction each; the same seed and clock give the same orders.
    """
    faker = sterling_faker(seed)
    created = 0
    while created < count:
        with fake.store.write() as tx:
            base = clock.now(tx, ns)
            for _ in range(min(CHUNK, count - created)):
                doc = create_order_input(faker)
                when = base - timedelta(days=faker.random_int(0, 89), seconds=faker.random_int(0, 86399))
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
                created += 1
    return created
