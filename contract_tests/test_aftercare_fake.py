"""Contract, fake only: payment declines from the control plane and the alerts the fake raises itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sterling_mock.client.wire import Doc, as_list

from .sterling import Sterling

pytestmark = [
    pytest.mark.fake_only(reason="declines and alerts are set up through the fake's control plane"),
    pytest.mark.writes,
]
Make = Callable[..., tuple[str, Doc]]


def test_declined_authorisation_raises_an_alert(
    sterling: Sterling, new_order: Make, control: Callable[..., Any]
) -> None:
    key, _ = new_order(lines=1)
    control("POST", "payments/decline", {"times": 1, "reason": "Do not honour"})
    out = sterling.invoke("processOrderPayments", {"OrderHeaderKey": key})
    assert out["PaymentStatus"] == "AWAIT_PAY_INFO"
    alerts = sterling.invoke("getExceptionListForOrder", {"OrderHeaderKey": key})
    assert [a["ExceptionType"] for a in as_list(alerts["Inbox"])] == ["PAYMENT_DECLINED"]
