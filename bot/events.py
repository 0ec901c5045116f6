"""Events: what happened (past tense, frozen). Handlers return them; adapters render them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import DomainError
from bot.model import (
    Acceptance,
    Answer,
    AuditEntry,
    HelpBan,
    LeaderboardRow,
    LedgerReason,
    Member,
    Period,
    Question,
    Report,
    ReportStatus,
    Standing,
    Suggestion,
    SuspiciousPair,
)
from bot.outbound import Outbound


@dataclass(frozen=True, slots=True)
class PointChange:
    member: Member
    delta: int
    reason: LedgerReason
    total: int
    entry_id: int


@dataclass(frozen=True, slots=True)
class Welcome:
    """A member's first message in a help channel: greet them privately with its guidelines.
    `message` is the community's own greeting (None: the catalog's)."""

    member: Member
    channel_id: str
    guidelines: str | None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class QuestionOpened:
    question: Question
    suggestions: tuple[Suggestion, ...] = ()
    welcome: Welcome | None = None


@dataclass(frozen=True, slots=True)
class MessageEdited:
    """What a member's edit changed: the question's text (`answer` None) or an answer's
    excerpt; `question` None when it changed nothing the bot keeps. `accepted` is the
    solved question's accepted answers (search shows them), else empty."""

    question: Question | None
    answer: Answer | None = None
    accepted: tuple[Answer, ...] = ()
    # The question's title changed (not only its body): a thread named after it follows.
    retitled: bool = False


@dataclass(frozen=True, slots=True)
class DeletedOnPlatform:
    """What a deletion on the platform changed: the question it opened, now deleted (its
    thread is told and closed, `outbound`), or an answer no longer one (`withdrawn`: the
    acceptance it lost and the points that went with it). Both None: nothing the bot keeps."""

    question: Question | None = None
    withdrawn: AnswerWithdrawn | None = None
    outbound: tuple[Outbound, ...] = ()
    # Open reports on what was deleted, resolved with it (their posts are marked handled).
    reports: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageRecorded:
    """A message in a question thread; `answer` is set when it counts as an answer."""

    question: Question
    answer: Answer | None
    # Who wrote it (None for bots), so later rules need not look the member up again.
    author: Member | None = None
    # Thanks the message gave (credited or not), for the adapter's quiet offer to accept.
    thanks: tuple[ThanksGiven, ...] = ()
    welcome: Welcome | None = None
    # The asker wrote in their dormant-closed question, which opened it again.
    reopened: bool = False


@dataclass(frozen=True, slots=True)
class HelperRefused:
    """A helper named in `/solved` alongside others who got no credit, and why: the error a
    lone named helper would get (`SelfAccept` for the asker, `AlreadyAccepted`, ...).
    `member` has id 0 when the bot has never seen them (`UnknownMember`)."""

    member: Member
    reason: DomainError


@dataclass(frozen=True, slots=True)
class AnswerAccepted:
    question: Question
    acceptances: tuple[Acceptance, ...]
    points: tuple[PointChange, ...]
    newly_solved: bool
    # Every answer accepted on the question now, this one included (for the knowledge base).
    accepted_answers: tuple[Answer, ...] = ()
    # Helpers named with the credited ones who were not credited (`MarkSolved.helpers`).
    refused: tuple[HelperRefused, ...] = ()


@dataclass(frozen=True, slots=True)
class HelpersNotCredited:
    """`/solved` named several helpers and none could be credited: nothing changed."""

    question: Question
    refused: tuple[HelperRefused, ...]


@dataclass(frozen=True, slots=True)
class SolvedWithoutHelper:
    """Solved with nobody credited: `/solved` when nobody else answered, the asker naming
    themselves (`alone`: they solved it on their own, whoever else posted), or a suggestion
    (`suggestion_id`) that answered it."""

    question: Question
    suggestion_id: str | None = None
    alone: bool = False


@dataclass(frozen=True, slots=True)
class HelperChoiceNeeded:
    """`/solved` with several helpers and none named: the adapter shows a picker."""

    question: Question
    candidates: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class QuestionReopened:
    question: Question
    points: tuple[PointChange, ...]


@dataclass(frozen=True, slots=True)
class AnswerUnaccepted:
    """One acceptance taken back (`UnacceptAnswer`). `points` are the ledger rows written:
    the reversals, then what an acceptance that stands carries on (`reputation.take_back`);
    `accepted` the answers still accepted. With none left the question is open again
    (`reopened`), as after `/unsolve`."""

    question: Question
    answer: Answer
    accepted: tuple[Answer, ...]
    points: tuple[PointChange, ...]

    @property
    def reopened(self) -> bool:
        return not self.accepted


@dataclass(frozen=True, slots=True)
class QuestionClosed:
    question: Question
    reason: str


@dataclass(frozen=True, slots=True)
class ReputationShown:
    standing: Standing
    # Whether to show each recent change's ledger id (the id `/mod rep revert` takes):
    # for moderators only, so adapters render it without restating the rule.
    ledger_ids: bool = False


@dataclass(frozen=True, slots=True)
class LeaderboardShown:
    period: Period
    rows: tuple[LeaderboardRow, ...]


