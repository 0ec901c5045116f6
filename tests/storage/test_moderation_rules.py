"""Thanks, anti-gaming limits, moderator commands, audit and reports, through the core against
real storage (SQLite, and PostgreSQL when configured). Every limit is tested at its boundary.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.commands import FlowDirection, QuestionAction
from bot.knowledge_base import AddArticle, RemoveArticle
from bot.model import Actor, AuditOutcome, MemberRef, QuestionStatus, ReportStatus
from bot.moderation_presenter import ModerationPresenter
from bot.outbound import ChannelPost, DirectMessage, Outbound
from bot.presenters import Presenter
from tests.helpers import actor, answer, ask, next_id, thread_of

alice, bob, carol, dave = actor("alice"), actor("bob"), actor("carol"), actor("dave")
mod, mod2 = actor("mod", mod=True), actor("mod2", mod=True)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "communities": {
            "default": {
                "reputation": {
                    "thanks": 2,
                    "daily_cap": 200,
                    "thanks_per_giver_hourly": 3,
                    "thanks_per_giver_daily": 5,
                    "reciprocal_cooldown_minutes": 60,
                    "suspicious_min_points": 4,
                },
                "moderation": {
                    "moderators_channel": {"console": "mods"},
                    "reports_per_hour": 2,
                    "reports_per_day": 3,
                    "audit_rows": 100,
                },
            }
        }
    }


class Recorder:
    platform = "console"

    def __init__(self) -> None:
        self.sent: list[Outbound] = []

    async def send(self, message: Outbound) -> None:
        self.sent.append(message)

    def dms(self, name: str) -> list[DirectMessage]:
        return [m for m in self.sent if isinstance(m, DirectMessage) and m.member.id == name]


@pytest.fixture
def outbox(app: App) -> Recorder:
    recorder = Recorder()
    app.bot.outbox.register(recorder)
    return recorder


async def say(
    app: App, who: Actor, opened: ev.QuestionOpened, text: str, *mentions: Actor
) -> ev.MessageRecorded:
    mid = next_id()
    result = await app.bot.handle(
        c.PostMessage(
            who, thread_of(opened), mid, text, event_id=f"evt-{mid}",
            mentions=tuple(m.ref for m in mentions),
        )
    )  # fmt: skip
    assert isinstance(result, ev.MessageRecorded)
    return result


async def thank(app: App, giver: Actor, receiver: Actor, opened: Any = None) -> ev.ThanksGiven:
    thread = thread_of(opened) if opened is not None else None
    result = await app.bot.handle(c.ThankMember(giver, receiver.ref, thread, event_id=next_id("e")))
    assert isinstance(result, ev.ThanksGiven)
    return result


async def points(app: App, who: Actor) -> int:
    rep = await app.bot.handle(c.ShowReputation(alice, who.ref))
    assert isinstance(rep, ev.ReputationShown)
    return rep.standing.points


async def audit(app: App, member: Actor | None = None, question_id: int | None = None):  # noqa: ANN201
    shown = await app.bot.handle(c.ShowAudit(mod, member.ref if member else None, question_id))
    assert isinstance(shown, ev.AuditShown)
    return shown.entries


async def seen(app: App, *who: Actor) -> None:
    """Members exist once they have written something; open a question as each."""
    for member in who:
        await ask(app.bot, member, f"hello from {member.display_name} {next_id()}")


# -- thanks ----------------------------------------------------------------------------


async def test_thanks_credits_the_only_other_participant_and_tells_them_once(
    app: App, outbox: Recorder
) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    recorded = await say(app, alice, opened, "thx, that was it")
    (thanks,) = recorded.thanks
    assert thanks.receiver.ref == bob.ref and thanks.change and thanks.change.delta == 2
    assert thanks.offer_solution is not None  # the asker thanked, question unsolved
    assert await points(app, bob) == 2
    await say(app, alice, opened, "thanks again!")  # same pair, same question: nothing new
    assert await points(app, bob) == 2
    assert [m.key for m in outbox.dms("bob")] == ["thanks.received_question"]


async def test_thanks_credits_mentioned_members_and_ignores_sarcasm(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await answer(app.bot, carol, opened)
    recorded = await say(app, alice, opened, "thanks for nothing")
    assert recorded.thanks == ()
    recorded = await say(app, alice, opened, "no mention, two helpers: thanks")
    assert recorded.thanks == ()  # nobody to guess
    recorded = await say(app, alice, opened, "kiitos @carol!", carol)
    assert [t.receiver.ref for t in recorded.thanks] == [carol.ref]
    assert await points(app, carol) == 2 and await points(app, bob) == 0


async def test_a_mentioned_members_whole_name_is_no_thanks(app: App) -> None:
    """Adapters write a mention as "@" and the display name: a name with spaces that ends in
    a thanks word ("Mr Thanks", "Ty") is a name, while the same message saying thanks still
    thanks them. A member the bot has not seen yet falls back to the name's first word."""

    opened = await ask(app.bot, alice)
    mr_thanks = Actor(MemberRef("console", "default", "mrthanks"), "Mr Thanks")
    lee = Actor(MemberRef("console", "default", "lee"), "Ann Lee Ty")
    ann = Actor(MemberRef("console", "default", "ann"), "Ann")
    for helper in (mr_thanks, lee, ann):
        await answer(app.bot, helper, opened)
    for text, who in (
        ("@Mr Thanks could you look at the logs?", (mr_thanks,)),
        ("@mr thanks could you look at the logs?", (mr_thanks,)),  # (as typed, any case)
        ("ask @Ann Lee Ty about it", (lee,)),
        ("ask @Ann or @Ann Lee Ty about it", (ann, lee)),  # (the longer name first)
    ):
        assert (await say(app, alice, opened, text, *who)).thanks == (), text
    recorded = await say(app, alice, opened, "@Mr Thanks thank you, that fixed it", mr_thanks)
    assert [t.receiver.ref for t in recorded.thanks] == [mr_thanks.ref]
    assert await points(app, lee) == 0


async def test_a_mentioned_name_is_no_thanks_from_another_community_either(app: App) -> None:
    """One Slack channel shared between two workspaces, each its own community: a member of
    the other one mentioned by their whole name ("@Mr Thanks") is a name, not a thanks, so
    the local member mentioned beside them is not thanked for nothing. (Only the thanks
    goes to members of the question's community, see `receivers_of`.)"""

    mr_thanks = Actor(MemberRef("console", "other", "mrthanks"), "Mr Thanks")
    async with app.bot.uow_factory() as uow:  # (seen by the bot, in their own community)
        await uow.members.upsert(mr_thanks)
        await uow.commit()
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    said = await say(app, alice, opened, "@Mr Thanks could you look, with @bob?", mr_thanks, bob)
    assert said.thanks == ()
    assert await points(app, bob) == 0


