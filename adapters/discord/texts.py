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
    "solved.member": "Who solved it (optional; name yourself if you solved it alone)",
    "unsolve": "Undo 'solved' on this question",
    "close": "Close this question without an answer",
    "close.reason": "Why (optional)",
    "rep": "Show reputation",
    "rep.member": "Whose reputation (default: yours)",
    "leaderboard": "Top helpers",
    "leaderboard.period": "Which period: the last 7 or 30 days (UTC, today included), or all time",
    "kb": "Search solved questions and articles",
    "kb.search": "Search the knowledge base",
    "kb.search.query": "What to look for",
    "kb.show": "Show one article or solved question",
    "kb.show.id": "Start typing a title, or an id (a:<article>, q<number>)",
    "kb.add": "Add an article (moderators; leave out the text to write it in a form)",
    "kb.edit": "Edit an article (moderators; give no fields to edit it in a form)",
    "kb.remove": "Remove an article; undo brings it back (moderators)",
    "kb.undo": "Put back an article's previous version (moderators)",
    "kb.promote": "Turn a solved question into an article, crediting the answerers (moderators)",
    "kb.promote.question": "The question's number, when not used in its thread",
    "kb.promote.title": "A title for the article (default: the question's)",
    "kb.id": "The article's id (a:<id>); start typing a title",
    "kb.title": "The article's title",
    "kb.body": "The article's text (Markdown)",
    "kb.tags": "Tags, comma-separated",
    "kb.reason": "Why (recorded in the audit log)",
    "mod": "Moderator commands",
    "mod.close": "Close this question (moderators)",
    "mod.reopen": "Reopen a closed question (moderators)",
    "mod.reveal": "Who asked an anonymous question (moderators; recorded in the audit log)",
    "mod.reveal.question": "The question's number",
    "mod.reveal.reason": "Why you need to know (recorded)",
    "mod.lock": "Lock this question thread: only moderators can write (moderators)",
    "mod.unlock": "Unlock this question thread (moderators)",
    "mod.duplicate": "Close as a duplicate of a question or article (moderators)",
    "mod.duplicate.target": "The original: a question number (#12) or an article id",
    "mod.delete": "Delete this question: hidden everywhere, kept for the audit (moderators)",
    "mod.restore": "Bring back a question deleted with /mod delete (moderators)",
    "mod.question": "A question number, when not used in its thread",
    "mod.member": "The member",
    "mod.reason": "Why (recorded in the audit log)",
    "mod.rep": "Reputation corrections (moderators)",
    "mod.rep.add": "Give a member points (moderators)",
    "mod.rep.remove": "Take points from a member (moderators)",
    "mod.rep.points": "How many points",
    "mod.rep.revert": "Undo one reputation change by its ledger id (moderators)",
    "mod.rep.entry": "The ledger id of the change",
    "mod.rep.revert_period": "Undo what a member gave and/or received in the last days",
    "mod.rep.direction": "Points the member gave, received, or both",
    "mod.rep.days": "How many days back",
    "mod.rep.suspicious": "Pairs who give each other most of their points (moderators)",
    "mod.helpban": "No questions and no points for a while (moderators)",
    "mod.helpban.duration": "How long: 30m, 12h, 7d, 2w",
    "mod.warn": "Warn a member privately; warnings are counted (moderators)",
    "mod.audit": "Recent moderator actions, optionally about a member or question",
    "mod.reports": "Open reports (moderators)",
    "thanks": "Thank a member for their help",
    "thanks.member": "Who helped you",
    "menu.solution": "Mark as solution",
    "menu.report": "Report to moderators",
    "menu.reputation": "View reputation",
}


class Texts:
    """Catalog lookups in the community's locale."""

    def __init__(self, catalog: Catalog, locale: str = "en") -> None:
        self.catalog = catalog
        self.locale = locale

    def t(self, key: str, **params: object) -> str:
        return self.catalog.t(key, self.locale, **params)
