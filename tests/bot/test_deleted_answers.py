"""A message a moderator deleted through a report, or one deleted on the platform (by its
author, or a platform moderator), is no answer any more: nobody accepts or credits it (+15)
afterwards, it is in no helper choice and no excerpt. If it was accepted already, the points
it earned are reversed in the ledger and audited. Both ways share these tests (`delete`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.knowledge_base import ArticleChanged, PromoteQuestion
from bot.model import LedgerReason, QuestionStatus, ReportStatus
from bot.moderation_presenter import ModerationPresenter
from bot.presenters import Presenter
from tests.helpers import actor, answer, ask, next_id, thread_of
from tests.storage.ledger_checks import assert_totals_match_ledger

alice, bob, carol, dave, mod = (
    actor("alice"),
    actor("bob"),
    actor("carol"),
    actor("dave"),
    actor("mod", mod=True),
)


async def _points(app: App, who: c.Actor) -> int:
    shown = await app.bot.handle(c.ShowReputation(who))
    assert isinstance(shown, ev.ReputationShown)
    return shown.standing.points


async def _delete_by_report(app: App, opened: ev.QuestionOpened, mid: str) -> ev.ReportResolved:
    filed = await app.bot.handle(
        c.ReportMessage(
            dave, "help", mid, "abusive", thread=thread_of(opened), event_id=next_id("e")
        )
    )
    assert isinstance(filed, ev.ReportFiled)
    resolved = await app.bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved) and resolved.question is None
    return resolved


async def _delete_on_platform(
    app: App, opened: ev.QuestionOpened, mid: str
) -> ev.DeletedOnPlatform:
    result = await app.bot.handle(c.DeleteMessage("console", "default", mid))
    assert isinstance(result, ev.DeletedOnPlatform) and result.question is None
    return result


Delete = Callable[
    [App, ev.QuestionOpened, str], Awaitable[ev.ReportResolved | ev.DeletedOnPlatform]
]


@pytest.fixture(params=["report", "platform"])
def delete(request: pytest.FixtureRequest) -> Delete:
    """A moderator deleting the message through a report, or the platform saying it is gone."""
    return _delete_by_report if request.param == "report" else _delete_on_platform


async def _two_accepted(app: App, first: c.Actor, second: c.Actor) -> tuple[ev.QuestionOpened, str]:
    """Alice's question with two answers she accepted, `first`'s (abusive, to be deleted)
    and `second`'s; returns the question and the first answer's message id."""

    opened = await ask(app.bot, alice)
    abusive = await answer(app.bot, first, opened, "Abusive words, and a fix.")
    kept = await answer(app.bot, second, opened, "Restart the router.")
    for mid in (abusive, kept):
        accepted = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
        assert isinstance(accepted, ev.AnswerAccepted)
    return opened, abusive


async def _refused(app: App, command: c.Command) -> type[errors.DomainError] | str:
    try:
        result = await app.bot.handle(command)
    except errors.DomainError as exc:
        return type(exc)
    return type(result).__name__


async def test_a_deleted_answer_is_credited_nowhere(app: App, delete: Delete) -> None:
    opened = await ask(app.bot, alice)
    thread = thread_of(opened)
    deleted = await answer(app.bot, bob, opened, "Abusive words, and a fix.")
    await answer(app.bot, carol, opened, "Restart the router.")
    await delete(app, opened, deleted)

    # Accepting the deleted message, or naming its author alone or among others.
    assert await _refused(app, c.AcceptAnswer(alice, deleted, event_id=next_id("e"))) is (
        errors.NotAnAnswer
    )
    assert await _refused(app, c.MarkSolved(alice, thread, (bob.ref,), event_id=next_id("e"))) is (
        errors.NoAnswerFromMember
    )
    several = await app.bot.handle(
        c.MarkSolved(alice, thread, (bob.ref, carol.ref), event_id=next_id("e"))
    )
    assert isinstance(several, ev.AnswerAccepted)
    assert [a.author.ref for a in several.accepted_answers] == [carol.ref]
    assert [type(r.reason) for r in several.refused] == [errors.NoAnswerFromMember]
    assert await _points(app, bob) == 0

    # The question card lists no deleted answer.
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    assert [a.author.ref for a in shown.answers] == [carol.ref]


async def test_a_deleted_answer_is_no_helper_to_choose(app: App, delete: Delete) -> None:
    opened = await ask(app.bot, alice)
    deleted = await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened)
    await delete(app, opened, deleted)
    # Only carol answered now: /solved credits her instead of asking which helper.
    solved = await app.bot.handle(c.MarkSolved(alice, thread_of(opened), event_id=next_id("e")))
    assert isinstance(solved, ev.AnswerAccepted)
    assert [a.author.ref for a in solved.accepted_answers] == [carol.ref]

    other = await ask(app.bot, alice, "How do I print?")
    await delete(app, other, await answer(app.bot, bob, other))
    # Nobody answered now: solved without a helper, and bob earns nothing.
    solved = await app.bot.handle(c.MarkSolved(alice, thread_of(other), event_id=next_id("e")))
    assert isinstance(solved, ev.SolvedWithoutHelper)
    assert await _points(app, bob) == 0


async def test_deleting_an_accepted_answer_reverses_its_points(app: App, delete: Delete) -> None:
    opened, deleted = await _two_accepted(app, bob, carol)
    assert (await _points(app, bob), await _points(app, alice)) == (15, 2)

    resolved = await delete(app, opened, deleted)

    # Bob's +15 is reversed; carol keeps hers, and the question stays solved by her answer.
    # Alice's +2 bonus, earned by that first acceptance, is reversed and earned again on
    # carol's: alice did accept an answer, and one still stands.
    assert resolved.withdrawn is not None
    assert sorted((p.member.ref.id, p.delta, p.reason) for p in resolved.withdrawn.points) == [
        ("alice", -2, LedgerReason.REVERSAL),
        ("alice", 2, LedgerReason.ACCEPTED_BONUS),
        ("bob", -15, LedgerReason.REVERSAL),
    ]
    assert (await _points(app, bob), await _points(app, alice), await _points(app, carol)) == (
        0,
        2,
        15,
    )
    await assert_totals_match_ledger(app)
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    assert shown.question.status is QuestionStatus.SOLVED
    assert [a.answer.author.ref for a in shown.accepted] == [carol.ref]

    # Audited: one row per reversal, naming the member and the ledger row.
    audit = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(audit, ev.AuditShown)
    # A report's rows name the moderator; the platform's name nobody (it does not say who).
    by_report = isinstance(resolved, ev.ReportResolved)
    action = "accepted_answer_deleted" if by_report else "platform_answer_delete"
    rows = [e for e in audit.entries if e.action == action]
    assert sorted(e.target.ref.id for e in rows if e.target) == ["alice", "alice", "bob"]
    assert {e.ledger_id for e in rows} == {p.entry_id for p in resolved.withdrawn.points}
    assert {e.actor.ref if e.actor else None for e in rows} == {mod.ref if by_report else None}
    assert {e.report_id is not None for e in rows} == {by_report}

    # A promoted article quotes the answers still accepted only.
    promoted = await app.bot.handle(PromoteQuestion(mod, question_id=opened.question.id))
    assert isinstance(promoted, ArticleChanged)
    assert "Abusive words" not in promoted.article.content.body
    assert "Restart the router." in promoted.article.content.body

    # Unsolving afterwards takes back only what is still credited (carol's +15, and the
    # bonus now carried by her acceptance).
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    assert (await _points(app, bob), await _points(app, alice), await _points(app, carol)) == (
        0,
        0,
        0,
    )
    await assert_totals_match_ledger(app)


async def test_a_helpers_other_accepted_answer_keeps_their_credit(app: App, delete: Delete) -> None:
    opened, first = await _two_accepted(app, bob, bob)
    assert await _points(app, bob) == 15

    await delete(app, opened, first)
    # The +15 moves to the accepted answer that stands, so unsolving still takes it back.
    assert await _points(app, bob) == 15
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    assert await _points(app, bob) == 0
    await assert_totals_match_ledger(app)


async def _accepted_count(app: App, who: c.Actor) -> int:
    shown = await app.bot.handle(c.ShowReputation(who))
    assert isinstance(shown, ev.ReputationShown)
    return shown.standing.accepted_count


async def test_a_help_ban_since_does_not_cost_the_points_that_move(
    app: App, delete: Delete
) -> None:
    """The credit and the bonus an acceptance that stands carries on were earned before the
    ban: they move whole. The ban stops new earning only: taking points back works in full,
    and an acceptance made during the ban earns nothing."""

    opened, first = await _two_accepted(app, bob, bob)
    for member in (bob, alice):
        banned = await app.bot.handle(
            c.HelpBanMember(mod, member.ref, "7d", "cool off", event_id=next_id("e"))
        )
        assert isinstance(banned, ev.MemberHelpBanned)

    resolved = await delete(app, opened, first)
    assert resolved.withdrawn is not None
    assert sorted((p.member.ref.id, p.delta, p.reason) for p in resolved.withdrawn.points) == [
        ("alice", -2, LedgerReason.REVERSAL),
        ("alice", 2, LedgerReason.ACCEPTED_BONUS),
        ("bob", -15, LedgerReason.REVERSAL),
        ("bob", 15, LedgerReason.ACCEPTED_ANSWER),
    ]
    assert (await _points(app, bob), await _points(app, alice)) == (15, 2)
    assert await _accepted_count(app, bob) == 1
    await assert_totals_match_ledger(app)

    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    assert (await _points(app, bob), await _points(app, alice)) == (0, 0)
    assert await _accepted_count(app, bob) == 0
    (kept,) = [a for a in await _answers(app, opened) if a != first]
    accepted = await app.bot.handle(c.AcceptAnswer(alice, kept, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted) and accepted.points == ()
    assert (await _points(app, bob), await _points(app, alice)) == (0, 0)
    await assert_totals_match_ledger(app)


@pytest.mark.parametrize(
    "config_overrides", [{"communities": {"default": {"reputation": {"daily_cap": 2}}}}]
)
async def test_a_bonus_that_moves_is_not_held_to_todays_cap(app: App, delete: Delete) -> None:
    """The asker's bonus reached today's cap when it was earned; moved to the acceptance
    that stands, it is the same points, not more."""

    opened, first = await _two_accepted(app, bob, carol)
    assert await _points(app, alice) == 2
    await delete(app, opened, first)
    assert await _points(app, alice) == 2
    await assert_totals_match_ledger(app)


async def _answers(app: App, opened: ev.QuestionOpened) -> list[str]:
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    return [a.message_id for a in shown.answers]


async def _accepted(app: App, opened: ev.QuestionOpened) -> list[str]:
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    return [a.answer.message_id for a in shown.accepted]


async def test_the_askers_bonus_goes_only_with_the_last_accepted_answer(
    app: App, delete: Delete
) -> None:
    opened, first = await _two_accepted(app, bob, carol)
    assert await _points(app, alice) == 2
    second = next(mid for mid in await _accepted(app, opened) if mid != first)

    await delete(app, opened, first)
    assert await _points(app, alice) == 2  # carol's answer still solves it
    resolved = await delete(app, opened, second)
    assert resolved.withdrawn is not None and resolved.withdrawn.accepted == ()
    assert sorted((p.member.ref.id, p.delta) for p in resolved.withdrawn.points) == [
        ("alice", -2),
        ("carol", -15),
    ]
    assert (await _points(app, alice), await _points(app, bob), await _points(app, carol)) == (
        0,
        0,
        0,
    )
    await assert_totals_match_ledger(app)


async def test_a_question_its_deleted_answer_alone_solved_is_open_again(
    app: App, delete: Delete
) -> None:
    """As when its last mark is taken back: open, its thread told and made to look open
    (Solved tag, ✅ prefix or ✅ off; unarchived), reminded and closed when quiet like any
    open question. While another accepted answer stands it stays solved, quietly."""

    from bot.jobs import JobState
    from bot.outbound import ThreadPost, ThreadState

    opened, first = await _two_accepted(app, bob, carol)
    second = next(mid for mid in await _accepted(app, opened) if mid != first)
    still = await delete(app, opened, first)
    assert still.withdrawn is not None and not still.withdrawn.reopened
    assert not [m for m in still.outbound if isinstance(m, ThreadPost | ThreadState)]

    resolved = await delete(app, opened, second)
    assert resolved.withdrawn is not None and resolved.withdrawn.reopened
    question = resolved.withdrawn.question
    assert question.status is QuestionStatus.OPEN and not question.is_closed
    thread = thread_of(opened)
    told = ThreadPost("default", thread, "question.reopened_answer_deleted", {"id": question.id})
    looks = ThreadState("default", thread, archived=False, solved=False)
    assert [m for m in resolved.outbound if isinstance(m, ThreadPost | ThreadState)] == [
        told,
        looks,
    ]
    text = app.bot.catalog.t("question.reopened_answer_deleted", id=question.id)
    assert (
        text == f"The answer that solved #{question.id} was deleted, so the question is open again."
    )
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown) and shown.question.status is QuestionStatus.OPEN
    async with app.bot.uow_factory(write=False) as uow:
        jobs = await uow.jobs.for_question(opened.question.id)
    pending = {j.kind.value for j in jobs if j.state is JobState.PENDING}
    assert pending == {"close_dormant"}  # (no answer left to nudge the asker about)
    # The asker can mark another answer now, as in any open question.
    later = await answer(app.bot, dave, opened, "Try the other cable.")
    accepted = await app.bot.handle(c.AcceptAnswer(alice, later, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted) and accepted.newly_solved


@pytest.mark.parametrize("how", ["close", "duplicate", "delete"])
async def test_a_closed_or_deleted_question_keeps_its_state_when_its_answer_goes(
    app: App, delete: Delete, how: str
) -> None:
    """Deleting the only accepted answer reopens a question open for answers, never one a
    moderator closed (or closed as a duplicate) or deleted: that would undo their decision
    (and lose the duplicate's link)."""

    from bot.commands import QuestionAction
    from bot.outbound import ThreadPost, ThreadState

    opened = await ask(app.bot, alice)
    original = await ask(app.bot, carol, "The original")
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    action = {"close": QuestionAction.CLOSE, "duplicate": QuestionAction.DUPLICATE,
              "delete": QuestionAction.DELETE}[how]  # fmt: skip
    target = f"#{original.question.id}" if how == "duplicate" else None
    await app.bot.handle(
        c.ModerateQuestion(
            mod, action, thread=thread_of(opened), duplicate_of=target, event_id=next_id("e")
        )
    )
    async with app.bot.uow_factory(write=False) as uow:
        before = await uow.questions.get(opened.question.id)
    assert before is not None
    resolved = await delete(app, opened, mid)
    assert resolved.withdrawn is not None and not resolved.withdrawn.reopened
    assert not [m for m in resolved.outbound if isinstance(m, ThreadPost | ThreadState)]
    async with app.bot.uow_factory(write=False) as uow:
        after = await uow.questions.get(opened.question.id)
        jobs = await uow.jobs.for_question(opened.question.id)
    assert after == before
    assert not [j for j in jobs if j.kind.value == "close_dormant" and j.state.value == "pending"]
    if isinstance(resolved, ev.ReportResolved):
        line = ModerationPresenter(Presenter(app.bot.catalog)).withdrawn(resolved.withdrawn)
        assert line.endswith("The question was closed or deleted already, so it stays as it was.")


async def test_the_moderator_is_told_what_deleting_an_accepted_answer_took_back(
    app: App,
) -> None:
    def reply(resolved: ev.ReportResolved) -> list[str]:
        present = ModerationPresenter(Presenter(app.bot.catalog))
        assert present.report_resolved(resolved) == "\n".join(
            present.report_resolved_lines(resolved)
        )
        return present.report_resolved_lines(resolved)[1:]

    opened, first = await _two_accepted(app, bob, carol)
    second = next(mid for mid in await _accepted(app, opened) if mid != first)
    assert reply(await _delete_by_report(app, opened, first)) == [
        "The answer had been accepted: bob lost the 15 points it earned. The question stays "
        "solved by its other accepted answers."
    ]
    assert reply(await _delete_by_report(app, opened, second)) == [
        "The answer had been accepted: carol lost the 15 points it earned, and the asker the 2 "
        "points for accepting it. Nothing solves the question any more, so it is open again."
    ]
    opened, first = await _two_accepted(app, bob, bob)  # bob's credit moves to his other one
    assert reply(await _delete_by_report(app, opened, first)) == [
        "The answer had been accepted: no points change. The question stays solved by its "
        "other accepted answers."
    ]
    other = await ask(app.bot, alice, "How do I print?")
    assert reply(await _delete_by_report(app, other, await answer(app.bot, bob, other))) == []


async def test_deleting_a_message_a_promoted_article_may_quote_tells_the_moderator(
    app: App,
) -> None:
    """A promoted article holds the thread's question and accepted answers, so deleting one
    of them through a report leaves its words in the knowledge base; curated text is not
    edited behind the moderators' backs, so the one deleting is told to check it. The
    asker's follow-ups are in no article; a thread never promoted says nothing."""

    def lines(resolved: ev.ReportResolved) -> list[str]:
        return ModerationPresenter(Presenter(app.bot.catalog)).report_resolved_lines(resolved)

    opened, first = await _two_accepted(app, bob, carol)
    follow_up = await answer(app.bot, alice, opened, "Thanks, that worked.")
    promoted = await app.bot.handle(
        PromoteQuestion(mod, question_id=opened.question.id, article_id="router")
    )
    assert isinstance(promoted, ArticleChanged)
    assert lines(await _delete_by_report(app, opened, follow_up)) == ["Report #1: message deleted."]
    resolved = await _delete_by_report(app, opened, first)
    assert resolved.quoted_in == "a:router"
    assert lines(resolved)[-1] == (
        "Article a:router was made from this thread and may still quote the deleted message: "
        "check it, and edit it if so."
    )
    other = await ask(app.bot, alice, "How do I print?")
    resolved = await _delete_by_report(app, other, await answer(app.bot, bob, other))
    assert resolved.quoted_in is None

    # Deleting the question itself: the article's first part.
    filed = await app.bot.handle(
        c.ReportMessage(
            dave, "help", opened.question.message_id, "abusive", thread=thread_of(opened),
            event_id=next_id("e"),
        )
    )  # fmt: skip
    assert isinstance(filed, ev.ReportFiled)
    resolved = await app.bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved) and resolved.question is not None
    assert resolved.quoted_in == "a:router"
