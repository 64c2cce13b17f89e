"""(being written) APIs of the fulfilment family."""

from __future__ import annotations

from .spec import ApiSpec

APIS: dict[str, ApiSpec] = {}
