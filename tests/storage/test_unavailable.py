"""A database that is briefly unavailable: retried, then a clear refusal, never half-written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from tests.conftest import make_config
from tests.helpers import actor, next_id

alice = actor("alice")


async def test_locked_database_is_retried_then_refused_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/busy.db"
    app = await bootstrap(
        make_config(url), clock=FakeClock(), database_options={"busy_timeout_ms": 50}
    )
    app.bot._retry_delay = 0.01
    blocker = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(errors.StorageUnavailable):
            await app.bot.handle(c.AskQuestion(alice, "help", "m1", "Locked out?", event_id="e1"))
        blocker.execute("ROLLBACK")
        # Nothing was half-written: the same event goes through once the database is back.
        result = await app.bot.handle(
            c.AskQuestion(alice, "help", "m1", "Locked out?", event_id="e1")
        )
        assert isinstance(result, ev.QuestionOpened) and result.question.id == 1
    finally:
        blocker.close()
        await app.close()


async def test_transient_error_is_retried_transparently(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/flaky.db"
    app = await bootstrap(make_config(url), clock=FakeClock())
    real = app.bot.uow_factory
    failures = {"left": 2}

    def flaky(*, write: bool = True):  # noqa: ANN202
        if failures["left"]:
            failures["left"] -= 1
            raise errors.TransientStorageError("connection reset")
        return real(write=write)

    app.bot.uow_factory = flaky  # type: ignore[assignment]
    app.bot._retry_delay = 0.001
    try:
        result = await app.bot.handle(
            c.AskQuestion(alice, "help", next_id(), "Flaky?", event_id="e9")
        )
        assert isinstance(result, ev.QuestionOpened)
    finally:
        await app.close()
