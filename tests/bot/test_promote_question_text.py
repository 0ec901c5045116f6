"""`/kb promote` with the question's text read back by the adapter (`question_text`): the
article opens with it instead of the stored body, a blank one changes nothing, and it gives
way to the answers within the article limit as the stored body does."""

from __future__ import annotations

from typing import Any

import pytest

from bot import commands as c
from bot import events as ev
from bot.articles import MAX_BODY_CHARS
from bot.bootstrap import App
from bot.knowledge_base import ArticleChanged, PromoteQuestion
from tests.helpers import actor, answer, ask, next_id

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)

# As Slack's adapter stored a question: Slack's markup kept, the link's address lost.
STORED = "How do I *pin* a version? :pushpin:\nThe pinning docs say nothing."
READ_BACK = (
    "How do I **pin** a version? 📌\nThe pinning docs (https://pip.example/pin) say nothing."
)


async def _solved(app: App, question: str, reply: str) -> int:
    """Alice's question, bob's answer accepted; returns the question's id."""

    opened = await ask(app.bot, alice, question)
    mid = await answer(app.bot, bob, opened, reply)
    accepted = await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted)
    return opened.question.id


async def _promote(app: App, question_id: int, **given: Any) -> ArticleChanged:
    promoted = await app.bot.handle(
        PromoteQuestion(mod, question_id=question_id, event_id=next_id("p"), **given)
    )
    assert isinstance(promoted, ArticleChanged)
    return promoted


async def test_the_question_text_read_back_opens_the_article(sqlite_app: App) -> None:
    """The stored body kept Slack's `*pin*` and `:pushpin:` and lost the link's address;
    the text the adapter read back is the article's question, and its first line the
    article's title, as the stored title was the stored body's first line."""

    question = await _solved(sqlite_app, STORED, "Use pip's == pin.")

    promoted = await _promote(sqlite_app, question, question_text=f"  {READ_BACK}\n")

    body = promoted.article.body
    assert body == f"{READ_BACK}\n\n**bob:** Use pip's == pin.\n\n— bob"
    assert promoted.article.title == "How do I **pin** a version? 📌"


async def test_a_moderator_s_title_wins_over_the_question_text(sqlite_app: App) -> None:
    question = await _solved(sqlite_app, STORED, "Use pip's == pin.")

    named = await _promote(sqlite_app, question, question_text=READ_BACK, title="Pins")
    assert named.article.title == "Pins"


@pytest.mark.parametrize("blank", [None, "", "  \n\t", "\u200b\u200e ", " \u0301 "])
async def test_a_blank_question_text_leaves_the_stored_body(
    sqlite_app: App, blank: str | None
) -> None:
    question = await _solved(sqlite_app, STORED, "Use pip's == pin.")

    promoted = await _promote(sqlite_app, question, question_text=blank)

    assert promoted.article.body == f"{STORED}\n\n**bob:** Use pip's == pin.\n\n— bob"
    assert promoted.article.title == "How do I *pin* a version? :pushpin:"


async def test_a_long_question_text_gives_way_to_the_answers(sqlite_app: App) -> None:
    """Within the article limit the answers come first: a long question read back is cut
    to what they leave, and never below a quarter of the room, as a stored body is."""

    question = await _solved(sqlite_app, STORED, "Use pip's == pin.")
    long_question = "Why? " * 30_000
    short = await _promote(sqlite_app, question, question_text=long_question)
    head, rest = short.article.body.split("\n\n**bob:** ")
    assert rest == "Use pip's == pin.\n\n— bob"
    assert len(short.article.body) == MAX_BODY_CHARS and head.endswith("Why?…")

    second = await _solved(sqlite_app, "How do I tune it?", "Like so.")
    shown = await sqlite_app.bot.handle(c.ShowQuestion(mod, question_id=second))
    assert isinstance(shown, ev.QuestionShown)
    (acceptance,) = shown.accepted
    huge = "Tune it. " * 20_000
    both = await _promote(
        sqlite_app, second, question_text=long_question,
        answer_texts=((acceptance.answer.message_id, huge),),
    )  # fmt: skip
    head, rest = both.article.body.split("\n\n**bob:** ")
    room = MAX_BODY_CHARS - len("**bob:** ") - len("— bob") - 4
    assert len(both.article.body) <= MAX_BODY_CHARS
    assert head.startswith("Why? Why?") and room // 4 - 5 < len(head) <= room // 4
    assert rest.startswith("Tune it. Tune it.") and rest.endswith("…\n\n— bob")
