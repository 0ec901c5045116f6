"""Question handlers: ask, answer, accept, solve, unsolve, close, and the reads around them.

Handlers are plain async functions: the command, an open unit of work, and the context
(config, clock). They hold every Q&A rule; adapters never decide who may do what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot import errors
from bot.audit import audit
from bot.commands import (
    AcceptAnswer,
    AskQuestion,
    CloseQuestion,
    EditMessage,
    ListMyQuestions,
    MarkSolved,
    PostMessage,
    RetitleQuestion,
    ShowLeaderboard,
    ShowQuestion,
    ShowReputation,
    SolveWithSuggestion,
    UnacceptAnswer,
    Unsolve,
)
from bot.config import Config, ReputationConfig
from bot.events import (
    AnswerAccepted,
    AnswerUnaccepted,
    HelperChoiceNeeded,
    HelperRefused,
    HelpersNotCredited,
    LeaderboardShown,
    MessageEdited,
    MessageRecorded,
    PointChange,
    QuestionClosed,
    QuestionOpened,
    QuestionReopened,
    QuestionShown,
    QuestionsListed,
    ReputationShown,
    SolvedWithoutHelper,
)
from bot.model import (
    Acceptance,
    Actor,
    Answer,
    CloseReason,
    LedgerReason,
    Member,
    MemberRef,
    Question,
    QuestionStatus,
    Standing,
    ThreadRef,
)
from bot.ports import Clock, KnowledgeSearch, UnitOfWork
from bot.reputation import award, period_start, reverse, take_back
from bot.text import clean, is_blank, split_title, truncate

EXCERPT_CHARS = 300


@dataclass(frozen=True, slots=True)
class Context:
    config: Config
    clock: Clock
    # Search, for the read handlers of bot.knowledge_base (None: nothing is ever found).
    knowledge: KnowledgeSearch | None = None

    def rules(self, community: str) -> ReputationConfig:
        return self.config.communities[community].reputation


def _require_human(actor: Actor) -> None:
    if actor.is_bot:
        raise errors.BotsCannot()


async def question_at(
    uow: UnitOfWork, actor: Actor, thread: ThreadRef, *, for_update: bool = False
) -> Question | None:
    """The question whose thread this is, if it is one of the actor's community.

    One thread can be reached from two communities (Slack shares a channel, ids and all,
    between workspaces, and each may be its own community). From the other community it is
    no question: nobody there answers, accepts, closes or moderates it.
    """

    question = await uow.questions.by_thread(thread, for_update=for_update)
    if question is None or question.community != actor.ref.community:
        return None
    return question


async def message_locked(
    uow: UnitOfWork, platform: str, message_id: str
) -> tuple[Answer, Question | None] | None:
    """A recorded message of a question's thread, and that question with its row locked
    (None: no such message). The message is read again under the lock: every change to a
    message (deleting it, accepting it, editing it) takes that lock first, so one committed
    while this waited is seen, not the message as it was before."""

    answer = await uow.questions.message(platform, message_id)
    if answer is None:
        return None
    question = await uow.questions.get(answer.question_id, for_update=True)
    if question is not None:
        answer = await uow.questions.message(platform, message_id) or answer
    return answer, question


async def _question_in(uow: UnitOfWork, actor: Actor, thread: ThreadRef) -> Question:
    question = await question_at(uow, actor, thread, for_update=True)
    if question is None:
        raise errors.NotAQuestionThread()
    return question


def may_solve(question: Question, actor: Actor) -> bool:
    """Whether the actor may mark the question solved, reopen or close it now (see
    `_require_may_change`), for adapters offering the form."""

    try:
        _require_may_change(question, actor)
    except errors.DomainError:
        return False
    return True


def _require_may_change(question: Question, actor: Actor) -> None:
    """Accepting, solving, unsolving and closing: only the asker or a moderator, nobody in a
    deleted question, and only moderators in a locked one or one a moderator closed, whose
    decision the asker must not undo (nor move points behind it)."""

    if not (actor.moderates or actor.ref == question.asker.ref):
        raise errors.NotTheAsker()
    _require_writable(question, actor)
    if (
        question.is_closed
        and question.close_reason in (CloseReason.MODERATOR, CloseReason.DUPLICATE)
        and not actor.moderates
    ):
        raise errors.ClosedByModerator()


def _require_writable(question: Question, actor: Actor) -> None:
    """Nobody writes in a deleted question; only moderators and bots in a locked one."""
    if question.is_deleted:
        raise errors.QuestionNotFound()
    if question.is_locked and not actor.is_moderator and not actor.is_bot:
        raise errors.ThreadLocked()


async def _audit_if_moderating(
    uow: UnitOfWork,
    ctx: Context,
    question: Question,
    actor: Member,
    action: str,
    *,
    target: Member | None = None,
    reason: str | None = None,
) -> None:
    """Someone other than the asker accepting, solving, unsolving or closing uses moderator
    powers (points move, or the asker's question changes without them): audited like `/mod`.
    The target defaults to the asker (never named when anonymous, see `audit`)."""

    if actor.id == question.asker.id:
        return
    target = target or question.asker
    await audit(uow, ctx, actor, action, target=target, question=question, reason=reason)


async def ask(cmd: AskQuestion, uow: UnitOfWork, ctx: Context) -> QuestionOpened:
    _require_human(cmd.actor)
    title, body = split_title(cmd.text)
    if is_blank(title):
        raise errors.EmptyQuestion()
    asker = await uow.members.upsert(cmd.actor)
    ban = await uow.moderation.active_helpban(asker.id, ctx.clock.now())
    if ban is not None:
        raise errors.HelpBanned(until=f"{ban.expires_at:%Y-%m-%d %H:%M} UTC")
    question = await uow.questions.add(
        community=cmd.actor.ref.community,
        platform=cmd.actor.ref.platform,
        channel_id=cmd.channel_id,
        message_id=cmd.message_id,
        thread_id=cmd.thread_id,
        asker=asker,
        title=title,
        body=body,
        at=ctx.clock.now(),
        private=cmd.private,
    )
    return QuestionOpened(question)


async def post_message(cmd: PostMessage, uow: UnitOfWork, ctx: Context) -> MessageRecorded:
    question = await question_at(uow, cmd.actor, cmd.thread)
    if question is None or question.is_deleted:
        raise errors.NotAQuestionThread()  # (a deleted question's thread is none any more)
    if cmd.actor.is_bot:
        _require_writable(question, cmd.actor)
        return MessageRecorded(question, None)
    now = ctx.clock.now()
    author = await uow.members.upsert(cmd.actor)
    excerpt = truncate(clean(cmd.text), EXCERPT_CHARS)
    message = await uow.questions.add_message(question.id, author, cmd.message_id, excerpt, now)
    # Checked on the row `touch` returns under its lock, so a lock or delete committed while
    # the message was on its way is seen (the message is rolled back with the refusal).
    question = await uow.questions.touch(question, now)
    if question.is_deleted:
        raise errors.NotAQuestionThread()
    _require_writable(question, cmd.actor)
    answer = message if author.id != question.asker.id else None
    return MessageRecorded(question, answer, author=author)


async def edit_message(cmd: EditMessage, uow: UnitOfWork, ctx: Context) -> MessageEdited:
    """A member's edit reaches what the bot keeps of their message: the question's title and
    body (its asker's own message; an /ask or anonymous question is the bot's post, which no
    member edits) or a recorded message's excerpt. Search sees it when the question is
    solved (`knowledge_base.search_change`). Another member's message, a deleted one, an
    edit that empties the text, or one that changes nothing, changes nothing."""

    nothing = MessageEdited(None)
    ref = cmd.actor.ref
    found = await message_locked(uow, ref.platform, cmd.message_id)
    if found is not None:
        answer, question = found
        # (The author's ref names their community: a message of another community's
        # question, in a channel two workspaces share, is never theirs.)
        if question is None or question.is_deleted or answer.is_deleted or answer.author.ref != ref:
            return nothing
        excerpt = truncate(clean(cmd.text), EXCERPT_CHARS)
        if is_blank(excerpt) or excerpt == answer.excerpt:
            return nothing
        answer = await uow.questions.set_excerpt(answer, excerpt)
        return MessageEdited(question, answer, await _accepted_if_solved(uow, question))
    if cmd.thread is None:
        return nothing
    question = await question_at(uow, cmd.actor, cmd.thread, for_update=True)
    if (
        question is None
        or question.message_id != cmd.message_id
        or question.asker.ref != ref
        or question.anonymous
        or question.is_deleted
    ):
        return nothing
    title, body = split_title(cmd.text)
    if is_blank(title) or (title, body) == (question.title, question.body):
        return nothing
    retitled = title != question.title
    question = await uow.questions.set_text(question, title, body)
    return MessageEdited(
        question, None, await _accepted_if_solved(uow, question), retitled=retitled
    )


async def retitle(cmd: RetitleQuestion, uow: UnitOfWork, ctx: Context) -> MessageEdited:
    """The question's title follows its renamed thread (a forum post), and so does the first
    line of its text (`split_title`: the title is the text's first line), so search finds
    it by the new name. A deleted question, another community's, or a name that changes
    nothing changes nothing."""

    question = await uow.questions.by_thread(cmd.thread, for_update=True)
    if question is None or question.community != cmd.community or question.is_deleted:
        return MessageEdited(None)
    title = split_title(cmd.title)[0]
    if is_blank(title) or title == question.title:
        return MessageEdited(None)
    lines = question.body.splitlines()
    first = next(i for i, line in enumerate(lines) if not is_blank(line))  # (the old title)
    lines[first] = title
    body = split_title("\n".join(lines))[1]
    question = await uow.questions.set_text(question, title, body)
    return MessageEdited(question, None, await _accepted_if_solved(uow, question))


async def _accepted_if_solved(uow: UnitOfWork, question: Question) -> tuple[Answer, ...]:
    if question.status is not QuestionStatus.SOLVED:
        return ()
    return tuple(a.answer for a in await uow.questions.active_acceptances(question.id))


def _refuse_unacceptable(
    question: Question, answer: Answer, actor: Member, active: Sequence[Acceptance]
) -> None:
    """Raise why `actor` may not accept `answer` now (`active`: the question's acceptances)."""

    if answer.author.id == actor.id:
        raise errors.SelfAccept()
    if answer.author.id == question.asker.id or answer.author.is_bot or answer.is_deleted:
        raise errors.NotAnAnswer()
    if any(a.answer.id == answer.id for a in active):
        raise errors.AlreadyAccepted()


async def _accept(
    uow: UnitOfWork,
    ctx: Context,
    question: Question,
    answer: Answer,
    actor: Member,
    event_id: str | None,
    *,
    by_reaction: bool = False,
) -> AnswerAccepted:
    active = await uow.questions.active_acceptances(question.id)
    _refuse_unacceptable(question, answer, actor, active)
    now = ctx.clock.now()
    acceptance = await uow.questions.add_acceptance(
        question.id, answer, actor, now, by_reaction=by_reaction
    )
    await _audit_if_moderating(uow, ctx, question, actor, "accept_answer", target=answer.author)
    rules = ctx.rules(question.community)
    # Lock both members in id order up front, so two crossing accepts (A accepts B's answer
    # while B accepts A's) cannot deadlock on PostgreSQL.
    for member in sorted({answer.author, question.asker}, key=lambda m: m.id):
        await uow.ledger.lock_member(member)
    points: list[PointChange] = []
    if not any(a.answer.author.id == answer.author.id for a in active):
        change = await award(
            uow, rules, question.community, answer.author, rules.accepted_answer,
            LedgerReason.ACCEPTED_ANSWER, now, actor=actor, question_id=question.id,
            acceptance_id=acceptance.id, source_event=event_id,
        )  # fmt: skip
        if change:
            points.append(change)
    if actor.id == question.asker.id and not active:
        change = await award(
            uow, rules, question.community, question.asker, rules.accept_bonus,
            LedgerReason.ACCEPTED_BONUS, now, question_id=question.id,
            acceptance_id=acceptance.id, source_event=event_id,
        )  # fmt: skip
        if change:
            points.append(change)
    newly_solved = question.status is not QuestionStatus.SOLVED
    if newly_solved:
        question = await uow.questions.set_status(question.id, QuestionStatus.SOLVED, solved_at=now)
    accepted = (*(a.answer for a in active), answer)
    return AnswerAccepted(question, (acceptance,), tuple(points), newly_solved, accepted)


async def accept_answer(cmd: AcceptAnswer, uow: UnitOfWork, ctx: Context) -> AnswerAccepted:
    _require_human(cmd.actor)
    found = await message_locked(uow, cmd.actor.ref.platform, cmd.message_id)
    if found is None:
        raise errors.NotAnAnswer()
    answer, question = found
    if question is None:
        raise errors.QuestionNotFound()
    if question.community != cmd.actor.ref.community:
        raise errors.NotAnAnswer()  # a message of another community's question
    actor = await uow.members.upsert(cmd.actor)
    if answer.author.id == actor.id:
        raise errors.SelfAccept()  # clearer than "not the asker" for a helper's own message
    _require_may_change(question, cmd.actor)
    return await _accept(uow, ctx, question, answer, actor, cmd.event_id, by_reaction=cmd.reaction)


def _answer_by(
    question: Question,
    actor: Member,
    answers: Sequence[Answer],
    ref: MemberRef,
    helper: Member | None,
) -> Answer:
    """The latest answer by a helper named in `/solved`; raises why they can't be credited."""

    if helper is None:
        raise errors.UnknownMember(name=ref.id)
    if helper.id == actor.id:
        raise errors.SelfAccept()  # nobody earns points from themselves
    if helper.id == question.asker.id:  # (a moderator naming the asker)
        if question.anonymous:  # saying "they asked it" would name the asker
            raise errors.NoAnswerFromMember(member=helper.display_name)
        raise errors.AskerNotCredited(member=helper.display_name)
    theirs = [a for a in answers if a.author.id == helper.id]
    if not theirs:
        raise errors.NoAnswerFromMember(member=helper.display_name)
    return theirs[-1]


async def _credit_several(
    uow: UnitOfWork,
    ctx: Context,
    question: Question,
    actor: Member,
    answers: Sequence[Answer],
    named: Sequence[MemberRef],
    event_id: str | None,
) -> AnswerAccepted | HelpersNotCredited:
    """Several helpers named at once: each is credited as if named alone, one after the
    other, or refused for the reason they would be alone; one refusal never costs the others
    their credit. Refusals are all found before the first write, so they leave no trace."""

    active = await uow.questions.active_acceptances(question.id)
    chosen: list[Answer] = []
    refused: list[HelperRefused] = []
    seen: set[MemberRef] = set()
    for ref in named:
        helper = await uow.members.find(ref)
        try:
            if ref in seen:
                raise errors.DuplicateHelper()
            seen.add(ref)
            answer = _answer_by(question, actor, answers, ref, helper)
            _refuse_unacceptable(question, answer, actor, active)
        except errors.DomainError as exc:
            refused.append(HelperRefused(helper or Member(0, ref, ref.id), exc))
        else:
            chosen.append(answer)
    if not chosen:
        return HelpersNotCredited(question, tuple(refused))
    # Everyone who may earn points, locked in id order up front (see `_accept`).
    for member in sorted({a.author for a in chosen} | {question.asker}, key=lambda m: m.id):
        await uow.ledger.lock_member(member)
    results: list[AnswerAccepted] = []
    for answer in chosen:
        results.append(await _accept(uow, ctx, question, answer, actor, event_id))
        question = results[-1].question
    return replace(
        results[-1],
        acceptances=tuple(a for r in results for a in r.acceptances),
        points=tuple(p for r in results for p in r.points),
        newly_solved=any(r.newly_solved for r in results),
        refused=tuple(refused),
    )


async def mark_solved(
    cmd: MarkSolved, uow: UnitOfWork, ctx: Context
) -> AnswerAccepted | HelpersNotCredited | HelperChoiceNeeded | SolvedWithoutHelper:
    _require_human(cmd.actor)
    question = await _question_in(uow, cmd.actor, cmd.thread)
    actor = await uow.members.upsert(cmd.actor)
    _require_may_change(question, cmd.actor)
    answers = await uow.questions.answers(question.id)
    named = cmd.helpers
    if len(named) == 1:
        helper = await uow.members.find(named[0])
        if helper is not None and helper.id == actor.id == question.asker.id:
            return await _solved_alone(uow, ctx, question, actor, alone=True)  # "/solved @me"
        answer = _answer_by(question, actor, answers, named[0], helper)
        return await _accept(uow, ctx, question, answer, actor, cmd.event_id)
    if named:
        return await _credit_several(uow, ctx, question, actor, answers, named, cmd.event_id)
    credited = {a.answer.author.id for a in await uow.questions.active_acceptances(question.id)}
    latest: dict[int, Answer] = {}
    for answer in answers:
        if not answer.author.is_bot and answer.author.id not in credited:
            latest[answer.author.id] = answer
    if actor.id in latest and actor.id != question.asker.id:
        del latest[actor.id]  # a moderator who answered can't credit themselves
    if len(latest) == 1:
        return await _accept(uow, ctx, question, next(iter(latest.values())), actor, cmd.event_id)
    if len(latest) > 1:
        return HelperChoiceNeeded(question, tuple(a.author for a in latest.values()))
    return await _solved_alone(uow, ctx, question, actor)


async def _solved_alone(
    uow: UnitOfWork, ctx: Context, question: Question, actor: Member, *, alone: bool = False
) -> SolvedWithoutHelper:
    """Solved with nobody credited: nobody else answered, or the asker names themselves
    (they found the fix on their own, whoever else posted)."""

    if question.status is QuestionStatus.SOLVED:
        raise errors.AlreadySolved() if alone else errors.AlreadyAccepted()
    question = await uow.questions.set_status(
        question.id, QuestionStatus.SOLVED, solved_at=ctx.clock.now()
    )
    await _audit_if_moderating(uow, ctx, question, actor, "mark_solved")
    return SolvedWithoutHelper(question, alone=alone)


async def solve_with_suggestion(
    cmd: SolveWithSuggestion, uow: UnitOfWork, ctx: Context
) -> SolvedWithoutHelper:
    _require_human(cmd.actor)
    question = await _question_in(uow, cmd.actor, cmd.thread)
    _require_may_change(question, cmd.actor)
    if question.status is QuestionStatus.SOLVED:
        raise errors.AlreadySolved()
    actor = await uow.members.upsert(cmd.actor)
    question = await uow.questions.set_status(
        question.id, QuestionStatus.SOLVED, solved_at=ctx.clock.now()
    )
    await _audit_if_moderating(uow, ctx, question, actor, "mark_solved")
    return SolvedWithoutHelper(question, suggestion_id=cmd.suggestion_id[:100])


async def unaccept_answer(cmd: UnacceptAnswer, uow: UnitOfWork, ctx: Context) -> AnswerUnaccepted:
    """Take back one acceptance and its points (`reputation.take_back`): the asker or a
    moderator, as for accepting. With no accepted answer left the question is open again,
    as after `/unsolve`. A removed ✅ (`cmd.reaction`) takes back only the mark its member
    made with a ✅."""

    _require_human(cmd.actor)
    found = await message_locked(uow, cmd.actor.ref.platform, cmd.message_id)
    if found is None:
        raise errors.NotAccepted()
    answer, question = found
    if question is None or question.community != cmd.actor.ref.community:
        raise errors.NotAccepted()  # (a message of another community's question)
    actor = await uow.members.upsert(cmd.actor)
    _require_may_change(question, cmd.actor)
    active = [
        a
        for a in await uow.questions.active_acceptances(question.id)
        if a.answer.id == answer.id
        and (not cmd.reaction or (a.by_reaction and a.accepted_by.id == actor.id))
    ]
    if not active:
        raise errors.NotAccepted()
    now = ctx.clock.now()
    taken = await take_back(uow, question, answer, now, actor=actor, source_event=cmd.event_id)
    assert taken is not None  # (`active` holds its acceptance, under the question's lock)
    remaining, changes = taken
    if not remaining:
        question = await uow.questions.set_status(question.id, QuestionStatus.OPEN)
    await _audit_if_moderating(uow, ctx, question, actor, "unaccept", target=answer.author)
    return AnswerUnaccepted(question, answer, tuple(a.answer for a in remaining), tuple(changes))


async def unsolve(cmd: Unsolve, uow: UnitOfWork, ctx: Context) -> QuestionReopened:
    _require_human(cmd.actor)
    question = await _question_in(uow, cmd.actor, cmd.thread)
    actor = await uow.members.upsert(cmd.actor)
    _require_may_change(question, cmd.actor)
    if question.status is not QuestionStatus.SOLVED:
        raise errors.NotSolved()
    now = ctx.clock.now()
    revoked = await uow.questions.revoke_acceptances(question.id, now)
    entries = await uow.ledger.unreversed_for_acceptances([a.id for a in revoked])
    members = {a.answer.author.id: a.answer.author for a in revoked}
    members[question.asker.id] = question.asker
    changes = await reverse(
        uow, question.community, entries, members, now, actor=actor, source_event=cmd.event_id
    )
    question = await uow.questions.set_status(question.id, QuestionStatus.OPEN)
    await _audit_if_moderating(uow, ctx, question, actor, "unsolve")
    return QuestionReopened(question, tuple(changes))


async def close(cmd: CloseQuestion, uow: UnitOfWork, ctx: Context) -> QuestionClosed:
    _require_human(cmd.actor)
    question = await _question_in(uow, cmd.actor, cmd.thread)
    actor = await uow.members.upsert(cmd.actor)
    _require_may_change(question, cmd.actor)
    if question.is_closed:
        raise errors.AlreadyClosed()
    reason = CloseReason.ASKER if actor.id == question.asker.id else CloseReason.MODERATOR
    note = truncate(clean(cmd.reason), 200) if cmd.reason and not is_blank(cmd.reason) else None
    status = (
        QuestionStatus.SOLVED if question.status is QuestionStatus.SOLVED else QuestionStatus.CLOSED
    )
    question = await uow.questions.set_status(
        question.id,
        status,
        solved_at=question.solved_at,
        closed_at=ctx.clock.now(),
        close_reason=reason,
        close_note=note,
    )
    await _audit_if_moderating(uow, ctx, question, actor, "question_close", reason=note)
    return QuestionClosed(question, reason)


async def show_reputation(cmd: ShowReputation, uow: UnitOfWork, ctx: Context) -> ReputationShown:
    ref = cmd.member or cmd.actor.ref
    ledger_ids = cmd.actor.moderates  # the ids `/mod rep revert` takes
    member = await uow.members.find(ref)
    if member is None:
        # Reads never write: a member we have not seen yet simply has nothing, if we know
        # they exist (the actor, or a member the platform vouched for by name).
        name = cmd.actor.display_name if ref == cmd.actor.ref else cmd.member_name
        if name is None:
            raise errors.UnknownMember(name=ref.id)
        return ReputationShown(Standing(Member(0, ref, name), 0, 0, None), ledger_ids)
    rules = ctx.rules(member.ref.community)
    return ReputationShown(
        await uow.ledger.standing(
            member, recent=5, exclude_moderators=rules.exclude_moderators_from_leaderboard
        ),
        ledger_ids,
    )


async def show_leaderboard(cmd: ShowLeaderboard, uow: UnitOfWork, ctx: Context) -> LeaderboardShown:
    community = cmd.actor.ref.community
    rules = ctx.rules(community)
    rows = await uow.ledger.leaderboard(
        community,
        since=period_start(cmd.period, ctx.clock.now()),
        limit=rules.leaderboard_size,
        exclude_moderators=rules.exclude_moderators_from_leaderboard,
    )
    return LeaderboardShown(cmd.period, tuple(rows))


async def list_my_questions(cmd: ListMyQuestions, uow: UnitOfWork, ctx: Context) -> QuestionsListed:
    member = await uow.members.find(cmd.actor.ref)
    if member is None:
        return QuestionsListed(())
    return QuestionsListed(tuple(await uow.questions.open_by_asker(member.id, limit=10)))


async def show_question(cmd: ShowQuestion, uow: UnitOfWork, ctx: Context) -> QuestionShown:
    if cmd.thread is not None:
        question = await question_at(uow, cmd.actor, cmd.thread)
        if question is None:
            raise errors.NotAQuestionThread()
    elif cmd.question_id is not None:
        question = await uow.questions.get(cmd.question_id)
    else:
        raise errors.QuestionNotFound()
    if question is None or question.community != cmd.actor.ref.community:
        raise errors.QuestionNotFound()
    if question.is_deleted and not cmd.actor.moderates:
        raise errors.QuestionNotFound()  # soft-deleted: only moderators still see it
    if (
        question.private
        # By its thread: the member is in it (Discord), or resolving a link to act on it
        # (Slack's /close <link>); a display by link goes by number (adapters.slack.knowledge).
        and cmd.thread is None
        and not cmd.actor.moderates
        and cmd.actor.ref != question.asker.ref
    ):
        raise errors.QuestionNotFound()  # it stays in its private channel
    answers = await uow.questions.answers(question.id)
    accepted = await uow.questions.active_acceptances(question.id)
    return QuestionShown(
        question, tuple(answers), tuple(accepted), may_solve=may_solve(question, cmd.actor)
    )


READS = {
    ShowReputation: show_reputation,
    ShowLeaderboard: show_leaderboard,
    ListMyQuestions: list_my_questions,
    ShowQuestion: show_question,
}
WRITES = {
    AskQuestion: ask,
    PostMessage: post_message,
    EditMessage: edit_message,
    RetitleQuestion: retitle,
    AcceptAnswer: accept_answer,
    UnacceptAnswer: unaccept_answer,
    MarkSolved: mark_solved,
    SolveWithSuggestion: solve_with_suggestion,
    Unsolve: unsolve,
    CloseQuestion: close,
}
