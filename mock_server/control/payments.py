"""Control routes for payments: make the next authorisations fail (a declined card), to test a client's
handling of declines, and clear that again."""

from __future__ import annotations

from flask import Response

from sterling_mock.mock_server.control import body, bp, fake, invalid, json_response, namespace, no_content
from sterling_mock.mock_server.domain.payments import charges
from sterling_mock.mock_server.store.journal import side_write


@bp.post("/payments/decline")
def post_decline() -> Response:
    """``{"times": n}`` (default 1; ``null`` until cleared), ``"reason"``, ``"payment_type"`` (only methods of
    that PaymentType): the next authorisations processOrderPayments tries are declined."""
    data = body()
    times = data.get("times", 1)
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise invalid("times", "times must be a whole number of at least 1, or null")
    for name in ("reason", "payment_type"):
        if not isinstance(data.get(name, ""), str):
            raise invalid(name, f"{name} must be a string")
    rule = {"remaining": times, "reason": data.get("reason") or "Declined by the issuer",
            "payment_type": data.get("payment_type") or ""}  # fmt: skip
    ns = namespace(data)
    with side_write(fake().store) as tx:
        tx.kv_put(ns, charges.KV_DECLINE, rule)
    return json_response({**rule, "namespace": ns})


@bp.get("/payments/decline")
def get_decline() -> Response:
    with fake().store.read() as tx:
        return json_response({"decline": tx.kv_get(namespace(), charges.KV_DECLINE)})


@bp.delete("/payments/decline")
def delete_decline() -> Response:
    with side_write(fake().store) as tx:
        tx.kv_delete(namespace(), charges.KV_DECLINE)
    return no_content()
