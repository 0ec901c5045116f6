"""`/kb` end to end: the real discord.py client against the fake Discord server, the real core
and search on SQLite. Members search and show; moderators add, edit, undo, remove and
promote (through options and through the article form); members are refused privately."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.discord.read_back import MAX_FETCHED_NAMES, Names
from bot import knowledge_base as kb_core
from bot.articles import Article
from bot.model import Actor, MemberRef
from tests.adapters.discord.conftest import Harness
from tests.fakes.discord_server import FakeUser
from tests.helpers import eventually

EPHEMERAL = 1 << 6
JSON_TITLE = "How do I parse JSON in Python?"


async def kb(h: Harness, sub: str, user: FakeUser, channel: int | None = None, **options: Any):
    return await h.command(
        "kb", user, channel or h.w.other, subcommand=sub, options=options or None
    )


async def say(h: Harness, sub: str, user: FakeUser, channel: int | None = None, **options: Any):
    """Run `/kb <sub>` and return (the private text, the handle)."""

    handle = await kb(h, sub, user, channel, **options)
    return await h.done(handle), handle


def member(h: Harness) -> Actor:
    return Actor(MemberRef("discord", "main", str(h.w.carol.id)), "carol")


def private(handle: Any) -> bool:
    record = handle.record
    message = record.original or (record.callback or {}).get("data") or {}
    return bool(int(message.get("flags") or 0) & EPHEMERAL)


async def solve_one(h: Harness, title: str = JSON_TITLE) -> int:
    thread_id = await h.ask_text(h.w.alice, title)
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    return thread_id


async def add_article(
    h: Harness, title: str = "Virtual environments", body: str = "Run python -m venv .venv"
) -> str:
    text, _ = await say(h, "add", h.w.mod, title=title, body=body, tags="python, venv")
    assert "added" in text, text
    return text.split("Article ", 1)[1].split(" ", 1)[0]  # "a:virtual-environments"


async def test_search_finds_an_article_and_a_solved_question(h: Harness) -> None:
    thread_id = await solve_one(h)
    article = await add_article(h, "Parsing JSON files", "Use json.load on the open file.")
    question = await h.question(thread_id)
    assert question is not None and article == "a:parsing-json-files"

    text, handle = await say(h, "search", h.w.carol, query="parse json")
    assert private(handle)
    assert "Parsing JSON files" in text and f"`{article}`" in text
    link = f"https://discord.com/channels/{h.fake.guild_id}/{thread_id}"
    assert f"]({link})" in text and f"`q{question.id}`" in text


async def test_search_says_when_nothing_good_was_found(h: Harness) -> None:
    await solve_one(h)
    text, handle = await say(h, "search", h.w.carol, query="kubernetes ingress")
    assert "Found nothing good" in text and "kubernetes ingress" in text
    assert private(handle)


async def test_show_an_article_and_a_solved_question(h: Harness) -> None:
    thread_id = await solve_one(h)
    question = await h.question(thread_id)
    assert question is not None
    article = await add_article(h)

    text, _ = await say(h, "show", h.w.carol, id=article)
    assert "Virtual environments" in text and "python -m venv" in text
    assert "Tags: python, venv" in text and "History" not in text  # history: moderators only
    text, _ = await say(h, "show", h.w.mod, id=article)
    assert "History" in text

    text, _ = await say(h, "show", h.w.carol, id=f"q{question.id}")
    assert JSON_TITLE in text and "Use json.loads" in text
    text, handle = await say(h, "show", h.w.carol, id="a:nope")
    assert "can't find" in text and private(handle)


async def test_show_autocomplete_returns_titles(h: Harness) -> None:
    thread_id = await solve_one(h)
    question = await h.question(thread_id)
    assert question is not None
    article = await add_article(h, "Parsing YAML", "Use yaml.safe_load.")

    async def complete(sub: str, focused: str, text: str) -> list[dict[str, str]]:
        handle = await h.fake.interact(
            h.fake.autocomplete(
                "kb", user=h.w.carol, channel_id=h.w.other, focused=focused,
                options={focused: text}, subcommand=sub,
            )
        )  # fmt: skip
        return (await handle.wait_response())["data"]["choices"]

    choices = await complete("show", "id", "pars")
    assert {"name": "Parsing YAML", "value": article} in choices
    # Title lookup finds nothing for a word inside the text: the search fills in.
    assert {"name": JSON_TITLE, "value": f"q{question.id}"} in await complete("show", "id", "json")
    assert all(len(c["value"]) <= 100 for c in choices)
    assert await complete("edit", "id", "how do") == []  # articles only
    search = await complete("search", "query", "pars")
    assert {"name": "Parsing YAML", "value": "Parsing YAML"} in search


async def test_moderator_adds_edits_undoes_and_removes(h: Harness) -> None:
    article = await add_article(h)
    text, handle = await say(h, "edit", h.w.mod, id=article, body="Use uv venv.", reason="newer")
    assert "updated (version 2)" in text and private(handle)
    assert "uv venv" in (await say(h, "show", h.w.carol, id=article))[0]

    text, _ = await say(h, "undo", h.w.mod, id=article)
    assert "earlier version (now version 3)" in text
    assert "python -m venv" in (await say(h, "show", h.w.carol, id=article))[0]

    text, _ = await say(h, "remove", h.w.mod, id=article, reason="outdated")
    assert "removed" in text
    assert "can't find" in (await say(h, "show", h.w.carol, id=article))[0]
    assert "Found nothing good" in (await say(h, "search", h.w.carol, query="venv"))[0]
    text, _ = await say(h, "undo", h.w.mod, id=article)
    assert "python -m venv" in (await say(h, "show", h.w.carol, id=article))[0]


async def test_add_and_edit_through_the_form(h: Harness) -> None:
    handle = await kb(h, "add", h.w.mod, title="Long answers")
    modal = await handle.wait_response()
    assert modal["type"] == 9 and len(modal["data"]["title"]) <= 45
    body = "First paragraph.\n\n" + "Details. " * 300  # longer than one message
    submit = await h.fake.interact(
        h.fake.modal_submit(
            modal["data"]["custom_id"], user=h.w.mod, channel_id=h.w.other,
            values={"title": "Long answers", "body": body, "tags": "long"},
        )
    )  # fmt: skip
    assert "Article a:long-answers added" in await h.done(submit)
    text, _ = await say(h, "show", h.w.carol, id="a:long-answers")
    assert "First paragraph." in text and "Tags: long" in text

    handle = await kb(h, "edit", h.w.mod, id="a:long-answers")
    form = await handle.wait_response()
    assert form["type"] == 9
    submit = await h.fake.interact(
        h.fake.modal_submit(
            form["data"]["custom_id"], user=h.w.mod, channel_id=h.w.other,
            values={"id": "a:long-answers", "title": "Long answers, short", "body": "", "tags": "long"},
        )
    )  # fmt: skip
    assert "updated (version 2)" in await h.done(submit)
    text, _ = await say(h, "show", h.w.carol, id="a:long-answers")
    assert "Long answers, short" in text and "First paragraph." in text  # empty body: kept


async def test_promote_in_the_solved_thread_and_by_number(h: Harness) -> None:
    thread_id = await solve_one(h)
    question = await h.question(thread_id)
    assert question is not None
    text, handle = await say(h, "promote", h.w.mod, thread_id)
    assert f"Question #{question.id} is now article" in text and "Bob" in text
    assert private(handle)
    text, _ = await say(h, "promote", h.w.mod, question=question.id)
    assert "already the article" in text
    found, _ = await say(h, "search", h.w.carol, query="parse json")
    assert "a:how-do-i-parse-json-in-python" in found

    open_thread = await h.ask_text(h.w.carol, "Why is my loop slow?")
    text, _ = await say(h, "promote", h.w.mod, open_thread)
    assert "Only a solved question" in text


async def _promoted_body(h: Harness, title: str, answer: str, *, unreadable: bool) -> str:
    """alice asks `title`, bob answers, alice accepts, the moderator promotes: the body.
    `unreadable`: the answer is gone from Discord first (no event: a 404 when read)."""

    thread_id = await h.ask_text(h.w.alice, title)
    answer_id = await h.answer(thread_id, h.w.bob, answer)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    if unreadable:
        del h.fake.messages[thread_id][answer_id]
    text, _ = await say(h, "promote", h.w.mod, thread_id)
    assert "is now article" in text
    article = text.split("article ", 1)[1].split(",", 1)[0]
    shown = await h.app.bot.handle(kb_core.ShowKnowledge(member(h), article))
    assert isinstance(shown, kb_core.ArticleShown)
    return shown.article.body


async def test_a_promoted_article_holds_the_whole_answer_read_back_from_discord(
    h: Harness,
) -> None:
    """The bot keeps 300 characters of each message; /kb promote reads the accepted answers
    back from the thread (GET /channels/{thread}/messages/{id}), mentions as names. A
    message it cannot read any more (deleted, no access) falls back to the excerpt, which
    the core stored with names too."""

    steps = " ".join(f"Step {i}: run `pip install foo=={i}`." for i in range(50))
    answer = f"Ask <@{h.w.carol.id}> too. " + steps
    assert 1500 < len(answer) < 2000
    body = await _promoted_body(h, "How do I pin a version?", answer, unreadable=False)
    assert f"**Bob:** Ask @Carol too. {steps}" in body
    body = await _promoted_body(h, "How do I unpin a version?", answer, unreadable=True)
    assert "**Bob:** Ask @Carol too. Step 0" in body and steps not in body


async def test_a_member_is_refused_privately_and_audited(h: Harness) -> None:
    article = await add_article(h)
    thread_id = await solve_one(h, "How do I read a CSV file?")
    attempts = [
        ("add", {"title": "Spam", "body": "spam"}),
        ("edit", {"id": article, "body": "spam"}),
        ("edit", {"id": article}),  # would open the form for a moderator
        ("remove", {"id": article}),
        ("undo", {"id": article}),
    ]
    for sub, options in attempts:
        text, handle = await say(h, sub, h.w.carol, **options)
        assert "Only moderators can do that." in text and private(handle), (sub, text)
    before = len(h.fake.calls)
    text, handle = await say(h, "promote", h.w.carol, thread_id)
    assert "Only moderators can do that." in text and private(handle)
    # The core refuses a member's promote: the accepted answer is not read back for it.
    read = f"/channels/{thread_id}/messages/"
    assert not [c for c in h.fake.calls[before:] if c.path.startswith(read)]
    assert "python -m venv" in (await say(h, "show", h.w.carol, id=article))[0]

    async def refusals() -> int:
        async with h.app.bot.uow_factory(write=False) as uow:
            rows = await uow.moderation.audit_entries(
                "main", member_id=None, question_id=None, limit=50
            )
        return sum(1 for r in rows if r.outcome.value == "refused")

    assert await eventually(lambda: _at_least(refusals, 6))


async def _at_least(count: Any, n: int) -> bool:
    return await count() >= n


async def test_search_links_a_question_whose_title_has_stray_brackets(h: Harness) -> None:
    """A solved question titled with a lone bracket and markdown characters is still one
    link to its thread, with no backslashes shown in the link text."""

    thread_id = await solve_one(h, "Parse my_data_file.json ] fails [ help")
    text, _ = await say(h, "search", h.w.carol, query="parse json")
    link = f"https://discord.com/channels/{h.fake.guild_id}/{thread_id}"
    line = next(line for line in text.splitlines() if link in line)
    assert f"[Parse my_data_file.json ) fails ( help]({link})" in line, line


async def test_welcome_shows_a_link_shaped_earlier_title_as_text(h: Harness) -> None:
    """A solved question titled like a masked link is suggested to the next asker as text,
    not as a link the bot appears to vouch for."""

    await solve_one(h, "[How do I parse JSON in Python?](https://evil.example)")
    thread_id = await h.ask_text(h.w.carol, JSON_TITLE)
    welcome = h.welcome(thread_id)
    assert welcome is not None and welcome["embeds"], welcome
    description = welcome["embeds"][0]["description"]
    assert "\\[How do I parse JSON in Python?\\](https://evil.example)" in description


def form_inputs(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The text inputs of a form the bot opened, by custom id."""

    return {
        c["custom_id"]: c
        for row in modal["data"]["components"]
        for c in row.get("components") or [row.get("component") or {}]
        if "custom_id" in c
    }


