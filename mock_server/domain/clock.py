"""The one clock (virtual, per namespace) and Sterling's date formats in and out (reference §5)."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone

from sterling_mock.mock_server.base.errors import InvalidDate
from sterling_mock.mock_server.store.tx import Tx

UTC = timezone.utc
# Keys start with a four-digit year, and a running clock set near year 9999 would overflow (an HTTP 500 on
# every later call) within seconds: the virtual clock stays well inside what datetime can hold.
EARLIEST, LATEST = datetime(1000, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


class ClockRangeError(ValueError):
    """The virtual clock would leave the years 1000 to 9000."""


def real_now() -> float:
    return time.time()


def now(tx: Tx, ns: str) -> datetime:
    """The namespace's current time: real time, shifted by its offset, or the instant it is frozen at."""
    frozen, at, offset = tx.clock_state(ns)
    if frozen and at is not None:
        return datetime.fromtimestamp(at, UTC)
    return datetime.fromtimestamp(real_now() + offset, UTC)


def clock_info(tx: Tx, ns: str) -> dict[str, object]:
    frozen, _, _ = tx.clock_state(ns)
    return {"now": format_datetime(now(tx, ns)), "frozen": frozen}


def freeze(tx: Tx, ns: str, frozen: bool) -> None:
    current = now(tx, ns).timestamp()
    if frozen:
        tx.set_clock_state(ns, True, current, 0.0)
    else:
        tx.set_clock_state(ns, False, None, current - real_now())


def set_time(tx: Tx, ns: str, when: datetime) -> None:
    if not EARLIEST <= when <= LATEST:
        raise ClockRangeError("the clock must stay between the years 1000 and 9000")
    frozen, _, _ = tx.clock_state(ns)
    if frozen:
        tx.set_clock_state(ns, True, when.timestamp(), 0.0)
    else:
        tx.set_clock_state(ns, False, None, when.timestamp() - real_now())


def advance(tx: Tx, ns: str, seconds: float) -> None:
    try:
        target = now(tx, ns) + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        raise ClockRangeError("the clock must stay between the years 1000 and 9000") from None
    set_time(tx, ns, target)


# ------------------------------------------------------------------------------------------- formats


def format_datetime(value: datetime) -> str:
    """``2025-01-27T10:17:09+00:00``: ISO 8601, colon offset, no milliseconds [OBS]."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()


def column_value(value: datetime) -> str:
    """The sortable UTC form kept in indexed columns (``2025-01-27T10:17:09.123``)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # isoformat, not strftime: "%Y" writes year 1 as "1", which sorts after "2025" in a text column.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMPACT_DT = re.compile(r"^(\d{4})(\d{2})(\d{2})[T ]?(\d{2})(\d{2})(\d{2})$")
_OFFSET_NO_COLON = re.compile(r"([+-])(\d{2})(\d{2})$")


def parse_datetime(raw: str, *, attribute: str = "date") -> datetime:
    """Every input form seen on the wire: ``Z``, ``-0500``, ``+05:30``, milliseconds, no offset (UTC),
    date only, ``yyyyMMdd``, ``yyyyMMddHHmmss`` and ``2022-07-10 00:00:00-00:00``."""
    text = raw.strip()
    try:
        m = _COMPACT_DATE.match(text)
        if m:
            return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=UTC)
        m = _COMPACT_DT.match(text)
        if m:
            y, mo, d, h, mi, se = (int(g) for g in m.groups())
            return datetime(y, mo, d, h, mi, se, tzinfo=UTC)
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        text = _OFFSET_NO_COLON.sub(r"\1\2:\3", text) if re.search(r"[T ]\d", text) else text
        value = datetime.fromisoformat(text)
        # A valid local time can fall outside what datetime holds once moved to UTC (9999-12-31T23:59-05:00).
        if value.tzinfo is not None:
            value.astimezone(UTC)
    except (ValueError, TypeError, OverflowError):
        raise InvalidDate(
            f"{attribute}={raw!r} is not a date Sterling accepts (ISO 8601, yyyyMMdd).",
            attributes={"Name": attribute, "Value": raw},
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def parse_date_only(raw: str, *, attribute: str = "date") -> date:
    return parse_datetime(raw, attribute=attribute).date()


def normalise_datetime(raw: str, *, attribute: str) -> str:
    """An input date-time as Sterling writes it back out."""
    return format_datetime(parse_datetime(raw, attribute=attribute))


def make_key(when: datetime, sequence: int) -> str:
    """``yyyyMMddHHmmss`` + milliseconds + a sequence: 23+ digits, ordered by creation (reference §5)."""
    utc = when.astimezone(UTC)
    return utc.strftime("%Y%m%d%H%M%S") + f"{utc.microsecond // 1000:03d}" + f"{sequence:06d}"
