"""Discord text: catalog lookups (the `[discord]` section of bot/locales) and the slash
command descriptions Discord shows in its command picker."""

from __future__ import annotations

import logging

from bot.i18n import Catalog

log = logging.getLogger(__name__)


# Slash command and option descriptions (Discord shows these in its command picker).
DESCRIPTIONS: dict[str, str] = {
    "ask": "Ask a question in the help channel",
    "ask.question": "What do you need help with?",
    "ask.anonymous": "Post it without your name (moderators can still see who asked)",
    "guidelines": "Show this help channel's guidelines",
    "questions": "List your open questions",
    "solved": "Mark this question as solved",
    "solved.member": "Who solved it (optional)",
    "unsolve": "Undo 'solved' on this question",
    "close": "Close this question without an answer",
    "close.reason": "Why (optional)",
    "rep": "Show reputation",
    "rep.member": "Whose reputation (default: yours)",
    "leaderboard": "Top helpers",
    "leaderboard.period": "Which period",
    "kb": "Search solved questions and articles",
    "kb.search": "Search the knowledge base",
    "kb.search.query": "What to look for",
    "kb.show": "Show one article or solved question",
    "kb.show.item": "Start typing a title",
    "mod": "Moderator commands",
    "mod.close": "Close this question (moderators)",
    "mod.reopen": "Reopen a solved question (moderators)",
    "mod.reveal": "Who asked an anonymous question (moderators; recorded in the audit log)",
    "mod.reveal.question": "The question's number",
    "mod.reveal.reason": "Why you need to know (recorded)",
    "menu.solution": "Mark as solution",
    "menu.reputation": "View reputation",
}


class Texts:
    """Catalog lookups in the community's locale."""

    def __init__(self, catalog: Catalog, locale: str = "en") -> None:
        self.catalog = catalog
        self.locale = locale

    def t(self, key: str, **params: object) -> str:
        return self.catalog.t(key, self.locale, **params)