async def test_helper_thanking_the_asker_gets_no_offer_to_accept(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    recorded = await say(app, bob, opened, "ممنون")
    (thanks,) = recorded.thanks
    assert thanks.receiver.ref == alice.ref and thanks.offer_solution is None


async def test_no_self_thanks_and_bots_never_earn_or_give(app: App) -> None:
    await seen(app, alice, bob)
    with pytest.raises(errors.SelfThanks):
        await thank(app, alice, alice)
    robot = actor("robot", bot=True)
    opened = await ask(app.bot, alice)
    await say(app, robot, opened, "beep")
    with pytest.raises((errors.BotsCannot, errors.UnknownMember)):
        await thank(app, alice, robot)  # bot messages are not even recorded
    with pytest.raises(errors.BotsCannot):
        await thank(app, robot, bob)
    recorded = await say(app, alice, opened, "thanks @robot", robot)
    assert recorded.thanks == ()


async def test_explicit_thanks_twice_in_one_question_is_refused(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await thank(app, alice, bob, opened)
    with pytest.raises(errors.AlreadyThanked):
        await thank(app, alice, bob, opened)


async def test_thanks_in_a_locked_thread_are_refused_as_its_messages_are(app: App) -> None:
    """Only moderators write in a locked thread: a thank-you there, a message or `/thanks`,
    is refused for anyone else and earns nothing."""

    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    await moderate(app, mod, QuestionAction.LOCK, opened)
    with pytest.raises(errors.ThreadLocked):
        await say(app, alice, opened, "thanks @bob", bob)
    with pytest.raises(errors.ThreadLocked):
        await thank(app, alice, bob, opened)
    assert await points(app, bob) == 0
    assert (await thank(app, mod2, bob, opened)).change is not None
    await moderate(app, mod, QuestionAction.UNLOCK, opened)
    assert (await thank(app, alice, bob, opened)).change is not None


async def test_thanks_in_a_question_earn_only_those_who_answered_in_it(app: App) -> None:
    """Thanks in a question are for help in it: passers-by thanking its asker, or anyone
    thanking a member who never answered there, earn nothing (recorded, and told, as any
    withheld thanks)."""

    await seen(app, carol, dave)
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    for giver, receiver in ((carol, alice), (bob, alice), (carol, dave)):
        withheld = await thank(app, giver, receiver, opened)
        assert (withheld.change, withheld.withheld) == (None, "not_answered")
    assert (await thank(app, carol, bob, opened)).change is not None
    text = app.bot.catalog.t("thanks.withheld_not_answered")
    assert text == "they haven't answered in this question"
    assert await points(app, alice) == await points(app, dave) == 0


async def test_thanks_outside_a_question_earn_the_same_member_points_once_a_day(
    app: App, clock: FakeClock
) -> None:
    await seen(app, alice, bob)
    assert (await thank(app, alice, bob)).change is not None
    clock.advance(hours=23, minutes=59)
    again = await thank(app, alice, bob)
    assert (again.change, again.withheld) == (None, "repeat")
    opened = await ask(app.bot, carol)
    await answer(app.bot, bob, opened)
    assert (await thank(app, alice, bob, opened)).change is not None  # help in a question
    clock.advance(minutes=1)  # a day after the first, but not after the one in the question
    assert (await thank(app, alice, bob)).withheld == "repeat"
    clock.advance(hours=23, minutes=59)
    assert (await thank(app, alice, bob)).change is not None
    assert await points(app, bob) == 6


async def test_per_giver_hourly_limit_at_its_boundary(app: App, clock: FakeClock) -> None:
    await seen(app, alice, bob, carol, dave, mod2)
    for receiver in (bob, carol, dave):  # limit 3 per hour
        assert (await thank(app, alice, receiver)).change is not None
    fourth = await thank(app, alice, mod2)
    assert fourth.change is None and fourth.withheld == "limit_hourly"
    clock.advance(minutes=59, seconds=59)
    assert (await thank(app, alice, mod2)).withheld == "limit_hourly"
    clock.advance(seconds=1)  # exactly one hour after the first three
    assert (await thank(app, alice, mod2)).change is not None


async def test_reverted_thanks_no_longer_count_toward_limits(app: App) -> None:
    await seen(app, alice, bob, carol, dave, mod2)
    given = [await thank(app, alice, receiver) for receiver in (bob, carol, dave)]
    assert (await thank(app, alice, mod2)).withheld == "limit_hourly"
    # A moderator takes one back: that thanks stops counting toward alice's allowance, and
    # the reciprocal cooldown no longer stops bob from thanking alice.
    first = given[0].change
    assert first is not None
    await app.bot.handle(c.RevertLedgerEntry(mod, first.entry_id, event_id=next_id("e")))
    assert (await thank(app, alice, mod2)).change is not None
    assert (await thank(app, bob, alice)).change is not None


async def test_per_giver_daily_limit_at_its_boundary(app: App, clock: FakeClock) -> None:
    receivers = [actor(f"r{i}") for i in range(7)]
    await seen(app, alice, *receivers)
    start = clock.now()
    for i, receiver in enumerate(receivers[:5]):  # limit 5 per 24 hours, 3 per hour
        clock.set(start + timedelta(hours=2 * i))
        assert (await thank(app, alice, receiver)).change is not None
    clock.set(start + timedelta(hours=23, minutes=59))
    assert (await thank(app, alice, receivers[5])).withheld == "limit_daily"
    clock.set(start + timedelta(hours=24))  # the first one leaves the window
    assert (await thank(app, alice, receivers[6])).change is not None


async def test_reciprocal_cooldown_at_its_boundary(app: App, clock: FakeClock) -> None:
    await seen(app, alice, bob)
    assert (await thank(app, alice, bob)).change is not None
    clock.advance(minutes=59)
    back = await thank(app, bob, alice)
    assert back.change is None and back.withheld == "reciprocal"
    assert await points(app, alice) == 0
    clock.advance(minutes=1)  # 60 minutes after alice's thanks
    assert (await thank(app, bob, alice)).change is not None
    assert await points(app, alice) == 2


async def test_receiver_daily_cap_applies_to_thanks(app: App, clock: FakeClock) -> None:
    givers = [actor(f"g{i}") for i in range(4)]
    await seen(app, bob, *givers)
    app.bot.config.communities["default"].reputation.__dict__["daily_cap"] = 5
    try:
        got = [(await thank(app, g, bob)).change for g in givers]
    finally:
        app.bot.config.communities["default"].reputation.__dict__["daily_cap"] = 200
    assert [ch.delta if ch else 0 for ch in got] == [2, 2, 1, 0]
    assert await points(app, bob) == 5


async def test_concurrent_thanks_never_break_the_caps(app: App) -> None:
    givers = [actor(f"fan{i}") for i in range(12)]
    await seen(app, bob, alice, *givers)
    cap = app.bot.config.communities["default"].reputation
    cap.__dict__["daily_cap"] = 9
    try:
        results = await asyncio.gather(
            *(thank(app, g, bob) for g in givers), return_exceptions=True
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        assert await points(app, bob) == 9
        # One giver thanking many members at once: still 3 per hour.
        receivers = [actor(f"helper{i}") for i in range(8)]
        await seen(app, *receivers)
        results = await asyncio.gather(
            *(thank(app, alice, r) for r in receivers), return_exceptions=True
        )
        earned = [r for r in results if isinstance(r, ev.ThanksGiven) and r.change]
        assert len(earned) == 3, results
    finally:
        cap.__dict__["daily_cap"] = 200


# -- help bans -------------------------------------------------------------------------


async def test_helpbanned_member_cannot_ask_or_earn_until_it_expires(
    app: App, clock: FakeClock, outbox: Recorder
) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    banned = await app.bot.handle(
        c.HelpBanMember(mod, bob.ref, "2h", "spam", event_id=next_id("e"))
    )
    assert isinstance(banned, ev.MemberHelpBanned)
    assert [m.key for m in outbox.dms("bob")] == ["moderation.helpban_notice"]
    await seen(app, carol)
    await app.bot.handle(c.HelpBanMember(mod, carol.ref, "1h", event_id=next_id("e")))
    (notice,) = outbox.dms("carol")
    assert (
        Presenter(app.bot.catalog)
        .outbound(notice)
        .endswith("you can't open questions or earn points until then.")
    )  # (no reason given: none shown)
    with pytest.raises(errors.HelpBanned):
        await ask(app.bot, bob)
    accepted = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted)
    assert [p.member.ref for p in accepted.points] == [alice.ref]  # bob earned nothing
    assert (await thank(app, carol, bob)).withheld == "helpbanned"
    clock.advance(hours=1, minutes=59, seconds=59)
    with pytest.raises(errors.HelpBanned):
        await ask(app.bot, bob)
    clock.advance(seconds=1)
    await ask(app.bot, bob)
    assert (await thank(app, dave, bob)).change is not None


async def test_helpban_duration_is_checked(app: App) -> None:
    await seen(app, bob)
    for bad in ("0", "366d", "soon", "", "7x", "99999999999"):
        with pytest.raises(errors.BadDuration):
            await app.bot.handle(c.HelpBanMember(mod, bob.ref, bad, event_id=next_id("e")))
    # The core reads the duration, so a member is refused as a non-moderator (and audited)
    # whatever they typed, before the duration is judged.
    with pytest.raises(errors.NotModerator):
        await app.bot.handle(c.HelpBanMember(carol, bob.ref, "soon", event_id=next_id("e")))


# -- reputation: adjust, revert, suspicious --------------------------------------------


async def test_rep_add_remove_and_revert_one_row(app: App) -> None:
    await seen(app, bob)
    added = await app.bot.handle(
        c.AdjustReputation(mod, bob.ref, 10, "great write-up", event_id=next_id("e"))
    )
    assert isinstance(added, ev.PointsChanged) and added.changes[0].total == 10
    removed = await app.bot.handle(
        c.AdjustReputation(mod, bob.ref, -3, "double post", event_id=next_id("e"))
    )
    assert isinstance(removed, ev.PointsChanged) and removed.changes[0].total == 7
    reverted = await app.bot.handle(
        c.RevertLedgerEntry(mod, removed.changes[0].entry_id, event_id=next_id("e"))
    )
    assert isinstance(reverted, ev.PointsChanged)
    assert (reverted.changes[0].delta, reverted.changes[0].total) == (3, 10)
    with pytest.raises(errors.AlreadyReverted):
        await app.bot.handle(
            c.RevertLedgerEntry(mod, removed.changes[0].entry_id, event_id=next_id("e"))
        )
    with pytest.raises(errors.AlreadyReverted):  # a reversal itself
        await app.bot.handle(
            c.RevertLedgerEntry(mod, reverted.changes[0].entry_id, event_id=next_id("e"))
        )
    with pytest.raises(errors.LedgerEntryNotFound):
        await app.bot.handle(c.RevertLedgerEntry(mod, 99999, event_id=next_id("e")))
    with pytest.raises(errors.SelfModeration):
        await app.bot.handle(c.AdjustReputation(mod, mod.ref, 5, "me", event_id=next_id("e")))
    with pytest.raises(errors.BadPoints):
        await app.bot.handle(c.AdjustReputation(mod, bob.ref, 0, "x", event_id=next_id("e")))
    with pytest.raises(errors.ReasonRequired):
        await app.bot.handle(c.AdjustReputation(mod, bob.ref, 5, "  ", event_id=next_id("e")))
    assert await points(app, bob) == 10


async def test_revert_a_period_leaves_totals_and_ranks_right(app: App, clock: FakeClock) -> None:
    await seen(app, alice, bob, carol, dave)
    start = clock.now()
    # Before the period: dave thanks bob (kept).
    assert (await thank(app, dave, bob)).change is not None
    clock.advance(hours=3)
    since = clock.now()
    # In the period: carol farms bob (thanks and an accepted answer), and bob gets a thanks
    # from alice; carol also thanks alice.
    opened = await ask(app.bot, carol, "farm")
    mid = await answer(app.bot, bob, opened)
    accepted = await app.bot.handle(c.AcceptAnswer(carol, mid, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted)
    await thank(app, carol, bob)
    await thank(app, alice, bob)
    await thank(app, carol, alice)
    assert await points(app, bob) == 2 + 15 + 2 + 2
    board = await app.bot.handle(c.ShowLeaderboard(alice))
    assert isinstance(board, ev.LeaderboardShown) and board.rows[0].member.ref == bob.ref

    # Everything carol gave since `since`: bob loses 17, alice loses 2; carol keeps her bonus.
    given = await app.bot.handle(
        c.RevertPeriod(mod, carol.ref, FlowDirection.GIVEN, since, event_id=next_id("e"))
    )
    assert isinstance(given, ev.PointsChanged)
    assert sorted(ch.delta for ch in given.changes) == [-15, -2, -2]
    assert await points(app, bob) == 4 and await points(app, alice) == 0
    last_totals = {ch.member.ref: ch.total for ch in given.changes}
    assert last_totals[bob.ref] == 4 and last_totals[alice.ref] == 0
    rep = await app.bot.handle(c.ShowReputation(alice, bob.ref))
    assert isinstance(rep, ev.ReputationShown) and rep.standing.accepted_count == 0

    # Everything bob received in the period: only alice's thanks is left to undo.
    received = await app.bot.handle(
        c.RevertPeriod(mod, bob.ref, FlowDirection.RECEIVED, since, event_id=next_id("e"))
    )
    assert isinstance(received, ev.PointsChanged)
    assert [ch.delta for ch in received.changes] == [-2]
    assert await points(app, bob) == 2  # dave's thanks from before the period stays
    board = await app.bot.handle(c.ShowLeaderboard(alice))
    assert isinstance(board, ev.LeaderboardShown)
    # A tie shares the rank; members seen first come first.
    assert [(r.rank, r.member.ref, r.points) for r in board.rows] == [
        (1, bob.ref, 2),
        (1, carol.ref, 2),
    ]
    # Running it again finds nothing left to revert.
    again = await app.bot.handle(
        c.RevertPeriod(mod, bob.ref, FlowDirection.BOTH, start, event_id=next_id("e"))
    )
    assert isinstance(again, ev.PointsChanged)
    assert [ch.delta for ch in again.changes] == [-2]  # only dave's thanks was left


async def test_credit_a_moderator_reverted_is_not_earned_again_by_accepting_again(
    app: App,
) -> None:
    opened = await ask(app.bot, alice, "farm")
    mid = await answer(app.bot, bob, opened)
    accepted = await app.bot.handle(c.AcceptAnswer(alice, mid, reaction=True))
    assert isinstance(accepted, ev.AnswerAccepted)
    credit = next(p for p in accepted.points if p.member.ref == bob.ref)
    await app.bot.handle(c.RevertLedgerEntry(mod, credit.entry_id, "collusion", next_id("e")))
    assert await points(app, bob) == 0 and await points(app, alice) == 2
    # The acceptance stands: the answer may still be right.
    still = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(still, ev.QuestionShown) and len(still.accepted) == 1
    assert still.question.status is QuestionStatus.SOLVED

    # The ✅ taken off and put back: accepted again, with the normal reply, but bob's credit
    # is not earned again (the reply names no points for him); alice's bonus, which went
    # with her ✅, comes back as it would have.
    await app.bot.handle(c.UnacceptAnswer(alice, mid, reaction=True))
    again = await app.bot.handle(c.AcceptAnswer(alice, mid, reaction=True))
    assert isinstance(again, ev.AnswerAccepted) and again.newly_solved
    assert [(p.member.ref, p.delta) for p in again.points] == [(alice.ref, 2)]
    assert await points(app, bob) == 0 and await points(app, alice) == 2

    # /unsolve and /solved naming him: the same.
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    solved = await app.bot.handle(
        c.MarkSolved(alice, thread_of(opened), (bob.ref,), event_id=next_id("e"))
    )
    assert isinstance(solved, ev.AnswerAccepted)
    assert [p.member.ref for p in solved.points] == [alice.ref]
    assert await points(app, bob) == 0
    # Another answer of his in the same question earns nothing either...
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    other = await answer(app.bot, bob, opened, "or this")
    third = await app.bot.handle(c.AcceptAnswer(alice, other, event_id=next_id("e")))
    assert isinstance(third, ev.AnswerAccepted)
    assert [p.member.ref for p in third.points] == [alice.ref]
    # ...and a moderator accepting it for the asker does not restore it either.
    await app.bot.handle(c.Unsolve(mod, thread_of(opened), event_id=next_id("e")))
    by_mod = await app.bot.handle(c.AcceptAnswer(mod, other, event_id=next_id("e")))
    assert isinstance(by_mod, ev.AnswerAccepted) and by_mod.points == ()
    assert await points(app, bob) == 0

    # Another question: his accepted answer earns as always.
    opened2 = await ask(app.bot, alice, "another")
    mid2 = await answer(app.bot, bob, opened2)
    await app.bot.handle(c.AcceptAnswer(alice, mid2, event_id=next_id("e")))
    assert await points(app, bob) == 15


async def test_a_period_revert_is_not_undone_by_unsolving_and_accepting_again(
    app: App, clock: FakeClock
) -> None:
    start = clock.now()
    opened = await ask(app.bot, carol, "farm")
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(carol, mid, event_id=next_id("e")))
    clock.advance(minutes=1)
    # The asker's points only (her bonus): his credit is untouched and comes back.
    await app.bot.handle(
        c.RevertPeriod(mod, carol.ref, FlowDirection.RECEIVED, start, event_id=next_id("e"))
    )
    assert await points(app, carol) == 0 and await points(app, bob) == 15
    await app.bot.handle(c.Unsolve(carol, thread_of(opened), event_id=next_id("e")))
    assert await points(app, bob) == 0
    again = await app.bot.handle(c.AcceptAnswer(carol, mid, event_id=next_id("e")))
    assert isinstance(again, ev.AnswerAccepted)
    assert [(p.member.ref, p.delta) for p in again.points] == [(bob.ref, 15)]
    assert await points(app, carol) == 0 and await points(app, bob) == 15

    # Everything bob received: his credit goes, and stays gone after accepting again.
    await app.bot.handle(
        c.RevertPeriod(mod, bob.ref, FlowDirection.RECEIVED, start, event_id=next_id("e"))
    )
    await app.bot.handle(c.Unsolve(carol, thread_of(opened), event_id=next_id("e")))
    again = await app.bot.handle(c.AcceptAnswer(carol, mid, event_id=next_id("e")))
    assert isinstance(again, ev.AnswerAccepted) and again.points == ()
    assert await points(app, carol) == 0 and await points(app, bob) == 0


async def test_taking_an_acceptance_back_is_no_moderator_revert(app: App) -> None:
    """An acceptance taken back (by the asker or a moderator) and given again earns again:
    only `/mod rep revert` and a period revert stop the credit coming back."""

    opened = await ask(app.bot, alice, "q")
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    await app.bot.handle(c.UnacceptAnswer(mod, mid, event_id=next_id("e")))
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert await points(app, bob) == 15 and await points(app, alice) == 2


async def test_reputation_shows_ledger_ids_to_moderators_only(app: App) -> None:
    await app.bot.handle(c.AdjustReputation(mod, bob, 5, "kind", event_id=next_id("e")))
    robot = actor("robot", mod=True, bot=True)
    for who, ledger_ids in ((mod, True), (carol, False), (bob, False), (robot, False)):
        rep = await app.bot.handle(c.ShowReputation(who, bob.ref))
        assert isinstance(rep, ev.ReputationShown) and rep.standing.recent
        assert rep.ledger_ids is ledger_ids, who.display_name
    zed = MemberRef("console", "default", "zed")  # not seen yet: the same rule
    unseen = await app.bot.handle(c.ShowReputation(mod, zed, member_name="zed"))
    assert isinstance(unseen, ev.ReputationShown) and unseen.ledger_ids


async def test_suspicious_pairs_with_figures(app: App, clock: FakeClock) -> None:
    await seen(app, alice, bob, carol, dave)
    for _ in range(2):
        opened = await ask(app.bot, alice, f"q {next_id()}")
        await answer(app.bot, bob, opened)
        await thank(app, alice, bob, opened)
        clock.advance(minutes=61)
        opened = await ask(app.bot, bob, f"q {next_id()}")
        await answer(app.bot, alice, opened)
        await thank(app, bob, alice, opened)
        clock.advance(minutes=61)
    await thank(app, carol, dave)
    shown = await app.bot.handle(c.ShowSuspiciousPairs(mod))
    assert isinstance(shown, ev.SuspiciousPairsShown)
    (pair,) = shown.pairs
    assert {pair.first.ref, pair.second.ref} == {alice.ref, bob.ref}
    assert (pair.first_to_second, pair.second_received) == (4, 4)
    assert (pair.second_to_first, pair.first_received) == (4, 4)
    assert pair.share_to_first == pair.share_to_second == 1.0


# -- questions -------------------------------------------------------------------------


async def moderate(app: App, who: Actor, action: QuestionAction, opened: Any, **kw: Any):  # noqa: ANN201
    result = await app.bot.handle(
        c.ModerateQuestion(who, action, thread=thread_of(opened), event_id=next_id("e"), **kw)
    )
    assert isinstance(result, ev.QuestionModerated)
    return result


async def test_lock_and_unlock(app: App) -> None:
    opened = await ask(app.bot, alice)
    with pytest.raises(errors.NotLocked):
        await moderate(app, mod, QuestionAction.UNLOCK, opened)
    locked = await moderate(app, mod, QuestionAction.LOCK, opened)
    assert locked.question.is_locked and locked.outbound
    with pytest.raises(errors.AlreadyLocked):  # not announced, nor audited as done, again
        await moderate(app, mod, QuestionAction.LOCK, opened)
    with pytest.raises(errors.ThreadLocked):
        await answer(app.bot, bob, opened)
    await answer(app.bot, mod2, opened)  # moderators can still write
    unlocked = await moderate(app, mod, QuestionAction.UNLOCK, opened)
    assert not unlocked.question.is_locked
    await answer(app.bot, bob, opened)


async def test_close_reopen(app: App) -> None:
    opened = await ask(app.bot, alice)
    with pytest.raises(errors.NotClosed):
        await moderate(app, mod, QuestionAction.REOPEN, opened)
    closed = await moderate(app, mod, QuestionAction.CLOSE, opened, reason="off topic")
    assert closed.question.is_closed and closed.question.close_note == "off topic"
    with pytest.raises(errors.AlreadyClosed):
        await moderate(app, mod, QuestionAction.CLOSE, opened)
    reopened = await moderate(app, mod, QuestionAction.REOPEN, opened)
    assert not reopened.question.is_closed
    assert reopened.question.status is QuestionStatus.OPEN


async def test_duplicate_links_and_the_asker_can_object(app: App, outbox: Recorder) -> None:
    original = await ask(app.bot, carol, "How to reset a password")
    opened = await ask(app.bot, alice)
    dup = await moderate(
        app, mod, QuestionAction.DUPLICATE, opened, duplicate_of=str(original.question.id)
    )
    assert dup.question.close_reason == "duplicate"
    assert dup.question.close_note == f"#{original.question.id}"
    with pytest.raises(errors.NotTheAsker):
        await app.bot.handle(c.NotDuplicate(bob, thread_of(opened), event_id=next_id("e")))
    back = await app.bot.handle(c.NotDuplicate(alice, thread_of(opened), event_id=next_id("e")))
    assert isinstance(back, ev.QuestionModerated) and not back.question.is_closed
    notices = [m for m in outbox.sent if isinstance(m, ChannelPost)]
    assert [n.key for n in notices] == ["moderation.not_duplicate_notice"]
    with pytest.raises(errors.NotADuplicate):
        await app.bot.handle(c.NotDuplicate(alice, thread_of(opened), event_id=next_id("e")))
    await app.bot.handle(
        AddArticle(mod, "Resetting a password", "Settings, then Reset.", article_id="pw-reset")
    )
    for named in ("pw-reset", "a:pw-reset"):
        article = await moderate(app, mod, QuestionAction.DUPLICATE, opened, duplicate_of=named)
        assert article.question.close_note == "a:pw-reset"  # what /kb show takes
        await moderate(app, mod, QuestionAction.REOPEN, opened)
    link = "https://docs.example.org/faq#passwords"
    linked = await moderate(app, mod, QuestionAction.DUPLICATE, opened, duplicate_of=link)
    assert linked.question.close_note == link
    await moderate(app, mod, QuestionAction.REOPEN, opened)


@pytest.mark.parametrize(
    ("named", "error"),
    [
        ("no-such-article", errors.ArticleNotFound),
        ("this one is a dupe", errors.ArticleNotFound),
        ("a:", errors.ArticleNotFound),
        ("#" + "9" * 31, errors.ArticleNotFound),  # (more digits than any question has)
        ("#999999", errors.QuestionNotFound),
        ("   ", errors.DuplicateTargetMissing),
    ],
)
async def test_duplicate_of_something_that_is_not_there_is_refused(
    app: App, named: str, error: type[Exception]
) -> None:
    opened = await ask(app.bot, alice)
    await app.bot.handle(AddArticle(mod, "Gone", "Soon removed.", article_id="gone"))
    await app.bot.handle(RemoveArticle(mod, "gone"))
    for target, refusal in ((named, error), ("gone", errors.ArticleNotFound)):
        with pytest.raises(refusal):
            await moderate(app, mod, QuestionAction.DUPLICATE, opened, duplicate_of=target)
    shown = await app.bot.handle(c.ShowQuestion(mod, opened.question.id))
    assert isinstance(shown, ev.QuestionShown) and not shown.question.is_closed


async def test_a_duplicate_of_a_duplicate_names_the_original_instead(app: App) -> None:
    """Two questions never point at each other: the one named is itself a duplicate, so the
    moderator is told which original to name. Once it opens again, it can be named."""

    first = await ask(app.bot, alice, "How do I print?")
    second = await ask(app.bot, bob, "Printing, how?")
    third = await ask(app.bot, carol, "Print button missing")
    await moderate(app, mod, QuestionAction.DUPLICATE, second, duplicate_of=f"#{first.question.id}")
    for opened in (first, third):
        with pytest.raises(errors.DuplicateOfADuplicate) as refused:
            await moderate(
                app, mod, QuestionAction.DUPLICATE, opened, duplicate_of=f"#{second.question.id}"
            )
        assert app.bot.catalog.t(refused.value.key, **refused.value.params) == (
            f"#{second.question.id} is itself closed as a duplicate of #{first.question.id}. "
            "Name that one as the original."
        )
    shown = await app.bot.handle(c.ShowQuestion(mod, first.question.id))
    assert isinstance(shown, ev.QuestionShown) and not shown.question.is_closed
    # Nor may the original become a duplicate itself while others point at it.
    with pytest.raises(errors.OriginalOfDuplicates) as refused:
        await moderate(
            app, mod, QuestionAction.DUPLICATE, first, duplicate_of=f"#{third.question.id}"
        )
    assert app.bot.catalog.t(refused.value.key, **refused.value.params).startswith(
        f"#{first.question.id} is the original of #{second.question.id}, closed as its duplicates."
    )
    await app.bot.handle(c.NotDuplicate(bob, thread_of(second), event_id=next_id("e")))
    await moderate(app, mod, QuestionAction.DUPLICATE, third, duplicate_of=f"#{second.question.id}")


async def test_bad_arguments_are_told_in_the_catalog_s_words(app: App) -> None:
    """Each refusal of an argument is its own catalog text (a full sentence, translatable),
    not English built in the core."""

    from bot.i18n import Catalog

    opened = await ask(app.bot, alice)
    number = str(opened.question.id)
    cases: list[tuple[Any, str]] = [
        (
            c.ModerateQuestion(
                mod, QuestionAction.DUPLICATE, thread=thread_of(opened), duplicate_of=number
            ),
            "A question can't be a duplicate of itself. Name the original question.",
        ),
        (
            c.ModerateQuestion(mod, QuestionAction.DUPLICATE, thread=thread_of(opened)),
            "Name the original: a question number (#12), an article id or a link.",
        ),
    ]
    for command, says in cases:
        with pytest.raises(errors.InvalidArgument) as refused:
            await app.bot.handle(command)
        assert Catalog().t(refused.value.key, **refused.value.params) == says


async def test_delete_hides_the_question_everywhere(app: App) -> None:
    opened = await ask(app.bot, alice)
    await moderate(app, mod, QuestionAction.DELETE, opened)
    mine = await app.bot.handle(c.ListMyQuestions(alice))
    assert isinstance(mine, ev.QuestionsListed) and mine.questions == ()
    with pytest.raises(errors.QuestionNotFound):
        await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    shown = await app.bot.handle(c.ShowQuestion(mod, opened.question.id))
    assert isinstance(shown, ev.QuestionShown) and shown.question.is_deleted
    with pytest.raises(errors.NotAQuestionThread):  # adapters ignore such a message quietly
        await answer(app.bot, bob, opened)


# -- audit -----------------------------------------------------------------------------


async def test_every_action_is_audited_and_every_refusal_too(app: App) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    ref = bob.ref
    actions: list[Any] = [
        lambda who: c.ModerateQuestion(who, QuestionAction.LOCK, thread=thread_of(opened)),
        lambda who: c.ModerateQuestion(who, QuestionAction.UNLOCK, thread=thread_of(opened)),
        lambda who: c.ModerateQuestion(who, QuestionAction.CLOSE, thread=thread_of(opened)),
        lambda who: c.ModerateQuestion(who, QuestionAction.REOPEN, thread=thread_of(opened)),
        lambda who: c.AdjustReputation(who, ref, 5, "kind"),
        lambda who: c.AdjustReputation(who, ref, -1, "typo"),
        lambda who: c.HelpBanMember(who, ref, "5m", "cool off"),
        lambda who: c.WarnMember(who, ref, "be nice"),
        lambda who: c.ModerateQuestion(who, QuestionAction.DELETE, thread=thread_of(opened)),
        lambda who: c.ModerateQuestion(who, QuestionAction.RESTORE, thread=thread_of(opened)),
    ]
    expected = [
        "question_lock", "question_unlock", "question_close", "question_reopen", "rep_add",
        "rep_remove", "helpban", "warn", "question_delete", "question_restore",
    ]  # fmt: skip
    for make in actions:
        with pytest.raises(errors.NotModerator):
            await app.bot.handle(make(carol))
        await app.bot.handle(make(mod))
    reads = (c.ShowAudit, c.ShowSuspiciousPairs, c.ListReports, c.ShowModeratorHelp)
    for read in reads:
        with pytest.raises(errors.NotModerator):
            await app.bot.handle(read(carol))
    # A moderator may read the command list (reads are not audited).
    assert isinstance(await app.bot.handle(c.ShowModeratorHelp(mod)), ev.ModeratorHelpShown)
    entries = list(reversed(await audit(app)))
    done = [e.action for e in entries if e.outcome is AuditOutcome.DONE]
    refused = [e.action for e in entries if e.outcome is AuditOutcome.REFUSED]
    assert done == expected
    assert refused == [*expected, "audit", "rep_suspicious", "reports", "mod_help"]
    assert all(e.actor and e.actor.ref == carol.ref for e in entries if e.outcome == "refused")
    warn = next(e for e in entries if e.action == "warn" and e.outcome is AuditOutcome.DONE)
    assert warn.target and warn.target.ref == bob.ref and warn.reason == "be nice"
    by_question = await audit(app, question_id=opened.question.id)
    assert {e.action for e in by_question} >= {"question_lock", "question_delete"}
    about_bob = await audit(app, member=bob)
    assert {e.action for e in about_bob} >= {"rep_add", "helpban", "warn"}


async def test_a_refusal_is_audited_whatever_question_it_names(app: App) -> None:
    """A refused command's row names the question only if it is one of this community's:
    an id that is nobody's question (or too big for any row) cannot be written to the audit
    log, whose question id is a foreign key, and the refusal went unaudited (logged only)."""

    opened = await ask(app.bot, alice)
    named = (opened.question.id, opened.question.id + 1_000, 10**20)
    for question_id in named:
        with pytest.raises(errors.NotModerator):
            await app.bot.handle(
                c.RevealAsker(carol, question_id, "curious", event_id=next_id("e"))
            )
    refused = [e for e in reversed(await audit(app, member=carol)) if e.outcome == "refused"]
    assert [(e.action, e.question_id) for e in refused] == [
        ("reveal_asker", opened.question.id),
        ("reveal_asker", None),
        ("reveal_asker", None),
    ]


async def test_warnings_are_counted_and_told_privately(app: App, outbox: Recorder) -> None:
    await seen(app, bob)
    for n in (1, 2):
        warned = await app.bot.handle(c.WarnMember(mod, bob.ref, "spam", event_id=next_id("e")))
        assert isinstance(warned, ev.MemberWarned) and warned.count == n
    assert [m.params["count"] for m in outbox.dms("bob")] == [1, 2]


# -- reports ---------------------------------------------------------------------------


async def report(app: App, who: Actor, message_id: str, reason: str = "rude") -> ev.ReportFiled:
    result = await app.bot.handle(
        c.ReportMessage(who, "help", message_id, reason, event_id=next_id("e"))
    )
    assert isinstance(result, ev.ReportFiled)
    return result


async def test_report_lands_in_the_moderators_channel_without_the_reporter(
    app: App, outbox: Recorder
) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened, "you are an idiot")
    filed = await report(app, carol, mid)
    assert filed.delivered and filed.report.author and filed.report.author.ref == bob.ref
    (post,) = [m for m in outbox.sent if isinstance(m, ChannelPost)]
    assert post.channel_id == "mods" and "report_warn" in post.actions
    assert "carol" not in repr(post.params)
    assert post.params["message_id"] == mid  # adapters build a link to the reported message
    with pytest.raises(errors.AlreadyReported):
        await report(app, carol, mid)
    resolved = await app.bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.WARNED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved) and resolved.warned is not None
    (dm,) = outbox.dms("bob")
    assert dm.key == "moderation.warn_notice" and "carol" not in repr(dm.params)
    with pytest.raises(errors.AlreadyResolved):
        await app.bot.handle(
            c.ResolveReport(mod, filed.report.id, ReportStatus.DISMISSED, event_id=next_id("e"))
        )
    with pytest.raises(errors.NotModerator):
        await app.bot.handle(
            c.ResolveReport(carol, filed.report.id, ReportStatus.DISMISSED, event_id=next_id("e"))
        )


