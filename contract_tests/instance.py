"""What the suite needs from the instance it runs against: the enterprise, seller, document type, items (with
unit of measure and product class), ship nodes, a hold type and the transaction and drop status of a
sub-status move.  Each value comes from a command-line option, else an environment variable, else a pytest ini
key, else the fake's default (what its packaged master data and pipeline hold), so the same tests run
unchanged on a stock instance named by ``STERLING_URL``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from sterling_mock.client.wire import Doc


@dataclass(frozen=True)
class Option:
    """One instance value: ``--sterling-<name>``, ``STERLING_<NAME>``, ini ``sterling_<name>``."""

    name: str
    default: str
    help: str
    many: bool = False

    @property
    def flag(self) -> str:
        return "--sterling-" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "STERLING_" + self.name.upper() + ("S" if self.many else "")

    @property
    def ini(self) -> str:
        return "sterling_" + self.name + ("s" if self.many else "")


OPTIONS = (
    Option("enterprise", "Matrix-R", "EnterpriseCode of the orders the suite creates and lists"),
    Option("seller", "Matrix-R", "SellerOrganizationCode of those orders (a seller of the enterprise)"),
    Option("document_type", "0001", "DocumentType of the sales orders (0001 on a stock instance)"),
    Option(
        "item",
        "SHOE-100:EACH:GOOD MUG-100:EACH:GOOD TEE-100:EACH:GOOD",
        "an item as ITEMID[:UOM[:PRODUCTCLASS]] (repeat it; at least two, each with supply at the nodes)",
        many=True,
    ),
    Option(
        "node",
        "DC_EAST DC_WEST",
        "a ship node the enterprise ships from (repeat it; the first is every line's node, a second one "
        "enables the two-node release test)",
        many=True,
    ),
    Option("hold_type", "CUSTOMER_HOLD", "a HoldType configured for the enterprise's sales orders"),
    Option(
        "status_transaction",
        "READY_FOR_SHIP.0001.ex",
        "the TransactionId of changeOrderStatus for the sub-status move",
    ),
    Option(
        "drop_status",
        "3200.10",
        "the BaseDropStatus of that move: a sub-status of Released (3200) that transaction may drop to",
    ),
)


@dataclass(frozen=True)
class Item:
    item_id: str
    uom: str = "EACH"
    product_class: str = ""

    @classmethod
    def parse(cls, text: str) -> Item:
        parts = text.strip().split(":")
        if not parts[0] or len(parts) > 3:
            raise pytest.UsageError(f"--sterling-item {text!r}: expected ITEMID[:UOM[:PRODUCTCLASS]]")
        return cls(
            parts[0], (parts[1] if len(parts) > 1 else "") or "EACH", parts[2] if len(parts) > 2 else ""
        )

    def doc(self) -> Doc:
        """The ``Item`` element of an order line (ProductClass only when the instance uses one)."""
        out = {"ItemID": self.item_id, "UnitOfMeasure": self.uom}
        if self.product_class:
            out["ProductClass"] = self.product_class
        return out


@dataclass(frozen=True)
class Instance:
    """The values the suite needs from its target."""

    enterprise: str
    seller: str
    document_type: str
    items: tuple[Item, ...]
    nodes: tuple[str, ...]
    hold_type: str
    status_transaction: str
    drop_status: str

    @property
    def node(self) -> str:
        """The node every line ships from unless a test names another."""
        return self.nodes[0]

    def item(self, index: int) -> Item:
        """The ``index``-th item, cycling through those given."""
        return self.items[index % len(self.items)]

    def natural_key(self, order_no: str) -> Doc:
        return {"EnterpriseCode": self.enterprise, "OrderNo": order_no, "DocumentType": self.document_type}


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "sterling instance", "values of the target instance (see contract_tests/README.md)"
    )
    for option in OPTIONS:
        shown = f"{option.help}; env {option.env}, ini {option.ini}; default: {option.default}"
        if option.many:
            group.addoption(option.flag, action="append", default=None, dest=option.ini, help=shown)
            parser.addini(option.ini, option.help, type="args", default=[])
        else:
            group.addoption(option.flag, default=None, dest=option.ini, help=shown)
            parser.addini(option.ini, option.help, default="")


def _raw(option: Option, cli: Any, env: Mapping[str, str], ini: Any) -> list[str]:
    """The option's words: command line, else environment, else ini, else the default."""
    if cli:
        values = cli if isinstance(cli, list) else [cli]
    elif env.get(option.env, "").strip():
        values = [env[option.env]]
    elif ini:
        values = ini if isinstance(ini, list) else [ini]
    else:
        values = [option.default]
    if not option.many:
        return [str(values[-1]).strip()]
    return [word for value in values for word in str(value).replace(",", " ").split()]


def resolve(cli: Mapping[str, Any], ini: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Instance:
    """The instance values from the three sources (``cli``/``ini`` keyed by the ini names)."""
    env = os.environ if env is None else env
    words = {o.name: _raw(o, cli.get(o.ini), env, ini.get(o.ini)) for o in OPTIONS}
    items = tuple(Item.parse(text) for text in words["item"])
    if len(items) < 2:
        raise pytest.UsageError("the contract suite needs at least two items (--sterling-item, twice)")
    if not words["node"]:
        raise pytest.UsageError("the contract suite needs a ship node (--sterling-node)")
    single = {name: value[0] for name, value in words.items() if name not in ("item", "node")}
    for name, value in single.items():
        if not value:
            raise pytest.UsageError(f"--sterling-{name.replace('_', '-')} must not be empty")
    return Instance(items=items, nodes=tuple(words["node"]), **single)


def from_config(config: pytest.Config) -> Instance:
    cli = {o.ini: config.getoption(o.ini, None) for o in OPTIONS}
    ini = {o.ini: config.getini(o.ini) for o in OPTIONS}
    return resolve(cli, ini)
