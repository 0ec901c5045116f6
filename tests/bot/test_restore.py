"""A moderator's `/mod delete` can be undone with `/mod restore`, on both databases: the
question is listed, searched, answered and planned again as it was before, and its thread
looks it. Deletions that took the question's message, thread or channel with them on the
platform cannot be undone, and say why."""

from __future__ import annotations

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.commands import QuestionAction
from bot.deletions import delete_channel
from bot.i18n import Catalog
from bot.model import QuestionStatus
from bot.moderation_presenter import ModerationPresenter
from bot.outbound import ThreadState
from bot.presenters import Presenter
from knowledge.service import EngineKnowledge
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
mod = actor("mod", mod=True)
QUESTION = "How do I export my calendar to a CSV file?"


async def restore(app: App, question_id: int, who=mod) -> ev.QuestionModerated:  # noqa: ANN001
    result = await app.bot.handle(
        c.ModerateQuestion(who, QuestionAction.RESTORE, question_id=question_id, event_id=next_id("e"))
    )  # fmt: skip
    assert isinstance(result, ev.QuestionModerated)
    return result


def refusal(error: errors.DomainError) -> str:
    return Catalog().t(error.key, **error.params)


def found(app: App, question_id: int) -> bool:
    assert isinstance(app.knowledge, EngineKnowledge)
    hits = app.knowledge.search("default", "export calendar csv", limit=5)
    return f"q{question_id}" in [h.id for h in hits]


async def mine(app: App) -> list[int]:
    listed = await app.bot.handle(c.ListMyQuestions(alice))
    assert isinstance(listed, ev.QuestionsListed)
    return [q.id for q in listed.questions]


async def test_an_open_question_comes_back_answerable_and_planned(
    app: App, clock: FakeClock
) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice, QUESTION)
    await answer(app.bot, bob, opened)
    number = opened.question.id
    await delete_by_moderator(app.bot, opened, mod)
    assert await mine(app) == []

    restored = await restore(app, number)

    assert restored.question.status is QuestionStatus.OPEN and not restored.question.is_deleted
    assert await mine(app) == [number]
    # The thread loses the deleted look (archived and locked) it was given.
    assert ThreadState("default", thread_of(opened), archived=False, locked=False) in (
        restored.outbound
    )
    text = ModerationPresenter(Presenter(Catalog(), "en")).question(restored)
    assert (
        text == f"#{number} restored: listed and searchable again, as it was before it was deleted."
    )
    await answer(app.bot, carol, opened)  # answering works again
    # Its reminder was cancelled by the delete; the restore plans it again.
    clock.advance(hours=25)
    await tick(app)
    assert [p.question_id for p in sent.posts("lifecycle.remind")] == [number]
    entries = await app.bot.handle(c.ShowAudit(mod, None, number))
    assert isinstance(entries, ev.AuditShown)
    assert [e.action for e in entries.entries][:2] == ["question_restore", "question_delete"]


async def test_a_solved_question_is_found_again_by_its_answer(app: App) -> None:
    opened = await ask(app.bot, alice, QUESTION)
    mid = await answer(app.bot, bob, opened, "Settings > Calendar > Export, then choose CSV.")
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    number = opened.question.id
    assert found(app, number)
    await delete_by_moderator(app.bot, opened, mod)
    assert not found(app, number)

    restored = await restore(app, number)

    assert restored.question.status is QuestionStatus.SOLVED
    assert [a.message_id for a in restored.accepted] == [mid]
    assert found(app, number)


async def test_a_closed_and_locked_question_keeps_its_look(app: App) -> None:
    opened = await ask(app.bot, alice, QUESTION)
    number = opened.question.id
    for action in (QuestionAction.LOCK, QuestionAction.CLOSE):
        await app.bot.handle(
            c.ModerateQuestion(mod, action, question_id=number, event_id=next_id("e"))
        )
    await delete_by_moderator(app.bot, opened, mod)

    restored = await restore(app, number)

    assert restored.question.is_closed and restored.question.is_locked
    assert ThreadState("default", thread_of(opened), archived=True, locked=True) in (
        restored.outbound
    )


async def test_only_moderators_restore_and_only_what_a_moderator_deleted(app: App) -> None:
    opened = await ask(app.bot, alice, QUESTION)
    number = opened.question.id
    with pytest.raises(errors.NotDeleted) as not_deleted:
        await restore(app, number)
    assert (
        refusal(not_deleted.value) == f"#{number} is not deleted, so there is nothing to restore."
    )

    await delete_by_moderator(app.bot, opened, mod)
    for who in (alice, bob):  # not even its asker
        with pytest.raises(errors.NotModerator):
            await restore(app, number, who)
    # Anything else a moderator does to it says how to bring it back first.
    with pytest.raises(errors.QuestionDeleted) as deleted:
        await app.bot.handle(
            c.ModerateQuestion(mod, QuestionAction.LOCK, question_id=number, event_id=next_id("e"))
        )
    assert (
        refusal(deleted.value)
        == f"#{number} is deleted. Restore it with /mod restore {number} first."
    )

    # A report resolved by deleting its opening message: that message is gone on the platform.
    reported = await ask(app.bot, alice, "Another question about exports")
    await delete_by_report(app.bot, reported, asker=alice, reporter=bob, mod=mod)
    # Its opening message deleted on the platform: nothing left to show it in.
    gone = await ask(app.bot, alice, "A third question about exports")
    await app.bot.handle(c.DeleteMessage("console", "default", gone.question.message_id))
    # Hidden by a moderator first, then its message deleted on the platform as well...
    both = await ask(app.bot, alice, "A fourth question about exports")
    await delete_by_moderator(app.bot, both, mod)
    await app.bot.handle(c.DeleteMessage("console", "default", both.question.message_id))
    # ...or its whole help channel.
    mid = next_id()
    elsewhere = await app.bot.handle(
        c.AskQuestion(alice, "doomed", mid, "A fifth question", event_id=mid, thread_id=f"t{mid}")
    )
    assert isinstance(elsewhere, ev.QuestionOpened)
    await delete_by_moderator(app.bot, elsewhere, mod)
    assert await delete_channel(app.bot.handle, "console", "default", "doomed") == 1
    for q in (reported, gone, both, elsewhere):
        with pytest.raises(errors.NotRestorable) as refused:
            await restore(app, q.question.id)
        assert "only a question hidden with /mod delete can be" in refusal(refused.value)
        assert q.question.id not in await mine(app)