async def edit_reasons(h: Harness) -> list[str | None]:
    async with h.app.bot.uow_factory(write=False) as uow:
        rows = await uow.moderation.audit_entries(
            "main", member_id=None, question_id=None, limit=50
        )
    return [r.reason for r in rows if r.action == "edit_article"]


async def test_a_reason_given_to_the_edit_form_is_in_it_and_kept(h: Harness) -> None:
    """`/kb edit <id> reason:...` with nothing else to change opens the form: the form has the
    reason, filled in, and the reason sent with it goes to the audit log with the edit. The
    form had no reason field, and the reason typed into the command was dropped."""

    article = await add_article(h)
    reason = "The venv steps changed in Python 3.12."
    handle = await kb(h, "edit", h.w.mod, id=article, reason=reason)
    form = await handle.wait_response()
    assert form["type"] == 9 and len(form["data"]["components"]) <= 5
    inputs = form_inputs(form)
    assert inputs["reason"]["value"] == reason and not inputs["reason"]["required"]
    assert len(inputs["reason"]["label"]) <= 45
    submit = await h.fake.interact(
        h.fake.modal_submit(
            form["data"]["custom_id"], user=h.w.mod, channel_id=h.w.other,
            values={"id": article, "title": "", "body": "Run uv venv", "reason": reason},
        )
    )  # fmt: skip
    assert "updated (version 2)" in await h.done(submit)
    assert await edit_reasons(h) == [reason]

    # Opened without one, the form's reason is empty; what is typed there is kept.
    form = await (await kb(h, "edit", h.w.mod, id=article)).wait_response()
    assert "value" not in form_inputs(form)["reason"]
    submit = await h.fake.interact(
        h.fake.modal_submit(
            form["data"]["custom_id"], user=h.w.mod, channel_id=h.w.other,
            values={"id": article, "body": "Run python -m venv", "reason": "Back to venv."},
        )
    )  # fmt: skip
    assert "updated (version 3)" in await h.done(submit)
    reasons = await edit_reasons(h)
    assert len(reasons) == 2 and set(reasons) == {reason, "Back to venv."}


