"""The Q&A and reputation rules, run through the core against real storage (both databases).

The core's rules that matter most here (caps, ranks, locking) live partly in SQL, so these
tests use the real repositories rather than in-memory fakes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.model import LedgerReason, MemberRef, Period, QuestionStatus, ThreadRef
from bot.presenters import Presenter
from storage.models import LedgerRow, MemberRow
from tests.helpers import actor, answer, ask, next_id, thread_of
from tests.storage.ledger_checks import assert_totals_match_ledger

alice, bob, carol = actor("alice"), actor("bob"), actor("carol")
mod = actor("mod", mod=True)


async def test_ask_records_title_body_and_asker(app: App) -> None:
    opened = await ask(app.bot, alice, "  Printer offline\nIt says offline since Monday.  ")
    q = opened.question
    assert q.title == "Printer offline"
    assert q.body == "Printer offline\nIt says offline since Monday."
    assert q.asker.ref == alice.ref and q.status is QuestionStatus.OPEN


async def test_empty_question_is_refused(app: App) -> None:
    with pytest.raises(errors.EmptyQuestion):
        await app.bot.handle(c.AskQuestion(alice, "help", next_id(), "\u200f\u200b  \n "))


async def test_bots_cannot_ask(app: App) -> None:
    with pytest.raises(errors.BotsCannot):
        await ask(app.bot, actor("somebot", bot=True))


async def test_accept_credits_answerer_and_asker(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    result = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert isinstance(result, ev.AnswerAccepted) and result.newly_solved
    assert {(p.member.display_name, p.delta, p.reason) for p in result.points} == {
        ("bob", 15, LedgerReason.ACCEPTED_ANSWER),
        ("alice", 2, LedgerReason.ACCEPTED_BONUS),
    }
    rep = await app.bot.handle(c.ShowReputation(alice, bob.ref))
    assert isinstance(rep, ev.ReputationShown)
    assert (rep.standing.points, rep.standing.accepted_count, rep.standing.rank) == (15, 1, 1)


async def test_only_asker_or_moderator_may_accept(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    with pytest.raises(errors.NotTheAsker):
        await app.bot.handle(c.AcceptAnswer(carol, mid, event_id=next_id("e")))
    result = await app.bot.handle(c.AcceptAnswer(mod, mid, event_id=next_id("e")))
    assert isinstance(result, ev.AnswerAccepted)
    # A moderator accepting gives the answerer points but no asker bonus to anyone.
    assert [(p.member.display_name, p.delta) for p in result.points] == [("bob", 15)]


async def test_nobody_accepts_their_own_message(app: App) -> None:
    opened = await ask(app.bot, alice)
    own = await answer(app.bot, alice, opened, "Any ideas?")
    with pytest.raises(errors.SelfAccept):
        await app.bot.handle(c.AcceptAnswer(alice, own, event_id=next_id("e")))
    mods_answer = await answer(app.bot, mod, opened, "Restart it.")
    with pytest.raises(errors.SelfAccept):
        await app.bot.handle(c.AcceptAnswer(mod, mods_answer, event_id=next_id("e")))
    # The asker's own message stays unacceptable for a moderator too.
    with pytest.raises(errors.NotAnAnswer):
        await app.bot.handle(c.AcceptAnswer(mod, own, event_id=next_id("e")))


async def test_several_accepted_answers_one_credit_per_helper(app: App) -> None:
    opened = await ask(app.bot, alice)
    b1 = await answer(app.bot, bob, opened)
    b2 = await answer(app.bot, bob, opened, "And also this.")
    c1 = await answer(app.bot, carol, opened)
    first = await app.bot.handle(c.AcceptAnswer(alice, b1, event_id=next_id("e")))
    second = await app.bot.handle(c.AcceptAnswer(alice, b2, event_id=next_id("e")))
    third = await app.bot.handle(c.AcceptAnswer(alice, c1, event_id=next_id("e")))
    assert isinstance(first, ev.AnswerAccepted) and isinstance(second, ev.AnswerAccepted)
    assert isinstance(third, ev.AnswerAccepted)
    assert [p.delta for p in first.points] == [15, 2]
    assert second.points == () and not second.newly_solved
    assert [(p.member.display_name, p.delta) for p in third.points] == [("carol", 15)]
    with pytest.raises(errors.AlreadyAccepted):
        await app.bot.handle(c.AcceptAnswer(alice, b1, event_id=next_id("e")))


async def test_solved_with_one_helper_credits_them(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, alice, opened, "More detail from me.")
    await answer(app.bot, bob, opened)
    result = await app.bot.handle(c.MarkSolved(alice, thread_of(opened), event_id=next_id("e")))
    assert isinstance(result, ev.AnswerAccepted)
    assert result.acceptances[0].answer.author.display_name == "bob"


async def test_solved_with_several_helpers_asks_which(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened)
    result = await app.bot.handle(c.MarkSolved(alice, thread_of(opened), event_id=next_id("e")))
    assert isinstance(result, ev.HelperChoiceNeeded)
    assert {m.display_name for m in result.candidates} == {"bob", "carol"}
    named = await app.bot.handle(
        c.MarkSolved(alice, thread_of(opened), (carol.ref,), event_id=next_id("e"))
    )
    assert isinstance(named, ev.AnswerAccepted)
    assert named.acceptances[0].answer.author.display_name == "carol"


async def test_the_asker_naming_themselves_marks_it_solved_alone(app: App) -> None:
    """ "/solved @me": the asker found the fix on their own, so the only other poster ("me
    too") is not credited, as a bare /solved would. A moderator naming the asker is told the
    asker can't be credited in their own question."""

    dave = actor("dave")
    opened = await ask(app.bot, alice)
    await answer(app.bot, dave, opened, "Same problem here :(")
    with pytest.raises(errors.AskerNotCredited) as refused:
        await app.bot.handle(
            c.MarkSolved(mod, thread_of(opened), (alice.ref,), event_id=next_id("e"))
        )
    assert app.bot.catalog.t(refused.value.key, **refused.value.params) == (
        "alice asked this question, so they can't be credited for its solution. "
        "Name a member who answered it."
    )
    result = await app.bot.handle(
        c.MarkSolved(alice, thread_of(opened), (alice.ref,), event_id=next_id("e"))
    )
    assert isinstance(result, ev.SolvedWithoutHelper) and result.alone
    assert result.question.status is QuestionStatus.SOLVED
    told = Presenter(app.bot.catalog).solved_alone(result)
    assert (
        told
        == f"#{opened.question.id} marked solved by its asker, on their own. No points were given."
    )
    assert await _question_ledger(app, opened.question.id) == []
    with pytest.raises(errors.AlreadySolved):  # (already solved)
        await app.bot.handle(
            c.MarkSolved(alice, thread_of(opened), (alice.ref,), event_id=next_id("e"))
        )


async def test_solved_without_helpers_gives_no_points(app: App) -> None:
    opened = await ask(app.bot, alice)
    result = await app.bot.handle(c.MarkSolved(alice, thread_of(opened), event_id=next_id("e")))
    assert isinstance(result, ev.SolvedWithoutHelper)
    assert result.question.status is QuestionStatus.SOLVED
    rep = await app.bot.handle(c.ShowReputation(alice))
    assert isinstance(rep, ev.ReputationShown) and rep.standing.points == 0


async def test_reputation_of_a_member_the_bot_has_not_seen(app: App) -> None:
    zed = actor("zed").ref
    with pytest.raises(errors.UnknownMember):  # a typed name nobody has used
        await app.bot.handle(c.ShowReputation(alice, zed))
    # a member the platform vouches for (a Discord member option, a Slack mention)
    rep = await app.bot.handle(c.ShowReputation(alice, zed, member_name="Zed"))
    assert isinstance(rep, ev.ReputationShown)
    standing = rep.standing
    assert (standing.member.display_name, standing.points, standing.rank) == ("Zed", 0, None)
    async with app.database.uow(write=False) as uow:
        assert await uow.members.find(zed) is None  # reads never write


async def test_a_blank_member_name_is_asked_for_not_echoed(app: App) -> None:
    from bot.i18n import Catalog

    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    blank = MemberRef(alice.ref.platform, alice.ref.community, " ")  # a pick left empty
    for command in (
        c.MarkSolved(alice, thread_of(opened), (blank,)),
        c.ShowReputation(alice, blank),
    ):
        with pytest.raises(errors.UnknownMember) as refused:
            await app.bot.handle(command)
        text = Catalog().t(refused.value.key, **refused.value.params)
        assert text == "Which member? Mention them with @, or pick one from the list."


async def test_solved_naming_someone_who_did_not_answer(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened, "hi")  # carol is known, but let's name dave
    await app.bot.handle(c.ShowReputation(actor("dave")))
    with pytest.raises(errors.UnknownMember):
        await app.bot.handle(c.MarkSolved(alice, thread_of(opened), (actor("zed").ref,)))
    opened2 = await ask(app.bot, alice, "Second question")
    with pytest.raises(errors.NoAnswerFromMember):
        await app.bot.handle(c.MarkSolved(alice, thread_of(opened2), (bob.ref,)))


async def test_non_moderator_cannot_solve_or_close_someone_elses_question(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    for command in (
        c.MarkSolved(bob, thread_of(opened), event_id=next_id("e")),
        c.CloseQuestion(bob, thread_of(opened), "spam", event_id=next_id("e")),
        c.Unsolve(bob, thread_of(opened), event_id=next_id("e")),
    ):
        with pytest.raises(errors.NotTheAsker):
            await app.bot.handle(command)


async def test_unsolve_reverses_with_new_rows(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    reopened = await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    assert isinstance(reopened, ev.QuestionReopened)
    assert sorted(p.delta for p in reopened.points) == [-15, -2]
    assert reopened.question.status is QuestionStatus.OPEN
    rep = await app.bot.handle(c.ShowReputation(alice, bob.ref))
    assert isinstance(rep, ev.ReputationShown)
    assert (rep.standing.points, rep.standing.accepted_count) == (0, 0)
    # The ledger kept both rows: the award and its reversal.
    assert [e.delta for e in rep.standing.recent] == [-15, 15]
    assert rep.standing.recent[0].reverses_id == rep.standing.recent[1].id
    with pytest.raises(errors.NotSolved):
        await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    # Accepting again after a reopen awards again (and can be reversed again).
    again = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert isinstance(again, ev.AnswerAccepted) and [p.delta for p in again.points] == [15, 2]


async def test_close_records_reason(app: App) -> None:
    opened = await ask(app.bot, alice)
    closed = await app.bot.handle(
        c.CloseQuestion(alice, thread_of(opened), "found it myself", event_id=next_id("e"))
    )
    assert isinstance(closed, ev.QuestionClosed)
    assert closed.reason == "asker" and closed.question.close_note == "found it myself"
    assert closed.question.status is QuestionStatus.CLOSED
    with pytest.raises(errors.AlreadyClosed):
        await app.bot.handle(c.CloseQuestion(mod, thread_of(opened), None, event_id=next_id("e")))
    opened2 = await ask(app.bot, alice, "another")
    by_mod = await app.bot.handle(
        c.CloseQuestion(mod, thread_of(opened2), None, event_id=next_id("e"))
    )
    assert isinstance(by_mod, ev.QuestionClosed) and by_mod.reason == "moderator"


async def test_repeated_event_changes_nothing(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id="same-event"))
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id="unsolve-1"))
    with pytest.raises(errors.DuplicateEvent):
        await app.bot.handle(c.AcceptAnswer(alice, mid, event_id="same-event"))
    rep = await app.bot.handle(c.ShowReputation(alice, bob.ref))
    assert isinstance(rep, ev.ReputationShown) and rep.standing.points == 0
    with pytest.raises(errors.DuplicateEvent):
        await app.bot.handle(
            c.AskQuestion(
                alice,
                "help",
                opened.question.message_id,
                "again",
                event_id=f"evt-{opened.question.message_id}",
            )
        )


