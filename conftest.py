"""The test suite's storage backend switch.

``STERLING_MOCK_TEST_BACKEND=postgresql`` runs every test -- in-process apps, live servers, the contract
suite -- on PostgreSQL: each test process starts its own throwaway server (mock_server/store/pgcluster.py) and
sets ``STERLING_MOCK_DB_REDIRECT`` so every store it or its child processes open lands in a fresh schema
there.  Tests about SQLite itself carry the ``sqlite_only`` marker and skip on that pass.  Without
PostgreSQL's binaries the whole pass skips, saying how to install them.  ``make test`` runs both passes.
"""

from __future__ import annotations

import os

import pytest

from sterling_mock.mock_server.store import db, pgcluster

BACKEND = os.environ.get("STERLING_MOCK_TEST_BACKEND", "sqlite").lower()

#: Third-party pytest plugins this suite never uses, switched off in every pytest run it starts (xdist's workers,
#: the contract suite's copies, `make contract`, mutmut's runs; pytester clears the variable, so test_plugin.py
#: passes them itself): faker's and hypothesis's import their whole libraries when pytest starts, ~1 s of CPU
#: per run (a one-test run: 1.28 -> 0.23 s), and the suite starts about a hundred.  Hypothesis's own tests run
#: as before without its plugin (the plugin adds command-line options and statistics).
QUIET_PLUGINS = "-p no:faker -p no:hypothesispytest"
if QUIET_PLUGINS not in os.environ.get("PYTEST_ADDOPTS", ""):
    os.environ["PYTEST_ADDOPTS"] = f"{os.environ.get('PYTEST_ADDOPTS', '')} {QUIET_PLUGINS}".strip()
CLUSTER = pytest.StashKey[pgcluster.Cluster]()
UNAVAILABLE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite backend itself; skipped on the PostgreSQL pass"
    )
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (started by the test itself)")
    if BACKEND != "postgresql":
        return
    if not hasattr(config, "workerinput") and config.getoption("numprocesses", None):
        return  # the xdist controller runs no tests; each worker starts its own server
    if os.environ.get(db.REDIRECT_ENV):
        return  # a pytest run started by a test of this pass: the parent's server serves it too
    try:
        cluster = pgcluster.start(password=False)
    except pgcluster.Unavailable as exc:
        config.stash[UNAVAILABLE] = str(exc)
        return
    config.stash[CLUSTER] = cluster
    os.environ[db.REDIRECT_ENV] = cluster.url


def pytest_unconfigure(config: pytest.Config) -> None:
    cluster = config.stash.get(CLUSTER, None)
    if cluster is not None:
        for store in list(db.OPEN):
            store.close()
        cluster.stop()


def pytest_report_header(config: pytest.Config) -> str:
    return f"sterling-mock store backend: {BACKEND}"


#: Test files whose subject does not depend on the store (documentation, packaging, the architecture, the pytest
#: plugin's and the contract suite's own machinery, the console's browser rendering, pure functions): they run on
#: the SQLite pass only, so `make test` stays short.  Everything that calls the fake's APIs runs on both.
STORE_AGNOSTIC = frozenset(
    {
        "test_architecture.py",
        "test_contract_options.py",
        "test_contract_switch.py",
        "test_coverage_page.py",
        "test_docs.py",
        "test_mutants_core.py",
        "test_mutation_budget.py",
        "test_one_name.py",
        "test_parity.py",
        "test_plugin.py",
        "test_readme.py",
        "test_sync_follow.py",
        "test_wire.py",
        "test_xdist.py",
        "test_console_browser.py",
        "test_console_order_page.py",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND != "postgresql":
        return
    reason = config.stash.get(UNAVAILABLE, "")
    for item in items:
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL pass: {reason}"))
        elif item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="about the SQLite backend; this pass runs on PostgreSQL"))
        elif item.path.name in STORE_AGNOSTIC:
            item.add_marker(pytest.mark.skip(reason="does not depend on the store: runs on the SQLite pass"))
        elif _wire_format(item) == "xml":
            item.add_marker(pytest.mark.skip(reason=XML_ON_SQLITE))


#: A test run in XML and in JSON (its ``fmt`` parameter) stores the same document either way: the wire format is
#: the doors' concern, and JSON carries the values a store can trip over (numbers, booleans, nulls, nesting), so
#: the PostgreSQL pass runs the JSON form and the SQLite pass both (~340 tests fewer on the second pass).
XML_ON_SQLITE = "the wire format is the doors' concern: the XML form runs on the SQLite pass, JSON on both"


def _wire_format(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    return str(callspec.params.get("fmt", "")) if callspec is not None else ""


#: Memory-store schemas whose test has ended, emptied, for the next memory store of this process: creating a
#: schema's ~40 tables and indexes takes ~0.1 s, emptying one ~5 ms (the PostgreSQL pass opens ~900 stores).
_FREE: list[str] = []
_redirected = db.redirected


def _recycling_redirect(path: str, base: str) -> str:
    if path in ("", ":memory:") and _FREE:
        return db.with_schema(base, _FREE.pop())
    return _redirected(path, base)


db.redirected = _recycling_redirect


def _recycle(store: db.Postgres) -> None:
    """Empty a memory store's schema (every table but the schema version) and offer it to the next test."""
    conn = store.connect()
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema=%s AND table_name<>'meta'",
                (store.schema,),
            ).fetchall()
        ]
        conn.execute("; ".join(f'DELETE FROM "{store.schema}"."{t}"' for t in tables))
    finally:
        conn.close()
    _FREE.append(store.schema)


@pytest.fixture(autouse=True)
def _close_postgres_stores() -> object:
    """Close the connection pools of the stores a test opened (a closed store reopens its pool on use);
    memory stores' schemas are emptied and reused."""
    before = set(map(id, db.OPEN))
    yield
    for store in list(db.OPEN):
        if id(store) not in before:
            store.close()
            if store.schema.startswith("m_") and store.schema not in _FREE:
                _recycle(store)