# -- the question's text in a promoted article ------------------------------------------------

EMOJI = "<:blob_cat:912345678901234567>"


async def promoted(h: Harness, thread_id: int, answer: str = "Use json.loads") -> str:
    """bob answers in `thread_id`, its asker accepts, the moderator promotes: the body."""

    return (await promoted_article(h, thread_id, answer)).body


async def promoted_article(h: Harness, thread_id: int, answer: str = "Use json.loads") -> Article:
    """As `promoted`, the whole article."""

    question = await h.question(thread_id)
    assert question is not None
    await h.answer(thread_id, h.w.bob, answer)
    asker = next(u for u in (h.w.alice, h.w.carol, h.w.mod) if question.asker.ref.id == str(u.id))
    assert "Marked" in await h.done(await h.command("solved", asker, thread_id))
    text, _ = await say(h, "promote", h.w.mod, thread_id)
    assert "is now article" in text, text
    article = text.split("article ", 1)[1].split(",", 1)[0]
    shown = await h.app.bot.handle(kb_core.ShowKnowledge(member(h), article))
    assert isinstance(shown, kb_core.ArticleShown)
    return shown.article


def mentions_of(h: Harness) -> str:
    return (
        f"Ask <@{h.w.carol.id}> {EMOJI} in <#{h.w.other}> or <@&{h.w.mod_role}>, "
        f"not `<@{h.w.carol.id}>` @everyone"
    )


