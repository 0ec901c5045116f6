"""What the community's things ARE, independent of any platform or database.

Platform ids enter the core only inside these small value objects; raw payloads stay in the
adapters. Records returned by the storage layer are plain frozen dataclasses, so nothing here
lazily loads from a database behind the caller's back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MemberRef:
    """One member's identity on one platform, inside one community (config key).

    `person` linking (one human with a Discord and a Slack identity) is a later feature; the
    storage keeps a nullable person id so totals can be merged without changing this type.
    """

    platform: str
    community: str
    id: str


@dataclass(frozen=True, slots=True)
class Actor:
    """The member doing something, with what the adapter knows about them right now."""

    ref: MemberRef
    display_name: str
    is_moderator: bool = False
    is_bot: bool = False

    @property
    def moderates(self) -> bool:
        """May use moderator powers: a moderator, and not a bot (a bot's role never counts)."""
        return self.is_moderator and not self.is_bot


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """Where a question's conversation happens: a Discord thread / forum post, a Slack
    thread (channel + root ts), or a console thread."""

    platform: str
    id: str


class QuestionStatus(enum.StrEnum):
    OPEN = "open"
    SOLVED = "solved"
    CLOSED = "closed"


class CloseReason(enum.StrEnum):
    ASKER = "asker"
    SOLVED = "solved"
    DORMANT = "dormant"
    MODERATOR = "moderator"
    DUPLICATE = "duplicate"


class DeleteKind(enum.StrEnum):
    """How a question came to be deleted, which decides whether a moderator can restore it."""

    MODERATOR = "moderator"  # `/mod delete`: hidden, its messages untouched; restorable
    REPORT = "report"  # a report resolved by deleting its opening message on the platform
    PLATFORM = "platform"  # its opening message, thread or channel deleted on the platform


class LedgerReason(enum.StrEnum):
    ACCEPTED_ANSWER = "accepted_answer"
    ACCEPTED_BONUS = "accepted_bonus"
    THANKS = "thanks"
    MANUAL = "manual"
    REVERSAL = "reversal"


class Period(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    ref: MemberRef
    display_name: str
    is_bot: bool = False
    is_moderator: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    community: str
    platform: str
    channel_id: str
    message_id: str
    thread_id: str | None
    asker: Member
    title: str
    body: str
    status: QuestionStatus
    created_at: datetime
    last_activity_at: datetime
    solved_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    close_note: str | None = None
    # Posted through the bot without the asker's name; only moderators may look it up.
    anonymous: bool = False
    locked_at: datetime | None = None
    deleted_at: datetime | None = None
    delete_kind: DeleteKind | None = None  # set with `deleted_at`
    # Asked in a channel not every member of the community can see (a Slack private channel,
    # a Discord channel hidden from @everyone): it stays there. Never in search, suggestions
    # or `/kb show #N` for others; its asker and moderators still look it up by number.
    private: bool = False

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_deleted(self) -> bool:
        """Soft-deleted by a moderator: hidden from every listing and search, kept for audit."""
        return self.deleted_at is not None

    @property
    def thread(self) -> ThreadRef | None:
        return ThreadRef(self.platform, self.thread_id) if self.thread_id else None


@dataclass(frozen=True, slots=True)
class Answer:
    """A recorded message in a question's thread; an answer when its author is not the asker."""

    id: int
    question_id: int
    author: Member
    message_id: str
    excerpt: str
    created_at: datetime
    # Deleted by a moderator (a report resolved by deleting it): kept for the record and the
    # ledger, but no longer an answer anyone can accept, credit, list or quote.
    deleted_at: datetime | None = None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True, slots=True)
class Acceptance:
    id: int
    question_id: int
    answer: Answer
    accepted_by: Member
    created_at: datetime
    by_reaction: bool = False  # marked with a ✅ (which, removed, takes it back)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    member_id: int
    delta: int
    reason: LedgerReason
    created_at: datetime
    question_id: int | None = None
    acceptance_id: int | None = None
    source_event: str | None = None
    reverses_id: int | None = None
    note: str | None = None
    actor_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewLedgerEntry:
    """A ledger row the core wants written (the id is the database's business)."""

    member_id: int
    delta: int
    reason: LedgerReason
    actor_id: int | None = None
    question_id: int | None = None
    acceptance_id: int | None = None
    source_event: str | None = None
    reverses_id: int | None = None
    note: str | None = None
    capped: bool = True
    accepted_delta: int = 0


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's derived reputation: the cached totals plus rank."""

    member: Member
    points: int
    accepted_count: int
    rank: int | None
    recent: tuple[LedgerEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    rank: int
    member: Member
    points: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A similar solved question or knowledge-base article shown when a question opens."""

    id: str
    title: str
    kind: str
    score: float
    url: str | None = None


# -- moderation, thanks and reports -----------------------------------------------------


class AuditOutcome(enum.StrEnum):
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class NewAuditEntry:
    """One moderator action (or a refused attempt at one) for the append-only audit log."""

    community: str
    actor_id: int | None
    action: str
    outcome: AuditOutcome = AuditOutcome.DONE
    target_member_id: int | None = None
    # The row's target is the question's anonymous asker, left out (so `target_member_id`
    # is None): it had one all the same.
    target_hidden: bool = False
    question_id: int | None = None
    ledger_id: int | None = None
    report_id: int | None = None
    reason: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log as moderators read it. No `actor`: the bot itself when the
    row names no question, else the question's anonymous asker, left out (bot.audit). No
    `target`: none, or with `target_hidden`, that asker, left out too."""

    id: int
    actor: Member | None
    action: str
    outcome: AuditOutcome
    created_at: datetime
    target: Member | None = None
    target_hidden: bool = False
    question_id: int | None = None
    ledger_id: int | None = None
    report_id: int | None = None
    reason: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class HelpBan:
    id: int
    member_id: int
    expires_at: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PointFlow:
    """Points one member caused another to earn (thanks, accepted answers) in a window."""

    giver_id: int
    receiver_id: int
    points: int


@dataclass(frozen=True, slots=True)
class SuspiciousPair:
    """Two members who each got an unusual share of their points from the other."""

    first: Member
    second: Member
    first_to_second: int
    second_received: int
    second_to_first: int
    first_received: int

    @property
    def share_to_second(self) -> float:
        return self.first_to_second / self.second_received if self.second_received else 0.0

    @property
    def share_to_first(self) -> float:
        return self.second_to_first / self.first_received if self.first_received else 0.0


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    DELETED = "deleted"
    WARNED = "warned"


#: The word a moderator types or clicks to resolve a report, on every platform.
REPORT_OUTCOMES: dict[str, ReportStatus] = {
    "dismiss": ReportStatus.DISMISSED,
    "delete": ReportStatus.DELETED,
    "warn": ReportStatus.WARNED,
}


@dataclass(frozen=True, slots=True)
class Report:
    """A member's flag on a message. `reporter` is for storage and rate limits only: it is
    never shown to the reported author (nor put in the moderators' channel post)."""

    id: int
    community: str
    platform: str
    reporter_id: int
    author: Member | None
    channel_id: str
    message_id: str
    excerpt: str
    reason: str
    status: ReportStatus
    created_at: datetime
    question_id: int | None = None
    resolved_by_id: int | None = None
    resolved_at: datetime | None = None
    # Where the report's post in the moderators' channel is, as the platform's sender
    # recorded it (`RecordReportPost`), so it can be marked handled however it is resolved.
    post_ref: str | None = None
