"""The `KnowledgeSearch` port as the bot uses it: per-community indexes of solved questions.

This first version matches titles with rapidfuzz; the knowledge-base issue replaces the
matching with the multilingual engine in `knowledge.engine` and adds articles.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils

from bot.model import Answer, Question, Suggestion

if TYPE_CHECKING:
    from bot.config import Config
    from storage.database import Database

log = logging.getLogger(__name__)

MIN_SCORE = 0.6


class FuzzyKnowledge:
    def __init__(self, min_score: float = MIN_SCORE) -> None:
        self.min_score = min_score
        self._titles: dict[str, dict[str, str]] = {}

    def add(self, community: str, doc_id: str, title: str) -> None:
        self._titles.setdefault(community, {})[doc_id] = title

    def remove(self, community: str, doc_id: str) -> None:
        self._titles.get(community, {}).pop(doc_id, None)

    async def similar(
        self, community: str, text: str, *, limit: int, exclude: set[str] | None = None
    ) -> list[Suggestion]:
        titles = self._titles.get(community)
        if not titles or not text.strip():
            return []
        query = text[:500]
        hits = process.extract(
            query, titles, scorer=fuzz.token_set_ratio, processor=utils.default_process,
            limit=limit + len(exclude or ()),
        )  # fmt: skip
        out = []
        for title, score, doc_id in hits:
            if exclude and doc_id in exclude:
                continue
            if score / 100 >= self.min_score:
                out.append(Suggestion(id=doc_id, title=title, kind="question", score=score / 100))
        return out[:limit]

    async def question_solved(self, question: Question, answers: Sequence[Answer]) -> None:
        self.add(question.community, f"q{question.id}", question.title)

    async def question_reopened(self, question: Question) -> None:
        self.remove(question.community, f"q{question.id}")


async def build_knowledge(config: Config, database: Database) -> FuzzyKnowledge:
    from storage.queries import solved_questions

    knowledge = FuzzyKnowledge(config.knowledge.min_score or MIN_SCORE)
    count = 0
    for community, question_id, title, _body in await solved_questions(database):
        knowledge.add(community, f"q{question_id}", title)
        count += 1
    log.info("knowledge base: %d solved questions indexed", count)
    return knowledge
