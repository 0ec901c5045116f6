"""Commands: what a member asks the core to do (imperative, frozen).

Adapters build these from platform events. `event_id` is the platform's id for the inbound
event (Slack event_id, Discord interaction or message id); the core processes each at most
once. Commands that only read have no event id.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.model import Actor, MemberRef, Period, ReportStatus, ThreadRef


@dataclass(frozen=True, slots=True)
class AskQuestion:
    actor: Actor
    channel_id: str
    message_id: str
    text: str
    event_id: str | None = None
    thread_id: str | None = None
    anonymous: bool = False
    # The channel is not visible to every member of the community (see `Question.private`).
    private: bool = False


@dataclass(frozen=True, slots=True)
class PostMessage:
    """A message in a thread; an answer when the author is not the asker."""

    actor: Actor
    thread: ThreadRef
    message_id: str
    text: str
    event_id: str | None = None
    # Members the message @-mentions (a thanks credits them rather than guessing).
    mentions: tuple[MemberRef, ...] = ()


@dataclass(frozen=True, slots=True)
class EditMessage:
    """A member edited a message of theirs: a question's own message (its new text becomes
    the question's title and body) or a recorded answer (its excerpt). Anything else, and
    another member's message, changes nothing."""

    actor: Actor
    message_id: str
    text: str
    # The question's thread, to find a question by its message (answers are found by id).
    thread: ThreadRef | None = None


@dataclass(frozen=True, slots=True)
class RetitleQuestion:
    """A question whose title is its thread's name (a Discord forum post) was renamed on the
    platform, by its asker or a moderator there (the platform does not say who): the
    question's title follows, and the first line of its text, which is the title."""

    community: str
    thread: ThreadRef
    title: str


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    """A message was deleted on the platform: by its author, or by someone the platform lets
    delete it (neither platform says who). The question it opened is deleted with it; an
    answer is no answer any more (an acceptance of it is taken back with its points). Any
    other message, or one already deleted, changes nothing.

    No actor and no event id: the deletion is nobody the bot knows acting, and applying it
    twice changes nothing."""

    platform: str
    community: str
    message_id: str


@dataclass(frozen=True, slots=True)
class DeleteThread:
    """A whole thread (a Discord thread or forum post) was deleted on the platform: its
    question goes with it, as with `DeleteMessage` on its opening message."""

    community: str
    thread: ThreadRef


@dataclass(frozen=True, slots=True)
class DeleteChannel:
    """A help channel was deleted on the platform, and every thread in it with it: its first
    question (by id) after `after` goes, as with `DeleteThread`. Repeated with the id of the
    question each returns until none does (`bot.deletions.delete_channel`), one question a
    transaction, so a channel of thousands of questions never holds a long lock and a
    failure part-way loses nothing already done."""

    platform: str
    community: str
    channel_id: str
    after: int = 0


@dataclass(frozen=True, slots=True)
class AcceptAnswer:
    """Mark one message (by its platform message id) as a solution. `reaction`: with a ✅
    reaction, which removed takes this mark back (`UnacceptAnswer`)."""

    actor: Actor
    message_id: str
    event_id: str | None = None
    reaction: bool = False


@dataclass(frozen=True, slots=True)
class UnacceptAnswer:
    """Take back the acceptance of one answer (by its platform message id): the asker or a
    moderator changed their mind. Its points go back; the question stays solved by its
    other accepted answers, or with none left is open again, as after `/unsolve`.

    `reaction`: the ✅ reaction was removed from the answer. It takes back only the mark
    that member made with a ✅ (`AcceptAnswer.reaction`), so removing a ✅ that marked
    nothing (one added to an answer already marked, by them in another way or by someone
    else) takes no mark away."""

    actor: Actor
    message_id: str
    event_id: str | None = None
    reaction: bool = False


@dataclass(frozen=True, slots=True)
class MarkSolved:
    """`/solved [member]` inside a question thread, or several helpers at once (Slack's modal).

    No helper named: the core picks the one who answered, or asks which. One named helper who
    can't be credited is a refusal, raised. Several are each credited or refused on their own
    in one transaction, so one refusal doesn't lose the others' credit; the one result says
    which and why (`AnswerAccepted.refused`, or `HelpersNotCredited` when none could be).
    """

    actor: Actor
    thread: ThreadRef
    helpers: tuple[MemberRef, ...] = ()
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class SolveWithSuggestion:
    """ "This solved it" on a suggested article or solved question: solved, nobody credited."""

    actor: Actor
    thread: ThreadRef
    suggestion_id: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Unsolve:
    actor: Actor
    thread: ThreadRef
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class CloseQuestion:
    actor: Actor
    thread: ThreadRef
    reason: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ShowReputation:
    actor: Actor
    member: MemberRef | None = None
    # Set when the platform vouches that `member` exists (Discord's member option, a Slack
    # mention): a member the bot has not seen yet then has no points, rather than unknown.
    member_name: str | None = None


