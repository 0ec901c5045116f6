from datetime import UTC, datetime, timedelta

from bot.durations import parse_duration, parse_since


def test_durations() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("1d12h") == timedelta(hours=36)
    assert parse_duration(" 2W ") == timedelta(weeks=2)
    assert parse_duration("3") == timedelta(days=3)
    assert parse_duration("1d 12h") == timedelta(hours=36)
    huge = "99999999999"  # days beyond timedelta, bare or with its unit: bad, not a crash
    longest = "9" * 5_000 + "d"  # int() refuses 4,300+ digits
    for bad in ("", "0", "0d", "soon", "5x", "7d tomorrow", "-1d", "d", "7dd", huge, huge + "d",
                longest, "\u00b2d", "\u00b2"):  # fmt: skip
        assert parse_duration(bad) is None, bad
    assert parse_since(longest, datetime(2026, 1, 10, tzinfo=UTC)) is None


def test_since() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert parse_since("24h", now) == now - timedelta(hours=24)
    assert parse_since("2026-01-05", now) == datetime(2026, 1, 5, tzinfo=UTC)
    assert parse_since("never", now) is None
    assert parse_since("999999d", now) is None  # before the year 1: not a crash
