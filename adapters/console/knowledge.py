"""Console `/kb` commands: search and show for everyone; add, edit, remove, undo and promote
for moderators. Same contract as the rest of the console: parse the typed words into a core
command, call the core, print the result.

    /kb search <words>
    /kb show <id>                       a:<article id>, q12 / #12, or a bare article id
    /kb add <title> | <text>            (text may be empty)
    /kb edit <id> [new title] | [new text]   an empty side keeps what was there
    /kb remove <id> [reason]
    /kb undo <id>
    /kb promote [#question] [new id]    in a thread: the current question
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot import events as ev
from bot import knowledge_base as kb
from bot.kb_presenter import KnowledgePresenter
from bot.model import ThreadRef
from bot.text import parse_number

if TYPE_CHECKING:
    from bot.presenters import Presenter
    from bot.service import CommunityBot

KB_USAGE: dict[str, tuple[str, int, int | None]] = {
    "kb": ("/kb search|show|add|edit|remove|undo|promote ... (/kb help)", 1, None),
}
SEARCH_LIMIT = 5


class KnowledgeCommands:
    """Mixed into ConsoleAdapter; relies on its attributes (bot, present, thread, ...)."""

    bot: CommunityBot
    present: Presenter
    thread: ThreadRef | None
    thread_question: int | None
    messages: dict[int, Any]  # number -> what was typed where (adapter._Message)
    question_threads: dict[int, str]

    # provided by ConsoleAdapter
    def actor(self, name: str | None = None) -> Any: ...
    def private(self, *lines: str) -> None: ...
    def usage(self, usage: str) -> None: ...
    def bot_says(self, *lines: str) -> None: ...
    def say(self, line: str) -> None: ...
    def _event(self) -> str: ...

    async def _cmd_kb(self, args: list[str], rest: str) -> None:
        sub, _, text = rest.strip().partition(" ")
        text = text.strip()
        handler = {
            "search": self._kb_search,
            "show": self._kb_show,
            "add": self._kb_add,
            "edit": self._kb_edit,
            "remove": self._kb_remove,
            "undo": self._kb_undo,
            "promote": self._kb_promote,
        }.get(sub.lower())
        if handler is None or (not text and sub.lower() not in ("promote",)):
            self.usage(self.present.t("kb.usage"))
            return
        await handler(text)

    @property
    def kb_present(self) -> KnowledgePresenter:
        return KnowledgePresenter(self.present)

    async def _kb_search(self, text: str) -> None:
        result = await self.bot.handle(kb.SearchKnowledge(self.actor(), text, SEARCH_LIMIT))
        assert isinstance(result, kb.KnowledgeFound)
        self.private(*self.kb_present.found(result))

    async def _kb_show(self, text: str) -> None:
        result = await self.bot.handle(kb.ShowKnowledge(self.actor(), text.split()[0]))
        if isinstance(result, ev.QuestionShown):
            q = result.question
            self.private(self.present.t("console.entered", id=q.id, title=q.title))
            for answer in result.answers:
                self.private(f"  {answer.author.display_name}: {answer.excerpt}")
            return
        assert isinstance(result, kb.ArticleShown)
        self.private(*self.kb_present.article(result))

    def _changed(self, result: Any) -> None:
        assert isinstance(result, kb.ArticleChanged)
        self.bot_says(self.kb_present.changed(result))

    async def _kb_add(self, text: str) -> None:
        title, _, body = text.partition("|")
        result = await self.bot.handle(
            kb.AddArticle(self.actor(), title.strip(), body.strip(), event_id=self._event())
        )
        self._changed(result)

    async def _kb_edit(self, text: str) -> None:
        article_id, _, change = text.partition(" ")
        title, bar, body = change.partition("|")
        result = await self.bot.handle(
            kb.EditArticle(
                self.actor(), article_id, title=title.strip() or None,
                body=body.strip() if bar and body.strip() else None, event_id=self._event(),
            )
        )  # fmt: skip
        self._changed(result)

    async def _kb_remove(self, text: str) -> None:
        article_id, _, reason = text.partition(" ")
        result = await self.bot.handle(
            kb.RemoveArticle(self.actor(), article_id, reason.strip() or None, self._event())
        )
        self._changed(result)

    async def _kb_undo(self, text: str) -> None:
        result = await self.bot.handle(
            kb.UndoArticleChange(self.actor(), text.split()[0], self._event())
        )
        self._changed(result)

    async def _kb_promote(self, text: str) -> None:
        words = text.split()
        question_id = parse_number(words[0]) if words else None
        if question_id is not None:
            words.pop(0)
        thread = None if question_id is not None else self.thread
        if question_id is None and thread is None:
            self.private(self.present.t("console.not_in_thread"))
            return
        thread_id = thread.id if thread else self.question_threads.get(question_id or 0)
        texts = tuple(
            (m.platform_id, m.text) for m in self.messages.values() if m.thread_id == thread_id
        )
        result = await self.bot.handle(
            kb.PromoteQuestion(
                self.actor(), question_id=question_id, thread=thread,
                article_id=words[0] if words else None, event_id=self._event(),
                answer_texts=texts,
            )
        )  # fmt: skip
        self._changed(result)
