"""Core results -> Block Kit (messages, the /solved modal, the App Home tab).

Pure functions: they take the presenter (catalog text with Slack mentions) and core events and
return the JSON Slack documents for `chat.postMessage`, `views.open` and `views.publish`, plus
a plain `text` fallback for notifications and screen readers. Member-written text (question
titles, notes, search words) is escaped, because `&`, `<` and `>` are markup in mrkdwn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from adapters.slack import ids, long_text
from adapters.slack.texts import SlackPresenter, escape
from bot.events import (
    LeaderboardShown,
    QuestionClosed,
    QuestionOpened,
    QuestionShown,
    QuestionsListed,
    ReputationShown,
)
from bot.model import Member, Question, Suggestion

Block = dict[str, Any]

# Slack's documented limits.
SECTION_TEXT_MAX = 3000
PLAIN_OPTION_MAX = 75
BUTTON_TEXT_MAX = 75
HEADER_MAX = 150
MODAL_OPTIONS_MAX = 100
CHECKBOX_OPTIONS_MAX = 10
METADATA_MAX = 3000


def clip(text: str, limit: int) -> str:
    """`text` within `limit` (UTF-16 units, as `long_text` counts), ending in "…" when cut,
    and never cut inside a grapheme (an emoji, a letter and its accent), a mention or link
    (`<…>`) or an entity (`&amp;`): half of one shows as stray markup, or breaks the rest."""

    if long_text.units(text) <= limit:
        return text
    return text[: long_text.safe_cut(text, limit - 1, at_words=False)] + "…"


def plain(text: str, limit: int = PLAIN_OPTION_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def section(text: str, **extra: Any) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT_MAX)},
        **extra,
    }


def context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_TEXT_MAX)}],
    }


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_MAX)}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_MAX),
        "action_id": action_id,
        "value": value,
    }
    if style:
        out["style"] = style
    return out


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


# -- messages ----------------------------------------------------------------------------------


def suggestion_line(p: SlackPresenter, s: Suggestion) -> str:
    title = escape(s.title)
    if s.url:
        title = f"<{s.url}|{title}>"
    return p.t(
        "question.suggestion_line", title=title, kind=p.kind(s.kind), score=round(s.score * 100)
    )


def question_opened(
    p: SlackPresenter, result: QuestionOpened, solved_command: str
) -> tuple[str, list[Block]]:
    """The bot's threaded reply to a new question: suggestions with buttons, and how to mark
    an answer."""

    q = result.question
    opened = opened_line(p, q)
    how = p.t(
        "question.how_to_accept",
        # Never the name of an anonymous asker: this reply is public.
        asker=p.t("question.anonymous_asker") if q.anonymous else p.name(q.asker),
        # Nor the ✅ reaction: everyone sees who reacted, so it would name them.
        ways=p.t("slack.ways_anonymous" if q.anonymous else "slack.ways", solved=solved_command),
    )
    blocks: list[Block] = [section(opened)]
    lines = [opened]
    if result.suggestions:
        blocks.append(section(p.t("question.suggestions_header")))
        lines.append(p.t("question.suggestions_header"))
        for s in result.suggestions:
            line = suggestion_line(p, s)
            lines.append(f"• {line}")
            blocks.append(
                section(
                    f"• {line}",
                    accessory=button(
                        p.plain_t("slack.suggestion_solved"),
                        ids.SUGGESTION_SOLVED,
                        f"{q.id}|{s.id}",
                    ),
                )
            )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button(
                        p.plain_t("slack.suggestion_not_needed"),
                        ids.SUGGESTION_NOT_NEEDED,
                        str(q.id),
                    )
                ],
            }
        )
    else:
        blocks.append(section(p.t("question.no_suggestions")))
        lines.append(p.t("question.no_suggestions"))
    blocks.append(context(how))
    lines.append(how)
    return "\n".join(lines), blocks


def opened_line(p: SlackPresenter, q: Question) -> str:
    """The first line of the bot's reply to a new question (see also `opened.retitled`)."""

    return p.t("question.opened", id=q.id, title=escape(q.title))


def closed_line(p: SlackPresenter, result: QuestionClosed) -> str:
    reason = p.t(f"close.reason_{result.reason}")
    if result.question.close_note:
        reason = f"{reason}: {escape(result.question.close_note)}"
    return p.t("close.done", id=result.question.id, reason=reason)


