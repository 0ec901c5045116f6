"""Small builders shared by core and storage tests."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot import commands as c
from bot import events as ev
from bot.errors import DomainError
from bot.model import Actor, MemberRef, ReportStatus, ThreadRef
from bot.service import CommunityBot

if TYPE_CHECKING:
    from bot.bootstrap import App

_ids = itertools.count(1)


def actor(name: str, *, mod: bool = False, bot: bool = False, community: str = "default") -> Actor:
    return Actor(MemberRef("console", community, name), name, is_moderator=mod, is_bot=bot)


def next_id(prefix: str = "m") -> str:
    return f"{prefix}{next(_ids)}"


async def ask(
    bot: CommunityBot, who: Actor, text: str = "How do I reset my password?"
) -> ev.QuestionOpened:
    mid = next_id()
    result = await bot.handle(
        c.AskQuestion(who, "help", mid, text, event_id=f"evt-{mid}", thread_id=f"t-{mid}")
    )
    assert isinstance(result, ev.QuestionOpened)
    return result


def thread_of(opened: ev.QuestionOpened) -> ThreadRef:
    thread = opened.question.thread
    assert thread is not None
    return thread


async def answer(
    bot: CommunityBot, who: Actor, opened: ev.QuestionOpened, text: str = "Try this."
) -> str:
    mid = next_id()
    await bot.handle(c.PostMessage(who, thread_of(opened), mid, text, event_id=f"evt-{mid}"))
    return mid


async def solved(
    bot: CommunityBot, asker: Actor, helper: Actor, question: str, reply: str
) -> tuple[ev.QuestionOpened, str, str]:
    """`asker`'s question, solved by `helper`'s accepted reply: the question, the reply's
    message id, and the question's search document id."""

    opened = await ask(bot, asker, question)
    mid = await answer(bot, helper, opened, reply)
    accepted = await bot.handle(c.AcceptAnswer(asker, mid, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted)
    return opened, mid, f"q{opened.question.id}"


async def found_everywhere(apps: Sequence[App], query: str) -> list[list[str]]:
    """The ids each process's search finds for `query` in the default community, once the
    processes after the first have caught up with the change feed (bot processes sharing one
    database)."""

    from knowledge.service import EngineKnowledge

    engines = [app.knowledge for app in apps]
    assert all(isinstance(e, EngineKnowledge) for e in engines)
    for engine in engines[1:]:
        await engine.catch_up()  # type: ignore[attr-defined]
    return [[h.id for h in e.search("default", query, limit=5)] for e in engines]  # type: ignore[attr-defined]


async def delete_by_moderator(bot: CommunityBot, opened: ev.QuestionOpened, mod: Actor) -> None:
    """`/mod delete` on the question."""
    await bot.handle(
        c.ModerateQuestion(
            mod, c.QuestionAction.DELETE, question_id=opened.question.id, event_id=next_id("e")
        )
    )


async def delete_by_report(
    bot: CommunityBot, opened: ev.QuestionOpened, *, asker: Actor, reporter: Actor, mod: Actor
) -> None:
    """`reporter` reports the question's opening message; `mod` resolves it by deleting."""
    filed = await bot.handle(
        c.ReportMessage(
            reporter, "help", opened.question.message_id, "spam", author=asker,
            thread=thread_of(opened), event_id=next_id("e"),
        )
    )  # fmt: skip
    assert isinstance(filed, ev.ReportFiled)
    resolved = await bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved) and resolved.question is not None


class Terminal:
    """A person at the console: typed lines in, the printed lines that followed them out."""

    def __init__(self, app: App, moderators: Sequence[str] | None = None) -> None:
        """`moderators`: the console names that act as moderators (default: the console's)."""
        from adapters.console.adapter import ConsoleAdapter

        self.lines: list[str] = []
        options = {} if moderators is None else {"moderators": moderators}
        self.adapter = ConsoleAdapter(app.bot, out=self.lines.append, **options)

    async def type(self, *typed: str) -> str:
        """Type each line in turn; what was printed meanwhile, one line per output line."""

        start = len(self.lines)
        for line in typed:
            await self.adapter.handle_line(line)
        return "\n".join(self.lines[start:])


async def not_refused(
    bot: CommunityBot, attempts: Sequence[tuple[c.Command, type[DomainError]]]
) -> list[str]:
    """Each command that was not refused with its expected error, as "Command: what
    happened" (a result, or another error); empty when every attempt was refused."""

    wrong: list[str] = []
    for command, refusal in attempts:
        try:
            result = await bot.handle(command)
        except DomainError as exc:
            if not isinstance(exc, refusal):
                wrong.append(f"{type(command).__name__}: {type(exc).__name__}")
        else:
            wrong.append(f"{type(command).__name__}: {type(result).__name__}")
    return wrong


async def eventually(
    check: Callable[[], Any],
    timeout: float = 10.0,  # noqa: ASYNC109
    *,
    what: str = "the condition",
) -> Any:
    """Poll `check` (a function, or one returning an awaitable) until it gives something
    true, and return that; fail naming `what` after `timeout` seconds."""

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting until {what}")
        await asyncio.sleep(0.005)
