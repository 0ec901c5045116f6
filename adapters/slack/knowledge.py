"""`/kb`: search and show for everyone; add, edit, remove, undo and promote for moderators.

    /kb search <words>
    /kb show <id>                        a:<article id>, q12 / #12, or a bare article id
    /kb add <title> | <text>
    /kb edit <id> [new title] | [new text]    an empty side keeps what was there
    /kb remove <id> [reason]
    /kb undo <id>
    /kb promote <question number or link> [new id]

The core checks who may write (and keeps every version); this module only parses the text
(already escaped by Slack, so it is turned back into plain text for the core) and renders the
results privately; an article's text or a reason the core did not keep comes back with the
error (Slack cleared it once the command was sent). An article's text is Markdown on every platform: what a member writes in
Slack for one (an added or edited text, a promoted question or answer) is mrkdwn made
Markdown, and an article shown here is Markdown made mrkdwn (`mrkdwn.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, mrkdwn
from adapters.slack.commands import Invocation, asked_post, start_command
from adapters.slack.deps import Ack
from adapters.slack.guard import giving_back, guarded
from adapters.slack.outbound import Respond, describe_error, error_code, passes
from adapters.slack.solved import question_at
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import (
    after_words,
    parse_question,
    plain_text,
    split_message_id,
    split_subcommand,
    with_files,
)
from bot import commands as c
from bot import events as ev
from bot import knowledge_base as kb
from bot.errors import DomainError
from bot.kb_presenter import KnowledgePresenter
from bot.model import Actor, Question, Suggestion, ThreadRef
from bot.presenters import Presenter
from bot.text import clean, filled_in

log = logging.getLogger(__name__)

SEARCH_LIMIT = 5
#: Accepted answers read back from Slack for one /kb promote (one conversations.replies each).
MAX_READ_ANSWERS = 10


def result_line(p: SlackPresenter, s: Suggestion) -> str:
    title = blocks.escape(s.title)
    if s.url:
        title = f"<{s.url}|{title}>"
    return p.t(
        "kb.result_line", title=title, kind=p.kind(s.kind),
        score=round(s.score * 100), id=f"`{s.id}`",
    )  # fmt: skip


def found_blocks(p: SlackPresenter, result: kb.KnowledgeFound) -> tuple[str, list[blocks.Block]]:
    query = blocks.escape(result.query)
    if not result.results:
        return blocks.lines_blocks([p.t("kb.nothing_found", query=query)])
    lines = [p.t("kb.results_header", query=query)]
    lines += [f"• {result_line(p, s)}" for s in result.results]
    return blocks.lines_blocks(lines)


def as_written(p: SlackPresenter) -> KnowledgePresenter:
    """The core's knowledge texts unescaped (the core's own Presenter), for lines that are
    escaped whole: an article's body and history are members' words line by line, and
    SlackPresenter.t escapes the catalog's words itself (escaping its lines again showed
    `&amp;` for a `&`)."""

    return KnowledgePresenter(Presenter(p.catalog, p.locale))


def article_blocks(p: SlackPresenter, result: kb.ArticleShown) -> tuple[str, list[blocks.Block]]:
    """The article privately: its title, tags and history as words (escaped), its text
    (Markdown) as mrkdwn."""

    parts = as_written(p).article_parts(result)
    lines = [
        *map(blocks.escape, parts.head),
        mrkdwn.from_markdown(parts.body),
        *map(blocks.escape, parts.history),
    ]
    text = blocks.clip("\n".join(lines), blocks.SECTION_TEXT_MAX)
    return text, [blocks.section(text)]


async def on_kb(
    ack: Ack, body: dict[str, Any], context: dict[str, Any], respond: Respond | None = None
) -> None:
    run = await start_command(ack, body, context, respond)
    if run is None:
        return
    sub, rest = split_subcommand(run.text)
    handler = {
        "search": search,
        "show": show,
        "add": add,
        "edit": edit,
        "remove": remove,
        "undo": undo,
        "promote": promote,
    }.get(sub)
    if handler is None or not rest:
        await run.usage("slack.usage_kb")
        return
    async with guarded(run.p, run.reply, f"{run.name} command"):
        await handler(run, rest)


async def search(run: Invocation, rest: str) -> None:
    result = await run.deps.bot.handle(
        kb.SearchKnowledge(await run.actor(), plain_text(rest), SEARCH_LIMIT)
    )
    assert isinstance(result, kb.KnowledgeFound)
    await run.reply(*found_blocks(run.p, result))


async def show(run: Invocation, rest: str) -> None:
    item = plain_text(rest).split()[0]
    target = parse_question(item) if item.startswith(("#", "http")) else None
    if isinstance(target, int):
        item = f"q{target}"
    actor = await run.actor()
    if isinstance(target, ThreadRef):
        # The link only names the question; it is shown as by its number, so a private
        # channel's question is not shown to a member outside it who was given the link.
        item = f"q{await question_at(run.deps, actor, target)}"
    result = await run.deps.bot.handle(kb.ShowKnowledge(actor, item))
    if isinstance(result, ev.QuestionShown):
        await run.reply(*blocks.question_summary(run.p, result))
        return
    assert isinstance(result, kb.ArticleShown)
    await run.reply(*article_blocks(run.p, result))


async def changed(run: Invocation, command: Any, typed: str | None = None) -> None:
    """Run a change; `typed` (an article's text or a reason, as typed) comes back with the
    error if the core does not keep it."""

    async with giving_back(typed):
        result = await run.deps.bot.handle(command)
    assert isinstance(result, kb.ArticleChanged)
    await run.reply(blocks.escape(as_written(run.p).changed(result)))


_BAR_OR_CONTROL = re.compile(r"<[^<>]*>|\|")


def split_bar(text: str) -> tuple[str, bool, str]:
    """`title | text` as Slack sends it: split at the first `|` outside a control sequence
    (a link's `<https://x|label>` has one), and whether there was one."""

    for found in _BAR_OR_CONTROL.finditer(text):
        if found.group() == "|":
            return text[: found.start()], True, text[found.end() :]
    return text, False, ""


def article_text(text: str) -> str:
    """What a moderator typed for an article's text: Slack's markup made Markdown, links
    with their address (see `article_markdown`)."""

    return plain_text(mrkdwn.to_markdown(text), with_urls=True)


async def add(run: Invocation, rest: str) -> None:
    title, _, text = split_bar(rest)
    await changed(
        run,
        kb.AddArticle(
            await run.actor(), plain_text(title), article_text(text), event_id=run.event_id
        ),
        text,
    )


async def edit(run: Invocation, rest: str) -> None:
    article_id, _, change = rest.strip().partition(" ")
    title, bar, text = split_bar(change)
    body = article_text(text) if bar else ""
    await changed(
        run,
        kb.EditArticle(
            await run.actor(), plain_text(article_id), title=plain_text(title) or None,
            body=body or None, event_id=run.event_id,
        ),
        text,
    )  # fmt: skip


async def remove(run: Invocation, rest: str) -> None:
    article_id, _, reason = plain_text(rest).partition(" ")
    await changed(
        run,
        kb.RemoveArticle(await run.actor(), article_id, reason.strip() or None, run.event_id),
        after_words(rest, 1),
    )


async def undo(run: Invocation, rest: str) -> None:
    article_id = plain_text(rest).split()[0]
    await changed(run, kb.UndoArticleChange(await run.actor(), article_id, run.event_id))


async def promote(run: Invocation, rest: str) -> None:
    first, _, new_id = rest.strip().partition(" ")
    target = parse_question(first)
    if target is None:
        await run.usage("slack.usage_kb")
        return
    actor = await run.actor()
    question_id = target if isinstance(target, int) else None
    thread = target if isinstance(target, ThreadRef) else None
    read = await read_back(run, actor, question_id, thread)
    await changed(
        run,
        kb.PromoteQuestion(
            actor, question_id=question_id, thread=thread,
            article_id=plain_text(new_id).split()[0] if plain_text(new_id) else None,
            event_id=run.event_id, answer_texts=read.answers, question_text=read.question,
        ),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReadBack:
    """What /kb promote read back from the question's thread, as article text: the
    question's (None: the core uses the text it stored) and (message id, text) of each
    accepted answer read."""

    question: str | None = None
    answers: tuple[tuple[str, str], ...] = ()


async def read_back(
    run: Invocation, actor: Actor, question_id: int | None, thread: ThreadRef | None
) -> ReadBack:
    """The question and its accepted answers as they read in their thread now: the bot keeps
    300 characters of each answer, and an article is built from the whole answer; the
    question's stored text kept Slack's markup and lost its links' addresses. Each becomes
    article text as `article_markdown` makes it.

    One conversations.replies per answer, and the question from the thread's root, which
    Slack puts first in the first of them (else one call more). A message Slack does not
    give back (deleted, a missing scope, no access, rate limited) is left out with one log
    line: the article shows an answer's excerpt, the question's stored text. The core
    decides everything else (who may, which answers)."""

    if not actor.moderates:
        return ReadBack()  # the core refuses the promote: nothing to read for it
    try:
        shown = await run.deps.bot.handle(c.ShowQuestion(actor, question_id, thread))
    except DomainError:
        return ReadBack()  # the promote itself says what is wrong
    if not isinstance(shown, ev.QuestionShown) or shown.question.thread is None:
        return ReadBack()
    if not shown.accepted:
        return ReadBack()  # the core refuses to promote it: nothing to read for it
    root = split_message_id(shown.question.thread.id)
    if root is None:
        return ReadBack()
    channel, thread_ts = root
    client = run.deps.out.client
    seen: dict[str, Mapping[str, Any] | None] = {}  # what Slack gave back, by ts
    texts: list[tuple[str, str]] = []
    stopped = False
    # (an answer deleted through a report has no active acceptance, so it is not here)
    wanted = [a.answer for a in shown.accepted[:MAX_READ_ANSWERS]]
    for n, answer in enumerate(wanted):
        where = split_message_id(answer.message_id)
        if where is None or where[0] != channel:
            continue
        try:
            seen.update(await read_replies(client, channel, thread_ts, where[1]))
        except Exception as exc:
            # Rate limited past slack_sdk's own retries, or refused as an admin's business (a
            # missing scope, a channel the bot left): the next reads, all in this thread,
            # would be refused too. Slack's own passing trouble may spare the next one.
            stopped = error_code(exc) == "ratelimited" or not passes(exc)
            rest = len(wanted) - n - 1 if stopped else 0
            log.warning(
                "kb promote: could not read answer %s (%s); its excerpt is used%s%s",
                answer.message_id, describe_error(exc),
                f", and the {rest} after it are not read" if rest else "",
                ", nor is the question: its stored text is used"
                if stopped and thread_ts not in seen else "",
            )  # fmt: skip
            if stopped:
                break
            continue
        message = seen.get(where[1])
        if message is None:
            log.warning(
                "kb promote: answer %s is no longer in its thread; its excerpt is used",
                answer.message_id,
            )
            continue
        texts.append((answer.message_id, await article_markdown(run, message_text(message))))
    if thread_ts not in seen:
        if stopped:
            return ReadBack(None, tuple(texts))  # (the log line above says so)
        try:
            seen.update(await read_replies(client, channel, thread_ts, thread_ts))
        except Exception as exc:
            log.warning(
                "kb promote: could not read question #%s (%s); its stored text is used",
                shown.question.id, describe_error(exc),
            )  # fmt: skip
            return ReadBack(None, tuple(texts))
    return ReadBack(await question_text(run, shown.question, seen.get(thread_ts)), tuple(texts))


async def question_text(
    run: Invocation, question: Question, root: Mapping[str, Any] | None
) -> str | None:
    """The question's article text from its thread's root as Slack has it now, or None
    for the core's stored text. A member's own message is read as an answer is. A question
    asked with /ask has the bot's post as its root (`commands.asked_post`), which names the
    asker or says they are anonymous: only the member's words after that go in, and only
    when the post holds them whole (`asked_words`)."""

    if root is None:
        log.warning(
            "kb promote: question #%s is no longer in its channel; its stored text is used",
            question.id,
        )
        return None
    if root.get("user") == question.asker.ref.id and not root.get("bot_id"):
        return await article_markdown(run, message_text(root))
    words = asked_words(run.p, question, str(root.get("text") or ""))
    if words is None:
        log.info(
            "kb promote: question #%s's post does not hold the question whole; "
            "its stored text is used",
            question.id,
        )
        return None
    return await article_markdown(run, words)


def asked_words(p: SlackPresenter, question: Question, posted: str) -> str | None:
    """The member's words in the bot's post of their /ask question (`posted`, mrkdwn), or
    None unless the post is exactly the line naming who asked and the whole question the
    core stored: a long question goes on in the thread (its post holds the start), one longer
    than the core keeps is stored cut, and a catalog changed since words the line otherwise."""

    def post(text: str) -> str:
        return asked_post(p, question.asker.ref.id, text, anonymous=question.anonymous)

    words = filled_in(post, posted)
    return words if words is not None and clean(plain_text(words)) == question.body else None


def message_text(message: Mapping[str, Any]) -> str:
    """A message's text as Slack gives it, with its files named (as the core took it)."""

    return with_files(str(message.get("text") or ""), message.get("files"))


async def article_markdown(run: Invocation, text: str) -> str:
    """Slack message text as article text: its styling and emoji codes Markdown
    (`mrkdwn.to_markdown`), then plain text, mentions as names and links with their address,
    since articles are read on every platform."""

    return await run.deps.people.plain_text(mrkdwn.to_markdown(text), with_urls=True)


async def read_replies(
    client: AsyncWebClient, channel: str, thread_ts: str, ts: str
) -> dict[str, Mapping[str, Any] | None]:
    """Messages of a thread as Slack has them now, by ts: the one at `ts`, and the thread's
    root when Slack puts it first, as it may whatever the range (limit 2 leaves it room).
    A message Slack shows as deleted (the tombstone a root with replies leaves) is None; one
    it does not give back at all is not there.

    conversations.replies with the thread's root as `ts` and `ts` as both ends of an
    inclusive range; messages are told apart by their ts, not their place."""

    response = await client.conversations_replies(
        channel=channel, ts=thread_ts, oldest=ts, latest=ts, inclusive=True, limit=2
    )
    found: dict[str, Mapping[str, Any] | None] = {}
    for message in response.get("messages") or ():
        if isinstance(message, Mapping) and message.get("ts") in (ts, thread_ts):
            found[str(message["ts"])] = None if message.get("subtype") == "tombstone" else message
    return found
