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
results privately.
"""

from __future__ import annotations

from typing import Any

from adapters.slack import blocks
from adapters.slack.commands import Invocation, start_command, thread_for
from adapters.slack.deps import Ack
from adapters.slack.guard import guarded
from adapters.slack.outbound import Respond
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import parse_question, plain_text, split_subcommand
from bot import commands as c
from bot import events as ev
from bot import knowledge_base as kb
from bot.kb_presenter import KnowledgePresenter
from bot.model import Suggestion, ThreadRef
from bot.presenters import Presenter

SEARCH_LIMIT = 5


def result_line(p: SlackPresenter, s: Suggestion) -> str:
    title = blocks.escape(s.title)
    if s.url:
        title = f"<{s.url}|{title}>"
    return p.t(
        "kb.result_line", title=title, kind=KnowledgePresenter(p).kind(s.kind),
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
    lines = [blocks.escape(line) for line in as_written(p).article(result)]
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


async def add(run: Invocation, rest: str) -> None:
    title, _, text = plain_text(rest).partition("|")
    await changed(
        run, kb.AddArticle(await run.actor(), title.strip(), text.strip(), event_id=run.event_id)
    )


async def edit(run: Invocation, rest: str) -> None:
    article_id, _, change = plain_text(rest).partition(" ")
    title, bar, text = change.partition("|")
    await changed(
        run,
        kb.EditArticle(
            await run.actor(), article_id, title=title.strip() or None,
            body=text.strip() if bar and text.strip() else None, event_id=run.event_id,
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
    await changed(
        run,
        kb.PromoteQuestion(
            await run.actor(),
            question_id=target if isinstance(target, int) else None,
            thread=target if isinstance(target, ThreadRef) else None,
            article_id=plain_text(new_id).split()[0] if plain_text(new_id) else None,
            event_id=run.event_id,
        ),
    )