def lines_blocks(lines: Sequence[str]) -> tuple[str, list[Block]]:
    text = "\n".join(lines)
    return text, [section(text)] if text else []


def reputation(p: SlackPresenter, result: ReputationShown) -> tuple[str, list[Block]]:
    return lines_blocks(p.reputation(result))


def leaderboard(p: SlackPresenter, result: LeaderboardShown) -> tuple[str, list[Block]]:
    lines = p.leaderboard(result)
    text = "\n".join(lines)
    # The title is a header (plain_text): the catalog's words as written, not as mrkdwn.
    blocks = [header(p.plain_t(f"leaderboard.header_{result.period.value}"))]
    if len(lines) > 1:
        blocks.append(section("\n".join(lines[1:])))
    return text, blocks


def kb_results(
    p: SlackPresenter, query: str, found: Sequence[Suggestion]
) -> tuple[str, list[Block]]:
    shown = escape(query)
    if not found:
        return lines_blocks([p.t("slack.kb_empty", query=shown)])
    return lines_blocks(
        [p.t("slack.kb_header", query=shown)] + [f"• {suggestion_line(p, s)}" for s in found]
    )


def question_summary(p: SlackPresenter, result: QuestionShown) -> tuple[str, list[Block]]:
    q = result.question
    lines = [
        p.t(
            "slack.kb_question",
            id=q.id,
            title=escape(q.title),
            status=p.t(f"question.status_{q.status.value}"),
            answers=len(result.answers),
        )
    ]
    accepted = {a.answer.id for a in result.accepted}
    for answer in result.answers:
        mark = "✅ " if answer.id in accepted else ""
        lines.append(f"> {mark}{p.name(answer.author)}: {escape(answer.excerpt)}")
    return lines_blocks(lines)


def mod_help(p: SlackPresenter, command: str) -> str:
    """Every `/mod` sub-command, one per line (Slack has no sub-command menu to browse)."""

    return "\n".join(
        [p.t("slack.mod_help", command=command), p.t("slack.mod_help_reveal", command=command)]
    )


def offer_blocks(p: SlackPresenter, offer: str, answer_message_id: str) -> list[Block]:
    """The quiet offer to an asker who thanked a helper: mark that helper's answer solved."""

    return [
        section(offer),
        {
            "type": "actions",
            "elements": [
                button(
                    p.plain_t("slack.offer_accept_button"),
                    ids.THANKS_OFFER_ACCEPT,
                    answer_message_id,
                    style="primary",
                )
            ],
        },
    ]


def report_modal(p: SlackPresenter, metadata: Mapping[str, str]) -> dict[str, Any]:
    """The reason form of "Report to moderators"; `metadata` names the reported message."""

    # As typed, not as ASCII escapes: an emoji escaped is 12 characters, so 300 of them (the
    # excerpt the shortcut keeps) came to more than Slack takes and the excerpt was dropped.
    raw = json.dumps(dict(metadata), ensure_ascii=False)
    if long_text.units(raw) > METADATA_MAX:
        trimmed = dict(metadata)
        trimmed["text"] = ""
        raw = json.dumps(trimmed, ensure_ascii=False)
    return {
        "type": "modal",
        "callback_id": ids.REPORT_MODAL,
        "title": plain(p.plain_t("slack.report_modal_title"), 24),
        "submit": plain(p.plain_t("slack.report_modal_submit"), 24),
        "close": plain(p.plain_t("slack.ask_modal_cancel"), 24),
        "private_metadata": raw,
        "blocks": [
            {
                "type": "input",
                "block_id": ids.REPORT_REASON_BLOCK,
                "label": plain(p.plain_t("slack.report_modal_reason")),
                "hint": plain(p.plain_t("slack.report_modal_hint"), 150),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.REPORT_REASON_ACTION,
                    "multiline": True,
                    "min_length": 1,
                    "max_length": 500,
                },
            }
        ],
    }


def without_buttons(message: Mapping[str, Any], note: str) -> tuple[str, list[Block]]:
    """A bot message (e.g. a report) with its buttons removed and `note` added below."""

    kept = [b for b in message.get("blocks") or () if b.get("type") != "actions"]
    text = "\n".join(t for t in (str(message.get("text") or ""), note) if t)
    return text, [*kept, context(note)]


