"""The knowledge-base port in SQL: articles with their version history, the solved questions
the search index is built from, and stored embedding vectors.

Same rules as storage/repositories.py: SQLAlchemy Core on the unit of work's connection, no
commits, frozen dataclasses out. `article_versions` is only ever inserted into; every write
to `articles` appends the snapshot of what the row became.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select, update

from bot.articles import (
    Article,
    ArticleAction,
    ArticleContent,
    ArticleSource,
    ArticleVersion,
    article_doc_id,
)
from bot.model import QuestionStatus
from storage.models import ArticleRow, ArticleVersionRow, EmbeddingRow, KnowledgeChangeRow
from storage.repositories import (
    Conn,
    _insert,
    acceptances_t,
    members_t,
    messages_t,
    prepared,
    questions_t,
)

articles_t = ArticleRow.__table__
versions_t = ArticleVersionRow.__table__
embeddings_t = EmbeddingRow.__table__
changes_t = KnowledgeChangeRow.__table__

BATCH = 1_000


@dataclass(frozen=True, slots=True)
class SolvedQuestionText:
    """What the search index holds for a solved question."""

    community: str
    id: int
    title: str
    body: str
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndexRow:
    community: str
    id: str
    title: str
    body: str
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    source_question_id: int | None


@dataclass(frozen=True, slots=True)
class StoredVector:
    text_hash: str
    dim: int
    vector: bytes


@dataclass(frozen=True, slots=True)
class ArticleState:
    """Enough of a stored article to decide whether an import changes it."""

    content_hash: str
    version: int
    deleted: bool


def _content(m: Any, c: Any) -> ArticleContent:
    return ArticleContent(
        title=m[c.title],
        body=m[c.body],
        tags=tuple(json.loads(m[c.tags] or "[]")),
        aliases=tuple(json.loads(m[c.aliases] or "[]")),
        lang=m[c.lang],
    )


def _article(row: Row[Any]) -> Article:
    m = row._mapping
    c = articles_t.c
    return Article(
        community=m[c.community],
        id=m[c.id],
        content=_content(m, c),
        source=ArticleSource(m[c.source]),
        version=m[c.version],
        created_at=m[c.created_at],
        updated_at=m[c.updated_at],
        created_by=m[c.created_by],
        source_question_id=m[c.source_question_id],
        deleted_at=m[c.deleted_at],
    )


def _snapshot(content: ArticleContent) -> dict[str, Any]:
    return {
        "title": content.title,
        "body": content.body,
        "tags": json.dumps(list(content.tags), ensure_ascii=False),
        "aliases": json.dumps(list(content.aliases), ensure_ascii=False),
        "lang": content.lang,
    }


class SqlKnowledgeRepository:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._locks = conn.dialect.name == "postgresql"

    # -- articles ------------------------------------------------------------------------

    async def article(
        self, community: str, article_id: str, *, for_update: bool = False
    ) -> Article | None:
        stmt = select(articles_t).where(
            articles_t.c.community == community, articles_t.c.id == article_id
        )
        if for_update and self._locks:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return _article(row) if row else None

    async def article_ids(self, community: str, prefix: str) -> set[str]:
        """Ids starting with `prefix` (to pick a free id for a new article)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = await self.conn.execute(
            select(articles_t.c.id).where(
                articles_t.c.community == community,
                articles_t.c.id.like(f"{escaped}%", escape="\\"),
            )
        )
        return {r.id for r in rows}

    async def promoted_from(self, community: str, question_id: int) -> Article | None:
        """A live article made from this question, if any."""
        row = (
            await self.conn.execute(
                select(articles_t)
                .where(
                    articles_t.c.community == community,
                    articles_t.c.source_question_id == question_id,
                    articles_t.c.deleted_at.is_(None),
                )
                .limit(1)
            )
        ).first()
        return _article(row) if row else None

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
        """Create or change an article and append its new version; returns it as stored.

        The caller holds the row (read with `for_update`) when the article exists.
        """
        current = await self.article(community, article_id)
        fields = _snapshot(content)
        # Removing a removed article keeps the time it was first removed.
        deleted_at = ((current and current.deleted_at) or at) if deleted else None
        if current is None:
            version = 1
            await self.conn.execute(
                articles_t.insert().values(
                    community=community, id=article_id, **fields, source=source.value,
                    source_question_id=source_question_id, created_by=actor_id, created_at=at,
                    updated_at=at, deleted_at=deleted_at, version=version,
                    content_hash=content.content_hash(),
                )
            )  # fmt: skip
        else:
            version = current.version + 1
            await self.conn.execute(
                update(articles_t)
                .where(articles_t.c.community == community, articles_t.c.id == article_id)
                .values(
                    **fields, updated_at=at, deleted_at=deleted_at, version=version,
                    content_hash=content.content_hash(),
                )
            )  # fmt: skip
        await self.conn.execute(
            versions_t.insert().values(
                community=community, article_id=article_id, version=version,
                action=action.value, actor_id=actor_id, created_at=at, **fields,
                deleted=deleted, restored_from=restored_from,
            )
        )  # fmt: skip
        saved = await self.article(community, article_id)
        assert saved is not None
        return saved

    async def versions(self, community: str, article_id: str) -> list[ArticleVersion]:
        """Newest first."""
        v = versions_t.c
        rows = await self.conn.execute(
            select(versions_t, members_t.c.display_name.label("actor_name"))
            .outerjoin(members_t, members_t.c.id == v.actor_id)
            .where(v.community == community, v.article_id == article_id)
            .order_by(v.version.desc())
        )
        return [
            ArticleVersion(
                version=r._mapping[v.version],
                action=ArticleAction(r._mapping[v.action]),
                content=_content(r._mapping, v),
                deleted=bool(r._mapping[v.deleted]),
                actor_id=r._mapping[v.actor_id],
                actor_name=r.actor_name,
                at=r._mapping[v.created_at],
                restored_from=r._mapping[v.restored_from],
            )
            for r in rows
        ]

    async def live_articles(self, community: str | None = None) -> list[Article]:
        stmt = select(articles_t).where(articles_t.c.deleted_at.is_(None))
        if community is not None:
            stmt = stmt.where(articles_t.c.community == community)
        rows = await self.conn.execute(stmt.order_by(articles_t.c.community, articles_t.c.id))
        return [_article(r) for r in rows]

    async def index_rows(self, community: str | None = None) -> list[IndexRow]:
        """Live articles with only what the search index needs (a lean start-up read)."""
        c = articles_t.c
        stmt = select(
            c.community, c.id, c.title, c.body, c.tags, c.aliases, c.source_question_id
        ).where(c.deleted_at.is_(None))
        if community is not None:
            stmt = stmt.where(c.community == community)
        rows = await self.conn.execute(stmt.order_by(c.community, c.id))
        loads = json.loads
        return [
            IndexRow(
                r.community, r.id, r.title, r.body, tuple(loads(r.tags)), tuple(loads(r.aliases)),
                r.source_question_id,
            )
            for r in rows
        ]  # fmt: skip

    # -- bulk import -----------------------------------------------------------------------

    async def article_states(self, community: str) -> dict[str, ArticleState]:
        c = articles_t.c
        rows = await self.conn.execute(
            select(c.id, c.content_hash, c.version, c.deleted_at).where(c.community == community)
        )
        return {
            r.id: ArticleState(r.content_hash, r.version, r.deleted_at is not None) for r in rows
        }

    async def import_articles(
        self,
        community: str,
        items: Sequence[tuple[str, ArticleContent]],
        states: dict[str, ArticleState],
        at: datetime,
    ) -> None:
        """Write new and changed articles (the caller has dropped unchanged ones) with one
        version row each: `create` for new ids, `edit` (restoring a removed one) otherwise."""
        new_rows: list[dict[str, Any]] = []
        version_rows: list[dict[str, Any]] = []
        for article_id, content in items:
            fields = _snapshot(content)
            state = states.get(article_id)
            if state is None:
                version, action = 1, ArticleAction.CREATE
                new_rows.append(
                    {
                        "community": community, "id": article_id, **fields,
                        "source": ArticleSource.IMPORT.value, "source_question_id": None,
                        "created_by": None, "created_at": at, "updated_at": at,
                        "deleted_at": None, "version": 1, "content_hash": content.content_hash(),
                    }
                )  # fmt: skip
            else:
                version = state.version + 1
                action = ArticleAction.RESTORE if state.deleted else ArticleAction.EDIT
                await self.conn.execute(
                    update(articles_t)
                    .where(articles_t.c.community == community, articles_t.c.id == article_id)
                    .values(
                        **fields, updated_at=at, deleted_at=None, version=version,
                        content_hash=content.content_hash(),
                    )
                )  # fmt: skip
            version_rows.append(
                {
                    "community": community, "article_id": article_id, "version": version,
                    "action": action.value, "actor_id": None, "created_at": at, **fields,
                    "deleted": False, "restored_from": None,
                }
            )  # fmt: skip
        for start in range(0, len(new_rows), BATCH):
            await self.conn.execute(articles_t.insert(), new_rows[start : start + BATCH])
        for start in range(0, len(version_rows), BATCH):
            await self.conn.execute(versions_t.insert(), version_rows[start : start + BATCH])
        await self.record_changes(
            community, [article_doc_id(article_id) for article_id, _ in items], at
        )

    # -- the change feed (knowledge_changes) -------------------------------------------------

    async def record_changes(self, community: str, doc_ids: Sequence[str], at: datetime) -> None:
        """Tell every bot process that these documents changed (same transaction)."""
        rows = [{"community": community, "doc_id": d, "created_at": at} for d in doc_ids]
        if len(rows) == 1:  # a solved question or an article edit: on the per-event path
            stmt = prepared(self.conn, "knowledge.change", lambda: changes_t.insert())
            await self.conn.execute(stmt, rows[0])
            return
        for start in range(0, len(rows), BATCH):
            await self.conn.execute(changes_t.insert(), rows[start : start + BATCH])

    async def changes_after(self, change_id: int, limit: int) -> list[tuple[int, str, str]]:
        c = changes_t.c
        rows = await self.conn.execute(
            select(c.id, c.community, c.doc_id).where(c.id > change_id).order_by(c.id).limit(limit)
        )
        return [(r.id, r.community, r.doc_id) for r in rows]

    async def last_change_id(self) -> int:
        return int((await self.conn.execute(select(func.max(changes_t.c.id)))).scalar() or 0)

    async def prune_changes(self, before: datetime, limit: int) -> int:
        c = changes_t.c
        oldest = select(c.id).where(c.created_at < before).order_by(c.id).limit(limit)
        result = await self.conn.execute(delete(changes_t).where(c.id.in_(oldest)))
        return int(result.rowcount or 0)

    async def articles_by_id(self, community: str, article_ids: Sequence[str]) -> list[Article]:
        """These articles as stored now, removed ones included (missing ids are skipped)."""
        found: list[Article] = []
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), BATCH):
            rows = await self.conn.execute(
                select(articles_t).where(
                    articles_t.c.community == community,
                    articles_t.c.id.in_(ids[start : start + BATCH]),
                )
            )
            found.extend(_article(r) for r in rows)
        return found

    # -- solved questions ------------------------------------------------------------------

    async def solved_questions(
        self, community: str | None = None, question_ids: Sequence[int] | None = None
    ) -> list[SolvedQuestionText]:
        """Solved, not deleted questions with their accepted answers' excerpts; not those
        asked in a private channel (`Question.private`), which stay there."""
        q = questions_t.c
        stmt = select(q.community, q.id, q.title, q.body).where(
            q.status == QuestionStatus.SOLVED.value, q.deleted_at.is_(None), q.private.is_(False)
        )
        if community is not None:
            stmt = stmt.where(q.community == community)
        if question_ids is not None:
            stmt = stmt.where(q.id.in_(list(question_ids)))
        questions = list(await self.conn.execute(stmt.order_by(q.id)))
        answers: dict[int, list[str]] = {}
        a = acceptances_t.c
        stmt = (
            select(a.question_id, messages_t.c.excerpt)
            .join(messages_t, messages_t.c.id == a.message_id)
            .join(questions_t, questions_t.c.id == a.question_id)
            .where(
                a.revoked_at.is_(None),
                q.status == QuestionStatus.SOLVED.value,
                q.deleted_at.is_(None),
                q.private.is_(False),
            )
            .order_by(a.question_id, a.id)
        )
        if community is not None:
            stmt = stmt.where(q.community == community)
        if question_ids is not None:
            stmt = stmt.where(q.id.in_(list(question_ids)))
        for row in await self.conn.execute(stmt):
            answers.setdefault(row.question_id, []).append(row.excerpt)
        return [
            SolvedQuestionText(r.community, r.id, r.title, r.body, tuple(answers.get(r.id, ())))
            for r in questions
        ]

    # -- embeddings --------------------------------------------------------------------------

    async def vectors(self, community: str, model: str) -> dict[str, StoredVector]:
        e = embeddings_t.c
        rows = await self.conn.execute(
            select(e.doc_id, e.text_hash, e.dim, e.vector).where(
                e.community == community, e.model == model
            )
        )
        return {r.doc_id: StoredVector(r.text_hash, r.dim, bytes(r.vector)) for r in rows}

    async def drop_vectors_except(self, model: str) -> int:
        """Delete the vectors other embedding recipes made (never reusable); returns how many."""
        e = embeddings_t.c
        result = await self.conn.execute(delete(embeddings_t).where(e.model != model))
        return int(result.rowcount or 0)

    async def store_vectors(
        self,
        community: str,
        model: str,
        items: Iterable[tuple[str, str, int, bytes]],
        at: datetime,
    ) -> None:
        """Upsert `(doc id, text hash, dim, float32 bytes)` rows."""
        rows = [
            {
                "community": community, "doc_id": doc_id, "model": model, "dim": dim,
                "text_hash": text_hash, "vector": vector, "created_at": at,
            }
            for doc_id, text_hash, dim, vector in items
        ]  # fmt: skip
        for start in range(0, len(rows), BATCH):
            stmt = _insert(self.conn, embeddings_t)
            stmt = stmt.on_conflict_do_update(
                index_elements=["community", "doc_id", "model"],
                set_={
                    "dim": stmt.excluded.dim,
                    "text_hash": stmt.excluded.text_hash,
                    "vector": stmt.excluded.vector,
                    "created_at": stmt.excluded.created_at,
                },
            )
            await self.conn.execute(stmt, rows[start : start + BATCH])
