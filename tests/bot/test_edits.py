"""A member who edits their question or answer (to fix a typo, add the error message, or
say what finally worked) changes what the bot keeps of it, and what search finds, in every
process. Nobody else's edit, and nothing deleted, changes anything."""

from __future__ import annotations

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
    found_everywhere,
    next_id,
    solved,
    thread_of,
)

alice, bob, carol = actor("alice"), actor("bob"), actor("carol")
maria = actor("maria", mod=True)


def _engine(app: App) -> EngineKnowledge:
    assert isinstance(app.knowledge, EngineKnowledge)
    return app.knowledge


async def edit(
    app: App, who: c.Actor, opened: ev.QuestionOpened, mid: str, text: str
) -> ev.MessageEdited:
    result = await app.bot.handle(c.EditMessage(who, mid, text, thread=thread_of(opened)))
    assert isinstance(result, ev.MessageEdited)
    return result


async def stored(app: App, opened: ev.QuestionOpened) -> tuple[str, str, list[str]]:
    async with app.bot.uow_factory(write=False) as uow:
        question = await uow.questions.get(opened.question.id)
        assert question is not None
        answers = await uow.questions.answers(question.id)
    return question.title, question.body, [a.excerpt for a in answers]


found = found_everywhere


async def test_the_asker_edits_their_question(app: App) -> None:
    opened = await ask(app.bot, alice, "Printer broken\nIt prints nothing")
    result = await edit(app, alice, opened, opened.question.message_id, "Printer jams\nOn page 2")
    assert result.question is not None and result.answer is None
    assert result.question.title == "Printer jams"
    assert await stored(app, opened) == ("Printer jams", "Printer jams\nOn page 2", [])


async def test_a_member_edits_their_answer(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened, "Try the reset link.")
    result = await edit(app, bob, opened, mid, "Try the reset link at /account/reset.")
    assert result.answer is not None and result.answer.excerpt.endswith("/account/reset.")
    assert (await stored(app, opened))[2] == ["Try the reset link at /account/reset."]


async def test_edits_that_change_nothing_the_bot_keeps(app: App) -> None:
    """Another member's message, the question's text by anyone but its asker, an emptied
    text, a message the bot never recorded, and an unchanged text."""

    opened = await ask(app.bot, alice, "Printer broken")
    mid = await answer(app.bot, bob, opened, "Check the cable.")
    before = await stored(app, opened)
    for who, message_id, text in (
        (carol, mid, "spam"),  # (a platform sends only the author's edits; still refused)
        (maria, mid, "moderated words"),
        (actor("bob", community="other"), mid, "another community's bob"),
        (bob, opened.question.message_id, "Printer fixed"),
        (alice, opened.question.message_id, "   \u200b"),
        (bob, mid, "   "),
        (alice, "never-recorded", "Printer fixed"),
        (alice, opened.question.message_id, "Printer broken"),
        (bob, mid, "Check the cable."),
    ):
        result = await edit(app, who, opened, message_id, text)
        assert result.question is None, (who.display_name, message_id, text)
    assert await stored(app, opened) == before


async def test_a_deleted_question_or_answer_is_not_edited_back(app: App) -> None:
    opened = await ask(app.bot, alice, "Printer broken")
    mid = await answer(app.bot, bob, opened, "Check the cable.")
    filed = await app.bot.handle(
        c.ReportMessage(carol, "help", mid, "spam", thread=thread_of(opened), event_id=next_id("e"))
    )
    assert isinstance(filed, ev.ReportFiled)
    await app.bot.handle(
        c.ResolveReport(maria, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    assert (await edit(app, bob, opened, mid, "Check the cable again.")).question is None
    await delete_by_moderator(app.bot, opened, maria)
    edited = await edit(app, alice, opened, opened.question.message_id, "Printer fixed")
    assert edited.question is None


async def test_a_solved_question_is_found_by_its_edited_words_everywhere(
    two_processes: tuple[App, App],
) -> None:
    one, _ = two_processes
    opened, mid, doc = await solved(
        one.bot, alice, bob, "How do I export my birthday list?", "Settings, then Export."
    )
    assert await found(two_processes, "thunderbird vcard") == [[], []]

    await edit(
        one, bob, opened, mid, "Settings, then Export; or save it from Thunderbird as vcard."
    )
    assert await found(two_processes, "thunderbird vcard") == [[doc], [doc]]
    await edit(one, alice, opened, opened.question.message_id, "How do I export my agenda to ICS?")
    assert await found(two_processes, "agenda ics") == [[doc], [doc]]
    assert await found(two_processes, "birthday") == [[], []]  # (the old words are gone)


async def test_edits_in_an_unsolved_question_add_nothing_to_the_search_feed(
    two_processes: tuple[App, App],
) -> None:
    """Only solved questions are searched; and an answer nobody accepted is not part of a
    solved question's document."""

    one, other = two_processes
    opened = await ask(one.bot, alice, "Printer broken")
    mid = await answer(one.bot, bob, opened, "Check the cable.")
    await _engine(other).catch_up()
    await edit(one, alice, opened, opened.question.message_id, "Printer jams")
    await edit(one, bob, opened, mid, "Check the cable and the tray.")
    assert await _engine(other).catch_up() == 0
    accepted = await answer(one.bot, carol, opened, "Replace the roller.")
    await one.bot.handle(c.AcceptAnswer(alice, accepted, event_id=next_id("e")))
    await _engine(other).catch_up()
    await edit(one, bob, opened, mid, "Check the cable, the tray and the toner.")
    assert await _engine(other).catch_up() == 0


async def test_a_renamed_forum_post_retitles_its_question(app: App) -> None:
    """A forum post's name is its question's title, and the first line of its text: both
    follow a rename on the platform (by the asker or a moderator: it does not say who)."""

    opened = await ask(app.bot, alice, "Printer broken\nIt prints nothing")
    thread = thread_of(opened)
    result = await app.bot.handle(c.RetitleQuestion("default", thread, "Printer jams on page 2"))
    assert isinstance(result, ev.MessageEdited) and result.question is not None
    assert await stored(app, opened) == (
        "Printer jams on page 2",
        "Printer jams on page 2\nIt prints nothing",
        [],
    )
    before = await stored(app, opened)
    for command in (
        c.RetitleQuestion("default", thread, "Printer jams on page 2"),  # (unchanged)
        c.RetitleQuestion("default", thread, "  \u200b "),
        c.RetitleQuestion("other", thread, "Another community's rename"),
        c.RetitleQuestion("default", c.ThreadRef("console", "t-none"), "No such thread"),
    ):
        unchanged = await app.bot.handle(command)
        assert isinstance(unchanged, ev.MessageEdited) and unchanged.question is None, command
    assert await stored(app, opened) == before
    await delete_by_moderator(app.bot, opened, maria)
    gone = await app.bot.handle(c.RetitleQuestion("default", thread, "After it was deleted"))
    assert isinstance(gone, ev.MessageEdited) and gone.question is None


async def test_a_renamed_solved_post_is_found_by_its_new_name_everywhere(
    two_processes: tuple[App, App],
) -> None:
    one, _ = two_processes
    opened, mid, doc = await solved(
        one.bot, alice, bob, "Export my birthday list", "Settings, then Export."
    )
    await one.bot.handle(
        c.RetitleQuestion("default", thread_of(opened), "Export contacts as vcard")
    )
    assert await found(two_processes, "contacts vcard") == [[doc], [doc]]
    assert await found(two_processes, "birthday") == [[], []]