# -- bot-initiated messages (the Outbox) -------------------------------------------------------


def mentions(role_ids: Sequence[str] = (), user_ids: Sequence[str] = ()) -> list[str]:
    """Slack user groups ping as `<!subteam^ID>`, members as `<@ID>`."""

    return [f"<!subteam^{r}>" for r in role_ids] + [f"<@{u}>" for u in user_ids]


def outbound_text(p: SlackPresenter, key: str, params: Mapping[str, Any]) -> str:
    """The catalog text of a bot-initiated message; member-written values (titles, reasons,
    excerpts) are escaped for mrkdwn."""

    safe = {k: escape(v) if isinstance(v, str) else v for k, v in params.items()}
    return p.t(key, **safe)


def outbound_message(
    p: SlackPresenter,
    text: str,
    *,
    mention: Sequence[str] = (),
    question_id: int | None = None,
    actions: Sequence[str] = (),
    link: str | None = None,
    link_key: str = "slack.staff_link",
    reference: str | None = None,
) -> tuple[str, list[Block]]:
    """A reminder, close note, escalation, staff notice or report: mentions first, then the
    text, then a link (`link_key` labels it: the question, or a report's message) and the
    buttons the core named in `actions` ("mark_solved"; "not_duplicate"; the report
    buttons, whose value is `reference`, the report id)."""

    first = " ".join([*mention, text])
    lines = [first]
    blocks: list[Block] = [section(first)]
    if link:
        line = p.t(link_key, link=link)
        lines.append(line)
        blocks.append(context(line))
    buttons = []
    if "mark_solved" in actions and question_id is not None:
        buttons.append(
            button(
                p.plain_t("slack.mark_solved_button"),
                ids.MARK_SOLVED_BUTTON,
                str(question_id),
                style="primary",
            )
        )
    if ids.NOT_DUPLICATE in actions:
        buttons.append(
            button(
                p.plain_t("slack.not_duplicate_button"), ids.NOT_DUPLICATE, str(question_id or "")
            )
        )
    if reference:
        for action in ids.REPORT_BUTTONS:
            if action in actions:
                style = "danger" if action != ids.REPORT_DISMISS else None
                buttons.append(
                    button(p.plain_t(f"slack.{action}_button"), action, reference, style=style)
                )
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return "\n".join(lines), blocks


# -- the /ask modal ----------------------------------------------------------------------------


def ask_modal(
    p: SlackPresenter, *, anonymous_allowed: bool, anonymous: bool, channel: str | None
) -> dict[str, Any]:
    """A text box for the question and, where the community allows it, "Ask anonymously"."""

    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": ids.ASK_TEXT_BLOCK,
            "label": plain(p.plain_t("slack.ask_modal_question")),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.ASK_TEXT_ACTION,
                "multiline": True,
                "min_length": 1,
                "max_length": SECTION_TEXT_MAX,
                "placeholder": plain(p.plain_t("slack.ask_modal_placeholder"), 150),
            },
        }
    ]
    if anonymous_allowed:
        choice = {
            "text": plain(p.plain_t("slack.ask_modal_anonymous")),
            "description": plain(p.plain_t("slack.ask_modal_anonymous_hint"), 150),
            "value": ids.ASK_ANONYMOUS_VALUE,
        }
        element: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": ids.ASK_ANONYMOUS_ACTION,
            "options": [choice],
        }
        if anonymous:
            element["initial_options"] = [choice]
        blocks.append(
            {
                "type": "input",
                "block_id": ids.ASK_ANONYMOUS_BLOCK,
                "optional": True,
                "label": plain(p.plain_t("slack.ask_modal_anonymous")),
                "element": element,
            }
        )
    metadata = json.dumps({"channel": channel} if channel else {})
    return {
        "type": "modal",
        "callback_id": ids.ASK_MODAL,
        "title": plain(p.plain_t("slack.ask_modal_title"), 24),
        "submit": plain(p.plain_t("slack.ask_modal_submit"), 24),
        "close": plain(p.plain_t("slack.ask_modal_cancel"), 24),
        "private_metadata": metadata[:METADATA_MAX],
        "blocks": blocks,
    }


# -- the /solved modal -------------------------------------------------------------------------