@pytest.mark.parametrize(
    "config_overrides", [{"communities": {"default": {"reputation": {"daily_cap": 3}}}}]
)
async def test_daily_cap_applies_to_bonus_not_to_accepted_answers(
    app: App, clock: FakeClock
) -> None:
    for i in range(3):
        opened = await ask(app.bot, alice, f"question {i}")
        mid = await answer(app.bot, bob, opened)
        await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    rep = await app.bot.handle(c.ShowReputation(alice))
    assert isinstance(rep, ev.ReputationShown)
    assert rep.standing.points == 3  # +2, then +1 (cap), then nothing
    bob_rep = await app.bot.handle(c.ShowReputation(alice, bob.ref))
    assert isinstance(bob_rep, ev.ReputationShown) and bob_rep.standing.points == 45
    clock.advance(days=1)
    opened = await ask(app.bot, alice, "next day")
    mid = await answer(app.bot, bob, opened)
    result = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert isinstance(result, ev.AnswerAccepted)
    assert ("alice", 2) in [(p.member.display_name, p.delta) for p in result.points]


async def _solve(app: App, asker, helper) -> None:  # noqa: ANN001
    opened = await ask(app.bot, asker, f"q {next_id()}")
    mid = await answer(app.bot, helper, opened)
    await app.bot.handle(c.AcceptAnswer(asker, mid, event_id=next_id("e")))


