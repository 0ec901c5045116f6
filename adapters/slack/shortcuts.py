"""The "Mark as solution" message shortcut: the asker (or a moderator) accepts a reply.

The shortcut's payload names the message (`channel.id` + `message.ts`), which is exactly the
core's message id; the core decides whether it is an answer and whether this member may
accept it. Acked first; the trigger id makes the command's event id, so a repeated payload is
a `DuplicateEvent` and changes nothing.
"""

from __future__ import annotations

from typing import Any

from adapters.slack import announce
from adapters.slack.deps import Ack, start_interaction
from adapters.slack.guard import guarded
from adapters.slack.outbound import Respond
from adapters.slack.translate import interaction_id, message_id
from bot import commands as c
from bot.events import AnswerAccepted


async def on_mark_solution(
    ack: Ack,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    who = await start_interaction(ack, body, context, respond)
    if who is None:
        return
    deps, channel = who.deps, who.channel or ""
    ts = str((shortcut.get("message") or {}).get("ts") or shortcut.get("message_ts") or "")
    if not channel or not ts:
        # A payload naming no message (forged, or a message Slack no longer has).
        await who.reply(who.p.t("slack.shortcut_no_message"))
        return

    async with guarded(who.p, who.reply, "slack Mark as solution"):
        async with deps.in_order(channel):
            actor = await who.actor()
            result = await deps.bot.handle(
                c.AcceptAnswer(
                    actor,
                    message_id(channel, ts),
                    event_id=interaction_id(
                        "shortcut", shortcut.get("trigger_id"), shortcut.get("action_ts")
                    ),
                )
            )
        assert isinstance(result, AnswerAccepted)
        await announce.solved(deps, who.p, result, who.user, respond)
