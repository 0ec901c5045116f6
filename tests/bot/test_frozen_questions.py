"""A question a moderator froze stays frozen for its asker: nobody accepts, solves, unsolves
or closes a deleted question, and only moderators do in a locked one or one a moderator
closed. Each of those would otherwise move points (+15 to the helper, +2 to the asker, or
their reversal), or undo the moderator's decision without a moderator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.model import Question
from tests.helpers import actor, answer, ask, next_id, not_refused, thread_of
from tests.lifecycle_helpers import tick

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)
Action = c.QuestionAction


async def _points(app: App, who: c.Actor) -> int:
    shown = await app.bot.handle(c.ShowReputation(who))
    assert isinstance(shown, ev.ReputationShown)
    return shown.standing.points


async def _moderate(app: App, opened: ev.QuestionOpened, action: Action, **kw: str) -> None:
    await app.bot.handle(
        c.ModerateQuestion(mod, action, thread=thread_of(opened), event_id=next_id("e"), **kw)
    )


async def _asker_tries_everything(
    app: App, opened: ev.QuestionOpened, mid: str, refusal: type[errors.DomainError]
) -> list[str]:
    thread = thread_of(opened)
    attempts: list[c.Command] = [
        c.AcceptAnswer(alice, mid, event_id=next_id("e")),
        c.MarkSolved(alice, thread, event_id=next_id("e")),
        c.MarkSolved(alice, thread, (bob.ref,), event_id=next_id("e")),
        c.SolveWithSuggestion(alice, thread, "a:x", event_id=next_id("e")),
        c.Unsolve(alice, thread, event_id=next_id("e")),
    ]
    return await not_refused(app.bot, [(command, refusal) for command in attempts])


async def _question(app: App, opened: ev.QuestionOpened) -> Question:
    shown = await app.bot.handle(c.ShowQuestion(mod, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    return shown.question


Freeze = Callable[[App, ev.QuestionOpened], Awaitable[None]]


async def _lock(app: App, opened: ev.QuestionOpened) -> None:
    await _moderate(app, opened, Action.LOCK)


async def _close(app: App, opened: ev.QuestionOpened) -> None:
    await _moderate(app, opened, Action.CLOSE, reason="off topic")


async def _duplicate(app: App, opened: ev.QuestionOpened) -> None:
    original = await ask(app.bot, bob, "How do I change my password?")
    await _moderate(app, opened, Action.DUPLICATE, duplicate_of=str(original.question.id))


async def _delete(app: App, opened: ev.QuestionOpened) -> None:
    await _moderate(app, opened, Action.DELETE)


@pytest.mark.parametrize(
    ("freeze", "refusal", "moderator_may"),
    [
        (_lock, errors.ThreadLocked, True),
        (_close, errors.ClosedByModerator, True),
        (_duplicate, errors.ClosedByModerator, True),
        (_delete, errors.QuestionNotFound, False),
    ],
    ids=["locked", "closed", "duplicate", "deleted"],
)
@pytest.mark.parametrize("solved_first", [False, True], ids=["open", "solved"])
async def test_the_asker_cannot_move_points_in_a_frozen_question(
    app: App,
    freeze: Freeze,
    refusal: type[errors.DomainError],
    moderator_may: bool,
    solved_first: bool,
) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    if solved_first:
        await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    before = (await _points(app, alice), await _points(app, bob))
    await freeze(app, opened)
    frozen = await _question(app, opened)

    assert await _asker_tries_everything(app, opened, mid, refusal) == []
    assert (await _points(app, alice), await _points(app, bob)) == before
    assert await _question(app, opened) == frozen

    # A moderator still decides (except in a deleted question, which nobody changes).
    thread = thread_of(opened)
    command: c.Command = (
        c.Unsolve(mod, thread, event_id=next_id("e"))
        if solved_first
        else c.AcceptAnswer(mod, mid, event_id=next_id("e"))
    )
    if moderator_may:
        await app.bot.handle(command)
    else:
        with pytest.raises(errors.QuestionNotFound):
            await app.bot.handle(command)


async def test_the_asker_still_decides_after_a_close_that_was_not_a_moderator_s(
    app: App, clock: FakeClock
) -> None:
    """Closed by the asker, or as dormant, or as solved after a day: the asker may still
    accept an answer, or unsolve."""

    closed_by_asker = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, closed_by_asker)
    await app.bot.handle(c.CloseQuestion(alice, thread_of(closed_by_asker), event_id=next_id("e")))
    accepted = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted) and accepted.points

    dormant = await ask(app.bot, alice, "Why is the build slow?")
    mid = await answer(app.bot, bob, dormant)
    clock.advance(hours=24 * 10)
    await tick(app)  # closes as dormant, and the first question as solved
    for closed in (closed_by_asker, dormant):
        shown = await app.bot.handle(c.ShowQuestion(alice, closed.question.id))
        assert isinstance(shown, ev.QuestionShown) and shown.question.is_closed
        assert shown.may_solve
    accepted = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted) and accepted.points
    reopened = await app.bot.handle(c.Unsolve(alice, thread_of(closed_by_asker)))
    assert isinstance(reopened, ev.QuestionReopened) and reopened.points


@pytest.mark.parametrize(
    ("freeze", "moderator_may"),
    [(_lock, True), (_close, True), (_duplicate, True), (_delete, False)],
    ids=["locked", "closed", "duplicate", "deleted"],
)
async def test_the_solve_button_is_offered_only_to_who_may_use_it(
    app: App, freeze: Freeze, moderator_may: bool
) -> None:
    """`QuestionShown.may_solve` is what adapters show a solve button for: it follows the
    same rule as accepting and solving, so nobody is offered a button that is then refused."""

    opened = await ask(app.bot, alice)
    before = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(before, ev.QuestionShown) and before.may_solve
    await freeze(app, opened)

    try:
        shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    except errors.QuestionNotFound:
        pass  # deleted: the asker does not see it at all
    else:
        assert isinstance(shown, ev.QuestionShown) and not shown.may_solve
    as_mod = await app.bot.handle(c.ShowQuestion(mod, opened.question.id))
    assert isinstance(as_mod, ev.QuestionShown) and as_mod.may_solve is moderator_may


async def test_a_bot_with_a_moderator_role_is_offered_no_moderator_powers(app: App) -> None:
    """A bot's role never counts (`Actor.moderates`): no solve button on others' questions,
    no deleted question, no deleted article and no article history."""

    from bot.knowledge_base import (
        AddArticle,
        ArticleNotFound,
        ArticleShown,
        RemoveArticle,
        ShowKnowledge,
    )

    mod_bot = actor("helperbot", mod=True, bot=True)
    opened = await ask(app.bot, alice)
    shown = await app.bot.handle(c.ShowQuestion(mod_bot, opened.question.id))
    assert isinstance(shown, ev.QuestionShown) and not shown.may_solve
    await _delete(app, opened)
    with pytest.raises(errors.QuestionNotFound):
        await app.bot.handle(c.ShowQuestion(mod_bot, opened.question.id))

    await app.bot.handle(AddArticle(mod, "Reset a password", "Use the form.", "reset"))
    article = await app.bot.handle(ShowKnowledge(mod_bot, "a:reset"))
    assert isinstance(article, ArticleShown) and article.history == ()
    await app.bot.handle(RemoveArticle(mod, "reset"))
    with pytest.raises(ArticleNotFound):
        await app.bot.handle(ShowKnowledge(mod_bot, "a:reset"))
    as_mod = await app.bot.handle(ShowKnowledge(mod, "a:reset"))
    assert isinstance(as_mod, ArticleShown) and as_mod.history
