"""The interfaces the core needs from the outside world, as Protocols.

The core depends on these shapes only; `storage/` and `knowledge/` implement them and the
composition root (`bot.bootstrap`) plugs the implementations in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.articles import Article, ArticleAction, ArticleContent, ArticleSource, ArticleVersion
from bot.jobs import JobRepository, LifecycleRepository
from bot.model import (
    Acceptance,
    Actor,
    Answer,
    AuditEntry,
    DeleteKind,
    HelpBan,
    LeaderboardRow,
    LedgerEntry,
    LedgerReason,
    Member,
    MemberRef,
    NewAuditEntry,
    NewLedgerEntry,
    PointFlow,
    Question,
    QuestionStatus,
    Report,
    ReportStatus,
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
        private: bool = False,
    ) -> Question: ...
    async def get(self, question_id: int, *, for_update: bool = False) -> Question | None: ...
    async def by_thread(
        self, thread: ThreadRef, *, for_update: bool = False
    ) -> Question | None: ...
    async def by_message(
        self, platform: str, message_id: str, *, for_update: bool = False
    ) -> Question | None: ...
    async def duplicates_of(self, community: str, target: str, limit: int = 5) -> list[int]:
        """Questions closed (and not deleted) as duplicates of `target`, as their close note
        names it (`moderation.duplicate_note`)."""
        ...

    async def next_in_channel(
        self, community: str, platform: str, channel_id: str, after: int, *, for_update: bool
    ) -> Question | None: ...
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

    async def touch(self, question: Question, at: datetime) -> Question:
        """Record activity at `at` and return the question as it is now: the UPDATE takes
        the row lock, so a close committed meanwhile by a scheduler is seen."""
        ...

    async def open_by_asker(self, member_id: int, limit: int = 10) -> list[Question]: ...
    async def set_text(self, question: Question, title: str, body: str) -> Question:
        """Replace the question's title and body (its asker edited it); the question as it
        is now."""
        ...

    async def add_message(
        self, question_id: int, author: Member, message_id: str, excerpt: str, at: datetime
    ) -> Answer:
        """Record a message in the question's thread (the asker's own messages too)."""
        ...

    async def message(self, platform: str, message_id: str) -> Answer | None:
        """The recorded message, deleted or not (see `Answer.is_deleted`)."""
        ...

    async def answers(self, question_id: int) -> list[Answer]:
        """Messages in the thread by members other than the asker, oldest first; deleted
        messages are left out."""
        ...

    async def set_excerpt(self, answer: Answer, excerpt: str) -> Answer:
        """Replace a recorded message's excerpt (its author edited it)."""
        ...

    async def delete_message(self, message_id: int, at: datetime) -> None:
        """Mark a recorded message deleted (by its `Answer.id`); it stays for the record."""
        ...

    async def revoke_acceptances_of(self, answer: Answer, at: datetime) -> list[Acceptance]:
        """Revoke the active acceptances of one message and return them."""
        ...

    async def add_acceptance(
        self,
        question_id: int,
        answer: Answer,
        accepted_by: Member,
        at: datetime,
        *,
        by_reaction: bool = False,
    ) -> Acceptance: ...
    async def active_acceptances(self, question_id: int) -> list[Acceptance]: ...
    async def revoke_acceptances(self, question_id: int, at: datetime) -> list[Acceptance]: ...


class LedgerRepository(Protocol):
    async def reversed_in_question(
        self, member_id: int, question_id: int, reason: LedgerReason, *, note: str
    ) -> bool:
        """Whether a reversal noted `note` took back `member_id`'s `reason` points in the
        question (a moderator's revert: those are not earned again there)."""
        ...

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

    async def prune(self, before: datetime, limit: int) -> int:
        """Forget up to `limit` events processed before `before`; return how many."""
        ...