def named(body: str) -> str:
    """`body` without the zero-width space that keeps "@everyone" from pinging."""

    return body.replace("\u200b", "")


NAMES = "Ask @Carol :blob_cat: in #general or @Moderators, not `<@{carol}>` @everyone"


async def test_a_promoted_question_shows_names_not_ids(h: Harness) -> None:
    """A text channel's question is read back from its message as the answers are: members,
    channels, roles and custom emoji as Discord shows them (code as typed), not the raw ids
    the core stored, which Slack's /kb show, kb export and search would show."""

    question = "How do I parse JSON?\n" + mentions_of(h)
    thread_id = await h.ask_text(h.w.alice, question)
    stored = await h.question(thread_id)
    assert stored is not None and f"<@{h.w.carol.id}>" in stored.body
    body = await promoted(h, thread_id, answer=f"Ask <@{h.w.carol.id}> {EMOJI}")
    head = "How do I parse JSON?\n" + NAMES.format(carol=h.w.carol.id)
    assert named(body).startswith(head + "\n\n**Bob:** Ask @Carol :blob_cat:"), body
    assert "@\u200beveryone" in body  # (as discord.py's clean_content leaves it: no ping)
    assert EMOJI not in body and f"<#{h.w.other}>" not in body


async def test_a_promoted_question_s_title_shows_names_not_ids(h: Harness) -> None:
    """The article's title is the first line of the question read back, as the question's
    title was the first line of its text: a member named there is named, not <@id>."""

    thread_id = await h.ask_text(h.w.alice, f"<@{h.w.carol.id}> how do I parse JSON?")
    article = await promoted_article(h, thread_id)
    assert article.title == "@Carol how do I parse JSON?"


async def test_a_promoted_forum_question_is_its_title_and_its_starter(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice, "Parsing JSON fails", mentions_of(h))
    body = await promoted(h, thread_id)
    head = "Parsing JSON fails\n" + NAMES.format(carol=h.w.carol.id)
    assert named(body).startswith(head + "\n\n**Bob:** Use json.loads"), body
    # The starter message is read from the post's thread, which has its id.
    assert h.fake.calls_to("GET", f"/channels/{thread_id}/messages/{thread_id}")


