"""The core's single entry point: `CommunityBot.handle(command) -> event`.

It owns the transaction around each command (one unit of work), the at-most-once rule for
platform events, retries when the database is briefly unavailable, and the follow-ups that
happen after a commit (suggestions at ask time, indexing newly solved questions).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from bot import (
    deletions,
    errors,
    knowledge_base,
    lifecycle,
    moderation,
    questions,
    report_posts,
)
from bot.articles import Article, question_doc_id
from bot.commands import Command
from bot.config import Config
from bot.events import QuestionOpened, Result
from bot.i18n import Catalog
from bot.model import Answer, Question, Suggestion
from bot.outbound import Outbox, messages_of
from bot.ports import Clock, KnowledgeSearch, UnitOfWork, UnitOfWorkFactory
from bot.questions import Context
from bot.text import scrub_all

log = logging.getLogger(__name__)

Handler = Callable[[Any, UnitOfWork, Context], Awaitable[Any]]

# Feature modules each export READS (commands that only read: no event id recorded, no write
# lock) and WRITES (one transaction each, at-most-once per platform event id).
FEATURES = (questions, lifecycle, moderation, knowledge_base, deletions, report_posts)
_READS: dict[type, Handler] = {k: v for f in FEATURES for k, v in f.READS.items()}
_WRITES: dict[type, Handler] = {k: v for f in FEATURES for k, v in f.WRITES.items()}
# AFTER_WRITE(command, result, uow, context) -> result: runs in the same transaction after
# every write handler (e.g. lifecycle schedules the question's reminders and closes).
_AFTER_WRITE: tuple[Callable[[Any, Any, UnitOfWork, Context], Awaitable[Any]], ...] = tuple(
    f.AFTER_WRITE for f in FEATURES if hasattr(f, "AFTER_WRITE")
)


class NullKnowledge:
    """Used when no knowledge base is wired in: never suggests anything."""

    async def similar(
        self, community: str, text: str, *, limit: int, exclude: set[str] | None = None
    ) -> list[Suggestion]:
        return []

    async def question_solved(self, question: Question, answers: Sequence[Answer]) -> None:
        return None

    async def question_withdrawn(self, question: Question) -> None:
        return None

    async def article_changed(self, article: Article) -> None:
        return None

    def titles(self, community: str, prefix: str, limit: int) -> list[Suggestion]:
        return []


class CommunityBot:
    def __init__(
        self,
        *,
        config: Config,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        knowledge: KnowledgeSearch | None = None,
        catalog: Catalog | None = None,
        outbox: Outbox | None = None,
        retries: int = 3,
        retry_delay: float = 0.05,
    ) -> None:
        self.config = config
        self.uow_factory = uow_factory
        self.clock = clock
        self.knowledge: KnowledgeSearch = knowledge or NullKnowledge()
        self.catalog = catalog or Catalog()
        self.outbox = outbox or Outbox()
        self.context = Context(config=config, clock=clock, knowledge=self.knowledge)
        self._retries = retries
        self._retry_delay = retry_delay

    def community_for(self, platform: str, workspace_id: str) -> str | None:
        return self.config.community_for(platform, workspace_id)

    async def handle(self, command: Command) -> Result:
        """Run one command in its own transaction and return what happened.

        Raises a `DomainError` for anything the user can fix (rendered privately by the
        adapter), `DuplicateEvent` for a repeated platform event, and `StorageUnavailable`
        when the database stayed unreachable through the retries.
        """

        kind = type(command)
        handler = _WRITES.get(kind) or _READS.get(kind)
        if handler is None:
            raise TypeError(f"no handler for command {kind.__name__}")
        # Text from a platform can hold half an emoji (a lone surrogate), which no database
        # stores: every string of the command is made writable before any rule sees it.
        command = scrub_all(command)
        try:
            result = await self._run(command, handler, write=kind in _WRITES)
        except errors.NotModerator:
            await self._record_refusal(command)
            raise
        return await self._after_commit(result)

    async def _record_refusal(self, command: Command) -> None:
        # The refused command's transaction was rolled back; the audit row gets its own.
        try:
            async with self.uow_factory(write=True) as uow:
                await moderation.record_refusal(command, uow, self.context)
                await uow.commit()
        except Exception:
            log.exception("could not audit a refused %s", type(command).__name__)

    async def _deliver(self, result: Result) -> None:
        # After the commit: a message that cannot be sent is logged, never undoes the change.
        for message in messages_of(result):
            try:
                await self.outbox.send(message)
            except Exception:
                log.exception("could not send %s", type(message).__name__)

    async def _run(self, command: Command, handler: Handler, *, write: bool) -> Any:
        delay = self._retry_delay
        for attempt in range(self._retries + 1):
            try:
                async with self.uow_factory(write=write) as uow:
                    event_id = getattr(command, "event_id", None)
                    if write and event_id:
                        actor = command.actor  # type: ignore[union-attr]
                        await uow.events.record(actor.ref.platform, event_id, self.clock.now())
                    result = await handler(command, uow, self.context)
                    if write:
                        for after in _AFTER_WRITE:
                            result = await after(command, result, uow, self.context)
                        await uow.commit()
                    return result
            except errors.TransientStorageError as exc:
                if attempt == self._retries:
                    log.error("database unavailable after %d attempts: %s", attempt + 1, exc)
                    raise errors.StorageUnavailable() from exc
                log.warning("database busy (%s); retrying in %.2fs", exc, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    async def _after_commit(self, result: Result) -> Result:
        await self._deliver(result)
        # Search problems must never undo or hide a committed change: log and carry on.
        try:
            change = knowledge_base.search_change(result)
            if change is not None:
                await change.apply(self.knowledge)
            if isinstance(result, QuestionOpened):
                return await self._suggest(result)
        except Exception:
            log.exception("knowledge base follow-up failed for %s", type(result).__name__)
        return result

    async def _suggest(self, result: QuestionOpened) -> QuestionOpened:
        limit = self.config.knowledge.suggestions
        if limit <= 0:
            return result
        question = result.question
        found = await self.knowledge.similar(
            question.community,
            f"{question.title}\n{question.body}",
            limit=limit,
            exclude={question_doc_id(question.id)},
        )
        return replace(result, suggestions=tuple(found))

    async def suggestions_for(
        self, community: str, text: str, limit: int | None = None
    ) -> list[Suggestion]:
        return await self.knowledge.similar(
            community, text, limit=limit or self.config.knowledge.suggestions
        )
