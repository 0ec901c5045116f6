"""Discord-only text that the shared message catalog does not have yet.

The adapter may not edit `bot/locales/en.toml` (another team owns it), so new keys live here
until they are moved into the catalog. `Texts.t` asks the catalog first and falls back to this
dict, so moving a key into the catalog needs no code change here.
"""

from __future__ import annotations

import logging

from bot.i18n import Catalog

log = logging.getLogger(__name__)

NEW_TEXTS: dict[str, str] = {
    "question.ways_discord": (
        "right-click the answer → Apps → **Mark as solution**, react to it with ✅, or use `/solved`"
    ),
    "discord.not_configured": "This server is not set up for the community bot yet.",
    "discord.thread_title_fallback": "Question from {member}",
    "discord.ask_starter": "{member} asked:\n{text}",
    "discord.ask_done": "Your question is open in {thread}.",
    "discord.no_help_channel": (
        "No help channel is set up here yet. Ask a moderator to add one to the bot's config."
    ),
    "discord.button_solved": "This solved it",
    "discord.button_not_helpful": "Not what I need",
    "discord.suggestion_solved": "Glad that helped! #{id} is closed as solved.",
    "discord.suggestion_solved_note": "solved by a suggestion",
    "discord.suggestion_not_helpful": (
        "Thanks for telling me. Keep the details coming in the thread; a helper will be along."
    ),
    "discord.choose_helper_placeholder": "Who solved it?",
    "discord.solved_tag": "Solved",
    "discord.solved_prefix": "✅ ",
    "discord.kb_results_header": "Results for “{query}”:",
    "discord.kb_no_results": "Nothing found for “{query}”. Try other words, or ask with /ask.",
    "discord.kb_not_found": "I can't find that article or question. Pick one from /kb search.",
    "discord.kb_question": "#{id} {title} ({status})",
    "discord.kb_asked_by": "Asked by {member}",
    "discord.kb_answers_header": "Answers:",
    "discord.kb_open_thread": "Open the thread: {thread}",
    "discord.rep_title": "Reputation",
    "discord.leaderboard_title": "Leaderboard",
    "discord.message_trimmed": "… (trimmed)",
}

# Slash command and option descriptions (Discord shows these in its command picker).
DESCRIPTIONS: dict[str, str] = {
    "ask": "Ask a question in the help channel",
    "ask.question": "What do you need help with?",
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
    "menu.solution": "Mark as solution",
    "menu.reputation": "View reputation",
}


class Texts:
    """Catalog lookups with a fallback to `NEW_TEXTS` for keys not in the catalog yet."""

    def __init__(self, catalog: Catalog, locale: str = "en") -> None:
        self.catalog = catalog
        self.locale = locale

    def t(self, key: str, **params: object) -> str:
        if self.catalog.has(key):
            return self.catalog.t(key, self.locale, **params)
        template = NEW_TEXTS.get(key)
        if template is None:
            log.error("no text for key %r", key)
            return key
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            log.error("text %r could not be filled with %r", key, sorted(params))
            return template
