"""Question lifecycle rules with a fake clock, on both databases: reminders, dormant and
solved closes, reopening, and onboarding."""

from __future__ import annotations

from typing import Any

import pytest

from bot import commands as c
from bot import errors, lifecycle
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.jobs import JobKind, JobState
from bot.model import CloseReason, QuestionStatus
from bot.outbound import ThreadState
from tests.helpers import (
    actor,
    answer,
    ask,
    delete_by_moderator,
    delete_by_report,
    next_id,
    thread_of,
)
from tests.lifecycle_helpers import record, tick

alice, bob, carol = actor("alice"), actor("bob"), actor("carol")


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "communities": {
            "default": {
                "lifecycle": {
                    "onboarding": {
                        "guidelines": "Be kind.",
                        "channel_guidelines": {"rules": "Rules channel: read-only."},
                    }
                }
            }
        }
    }


async def _question(app: App, q_id: int) -> ev.QuestionShown:
    shown = await app.bot.handle(c.ShowQuestion(alice, q_id))
    assert isinstance(shown, ev.QuestionShown)
    return shown


async def _jobs(app: App, q_id: int) -> list[tuple[JobKind, JobState]]:
    async with app.bot.uow_factory(write=False) as uow:
        return [(j.kind, j.state) for j in await uow.jobs.for_question(q_id)]


async def test_answered_question_gets_one_reminder_after_a_quiet_day(
    app: App, clock: FakeClock
) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    clock.advance(hours=23)
    await tick(app)
    assert sent.posts("lifecycle.remind") == []
    clock.advance(hours=1, minutes=1)
    await tick(app)
    [remind] = sent.posts("lifecycle.remind")
    assert remind.actions == ("mark_solved",)
    assert remind.mention_user_ids == ("alice",)
    assert remind.thread == thread_of(opened) and remind.question_id == opened.question.id
    # Once only: more quiet days, more messages, still one reminder.
    await answer(app.bot, carol, opened)
    clock.advance(hours=30)
    await tick(app)
    assert len(sent.posts("lifecycle.remind")) == 1


async def test_no_reminder_without_answers_or_after_acceptance(app: App, clock: FakeClock) -> None:
    sent = record(app)
    unanswered = await ask(app.bot, alice)
    await answer(app.bot, alice, unanswered, "Anyone?")  # the asker's own message
    accepted = await ask(app.bot, alice, "Second question")
    mid = await answer(app.bot, bob, accepted)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    clock.advance(hours=25)
    await tick(app)
    assert sent.posts("lifecycle.remind") == []


async def test_quiet_question_closes_as_dormant_with_a_note_and_archive(
    app: App, clock: FakeClock
) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    clock.advance(hours=71)
    await tick(app)
    assert (await _question(app, opened.question.id)).question.status is QuestionStatus.OPEN
    clock.advance(hours=1)
    await tick(app)
    q = (await _question(app, opened.question.id)).question
    assert q.status is QuestionStatus.CLOSED and q.close_reason == CloseReason.DORMANT
    assert q.closed_at == clock.now()
    [note] = sent.posts("lifecycle.closed_dormant")
    assert note.params["hours"] == 72
    assert ThreadState("default", thread_of(opened), archived=True) in sent.sent
    assert (await tick(app)) == 0  # nothing runs twice


async def test_activity_pushes_the_dormant_close_back(app: App, clock: FakeClock) -> None:
    opened = await ask(app.bot, alice)
    clock.advance(hours=70)
    await answer(app.bot, bob, opened)
    clock.advance(hours=3)
    await tick(app)
    assert (await _question(app, opened.question.id)).question.status is QuestionStatus.OPEN
    clock.advance(hours=70)
    await tick(app)
    assert (await _question(app, opened.question.id)).question.close_reason == "dormant"


async def test_messages_keep_one_pending_job_per_kind(app: App, clock: FakeClock) -> None:
    # Messages do not move pending jobs (their rules measure quiet time when due); they
    # only create missing ones: the first answer starts the reminder, once.
    opened = await ask(app.bot, alice)
    q_id = opened.question.id
    assert await _jobs(app, q_id) == [(JobKind.CLOSE_DORMANT, JobState.PENDING)]
    await answer(app.bot, alice, opened, "More detail")  # the asker: no reminder yet
    assert await _jobs(app, q_id) == [(JobKind.CLOSE_DORMANT, JobState.PENDING)]
    for who in (bob, carol, bob):
        clock.advance(minutes=5)
        await answer(app.bot, who, opened)
    assert sorted(await _jobs(app, q_id)) == sorted(
        [(JobKind.CLOSE_DORMANT, JobState.PENDING), (JobKind.REMIND, JobState.PENDING)]
    )


