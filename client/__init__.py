"""A small, robust Python client for IBM Sterling OMS (and the fake), plus incremental order sync.

The names below load on first use: the fake's server imports only ``client.wire`` (its document codec), and
``requests``/``tenacity`` would otherwise sit in every worker's memory (issue 9: idle RSS).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import SterlingClient, normalise, restapi_url
    from .errors import (
        AuthenticationError,
        SterlingApiError,
        SterlingClientError,
        ThrottledError,
        TransportError,
    )
    from .retry import RetryPolicy

_WHERE = {
    "AuthenticationError": "errors",
    "RetryPolicy": "retry",
    "SterlingApiError": "errors",
    "SterlingClient": "client",
    "SterlingClientError": "errors",
    "ThrottledError": "errors",
    "TransportError": "errors",
    "normalise": "client",
    "restapi_url": "client",
}

__all__ = [
    "AuthenticationError",
    "RetryPolicy",
    "SterlingApiError",
    "SterlingClient",
    "SterlingClientError",
    "ThrottledError",
    "TransportError",
    "normalise",
    "restapi_url",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'client' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
