"""Every knob of the fake in one dataclass, read from defaults, the environment and the command line."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

#: Authentication styles (reference §3).  ANY accepts Basic, login token and JWT Bearer, each checked strictly.
AUTH_STYLES = ("ANY", "BASIC", "STANDARD", "JWT", "OPEN")
ENV_PREFIX = "STERLING_MOCK_"
INTEROP_AUTH = ("password", "user", "open")
#: ``durability`` values: FULL (the default), STRICT, NORMAL, OFF (the field's comment).
DURABILITY = ("FULL", "STRICT", "NORMAL", "OFF")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 9080
    #: ``sqlite:///path``, a plain path, or ``:memory:``.
    db: str = "var/sterling-mock.db"
    #: The seed behind demo data; the same seed gives the same orders.
    seed: int = 42
    #: Orders seeded on first start of an empty store (``make run``); 0 disables.
    demo_orders: int = 300
    workers: int = 2
    auth_style: str = "ANY"
    users: dict[str, str] = field(default_factory=lambda: {"admin": "password"})
    #: HTTP status of YCP0427 (captures show 400, IBM's table lists 401).
    auth_error_status: int = 400
    #: Lifetime of a login token (STANDARD) and of a JWT, in seconds of the virtual clock.
    token_lifetime: int = 1800
    jwt_secret: str = "sterling-mock-demo-secret"
    max_body_bytes: int = 10 * 1024 * 1024
    #: An over-limit body up to this size (in all) is read and discarded before the 413 is answered, so that a
    #: client sending its whole body before reading gets the error document; a bigger one is not read and the
    #: connection is closed at once (Tomcat's ``maxSwallowSize``).  0: close at once always.
    max_swallow_bytes: int = 30 * 1024 * 1024
    max_depth: int = 64
    #: getOrderList's cap when the input gives no MaximumRecords [INF: an installation setting].
    default_max_records: int = 5000
    #: Quantities as ``"3"`` (``int``) or ``"3.00"`` (``decimal``): instances differ [OBS].
    quantity_format: str = "decimal"
    #: Card numbers in outputs: ``CreditCardNo`` masked but for its last four digits, as real instances answer
    #: (they keep the number encrypted) [OBS]; off, it comes back as stored (a throwaway demo, a test of masking).
    mask_card_numbers: bool = True
    #: FULL keeps every acknowledged write across a power loss (the log is synced after the write lock is
    #: released, before the answer); STRICT also syncs before any other call can read the write (SQLite's
    #: ``synchronous=FULL``, slower); NORMAL and OFF are SQLite's, for throwaway stores.
    durability: str = "FULL"
    #: Master data: lenient accepts unknown items and nodes with unlimited supply; strict answers YCM0033.
    strict_master_data: bool = False
    #: Inventory: an item with no supply record has none (lenient: it is always available).  Per namespace the
    #: control plane (``PUT /_fake/inventory`` ``{"strict": true}``) overrides it; strict master data implies it.
    strict_inventory: bool = False
    #: JSON file of master data (enterprises, sellers, nodes, items, inventory); "" = the packaged default.
    master_data_file: str = ""
    #: JSON file changing the status pipelines (descriptions, sub-statuses, moves, other document types).
    pipeline_file: str = ""
    #: changeOrderStatus moves any open quantity, as ``IgnoreTransactionDependencies="Y"`` does per call.
    allow_any_transition: bool = False
    control_token: str = ""
    #: The demo console (``/_fake/console/``) shows everything but refuses every action and control.
    console_read_only: bool = False
    throttle_enabled: bool = False
    throttle_rate: float = 10.0
    throttle_burst: int = 20
    journal_limit: int = 10000
    journal_doc_bytes: int = 16384
    #: ``user:namespace,...``: a user's calls go to its namespace unless X-Sterling-Mock-Namespace says otherwise.
    users_namespaces: dict[str, str] = field(default_factory=dict)
    #: Lifecycle agents on from the start (every namespace), stepping every ``agents_every`` virtual seconds.
    agents_enabled: bool = False
    agents_every: int = 60
    #: Where stored output templates (``_templateId``) are read from, besides the control plane.
    template_dir: str = ""
    #: JSON file of configured services (executeFlow, IsFlow="Y", FlowName), besides the control plane.
    flows_file: str = ""
    #: PUT /smcfs/restapi/order/<key> as changeOrder (off: only PATCH, as documented by IBM).
    allow_put: bool = False
    #: Interop servlet credentials: ``password`` (YFSEnvironment.userId + password checked), ``user`` (a known
    #: userId, password not checked, as on DevMode instances) or ``open`` [INF].
    interop_auth: str = "password"
    log_level: str = "warning"
    #: A recording folder or stub file whose stubs answer APIs the fake does not model (``serve --stubs``).
    stubs: str = ""
    #: Seconds a client may take between bytes of its request (headers and body): a slow-loris upload gets
    #: HTTP 408 (MOCK0010) instead of holding a worker until gunicorn's worker timeout.
    request_timeout: float = 10.0
    #: Holds: a HoldType the enterprise has not configured is refused (MOCK0701), and resolving a hold the
    #: order does not carry answers MOCK0702 (off: both create the hold at 1100, as IBM documents).
    strict_hold_types: bool = False
    #: A hold of a type the enterprise has not configured blocks scheduling, release and shipment.
    unknown_hold_blocks: bool = True
    #: confirmShipment invoices the shipped quantity (Sterling's shipment-invoice agent).
    invoice_on_shipment: bool = True
    #: Alerts (Inbox records) the fake raises itself: a line backordered, a payment declined, a hold applied.
    alert_on_backorder: bool = True
    alert_on_payment_decline: bool = True
    alert_on_hold: bool = True

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        if self.auth_style.upper() not in AUTH_STYLES:
            raise ValueError(f"auth_style must be one of {', '.join(AUTH_STYLES)}")
        self.auth_style = self.auth_style.upper()
        if self.auth_error_status not in (400, 401):
            raise ValueError("auth_error_status must be 400 or 401")
        if self.quantity_format not in ("int", "decimal"):
            raise ValueError("quantity_format must be 'int' or 'decimal'")
        if self.durability.upper() not in DURABILITY:
            raise ValueError(f"durability must be one of {', '.join(DURABILITY)}")
        if self.max_swallow_bytes < 0:
            raise ValueError("max_swallow_bytes must be 0 or more")
        if self.interop_auth not in INTEROP_AUTH:
            raise ValueError(f"interop_auth must be one of {', '.join(INTEROP_AUTH)}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``STERLING_MOCK_<FIELD>`` variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _coerce(f.name, raw, cls)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings


def _coerce(name: str, raw: str, cls: type[Settings]) -> Any:
    default = getattr(cls(), name)
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "y", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, dict):
        return parse_users(raw)
    return raw


def parse_users(raw: str) -> dict[str, str]:
    """``user:password,user2:password2`` -> dict."""
    users: dict[str, str] = {}
    for part in raw.split(","):
        if ":" in part:
            user, password = part.split(":", 1)
            users[user.strip()] = password
    return users