async def test_leaderboard_dense_rank_and_periods(app: App, clock: FakeClock) -> None:
    dave = actor("dave")
    await _solve(app, alice, bob)
    await _solve(app, alice, carol)
    clock.advance(days=10)
    await _solve(app, alice, dave)
    await _solve(app, alice, dave)
    board = await app.bot.handle(c.ShowLeaderboard(alice, Period.ALL))
    assert isinstance(board, ev.LeaderboardShown)
    ranks = [(r.rank, r.member.display_name, r.points) for r in board.rows]
    assert ranks[0] == (1, "dave", 30)
    assert (2, "bob", 15) in ranks and (2, "carol", 15) in ranks
    assert ranks[-1] == (3, "alice", 8)
    week = await app.bot.handle(c.ShowLeaderboard(alice, Period.WEEK))
    assert isinstance(week, ev.LeaderboardShown)
    assert [(r.rank, r.member.display_name) for r in week.rows] == [(1, "dave"), (2, "alice")]
    rep = await app.bot.handle(c.ShowReputation(alice, carol.ref))
    assert isinstance(rep, ev.ReputationShown) and rep.standing.rank == 2


async def test_week_and_month_are_the_last_7_and_30_utc_days_today_included(
    app: App, clock: FakeClock
) -> None:
    async def on_board(period: Period) -> bool:
        board = await app.bot.handle(c.ShowLeaderboard(alice, period))
        assert isinstance(board, ev.LeaderboardShown)
        return "bob" in [r.member.display_name for r in board.rows]

    assert clock.now() == datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    clock.advance(hours=11, minutes=55)
    await _solve(app, alice, bob)  # Monday 5 January, 23:55 UTC
    clock.advance(days=6)  # Sunday 11 January, 23:55: 5 to 11 January is the week
    assert await on_board(Period.WEEK)
    clock.advance(minutes=10)  # Monday 12 January, 00:05: 6 to 12 January
    assert not await on_board(Period.WEEK) and await on_board(Period.MONTH)
    clock.advance(days=22, hours=23, minutes=50)  # 3 February, 23:55: from 5 January
    assert await on_board(Period.MONTH)
    clock.advance(minutes=10)  # 4 February, 00:05: from 6 January
    assert not await on_board(Period.MONTH) and await on_board(Period.ALL)