@dataclass(frozen=True, slots=True)
class ShowLeaderboard:
    actor: Actor
    period: Period = Period.ALL


@dataclass(frozen=True, slots=True)
class ListMyQuestions:
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowQuestion:
    """One question with its answers, by number or by its thread."""

    actor: Actor
    question_id: int | None = None
    thread: ThreadRef | None = None


@dataclass(frozen=True, slots=True)
class ShowGuidelines:
    """`/guidelines`: the help channel's rules (`channel_id` None: the community's default)."""

    actor: Actor
    channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class RevealAsker:
    """Moderators only, and audited: who asked an anonymous question."""

    actor: Actor
    question_id: int
    reason: str | None = None
    event_id: str | None = None


# -- thanks, reports and moderation ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThankMember:
    """`/thanks @member`: inside a question thread it is tied to that question."""

    actor: Actor
    member: MemberRef | Actor
    thread: ThreadRef | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReportMessage:
    """ "Report to moderators" on a message. The adapter passes what the platform told it
    about the message (author, text); any member may report, at a limited rate."""

    actor: Actor
    channel_id: str
    message_id: str
    reason: str
    author: Actor | None = None
    excerpt: str = ""
    thread: ThreadRef | None = None
    event_id: str | None = None


class QuestionAction(enum.StrEnum):
    LOCK = "lock"
    UNLOCK = "unlock"
    REOPEN = "reopen"
    CLOSE = "close"
    DUPLICATE = "duplicate"
    DELETE = "delete"
    RESTORE = "restore"  # undo a `delete`


@dataclass(frozen=True, slots=True)
class ModerateQuestion:
    """`/mod lock|unlock|reopen|close|duplicate|delete|restore`, on the current thread or a question
    by number. `duplicate_of` is "#12" / "12" for a question, anything else an article id."""

    actor: Actor
    action: QuestionAction
    thread: ThreadRef | None = None
    question_id: int | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class NotDuplicate:
    """The asker says their question, closed as a duplicate, is not one: it opens again."""

    actor: Actor
    thread: ThreadRef
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class AdjustReputation:
    """`/mod rep add|remove <member> <points> <reason>`; `points` is signed."""

    actor: Actor
    member: MemberRef | Actor
    points: int
    reason: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class RevertLedgerEntry:
    """`/mod rep revert <ledger id>`."""

    actor: Actor
    entry_id: int
    reason: str | None = None
    event_id: str | None = None


class FlowDirection(enum.StrEnum):
    GIVEN = "given"
    RECEIVED = "received"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class RevertPeriod:
    """Revert every point a member received and/or caused others to earn in [since, until)."""

    actor: Actor
    member: MemberRef
    direction: FlowDirection
    since: datetime
    until: datetime | None = None
    reason: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ShowSuspiciousPairs:
    actor: Actor


@dataclass(frozen=True, slots=True)
class HelpBanMember:
    """No new questions and no points until the ban expires."""

    actor: Actor
    member: MemberRef | Actor
    duration: str  # as the moderator typed it ("7d", "12h", "1d12h", "3"): the core reads it
    reason: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class WarnMember:
    actor: Actor
    member: MemberRef | Actor
    reason: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ShowAudit:
    """The last moderator actions, optionally about one member or one question."""

    actor: Actor
    member: MemberRef | None = None
    question_id: int | None = None


@dataclass(frozen=True, slots=True)
class ResolveReport:
    """A moderator's answer to a report: dismiss it, delete the message, or warn its author."""

    actor: Actor
    report_id: int
    outcome: ReportStatus
    reason: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ListReports:
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowModeratorHelp:
    """`/mod help`: the moderator commands, for moderators only. The list itself is each
    adapter's (its own syntax); the core decides who may see it and audits a refusal."""

    actor: Actor


ModerationCommand = (
    ThankMember
    | ReportMessage
    | ModerateQuestion
    | NotDuplicate
    | AdjustReputation
    | RevertLedgerEntry
    | RevertPeriod
    | ShowSuspiciousPairs
    | HelpBanMember
    | WarnMember
    | ShowAudit
    | ResolveReport
    | ListReports
    | ShowModeratorHelp
)

Command = (
    ModerationCommand
    | AskQuestion
    | ShowGuidelines
    | RevealAsker
    | PostMessage
    | EditMessage
    | RetitleQuestion
    | DeleteMessage
    | DeleteThread
    | DeleteChannel
    | AcceptAnswer
    | UnacceptAnswer
    | MarkSolved
    | SolveWithSuggestion
    | Unsolve
    | CloseQuestion
    | ShowReputation
    | ShowLeaderboard
    | ListMyQuestions
    | ShowQuestion
)
