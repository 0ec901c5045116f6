"""Slack-only user-facing text, waiting to move into the message catalog (bot/locales).

TEMPORARY: the adapter may not edit `bot/locales/en.toml`, so its new keys live here with their
English text. `SlackPresenter.t` asks the catalog first and falls back to this dict, so once
the keys are copied into the catalog (as a `[slack]` section) this dict can be deleted without
touching any other code.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.i18n import Catalog
from bot.model import Member
from bot.presenters import Presenter

log = logging.getLogger(__name__)

SLACK_TEXTS: dict[str, str] = {
    "slack.ways": (
        "use the *Mark as solution* shortcut on the answer (the ⋮ menu), react to it with "
        ":white_check_mark:, or run {solved}"
    ),
    "slack.suggestion_solved": "This solved it",
    "slack.suggestion_not_needed": "Not what I need",
    "slack.not_needed_ack": "Thanks. The question stays open; answers will appear in its thread.",
    "slack.solved_by_suggestion": "solved by a suggestion: {title}",
    "slack.asked": "<@{user}> asked:\n{text}",
    "slack.ask_posted": "Your question #{id} is posted in <#{channel}>. Answers will appear in its thread.",
    "slack.ask_nowhere": "I couldn't post in that channel. Ask a workspace admin to invite me.",
    "slack.usage": "Usage: {usage}",
    "slack.usage_ask": "{command} <your question>",
    "slack.usage_question": "{command} <question number or message link>",
    "slack.usage_close": "{command} <question number or message link> [reason]",
    "slack.usage_rep": "{command} [@member]",
    "slack.usage_leaderboard": "{command} [week|month|all]",
    "slack.usage_kb": "{command} search <words> | {command} show <id>",
    "slack.modal_title": "Mark solved",
    "slack.modal_submit": "Mark solved",
    "slack.modal_cancel": "Cancel",
    "slack.modal_question": "Question",
    "slack.modal_helpers": "Who helped?",
    "slack.modal_no_helpers": "Nobody else has answered yet, so no points will be given.",
    "slack.modal_pick_helper": "Pick at least one member who helped.",
    "slack.modal_pick_question": "Pick a question.",
    "slack.question_option": "#{id} {title}",
    "slack.kb_header": "Results for “{query}”:",
    "slack.kb_empty": "Nothing found for “{query}”.",
    "slack.kb_show_unavailable": "Showing articles isn't available yet. Try {command} search <words>.",
    "slack.kb_question": "#{id} {title} ({status}; answers: {answers})",
    "slack.mod_help": (
        "*Moderator commands*\n"
        "`{command} help` show this list\n"
        "`{command} close <question> [reason]` close a question without an answer\n"
        "`{command} reopen <question>` reopen a solved question and reverse its points"
    ),
    "slack.mod_unknown": "Unknown moderator command “{sub}”. Try {command} help.",
    "slack.home_reputation": "Your reputation",
    "slack.home_leaderboard": "Top helpers",
    "slack.home_questions": "Your open questions",
    "slack.home_kb": "Search the knowledge base",
    "slack.home_kb_placeholder": "Type a few words and press Enter",
    "slack.home_question_line": "#{id} {title} in <#{channel}>",
}


def mention(member: Member) -> str:
    """Slack members as mentions (Slack renders the current name); others by name."""

    return f"<@{member.ref.id}>" if member.ref.platform == "slack" else member.display_name


class SlackPresenter(Presenter):
    """The core's presenter with Slack mentions and the adapter's temporary texts."""

    def __init__(self, catalog: Catalog, locale: str = "en") -> None:
        super().__init__(catalog, locale, name=mention)

    def t(self, key: str, **params: Any) -> str:
        if self.catalog.has(key) or key not in SLACK_TEXTS:
            return super().t(key, **params)
        try:
            return SLACK_TEXTS[key].format(**params)
        except (KeyError, IndexError, ValueError) as exc:
            log.error("slack text %r could not be filled with %r: %s", key, sorted(params), exc)
            return SLACK_TEXTS[key]
