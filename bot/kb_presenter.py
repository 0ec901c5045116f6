"""Knowledge-base results as lines of catalog text, shared by the console and any adapter
that shows plain text (Discord and Slack may build richer shapes from the same events)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge_base import ArticleChanged, ArticleShown, KnowledgeFound
from bot.model import Suggestion
from bot.presenters import Presenter


@dataclass(frozen=True)
class ArticleParts:
    head: tuple[str, ...]  # title, then removed / tags / aliases lines
    body: str  # the article's text as written (Markdown)
    history: tuple[str, ...]  # empty, or a header and one line per version


class KnowledgePresenter:
    def __init__(self, present: Presenter) -> None:
        self.present = present
        self.t = present.t

    def result(self, s: Suggestion) -> str:
        return self.t(
            "kb.result_line", title=s.title, kind=self.present.kind(s.kind), score=round(s.score * 100),
            id=s.id,
        )  # fmt: skip

    def found(self, result: KnowledgeFound) -> list[str]:
        if not result.results:
            return [self.t("kb.nothing_found", query=result.query)]
        lines = [self.t("kb.results_header", query=result.query)]
        lines += [f"  • {self.result(s)}" for s in result.results]
        return lines

    def article(self, result: ArticleShown) -> list[str]:
        parts = self.article_parts(result)
        return [*parts.head, *(parts.body.splitlines() or [""]), *parts.history]

    def article_parts(self, result: ArticleShown) -> ArticleParts:
        """The article's lines in three parts, for an adapter that shows its text (the
        author's Markdown) in another way than the catalog's words around it."""

        a = result.article
        head = [self.t("kb.article_title", title=a.title, id=a.doc_id, version=a.version)]
        if a.is_deleted:
            head.append(self.t("kb.article_removed"))
        if a.content.tags:
            head.append(self.t("kb.article_tags", tags=", ".join(a.content.tags)))
        if a.content.aliases:
            head.append(self.t("kb.article_aliases", aliases="; ".join(a.content.aliases)))
        history = []
        if result.history:
            history.append(self.t("kb.history_header"))
            for v in result.history:
                actor = v.actor_name or self.t("kb.history_actor_unknown")
                history.append(
                    "  "
                    + self.t(
                        "kb.history_line", version=v.version, action=v.action.value,
                        actor=actor, at=f"{v.at:%Y-%m-%d %H:%M} UTC",
                    )
                )  # fmt: skip
        return ArticleParts(tuple(head), a.body, tuple(history))

    def changed(self, result: ArticleChanged) -> str:
        a = result.article
        if result.action == "promote":
            credited = ", ".join(result.credited) or self.t("kb.credited_nobody")
            return self.t(
                "kb.changed_promote", question=a.source_question_id, id=a.doc_id,
                credited=credited,
            )  # fmt: skip
        return self.t(f"kb.changed_{result.action}", id=a.doc_id, version=a.version)
