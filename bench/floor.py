"""The floor under createOrder: a minimal Flask app whose whole handler is one SQLite insert of the posted
body, committed (``BEGIN IMMEDIATE``, ``INSERT``, ``COMMIT``) with the fake's pragmas (WAL,
``synchronous`` from ``FLOOR_SYNC``: FULL is durable across a power loss, like the fake's default).

Served by gunicorn with 2 sync workers like the baseline and the fake, it shows what any durable, stateful create
can reach on this machine before it validates, derives or renders anything (bench/README.md, "The floor")."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from flask import Flask, Response, request

DB = os.environ.get("FLOOR_DB", "floor.db")
SYNC = os.environ.get("FLOOR_SYNC", "FULL")

app = Flask("floor")
_local = threading.local()


def _conn() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DB, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={SYNC}")
        conn.execute("CREATE TABLE IF NOT EXISTS orders(k INTEGER PRIMARY KEY, doc BLOB NOT NULL)")
        _local.conn = conn
    return conn


@app.route("/", methods=["GET", "POST"])
def create() -> Response:
    doc = request.get_json(force=True, silent=True) or {}
    conn = _conn()
    conn.execute("BEGIN IMMEDIATE")
    key = conn.execute("INSERT INTO orders(doc) VALUES(?) RETURNING k", (json.dumps(doc),)).fetchone()[0]
    conn.execute("COMMIT")
    return Response(json.dumps({"OrderHeaderKey": str(key)}), content_type="application/json")