class ModerationRepository(Protocol):
    """Audit log, help bans, thanks records, reports, and the ledger queries moderators need."""

    async def audit(self, entry: NewAuditEntry, at: datetime) -> int:
        """Append one audit row (never updated or deleted) and return its id."""
        ...

    async def audit_entries(
        self, community: str, *, member_id: int | None, question_id: int | None, limit: int
    ) -> list[AuditEntry]: ...
    async def count_actions(self, target_member_id: int, action: str) -> int: ...
    async def add_helpban(
        self,
        community: str,
        member_id: int,
        actor_id: int,
        reason: str | None,
        at: datetime,
        expires_at: datetime,
    ) -> HelpBan: ...
    async def active_helpban(self, member_id: int, at: datetime) -> HelpBan | None: ...
    async def lock_giver(self, member: Member) -> None:
        """Serialise thanks given by one member (per-giver limits) until the unit ends."""
        ...

    async def add_thanks(
        self,
        community: str,
        giver_id: int,
        receiver_id: int,
        question_id: int | None,
        points: int,
        ledger_id: int | None,
        at: datetime,
    ) -> None: ...
    async def thanks_given_since(self, giver_id: int, since: datetime) -> int:
        """Point-earning thanks this member gave after `since`."""
        ...

    async def thanked_since(self, giver_id: int, receiver_id: int, since: datetime) -> bool:
        """Did `giver` give `receiver` a point-earning thanks after `since`?"""
        ...

    async def already_thanked(self, question_id: int, giver_id: int, receiver_id: int) -> bool: ...
    async def ledger_entry(self, community: str, entry_id: int) -> LedgerEntry | None: ...
    async def is_reversed(self, entry_id: int) -> bool: ...
    async def unreversed_entries(
        self,
        community: str,
        member_id: int,
        *,
        direction: str,
        since: datetime,
        until: datetime | None,
    ) -> list[LedgerEntry]:
        """Rows not yet reversed (and not reversals): `received` by the member, `given`
        (they caused someone else to earn: thanks, accepted answers), or `both`."""
        ...

    async def point_flows(self, community: str, since: datetime) -> list[PointFlow]: ...
    async def members_by_ids(self, ids: Sequence[int]) -> dict[int, Member]: ...
    async def set_locked(self, question_id: int, at: datetime | None) -> None: ...
    async def set_deleted(
        self, question_id: int, at: datetime | None, kind: DeleteKind | None = None
    ) -> None:
        """Delete a question (`at`, `kind`), or restore it (None, None)."""
        ...

    async def add_report(
        self,
        *,
        community: str,
        platform: str,
        reporter_id: int,
        author: Member | None,
        channel_id: str,
        message_id: str,
        excerpt: str,
        reason: str,
        question_id: int | None,
        at: datetime,
    ) -> Report: ...
    async def set_report_post(self, report_id: int, post_ref: str) -> None:
        """Where the report's post in the moderators' channel is (`Report.post_ref`)."""
        ...

    async def get_report(
        self, community: str, report_id: int, *, for_update: bool = False
    ) -> Report | None: ...
    async def reports_since(self, reporter_id: int, since: datetime) -> int: ...
    async def already_reported(self, reporter_id: int, platform: str, message_id: str) -> bool: ...
    async def resolve_report(
        self, report_id: int, status: ReportStatus, actor_id: int | None, at: datetime
    ) -> Report | None:
        """Resolve an open report; None when it is not open any more. `actor_id` None:
        resolved by no moderator (the platform deleted the message)."""
        ...

    async def open_reports(self, community: str, limit: int) -> list[Report]: ...
    async def open_reports_on(
        self,
        community: str,
        platform: str,
        message_id: str | None = None,
        *,
        question_id: int | None = None,
    ) -> list[Report]:
        """Open reports on one message, or on any message of one question."""
        ...


class KnowledgeRepository(Protocol):
    """Knowledge-base articles and their append-only version history."""

    async def article(
        self, community: str, article_id: str, *, for_update: bool = False
    ) -> Article | None: ...
    async def article_ids(self, community: str, prefix: str) -> set[str]: ...
    async def promoted_from(self, community: str, question_id: int) -> Article | None: ...
    async def save(
        self,
        community: str,
        article_id: str,
        content: ArticleContent,
        *,
        action: ArticleAction,
        actor_id: int | None,
        at: datetime,
        deleted: bool = False,
        source: ArticleSource = ArticleSource.MANUAL,
        source_question_id: int | None = None,
        restored_from: int | None = None,
    ) -> Article:
        """Create or change an article and append the snapshot of its new version."""
        ...

    async def versions(self, community: str, article_id: str) -> list[ArticleVersion]:
        """Newest first."""
        ...

    async def record_changes(self, community: str, doc_ids: Sequence[str], at: datetime) -> None:
        """Append to the feed of search-affecting changes every bot process follows."""
        ...

    async def prune_changes(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` feed rows older than `before`; return how many."""
        ...


class UnitOfWork(Protocol):
    members: MemberRepository
    questions: QuestionRepository
    ledger: LedgerRepository
    events: EventLog
    moderation: ModerationRepository
    jobs: JobRepository
    lifecycle: LifecycleRepository
    knowledge: KnowledgeRepository

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

    async def question_withdrawn(self, question: Question) -> None:
        """Stop finding a question: it was reopened, deleted, or removed by a report."""
        ...

    async def article_changed(self, article: Article) -> None:
        """Index an added or edited article, or drop a removed one."""
        ...

    def titles(self, community: str, prefix: str, limit: int) -> list[Suggestion]:
        """Articles and solved questions whose title starts with (then contains) `prefix`,
        for autocomplete: fast, no database access."""
        ...
