"""Escalation: once, only when nobody but the asker wrote, only inside support hours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot import commands as c
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.config import SupportHours
from bot.i18n import Catalog
from bot.lifecycle import next_opening
from bot.outbound import ChannelPost
from tests.helpers import actor, answer, ask
from tests.lifecycle_helpers import record, tick

alice, bob = actor("alice"), actor("bob")


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "communities": {
            "default": {
                "lifecycle": {
                    "escalation": {
                        "helper_role_ids": {"console": ["helpers"]},
                        "staff_channel_ids": {"console": "staff"},
                    },
                    "support_hours": {
                        "timezone": "Europe/Berlin",
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "start": "09:00",
                        "end": "17:00",
                    },
                }
            }
        }
    }


async def test_unanswered_question_is_escalated_once(app: App, clock: FakeClock) -> None:
    sent = record(app)  # the fake clock starts on Monday 12:00 UTC: 13:00 in Berlin
    opened = await ask(app.bot, alice)
    await answer(app.bot, alice, opened, "Some more detail")  # the asker does not count
    clock.advance(minutes=59)
    await tick(app)
    assert sent.sent == []
    clock.advance(minutes=2)
    await tick(app)
    [ping] = sent.posts("lifecycle.escalated")
    assert ping.mention_role_ids == ("helpers",) and ping.params["minutes"] == 61
    [staff] = [m for m in sent.sent if isinstance(m, ChannelPost)]
    assert staff.channel_id == "staff" and staff.reference_id == opened.question.thread_id
    assert staff.params["id"] == opened.question.id
    clock.advance(hours=5)
    await tick(app)
    assert len(sent.posts("lifecycle.escalated")) == 1


async def test_a_private_channels_question_reaches_staff_without_its_words(
    app: App, clock: FakeClock
) -> None:
    sent = record(app)
    asked = await app.bot.handle(
        c.AskQuestion(alice, "staff-help", "m-1", "Rotate the payroll master key?",
                      event_id="e-1", thread_id="t-1", private=True)
    )  # fmt: skip
    assert isinstance(asked, ev.QuestionOpened)
    clock.advance(minutes=61)
    await tick(app)
    [staff] = [m for m in sent.sent if isinstance(m, ChannelPost)]
    assert staff.key == "lifecycle.escalated_staff_private" and staff.reference_id == "t-1"
    assert "payroll" not in repr(staff.params)
    text = Catalog().t(staff.key, **staff.params)
    assert (
        text
        == f"No answer yet for #{asked.question.id} after 1 hour 1 minute (in a private channel)."
    )
    # The helpers' ping in its own thread is as for any question.
    assert [p.question_id for p in sent.posts("lifecycle.escalated")] == [asked.question.id]


async def test_answered_question_is_not_escalated(app: App, clock: FakeClock) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    clock.advance(minutes=30)
    await answer(app.bot, bob, opened)
    clock.advance(hours=2)
    await tick(app)
    assert sent.posts("lifecycle.escalated") == []


async def test_escalation_outside_support_hours_waits_for_the_next_opening(
    app: App, clock: FakeClock
) -> None:
    sent = record(app)
    clock.set(datetime(2026, 1, 9, 15, 30, tzinfo=UTC))  # Friday 16:30 in Berlin
    await ask(app.bot, alice)
    clock.advance(minutes=61)  # 17:31: closed for the weekend
    await tick(app)
    clock.set(datetime(2026, 1, 11, 12, 0, tzinfo=UTC))  # Sunday
    await tick(app)
    assert sent.posts("lifecycle.escalated") == []
    clock.set(datetime(2026, 1, 12, 7, 59, tzinfo=UTC))  # Monday 08:59 Berlin
    await tick(app)
    assert sent.posts("lifecycle.escalated") == []
    clock.set(datetime(2026, 1, 12, 8, 0, tzinfo=UTC))  # Monday 09:00 Berlin
    await tick(app)
    assert len(sent.posts("lifecycle.escalated")) == 1


def test_next_opening_handles_overnight_windows_and_dst() -> None:
    night = SupportHours(timezone="UTC", days=["mon"], start="22:00", end="06:00")
    monday_23 = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
    tuesday_05 = datetime(2026, 1, 6, 5, 0, tzinfo=UTC)
    tuesday_07 = datetime(2026, 1, 6, 7, 0, tzinfo=UTC)
    assert next_opening(night, monday_23) is None
    assert next_opening(night, tuesday_05) is None  # Monday's window runs past midnight
    assert next_opening(night, tuesday_07) == datetime(2026, 1, 12, 22, 0, tzinfo=UTC)
    assert next_opening(None, tuesday_07) is None
    berlin = SupportHours(timezone="Europe/Berlin", days=["mon"])
    # Summer time: Monday 30 March 2026 09:00 CEST is 07:00 UTC.
    assert next_opening(berlin, datetime(2026, 3, 28, tzinfo=UTC)) == datetime(
        2026, 3, 30, 7, 0, tzinfo=UTC
    )
