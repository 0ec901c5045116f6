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

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

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


@dataclass(frozen=True, slots=True)
class Acceptance:
    id: int
    question_id: int
    answer: Answer
    accepted_by: Member
    created_at: datetime


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
