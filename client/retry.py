"""Retries with exponential backoff and jitter (tenacity), honouring ``Retry-After``, bounded by attempts and
total time — and never repeating a call that may already have been applied.

What is retried, and why:
- **connection refused / connect timeout**, any call: nothing reached the server.
- **HTTP 429 and 503**, any call: the fake and the throttling proxies in front of Sterling refuse these before
  the API runs, so nothing was applied (``Retry-After`` is honoured, capped by ``backoff_max``).
- **HTTP 502 and 504, read timeouts, connections reset or closed mid-answer**: only calls that change nothing
  (``get*``, login): a gateway may have handed a write to Sterling before failing, so a write is raised to the
  caller, who can check and decide.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
)

ALWAYS_RETRIED = frozenset({429, 503})
RETRIED_WHEN_SAFE = frozenset({502, 504})


@dataclass
class RetryPolicy:
    attempts: int = 5
    backoff: float = 0.5
    backoff_max: float = 10.0
    max_total: float = 60.0
    jitter: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @classmethod
    def none(cls) -> RetryPolicy:
        return cls(attempts=1)


def _connect_failure(exc: BaseException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        text = repr(exc.args[0]) if exc.args else ""
        return "NewConnectionError" in text or "Connection refused" in text
    return False


def _retryable_exception(safe: bool) -> Callable[[BaseException], bool]:
    def check(exc: BaseException) -> bool:
        if _connect_failure(exc):
            return True
        return safe and isinstance(exc, (requests.ConnectionError, requests.Timeout))

    return check


def _retryable_status(safe: bool) -> Callable[[requests.Response], bool]:
    statuses = ALWAYS_RETRIED | RETRIED_WHEN_SAFE if safe else ALWAYS_RETRIED
    return lambda response: response.status_code in statuses


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            response = outcome.result()
            header = response.headers.get("Retry-After") if isinstance(response, requests.Response) else None
            if header is not None:
                try:
                    return min(max(float(header), 0.0), policy.backoff_max)
                except ValueError:
                    pass
        exponential = policy.backoff * 2.0 ** (int(state.attempt_number) - 1)
        return min(exponential + random.uniform(0, policy.jitter), policy.backoff_max)

    return wait


def call_with_retries(
    once: Callable[[], requests.Response], policy: RetryPolicy, *, safe: bool
) -> requests.Response:
    """``once()`` under ``policy``; the last response is returned when retries run out on a status."""
    retrying = Retrying(
        stop=stop_after_attempt(max(policy.attempts, 1)) | stop_after_delay(policy.max_total),
        wait=_wait(policy),
        retry=retry_if_exception(_retryable_exception(safe)) | retry_if_result(_retryable_status(safe)),
        sleep=policy.sleep,
        reraise=True,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
    )
    response: requests.Response = retrying(once)
    return response
