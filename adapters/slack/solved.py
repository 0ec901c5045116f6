"""`/solved`: a modal to pick the question and the helpers, then one `MarkSolved` for them all.

A slash command in Slack has no thread context, so instead of guessing the thread the bot asks:
the member's open questions (most recent preselected, or the one named in the command text)
and, for the chosen question, checkboxes for everyone who answered. Picking another question
reloads the helpers (`views.update`). Submission is validated from the payload alone, so the
ack (with `response_action: errors` when something is missing) is immediate; the core runs
after it. The core credits each ticked helper or says why not, in one result announced once.
The event id derives from the view id, so a repeated submission changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.slack import announce, blocks, ids
from adapters.slack.commands import start_command, thread_for
from adapters.slack.deps import Ack, Caller, SlackDeps, deps_of
from adapters.slack.guard import guarded
from adapters.slack.outbound import Respond
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import (
    interaction_id,
    member_ref,
    parse_question,
    parse_solved_submission,
    private_channel,
    team_id_of,
)
from bot import commands as c
from bot import errors
from bot.events import QuestionShown, QuestionsListed
from bot.model import Actor, QuestionStatus, ThreadRef
from bot.text import parse_number

log = logging.getLogger(__name__)


async def build_modal(
    deps: SlackDeps,
    p: SlackPresenter,
    actor: Actor,
    question_id: int | None,
    channel: str | None,
    *,
    settled: bool = True,
) -> dict[str, Any] | None:
    """The modal for `question_id` (default: the most recent open question); None when the
    member has no open question to offer.

    Refused before any form opens, as its submission would be: a member who may not mark
    the question (`NotTheAsker`; unless `settled` is False, when Slack was too slow to say
    whether `actor` moderates: then the submission decides, on Slack's answer), and a
    question solved already with nobody left to credit (`AlreadySolved`: its form would say
    nobody had answered). A solved question with an answerer not yet credited gets the form,
    to credit them too."""

    mine = await deps.bot.handle(c.ListMyQuestions(actor))
    assert isinstance(mine, QuestionsListed)
    if question_id is None:
        if not mine.questions:
            return None
        question_id = mine.questions[0].id
    shown = await deps.bot.handle(c.ShowQuestion(actor, question_id))
    assert isinstance(shown, QuestionShown)
    if not shown.may_solve and settled:
        raise errors.NotTheAsker()
    candidates = blocks.helper_candidates(shown)
    if shown.question.status is QuestionStatus.SOLVED and not candidates:
        raise errors.AlreadySolved()
    return blocks.solved_modal(
        p, questions=mine.questions, selected=shown.question, candidates=candidates,
        channel=channel,
    )  # fmt: skip


async def on_solved(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    target = parse_question(run.text) if run.text else None
    if run.text and target is None:
        await run.usage("slack.usage_question")
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        # Only reads before the form, which must open within the trigger's 3 seconds: a
        # member Slack is slow to name is read as what is known; the submission asks again.
        actor, settled = await run.actor_before_form()
        if isinstance(target, ThreadRef):
            # (any question the link leads to, as for a number: a moderator's too)
            target = await question_at(run.deps, actor, target)
        view = await build_modal(run.deps, run.p, actor, target, run.channel, settled=settled)
        if view is None:
            await run.reply(run.p.t("question.list_empty"))
            return
        if not await run.deps.out.open_view(str(body.get("trigger_id", "")), view):
            await run.reply(run.p.t("error.generic"))


async def question_at(deps: SlackDeps, actor: Actor, thread: ThreadRef) -> int:
    """The number of the question a link leads to (into its thread, or to its message)."""

    try:
        shown = await deps.bot.handle(c.ShowQuestion(actor, thread=thread))
    except errors.NotAQuestionThread:
        raise errors.QuestionNotFound() from None
    assert isinstance(shown, QuestionShown)
    return shown.question.id


async def on_question_picked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]
) -> None:
    """Another question was picked in the modal: reload its helpers."""

    await ack()
    deps = deps_of(context)
    community = deps.community(team_id_of(body))
    if community is None:
        return
    view = body.get("view") or {}
    channel = private_channel(view)
    who = Caller(deps, community, str(body["user"]["id"]), channel)
    p = who.p

    async with guarded(p, who.reply, "slack /solved question picker"):
        question_id = parse_number(str((action.get("selected_option") or {}).get("value") or ""))
        if question_id is None:
            raise errors.QuestionNotFound()
        actor = await who.actor()
        new_view = await build_modal(deps, p, actor, question_id, channel)
        if new_view is not None:
            await deps.out.update_view(str(view.get("id")), new_view, view.get("hash"))


async def on_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    deps = deps_of(context)
    community = deps.community(team_id_of(body))
    if community is None:
        await ack()
        return
    p = deps.present(community)
    form = parse_solved_submission(view)
    if form.question_id is None:
        await ack(
            response_action="errors",
            errors={ids.SOLVED_QUESTION_BLOCK: p.plain_t("slack.modal_pick_question")},
        )
        return
    if form.helpers_offered and not form.helpers:
        await ack(
            response_action="errors",
            errors={ids.helpers_block(form.question_id): p.plain_t("slack.modal_pick_helper")},
        )
        return
    await ack()
    who = Caller(deps, community, str(body["user"]["id"]), form.channel)
    user = who.user
    view_id = str(view.get("id", ""))

    async with guarded(p, who.reply, "slack /solved submission"):
        actor = await who.actor()
        thread = await thread_for(deps, actor, form.question_id)
        # One command for every ticked helper: the core credits or refuses each and says so.
        helpers = tuple(member_ref(community, helper) for helper in form.helpers)
        result = await deps.bot.handle(
            c.MarkSolved(actor, thread, helpers=helpers, event_id=interaction_id("view", view_id))
        )
        assert isinstance(result, announce.SolvedResult)
        await announce.solved(deps, p, result, user)
