"""Several bot processes on one database keep their search indexes in step: every change
that affects search is appended to `knowledge_changes` in its own transaction, and each
process applies the rows it has not seen (`EngineKnowledge.catch_up`, run every
`[knowledge] sync_seconds` by `community-bot run`). Two apps on one database stand in for two
processes (SQLite file and PostgreSQL)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot import commands as c
from bot import kb_cli
from bot import knowledge_base as kb
from bot.bootstrap import App
from bot.cli import build_parser
from knowledge.service import EngineKnowledge
from tests.conftest import DatabaseTarget, make_config
from tests.helpers import actor, answer, ask, next_id, thread_of

alice, bob, maria = actor("alice"), actor("bob"), actor("maria", mod=True)
QUESTION = "How do I export my calendar to a CSV file?"


def ids(app: App, text: str) -> list[str]:
    knowledge = app.knowledge
    assert isinstance(knowledge, EngineKnowledge)
    return [h.id for h in knowledge.search("default", text, limit=5)]


async def catch_up(app: App) -> int:
    knowledge = app.knowledge
    assert isinstance(knowledge, EngineKnowledge)
    return await knowledge.catch_up()


async def test_a_thread_solved_in_one_process_is_found_by_the_other(
    two_processes: tuple[App, App],
) -> None:
    one, other = two_processes
    opened = await ask(one.bot, alice, QUESTION)
    mid = await answer(one.bot, bob, opened, "Settings > Calendar > Export, then choose CSV.")
    await one.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    doc = f"q{opened.question.id}"
    assert doc in ids(one, "export calendar csv")
    assert doc not in ids(other, "export calendar csv")  # not applied yet

    assert await catch_up(other) >= 1
    assert doc in ids(other, "export calendar csv")
    assert await catch_up(other) == 0  # nothing new

    await one.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e")))
    await catch_up(other)
    assert doc not in ids(other, "export calendar csv")


async def test_articles_added_and_removed_elsewhere_follow(two_processes: tuple[App, App]) -> None:
    one, other = two_processes
    added = await one.bot.handle(
        kb.AddArticle(maria, "Exporting invoices", "Billing > Invoices > Export as PDF.")
    )
    assert isinstance(added, kb.ArticleChanged)
    await catch_up(other)
    assert added.article.doc_id in ids(other, "export invoices pdf")
    await one.bot.handle(kb.RemoveArticle(maria, added.article.id, event_id=next_id("e")))
    await catch_up(other)
    assert added.article.doc_id not in ids(other, "export invoices pdf")


async def test_kb_import_beside_a_running_bot_reaches_it(
    db_target: DatabaseTarget, two_processes: tuple[App, App], tmp_path: Path
) -> None:
    running, _ = two_processes
    source = tmp_path / "kb.jsonl"
    rows = [
        {"id": f"sync-{i}", "title": f"Sync article number {i} about printers", "body": "x"}
        for i in range(1200)  # more than one batch of the feed
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    args = build_parser().parse_args(["kb", "import", str(source), "--quiet"])
    code = await kb_cli.run(
        args, make_config(db_target.url), out=io.StringIO(), database_options=db_target.options
    )
    assert code == 0
    assert ids(running, "sync article number 7 printers") == []
    assert await catch_up(running) == 1200
    assert "a:sync-7" in ids(running, "sync article number 7 printers")


async def test_a_process_reading_back_its_own_changes_reindexes_nothing(
    two_processes: tuple[App, App], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, _ = two_processes
    await one.bot.handle(kb.AddArticle(maria, "Printer offline", "Restart the spooler."))
    knowledge = one.knowledge
    assert isinstance(knowledge, EngineKnowledge)
    added: list[str] = []
    engine = knowledge._engine("default")
    real_add = engine.add
    monkeypatch.setattr(
        engine, "add", lambda doc, vector=None: added.append(doc.id) or real_add(doc, vector)
    )
    assert await catch_up(one) == 1
    assert added == []
