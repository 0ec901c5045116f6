"""Durations and points in time as moderators type them: "30m", "12h", "7d", "2w", "1d12h",
a bare number of days, or an ISO date. Shared by every text-command adapter."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_PART = re.compile(r"(\d+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta | None:
    """A positive duration, or None when the text is not one."""

    text = text.strip().lower().replace(" ", "")
    if text.isdigit():
        return timedelta(days=int(text)) if int(text) > 0 else None
    parts = _PART.findall(text)
    if not parts or "".join(f"{n}{u}" for n, u in parts) != text:
        return None
    total = sum((timedelta(**{_UNITS[u]: int(n)}) for n, u in parts), timedelta())
    return total or None


def parse_since(text: str, now: datetime) -> datetime | None:
    """A duration back from `now` ("24h", "7d") or a date / date-time (UTC if no zone)."""

    duration = parse_duration(text)
    if duration is not None:
        return now - duration
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