ANONYMOUS_ALLOWED = pytest.mark.parametrize(
    "community_settings", [{"lifecycle": {"anonymous_questions": True}}]
)


async def slash_ask(h: Harness, where: int, question: str, *, anonymous: bool = False) -> int:
    """alice asks with /ask in `where`: the question's thread."""

    before = {int(t["id"]) for t in h.fake.threads_in(where)}
    options = {"question": question, "anonymous": anonymous}
    assert "open in" in await h.done(await h.command("ask", h.w.alice, where, options=options))
    (thread_id,) = {int(t["id"]) for t in h.fake.threads_in(where)} - before
    await eventually(lambda: h.welcome(thread_id))
    return thread_id


@ANONYMOUS_ALLOWED
@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
async def test_a_promoted_ask_question_is_the_members_words_with_names(
    h: Harness, kind: str, anonymous: bool
) -> None:
    """An /ask question's message is the bot's post: "@alice asked:" or "Anonymous asked:"
    and then the member's words. Only the words go in, with names: never the line naming
    who asked (nor that they are anonymous), and no id of theirs."""

    where = h.w.text if kind == "text" else h.w.forum
    words = "How do I parse JSON?\n" + mentions_of(h)
    thread_id = await slash_ask(h, where, words, anonymous=anonymous)
    body = await promoted(h, thread_id)
    head = "How do I parse JSON?\n" + NAMES.format(carol=h.w.carol.id)
    assert named(body).startswith(head + "\n\n**Bob:** Use json.loads"), body
    assert "asked" not in body and "Anonymous" not in body
    assert str(h.w.alice.id) not in body and "Alice" not in body


@ANONYMOUS_ALLOWED
async def test_a_long_ask_question_is_promoted_as_the_core_stored_it(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """An /ask question longer than a message goes on in the thread; its first message holds
    only the start, so the article has the whole question as the core stored it."""

    words = "Why is this slow? " + "More details here. " * 150 + f"<@{h.w.carol.id}> knows"
    assert len(words) > 2000
    thread_id = await slash_ask(h, h.w.text, words, anonymous=True)
    stored = await h.question(thread_id)
    assert stored is not None
    with caplog.at_level(logging.INFO, logger="adapters.discord.read_back"):
        body = await promoted(h, thread_id)
    assert body.startswith(stored.body + "\n\n**Bob:** Use json.loads"), body
    assert "Anonymous" not in body
    lines = [r.getMessage() for r in caplog.records if "question #" in r.getMessage()]
    assert lines == [
        f"kb promote: question #{stored.id}'s post does not hold the question whole; "
        "its stored text is used"
    ]


async def test_a_question_whose_message_is_gone_is_promoted_as_the_core_stored_it(
    h: Harness, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A question's message deleted (or one Discord refuses to show): the stored text, and
    one log line that says so."""

    if kind == "text":
        thread_id = await h.ask_text(h.w.alice, "How do I parse JSON?\n" + mentions_of(h))
        del h.fake.messages[h.w.text][thread_id]
    else:
        thread_id = await h.ask_forum(h.w.alice, "How do I parse JSON?", mentions_of(h))
        del h.fake.messages[thread_id][thread_id]
    stored = await h.question(thread_id)
    assert stored is not None
    with caplog.at_level(logging.INFO):
        body = await promoted(h, thread_id)
    assert body.startswith(stored.body + "\n\n**Bob:** Use json.loads"), body
    lines = [r.getMessage() for r in caplog.records if f"question #{stored.id}" in r.getMessage()]
    assert len(lines) == 1 and "its stored text is used" in lines[0], lines


async def test_promote_looks_up_at_most_a_few_uncached_names() -> None:
    """Each member or channel not in discord.py's cache is one API call: a question that
    mentions many is read back with a few looked up, the rest named as clean_content
    names one it cannot find."""

    fetched: list[int] = []

    async def fetch_member(user_id: int) -> Any:
        fetched.append(user_id)
        return SimpleNamespace(display_name="found")

    guild: Any = SimpleNamespace(
        get_member=lambda _: None, get_role=lambda _: None, fetch_member=fetch_member
    )
    message: Any = SimpleNamespace(mentions=[], role_mentions=[])
    ids = [100000000000000000 + n for n in range(MAX_FETCHED_NAMES + 2)]
    shown = await Names(guild).text(" ".join(f"<@{i}> <@!{i}>" for i in ids), message)
    assert len(fetched) == len(set(fetched)) == MAX_FETCHED_NAMES
    assert shown.split().count("@found") == 2 * MAX_FETCHED_NAMES
    assert shown.split().count("@deleted-user") == 2 * 2