async def _moderator_delete(app: App, opened: ev.QuestionOpened, mod: Any) -> None:
    await delete_by_moderator(app.bot, opened, mod)


async def _report_delete(app: App, opened: ev.QuestionOpened, mod: Any) -> None:
    await delete_by_report(app.bot, opened, asker=alice, reporter=carol, mod=mod)


@pytest.mark.parametrize("delete", [_moderator_delete, _report_delete])
async def test_a_deleted_question_gets_no_reminder_close_or_escalation(
    app: App, clock: FakeClock, delete: Any
) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    mod = actor("mod", mod=True)
    await delete(app, opened, mod)
    # Cancelled at once, by either way of deleting, not left pending until due.
    assert sorted(await _jobs(app, opened.question.id)) == [
        (JobKind.CLOSE_DORMANT, JobState.CANCELLED), (JobKind.REMIND, JobState.CANCELLED),
    ]  # fmt: skip
    clock.advance(hours=100)
    await tick(app)
    assert sent.posts("lifecycle.remind") == [] and sent.posts("lifecycle.closed_dormant") == []
    shown = await app.bot.handle(c.ShowQuestion(mod, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    q = shown.question
    assert q.status is QuestionStatus.OPEN and q.closed_at is None
    assert all(state is not JobState.PENDING for _, state in await _jobs(app, q.id))


async def test_a_job_claimed_before_its_question_was_deleted_does_nothing(
    app: App, clock: FakeClock
) -> None:
    # Deleting cancels pending jobs only; one the scheduler had already claimed still runs.
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    async with app.bot.uow_factory(write=False) as uow:
        claimed = await uow.jobs.for_question(opened.question.id)
    await delete_by_moderator(app.bot, opened, actor("mod", mod=True))
    clock.advance(hours=100)
    async with app.bot.uow_factory(write=True) as uow:
        outcomes = [await lifecycle.run_job(job, uow, app.bot.context) for job in claimed]
    assert len(outcomes) == 2 and all(o == lifecycle.Outcome("deleted") for o in outcomes)


async def test_asker_message_reopens_a_dormant_question(app: App, clock: FakeClock) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    clock.advance(hours=73)
    await tick(app)
    other = await app.bot.handle(
        c.PostMessage(bob, thread_of(opened), next_id(), "Still broken?", event_id=next_id("e"))
    )
    assert isinstance(other, ev.MessageRecorded) and not other.reopened
    assert other.question.is_closed
    mine = await app.bot.handle(
        c.PostMessage(alice, thread_of(opened), next_id(), "Yes, still!", event_id=next_id("e"))
    )
    assert isinstance(mine, ev.MessageRecorded) and mine.reopened
    assert mine.question.status is QuestionStatus.OPEN and not mine.question.is_closed
    # Reopened questions are watched again: bob answered, so a reminder, then a close.
    clock.advance(hours=25)
    await tick(app)
    assert len(sent.posts("lifecycle.remind")) == 1
    clock.advance(hours=48)
    await tick(app)
    assert len(sent.posts("lifecycle.closed_dormant")) == 2


async def test_solved_question_closes_after_the_solved_delay(app: App, clock: FakeClock) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    clock.advance(hours=23)
    await tick(app)
    assert sent.sent == []
    clock.advance(hours=1)
    await tick(app)
    q = (await _question(app, opened.question.id)).question
    assert q.status is QuestionStatus.SOLVED and q.close_reason == CloseReason.SOLVED
    assert sent.keys() == ["lifecycle.closed_solved", "ThreadState"]
    assert ThreadState("default", thread_of(opened), archived=True, solved=True) in sent.sent
    clock.advance(hours=100)
    await tick(app)
    assert len(sent.sent) == 2  # no reminder, no dormant close for a solved question


async def test_unsolve_cancels_the_pending_solved_close(app: App, clock: FakeClock) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    clock.advance(hours=2)
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    assert (JobKind.CLOSE_SOLVED, JobState.CANCELLED) in await _jobs(app, opened.question.id)
    clock.advance(hours=24)  # past the old solved close; the reminder is due a day after unsolve
    await tick(app)
    assert sent.posts("lifecycle.closed_solved") == []
    assert (await _question(app, opened.question.id)).question.status is QuestionStatus.OPEN
    assert len(sent.posts("lifecycle.remind")) == 1  # open again, answered, quiet a day
    clock.advance(hours=50)
    await tick(app)
    assert (await _question(app, opened.question.id)).question.close_reason == "dormant"


async def test_manual_close_cancels_every_pending_job(app: App, clock: FakeClock) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await app.bot.handle(c.CloseQuestion(alice, thread_of(opened), event_id=next_id("e")))
    states = {state for _, state in await _jobs(app, opened.question.id)}
    assert states == {JobState.CANCELLED}
    clock.advance(hours=200)
    assert await tick(app) == 0 and sent.sent == []


async def test_a_disabled_rule_schedules_nothing(app: App, clock: FakeClock) -> None:
    # Default config: no escalation target, so no escalation job exists at all.
    opened = await ask(app.bot, alice)
    kinds = {kind for kind, _ in await _jobs(app, opened.question.id)}
    assert kinds == {JobKind.CLOSE_DORMANT}


async def test_first_message_in_a_help_channel_gets_a_welcome_once(app: App) -> None:
    opened = await ask(app.bot, alice)
    assert opened.welcome is not None and opened.welcome.guidelines == "Be kind."
    assert opened.welcome.member.ref == alice.ref
    again = await ask(app.bot, alice, "Another one")
    assert again.welcome is None
    recorded = await app.bot.handle(
        c.PostMessage(bob, thread_of(opened), next_id(), "Hi", event_id=next_id("e"))
    )
    assert isinstance(recorded, ev.MessageRecorded) and recorded.welcome is not None
    second = await app.bot.handle(
        c.PostMessage(bob, thread_of(opened), next_id(), "Hi again", event_id=next_id("e"))
    )
    assert isinstance(second, ev.MessageRecorded) and second.welcome is None
    other_channel = await app.bot.handle(
        c.AskQuestion(alice, "rules", next_id(), "Where?", event_id=next_id("e"))
    )
    assert isinstance(other_channel, ev.QuestionOpened)
    assert other_channel.welcome is not None
    assert other_channel.welcome.guidelines == "Rules channel: read-only."


async def test_guidelines_command(app: App) -> None:
    shown = await app.bot.handle(c.ShowGuidelines(alice, "rules"))
    assert shown == ev.GuidelinesShown("rules", "Rules channel: read-only.")
    default = await app.bot.handle(c.ShowGuidelines(alice, "help"))
    assert isinstance(default, ev.GuidelinesShown) and default.guidelines == "Be kind."


async def test_anonymous_questions_are_off_by_default(app: App) -> None:
    mid = next_id()
    with pytest.raises(errors.AnonymousDisabled):
        await app.bot.handle(
            c.AskQuestion(alice, "help", mid, "Secret?", event_id=mid, anonymous=True)
        )
    listed = await app.bot.handle(c.ListMyQuestions(alice))
    assert listed == ev.QuestionsListed(())  # rolled back with the refusal


async def test_moderator_close_cancels_jobs_and_reopen_plans_them_again(
    app: App, clock: FakeClock
) -> None:
    sent = record(app)
    mod = actor("mod", mod=True)
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    q_id = opened.question.id
    await app.bot.handle(c.ModerateQuestion(mod, c.QuestionAction.CLOSE, question_id=q_id))
    assert all(state is not JobState.PENDING for _, state in await _jobs(app, q_id))
    clock.advance(hours=100)
    await app.bot.handle(c.ModerateQuestion(mod, c.QuestionAction.REOPEN, question_id=q_id))
    pending = sorted(kind for kind, state in await _jobs(app, q_id) if state is JobState.PENDING)
    assert pending == sorted([JobKind.CLOSE_DORMANT, JobKind.REMIND])
    clock.advance(hours=73)  # nobody wrote since the reopen: reminded, then closed as dormant
    await tick(app)
    q = (await _question(app, q_id)).question
    assert q.close_reason == CloseReason.DORMANT
    assert len(sent.posts("lifecycle.remind")) == 1
