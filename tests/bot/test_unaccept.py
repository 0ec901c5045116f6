"""Taking back one acceptance (a ✅ removed, or the console's /unaccept): the asker or a
moderator changed their mind. The answer's points go back, and the asker's bonus with the
last accepted answer; the question stays solved by its other accepted answers, or is open
again. A removed ✅ takes back only what its own member accepted."""

from __future__ import annotations

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.jobs import JobKind, JobState
from bot.model import LedgerReason, QuestionStatus
from tests.helpers import actor, answer, ask, next_id
from tests.storage.ledger_checks import assert_totals_match_ledger

alice, bob, carol, mod = actor("alice"), actor("bob"), actor("carol"), actor("mod", mod=True)


async def _points(app: App, who: c.Actor) -> int:
    shown = await app.bot.handle(c.ShowReputation(who))
    assert isinstance(shown, ev.ReputationShown)
    return shown.standing.points


async def _accept(app: App, who: c.Actor, mid: str, *, reaction: bool = True) -> None:
    """`who` marks the answer: with a ✅ (`reaction`), or another way (/solved, the menu)."""
    command = c.AcceptAnswer(who, mid, event_id=next_id("e"), reaction=reaction)
    assert isinstance(await app.bot.handle(command), ev.AnswerAccepted)


async def unaccept(
    app: App, who: c.Actor, mid: str, *, reaction: bool = True
) -> ev.AnswerUnaccepted:
    result = await app.bot.handle(
        c.UnacceptAnswer(who, mid, event_id=next_id("e"), reaction=reaction)
    )
    assert isinstance(result, ev.AnswerUnaccepted)
    return result


async def _shown(app: App, opened: ev.QuestionOpened) -> ev.QuestionShown:
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    return shown


def _found(app: App, query: str) -> list[str]:
    return [h.id for h in app.knowledge.search("default", query, limit=5)]  # type: ignore[attr-defined]


async def test_removing_the_only_accepted_answer_opens_the_question_again(app: App) -> None:
    opened = await ask(app.bot, alice, "How do I export my birthday list?")
    mid = await answer(app.bot, bob, opened, "Save it from Thunderbird as vcard.")
    await _accept(app, alice, mid)
    assert (await _points(app, bob), await _points(app, alice)) == (15, 2)
    assert _found(app, "thunderbird vcard") == [f"q{opened.question.id}"]

    result = await unaccept(app, alice, mid)

    assert result.reopened and result.accepted == ()
    assert result.question.status is QuestionStatus.OPEN
    assert sorted((p.member.ref.id, p.delta, p.reason) for p in result.points) == [
        ("alice", -2, LedgerReason.REVERSAL),
        ("bob", -15, LedgerReason.REVERSAL),
    ]
    assert (await _points(app, bob), await _points(app, alice)) == (0, 0)
    await assert_totals_match_ledger(app)
    shown = await _shown(app, opened)
    assert shown.question.status is QuestionStatus.OPEN and shown.accepted == ()
    assert _found(app, "thunderbird vcard") == _found(app, "birthday list") == []  # (unsolved)
    # Planned like any open question again: no solved-close, a dormant close instead.
    async with app.bot.uow_factory(write=False) as uow:
        jobs = await uow.jobs.for_question(opened.question.id)
    pending = {j.kind for j in jobs if j.state is JobState.PENDING}
    assert JobKind.CLOSE_SOLVED not in pending and JobKind.CLOSE_DORMANT in pending

    # Accepting it again earns it again.
    await _accept(app, alice, mid)
    assert (await _points(app, bob), await _points(app, alice)) == (15, 2)
    await assert_totals_match_ledger(app)


async def test_the_question_stays_solved_by_the_answers_still_accepted(app: App) -> None:
    opened = await ask(app.bot, alice, "How do I export my birthday list?")
    first = await answer(app.bot, bob, opened, "Save it from Thunderbird as vcard.")
    second = await answer(app.bot, carol, opened, "Or use the export button in Settings.")
    await _accept(app, alice, first)
    await _accept(app, alice, second)
    doc = f"q{opened.question.id}"
    assert _found(app, "thunderbird vcard") == [doc]

    result = await unaccept(app, alice, first)

    assert not result.reopened and [a.message_id for a in result.accepted] == [second]
    assert result.question.status is QuestionStatus.SOLVED
    # Bob's +15 goes back; alice's bonus moves to carol's acceptance, which still stands.
    assert (await _points(app, bob), await _points(app, alice), await _points(app, carol)) == (
        0,
        2,
        15,
    )
    await assert_totals_match_ledger(app)
    assert [a.answer.message_id for a in (await _shown(app, opened)).accepted] == [second]
    assert _found(app, "thunderbird vcard") == []
    assert _found(app, "export button settings") == [doc]


