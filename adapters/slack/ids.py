"""Stable identifiers the bot puts into Slack surfaces and reads back from interactions.

Kept in one module because the manifest, the Block Kit builders and the listeners must agree
on them; a typo in one place would silently turn a button into a dead one.
"""

from __future__ import annotations

# Message shortcut (declared in slack-manifest.yml).
MARK_SOLUTION = "mark_solution"

# Buttons on the bot's reply to a new question.
SUGGESTION_SOLVED = "suggestion_solved"
SUGGESTION_NOT_NEEDED = "suggestion_not_needed"

# The /solved modal.
SOLVED_MODAL = "solved_modal"
SOLVED_QUESTION_BLOCK = "solved_question"
SOLVED_QUESTION_ACTION = "solved_question"
SOLVED_HELPERS_BLOCK_PREFIX = "solved_helpers_"
SOLVED_HELPERS_ACTION = "solved_helpers"

# App Home.
HOME_KB_BLOCK = "home_kb"
HOME_KB_SEARCH = "home_kb_search"

# The reaction that marks a reply as the solution (and, on a question's root, a solved question).
CHECK_REACTION = "white_check_mark"
# On a question's root: closed (Slack has no archived threads) and locked by a moderator.
CLOSED_REACTION = "lock"
LOCKED_REACTION = "no_entry_sign"

# The button on a reminder to mark a solution (value: the question number).
MARK_SOLVED_BUTTON = "lifecycle_mark_solved"

# The /ask modal (opened by /ask without text).
ASK_MODAL = "ask_modal"
ASK_TEXT_BLOCK = "ask_text"
ASK_TEXT_ACTION = "ask_text"
ASK_ANONYMOUS_BLOCK = "ask_anonymous"
ASK_ANONYMOUS_ACTION = "ask_anonymous"
ASK_ANONYMOUS_VALUE = "anonymous"


def helpers_block(question_id: int) -> str:
    """The helpers block id depends on the question so Slack resets the checkboxes when the
    member picks another question in the modal."""

    return f"{SOLVED_HELPERS_BLOCK_PREFIX}{question_id}"


# "Report to moderators": the message shortcut (slack-manifest.yml), its reason modal, and the
# buttons on the report in the moderators' channel (value: the report id). The button ids are
# the core's action names on the report's `ChannelPost`.
REPORT_SHORTCUT = "report_message"
REPORT_MODAL = "report_modal"
REPORT_REASON_BLOCK = "report_reason"
REPORT_REASON_ACTION = "report_reason"
REPORT_DISMISS = "report_dismiss"
REPORT_DELETE = "report_delete"
REPORT_WARN = "report_warn"
REPORT_BUTTONS = (REPORT_DISMISS, REPORT_DELETE, REPORT_WARN)

# "Not a duplicate" on the core's duplicate notice in a question thread (value: question id).
NOT_DUPLICATE = "not_duplicate"

# "Mark as solution" offered to an asker who thanked a helper (value: the answer's message id).
THANKS_OFFER_ACCEPT = "thanks_offer_accept"
