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
results privately. An article's text is Markdown on every platform: what a member writes in
Slack for one (an added or edited text, a promoted answer) is mrkdwn made Markdown, and an
article shown here is Markdown made mrkdwn (`mrkdwn.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, mrkdwn
from adapters.slack.commands import Invocation, start_command, thread_for
from adapters.slack.deps import Ack
from adapters.slack.guard import guarded
from adapters.slack.outbound import Respond, describe_error, error_code
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import (
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
from bot.model import Actor, Suggestion, ThreadRef
from bot.presenters import Presenter

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


# Where the article's text goes among the lines around it (a character no text holds).
_BODY = "\U000f8000"


def article_blocks(p: SlackPresenter, result: kb.ArticleShown) -> tuple[str, list[blocks.Block]]:
    """The article privately: its title, tags and history as words (escaped), its text
    (Markdown) as mrkdwn."""

    a = result.article
    around = replace(result, article=replace(a, content=replace(a.content, body=_BODY)))
    body = mrkdwn.from_markdown(a.body)
    lines = [
        body if line == _BODY else blocks.escape(line) for line in as_written(p).article(around)
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
        thread = await thread_for(run.deps, actor, target)
        shown = await run.deps.bot.handle(c.ShowQuestion(actor, thread=thread))
        assert isinstance(shown, ev.QuestionShown)
        await run.reply(*blocks.question_summary(run.p, shown))
        return
    result = await run.deps.bot.handle(kb.ShowKnowledge(actor, item))
    if isinstance(result, ev.QuestionShown):
        await run.reply(*blocks.question_summary(run.p, result))
        return
    assert isinstance(result, kb.ArticleShown)
    await run.reply(*article_blocks(run.p, result))


async def changed(run: Invocation, command: Any) -> None:
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
    with their address (see `accepted_texts`)."""

    return plain_text(mrkdwn.to_markdown(text), with_urls=True)


async def add(run: Invocation, rest: str) -> None:
    title, _, text = split_bar(rest)
    await changed(
        run,
        kb.AddArticle(
            await run.actor(), plain_text(title), article_text(text), event_id=run.event_id
        ),
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
    )  # fmt: skip


async def remove(run: Invocation, rest: str) -> None:
    article_id, _, reason = plain_text(rest).partition(" ")
    await changed(
        run, kb.RemoveArticle(await run.actor(), article_id, reason.strip() or None, run.event_id)
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
    await changed(
        run,
        kb.PromoteQuestion(
            actor, question_id=question_id, thread=thread,
            article_id=plain_text(new_id).split()[0] if plain_text(new_id) else None,
            event_id=run.event_id,
            answer_texts=await accepted_texts(run, actor, question_id, thread),
        ),
    )  # fmt: skip


async def accepted_texts(
    run: Invocation, actor: Actor, question_id: int | None, thread: ThreadRef | None
) -> tuple[tuple[str, str], ...]:
    """The accepted answers' texts as they read in their thread now: the bot keeps 300
    characters of each, and an article is built from the whole answer. Slack's markup becomes
    plain text, mentions as names and links with their address, since articles are read on
    every platform, and its styling and emoji codes Markdown (`mrkdwn.to_markdown`). An
    answer Slack does not give back (deleted, a missing scope, no access,
    rate limited) is left out with one log line, and the article shows its excerpt; the core
    decides everything else (who may, which answers)."""

    if not actor.moderates:
        return ()  # the core refuses the promote: nothing to read for it
    try:
        shown = await run.deps.bot.handle(c.ShowQuestion(actor, question_id, thread))
    except DomainError:
        return ()  # the promote itself says what is wrong
    if not isinstance(shown, ev.QuestionShown) or shown.question.thread is None:
        return ()
    root = split_message_id(shown.question.thread.id)
    if root is None:
        return ()
    channel, thread_ts = root
    client = run.deps.out.client
    texts: list[tuple[str, str]] = []
    # (an answer deleted through a report has no active acceptance, so it is not here)
    wanted = [a.answer for a in shown.accepted[:MAX_READ_ANSWERS]]
    for n, answer in enumerate(wanted):
        where = split_message_id(answer.message_id)
        if where is None or where[0] != channel:
            continue
        try:
            message = await read_reply(client, channel, thread_ts, where[1])
        except Exception as exc:
            # Rate limited past slack_sdk's own retries: the next reads would be refused too.
            stop = error_code(exc) == "ratelimited"
            rest = len(wanted) - n - 1 if stop else 0
            log.warning(
                "kb promote: could not read answer %s (%s); its excerpt is used%s",
                answer.message_id, describe_error(exc),
                f", and the {rest} after it are not read" if rest else "",
            )  # fmt: skip
            if stop:
                break
            continue
        if message is None:
            log.warning(
                "kb promote: answer %s is no longer in its thread; its excerpt is used",
                answer.message_id,
            )
            continue
        text = with_files(str(message.get("text") or ""), message.get("files"))
        markdown = mrkdwn.to_markdown(text)
        texts.append(
            (answer.message_id, await run.deps.people.plain_text(markdown, with_urls=True))
        )
    return tuple(texts)


async def read_reply(
    client: AsyncWebClient, channel: str, thread_ts: str, ts: str
) -> Mapping[str, Any] | None:
    """One message of a thread as Slack has it now, or None when it is not there (deleted).

    conversations.replies with the thread's root as `ts` and the reply's own ts as both ends
    of an inclusive range; the reply is picked by its ts, not its place, because Slack may put
    the thread's root first whatever the range (limit 2 leaves it room)."""

    response = await client.conversations_replies(
        channel=channel, ts=thread_ts, oldest=ts, latest=ts, inclusive=True, limit=2
    )
    for message in response.get("messages") or ():
        if isinstance(message, Mapping) and message.get("ts") == ts:
            return None if message.get("subtype") == "tombstone" else message
    return None
