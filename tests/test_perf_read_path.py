"""The read path's shortcuts (issue 9): cached journal forms of getOrderDetails bodies, one lookup for a
templated list's cached fragments, the query compiler's skip of attributes an input does not name, and WAL
checkpoints off the request path.  Each must answer exactly what the slow path answers."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from flask.testing import FlaskClient

from sterling_mock.client.wire import from_json, from_xml
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.dispatch import Call, Fake
from sterling_mock.mock_server.domain.queries.order_query import ORDER_FIELDS
from sterling_mock.mock_server.domain.queries.query import attribute_conditions, compile_query
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.store import journal, spool, walcheckpoint
from tests.conftest import BASIC, Api
from tests.test_perf_cache import TEMPLATE, _create


def _journal(client: FlaskClient, api: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(f"/_fake/journal?api={api}&limit=1000").get_json()["entries"]
    return found


def _file_store(tmp_path: Path, name: str) -> str:
    """A SQLite file (on the PostgreSQL pass the store is redirected, and checkpoints are SQLite's only)."""
    return str(tmp_path / name)


# ------------------------------------------------------------------------------------ journal forms


def test_details_journal_output_is_the_body_whether_cached_or_not(
    api: Api, client: FlaskClient, fmt: str
) -> None:
    key = _create(api, "PO-1")
    bodies = [api.raw("getOrderDetails", {"OrderHeaderKey": key}, fmt).data for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2]  # a miss, then two hits
    as_json = Api(client)("getOrderDetails", {"OrderHeaderKey": key})  # the journal keeps JSON
    outputs = [entry["output"] for entry in _journal(client, "getOrderDetails")]
    assert outputs == [as_json] * 4
    api("changeOrder", {"OrderHeaderKey": key, "CustomerPONo": "PO-2"})
    api.raw("getOrderDetails", {"OrderHeaderKey": key}, fmt)
    assert _journal(client, "getOrderDetails")[-1]["output"]["CustomerPONo"] == "PO-2"


def test_cached_journal_forms_follow_the_journal_document_limit(tmp_path: Path) -> None:
    """Two servers over one store with different journal limits: each journals its own form (truncated
    past its limit), from the cache or not."""
    db = _file_store(tmp_path, "limits.db")
    small = create_app(Settings(db=db, demo_orders=0, journal_doc_bytes=2000)).test_client()
    large = create_app(Settings(db=db, demo_orders=0)).test_client()
    key = _create(Api(small), "PO-1")
    body = b""
    for client in (small, small, large, large, small):
        body = Api(client).raw("getOrderDetails", {"OrderHeaderKey": key}).data
    outputs = [entry["output"] for entry in _journal(small, "getOrderDetails")]
    assert len(outputs) == 5
    truncated = {"_truncated": True, "_bytes": len(body), "_head": body[:2000].decode()}
    whole = orjson.loads(body)
    assert outputs == [truncated, truncated, whole, whole, truncated]


def test_secret_words_in_a_cached_body_take_the_masking_path(api: Api, client: FlaskClient) -> None:
    """A body mentioning a token is journaled as the masking path leaves it, from the cache or not."""
    key = _create(api, "token-and-password")
    for _ in range(2):
        body = api.raw("getOrderDetails", {"OrderHeaderKey": key}).data
    assert b"token" in body
    assert [entry["output"] for entry in _journal(client, "getOrderDetails")] == [orjson.loads(body)] * 2


# ------------------------------------------------------------------------------------ templated lists


def _templated_list(client: FlaskClient, fmt: str) -> bytes:
    response = client.post(
        "/smcfs/restapi/invoke/getOrderList?_templateId=readPath",
        data=orjson.dumps({"EnterpriseCode": "Matrix-R", "MaximumRecords": "10"}),
        headers={**BASIC, "Content-Type": "application/json", "Accept": f"application/{fmt}"},
    )
    assert response.status_code == 200, response.data[:500]
    return response.data


def _orders(body: bytes, fmt: str) -> list[dict[str, Any]]:
    doc = from_xml(body)[1] if fmt == "xml" else from_json(body)
    found = doc["Order"]
    return found if isinstance(found, list) else [found]


def test_a_list_mixing_cached_and_fresh_orders(api: Api, client: FlaskClient, fmt: str) -> None:
    client.put("/_fake/templates/readPath", data=TEMPLATE)
    keys = [_create(api, f"PO-{n}") for n in range(4)]
    first = _templated_list(client, fmt)  # every fragment rendered
    assert [o["CustomerPONo"] for o in _orders(first, fmt)] == ["PO-0", "PO-1", "PO-2", "PO-3"]
    assert _templated_list(client, fmt) == first  # every fragment cached
    api("changeOrder", {"OrderHeaderKey": keys[2], "CustomerPONo": "PO-2b"})
    mixed = _templated_list(client, fmt)  # one fresh among cached ones, in order
    assert [o["CustomerPONo"] for o in _orders(mixed, fmt)] == ["PO-0", "PO-1", "PO-2b", "PO-3"]
    assert [o["OrderHeaderKey"] for o in _orders(mixed, fmt)] == keys
    assert _templated_list(client, fmt) == mixed
    outputs = [entry["output"] for entry in _journal(client, "getOrderList")]
    assert [[o["CustomerPONo"] for o in out["Order"]] for out in outputs] == [
        ["PO-0", "PO-1", "PO-2", "PO-3"],
        ["PO-0", "PO-1", "PO-2", "PO-3"],
        ["PO-0", "PO-1", "PO-2b", "PO-3"],
        ["PO-0", "PO-1", "PO-2b", "PO-3"],
    ]


def test_an_xml_list_journals_the_json_answer_whether_or_not_it_fetched_json(
    app: Any, api: Api, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An XML caller's list is journaled as the JSON answer to the same call: packed from JSON fragments the
    first time, from the memo of the same XML body after that (no JSON fetched), from fragments fetched late
    when only the XML ones were cached."""
    from sterling_mock.mock_server.apis import lists

    client.put("/_fake/templates/readPath", data=TEMPLATE)
    keys = [_create(api, f"PO-{n}") for n in range(3)]
    json_answers = [from_json(_templated_list(client, "json")), api("getOrderList", {}, root="OrderList")]
    fetched: list[str] = []  # the JSON fragment fetches of XML calls
    default_fragments = lists.default_fragments

    def counted(ctx: Any, views: Any, fmt: str) -> list[bytes]:
        if fmt == "json" and ctx.fmt == "xml":
            fetched.append("default")
        return default_fragments(ctx, views, fmt)

    monkeypatch.setattr(lists, "default_fragments", counted)
    for _ in range(2):  # a fresh body, then the same one
        _templated_list(client, "xml")
        api.raw("getOrderList", {}, "xml")
        assert fetched == ["default"]  # the first round fetched JSON once; the repeat answered from the memo
    store = app.extensions["sterling_mock"].store
    with journal.settled(store) as tx:  # the templated JSON fragment of one order goes; its XML one stays
        tx.conn.execute("DELETE FROM render_cache WHERE ohk=? AND kind LIKE 'list.%.json.%'", (keys[1],))
    journal.clear_memo()
    _templated_list(client, "xml")
    outputs = [entry["output"] for entry in _journal(client, "getOrderList")]
    assert outputs[2:] == [json_answers[0], json_answers[1]] * 2 + [json_answers[0]]
    assert _templated_list(client, "xml") == _templated_list(client, "xml")


# ------------------------------------------------------------------------------------ query compiler


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"MaximumRecords": "20"},
        {"OrderNo": "Y1", "OrderNoQryType": "FLIKE"},
        {"FromOrderDate": "2024-01-01", "ToOrderDate": "2024-12-31", "OrderDateQryType": "BETWEEN"},
        {"ToOrderDate": "2024-12-31"},
        {"OrderDateQryType": "DATERANGE", "FromOrderDate": "2024-01-01"},
        {"Status": "1100", "StatusQryType": "GE", "EnterpriseCode": "Matrix-R", "CustomerPONo": ""},
        {"TotalAmount": "10", "TotalAmountQryType": "GT", "FromTotalAmount": "1"},
    ],
)
def test_compiled_conditions_are_those_of_every_field(doc: dict[str, Any]) -> None:
    every = [cond for attr, dtype in ORDER_FIELDS.items() for cond in attribute_conditions(doc, attr, dtype)]
    assert repr(compile_query(doc, dict(ORDER_FIELDS)).conditions) == repr(every)


def test_a_qry_type_alone_is_still_checked() -> None:
    from sterling_mock.mock_server.base.errors import SterlingError

    with pytest.raises(SterlingError):
        compile_query({"OrderNoQryType": "NOPE"}, dict(ORDER_FIELDS))


# ------------------------------------------------------------------------------------ WAL checkpoints


def _sqlite_fake(tmp_path: Path, name: str) -> Fake:
    fake = Fake(Settings(db=_file_store(tmp_path, name), demo_orders=0))
    if fake.store.postgres is not None or fake.store.memory:
        pytest.skip("WAL checkpoints are the SQLite file store's")
    return fake


def _read_calls(fake: Fake, count: int) -> str:
    out = fake.invoke(
        Call(api="createOrder", user="admin"),
        {"EnterpriseCode": "Matrix-R", "OrderLines": {"OrderLine": [{"OrderedQty": "1"}]}},
    )
    key = str(out.doc["OrderHeaderKey"]) if out.doc else ""
    for _ in range(count):
        fake.invoke(Call(api="getOrderDetails", user="admin"), {"OrderHeaderKey": key})
    return key


def test_journal_rows_reach_the_database_file_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spooled rows are settled by the background thread once due (here at once), then checkpointed."""
    monkeypatch.setattr(spool, "FLUSH_AFTER", 0.0)
    fake = _sqlite_fake(tmp_path, "ckpt.db")
    _read_calls(fake, 20)
    walcheckpoint.flush()
    with journal.side_write(fake.store) as tx:  # what the side connection was told
        assert tx.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == walcheckpoint.SIDE_AUTOCHECKPOINT
    walcheckpoint.flush()
    assert (
        _count_in_the_file_alone(tmp_path, fake, "SELECT count(*) FROM journal WHERE api='getOrderDetails'")
        == 20
    )


def _count_in_the_file_alone(tmp_path: Path, fake: Fake, sql: str) -> int:
    """A count from a copy of the database file without its WAL: what the checkpoints have written there."""
    copy = tmp_path / "copy.db"
    shutil.copyfile(fake.store.path, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_order_writes_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    fake = _sqlite_fake(tmp_path, "writes.db")
    _read_calls(fake, 0)  # one createOrder
    conn = fake.store.connection()  # this thread's, the one the write used
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == walcheckpoint.SIDE_AUTOCHECKPOINT
    walcheckpoint.flush()
    assert _count_in_the_file_alone(tmp_path, fake, "SELECT count(*) FROM orders") == 1


def test_a_long_wal_starts_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under steady load the log never starts over by itself; past RESTART_FRAMES a pass makes it."""
    monkeypatch.setattr(walcheckpoint, "RESTART_FRAMES", 1)
    fake = _sqlite_fake(tmp_path, "restart.db")
    _read_calls(fake, 30)
    walcheckpoint.flush()
    _read_calls(fake, 1)
    conn = sqlite3.connect(fake.store.path)
    try:
        busy, frames, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    assert busy == 0
    assert 0 < frames < 100  # the last few calls' pages, not the 30 before them


def test_a_dropped_store_is_forgotten(tmp_path: Path) -> None:
    fake = _sqlite_fake(tmp_path, "gone.db")
    _read_calls(fake, 1)
    walcheckpoint.flush()
    ident = id(fake.store)
    assert ident in walcheckpoint._entries
    fake.store.close()
    del fake
    gc.collect()
    walcheckpoint.flush()
    assert ident not in walcheckpoint._entries


# ------------------------------------------------------------------------------------ idle memory


def test_the_server_does_not_load_the_http_client() -> None:
    """What ``serve`` imports sits in every worker: the client's HTTP stack (requests, tenacity) is not
    part of it, and the client package still offers every name."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sterling_mock.mock_server.__main__ import build_parser\n"
        "import sterling_mock.mock_server.doors.server\n"
        "build_parser().parse_args(['serve', '--port', '1'])\n"
        "assert 'requests' not in sys.modules and 'tenacity' not in sys.modules, 'loaded'\n"
        "from sterling_mock import client\n"
        "assert client.SterlingClient.__name__ == 'SterlingClient'\n"
        "from sterling_mock.client import RetryPolicy, TransportError, normalise\n"
        "assert 'requests' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    with pytest.raises(AttributeError):
        from sterling_mock import client

        _ = client.NoSuchName  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------ the journal's memo


@pytest.mark.parametrize(
    "value",
    [
        orjson.dumps({"Order": [{"OrderNo": f"Y{n:05d}", "CustomerPONo": "x" * 40} for n in range(200)]}),
        orjson.dumps({"Order": [{"OrderNo": f"Y{n:05d}", "Password": "secret"} for n in range(200)]}),
        orjson.dumps({"Order": [{"OrderNo": f"Y{n:05d}"} for n in range(2000)]}),  # past the document limit
    ],
)
def test_memoised_journal_forms_equal_fresh_ones(value: bytes) -> None:
    fresh = journal._pack(journal.encode_document(value, 16384))
    assert journal.packed_output(value, 16384) == fresh  # computed
    assert journal.packed_output(bytes(bytearray(value)), 16384) == fresh  # from the memo (equal bytes)
    assert journal.packed_output(value, 1000) == journal._pack(journal.encode_document(value, 1000))
    if b"Password" in value:
        assert b"secret" not in journal._unpack(fresh).__repr__().encode()


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "MEMO_BYTES", 200_000)
    for n in range(100):
        journal.packed_output(orjson.dumps({"n": n, "pad": "x" * 5000}), 16384)
    assert 0 < journal._memo_size[0] <= 200_000
    assert journal._memo_size[0] == sum(len(k) + len(v) for (k, _), v in journal._memo.items())


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/xml", "xml"),
        ("text/xml", "xml"),
        ("application/xml;q=0.5, application/json", "json"),
        ("application/json;q=0.1, text/xml", "xml"),
        ("application/xhtml+xml", "json"),
        ("", "json"),
        ("*/*", "json"),
    ],
)
def test_the_answer_format_follows_accept(accept: str, expected: str) -> None:
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from sterling_mock.mock_server.doors.http import response_format

    headers = {"Accept": accept} if accept else {}
    assert response_format(Request(EnvironBuilder(headers=headers).get_environ())) == expected
