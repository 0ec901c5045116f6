"""Durations and points in time as moderators type them: "30m", "12h", "7d", "2w", "1d12h",
a bare number of days, or an ISO date. The core reads help-ban durations itself; adapters
read `since` / `until` periods with the same rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"(?:\d+[mhdw])+")
_PART = re.compile(r"(\d+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta | None:
    """A positive duration, or None when the text is not one (or is beyond any calendar)."""

    text = text.strip().lower().replace(" ", "")
    if text.isdecimal():
        text += "d"  # a bare number counts days
    if not _DURATION.fullmatch(text):
        return None
    try:
        total = sum((timedelta(**{_UNITS[u]: int(n)}) for n, u in _PART.findall(text)), timedelta())
    except (OverflowError, ValueError):  # "99999999999d", or 4,300+ digits int() refuses:
        return None  # a typo, answered like any other bad duration
    return total or None


def parse_since(text: str, now: datetime) -> datetime | None:
    """A duration back from `now` ("24h", "7d") or a date / date-time (UTC if no zone)."""

    duration = parse_duration(text)
    if duration is not None:
        try:
            return now - duration
        except OverflowError:  # before the year 1
            return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
