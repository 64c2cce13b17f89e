"""Sourcing and dates: where a quantity ships from (nodes by distance from the ship-to address, then node
priority, honouring a line's node, candidate and excluded nodes) and when (a lead-time rule on the clock).

Rules the fake applies [INF, documented in docs/inventory.md]:
- A ship-to is placed by its ``State`` (US state centroids), else its ``ZipCode``'s first digit (the ten US
  ZIP regions), else its ``Country`` (a few country centroids); a node by the coordinates the control plane
  or the master data give it (``Latitude``/``Longitude``), else by its own address the same way.  Unplaced
  nodes sort after placed ones.  Distance is great-circle, in miles.
- Nodes are tried nearest first, then by ``priority`` (lower first, default 1), then by name.
- Quantity on hand ships today (the virtual clock's date); future supply ships on its ETA.  Delivery is
  the ship date + 1 day per started 500 miles (at least 1, at most 7; 3 when either end is unplaced);
  ``DeliveryMethod="PICK"`` is ready on the ship date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.domain import clock, masterdata
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.domain.inventory.supply import ZERO, ItemStock
from sterling_mock.mock_server.store.schema import inventory as sql
from sterling_mock.mock_server.store.schema import lifecycle as md

STATES: dict[str, tuple[float, float]] = {
    "AL": (32.8, -86.8), "AK": (64.7, -152.0), "AZ": (34.3, -111.7), "AR": (34.9, -92.4), "CA": (37.2, -119.5),
    "CO": (39.0, -105.5), "CT": (41.6, -72.7), "DE": (39.0, -75.5), "DC": (38.9, -77.0), "FL": (28.6, -82.4),
    "GA": (32.7, -83.4), "HI": (20.3, -156.4), "ID": (44.4, -114.6), "IL": (40.0, -89.2), "IN": (39.9, -86.3),
    "IA": (42.1, -93.5), "KS": (38.5, -98.4), "KY": (37.5, -85.3), "LA": (31.1, -92.0), "ME": (45.4, -69.2),
    "MD": (39.1, -76.8), "MA": (42.3, -71.8), "MI": (44.3, -85.4), "MN": (46.3, -94.3), "MS": (32.7, -89.7),
    "MO": (38.4, -92.5), "MT": (47.1, -109.6), "NE": (41.5, -99.8), "NV": (39.3, -116.6), "NH": (43.7, -71.6),
    "NJ": (40.2, -74.7), "NM": (34.4, -106.1), "NY": (42.9, -75.5), "NC": (35.6, -79.4), "ND": (47.5, -100.5),
    "OH": (40.3, -82.8), "OK": (35.6, -97.5), "OR": (43.9, -120.6), "PA": (40.9, -77.8), "RI": (41.7, -71.6),
    "SC": (33.9, -80.9), "SD": (44.4, -100.2), "TN": (35.9, -86.4), "TX": (31.5, -99.3), "UT": (39.3, -111.7),
    "VT": (44.1, -72.7), "VA": (37.5, -78.9), "WA": (47.4, -120.5), "WV": (38.6, -80.6), "WI": (44.6, -89.9),
    "WY": (43.0, -107.6),
}  # fmt: skip
#: The ten US ZIP regions by first digit (a central point of each).
ZIP_REGIONS: dict[str, tuple[float, float]] = {
    "0": (42.3, -72.0), "1": (41.5, -76.0), "2": (37.5, -78.5), "3": (32.0, -84.0), "4": (40.5, -84.5),
    "5": (44.5, -93.5), "6": (39.5, -92.5), "7": (32.0, -95.5), "8": (39.0, -108.0), "9": (38.5, -121.0),
}  # fmt: skip
COUNTRIES: dict[str, tuple[float, float]] = {
    "US": (39.8, -98.6), "CA": (56.1, -106.3), "MX": (23.6, -102.6), "GB": (54.0, -2.5), "DE": (51.2, 10.4),
    "FR": (46.6, 2.2), "NL": (52.1, 5.3), "ES": (40.4, -3.7), "IT": (42.8, 12.8), "IN": (22.0, 79.0),
    "AU": (-25.3, 133.8), "JP": (36.2, 138.3),
}  # fmt: skip
DEFAULT_PRIORITY = 1.0


def place(address: Doc | None) -> tuple[float, float] | None:
    """Coordinates of an address (``PersonInfo``-like attributes) by the documented table rule."""
    if not address:
        return None
    lat, lon = address.get("Latitude"), address.get("Longitude")
    if isinstance(lat, str) and isinstance(lon, str) and lat and lon:
        try:
            return float(lat), float(lon)
        except ValueError:
            pass
    country = str(address.get("Country") or "US").strip().upper()
    if country in ("US", "USA", ""):
        state = str(address.get("State") or "").strip().upper()
        if state in STATES:
            return STATES[state]
        zip_code = str(address.get("ZipCode") or "").strip()
        if zip_code[:1] in ZIP_REGIONS:
            return ZIP_REGIONS[zip_code[:1]]
    return COUNTRIES.get(country[:2])


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 3958.8 * 2 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=8)
def _file_records(path: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(kind, code): doc for kind, code, doc in masterdata.load_file(path).records}


def record(ctx: Ctx, kind: str, code: str) -> dict[str, Any] | None:
    """A master-data record (the namespace's copy once loaded, else the file's)."""
    if md.md_loaded(ctx.tx, ctx.ns):
        return md.md_get(ctx.tx, ctx.ns, kind, code)
    return _file_records(ctx.settings.master_data_file).get((kind, code))


def default_node(ctx: Ctx, enterprise: str) -> str:
    found = record(ctx, "enterprise", enterprise) if enterprise else None
    return str(found.get("DefaultShipNode", "")) if found else ""


@dataclass(frozen=True)
class NodeInfo:
    node: str
    where: tuple[float, float] | None
    priority: float


def node_infos(ctx: Ctx, nodes: list[str]) -> dict[str, NodeInfo]:
    """Where each node is and its priority, read once per call (``ctx.extras``)."""
    known: dict[str, NodeInfo] = ctx.extras.setdefault("inventory.nodes", {})
    if "inventory.node_rows" not in ctx.extras:
        ctx.extras["inventory.node_rows"] = sql.node_rows(ctx.tx, ctx.ns)
    given = ctx.extras["inventory.node_rows"]
    for node in nodes:
        if node not in known:
            lat, lon, priority = given.get(node, (None, None, DEFAULT_PRIORITY))
            where = (lat, lon) if lat is not None and lon is not None else place(record(ctx, "node", node))
            known[node] = NodeInfo(node, where, priority)
    return {node: known[node] for node in nodes}


def order_nodes(
    ctx: Ctx, nodes: list[str], ship_to: tuple[float, float] | None
) -> list[tuple[str, float | None]]:
    """``nodes`` nearest first, then by priority and name: (node, miles or None)."""
    infos = node_infos(ctx, nodes)
    known: dict[tuple[tuple[float, float], str], float] = ctx.extras.setdefault("inventory.miles", {})

    def distance(node: str) -> float | None:
        where = infos[node].where
        if ship_to is None or where is None:
            return None
        if (ship_to, node) not in known:  # lines of one call share their ship-to
            known[(ship_to, node)] = round(miles(ship_to, where), 1)
        return known[(ship_to, node)]

    ranked = [(node, distance(node)) for node in dict.fromkeys(nodes)]
    ranked.sort(key=lambda p: (p[1] is None, p[1] or 0.0, infos[p[0]].priority, p[0]))
    return ranked


def priority_of(ctx: Ctx, node: str) -> float:
    return node_infos(ctx, [node])[node].priority


# ------------------------------------------------------------------------------------------ dates


def ship_day(ctx: Ctx, eta: str) -> date:
    today = ctx.now().date()
    return max(today, date.fromisoformat(eta)) if eta else today


def delivery_day(shipped: date, distance: float | None, method: str) -> date:
    if method == "PICK":
        return shipped
    days = 3 if distance is None else min(7, max(1, math.ceil(distance / 500)))
    return shipped + timedelta(days=days)


def stamp(day: date) -> str:
    return clock.format_datetime(datetime(day.year, day.month, day.day, tzinfo=clock.UTC))


# ------------------------------------------------------------------------------------------ plans


@dataclass
class Assignment:
    node: str
    qty: Decimal
    avail: str  # ISO date the quantity is there ("" = on hand now)
    distance: float | None


def plan(
    ctx: Ctx,
    found: ItemStock,
    nodes: list[tuple[str, float | None]],
    qty: Decimal,
    *,
    split: bool,
    unlimited: bool,
    by: str | None = None,
    taken: dict[str, Decimal] | None = None,
) -> tuple[list[Assignment], Decimal]:
    """Assign ``qty`` over ``nodes`` (ordered): on-hand first across nodes, then future supply by ETA (only
    what is due by ``by`` when given); one node only unless ``split``.  ``taken`` is what this call already
    assigned per node (updated).  Returns (assignments, quantity left unassigned)."""
    taken = {} if taken is None else taken
    if unlimited:
        return ([Assignment(nodes[0][0], qty, "", nodes[0][1])] if nodes and qty > 0 else []), (
            ZERO if nodes else qty
        )
    lots: list[tuple[int, str, int, str, Decimal, float | None]] = []
    for rank, (node, distance) in enumerate(nodes):
        at = found.nodes.get(node)
        if at is None:
            continue
        skip = taken.get(node, ZERO)
        for when, amount in at.lots():
            if by is not None and when and when > by:
                continue
            use = min(skip, amount)
            skip -= use
            if amount - use > 0:
                lots.append((0 if when == "" else 1, when, rank, node, amount - use, distance))
    lots.sort(key=lambda lot: (lot[0], lot[1], lot[2]))  # on hand by node rank, then future by ETA
    if not split:
        best = _single_node(lots, qty)
        lots = [lot for lot in lots if lot[3] == best] if best else []
    out: list[Assignment] = []
    remaining = qty
    for _kind, when, _rank, node, amount, distance in lots:
        if remaining <= 0:
            break
        use = min(amount, remaining)
        remaining -= use
        taken[node] = taken.get(node, ZERO) + use
        same = next((a for a in out if a.node == node and a.avail == when), None)
        if same:
            same.qty += use
        else:
            out.append(Assignment(node, use, when, distance))
    return out, remaining


def _single_node(lots: list[tuple[int, str, int, str, Decimal, float | None]], qty: Decimal) -> str | None:
    """The node to use when a line may not split: the first (in rank) holding it all now, else the one
    holding it all soonest, else the one holding most."""
    totals: dict[str, tuple[Decimal, Decimal, str, int]] = {}
    for kind, when, rank, node, amount, _ in sorted(lots, key=lambda lot: (lot[0], lot[1])):
        now_qty, all_qty, done, _r = totals.get(node, (ZERO, ZERO, "", rank))
        all_qty += amount
        now_qty += amount if kind == 0 else ZERO
        if not done and all_qty >= qty:
            done = when or "0"
        totals[node] = (now_qty, all_qty, done, rank)
    if not totals:
        return None
    full_now = [n for n, t in totals.items() if t[0] >= qty]
    if full_now:
        return min(full_now, key=lambda n: totals[n][3])
    full = [n for n, t in totals.items() if t[2]]
    if full:
        return min(full, key=lambda n: (totals[n][2], totals[n][3]))
    return max(totals, key=lambda n: (totals[n][1], -totals[n][3]))
