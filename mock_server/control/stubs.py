"""Control routes for stubs (per namespace): answers for APIs the fake does not model (calls/stubs.py).

``PUT /_fake/stubs`` replaces the namespace's stubs with ``{"stubs": [...]}`` (hand-written) or
``{"recording": "recordings/NAME"}`` (a stub file, or a session folder's ``stubs.json``, on the server's
disk), ``GET`` lists them with how often each answered, ``DELETE`` removes them.  ``reset`` clears them too.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from sterling_mock.mock_server.apis import APIS
from sterling_mock.mock_server.calls import stubs as serving
from sterling_mock.mock_server.calls.stubs import StubError, load_file, normalise_stub, stubbed_apis
from sterling_mock.mock_server.control import (
    ControlError,
    body,
    bp,
    fake,
    invalid,
    json_response,
    namespace,
    no_content,
)


@bp.get("/stubs")
def list_stubs() -> Response:
    ns = namespace()
    runtime = fake()
    with runtime.store.read() as tx:
        stubs = serving.listing(tx, ns, runtime.settings)
    return json_response({"namespace": ns, "stubs": stubs, **stubbed_apis(stubs, frozenset(APIS))})


@bp.put("/stubs")
def put_stubs() -> Response:
    data = body()
    ns = namespace(data)
    stubs = _stubs(data)
    with fake().store.write() as tx:
        serving.put(tx, ns, stubs)
    return json_response({"namespace": ns, "loaded": len(stubs), **stubbed_apis(stubs, frozenset(APIS))})


@bp.delete("/stubs")
def delete_stubs() -> Response:
    with fake().store.write() as tx:
        serving.clear(tx, namespace())
    return no_content()


def _stubs(data: dict[str, Any]) -> list[dict[str, Any]]:
    unknown = set(data) - {"stubs", "recording", "namespace"}
    if unknown:
        raise invalid(sorted(unknown)[0], "unknown field (stubs, recording, namespace)")
    try:
        if "recording" in data:
            if not isinstance(data["recording"], str) or not data["recording"].strip():
                raise invalid("recording", "must be the path of a session folder or stub file")
            return load_file(data["recording"])
        raw = data.get("stubs")
        if not isinstance(raw, list):
            raise invalid("stubs", "must be a list of stubs")
        return [normalise_stub(item, index) for index, item in enumerate(raw)]
    except StubError as exc:
        raise invalid(exc.field, exc.message) from None
    except (OSError, ValueError) as exc:
        raise ControlError(400, "INVALID_RECORDING", str(exc)) from None
