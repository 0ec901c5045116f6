"""Slash commands: /ask, /unsolve, /close, /rep and /leaderboard, and `/mod reveal`.

(/solved opens a modal and lives in `solved.py`; /mod and /thanks in `moderation.py`; /kb in
`knowledge.py`.) Every listener acks first, with no body, so
Slack's 3-second deadline holds whatever the database does; replies then go through the
command's response_url, privately. A slash command has no thread context in Slack, so the
commands that act on a question take its number (`#12`) or a link to its message. Slack
clears what the member typed once a command is sent: a question or reason the core did not
keep (refused, or failed before) comes back with the error (`guard.giving_back`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from adapters.slack import announce, blocks, long_text, opened
from adapters.slack.deps import Ack, Caller, SlackDeps, deps_of
from adapters.slack.guard import giving_back, guarded
from adapters.slack.outbound import Respond, describe_error, error_code, passes
from adapters.slack.texts import SlackPresenter, defuse
from adapters.slack.translate import (
    interaction_id,
    member_ref,
    message_id,
    parse_period,
    parse_question,
    parse_user,
    plain_text,
    split_anonymous,
    team_id_of,
)
from bot import commands as c
from bot import errors
from bot.events import (
    AskerRevealed,
    LeaderboardShown,
    QuestionClosed,
    QuestionOpened,
    QuestionReopened,
    QuestionShown,
    ReputationShown,
)
from bot.model import Actor, ThreadRef
from bot.text import truncate

log = logging.getLogger(__name__)


class Invocation(Caller):
    """One slash command after the ack: a `Caller` with the command's name, text and event id."""

    def __init__(
        self, deps: SlackDeps, community: str, command: Mapping[str, Any], respond: Respond | None
    ) -> None:
        user, channel = str(command.get("user_id", "")), str(command.get("channel_id", ""))
        super().__init__(deps, community, user, channel or None, respond=respond)
        self.text = str(command.get("text") or "").strip()
        self.name = str(command.get("command", ""))
        self.event_id = interaction_id("command", command.get("trigger_id"))

    async def reply(self, text: str, blocks_: list[dict[str, Any]] | None = None) -> None:
        # Through the response_url, not an ephemeral in `channel`: a command works in DMs and
        # in channels the bot is not a member of.
        await self.deps.out.private(
            self.user, text, blocks=blocks_, respond=self.respond,
            continued=self.p.t("slack.reply_continued"),
        )  # fmt: skip

    async def usage(self, key: str, sub: str = "") -> None:
        command = f"{self.name} {sub}".strip()
        await self.reply(self.p.t("slack.usage", usage=self.p.t(key, command=command)))


async def start_command(
    ack: Ack, body: Mapping[str, Any], context: Mapping[str, Any], respond: Respond | None
) -> Invocation | None:
    await ack()
    deps = deps_of(context)
    community = deps.community(team_id_of(body))
    if community is None:
        await deps.turn_away(body, str(body.get("user_id") or ""), respond=respond)
        return None
    return Invocation(deps, community, body, respond)


async def thread_for(deps: SlackDeps, actor: Actor, target: int | ThreadRef) -> ThreadRef:
    """The thread of a question named by number, or by a link into its thread. Either way
    a question that is not there is "not found": a link into any other thread too."""

    try:
        if isinstance(target, ThreadRef):
            shown = await deps.bot.handle(c.ShowQuestion(actor, thread=target))
        else:
            shown = await deps.bot.handle(c.ShowQuestion(actor, target))
    except errors.NotAQuestionThread:
        raise errors.QuestionNotFound() from None
    assert isinstance(shown, QuestionShown)
    if shown.question.thread is None:
        raise errors.NotAQuestionThread()
    return shown.question.thread


