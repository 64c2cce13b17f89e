"""A small, robust Python client for IBM Sterling OMS (and the fake), plus incremental order sync."""

from .client import SterlingClient, normalise, restapi_url
from .errors import AuthenticationError, SterlingApiError, SterlingClientError, ThrottledError, TransportError
from .retry import RetryPolicy

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
