"""`/mod`, `/thanks`, thanks found in thread replies, and the "Not a duplicate" button.

`/mod` sub-commands are text (a slash command has no thread context in Slack, so a question is
named by its number or a link to its message). There is no moderator guard in front of the core
on purpose: the core refuses non-moderators itself and writes every refusal to the audit log,
which a guard here would skip. That includes `/mod help` (`ShowModeratorHelp`): the core says
who may see the list, this module writes it. What the core pushes later (the warned member's
note, the duplicate notice, ✅/🔒/⛔ on the root) arrives through the Outbox sender. A reason
the core did not keep (refused, or failed before) comes back with the error: Slack cleared it
once the command was sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.slack import announce, blocks, opened
from adapters.slack.commands import Invocation, reveal, start_command, thread_for
from adapters.slack.deps import Ack, SlackDeps, start_interaction
from adapters.slack.guard import giving_back, guarded
from adapters.slack.outbound import Respond, error_code
from adapters.slack.texts import UNREADABLE, Mrkdwn, SlackPresenter
from adapters.slack.translate import (
    after_words,
    interaction_id,
    member_ref,
    parse_question,
    parse_user,
    plain_text,
    split_message_id,
    split_subcommand,
    thread_ref,
    words,
)
from bot import commands as c
from bot import events as ev
from bot.durations import parse_since
from bot.model import REPORT_OUTCOMES, Actor, Member, MemberRef, ReportStatus, ThreadRef
from bot.moderation_presenter import ModerationPresenter
from bot.text import parse_number, truncate

log = logging.getLogger(__name__)

QUESTION_ACTIONS = ("lock", "unlock", "reopen", "close", "duplicate", "delete", "restore")
# Slack's errors for a reported message the bot cannot remove.
MESSAGE_GONE = frozenset({"message_not_found", "channel_not_found"})
UNKNOWN_QUOTED = 40  # characters of an unknown sub-command quoted back


_ESCAPED_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def as_text(value: object) -> object:
    """A parameter as mrkdwn: members' words escaped, the mentions in them kept; markup
    (`Mrkdwn`) and numbers as they are."""

    if isinstance(value, Mrkdwn) or not isinstance(value, str):
        return value
    return _ESCAPED_MENTION.sub(r"<@\1>", blocks.escape(value))


class MemberWordsEscaped(SlackPresenter):
    """For the core's ModerationPresenter, which puts members' words (reasons, excerpts,
    names) into its texts as parameters, some inside its own pieces (`" — {reason}"`): every
    parameter that is not markup already (`Mrkdwn`: its other texts) is escaped, so
    `<!channel>` or `<https://x|click>` is words; the member mentions in it stay mentions."""

    def t(self, key: str, **params: object) -> str:
        return super().t(key, **{k: as_text(v) for k, v in params.items()})


def _by_name(member: Member) -> Mrkdwn:
    # (markup already, so that a name that looks like `<@U1>` is not made a mention)
    return Mrkdwn(blocks.escape(member.display_name))


def mod_present(p: SlackPresenter, *, by_name: bool = False) -> ModerationPresenter:
    """`by_name`: members by their display name (escaped, as members' words), not by
    mention, for a post where a mention would notify them (Slack has no mention that does
    not, for whoever can read the channel)."""

    if by_name:
        return ModerationPresenter(MemberWordsEscaped(p.catalog, p.locale, name=_by_name))
    return ModerationPresenter(MemberWordsEscaped(p.catalog, p.locale))


class Usage(Exception):
    """The arguments don't fit; answered with the sub-command's usage line (a catalog key)."""

    def __init__(self, key: str) -> None:
        self.key = key


# -- /mod ----------------------------------------------------------------------------------------


async def on_mod(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        sub, rest = split_subcommand(run.text)
        try:
            await mod_command(run, sub, rest)
        except Usage as bad:
            await run.usage(bad.key, sub)


async def mod_command(run: Invocation, sub: str, rest: str) -> None:
    actor = await run.actor()
    if sub in ("", "help"):
        await mod_help(run, actor)
    elif sub == "reveal":
        await reveal(run, actor, rest)
    elif sub in QUESTION_ACTIONS:
        await moderate_question(run, sub, rest)
    elif sub == "rep":
        await mod_rep(run, rest)
    elif sub == "helpban":
        args = words(rest)
        user = parse_user(args[0]) if args else None
        if user is None or len(args) < 2:
            raise Usage("slack.usage_mod_helpban")
        duration = args[1]  # the core reads it, and refuses a non-moderator first
        reason = plain_text(" ".join(args[2:])) or None
        async with giving_back(after_words(rest, 2)):
            result = await run.deps.bot.handle(
                c.HelpBanMember(
                    actor, await _target(run, user), duration, reason, event_id=run.event_id
                )
            )
        assert isinstance(result, ev.MemberHelpBanned)
        await run.reply(mod_present(run.p).helpbanned(result))
    elif sub == "warn":
        args = words(rest)
        user = parse_user(args[0]) if args else None
        if user is None or len(args) < 2:
            raise Usage("slack.usage_mod_warn")
        async with giving_back(after_words(rest, 1)):
            result = await run.deps.bot.handle(
                c.WarnMember(
                    actor,
                    await _target(run, user),
                    plain_text(" ".join(args[1:])),
                    event_id=run.event_id,
                )
            )
        assert isinstance(result, ev.MemberWarned)
        await run.reply(mod_present(run.p).warned(result))
    elif sub == "audit":
        await mod_audit(run, words(rest))
    elif sub == "reports":
        listed = await run.deps.bot.handle(c.ListReports(actor))
        assert isinstance(listed, ev.ReportsListed)
        await reply_lines(run, mod_present(run.p).reports(listed))
    elif sub == "report":
        args = words(rest)
        report_id = parse_number(args[0]) if args else None
        outcome = REPORT_OUTCOMES.get(args[1].lower()) if len(args) >= 2 else None
        if report_id is None or outcome is None:
            raise Usage("slack.usage_mod_report")
        await resolve_report(
            run.deps,
            run.p,
            actor,
            report_id,
            outcome,
            reason=plain_text(" ".join(args[2:])) or None,
            event_id=run.event_id,
            reply=run.reply,
            typed=after_words(rest, 2),
        )
    else:
        await mod_help(run, actor, unknown=sub)


async def mod_help(run: Invocation, actor: Actor, unknown: str | None = None) -> None:
    """Every sub-command, after a line about an `unknown` one; the core refuses (and audits)
    a member who is not a moderator."""

    shown = await run.deps.bot.handle(c.ShowModeratorHelp(actor))
    assert isinstance(shown, ev.ModeratorHelpShown)
    text = blocks.mod_help(run.p, run.name)
    if unknown is not None:
        # Quoted short: a reply holds at most 40,000 characters, and the list must fit.
        sub = blocks.escape(truncate(plain_text(unknown), UNKNOWN_QUOTED))
        text = run.p.t("slack.mod_unknown", sub=sub, command=run.name) + "\n" + text
    await run.reply(text)


def _ref(run: Invocation, user: str) -> MemberRef:
    return member_ref(run.community, user)


async def _target(run: Invocation, user: str) -> Actor:
    """The member a moderator acts on, with their Slack name, so the core can store someone it
    has never seen (e.g. a spammer who never posted in a help channel)."""

    return await run.deps.people.actor(run.community, user)


async def reply_lines(run: Invocation, lines: list[str]) -> None:
    text, body = blocks.lines_blocks(lines)
    await run.reply(text, body)


async def moderate_question(run: Invocation, sub: str, rest: str) -> None:
    """`<question> [reason]`, or for duplicate `<question> <original> [reason]`."""

    args = words(rest)
    target = parse_question(args[0]) if args else None
    if target is None or (sub == "duplicate" and len(args) < 2):
        raise Usage("slack.usage_mod_duplicate" if sub == "duplicate" else "slack.usage_close")
    actor = await run.actor()
    duplicate_of = None
    reason = plain_text(" ".join(args[1:])) or None
    if sub == "duplicate":
        duplicate_of = duplicate_target(args[1])
        reason = plain_text(" ".join(args[2:])) or None
    thread = target if isinstance(target, ThreadRef) else None
    number = target if isinstance(target, int) else None
    async with giving_back(after_words(rest, 2 if sub == "duplicate" else 1)):
        result = await run.deps.bot.handle(
            c.ModerateQuestion(
                actor, c.QuestionAction(sub), thread=thread, question_id=number, reason=reason,
                duplicate_of=duplicate_of, event_id=run.event_id,
            )
        )  # fmt: skip
    assert isinstance(result, ev.QuestionModerated)
    text = mod_present(run.p).question(result)
    await run.reply(text)
    # One public line in the thread, where members will look. Slack threads cannot be locked
    # or archived: the root's ⛔/🔒 reaction (from the sender) and this line say so. A duplicate
    # has the core's own notice (with "Not a duplicate"); a deleted question says nothing more,
    # nor does a restored one (its root's reactions go back to what they were).
    if sub in ("lock", "unlock", "reopen", "close"):
        await announce.public(run.deps, result.question, text)
    # The bot's reply in the thread quotes the question's first line: not a deleted one's;
    # and the bot's post of an /ask question, which its asker can't delete, is hidden too.
    elif sub == "delete":
        await opened.deleted(run.deps, run.p, result.question, hide_asked=True)
    elif sub == "restore":
        await opened.restored(run.deps, run.p, result.question)


def duplicate_target(word: str) -> str:
    """`#12`, `12`, `a:id`, or a message link -> what the core's `duplicate_of` accepts."""

    target = parse_question(word)
    if isinstance(target, int):
        return f"#{target}"
    return plain_text(word)


async def mod_rep(run: Invocation, rest: str) -> None:
    usage = "slack.usage_mod_rep"
    args = words(rest)
    if not args:
        raise Usage(usage)
    actor = await run.actor()
    what = args[0].lower()
    if what == "suspicious":
        shown = await run.deps.bot.handle(c.ShowSuspiciousPairs(actor))
        assert isinstance(shown, ev.SuspiciousPairsShown)
        await reply_lines(run, mod_present(run.p).suspicious(shown))
        return
    command: c.Command
    typed = None  # the reason as typed, given back if the core does not keep it
    if what in ("add", "remove") and len(args) >= 4:
        user = parse_user(args[1])
        # "5" or "+5"; a negative number is a typo, not `rep remove @x 5`
        points = parse_number(args[2], "+")
        if user is None or not points:
            raise Usage(usage)
        command = c.AdjustReputation(
            actor, await _target(run, user), -points if what == "remove" else points,
            plain_text(" ".join(args[3:])), event_id=run.event_id,
        )  # fmt: skip
        typed = after_words(rest, 3)
    elif what == "revert" and len(args) >= 2 and (entry := parse_number(args[1])) is not None:
        reason = plain_text(" ".join(args[2:])) or None
        command = c.RevertLedgerEntry(actor, entry, reason, event_id=run.event_id)
        typed = after_words(rest, 2)
    elif what == "revert" and len(args) >= 4 and parse_user(args[1]):
        now = run.deps.bot.clock.now()
        try:
            direction = c.FlowDirection(args[2].lower())
        except ValueError:
            raise Usage(usage) from None
        since = parse_since(args[3], now)
        until = parse_since(args[4], now) if len(args) > 4 else None
        if since is None or (len(args) > 4 and until is None):
            raise Usage(usage)
        command = c.RevertPeriod(
            actor, _ref(run, str(parse_user(args[1]))), direction, since, until,
            event_id=run.event_id,
        )  # fmt: skip
    else:
        raise Usage(usage)
    async with giving_back(typed):
        result = await run.deps.bot.handle(command)
    assert isinstance(result, ev.PointsChanged)
    await reply_lines(run, mod_present(run.p).points(result))


async def mod_audit(run: Invocation, args: list[str]) -> None:
    member, question_id = None, None
    if args:
        user = parse_user(args[0])
        if user is not None:
            member = _ref(run, user)
        else:
            target = parse_question(args[0])
            if target is None:
                raise Usage("slack.usage_mod_audit")
            if isinstance(target, ThreadRef):
                actor = await run.actor()
                shown = await run.deps.bot.handle(c.ShowQuestion(actor, thread=target))
                assert isinstance(shown, ev.QuestionShown)
                target = shown.question.id
            question_id = target
    result = await run.deps.bot.handle(c.ShowAudit(await run.actor(), member, question_id))
    assert isinstance(result, ev.AuditShown)
    await reply_lines(run, mod_present(run.p).audit(result))


# -- reports resolved (by button or by /mod report) ------------------------------------------------


async def resolve_report(
    deps: SlackDeps,
    p: SlackPresenter,
    actor: Actor,
    report_id: int,
    outcome: ReportStatus,
    *,
    reason: str | None,
    event_id: str | None,
    reply: Callable[[str], Awaitable[object]],
    typed: str | None = None,
) -> tuple[str, ev.ReportResolved]:
    """Resolve one report; delete the message when asked; tell the moderator (privately,
    the author by mention). Returns the outcome line for the report's post in the
    moderators' channel, which names the author as the post does, by display name: a
    mention there would notify them if they can read that channel; and the core's result,
    which says whether the post may name the moderator. `typed` is the reason as the
    moderator typed it, given back if the core does not keep it."""

    async with giving_back(typed):
        result = await deps.bot.handle(
            c.ResolveReport(actor, report_id, outcome, reason, event_id=event_id)
        )
    assert isinstance(result, ev.ReportResolved)
    line = mod_present(p).report_resolved(result)
    lines = [line]
    if result.question is not None and result.question.deleted_at is not None:
        # (first: the bot's reply is found in the question's thread, still whole)
        await opened.deleted(deps, p, result.question)
    if result.delete_message is not None:
        problem = await delete_reported(deps, *result.delete_message)
        if problem:
            lines.append(p.t(problem))
    await reply("\n".join(lines))
    return mod_present(p, by_name=True).report_resolved(result), result


async def delete_reported(deps: SlackDeps, channel: str, message_id: str) -> str | None:
    """Remove a reported message; the catalog key of what went wrong, if anything.

    The core's message id is `<channel>:<ts>`. Slack lets a bot token delete only the bot's
    own messages (`cant_delete_message` otherwise): the moderator is then asked to remove it
    by hand, and the report stays resolved."""

    where = split_message_id(message_id)
    if where is None:
        where = (channel, message_id)
    try:
        await deps.out.call_or_raise("chat.delete", where[0], ts=where[1])
    except Exception as exc:
        code = error_code(exc)
        log.warning("could not delete reported message %s: %s", message_id, code or exc)
        return "slack.report_message_gone" if code in MESSAGE_GONE else "slack.report_delete_failed"
    return None


# -- thanks --------------------------------------------------------------------------------------


async def on_thanks(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    """`/thanks @member [question]`: thank someone explicitly, tied to the question if named."""

    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    args = words(run.text)
    user = parse_user(args[0]) if args else None
    target = parse_question(args[1]) if len(args) > 1 else None
    if user is None or (len(args) > 1 and target is None):
        await run.usage("slack.usage_thanks")
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        actor = await run.actor()
        thread = await thread_for(run.deps, actor, target) if target is not None else None
        result = await run.deps.bot.handle(
            c.ThankMember(actor, await _target(run, user), thread, event_id=run.event_id)
        )
        assert isinstance(result, ev.ThanksGiven)
        line = mod_present(run.p).thanks(result)
        offer = offer_of(run.p, result)
        if offer is None:
            await run.reply(line)
        else:
            text, offer_blocks = offer
            await run.reply(f"{line}\n{text}", [blocks.section(line), *offer_blocks])


def offer_of(p: SlackPresenter, thanks: ev.ThanksGiven) -> tuple[str, list[blocks.Block]] | None:
    """The quiet "mark it as the solution" offer for an asker who thanked a helper."""

    offer = mod_present(p).offer(thanks, p.t("slack.offer_how"))
    if offer is None or thanks.offer_solution is None:
        return None
    return offer, blocks.offer_blocks(p, offer, thanks.offer_solution.message_id)


async def offer_thanks(
    deps: SlackDeps,
    p: SlackPresenter,
    given: tuple[ev.ThanksGiven, ...],
    user: str,
    channel: str,
    thread_ts: str,
) -> None:
    """Thanks typed in a thread reply: the receiver hears from the core (a DM); the asker who
    thanked gets the offer, privately in the thread."""

    for thanks in given:
        offer = offer_of(p, thanks)
        if offer is not None:
            text, offer_blocks = offer
            await deps.out.private(
                user, text, channel=channel, thread_ts=thread_ts, blocks=offer_blocks
            )


async def on_offer_accept(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    """The offer's "Mark as solution" button: accept the thanked helper's answer."""

    who = await start_interaction(ack, body, context, respond)
    answer = str(action.get("value") or "")
    if who is None:
        return
    if not answer:
        await who.reply(UNREADABLE)
        return

    async with guarded(who.p, who.reply, "slack thanks offer button"):
        actor = await who.actor()
        event_id = interaction_id("action", body.get("trigger_id"), action.get("action_ts"))
        result = await who.deps.bot.handle(c.AcceptAnswer(actor, answer, event_id=event_id))
        assert isinstance(result, ev.AnswerAccepted)
        await announce.solved(who.deps, who.p, result, who.user, respond)


# -- "Not a duplicate" ---------------------------------------------------------------------------


async def on_not_duplicate(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    """The button on the core's duplicate notice: the asker says it is not a duplicate."""

    who = await start_interaction(ack, body, context, respond)
    if who is None:
        return
    if not who.channel or not who.thread_ts:
        await who.reply(UNREADABLE)
        return
    deps, p, channel, thread_ts = who.deps, who.p, who.channel, who.thread_ts

    async with guarded(p, who.reply, "slack not-duplicate button"):
        actor = await who.actor()
        event_id = interaction_id("action", body.get("trigger_id"), action.get("action_ts"))
        result = await deps.bot.handle(
            c.NotDuplicate(actor, thread_ref(channel, thread_ts), event_id=event_id)
        )
        assert isinstance(result, ev.QuestionModerated)
        text = mod_present(p).question(result)
        await deps.out.post(channel, text, thread_ts=thread_ts)
        message = body.get("message") or {}
        if message.get("ts"):
            note_text, note_blocks = blocks.without_buttons(message, text)
            await deps.out.update(channel, str(message["ts"]), note_text, blocks=note_blocks)
