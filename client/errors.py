"""The client's exceptions: one root carrying the response, and a class per way a Sterling call fails."""

from __future__ import annotations

from typing import Any


class SterlingClientError(Exception):
    """Root of every error the client raises; ``response`` is the ``requests.Response`` when there was one."""

    def __init__(self, message: str, *, response: Any = None) -> None:
        super().__init__(message)
        self.response = response


class TransportError(SterlingClientError):
    """The call did not get an answer: connection refused or reset, timeout, or a body that is not Sterling's."""


class SterlingApiError(SterlingClientError):
    """Sterling answered with an error document (REST ``errors`` envelope or ``<Errors>``)."""

    def __init__(
        self,
        code: str,
        description: str,
        *,
        more_info: dict[str, str] | None = None,
        http_status: int = 0,
        errors: list[dict[str, Any]] | None = None,
        response: Any = None,
    ) -> None:
        self.code = code
        self.description = description
        self.more_info = dict(more_info or {})
        self.http_status = http_status
        self.errors = list(errors or [])
        detail = self.more_info.get("ErrorRelatedMoreInfo", "")
        super().__init__(f"{code}: {description}" + (f" ({detail})" if detail else ""), response=response)


class AuthenticationError(SterlingApiError):
    """YCP0427: the user is not authenticated (bad credentials, expired or wrong token)."""


class ThrottledError(SterlingApiError):
    """HTTP 429 after the retries ran out; ``retry_after`` is the server's ``Retry-After`` in seconds."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after
