"""Odd or hostile input gets a short private answer and never a traceback."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from tests.adapters.discord.conftest import Harness
from tests.adapters.discord.test_refusals import ephemeral


@pytest.mark.parametrize(
    ("custom_id", "answer"),
    [
        # "²" passes str.isdigit() but int() refuses it.
        ("cb:sugg-no:\u00b2", "can't find that question"),
        ("cb:pick:\u00b2", "can't find that question"),
        ("cb:accept:\u00b2", "is not an answer"),
        ("cb:report:dismiss:\u00b2", "no report #\u00b2"),
        # cut off: the id part is missing
        ("cb:sugg-no", "can't find that question"),
        ("cb:pick", "can't find that question"),
        ("cb:accept", "is not an answer"),
        ("cb:report:dismiss", "no report #?"),
        ("cb:report", "no report #?"),
        ("cb:report:nonsense:1", "no report #1"),
    ],
)
async def test_component_with_a_bad_id_part(
    h: Harness, custom_id: str, answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    thread_id = await h.ask_text(h.w.alice)
    welcome = h.welcome(thread_id)
    assert welcome is not None
    click = await h.fake.interact(
        h.fake.component(
            int(welcome["id"]), custom_id, user=h.w.mod, component_type=3, values=[str(h.w.bob.id)]
        )
    )
    assert answer in await h.done(click)
    assert ephemeral(h, click)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    question = await h.question(thread_id)
    assert question is not None and question.status.value == "open"


def well_formed(text: str) -> bool:
    return not any(0xD800 <= ord(ch) <= 0xDFFF or ch == "\x00" for ch in text)


async def test_ask_with_half_an_emoji_posts_well_formed_text(h: Harness) -> None:
    """A slash option may carry a lone surrogate ("\\ud83d" in the JSON); Discord refuses
    one in what the bot sends, so the public starter message shows U+FFFD instead."""

    handle = await h.command(
        "ask",
        h.w.alice,
        h.w.other,
        options={"question": "Why does \ud83d\x00 fail?"},
    )
    assert "Your question is open" in await h.done(handle)
    (starter,) = h.fake.messages_in(h.w.text)
    assert well_formed(starter["content"])
    assert "Why does \ufffd\ufffd fail?" in starter["content"]
    (thread,) = h.fake.threads_in(h.w.text)
    assert well_formed(thread["name"])


async def test_ask_longer_than_one_message_shows_all_of_it(h: Harness, kind: str) -> None:
    """/ask takes 4,000 characters, a message holds 2,000: the starter was cut to 2,000
    with "…", so helpers never saw the end of the question (only the core had it). The
    rest now follows in the thread, before the bot's welcome."""

    words = [f"w{i:04d}" for i in range(650)]  # 3,899 characters
    channel = h.w.text if kind == "text" else h.w.forum
    handle = await h.command("ask", h.w.alice, channel, options={"question": " ".join(words)})
    assert "Your question is open" in await h.done(handle)
    if kind == "text":
        (starter,) = h.fake.messages_in(h.w.text)
        (thread,) = h.fake.threads_in(h.w.text)
        posts = [starter["content"], *(m["content"] for m in h.bot_messages(int(thread["id"])))]
    else:
        (thread,) = h.fake.threads_in(h.w.forum)
        posts = [m["content"] for m in h.bot_messages(int(thread["id"]))]
    assert all(len(p) <= 2000 for p in posts)
    shown = " ".join(posts)
    assert all(w in shown for w in words), [w for w in words if w not in shown][:3]
    assert "w0649" in posts[1] and "Mark as solution" not in posts[1]  # welcome comes last


async def test_kb_add_form_opens_with_half_an_emoji_in_the_title(h: Harness) -> None:
    """`/kb add title:` without a body opens the article form filled with the title and tags;
    half an emoji or a NUL in them went into the form as it was, which Discord refuses (the
    moderator got an apology, and lost what they typed). Now the form shows U+FFFD there."""

    handle = await h.command(
        "kb", h.w.mod, h.w.other, subcommand="add",
        options={"title": "Venv \ud83d\x00 setup", "tags": "py\ud83d"},
    )  # fmt: skip
    form = await handle.wait_response()
    assert form["type"] == 9, form
    values = [c.get("value") or "" for row in form["data"]["components"] for c in row["components"]]
    assert all(well_formed(v) for v in values), values
    assert "Venv \ufffd\ufffd setup" in values and "py\ufffd" in values


