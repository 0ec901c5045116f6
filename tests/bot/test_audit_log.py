"""The audit log as moderators read it (/mod audit): a row no member wrote says so, and a row
whose actor or target was an anonymous question's asker says that, without naming them."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from bot import commands as c
from bot import errors, kb_cli
from bot import events as ev
from bot.bootstrap import App
from bot.moderation_presenter import ModerationPresenter
from bot.presenters import Presenter
from tests.helpers import actor, ask, next_id, thread_of

zelda, bob, mod = actor("zelda"), actor("bob"), actor("mod", mod=True)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"communities": {"default": {"lifecycle": {"anonymous_questions": True}}}}


async def _audit_lines(app: App) -> list[str]:
    shown = await app.bot.handle(c.ShowAudit(mod))
    assert isinstance(shown, ev.AuditShown)
    return ModerationPresenter(Presenter(app.bot.catalog)).audit(shown)[1:]


async def _ask_anonymously(app: App, text: str = "Secret") -> ev.QuestionOpened:
    mid = next_id()
    opened = await app.bot.handle(
        c.AskQuestion(zelda, "help", mid, text, event_id=mid, thread_id=f"t-{mid}",
                      anonymous=True)
    )  # fmt: skip
    assert isinstance(opened, ev.QuestionOpened)
    return opened


async def test_rows_without_an_actor_say_who_acted(app: App, tmp_path: Path) -> None:
    # The command line's import: the bot's own row.
    source = tmp_path / "kb.jsonl"
    source.write_text(json.dumps({"id": "reset", "title": "Reset", "body": "Settings."}) + "\n")
    code = await kb_cli.import_articles(
        app.database, app.bot.config, "default", source, StringIO(), quiet=True
    )
    assert code == 0
    # The anonymous asker saying their question is no duplicate: their row, without them.
    original = await ask(app.bot, bob)
    opened = await _ask_anonymously(app)
    await app.bot.handle(
        c.ModerateQuestion(
            mod, c.QuestionAction.DUPLICATE, thread=thread_of(opened),
            duplicate_of=f"#{original.question.id}", event_id=next_id("e"),
        )
    )  # fmt: skip
    await app.bot.handle(c.NotDuplicate(zelda, thread_of(opened), event_id=next_id("e")))

    lines = [line.split(maxsplit=2)[2] for line in await _audit_lines(app)]  # (after the time)
    q = opened.question.id
    assert lines == [
        f"the anonymous asker not_duplicate the anonymous asker #{q}: done",
        f"mod question_duplicate the anonymous asker #{q}: done [#{original.question.id}]",
        "the bot import_articles: done [kb.jsonl: 1 new, 0 changed]",
    ]
    assert not any("zelda" in line for line in lines)


async def test_a_row_whose_target_is_left_out_says_it_has_one(app: App) -> None:
    """A moderator locking an anonymous question acts on its asker, who is left out: the row
    says so, unlike a row with no target at all (a member's refused /mod close)."""

    public = await ask(app.bot, bob)
    opened = await _ask_anonymously(app)
    for question in (public, opened):
        await app.bot.handle(
            c.ModerateQuestion(
                mod, c.QuestionAction.LOCK, question_id=question.question.id,
                event_id=next_id("e"),
            )
        )  # fmt: skip
    with pytest.raises(errors.NotModerator):
        await app.bot.handle(
            c.ModerateQuestion(
                bob, c.QuestionAction.CLOSE, question_id=opened.question.id,
                event_id=next_id("e"),
            )
        )  # fmt: skip

    lines = [line.split(maxsplit=2)[2] for line in await _audit_lines(app)]
    q, p = opened.question.id, public.question.id
    assert lines == [
        f"bob question_close #{q}: REFUSED — not a moderator",
        f"mod question_lock the anonymous asker #{q}: done",
        f"mod question_lock bob #{p}: done",
    ]
