"""Time as an injected dependency, so caps, periods and reminders are testable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DemoClock:
    """The real time plus a shift that `advance()` moves: lets a console demo jump ahead
    to see reminders and closes, while time still passes normally."""

    def __init__(self) -> None:
        self._shift = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._shift

    def advance(self, **delta: float) -> datetime:
        self._shift += timedelta(**delta)
        return self.now()


class FakeClock:
    """A clock that only moves when told to; for tests and deterministic replays."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when