@dataclass(frozen=True, slots=True)
class QuestionShown:
    question: Question
    answers: tuple[Answer, ...]
    accepted: tuple[Acceptance, ...]
    # Whether the member who asked to see it may mark it solved (the asker or a moderator),
    # so adapters can offer or refuse the form without restating the rule.
    may_solve: bool = False


@dataclass(frozen=True, slots=True)
class QuestionsListed:
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class GuidelinesShown:
    channel_id: str | None
    guidelines: str | None


@dataclass(frozen=True, slots=True)
class AskerRevealed:
    question: Question
    asker: Member


# -- thanks, reports and moderation ----------------------------------------------------
# `outbound`: messages the service sends once the change is committed (a private note to a
# thanked or warned member, a report in the moderators' channel, a thread lock).


@dataclass(frozen=True, slots=True)
class ThanksGiven:
    """One member thanked another. `change` is None when no points were earned and
    `withheld` then says why (a catalog key suffix: self, bot, limit_hourly, ...).
    `offer_solution` is the receiver's latest answer when the asker thanked them and the
    question is not solved yet: adapters offer, quietly, to mark it as the solution."""

    giver: Member
    receiver: Member
    question: Question | None
    change: PointChange | None
    withheld: str | None = None
    offer_solution: Answer | None = None
    outbound: tuple[Outbound, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportFiled:
    """Told to the reporter only. `delivered` is False when no moderators' channel is set."""

    report: Report
    delivered: bool
    outbound: tuple[Outbound, ...] = ()


@dataclass(frozen=True, slots=True)
class MemberWarned:
    member: Member
    reason: str
    count: int
    outbound: tuple[Outbound, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswerWithdrawn:
    """An accepted answer deleted (through a report, or on the platform): its acceptance is
    revoked and its points reversed; `accepted` are the question's answers still accepted.
    `points` are the ledger rows written: the reversals, then what an acceptance that
    stands earns again (the helper's credit, the asker's bonus; see
    `moderation.withdraw_answer`). `reopened`: nothing solves the question any more, so it
    is open again, and `outbound` tells its thread and makes it look open."""

    question: Question
    accepted: tuple[Answer, ...]
    points: tuple[PointChange, ...] = ()
    reopened: bool = False
    outbound: tuple[Outbound, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportResolved:
    """`delete_message` (channel id, message id) asks the adapter to remove the message on
    its platform; a reported question is soft-deleted in the core as well."""

    report: Report
    outcome: ReportStatus
    warned: MemberWarned | None = None
    delete_message: tuple[str, str] | None = None
    question: Question | None = None
    outbound: tuple[Outbound, ...] = ()
    withdrawn: AnswerWithdrawn | None = None
    # A knowledge-base article promoted from the thread (its doc id, "a:..."), when the
    # deleted message may be quoted in it: the moderator is told to check it.
    quoted_in: str | None = None
    # The moderator who resolved it asked the report's question anonymously: other
    # moderators are not told who resolved it (the audit log leaves them out too), or they
    # would learn who asked. See `ModerationPresenter.resolver`.
    resolver_hidden: bool = False
    # Other open reports on the same message, resolved with it when it was deleted.
    also_resolved: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportsListed:
    reports: tuple[Report, ...]


@dataclass(frozen=True, slots=True)
class QuestionModerated:
    """`action` is a `QuestionAction` value, or "not_duplicate" when the asker objected.
    A restored solved question carries its accepted answers (`accepted`): it is found by
    their words again."""

    question: Question
    action: str
    reason: str | None = None
    outbound: tuple[Outbound, ...] = ()
    accepted: tuple[Answer, ...] = ()


@dataclass(frozen=True, slots=True)
class PointsChanged:
    """A moderator adjustment or revert. Each change carries the member's new total, so
    adapters can update reward roles; `skipped` counts rows that were already reverted."""

    action: str
    changes: tuple[PointChange, ...]
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class MemberHelpBanned:
    member: Member
    ban: HelpBan
    outbound: tuple[Outbound, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditShown:
    """The audit log's latest rows; `filtered`: only those about one member or question."""

    entries: tuple[AuditEntry, ...]
    filtered: bool = False


@dataclass(frozen=True, slots=True)
class SuspiciousPairsShown:
    pairs: tuple[SuspiciousPair, ...]
    since: datetime


@dataclass(frozen=True, slots=True)
class ModeratorHelpShown:
    """The actor may see the moderator commands; the adapter lists them in its own syntax."""


ModerationResult = (
    ThanksGiven
    | ReportFiled
    | MemberWarned
    | ReportResolved
    | ReportsListed
    | QuestionModerated
    | PointsChanged
    | MemberHelpBanned
    | AuditShown
    | SuspiciousPairsShown
    | ModeratorHelpShown
)

Result = (
    ModerationResult
    | QuestionOpened
    | GuidelinesShown
    | AskerRevealed
    | MessageRecorded
    | MessageEdited
    | DeletedOnPlatform
    | AnswerAccepted
    | HelpersNotCredited
    | SolvedWithoutHelper
    | HelperChoiceNeeded
    | QuestionReopened
    | AnswerUnaccepted
    | QuestionClosed
    | ReputationShown
    | LeaderboardShown
    | QuestionsListed
    | QuestionShown
)
