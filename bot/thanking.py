"""Giving thanks: who is credited, and the anti-gaming rules between two members.

A thanks earns the receiver `rules.thanks` points unless one of these says no (the thanks is
still recorded, with 0 points, so the receiver is told and moderators can see it):
- nobody thanks themselves, and bots neither give nor earn;
- a help-banned member earns nothing;
- in a question, only a member who answered in it earns (not its asker, not a passer-by);
  outside one, a thanks earns nothing when its giver gave the receiver points in the last
  day (in a question or not);
- each giver has an hourly and a daily allowance of point-earning thanks (rolling windows);
- reciprocal cooldown: right after A thanked B, B thanking A earns nothing;
- the receiver's daily cap (applied by `reputation.award`).
One giver thanks one receiver at most once per question; repeats are ignored silently.

Concurrency: the giver's member row is locked (PostgreSQL) before their allowance is counted
and the receiver's totals row before the cap is checked, so parallel thanks cannot overshoot
either limit. Neither lock is taken in the opposite order anywhere, so they cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.config import ReputationConfig
from bot.events import ThanksGiven
from bot.model import Answer, LedgerReason, Member, MemberRef, Question, QuestionStatus
from bot.outbound import DirectMessage, Outbound
from bot.ports import UnitOfWork
from bot.reputation import award
from bot.thanks import detect

# Most members one thank-you message can credit ("thanks @a @b and @c").
MAX_RECEIVERS = 3
# Mentions looked up (to credit them, and to tell a name from a thanks): a message
# mentioning more is rare, and each is one lookup.
MAX_MENTION_NAMES = 10


async def _withheld(
    uow: UnitOfWork,
    rules: ReputationConfig,
    giver: Member,
    receiver: Member,
    question: Question | None,
    answered: bool,
    now: datetime,
) -> str | None:
    """Why the thanks earns nothing, or None. `answered`: the receiver answered in the
    question (ignored without one)."""

    if giver.id == receiver.id:
        return "self"
    if giver.is_bot or receiver.is_bot:
        return "bot"
    if await uow.moderation.active_helpban(receiver.id, now):
        return "helpbanned"
    if await uow.moderation.active_helpban(giver.id, now):
        return "helpbanned_giver"
    if question is not None:
        # Thanks in a question are for help in it: passers-by thanking its asker, or a
        # friend who never answered there, earn nothing.
        if not answered:
            return "not_answered"
    elif await uow.moderation.thanked_since(giver.id, receiver.id, now - timedelta(days=1)):
        # Outside a question nothing ties a thanks to help given: a repeat within a day of
        # any thanks with points from this giver earns nothing.
        return "repeat"
    # 0 turns a limit off.
    hourly, daily = rules.thanks_per_giver_hourly, rules.thanks_per_giver_daily
    if hourly and await uow.moderation.thanks_given_since(giver.id, now - timedelta(hours=1)) >= (
        hourly
    ):
        return "limit_hourly"
    if daily and await uow.moderation.thanks_given_since(giver.id, now - timedelta(days=1)) >= (
        daily
    ):
        return "limit_daily"
    cooldown = timedelta(minutes=rules.reciprocal_cooldown_minutes)
    if cooldown and await uow.moderation.thanked_since(receiver.id, giver.id, now - cooldown):
        return "reciprocal"
    return None


def _notice(community: str, giver: Member, receiver: Member, question: Question | None,
            points: int) -> DirectMessage:  # fmt: skip
    """The receiver's private note. An anonymous question's asker is "the asker" in it: a
    `/thanks` is seen by its giver alone, so naming them would be the bot's own leak."""

    where, name = ("_question" if question is not None else ""), giver.display_name
    if question is not None and question.anonymous and giver.id == question.asker.id:
        where, name = "_from_asker", ""
    key = f"thanks.received{where}" if points else f"thanks.received_no_points{where}"
    return DirectMessage(
        community,
        receiver.ref,
        key,
        {"giver": name, "id": question.id if question else "", "points": points},
    )


