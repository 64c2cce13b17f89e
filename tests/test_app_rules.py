"""The app's URL rules compile their URL builders lazily (create_app 62 -> ~13 ms): URLs built from them are the
ones werkzeug's own rules build, and requests still reach the same views."""

from __future__ import annotations

from flask import Flask, url_for
from werkzeug.routing import Map, Rule

from sterling_mock.mock_server.doors import app as app_module


def test_every_rule_builds_what_werkzeugs_own_rule_builds(app: Flask) -> None:
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(rule, app_module._LazyBuildRule) for rule in rules)
    eager = Map(strict_slashes=False, merge_slashes=False)
    for rule in rules:
        eager.add(Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods, defaults=rule.defaults))
    builder = eager.bind("localhost")
    with app.test_request_context():
        for rule in rules:
            values = {name: "a b/c" if name != "filename" else "x.css" for name in rule.arguments}
            expected = builder.build(rule.endpoint, values, method=sorted(rule.methods or ["GET"])[0])
            assert url_for(rule.endpoint, **values) == expected
            # a second build reuses the compiled builder, with unknown values appended as a query
            assert url_for(rule.endpoint, **values, extra="1").endswith("extra=1")


def test_requests_still_reach_their_views(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/_fake/health").status_code == 200
    assert client.get("/_fake/console/").status_code in (200, 302)
    assert client.get("/_fake/console/login").status_code == 405  # POST only, as before
