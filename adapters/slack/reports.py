""" "Report to moderators": a message shortcut, a reason modal, and the moderators' buttons.

Any member may report a message; the core rate-limits reports and posts each one in the
configured moderators' channel (a `ChannelPost` through the Outbox sender, rendered with
Dismiss / Delete message / Warn the author buttons whose value is the report id). The reporter
is never named there, nor to the author. The modal carries the reported message in its
`private_metadata`, so nothing is held in memory between the shortcut and the submission.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from adapters.slack import blocks, ids
from adapters.slack.deps import Ack, Caller, deps_of, start_interaction
from adapters.slack.guard import giving_back, guarded
from adapters.slack.moderation import mod_present, resolve_report
from adapters.slack.outbound import Respond
from adapters.slack.texts import UNREADABLE
from adapters.slack.translate import (
    file_names,
    interaction_id,
    message_id,
    team_id_of,
    thread_ref,
)
from bot import commands as c
from bot import events as ev
from bot.model import Actor, ReportStatus
from bot.moderation import EXCERPT_CHARS
from bot.moderation_presenter import ModerationPresenter
from bot.text import parse_number, truncate, with_attachments

log = logging.getLogger(__name__)

#: Seconds the Report shortcut waits for the names of the members a message mentions.
NAMES_WAIT = 1.0
OUTCOMES = {
    ids.REPORT_DISMISS: ReportStatus.DISMISSED,
    ids.REPORT_DELETE: ReportStatus.DELETED,
    ids.REPORT_WARN: ReportStatus.WARNED,
}


async def on_report_shortcut(
    ack: Ack, body: dict[str, Any], shortcut: dict[str, Any], context: dict[str, Any]
) -> None:
    """The shortcut opens the reason form; the message it names rides in the form, its text
    and its files' names as the excerpt the core keeps (words, cut to
    `bot.moderation.EXCERPT_CHARS`)."""

    who = await start_interaction(ack, body, context, in_thread=False)
    if who is None:
        return
    message = shortcut.get("message") or {}
    ts = str(message.get("ts") or shortcut.get("message_ts") or "")
    if not who.channel or not ts:
        await who.reply(who.p.t("slack.shortcut_no_message"))
        return
    author = str(message.get("user") or "")
    if author and author == context.get("bot_user_id"):
        # The bot's own post, such as an /ask question's root (a member's words under the
        # bot's name, maybe an anonymous one's): the bot is no one to name or to warn.
        author = ""
    # Words first, then the cut: a cut in the markup could fall inside a mention, a link or
    # `&amp;`, and the core (which cuts the excerpt the same way) would not mark it. The
    # names are looked up within NAMES_WAIT: the form must open while the click's trigger
    # id is valid (3 s), so a slow or rate-limited `users.info` leaves mentions as ids.
    words = await who.deps.people.plain_text(str(message.get("text") or ""), wait=NAMES_WAIT)
    metadata = {
        "channel": who.channel or "",
        "ts": ts,
        "thread_ts": str(message.get("thread_ts") or ""),
        "author": author,
        "text": excerpt(words, file_names(message.get("files"))),
    }
    view = blocks.report_modal(who.p, metadata)
    if not await who.deps.out.open_view(str(shortcut.get("trigger_id") or ""), view):
        await who.reply(who.p.t("error.generic"))


def excerpt(words: str, files: list[str]) -> str:
    """A reported message's words and the names of its files after them (`[report.pdf]`,
    as a question or an answer names its own), within the core's `EXCERPT_CHARS`: a message
    that is only a file, or whose file is what is wrong, is reported with it. The words are
    cut to leave the names room, the names to half of it at most when there are many."""

    if not files:
        return truncate(words, EXCERPT_CHARS)
    listed = with_attachments("", files)
    if not words:
        return truncate(listed, EXCERPT_CHARS)
    if len(words) + 1 + len(listed) > EXCERPT_CHARS:
        listed = truncate(listed, EXCERPT_CHARS // 2)
        words = truncate(words, EXCERPT_CHARS - 1 - len(listed))
    return f"{words}\n{listed}"


def _metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}


def _reason(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    typed = (values.get(ids.REPORT_REASON_BLOCK) or {}).get(ids.REPORT_REASON_ACTION) or {}
    return str(typed.get("value") or "").strip()


async def on_report_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    deps = deps_of(context)
    community = deps.community(team_id_of(body))
    if community is None:
        await ack()
        return
    p = deps.present(community)
    reason = _reason(view)
    if not reason:
        await ack(
            response_action="errors",
            errors={ids.REPORT_REASON_BLOCK: p.plain_t("slack.report_modal_reason")},
        )
        return
    await ack()
    meta = _metadata(view)
    channel, ts = meta.get("channel", ""), meta.get("ts", "")
    who = Caller(deps, community, str(body["user"]["id"]), channel)
    if not channel or not ts:
        # A form naming no message (forged, or metadata Slack lost): nothing to report.
        await who.reply(p.t("slack.shortcut_no_message"))
        return

    async with guarded(p, who.reply, "slack report"):
        # The form closed on the ack: a reason the core does not keep comes back with the error.
        async with giving_back(blocks.escape(reason)):
            actor = await who.actor()
            author: Actor | None = None
            if meta.get("author"):
                author = await deps.people.actor(community, meta["author"])
            thread_ts = meta.get("thread_ts") or ""
            thread = None
            if thread_ts and thread_ts != ts:
                thread = thread_ref(channel, thread_ts)
            elif channel in deps.help_channels:
                # A top-level message in a help channel is a question: its thread has its id.
                thread = thread_ref(channel, ts)
            result = await deps.bot.handle(
                c.ReportMessage(
                    actor, channel, message_id(channel, ts), reason, author=author,
                    excerpt=meta.get("text", ""), thread=thread,
                    event_id=interaction_id("view", view.get("id"), body.get("trigger_id")),
                )
            )  # fmt: skip
        assert isinstance(result, ev.ReportFiled)
        await who.reply(ModerationPresenter(p).report_filed(result))


async def on_report_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    """Dismiss, Delete message, or Warn the author, on the report in the moderators' channel.
    The core checks the moderator (and audits a refusal); the report post then loses its
    buttons and says who handled it."""

    # The report is a top-level post: a refusal goes beside it, not into a thread under it.
    who = await start_interaction(ack, body, context, respond, in_thread=False)
    outcome = OUTCOMES.get(str(action.get("action_id")))
    report_id = parse_number(str(action.get("value") or ""))
    if who is None:
        return
    if outcome is None or report_id is None:
        await who.reply(UNREADABLE)
        return
    deps, p, user, reply, channel = who.deps, who.p, who.user, who.reply, who.channel

    async with guarded(p, reply, "slack report button"):
        actor = await who.actor()
        event_id = interaction_id("action", body.get("trigger_id"), action.get("action_ts"))
        line, result = await resolve_report(
            deps, p, actor, report_id, outcome, reason=None, event_id=event_id, reply=reply
        )
        message = body.get("message") or {}
        if channel and message.get("ts"):
            # (not named when they asked the reported question anonymously)
            moderator = mod_present(p).resolver(result, f"<@{user}>")
            note = p.t("slack.report_handled", outcome=line, moderator=moderator)
            text, handled = blocks.without_buttons(message, note)
            await deps.out.update(str(channel), str(message["ts"]), text, blocks=handled)
