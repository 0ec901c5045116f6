"""Builders for lifecycle tests: a recording Outbox sender and a scheduler shortcut."""

from __future__ import annotations

from bot.bootstrap import App
from bot.outbound import Outbound, ThreadPost
from bot.scheduler import Scheduler


class Recorder:
    """An Outbox sender that keeps what it was asked to send; can fail on demand."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.sent: list[Outbound] = []
        self.failures = 0

    async def send(self, message: Outbound) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("platform unreachable")
        self.sent.append(message)

    def keys(self) -> list[str]:
        return [getattr(m, "key", type(m).__name__) for m in self.sent]

    def posts(self, key: str) -> list[ThreadPost]:
        return [m for m in self.sent if isinstance(m, ThreadPost) and m.key == key]

    def clear(self) -> None:
        self.sent.clear()


def record(app: App) -> Recorder:
    recorder = Recorder()
    app.bot.outbox.register(recorder)
    return recorder


async def tick(app: App) -> int:
    return await Scheduler(app.bot).run_due()
