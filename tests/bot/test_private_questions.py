"""A question asked in a private channel stays there, on both databases: solved, it is not
found by search or suggested to anyone (in this process, in another, or after a restart),
and only its asker and moderators look it up by number. A public one is found as before."""

from __future__ import annotations

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot import knowledge_base as kb
from bot.bootstrap import App
from bot.i18n import Catalog
from knowledge.service import EngineKnowledge
from tests.helpers import actor, answer, next_id, thread_of

alice, bob, carol = actor("alice"), actor("bob"), actor("carol")
maria = actor("maria", mod=True)
PRIVATE = "How do I rotate the staff VPN certificate?"
PUBLIC = "How do I rotate my personal VPN certificate?"
SEARCH = "rotate vpn certificate"


async def solved(app: App, text: str, *, private: bool) -> ev.QuestionOpened:
    mid = next_id()
    opened = await app.bot.handle(
        c.AskQuestion(alice, "staff" if private else "help", mid, text, event_id=f"e-{mid}",
                      thread_id=f"t-{mid}", private=private)
    )  # fmt: skip
    assert isinstance(opened, ev.QuestionOpened) and opened.question.private is private
    reply = await answer(app.bot, bob, opened, "Run vpnctl rotate --cert, then restart the agent.")
    await app.bot.handle(c.AcceptAnswer(alice, reply, event_id=next_id("e")))
    return opened


def found(app: App) -> list[str]:
    assert isinstance(app.knowledge, EngineKnowledge)
    return [h.id for h in app.knowledge.search("default", SEARCH, limit=10)]


async def test_a_private_question_is_never_found_a_public_one_is(
    two_processes: tuple[App, App],
) -> None:
    one, other = two_processes
    private = await solved(one, PRIVATE, private=True)
    public = await solved(one, PUBLIC, private=False)
    hidden, shown = f"q{private.question.id}", f"q{public.question.id}"

    assert isinstance(other.knowledge, EngineKnowledge)
    await other.knowledge.catch_up()  # another process, following the change feed
    for app in (one, other):
        assert shown in found(app) and hidden not in found(app)
        suggested = await app.bot.handle(kb.SearchKnowledge(carol, SEARCH))
        assert isinstance(suggested, kb.KnowledgeFound)
        assert hidden not in [s.id for s in suggested.results]

    # A restart builds its index from the database: still not there.
    assert isinstance(one.knowledge, EngineKnowledge)
    await one.knowledge.load()
    assert shown in found(one) and hidden not in found(one)


async def test_only_its_asker_and_moderators_look_it_up_by_number(app: App) -> None:
    private = await solved(app, PRIVATE, private=True)
    number = private.question.id
    for who in (alice, maria):
        shown = await app.bot.handle(kb.ShowKnowledge(who, f"#{number}"))
        assert isinstance(shown, ev.QuestionShown) and shown.question.id == number
    with pytest.raises(errors.QuestionNotFound) as refused:
        await app.bot.handle(kb.ShowKnowledge(carol, f"#{number}"))
    assert Catalog().t(refused.value.key) == "I can't find that question. Check its number or link."
    # In its own thread, whoever is there (the channel's members) sees it.
    shown = await app.bot.handle(c.ShowQuestion(carol, thread=thread_of(private)))
    assert isinstance(shown, ev.QuestionShown) and shown.question.id == number


async def test_a_private_question_is_not_promoted_into_a_public_article(app: App) -> None:
    private = await solved(app, PRIVATE, private=True)
    with pytest.raises(kb.PrivateQuestion) as refused:
        await app.bot.handle(
            kb.PromoteQuestion(maria, question_id=private.question.id, event_id=next_id("e"))
        )
    assert (
        Catalog()
        .t(refused.value.key, **refused.value.params)
        .startswith(f"Question #{private.question.id} was asked in a private channel")
    )
    public = await solved(app, PUBLIC, private=False)
    promoted = await app.bot.handle(
        kb.PromoteQuestion(maria, question_id=public.question.id, event_id=next_id("e"))
    )
    assert isinstance(promoted, kb.ArticleChanged)