async def test_who_may_take_an_acceptance_back(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened, "Restart the router.")
    other = await answer(app.bot, carol, opened, "Check the cable.")
    await _accept(app, alice, mid)
    refusals: list[tuple[c.Actor, str, bool, type[errors.DomainError]]] = [
        (carol, mid, True, errors.NotTheAsker),
        (bob, mid, False, errors.NotTheAsker),  # (the helper keeps what they were given)
        (actor("helperbot", bot=True, mod=True), mid, False, errors.BotsCannot),
        (alice, other, False, errors.NotAccepted),  # never accepted
        (alice, "never-recorded", False, errors.NotAccepted),
        (actor("alice", community="other"), mid, False, errors.NotAccepted),
        # A moderator's ✅ that accepted nothing (alice had already): removing it takes
        # nobody's acceptance away.
        (mod, mid, True, errors.NotAccepted),
    ]
    for who, message_id, reaction, refusal in refusals:
        with pytest.raises(refusal):
            await app.bot.handle(
                c.UnacceptAnswer(who, message_id, event_id=next_id("e"), reaction=reaction)
            )
    assert (await _points(app, bob), await _points(app, alice)) == (15, 2)

    # A moderator may take back the asker's acceptance on purpose; it is audited.
    result = await unaccept(app, mod, mid, reaction=False)
    assert result.reopened and await _points(app, bob) == 0
    audit = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(audit, ev.AuditShown)
    assert [(e.action, e.target and e.target.ref) for e in audit.entries] == [("unaccept", bob.ref)]
    with pytest.raises(errors.NotAccepted):  # (twice: nothing left to take back)
        await unaccept(app, alice, mid)


@pytest.mark.parametrize(
    ("action", "refusal"),
    [
        (c.QuestionAction.LOCK, errors.ThreadLocked),
        (c.QuestionAction.CLOSE, errors.ClosedByModerator),
        (c.QuestionAction.DELETE, errors.QuestionNotFound),
    ],
)
async def test_the_asker_cannot_take_back_what_a_moderator_froze(
    app: App, action: c.QuestionAction, refusal: type[errors.DomainError]
) -> None:
    """As for accepting and /unsolve: after a moderator locks, closes or deletes the question,
    its asker moves no points in it any more; a moderator still may (not a deleted one)."""

    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await _accept(app, alice, mid)
    moderated = await app.bot.handle(
        c.ModerateQuestion(mod, action, question_id=opened.question.id, event_id=next_id("e"))
    )
    assert isinstance(moderated, ev.QuestionModerated)
    for reaction in (True, False):
        with pytest.raises(refusal):
            await unaccept(app, alice, mid, reaction=reaction)
    assert await _points(app, bob) == 15
    if action is c.QuestionAction.DELETE:
        with pytest.raises(errors.QuestionNotFound):
            await unaccept(app, mod, mid, reaction=False)
    else:
        assert (await unaccept(app, mod, mid, reaction=False)).reopened
        assert await _points(app, bob) == 0


async def test_a_removed_check_takes_back_only_a_mark_a_check_made(app: App) -> None:
    """The asker marked the answer from the menu, then added a ✅ (which marked nothing: it
    was marked already) and removed it again: their mark stays. /unaccept, the console's
    way, takes it back."""

    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await _accept(app, alice, mid, reaction=False)
    with pytest.raises(errors.AlreadyAccepted):
        await _accept(app, alice, mid)  # the ✅ added afterwards
    with pytest.raises(errors.NotAccepted):
        await unaccept(app, alice, mid)  # ... and removed
    assert await _points(app, bob) == 15
    assert (await unaccept(app, alice, mid, reaction=False)).reopened
    assert await _points(app, bob) == 0


async def test_a_moderator_removes_the_check_mark_they_accepted_with(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    await _accept(app, mod, mid)
    with pytest.raises(errors.NotAccepted):
        await unaccept(app, alice, mid)  # alice's ✅ removed: she accepted nothing
    assert (await unaccept(app, mod, mid)).reopened
    assert await _points(app, bob) == 0


async def test_what_the_member_is_told(app: App) -> None:
    from bot.presenters import Presenter

    present = Presenter(app.bot.catalog)
    opened = await ask(app.bot, alice)
    first = await answer(app.bot, bob, opened)
    second = await answer(app.bot, carol, opened)
    await _accept(app, alice, first)
    await _accept(app, alice, second)
    q = opened.question.id
    assert present.unaccepted(await unaccept(app, alice, first)) == (
        f"Took back the solution mark on bob's answer; #{q} stays solved by the other marked "
        "answers. 15 points reversed."
    )
    assert present.unaccepted(await unaccept(app, alice, second)) == (
        f"Took back the solution mark on carol's answer: #{q} is open again. 17 points reversed."
    )