async def give_thanks(
    uow: UnitOfWork,
    rules: ReputationConfig,
    giver: Member,
    receiver: Member,
    question: Question | None,
    now: datetime,
    *,
    source_event: str | None = None,
) -> ThanksGiven | None:
    """Record one thanks and award what the rules allow; None if this giver already thanked
    this receiver in this question (nothing new to tell anyone)."""

    community = receiver.ref.community
    # Lock first: two copies of the same thanks racing must not both pass the checks below.
    await uow.moderation.lock_giver(giver)
    if question is not None and await uow.moderation.already_thanked(
        question.id, giver.id, receiver.id
    ):
        return None
    theirs: list[Answer] = []  # the receiver's answers in the question, latest last
    if question is not None:
        theirs = [a for a in await uow.questions.answers(question.id) if a.author.id == receiver.id]
    withheld = await _withheld(uow, rules, giver, receiver, question, bool(theirs), now)
    change = None
    if withheld is None:
        change = await award(
            uow, rules, community, receiver, rules.thanks, LedgerReason.THANKS, now,
            actor=giver, question_id=question.id if question else None,
            source_event=source_event,
        )  # fmt: skip
        if change is None:
            withheld = "cap"
    await uow.moderation.add_thanks(
        community,
        giver.id,
        receiver.id,
        question.id if question else None,
        change.delta if change else 0,
        change.entry_id if change else None,
        now,
    )
    offer = None
    if (
        question is not None
        and giver.id == question.asker.id
        and question.status is QuestionStatus.OPEN
        and not question.is_closed
    ):
        offer = theirs[-1] if theirs else None
    outbound: tuple[Outbound, ...] = ()
    if withheld not in ("self", "bot"):
        outbound = (_notice(community, giver, receiver, question, change.delta if change else 0),)
    return ThanksGiven(giver, receiver, question, change, withheld, offer, outbound)


async def receivers_of(
    uow: UnitOfWork, question: Question, author: Member, mentioned: Sequence[Member] | None
) -> list[Member]:
    """The mentioned members (`mentioned`, as `_mentioned` found them) of the question's
    community, or with no mention the only other participant of the thread."""

    found: dict[int, Member] = {}
    if mentioned is not None:
        for member in mentioned:
            if member.ref.community != question.community:
                continue  # a mention of someone in another community: not one of ours
            if member.id != author.id and not member.is_bot:
                found.setdefault(member.id, member)
            if len(found) == MAX_RECEIVERS:
                break
        return list(found.values())
    for member in [question.asker, *(a.author for a in await uow.questions.answers(question.id))]:
        if member.id != author.id and not member.is_bot:
            found.setdefault(member.id, member)
    return list(found.values()) if len(found) == 1 else []


async def _mentioned(uow: UnitOfWork, mentions: Sequence[MemberRef]) -> list[Member]:
    """The mentioned members the bot has seen, of any community: another community's (a
    shared Slack channel) is thanked nowhere here (`receivers_of`), but their name is still
    a name, not the writer's thanks. A member never seen is left to `thanks.normalise`'s
    first-word rule."""

    members = []
    for ref in mentions[:MAX_MENTION_NAMES]:
        member = await uow.members.find(ref)
        if member is not None:
            members.append(member)
    return members


async def thanks_in_message(
    uow: UnitOfWork,
    rules: ReputationConfig,
    question: Question,
    author: Member,
    text: str,
    mentions: Sequence[MemberRef],
    now: datetime,
    *,
    source_event: str | None = None,
) -> tuple[ThanksGiven, ...]:
    if author.is_bot or question.is_deleted or detect(text) is None:
        return ()  # most messages thank nobody: no queries for them
    mentioned = await _mentioned(uow, mentions) if mentions else None
    if mentioned and detect(text, [m.display_name for m in mentioned]) is None:
        return ()  # the thanks word was a mentioned member's name ("ask @Mr Thanks")
    given = []
    for receiver in await receivers_of(uow, question, author, mentioned):
        thanks = await give_thanks(
            uow, rules, author, receiver, question, now, source_event=source_event
        )
        if thanks is not None:
            given.append(thanks)
    return tuple(given)