async def test_answer_sent_while_away_with_only_a_file_keeps_its_name(h: Harness) -> None:
    """Mark as solution on a message the bot never saw records it first, as a live
    message would be: a file-only answer is kept as "[name]", not as an empty text."""

    thread_id = await h.ask_text(h.w.alice)
    attachment = h.fake.attachment("fix.py")
    message = h.fake.add_message(thread_id, h.w.bob, "", attachments=[attachment])
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.alice, message_id=int(message["id"]))
    )
    assert "as a solution" in await h.done(handle)
    question = await h.question(thread_id)
    assert question is not None
    async with h.app.bot.uow_factory(write=False) as uow:
        answers = await uow.questions.answers(question.id)
    assert [(a.message_id, a.excerpt) for a in answers] == [(message["id"], "[fix.py]")]


@pytest.mark.parametrize(
    ("user", "command", "options", "answer"),
    [
        ("alice", ("thanks", None), {}, "was thanked"),
        ("alice", ("rep", None), {}, "0 points"),
        ("alice", ("solved", None), {}, "hasn't taken part here yet"),
        ("mod", ("mod", "warn"), {"reason": "spam"}, "was warned privately"),
        ("mod", ("mod", "audit"), {}, "hasn't taken part here yet"),
    ],
)
async def test_member_option_naming_someone_who_left(
    h: Harness,
    user: str,
    command: tuple[str, str | None],
    options: dict[str, str],
    answer: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A user option may name someone who left the server: Discord then resolves a user and
    no member. That is an answer for the core to give, not a conversion failure."""

    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    gone = h.fake.add_user("gone", global_name="Gone")
    del h.fake.members[gone.id]
    name, subcommand = command
    handle = await h.command(
        name,
        getattr(h.w, user),
        thread_id,
        subcommand=subcommand,
        options={"member": gone, **options},
    )
    text = await h.done(handle)
    assert answer in text
    assert f"<@{gone.id}>" in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("command", "stale"),
    [
        (("rep", None, {}), lambda data: data.update(name="reputation")),
        (
            ("kb", "search", {"query": "json"}),
            lambda data: data["options"][0].update(name="find"),
        ),
    ],
)
async def test_command_renamed_since_the_client_loaded_it(
    h: Harness, command: Any, stale: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord clients keep showing a command as it was before a deploy renamed it for a
    while; using it tells the member to reload, privately, and logs no error."""

    name, subcommand, options = command
    payload = h.fake.slash_command(
        name, user=h.w.alice, channel_id=h.w.other, subcommand=subcommand, options=options
    )
    stale(payload["data"])
    handle = await h.fake.interact(payload)
    assert "Reload Discord" in await h.done(handle)
    assert ephemeral(h, handle)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def outside_code(text: str) -> list[str]:
    """The lines of `text` Discord renders as text, not inside a ``` code block."""

    inside, out = False, []
    for line in text.split("\n"):
        if line.strip().startswith("```"):
            inside = not inside
        elif not inside:
            out.append(line)
    return out


async def test_question_card_closes_code_blocks_cut_short(h: Harness) -> None:
    """A question and an answer with long code: cut to fit the card, their code blocks are
    closed, so the answers and the link to the thread are not shown as code."""

    code = "\n".join(f"    value_{i} = compute({i})  # step" for i in range(80))
    thread_id = await h.ask_text(h.w.alice, f"Why does this loop fail?\n```python\n{code}\n```")
    await h.answer(thread_id, h.w.bob, f"Try this:\n```python\n{code}\n```")
    handle = await h.command("kb", h.w.carol, h.w.other, subcommand="show", options={"id": "q1"})
    await h.done(handle)
    assert handle.record.original is not None
    lines = outside_code(handle.record.original["embeds"][0]["description"])
    assert "Answers:" in lines
    assert any(line.startswith(f"<@{h.w.bob.id}>: Try this:") for line in lines)
    assert any(line.startswith("Open the thread: https://discord.com/channels/") for line in lines)


# A masked link Discord would render: [text](address), not escaped, not in code.
LIVE_MASKED_LINK = re.compile(r"(?<!\\)\[[^\[\]]*\]\(\s*<?https?://")


async def test_question_card_shows_where_a_masked_link_goes(h: Harness) -> None:
    """The card keeps the question's and answers' markdown, but a masked link there was
    live, so a member could make the bot's card show 'the official docs' leading anywhere
    (Discord's warning before leaving for an address is not shown in every client). It is
    shown as its text and then its address; a link in code stays code, bold stays bold."""

    thread_id = await h.ask_text(
        h.w.alice, "How do I install it?\nThe **README** says [see here](https://evil.example/a)"
    )
    await h.answer(
        thread_id, h.w.bob,
        "Read [the official docs](<https://evil.example/b> \"Docs\"), not `[x](https://c.example)`",
    )  # fmt: skip
    handle = await h.command("kb", h.w.carol, h.w.other, subcommand="show", options={"id": "q1"})
    await h.done(handle)
    assert handle.record.original is not None
    card = handle.record.original["embeds"][0]["description"]
    assert not LIVE_MASKED_LINK.search(card.replace("`[x](https://c.example)`", "")), card
    assert "The **README** says see here <https://evil.example/a>" in card, card
    assert f"<@{h.w.bob.id}>: Read the official docs <https://evil.example/b>, not " in card
    assert "`[x](https://c.example)`" in card, card


async def test_reporting_your_own_message_is_refused_before_the_form(h: Harness) -> None:
    """The refusal comes at once, not after the member typed a reason into the form."""

    thread_id = await h.ask_text(h.w.alice)
    mine = await h.fake.post_message(thread_id, h.w.alice, "more details")
    handle = await h.fake.interact(
        h.fake.message_command("Report to moderators", user=h.w.alice, message_id=int(mine["id"]))
    )
    response = await handle.wait_response()
    assert response["type"] != 9  # no form
    assert "You can't report your own message" in await h.done(handle)
    assert ephemeral(h, handle)


@pytest.mark.parametrize("custom_id", ["cb:sugg-maybe:1", "cb", "legacy_solve_button", ""])
async def test_unknown_component_says_it_no_longer_works(
    h: Harness, custom_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A button from an older version of the bot (or a forged id) gets a private line, not
    Discord's bare "This interaction failed"."""

    thread_id = await h.ask_text(h.w.alice)
    welcome = h.welcome(thread_id)
    assert welcome is not None
    click = await h.fake.interact(h.fake.component(int(welcome["id"]), custom_id, user=h.w.bob))
    assert "no longer works" in await h.done(click)
    assert ephemeral(h, click)
    assert not [
        r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("adapters")
    ]


def _retype(data: dict[str, Any], name: str, option_type: int, value: Any) -> None:
    options = data["options"]
    while options and options[0]["type"] in (1, 2):
        options = options[0]["options"]
    option = next(o for o in options if o["name"] == name)
    option.update(type=option_type, value=value)


@pytest.mark.parametrize(
    "stale",
    [
        pytest.param(lambda data: _retype(data, "member", 3, "bob"), id="user-sent-as-string"),
        pytest.param(lambda data: _retype(data, "points", 3, "5"), id="integer-sent-as-string"),
    ],
)
async def test_option_whose_type_changed_since_the_client_loaded_it(
    h: Harness, stale: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An option that was a string when the member's Discord loaded the command arrives as a
    string: discord.py does not convert it, so it is refused as a stale command, privately,
    before the command runs."""

    payload = h.fake.slash_command(
        "mod",
        user=h.w.mod,
        channel_id=h.w.other,
        group="rep",
        subcommand="add",
        options={"member": h.w.bob, "points": 5, "reason": "helped"},
    )
    stale(payload["data"])
    handle = await h.fake.interact(payload)
    assert "Reload Discord" in await h.done(handle)
    assert ephemeral(h, handle)
    assert await h.points(h.w.bob) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