@pytest.mark.parametrize(
    "config_overrides",
    [{"communities": {"default": {"reputation": {"exclude_moderators_from_leaderboard": True}}}}],
)
async def test_moderators_can_be_left_off_leaderboards(app: App) -> None:
    await _solve(app, alice, mod)
    await _solve(app, alice, bob)
    board = await app.bot.handle(c.ShowLeaderboard(alice, Period.ALL))
    assert isinstance(board, ev.LeaderboardShown)
    assert "mod" not in [r.member.display_name for r in board.rows]
    rep = await app.bot.handle(c.ShowReputation(alice, mod.ref))
    assert isinstance(rep, ev.ReputationShown) and rep.standing.rank is None
    assert rep.standing.points == 15


async def test_my_open_questions(app: App) -> None:
    first = await ask(app.bot, alice, "first")
    await ask(app.bot, alice, "second")
    await app.bot.handle(c.CloseQuestion(alice, thread_of(first), None, event_id=next_id("e")))
    listed = await app.bot.handle(c.ListMyQuestions(alice))
    assert isinstance(listed, ev.QuestionsListed)
    assert [q.title for q in listed.questions] == ["second"]


async def test_solved_by_a_suggestion_credits_nobody(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    with pytest.raises(errors.NotTheAsker):
        await app.bot.handle(
            c.SolveWithSuggestion(bob, thread_of(opened), "a12", event_id=next_id("e"))
        )
    result = await app.bot.handle(
        c.SolveWithSuggestion(alice, thread_of(opened), "a12", event_id=next_id("e"))
    )
    assert isinstance(result, ev.SolvedWithoutHelper) and result.suggestion_id == "a12"
    assert result.question.status is QuestionStatus.SOLVED
    rep = await app.bot.handle(c.ShowReputation(alice, bob.ref))
    assert isinstance(rep, ev.ReputationShown) and rep.standing.points == 0
    with pytest.raises(errors.AlreadySolved):
        await app.bot.handle(
            c.SolveWithSuggestion(alice, thread_of(opened), "a12", event_id=next_id("e"))
        )


async def test_show_question_by_thread(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    shown = await app.bot.handle(c.ShowQuestion(alice, thread=thread_of(opened)))
    assert isinstance(shown, ev.QuestionShown) and shown.question.id == opened.question.id
    assert [a.author.display_name for a in shown.answers] == ["bob"]
    with pytest.raises(errors.NotAQuestionThread):
        await app.bot.handle(c.ShowQuestion(alice, thread=ThreadRef("console", "nope")))


async def test_half_an_emoji_or_a_nul_is_stored_as_a_replacement_character(app: App) -> None:
    # A lone surrogate ("\\ud83d" in a platform's JSON: half an emoji) cannot be encoded
    # for any database, and PostgreSQL stores no NUL; either failed the whole command with
    # "something went wrong" (NUL only on PostgreSQL).
    dana = type(alice)(actor("dana").ref, "Dana \ud83d\x00")
    opened = await ask(app.bot, dana, "Printer \ud83d offline\nIt says \udcff since Monday")
    assert opened.question.title == "Printer \ufffd offline"
    mid = await answer(app.bot, bob, opened, "Restart the spooler \ude00")
    await app.bot.handle(c.AcceptAnswer(dana, mid, event_id=next_id("e")))
    shown = await app.bot.handle(c.ShowQuestion(bob, question_id=opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    assert shown.question.asker.display_name == "Dana \ufffd\ufffd"
    assert shown.question.body == "Printer \ufffd offline\nIt says \ufffd since Monday"
    assert [a.excerpt for a in shown.answers] == ["Restart the spooler \ufffd"]
    assert shown.question.status is QuestionStatus.SOLVED


async def test_question_shown_says_who_may_solve_it(app: App) -> None:
    opened = await ask(app.bot, alice)
    q_id = opened.question.id
    for who, expected in ((alice, True), (actor("mod", mod=True), True), (bob, False)):
        shown = await app.bot.handle(c.ShowQuestion(who, q_id))
        assert isinstance(shown, ev.QuestionShown)
        assert shown.may_solve is expected, who.display_name
    await answer(app.bot, carol, opened)
    with pytest.raises(errors.NotTheAsker):  # the rule the flag reports is the one enforced
        await app.bot.handle(c.MarkSolved(bob, thread_of(opened), event_id=next_id("e")))


# -- /solved naming several helpers in one command (Slack's modal) -----------------------------


async def _question_ledger(app: App, question_id: int) -> list[tuple[str, int, str | None]]:
    """(member, delta, source event) of the question's ledger rows, oldest first."""
    query = (
        select(MemberRow.display_name, LedgerRow.delta, LedgerRow.source_event)
        .join(MemberRow, MemberRow.id == LedgerRow.member_id)
        .where(LedgerRow.question_id == question_id)
        .order_by(LedgerRow.id)
    )
    async with app.database.connect() as conn:
        return [tuple(row) for row in (await conn.execute(query)).all()]


def _refusals(refused: tuple[ev.HelperRefused, ...]) -> list[tuple[str, type]]:
    return [(r.member.display_name, type(r.reason)) for r in refused]


async def test_solved_credits_several_helpers_in_one_command(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened)
    command = c.MarkSolved(
        alice, thread_of(opened), helpers=(bob.ref, carol.ref), event_id=next_id("e")
    )
    result = await app.bot.handle(command)
    assert isinstance(result, ev.AnswerAccepted) and result.newly_solved
    assert result.refused == () and result.question.status is QuestionStatus.SOLVED
    assert [a.answer.author.display_name for a in result.acceptances] == ["bob", "carol"]
    assert {a.author.display_name for a in result.accepted_answers} == {"bob", "carol"}
    # As if each were named alone in turn: 15 for each helper, the asker's bonus once.
    assert [(p.member.display_name, p.delta) for p in result.points] == [
        ("bob", 15), ("alice", 2), ("carol", 15),
    ]  # fmt: skip
    # One transaction for one event: every row carries it, and the event can't run twice.
    assert await _question_ledger(app, opened.question.id) == [
        ("bob", 15, command.event_id), ("alice", 2, command.event_id),
        ("carol", 15, command.event_id),
    ]  # fmt: skip
    with pytest.raises(errors.DuplicateEvent):
        await app.bot.handle(command)
    await assert_totals_match_ledger(app)


async def test_solved_several_helpers_the_asker_refused_the_other_still_credited(
    app: App,
) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, alice, opened, "More detail from me.")
    await answer(app.bot, bob, opened)
    result = await app.bot.handle(
        c.MarkSolved(alice, thread_of(opened), helpers=(alice.ref, bob.ref), event_id=next_id("e"))
    )
    assert isinstance(result, ev.AnswerAccepted) and result.newly_solved
    assert [a.answer.author.display_name for a in result.acceptances] == ["bob"]
    # Nobody earns points from themselves: alice only gets the bonus for accepting bob.
    assert _refusals(result.refused) == [("alice", errors.SelfAccept)]
    assert [(p.member.display_name, p.delta, p.reason) for p in result.points] == [
        ("bob", 15, LedgerReason.ACCEPTED_ANSWER), ("alice", 2, LedgerReason.ACCEPTED_BONUS),
    ]  # fmt: skip
    # A moderator who answered can't credit themselves either; the others are credited.
    second = await ask(app.bot, alice, "Second question")
    await answer(app.bot, mod, second)
    await answer(app.bot, carol, second)
    by_mod = await app.bot.handle(
        c.MarkSolved(mod, thread_of(second), helpers=(mod.ref, carol.ref), event_id=next_id("e"))
    )
    assert isinstance(by_mod, ev.AnswerAccepted)
    assert _refusals(by_mod.refused) == [("mod", errors.SelfAccept)]
    assert [(p.member.display_name, p.delta) for p in by_mod.points] == [("carol", 15)]
    await assert_totals_match_ledger(app)


async def test_solved_several_helpers_an_earlier_credit_is_not_repeated(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    result = await app.bot.handle(
        c.MarkSolved(alice, thread_of(opened), helpers=(bob.ref, carol.ref), event_id=next_id("e"))
    )
    assert isinstance(result, ev.AnswerAccepted) and not result.newly_solved
    assert _refusals(result.refused) == [("bob", errors.AlreadyAccepted)]
    assert [(p.member.display_name, p.delta) for p in result.points] == [("carol", 15)]


async def test_solved_several_helpers_each_under_the_reputation_rules(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened)
    await app.bot.handle(c.HelpBanMember(mod, bob.ref, "2h", "spam", event_id=next_id("e")))
    result = await app.bot.handle(
        c.MarkSolved(alice, thread_of(opened), helpers=(bob.ref, carol.ref), event_id=next_id("e"))
    )
    assert isinstance(result, ev.AnswerAccepted) and result.refused == ()
    # bob's answer is a solution, but a help-banned member earns nothing, as when named alone.
    assert [a.answer.author.display_name for a in result.acceptances] == ["bob", "carol"]
    assert [(p.member.display_name, p.delta) for p in result.points] == [
        ("alice", 2), ("carol", 15),
    ]  # fmt: skip


async def test_solved_several_helpers_a_duplicate_is_credited_once(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened)
    result = await app.bot.handle(
        c.MarkSolved(
            alice, thread_of(opened), helpers=(bob.ref, carol.ref, bob.ref), event_id=next_id("e")
        )
    )
    assert isinstance(result, ev.AnswerAccepted)
    assert [a.answer.author.display_name for a in result.acceptances] == ["bob", "carol"]
    assert _refusals(result.refused) == [("bob", errors.DuplicateHelper)]
    assert [(p.member.display_name, p.delta) for p in result.points] == [
        ("bob", 15), ("alice", 2), ("carol", 15),
    ]  # fmt: skip
    await assert_totals_match_ledger(app)


async def test_solved_several_helpers_none_credited_changes_nothing(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, alice, opened, "More detail from me.")
    await answer(app.bot, bob, opened)
    zed = actor("zed")
    result = await app.bot.handle(
        c.MarkSolved(
            alice, thread_of(opened), helpers=(alice.ref, zed.ref, carol.ref),
            event_id=next_id("e"),
        )
    )  # fmt: skip
    assert isinstance(result, ev.HelpersNotCredited)
    assert _refusals(result.refused) == [
        ("alice", errors.SelfAccept), ("zed", errors.UnknownMember),
        ("carol", errors.UnknownMember),
    ]  # fmt: skip
    assert result.question.status is QuestionStatus.OPEN
    assert await _question_ledger(app, opened.question.id) == []
    # Named alone, the asker naming themselves is "solved alone" (see
    # test_the_asker_naming_themselves_marks_it_solved_alone); a moderator naming
    # themselves alone is still refused as it always was.
    with pytest.raises(errors.SelfAccept):
        await app.bot.handle(
            c.MarkSolved(mod, thread_of(opened), helpers=(mod.ref,), event_id=next_id("e"))
        )
