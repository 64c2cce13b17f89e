"""Seeding realistic demo orders from the Faker fixtures, deterministic for a given seed and clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.fixtures.builders import create_order_input
from sterling_mock.fixtures.provider import ENTERPRISES, sterling_faker
from sterling_mock.mock_server.base.errors import SterlingError
from sterling_mock.mock_server.calls.dispatch import Fake
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.orders import model
from sterling_mock.mock_server.seeding import bulk as seed_bulk
from sterling_mock.mock_server.seeding import (
    catalogue,
    walk,
)  # issue 23: orders take the catalogue's items and customers
from sterling_mock.mock_server.store import walcheckpoint
from sterling_mock.mock_server.store.tx import Tx

#: Orders per write transaction of a walked seed: other calls (a client's during the demo seed) wait at most
#: one chunk.
CHUNK = 10
#: Prototype orders per write transaction of a bulk seed.
BULK_CHUNK = 500
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
    fake: Fake,
    ns: str,
    count: int,
    *,
    seed: int = 42,
    user: str = "seed",
    options: SeedOptions | None = None,
    numbers: dict[str, int] | None = None,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Create ``count`` orders in ``ns``, dated over the 90 days before the namespace's clock, each walked to a
    status drawn from ``options.statuses`` (default ``walk.DEFAULT_MIX``: Created to Shipped and Cancelled),
    with Createts, Modifyts and keys at the times of its own past (``walk``).

    The seed takes the next ``count`` order numbers of every enterprise it may use (``numbers``: first numbers
    reserved already, by ``demo.claim``), so the book is the same whatever other calls run meanwhile, and the
    first order a client then creates is number ``count + 1`` of the block.  Orders are written in chunks of
    ``CHUNK`` per transaction (other calls wait at most one chunk); ``stop()`` true between chunks ends the
    seed there.  The same seed and clock give the same orders in any namespace.

    Past ``BULK_FROM`` orders without ``statuses`` (or with Created alone) the first ``PROTOTYPES`` are made at
    Created and the rest cloned from them as bytes (``bulk``): 1,000,000 orders in minutes, not an hour, all
    Created.
    """
    faker = sterling_faker(seed)
    with fake.store.read() as tx:  # issue 23: the namespace's items and customers, read once
        catalogue.attach(
            faker, Ctx(tx=tx, ns=ns, user=user, settings=fake.settings, pipelines=fake.pipelines), seed
        )
    options = options or SeedOptions()
    walked = any(code != "1100" and weight > 0 for code, weight in (options.statuses or {}).items())
    bulk = count >= BULK_FROM and not walked and not fake.settings.strict_master_data
    if bulk:
        return _seed_bulk(fake, ns, count, seed, user, options, faker)
    mix = options.statuses or walk.DEFAULT_MIX
    if numbers is None:
        numbers = reserve_numbers(fake, ns, options.enterprises or list(ENTERPRISES), count)
    following = dict(numbers)
    created = 0
    while created < count and not (stop and stop()):
        with fake.store.write(ns=ns) as tx:
            base = clock.now(tx, ns)
            ctx = Ctx(tx=tx, ns=ns, user=user, settings=fake.settings, pipelines=fake.pipelines)
            for _ in range(min(CHUNK, count - created)):
                doc = _order_input(faker, options)
                dated = options.order_date(faker, base)
                doc["OrderDate"] = clock.format_datetime(dated)
                enterprise = str(doc["EnterpriseCode"])
                if enterprise not in following:
                    following[enterprise] = reserve_numbers(fake, ns, [enterprise], count, tx=tx)[enterprise]
                doc["OrderNo"] = f"Y{following[enterprise]:09d}"
                following[enterprise] += 1
                rng = walk.dice(seed, created)
                goal = walk.target(rng, mix)
                walk.take_and_walk(ctx, doc, goal, walk.timeline(rng, dated, walk.STEPS.get(goal, ()), base))
                created += 1
    walcheckpoint.truncate(fake.store)
    return created


def reserve_numbers(
    fake: Fake, ns: str, enterprises: list[str], count: int, *, tx: Tx | None = None
) -> dict[str, int]:
    """Take the next ``count`` order numbers of each enterprise's sequence (createOrder's ``Y{:09d}``): the
    first of each block, by enterprise."""
    if tx is None:
        with fake.store.write(ns=ns) as own:
            return reserve_numbers(fake, ns, enterprises, count, tx=own)
    return {e: seed_bulk.reserve(tx, ns, "order_no:" + e, count, 100000001) for e in enterprises}


def _order_input(faker: Any, options: SeedOptions) -> Doc:
    if options.enterprises:
        return catalogue.dress(
            faker, create_order_input(faker, EnterpriseCode=faker.random_element(options.enterprises))
        )
    return catalogue.dress(faker, create_order_input(faker))


def _seed_bulk(
    fake: Fake, ns: str, count: int, seed: int, user: str, options: SeedOptions, faker: Any
) -> int:
    """PROTOTYPES orders made one by one at the clock's time, then the rest cloned from them."""
    keys: list[str] = []
    direct = min(count, PROTOTYPES)
    while len(keys) < direct:
        with fake.store.write(ns=ns) as tx:
            base = clock.now(tx, ns)
            for _ in range(min(BULK_CHUNK, direct - len(keys))):
                doc = _order_input(faker, options)
                doc["OrderDate"] = clock.format_datetime(options.order_date(faker, base))
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
    created = len(keys) + _clone(fake, ns, keys, count - len(keys), random.Random(seed), options)
    walcheckpoint.truncate(fake.store)
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
