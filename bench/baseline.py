"""The baseline every figure is divided by: a minimal Flask app serving a static 42 KB body."""

from __future__ import annotations

from flask import Flask, Response

BODY = (
    b'{"Order":['
    + b",".join([b'{"OrderNo":"Y100000001","Status":"Created","Pad":"' + b"x" * 2000 + b'"}'] * 20)
    + b"]}"
)

app = Flask("baseline")


@app.route("/", methods=["GET", "POST"])
def static_body() -> Response:
    return Response(BODY, content_type="application/json")
