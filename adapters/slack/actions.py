"""Buttons on the bot's reply to a new question: "This solved it" and "Not what I need".

"This solved it" marks the question solved by that suggestion, with nobody credited: the
suggestion, not the members who answered, solved it.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.slack import announce
from adapters.slack.commands import Ack
from adapters.slack.deps import Caller, deps_of
from adapters.slack.guard import guarded
from adapters.slack.outbound import Respond
from adapters.slack.translate import (
    interaction_id,
    suggestion_button_value,
    team_id_of,
    where_clicked,
)
from bot import commands as c
from bot import errors
from bot.events import QuestionShown

log = logging.getLogger(__name__)


async def on_suggestion_solved(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    await ack()
    deps = deps_of(context)
    community = deps.community(team_id_of(body))
    parsed = suggestion_button_value(str(action.get("value", "")))
    if community is None or parsed is None:
        return
    question_id, suggestion_id = parsed
    who = Caller(deps, community, str(body["user"]["id"]), *where_clicked(body), respond)
    p, user = who.p, who.user

    async with guarded(p, who.reply, "slack suggestion button"):
        actor = await who.actor()
        event_id = interaction_id("action", body.get("trigger_id"), action.get("action_ts"))
        shown = await deps.bot.handle(c.ShowQuestion(actor, question_id))
        assert isinstance(shown, QuestionShown)
        thread = shown.question.thread
        if thread is None:
            raise errors.NotAQuestionThread()
        result = await deps.bot.handle(
            c.SolveWithSuggestion(actor, thread, suggestion_id, event_id=event_id)
        )
        assert isinstance(result, announce.SolvedResult)
        await announce.solved(deps, p, result, user, respond)


async def on_suggestion_not_needed(
    ack: Ack,
    body: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    await ack()
    deps = deps_of(context)
    community = deps.community(team_id_of(body))
    if community is None:
        return
    p = deps.present(community)
    channel, thread_ts = where_clicked(body)
    await deps.out.private(
        str(body["user"]["id"]),
        p.t("slack.not_needed_ack"),
        channel=channel,
        thread_ts=thread_ts,
        respond=respond,
    )