async def on_unknown_command(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    """A command the app has no listener for (one renamed in `[slack.commands]` but still
    in the app's manifest): a private note naming the commands it answers. Bolt's answer
    for it, a 404, Slack shows only as '/x failed with the error "dispatch_failed"'."""

    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    log.warning("Slack: %s has no listener (renamed in [slack.commands]?)", run.name)
    names = " ".join(run.deps.commands.model_dump().values())
    await run.reply(
        run.p.t(
            "slack.unknown_command", command=blocks.escape(truncate(run.name, 40)), commands=names
        )
    )


class NoHelpChannelForYou(errors.DomainError):
    """/ask run outside the help channels, and none of them is one the member can read: the
    private ones they are not in (a private channel's name is not said: it is its members'
    business)."""

    key = "slack.ask_no_help_channel"


class HelpChannelArchived(errors.DomainError):
    """The help channel /ask would post in is archived: nobody can post there until it is
    unarchived (inviting the bot, the fix for most refusals, changes nothing)."""

    key = "slack.ask_archived"


async def ask_channel(deps: SlackDeps, user: str, invoked_in: str | None) -> str | None:
    """Where /ask posts: the channel it was run in when that is a help channel (with none
    configured, wherever it was run); else the first help channel `user` can read, so they
    can follow their question, that is not archived: a public one, or a private one they
    are in (Slack is asked: `conversations.info`, `conversations.members`). None when Slack
    can say nothing of any of them; otherwise, with none to post in,
    `HelpChannelArchived` (naming the first archived one), `SlackBusy` (Slack could not say
    who is in a private one) or `NoHelpChannelForYou`."""

    help_channels = deps.config.help_channel_ids
    if invoked_in and (not help_channels or invoked_in in help_channels):
        return invoked_in
    archived: str | None = None
    hidden = unsure = False
    for channel in help_channels:
        info = await deps.out.channel_info(channel)
        if info is None:
            continue  # (gone, private without the bot, or Slack's trouble: not a place to post)
        member = True if not info.get("is_private") else await deps.out.has_member(channel, user)
        if member is None:
            unsure = True
        elif not member:
            hidden = True
        elif info.get("is_archived"):
            archived = archived or channel
        else:
            return channel
    if archived:
        raise HelpChannelArchived(channel=archived)
    if unsure:
        raise SlackBusy()  # (not "you aren't in any": Slack could not say)
    if hidden:
        raise NoHelpChannelForYou()
    return None


def anonymous_allowed(deps: SlackDeps, community: str) -> bool:
    return deps.bot.config.communities[community].lifecycle.anonymous_questions


async def on_ask(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    """`/ask <question>` posts it; `/ask` alone opens a form (with "Ask anonymously" where the
    community allows it); `/ask --anonymous <question>` asks anonymously straight away."""

    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    anonymous, text = split_anonymous(run.text)
    async with guarded(run.p, run.reply, f"{run.name} command"):
        if not plain_text(text):
            allowed = anonymous_allowed(run.deps, run.community)
            if anonymous and not allowed:
                raise errors.AnonymousDisabled()
            view = blocks.ask_modal(
                run.p,
                anonymous_allowed=allowed,
                anonymous=anonymous,
                channel=run.channel,
            )
            if not await run.deps.out.open_view(str(body.get("trigger_id", "")), view):
                await run.usage("slack.usage_ask")
            return
        await post_question(
            run.deps,
            run.p,
            await run.actor(),
            text,
            invoked_in=run.channel,
            anonymous=anonymous,
            event_id=run.event_id,
            reply=run.reply,
        )


class CannotPostThere(errors.DomainError):
    """Slack refused the question's message for where it goes: the bot is not in the
    channel (and cannot join it), the channel is private or gone (archived:
    `HelpChannelArchived`)."""

    key = "slack.ask_nowhere"


class SlackBusy(errors.DomainError):
    """Slack did not take the question's message for now: a rate limit past slack_sdk's
    retries, Slack's own trouble (5xx) or the network's."""

    key = "slack.ask_not_posted"


async def post_question(
    deps: SlackDeps,
    p: SlackPresenter,
    actor: Actor,
    text: str,
    *,
    invoked_in: str | None,
    anonymous: bool,
    event_id: str | None,
    reply: Callable[[str], Awaitable[object]],
) -> None:
    """The bot posts the question in a help channel (as its own message: `/ask` has no
    message of the member's to thread on), opens it in the core, and answers in the thread.
    `text` is mrkdwn (a slash command's text is already escaped by Slack, but its special
    mentions and links are markup: the post has them `defuse`d). An anonymous
    question shows `question.anonymous_author`, never the asker. A question too long for one
    message goes on in the thread, in as many messages as it takes (`long_text`), before
    the bot's answer.

    What the member typed is gone from Slack once they sent the command or the form, so
    until the question is open any refusal or failure comes back to them privately with
    their question as they wrote it, to post again (and, where Slack kept the bot's copy of
    a question the core refused, where it stays). Once it is open it is not given back;
    but where Slack refused a later part of it, they are told which parts are missing and
    get those, to add in the thread themselves."""

    stays: list[str] = []  # says where the bot's copy of a question the core refused stays
    posted: tuple[QuestionOpened, str, str, list[str]] | None = None
    async with guarded(p, reply, "slack /ask"):
        async with giving_back(text, intro="slack.ask_given_back", notes=stays):
            posted = await _open(
                deps, p, actor, text, invoked_in=invoked_in, anonymous=anonymous,
                event_id=event_id, stays=stays,
            )  # fmt: skip
    if posted is None:
        return
    result, channel, root, rest = posted
    unposted = await _post_rest(deps, channel, root, rest, result.question.id)
    opened_text, reply_blocks = blocks.question_opened(p, result, deps.commands.solved)
    await deps.out.post(
        channel, opened_text, blocks=reply_blocks, thread_ts=root,
        metadata=opened.metadata(result.question.id),
    )  # fmt: skip
    done = [p.t("slack.ask_posted", id=result.question.id, channel=channel)]
    if unposted:
        done.append(p.t("slack.ask_partly_posted"))
    await reply("\n".join(done))
    for part in unposted:
        await reply(part)
    await announce.welcome(deps, p, result.welcome, actor.ref.id, channel, root)


def asked_post(p: SlackPresenter, asker: str, text: str, *, anonymous: bool) -> str:
    """The bot's post of an /ask question: who asked it (the asker mentioned, or
    `question.anonymous_author`), then `text`, the question as the member wrote it but
    `defuse`d: posted by the bot, a member's `<!channel>` or `<!subteam^…>` would ping
    everyone, past the workspace's rules on who may (anonymously, even)."""

    text = defuse(text)
    if anonymous:
        author = p.t("question.anonymous_author")
        return p.t("slack.asked_anonymous", author=author, text=text)
    return p.t("slack.asked", user=asker, text=text)


async def _open(
    deps: SlackDeps,
    p: SlackPresenter,
    actor: Actor,
    text: str,
    *,
    invoked_in: str | None,
    anonymous: bool,
    event_id: str | None,
    stays: list[str],
) -> tuple[QuestionOpened, str, str, list[str]]:
    """Post the question's first part and open it in the core: the core's result, the
    channel, the root message's ts and the parts still to post in its thread. When the
    core refuses, the posted part is deleted again; where Slack refuses that, a line saying
    a copy stays in its channel is added to `stays`, for the member."""

    if actor.is_bot:
        raise errors.BotsCannot()
    if anonymous and not anonymous_allowed(deps, actor.ref.community):
        raise errors.AnonymousDisabled()
    channel = await ask_channel(deps, actor.ref.id, invoked_in)
    if channel is None:
        raise CannotPostThere()
    text = defuse(text)  # (the core keeps the words as posted: a link with its address)
    first, *rest = long_text.split_message(asked_post(p, actor.ref.id, text, anonymous=anonymous))
    try:
        root = await deps.out.post_or_raise(channel, first)
    except Exception as exc:
        log.warning("slack /ask: chat.postMessage in %s failed: %s", channel, describe_error(exc))
        if error_code(exc) == "is_archived":
            raise HelpChannelArchived(channel=channel) from exc
        raise (SlackBusy() if passes(exc) else CannotPostThere()) from exc
    ref = message_id(channel, root)
    # A private channel's question stays out of search; when Slack can't say, so does it.
    info = await deps.out.channel_info(channel)
    private = bool(info.get("is_private")) if info is not None else True
    try:
        result = await deps.bot.handle(
            c.AskQuestion(
                actor,
                channel,
                ref,
                plain_text(text),
                event_id=event_id,
                thread_id=ref,
                anonymous=anonymous,
                private=private,
            )
        )
    except BaseException:
        # The core refused or failed: take the bot's copy of the question down again.
        if not await deps.out.delete(channel, root):
            stays.append(p.t("slack.ask_copy_stays", channel=channel))
        raise
    assert isinstance(result, QuestionOpened)
    return result, channel, root, rest


async def _post_rest(
    deps: SlackDeps, channel: str, root: str, rest: list[str], question_id: int
) -> list[str]:
    """Post the rest of a long question in its thread, stopping at the first part Slack
    refuses (the thread must not read on past a gap as if it were whole); returns the parts
    not posted, as they would have been. Each part's metadata names its question, for
    `/mod delete` to find it (`opened.asked_metadata`)."""

    wanted = [part for part in rest if part.strip()]  # (Slack refuses a message of spaces)
    for n, part in enumerate(wanted):
        try:
            await deps.out.post_or_raise(
                channel, part, thread_ts=root, metadata=opened.asked_metadata(question_id, n + 2)
            )
        except Exception as exc:
            log.warning(
                "slack /ask: part %d of %d of the question in %s:%s not posted: %s",
                n + 2, len(wanted) + 1, channel, root, describe_error(exc),
            )  # fmt: skip
            return wanted[n:]
    return []


async def on_unsolve(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    target = parse_question(run.text)
    if target is None:
        await run.usage("slack.usage_question")
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        await reopen(run, target)


async def reopen(run: Invocation, target: int | ThreadRef) -> None:
    actor = await run.actor()
    thread = await thread_for(run.deps, actor, target)
    result = await run.deps.bot.handle(c.Unsolve(actor, thread, event_id=run.event_id))
    assert isinstance(result, QuestionReopened)
    await announce.reopened(run.deps, run.p, result, run.user, run.respond)


async def close(run: Invocation, args: str) -> bool:
    """`<question> [reason]`; returns False when the arguments don't name a question."""

    first, _, reason = args.strip().partition(" ")
    target = parse_question(first)
    if target is None:
        return False
    async with giving_back(reason):
        actor = await run.actor()
        thread = await thread_for(run.deps, actor, target)
        result = await run.deps.bot.handle(
            c.CloseQuestion(actor, thread, plain_text(reason) or None, event_id=run.event_id)
        )
    assert isinstance(result, QuestionClosed)
    await announce.closed(run.deps, run.p, result, run.user, run.respond)
    return True


async def on_close(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        if not await close(run, run.text):
            await run.usage("slack.usage_close")


async def on_rep(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    target = parse_user(run.text) if run.text else None
    if run.text and target is None:
        await run.usage("slack.usage_rep")
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        actor = await run.actor()
        member = member_ref(run.community, target) if target else None
        # Slack only makes a mention of a real user: one the bot has not seen has no points
        result = await run.deps.bot.handle(c.ShowReputation(actor, member, member_name=target))
        assert isinstance(result, ReputationShown)
        text, rep_blocks = blocks.reputation(run.p, result)
        await run.reply(text, rep_blocks)


async def on_leaderboard(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    period = parse_period(run.text)
    if period is None:
        await run.usage("slack.usage_leaderboard")
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        result = await run.deps.bot.handle(c.ShowLeaderboard(await run.actor(), period))
        assert isinstance(result, LeaderboardShown)
        text, board_blocks = blocks.leaderboard(run.p, result)
        await run.reply(text, board_blocks)


async def reveal(run: Invocation, actor: Actor, args: str) -> None:
    """`/mod reveal <question> [reason]`: who asked an anonymous question, privately."""

    first, _, reason = args.strip().partition(" ")
    target = parse_question(first)
    if target is None:
        await run.usage("slack.usage_close", "reveal")
        return
    async with giving_back(reason):
        if isinstance(target, ThreadRef):
            shown = await run.deps.bot.handle(c.ShowQuestion(actor, thread=target))
            assert isinstance(shown, QuestionShown)
            target = shown.question.id
        result = await run.deps.bot.handle(
            c.RevealAsker(actor, target, plain_text(reason) or None, event_id=run.event_id)
        )
    assert isinstance(result, AskerRevealed)
    await run.reply(run.p.revealed(result))