def question_option(p: SlackPresenter, q: Question) -> dict[str, Any]:
    return option(p.plain_t("slack.question_option", id=q.id, title=q.title), str(q.id))


def solved_modal(
    p: SlackPresenter,
    *,
    questions: Sequence[Question],
    selected: Question,
    candidates: Sequence[Member],
    channel: str | None,
) -> dict[str, Any]:
    """Pick the question (preselected: the most recent one) and tick who helped.

    The question select dispatches an action on change so the helpers can be reloaded for the
    newly picked question (see `solved.on_question_picked`).
    """

    options = [question_option(p, q) for q in questions][:MODAL_OPTIONS_MAX]
    initial = question_option(p, selected)
    if not any(o["value"] == initial["value"] for o in options):
        options.insert(0, initial)
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": ids.SOLVED_QUESTION_BLOCK,
            "dispatch_action": True,
            "label": plain(p.plain_t("slack.modal_question")),
            "element": {
                "type": "static_select",
                "action_id": ids.SOLVED_QUESTION_ACTION,
                "options": options,
                "initial_option": initial,
            },
        }
    ]
    helpers = [m for m in candidates][:CHECKBOX_OPTIONS_MAX]
    if helpers:
        blocks.append(
            {
                "type": "input",
                "block_id": ids.helpers_block(selected.id),
                "optional": True,
                "label": plain(p.plain_t("slack.modal_helpers")),
                "element": {
                    "type": "checkboxes",
                    "action_id": ids.SOLVED_HELPERS_ACTION,
                    "options": [option(m.display_name, m.ref.id) for m in helpers],
                },
            }
        )
    else:
        blocks.append(context(p.t("slack.modal_no_helpers")))
    metadata = json.dumps({"channel": channel} if channel else {})
    return {
        "type": "modal",
        "callback_id": ids.SOLVED_MODAL,
        "title": plain(p.plain_t("slack.modal_title"), 24),
        "submit": plain(p.plain_t("slack.modal_submit"), 24),
        "close": plain(p.plain_t("slack.modal_cancel"), 24),
        "private_metadata": metadata[:METADATA_MAX],
        "blocks": blocks,
    }


def helper_candidates(shown: QuestionShown) -> list[Member]:
    """Members who answered and are not credited yet, oldest answer first, no duplicates."""

    credited = {a.answer.author.id for a in shown.accepted}
    seen: dict[int, Member] = {}
    for answer in shown.answers:
        author = answer.author
        if author.is_bot or author.id == shown.question.asker.id or author.id in credited:
            continue
        seen.setdefault(author.id, author)
    return list(seen.values())


# -- App Home ----------------------------------------------------------------------------------


def home_view(
    p: SlackPresenter,
    *,
    standing: ReputationShown,
    board: LeaderboardShown,
    mine: QuestionsListed,
    kb_query: str | None = None,
    kb_found: Sequence[Suggestion] = (),
    links: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """`links`: question number -> permalink to its thread (missing ones show no link)."""

    rep_lines = p.reputation(standing)
    links = links or {}
    if mine.questions:
        question_lines = [
            p.t(
                "slack.home_question_link" if q.id in links else "slack.home_question_line",
                id=q.id,
                title=escape(q.title),
                channel=q.channel_id,
                link=links.get(q.id),
            )
            for q in mine.questions
        ]
    else:
        question_lines = [p.t("question.list_empty")]
    blocks: list[Block] = [
        header(p.plain_t("slack.home_reputation")),
        section("\n".join(rep_lines)),
        divider(),
        *leaderboard(p, board)[1],  # (its title as the header, as /leaderboard shows it)
        divider(),
        header(p.plain_t("slack.home_questions")),
        section("\n".join(question_lines)),
        divider(),
        {
            "type": "input",
            "block_id": ids.HOME_KB_BLOCK,
            "dispatch_action": True,
            "optional": True,
            "label": plain(p.plain_t("slack.home_kb")),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.HOME_KB_SEARCH,
                "placeholder": plain(p.plain_t("slack.home_kb_placeholder"), 150),
                "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
            },
        },
    ]
    if kb_query is not None:
        _, found_blocks = kb_results(p, kb_query, kb_found)
        blocks += found_blocks
    return {"type": "home", "blocks": blocks}
