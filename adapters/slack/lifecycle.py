"""The question lifecycle on Slack, member-facing side: `/guidelines`, `/questions`, the /ask
form's submission and the "Mark solved" button on reminders.

(The scheduler's own messages, reminders, closes and escalations, go out through
`sender.py`; the welcome and the reopen note are in `announce.py`.)
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from adapters.slack import blocks, ids
from adapters.slack.commands import (
    ask_channel,
    post_question,
    start_command,
)
from adapters.slack.deps import Ack, Caller, SlackDeps, deps_of, start_interaction
from adapters.slack.guard import guarded
from adapters.slack.outbound import Respond
from adapters.slack.solved import build_modal
from adapters.slack.translate import (
    interaction_id,
    parse_ask_submission,
    split_message_id,
    team_id_of,
)
from bot import commands as c
from bot import errors
from bot.events import GuidelinesShown, QuestionsListed
from bot.model import Question

log = logging.getLogger(__name__)


async def permalinks(deps: SlackDeps, questions: tuple[Question, ...]) -> dict[int, str]:
    """Question number -> a link to its thread (questions Slack can't link are left out)."""

    links: dict[int, str] = {}
    for q in questions:
        root = split_message_id(q.message_id)
        link = await deps.out.permalink(*root) if root else None
        if link:
            links[q.id] = link
    return links


async def on_guidelines(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        # Outside a help channel: the guidelines of the channel /ask would post in (or, with
        # none the member can read, of the first).
        try:
            channel = await ask_channel(run.deps, run.user, run.channel)
        except errors.DomainError:
            channel = None
        help_channels = run.deps.config.help_channel_ids
        channel = channel or (help_channels[0] if help_channels else run.channel)
        result = await run.deps.bot.handle(c.ShowGuidelines(await run.actor(), channel))
        assert isinstance(result, GuidelinesShown)
        name = (await run.deps.out.channel_name(channel) if channel else None) or (
            str(body.get("channel_name") or channel or "")
        )
        await run.reply("\n".join(run.p.guidelines(result, name)))


async def on_questions(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    """`/questions`: the member's own open questions, each linking to its thread."""

    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        result = await run.deps.bot.handle(c.ListMyQuestions(await run.actor()))
        assert isinstance(result, QuestionsListed)
        links = await permalinks(run.deps, result.questions)
        shown = QuestionsListed(
            tuple(replace(q, title=blocks.escape(q.title)) for q in result.questions)
        )
        lines = run.p.questions(shown, link=lambda q: f"<{links[q.id]}>" if q.id in links else None)
        await run.reply("\n".join(lines))


async def on_ask_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    deps = deps_of(context)
    community = deps.community(team_id_of(body))
    if community is None:
        await ack()
        return
    p = deps.present(community)
    form = parse_ask_submission(view)
    if not form.text:
        await ack(
            response_action="errors",
            errors={ids.ASK_TEXT_BLOCK: p.plain_t("slack.ask_modal_empty")},
        )
        return
    await ack()
    who = Caller(deps, community, str(body["user"]["id"]), form.channel)

    async with guarded(p, who.reply, "slack /ask form"):
        await post_question(
            deps,
            p,
            await who.actor(),
            blocks.escape(form.text),
            invoked_in=form.channel,
            anonymous=form.anonymous,
            event_id=interaction_id("view", view.get("id")),
            reply=who.reply,
        )


async def on_mark_solved_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    """The reminder's "Mark solved": the asker (or a moderator) gets the /solved form for
    that question; anyone else a private refusal (on submitting the form, when Slack was
    too slow to say who they are before it had to open)."""

    who = await start_interaction(ack, body, context, respond)
    if who is None:
        return
    deps, p = who.deps, who.p

    async with guarded(p, who.reply, "slack Mark solved button"):
        try:
            question_id = int(str(action.get("value", "")))
        except ValueError:
            raise errors.QuestionNotFound() from None
        actor, settled = await who.actor_before_form()
        # (refused before the form as /solved is: someone else's question, one solved already)
        view = await build_modal(deps, p, actor, question_id, who.channel, settled=settled)
        if view is None or not await deps.out.open_view(str(body.get("trigger_id", "")), view):
            await who.reply(p.t("error.generic"))
