"""Tables of the control area: request journal, fault rules, throttle buckets and counters, per namespace."""

from __future__ import annotations

STATEMENTS: list[str] = [
    # The journal: one row per call through Fake.invoke (and per door-level failure), newest last.
    """CREATE TABLE IF NOT EXISTS journal(
        id INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL, time TEXT NOT NULL, user TEXT NOT NULL,
        transport TEXT NOT NULL, api TEXT NOT NULL, http_status INTEGER NOT NULL, duration_ms REAL NOT NULL,
        error_code TEXT NOT NULL, fault TEXT NOT NULL, input BLOB, output BLOB)""",
    "CREATE INDEX IF NOT EXISTS journal_ns ON journal(ns, id)",
    "CREATE INDEX IF NOT EXISTS journal_api ON journal(ns, api, id)",
    # Fault rules in creation order (pos); ``remaining`` counts down for rules with ``times``.
    """CREATE TABLE IF NOT EXISTS faults(
        ns TEXT NOT NULL, id TEXT NOT NULL, pos INTEGER NOT NULL, rule BLOB NOT NULL, remaining INTEGER,
        matched INTEGER NOT NULL DEFAULT 0, fired INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(ns, id)) WITHOUT ROWID""",
    # One token bucket per user per namespace; ``updated`` is on the namespace's clock.
    """CREATE TABLE IF NOT EXISTS throttle_buckets(
        ns TEXT NOT NULL, user TEXT NOT NULL, tokens REAL NOT NULL, updated REAL NOT NULL,
        PRIMARY KEY(ns, user)) WITHOUT ROWID""",
    # How far each journal spool file (spool.py: SQLite file stores) has been settled into ``journal``.
    "CREATE TABLE IF NOT EXISTS journal_spool(name TEXT PRIMARY KEY, pos INTEGER NOT NULL)",
    # Counters shown by the summary: journal entries/dropped, throttle allowed/throttled.
    """CREATE TABLE IF NOT EXISTS control_counters(
        ns TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
        PRIMARY KEY(ns, name)) WITHOUT ROWID""",
]
NS_TABLES: tuple[str, ...] = ("journal", "faults", "throttle_buckets", "control_counters")
