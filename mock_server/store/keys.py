"""Key attributes' size bound: what every key column of the store may hold, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sterling_mock.mock_server.base.errors import KeyTooLong

#: Bytes (UTF-8) a key attribute may have: indexed columns are bounded on PostgreSQL (a b-tree entry holds at
#: most ~2.7 KB) and must behave alike on both backends.  Sterling's own columns are 24-40 characters.
KEY_BYTES = 500


def check_keys(**values: str) -> None:
    """Refuse (MOCK0011, nothing written) a key attribute past ``KEY_BYTES``."""
    for name, value in values.items():
        if len(value) * 4 > KEY_BYTES and len(value.encode("utf-8")) > KEY_BYTES:
            raise KeyTooLong(
                f"{name} has {len(value.encode('utf-8')):,} bytes", attributes={"Attribute": name}
            )