async def test_report_on_a_message_whose_author_is_unknown(app: App, outbox: Recorder) -> None:
    """A message the bot never saw, reported without its author: moderators are told the
    author is unknown (not "by ?"), and warning is refused with what to do instead."""

    from bot.i18n import Catalog
    from bot.moderation_presenter import ModerationPresenter
    from bot.presenters import Presenter

    filed = await report(app, carol, "never-seen")
    assert filed.report.author is None
    (post,) = [m for m in outbox.sent if isinstance(m, ChannelPost)]
    text = Catalog().t(post.key, **post.params)
    assert text.startswith(f'🚩 Report #{filed.report.id} on a message by an unknown member: "-"')
    listed = await app.bot.handle(c.ListReports(mod))
    assert isinstance(listed, ev.ReportsListed)
    lines = ModerationPresenter(Presenter(Catalog(), "en")).reports(listed)
    assert lines[1].strip().startswith(f"#{filed.report.id} on an unknown member:")
    with pytest.raises(errors.ReportAuthorUnknown) as refused:
        await app.bot.handle(
            c.ResolveReport(mod, filed.report.id, ReportStatus.WARNED, event_id=next_id("e"))
        )
    assert Catalog().t(refused.value.key, **refused.value.params) == (
        f"I don't know who wrote the message in report #{filed.report.id}, so there is no one "
        "to warn. Delete the message or dismiss the report instead."
    )
    dismissed = await app.bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.DISMISSED, event_id=next_id("e"))
    )
    assert isinstance(dismissed, ev.ReportResolved)


