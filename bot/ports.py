"""The interfaces the core needs from the outside world, as Protocols.

The core depends on these shapes only; `storage/` and `knowledge/` implement them and the
composition root (`bot.bootstrap`) plugs the implementations in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.model import (
    Acceptance,
    Actor,
    Answer,
    LeaderboardRow,
    LedgerEntry,
    Member,
    MemberRef,
    NewLedgerEntry,
    Question,
    QuestionStatus,
    Standing,
    Suggestion,
    ThreadRef,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class MemberRepository(Protocol):
    async def upsert(self, actor: Actor) -> Member: ...
    async def find(self, ref: MemberRef) -> Member | None: ...
    async def find_by_name(self, community: str, platform: str, name: str) -> Member | None: ...


class QuestionRepository(Protocol):
    async def add(
        self,
        *,
        community: str,
        platform: str,
        channel_id: str,
        message_id: str,
        thread_id: str | None,
        asker: Member,
        title: str,
        body: str,
        at: datetime,
    ) -> Question: ...
    async def get(self, question_id: int, *, for_update: bool = False) -> Question | None: ...
    async def by_thread(
        self, thread: ThreadRef, *, for_update: bool = False
    ) -> Question | None: ...
    async def set_thread(self, question_id: int, thread_id: str) -> None: ...
    async def set_status(
        self,
        question_id: int,
        status: QuestionStatus,
        *,
        solved_at: datetime | None = None,
        closed_at: datetime | None = None,
        close_reason: str | None = None,
        close_note: str | None = None,
    ) -> Question:
        """Set the status fields (all of them, None clears) and return the updated question."""
        ...

    async def touch(self, question_id: int, at: datetime) -> None: ...
    async def open_by_asker(self, member_id: int, limit: int = 10) -> list[Question]: ...
    async def add_message(
        self, question_id: int, author: Member, message_id: str, excerpt: str, at: datetime
    ) -> Answer:
        """Record a message in the question's thread (the asker's own messages too)."""
        ...

    async def message(self, platform: str, message_id: str) -> Answer | None: ...
    async def answers(self, question_id: int) -> list[Answer]:
        """Messages in the thread by members other than the asker, oldest first."""
        ...

    async def add_acceptance(
        self, question_id: int, answer: Answer, accepted_by: Member, at: datetime
    ) -> Acceptance: ...
    async def active_acceptances(self, question_id: int) -> list[Acceptance]: ...
    async def revoke_acceptances(self, question_id: int, at: datetime) -> list[Acceptance]: ...


class LedgerRepository(Protocol):
    async def lock_member(self, member: Member) -> None:
        """Serialise point changes for one member until the unit of work ends."""
        ...

    async def capped_earned(self, member_id: int, day: date) -> int:
        """Points from capped reasons this member already got on `day` (UTC)."""
        ...

    async def append(
        self, community: str, entry: NewLedgerEntry, at: datetime
    ) -> tuple[LedgerEntry, int]:
        """Write one ledger row and update the cached totals; return it and the new total."""
        ...

    async def unreversed_for_acceptances(
        self, acceptance_ids: Sequence[int]
    ) -> list[LedgerEntry]: ...
    async def standing(
        self, member: Member, *, recent: int = 5, exclude_moderators: bool = False
    ) -> Standing: ...
    async def leaderboard(
        self, community: str, *, since: datetime | None, limit: int, exclude_moderators: bool
    ) -> list[LeaderboardRow]: ...


class EventLog(Protocol):
    async def record(self, platform: str, event_id: str, at: datetime) -> None:
        """Remember an inbound platform event; raise `DuplicateEvent` if seen before."""
        ...


class UnitOfWork(Protocol):
    members: MemberRepository
    questions: QuestionRepository
    ledger: LedgerRepository
    events: EventLog

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork: ...


class KnowledgeSearch(Protocol):
    """Finds similar solved questions and knowledge-base articles."""

    async def similar(
        self, community: str, text: str, *, limit: int, exclude: set[str] | None = None
    ) -> list[Suggestion]: ...

    async def question_solved(self, question: Question, answers: Sequence[Answer]) -> None:
        """Make a newly solved question findable."""
        ...

    async def question_reopened(self, question: Question) -> None: ...
