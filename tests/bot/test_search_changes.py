"""Every committed change that affects search reaches both this process's index (after the
commit) and every other process's (through the change feed), because one function
(`bot.knowledge_base.search_change`) decides both. Two apps on one database stand in for two
processes; each case checks the two indexes agree."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot import commands as c
from bot import events as ev
from bot.bootstrap import App
from bot.model import ReportStatus
from knowledge.service import EngineKnowledge
from tests.helpers import (
    actor,
    answer,
    ask,
    delete_by_moderator,
    delete_by_report,
    next_id,
    thread_of,
)

alice, bob, carol = actor("alice"), actor("bob"), actor("carol")
maria = actor("maria", mod=True)
QUESTION = "How do I export my calendar to a CSV file?"
SEARCH = "export calendar csv"


def _engine(app: App) -> EngineKnowledge:
    assert isinstance(app.knowledge, EngineKnowledge)
    return app.knowledge


async def found_in_both(two_processes: tuple[App, App], doc_id: str) -> tuple[bool, bool]:
    """Whether each process finds `doc_id`, after the second applied the feed."""
    await _engine(two_processes[1]).catch_up()
    found = [
        [h.id for h in _engine(app).search("default", SEARCH, limit=5)] for app in two_processes
    ]
    return doc_id in found[0], doc_id in found[1]


async def _solved(app: App) -> ev.QuestionOpened:
    opened = await ask(app.bot, alice, QUESTION)
    mid = await answer(app.bot, bob, opened, "Settings > Calendar > Export, then choose CSV.")
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    return opened


async def _unsolve(app: App, opened: ev.QuestionOpened) -> None:
    await app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))


async def _moderator_delete(app: App, opened: ev.QuestionOpened) -> None:
    await delete_by_moderator(app.bot, opened, maria)


async def _report_delete(app: App, opened: ev.QuestionOpened) -> None:
    await delete_by_report(app.bot, opened, asker=alice, reporter=bob, mod=maria)


async def test_solved_without_a_helper_is_findable_everywhere(
    two_processes: tuple[App, App],
) -> None:
    one, _ = two_processes
    opened = await ask(one.bot, alice, QUESTION)
    solved = await one.bot.handle(c.MarkSolved(alice, thread_of(opened), event_id=next_id("e")))
    assert isinstance(solved, ev.SolvedWithoutHelper)
    assert await found_in_both(two_processes, f"q{opened.question.id}") == (True, True)


async def test_a_second_accepted_answer_is_searchable_everywhere(
    two_processes: tuple[App, App],
) -> None:
    one, other = two_processes
    opened = await _solved(one)
    later = await answer(one.bot, bob, opened, "Or sync with Thunderbird and save as vcard.")
    await one.bot.handle(c.AcceptAnswer(alice, later, event_id=next_id("e")))
    await _engine(other).catch_up()
    # Both answers' words: the second accept re-indexes the question with every accepted
    # answer, not only the newest.
    for query in ("thunderbird vcard", "settings choose"):
        for app in two_processes:
            hits = _engine(app).search("default", query, limit=5, min_score=0)
            assert [h.id for h in hits] == [f"q{opened.question.id}"], query


@pytest.mark.parametrize("withdraw", [_unsolve, _moderator_delete, _report_delete])
async def test_a_withdrawn_question_leaves_every_index(
    two_processes: tuple[App, App], withdraw: Callable[[App, ev.QuestionOpened], Awaitable[None]]
) -> None:
    one, _ = two_processes
    opened = await _solved(one)
    doc_id = f"q{opened.question.id}"
    assert await found_in_both(two_processes, doc_id) == (True, True)
    await withdraw(one, opened)
    assert await found_in_both(two_processes, doc_id) == (False, False)


async def test_a_deleted_accepted_answer_leaves_every_index(
    two_processes: tuple[App, App],
) -> None:
    """A report deleting one of two accepted answers re-indexes the question, still solved,
    with the other answer's words only."""

    one, other = two_processes
    opened = await _solved(one)
    later = await answer(one.bot, bob, opened, "Or sync with Thunderbird and save as vcard.")
    await one.bot.handle(c.AcceptAnswer(alice, later, event_id=next_id("e")))
    filed = await one.bot.handle(
        c.ReportMessage(
            carol, "help", later, "spam", thread=thread_of(opened), event_id=next_id("e")
        )
    )
    assert isinstance(filed, ev.ReportFiled)
    await one.bot.handle(
        c.ResolveReport(maria, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    await _engine(other).catch_up()
    for app in two_processes:
        hits = _engine(app).search("default", "thunderbird vcard", limit=5, min_score=0)
        assert hits == []
        hits = _engine(app).search("default", "settings choose", limit=5, min_score=0)
        assert [h.id for h in hits] == [f"q{opened.question.id}"]


async def test_changes_that_do_not_affect_search_add_nothing_to_the_feed(
    two_processes: tuple[App, App],
) -> None:
    one, other = two_processes
    opened = await _solved(one)
    await _engine(other).catch_up()
    await answer(one.bot, bob, opened, "Glad it worked.")
    for action in (c.QuestionAction.LOCK, c.QuestionAction.CLOSE, c.QuestionAction.REOPEN):
        await one.bot.handle(
            c.ModerateQuestion(maria, action, question_id=opened.question.id, event_id=next_id("e"))
        )
    assert await _engine(other).catch_up() == 0
    assert await found_in_both(two_processes, f"q{opened.question.id}") == (True, True)