async def test_report_delete_on_a_question_hides_it(app: App) -> None:
    opened = await ask(app.bot, alice, "buy cheap watches")
    author = Actor(alice.ref, "alice")
    filed = await app.bot.handle(
        c.ReportMessage(
            bob, "help", opened.question.message_id, "spam", author=author,
            thread=thread_of(opened), event_id=next_id("e"),
        )
    )  # fmt: skip
    assert isinstance(filed, ev.ReportFiled) and filed.report.question_id == opened.question.id
    resolved = await app.bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved)
    assert resolved.delete_message == ("help", opened.question.message_id)
    assert resolved.question is not None and resolved.question.is_deleted


async def test_deleting_a_reported_message_resolves_the_other_reports_on_it(app: App) -> None:
    """Two members reported the same answer: deleting it through one report leaves nothing to
    decide in the other, so it is resolved with it (audited); dismissing one does not."""

    opened = await ask(app.bot, alice)
    rude = await answer(app.bot, bob, opened, "rude words")
    other = await answer(app.bot, bob, opened, "more rude words")
    first, second = await report(app, carol, rude), await report(app, dave, rude)
    elsewhere = await report(app, carol, other)
    dismissed = await app.bot.handle(
        c.ResolveReport(mod, first.report.id, ReportStatus.DISMISSED, event_id=next_id("e"))
    )
    assert isinstance(dismissed, ev.ReportResolved) and dismissed.also_resolved == ()
    third = await report(app, mod2, rude)
    resolved = await app.bot.handle(
        c.ResolveReport(mod, second.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved)
    assert resolved.also_resolved == (third.report.id,)
    lines = ModerationPresenter(Presenter(app.bot.catalog)).report_resolved_lines(resolved)
    assert lines[-1] == f"Also resolved, on the same message: report #{third.report.id}."
    listed = await app.bot.handle(c.ListReports(mod))
    assert isinstance(listed, ev.ReportsListed)
    assert [r.id for r in listed.reports] == [elsewhere.report.id]
    with pytest.raises(errors.AlreadyResolved):
        await app.bot.handle(
            c.ResolveReport(mod, third.report.id, ReportStatus.DISMISSED, event_id=next_id("e"))
        )
    audit = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(audit, ev.AuditShown)
    assert [e.reason for e in audit.entries if e.action == "report_deleted"].count(
        f"with report #{second.report.id}"
    ) == 1


async def test_report_rate_limit_at_its_boundary(app: App, clock: FakeClock) -> None:
    opened = await ask(app.bot, alice)
    mids = [await answer(app.bot, bob, opened, f"msg {i}") for i in range(5)]
    await report(app, carol, mids[0])
    await report(app, carol, mids[1])  # 2 per hour
    with pytest.raises(errors.ReportLimit):
        await report(app, carol, mids[2])
    clock.advance(minutes=59, seconds=59)
    with pytest.raises(errors.ReportLimit):
        await report(app, carol, mids[2])
    clock.advance(seconds=1)
    await report(app, carol, mids[2])  # 3 per day
    clock.advance(hours=2)
    with pytest.raises(errors.ReportLimit):
        await report(app, carol, mids[3])
    await report(app, dave, mids[3])  # other members are not affected


async def test_unknown_member_is_refused(app: App) -> None:
    with pytest.raises(errors.UnknownMember):
        await app.bot.handle(
            c.WarnMember(mod, MemberRef("console", "default", "ghost"), "x", event_id="e-ghost")
        )


async def test_moderators_can_act_on_a_member_never_seen_before(app: App) -> None:
    """A spammer who never posted in a help channel can still be help-banned and warned when
    the adapter names them as an Actor (it knows their display name from the mention)."""

    stranger = Actor(MemberRef("console", "default", "spammer"), "Spammer")
    moderator = actor("mod", mod=True)
    banned = await app.bot.handle(
        c.HelpBanMember(moderator, stranger, "1d", "spam", event_id=next_id("e"))
    )
    assert isinstance(banned, ev.MemberHelpBanned)
    warned = await app.bot.handle(
        c.WarnMember(moderator, stranger, "no spam", event_id=next_id("e"))
    )
    assert isinstance(warned, ev.MemberWarned) and warned.count == 1
    with pytest.raises(errors.HelpBanned):
        await ask(app.bot, actor("spammer"), "buy now")
    # A bare reference to an unknown member is still refused clearly.
    with pytest.raises(errors.UnknownMember):
        await app.bot.handle(
            c.WarnMember(
                moderator, MemberRef("console", "default", "nobody"), "x", event_id=next_id("e")
            )
        )


async def test_numbers_no_row_can_have_are_not_found(app: App) -> None:
    # Ids are 64-bit on both databases and both drivers raise on a bigger number: a member
    # typing "/open 99999999999999999999" got "something went wrong" instead of this.
    from bot.knowledge_base import ArticleNotFound, ShowKnowledge

    huge = 10**20
    opened = await ask(app.bot, alice)
    refusals: list[tuple[type[Exception], c.Command]] = [
        (errors.QuestionNotFound, c.ShowQuestion(alice, question_id=huge)),
        (errors.QuestionNotFound, c.ShowQuestion(alice, question_id=-huge)),
        (errors.QuestionNotFound, ShowKnowledge(alice, f"q{huge}")),
        (ArticleNotFound, ShowKnowledge(alice, "q" + "9" * 5_000)),  # int() refuses these
        (errors.QuestionNotFound, c.RevealAsker(mod, huge, "why", event_id=next_id("e"))),
        (errors.QuestionNotFound, c.ModerateQuestion(
            mod, QuestionAction.DELETE, question_id=huge, event_id=next_id("e"))),
        (errors.QuestionNotFound, c.ModerateQuestion(
            mod, QuestionAction.DUPLICATE, thread=thread_of(opened), duplicate_of=f"#{huge}",
            event_id=next_id("e"))),
        (errors.LedgerEntryNotFound, c.RevertLedgerEntry(mod, huge, event_id=next_id("e"))),
        (errors.ReportNotFound, c.ResolveReport(
            mod, huge, ReportStatus.DISMISSED, event_id=next_id("e"))),
    ]  # fmt: skip
    for error, command in refusals:
        with pytest.raises(error):
            await app.bot.handle(command)
    shown = await app.bot.handle(c.ShowAudit(mod, question_id=huge))
    assert isinstance(shown, ev.AuditShown) and shown.entries == ()
    assert ModerationPresenter(Presenter(app.bot.catalog)).audit(shown) == [
        "No moderator actions recorded about that."  # (there are some, about others)
    ]
    # the question is untouched and the database still answers
    still = await app.bot.handle(c.ShowQuestion(alice, question_id=opened.question.id))
    assert isinstance(still, ev.QuestionShown) and still.question.status is QuestionStatus.OPEN


async def test_a_moderator_acting_in_someone_else_s_question_is_audited(app: App) -> None:
    """Accepting for the asker, solving, unsolving (which takes points back) and closing are
    moderator powers when the actor is not the asker: audited like `/mod`. The asker doing
    the same in their own question is no moderator action."""

    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    thread = thread_of(opened)
    for who in (alice, mod):
        await app.bot.handle(c.AcceptAnswer(who, mid, event_id=next_id("e")))
        await app.bot.handle(c.Unsolve(who, thread, event_id=next_id("e")))
    await app.bot.handle(c.MarkSolved(mod, thread, (bob.ref,), event_id=next_id("e")))
    await app.bot.handle(c.Unsolve(mod, thread, event_id=next_id("e")))
    await app.bot.handle(c.SolveWithSuggestion(mod, thread, "a:x", event_id=next_id("e")))
    await app.bot.handle(c.CloseQuestion(mod, thread, "answered elsewhere", event_id=next_id("e")))
    entries = list(reversed(await audit(app, question_id=opened.question.id)))
    assert [(e.action, e.actor and e.actor.ref, e.target and e.target.ref) for e in entries] == [
        ("accept_answer", mod.ref, bob.ref),
        ("unsolve", mod.ref, alice.ref),
        ("accept_answer", mod.ref, bob.ref),
        ("unsolve", mod.ref, alice.ref),
        ("mark_solved", mod.ref, alice.ref),
        ("question_close", mod.ref, alice.ref),
    ]
    assert entries[-1].reason == "answered elsewhere"
