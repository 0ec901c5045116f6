"""How the core's write results show up in Slack, the same way whichever surface caused them.

A solution marked by the shortcut, a ✅ reaction, the /solved modal or a suggestion button
all end here: a private confirmation to the member who did it, one short public line in the
question's thread, and a ✅ reaction on the question's root message (removed on reopen, and
when a removed ✅ takes back the last solution mark: `unaccepted`).
Also here: the private welcome on a member's first message in a help channel, and the note
when an asker's reply opens their dormant-closed question again.
"""

from __future__ import annotations

from adapters.slack import blocks, ids
from adapters.slack.deps import SlackDeps
from adapters.slack.outbound import Respond
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import split_message_id
from bot.events import (
    AnswerAccepted,
    AnswerUnaccepted,
    HelperChoiceNeeded,
    HelpersNotCredited,
    QuestionClosed,
    QuestionReopened,
    SolvedWithoutHelper,
    Welcome,
)
from bot.model import Question

SolvedResult = AnswerAccepted | HelpersNotCredited | HelperChoiceNeeded | SolvedWithoutHelper


def _thread(q: Question) -> tuple[str, str] | None:
    return split_message_id(q.thread_id) or split_message_id(q.message_id)


async def public(deps: SlackDeps, q: Question, text: str) -> None:
    """One line in the question's thread, for everyone."""

    where = _thread(q)
    if where:
        await deps.out.post(where[0], text, thread_ts=where[1])


async def _private(
    deps: SlackDeps,
    p: SlackPresenter,
    q: Question,
    user: str,
    text: str,
    respond: Respond | None,
) -> None:
    where = _thread(q)
    await deps.out.private(
        user,
        text,
        channel=where[0] if where else None,
        thread_ts=where[1] if where else None,
        respond=respond,
        continued=p.t("slack.reply_continued"),
    )


async def _check_root(deps: SlackDeps, q: Question, *, on: bool) -> None:
    await _root_reaction(deps, q, ids.CHECK_REACTION, on=on)


async def _root_reaction(deps: SlackDeps, q: Question, name: str, *, on: bool) -> None:
    """The question's root message shows its state: ✅ solved, 🔒 closed (as the sender's
    `ThreadState` does for the core's own closes and reopens)."""

    root = split_message_id(q.message_id)
    if root is not None:
        await deps.out.reaction(root[0], root[1], name, on=on)


async def solved(
    deps: SlackDeps,
    p: SlackPresenter,
    result: SolvedResult,
    user: str,
    respond: Respond | None = None,
) -> None:
    q = result.question
    if isinstance(result, AnswerAccepted):
        await _private(deps, p, q, user, "\n".join(p.accepted(result)), respond)
        await public(deps, q, p.accepted_public(result))
        await _check_root(deps, q, on=True)
    elif isinstance(result, SolvedWithoutHelper):
        await public(deps, q, p.solved_alone(result))
        await _check_root(deps, q, on=True)
    elif isinstance(result, HelpersNotCredited):
        await _private(deps, p, q, user, "\n".join(p.none_credited(result)), respond)
    else:
        await _private(deps, p, q, user, p.choose_helper(result), respond)


async def reopened(
    deps: SlackDeps,
    p: SlackPresenter,
    result: QuestionReopened,
    user: str,
    respond: Respond | None = None,
) -> None:
    text = p.reopened(result)
    await public(deps, result.question, text)
    await _check_root(deps, result.question, on=False)
    # /unsolve opens it for answers again, even after its solved-close: no 🔒 either.
    await _root_reaction(deps, result.question, ids.CLOSED_REACTION, on=False)
    await _private(deps, p, result.question, user, text, respond)


async def unaccepted(deps: SlackDeps, p: SlackPresenter, result: AnswerUnaccepted) -> None:
    """A solution mark taken back: one line in the thread says so, and with no marked answer
    left the question is open again and its root loses the ✅ `solved` put there, as after
    /unsolve. Nothing private: the member who took it back sees the thread's line."""

    await public(deps, result.question, p.unaccepted(result))
    if result.reopened:
        await _check_root(deps, result.question, on=False)


async def closed(
    deps: SlackDeps,
    p: SlackPresenter,
    result: QuestionClosed,
    user: str,
    respond: Respond | None = None,
) -> None:
    text = blocks.closed_line(p, result)
    await public(deps, result.question, text)
    await _root_reaction(deps, result.question, ids.CLOSED_REACTION, on=True)  # as /mod close
    await _private(deps, p, result.question, user, text, respond)


async def channel_label(deps: SlackDeps, channel: str) -> str:
    """A channel as the catalog's `#{channel}` wants it: its name (the id if Slack can't say)."""

    return await deps.out.channel_name(channel) or channel


async def welcome(
    deps: SlackDeps,
    p: SlackPresenter,
    greeting: Welcome | None,
    user: str,
    channel: str,
    thread_ts: str | None = None,
) -> None:
    """The member's first message in this help channel: a greeting only they see."""

    if greeting is None:
        return
    lines = p.welcome(greeting, await channel_label(deps, greeting.channel_id or channel))
    await deps.out.private(user, "\n".join(lines), channel=channel, thread_ts=thread_ts)


async def reopened_by_asker(deps: SlackDeps, p: SlackPresenter, q: Question) -> None:
    """The asker wrote in their dormant-closed question: it is open again, and its root loses
    the 🔒 the close put there."""

    # An anonymous question says nothing: "open again" right under the message that opened
    # it would tell everyone who asked (only the asker's message reopens it).
    if not q.anonymous:
        await public(deps, q, p.t("lifecycle.reopened", id=q.id))
    await _root_reaction(deps, q, ids.CLOSED_REACTION, on=False)
