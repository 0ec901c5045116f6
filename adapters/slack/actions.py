"""Buttons on the bot's reply to a new question: "This solved it" and "Not what I need".

"This solved it" marks the question solved by that suggestion, with nobody credited: the
suggestion, not the members who answered, solved it.
"""

from __future__ import annotations

from typing import Any

from adapters.slack import announce
from adapters.slack.commands import thread_for
from adapters.slack.deps import Ack, start_interaction
from adapters.slack.guard import guarded
from adapters.slack.outbound import Respond
from adapters.slack.texts import UNREADABLE
from adapters.slack.translate import interaction_id, suggestion_button_value
from bot import commands as c


async def on_suggestion_solved(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    who = await start_interaction(ack, body, context, respond)
    if who is None:
        return
    parsed = suggestion_button_value(str(action.get("value", "")))
    if parsed is None:
        await who.reply(UNREADABLE)
        return
    question_id, suggestion_id = parsed
    deps = who.deps

    async with guarded(who.p, who.reply, "slack suggestion button"):
        actor = await who.actor()
        event_id = interaction_id("action", body.get("trigger_id"), action.get("action_ts"))
        thread = await thread_for(deps, actor, question_id)
        result = await deps.bot.handle(
            c.SolveWithSuggestion(actor, thread, suggestion_id, event_id=event_id)
        )
        assert isinstance(result, announce.SolvedResult)
        await announce.solved(deps, who.p, result, who.user, respond)


async def on_suggestion_not_needed(
    ack: Ack,
    body: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    who = await start_interaction(ack, body, context, respond)
    if who is not None:
        await who.reply(who.p.t("slack.not_needed_ack"))
