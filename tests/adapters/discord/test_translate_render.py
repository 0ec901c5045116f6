"""Pure translate/render functions on payloads recorded from Discord's documented shapes."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import random
import re
import signal
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import regex

from adapters.discord import read_back, render, translate
from adapters.discord.read_back import Names
from adapters.discord.texts import Texts
from bot.config import RewardRole
from bot.events import HelperChoiceNeeded, QuestionOpened, QuestionShown, Welcome
from bot.i18n import Catalog
from bot.knowledge_base import KnowledgeFound
from bot.model import Member, MemberRef, Period, Question, QuestionStatus, Suggestion
from bot.text import split_title, with_attachments

# MESSAGE_REACTION_ADD as documented (and as the gateway sends it)
REACTION = {
    "user_id": "111",
    "channel_id": "222",
    "message_id": "333",
    "guild_id": "444",
    "member": {"user": {"id": "111", "username": "alice"}, "roles": ["900"], "nick": None},
    "emoji": {"id": None, "name": "✅"},
    "burst": False,
    "type": 0,
}
# A member with Manage Threads server-wide (from a role). An INTERACTION_CREATE's own
# `member.permissions` is the channel's value, which the adapter never passes here.
INTERACTION_MEMBER = {
    "user": {"id": "555", "username": "mod", "global_name": "Mod"},
    "roles": ["901"],
    "permissions": str(1 << 34),
}


def test_actor_from_a_reaction_payload() -> None:
    member = REACTION["member"]
    actor = translate.actor(
        "main",
        user_id=REACTION["user_id"],
        display_name=member["user"]["username"],  # type: ignore[index]
        role_ids=member["roles"],  # type: ignore[index]
        moderator_role_ids=["900"],
    )
    assert actor.ref == MemberRef("discord", "main", "111")
    assert actor.is_moderator and not actor.is_bot


def test_moderator_by_manage_threads_or_role() -> None:
    perms = int(INTERACTION_MEMBER["permissions"])  # type: ignore[arg-type]
    assert translate.is_moderator(INTERACTION_MEMBER["roles"], perms, [])
    assert translate.is_moderator(["7"], 0, ["7"])
    assert not translate.is_moderator(["7"], 1 << 11, ["8"])


def test_solved_reaction_only_for_the_unicode_check_mark() -> None:
    emoji = REACTION["emoji"]
    assert translate.is_solved_reaction(emoji["name"], emoji["id"])  # type: ignore[index]
    assert translate.is_solved_reaction("✅\ufe0f", None)
    assert not translate.is_solved_reaction("✅", 123)  # a custom emoji named like it
    assert not translate.is_solved_reaction("👍", None)


def test_event_ids_are_namespaced_and_stable() -> None:
    assert translate.message_event(333) == "msg:333"
    assert translate.interaction_event("9") == "ia:9"
    assert len({translate.message_event(1), translate.interaction_event(1)}) == 2


def test_user_message_types() -> None:
    assert translate.is_user_message(0, False) and translate.is_user_message(19, False)
    assert not translate.is_user_message(18, False)  # THREAD_CREATED notice
    assert not translate.is_user_message(0, True)


def test_thread_names() -> None:
    assert translate.thread_name("\n  How?\nmore", "fallback") == "How?"
    assert translate.thread_name("", "Question from Alice") == "Question from Alice"
    # A ✅ of the member's own would read as the solved mark.
    assert translate.thread_name("✅️ ✅ Tick emoji\nmore", "x") == "Tick emoji"
    assert translate.thread_name("✅", "Question from Alice") == "Question from Alice"
    assert translate.thread_name("☑ done?", "x", "☑ ") == "done?"
    # Named like the question's title (`title_line`): the first line outside code blocks.
    code = "```python\nimport json\n```\nWhy does it fail?"
    assert translate.thread_name(code, "x") == "Why does it fail?"
    assert translate.thread_name("```py\nx = 1\n```", "x") == "x = 1"
    assert translate.thread_name("``` free nitro", "x") == "``` free nitro"  # as the core titles it
    assert translate.thread_name("```\n\n```", "x") == split_title("```\n\n```")[0]
    assert translate.thread_name("```\n✅ done\n```", "x") == "done"
    long = translate.thread_name("é" * 300, "x")
    assert len(long) == 100 and long.endswith("…")
    flags = translate.thread_name("🇫🇷" * 60, "x")
    assert len(flags) <= 100 and not flags[:-1].endswith("🇫")  # no half flag


def test_forum_question_text_and_attachments() -> None:
    assert translate.forum_question_text("Title", "") == "Title"
    assert translate.forum_question_text("Title", "body") == "Title\nbody"
    assert with_attachments("", ["a.png"]) == "[a.png]"
    assert with_attachments("see", ["a.png", "b.txt"]) == "see\n[a.png, b.txt]"


def test_solved_prefix_round_trip() -> None:
    assert translate.solved_name("Help", "✅ ") == "✅ Help"
    assert translate.solved_name("✅ Help", "✅ ") == "✅ Help"
    assert translate.unsolved_name("✅ Help", "✅ ") == "Help"
    assert len(translate.solved_name("x" * 100, "✅ ")) == 100


def test_an_archive_after_the_auto_archive_duration_is_discords_own() -> None:
    from datetime import UTC, datetime, timedelta

    spoke = datetime(2026, 1, 5, 12, tzinfo=UTC)
    later = spoke + timedelta(minutes=1440)
    assert translate.archived_for_inactivity(later, [spoke, None], 1440)
    assert not translate.archived_for_inactivity(later - timedelta(minutes=1), [spoke], 1440)
    # Unarchived (or written in) since: counted from then.
    assert not translate.archived_for_inactivity(later, [spoke, spoke + timedelta(hours=1)], 1440)
    assert not translate.archived_for_inactivity(None, [spoke], 1440)


def test_tags_keep_discords_limit() -> None:
    assert translate.tags_with([1, 2, 3, 4, 5], 9) is None  # no member's tag is dropped
    assert translate.tags_with([1, 2, 3, 4], 9) == [1, 2, 3, 4, 9]
    assert translate.tags_with([1, 9], 9) == [1, 9]
    assert translate.tags_without([1, 9], 9) == [1]


def test_reward_roles_added_on_reaching_and_removed_only_on_dropping_back() -> None:
    rewards = [RewardRole(points=10, role_id="10"), RewardRole(points=50, role_id="50")]
    changes = translate.reward_role_changes(5, 15, rewards, ["1"])
    assert changes.add == ("10",) and changes.remove == ()
    changes = translate.reward_role_changes(60, 0, rewards, ["10", "50", "1"])
    assert changes.add == () and changes.remove == ("10", "50")
    assert not translate.reward_role_changes(55, 60, rewards, ["10", "50"])
    # A role held without reaching it (given by hand) stays on a gain...
    assert not translate.reward_role_changes(0, 2, rewards, ["50"]).remove
    # ...and on a loss that crosses nothing it had reached; a reached one still goes.
    changes = translate.reward_role_changes(12, 8, rewards, ["10", "50"])
    assert changes.remove == ("10",)
    assert translate.reward_roles_at_stake(12, 8, rewards)
    assert not translate.reward_roles_at_stake(0, 2, rewards)
    assert not translate.reward_roles_at_stake(8, 3, rewards)


def test_custom_ids_and_periods() -> None:
    cid = translate.custom_id("pick", 123)
    assert cid == "cb:pick:123" and translate.parse_custom_id(cid) == ("pick", ["123"])
    assert translate.parse_custom_id("someone-else:thing") is None
    assert translate.period("WEEK") is Period.WEEK and translate.period("bogus") is Period.ALL


# -- render ------------------------------------------------------------------------------------


def test_split_message_on_safe_boundaries() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 80 for i in range(10))
    parts = render.split_message(text)
    assert all(len(p) <= 2000 for p in parts) and len(parts) > 1
    assert "".join(p.replace("\n", "").replace(" ", "") for p in parts) == text.replace(
        "\n", ""
    ).replace(" ", "")
    assert all(p.startswith("Paragraph") for p in parts)


def test_split_message_keeps_code_blocks_closed() -> None:
    text = "Look:\n```python\n" + "print('x')\n" * 300 + "```\nDone"
    parts = render.split_message(text)
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    for part in parts:
        assert part.count("```") % 2 == 0
    assert parts[1].startswith("```python\n")


@pytest.mark.parametrize(
    ("text", "reopen"),
    [
        # content on the fence's own line is code, not a language to repeat in every part
        ("```js const x = 1;\n" + "let y = x + 1;\n" * 250 + "```", "```\n"),
        # a fence in the middle of a line opens a block as well as one that starts a line
        ("Run this: ```py\n" + "let y = x + 1;\n" * 250 + "```", "```py\n"),
    ],
)
def test_split_message_reads_code_blocks_as_discord_does(text: str, reopen: str) -> None:
    """Discord opens a code block at any ``` and takes a language only when a word fills
    the rest of its line; the next ``` closes it. Read by line starts, the first case
    repeated 'js const x = 1;' at the top of every part, and the second left its block
    open across parts."""

    parts = render.split_message(text)
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert all(p.count("```") % 2 == 0 for p in parts), [p.count("```") for p in parts]
    assert all(p.startswith(reopen) for p in parts[1:]), [p[:20] for p in parts]
    # cut after a line break, which each part leaves out: nothing else added or lost
    pieces = [parts[0], *(p.removeprefix(reopen) for p in parts[1:])]
    assert "\n".join(p.removesuffix("\n```") for p in pieces) == text.removesuffix("\n```")


def test_a_code_block_closed_on_its_own_line_is_not_reopened() -> None:
    """'```pip install foo``` then run it.' holds a whole code block. Read as an open one,
    every part got the line again at its top and a stray ``` at its end, and the question
    card's excerpt a stray ```, which makes code of the card's lines up to the next one."""

    text = "```pip install foo``` then run it.\n" + "Some prose words here. " * 150
    parts = render.split_message(text)
    assert len(parts) > 1 and "".join(parts) == text
    cut = render.excerpt(text, 300)
    assert cut.count("```") == 2 and cut.endswith("…"), cut[-20:]


@pytest.mark.parametrize(
    ("lead", "fence"),
    [("Look ``` here: ", "```"), ("```py\n", "```py"), ("See below:\n```\n", "```")],
)
def test_split_message_reads_a_fence_nothing_closes_as_text(lead: str, fence: str) -> None:
    """Discord opens a code block only at a ``` a later ``` closes: one nothing closes shows
    as three backticks, and the text after it as text. Read as an open block, every part
    was closed at its end and reopened at the start of the next, which showed all of the
    member's words after the ``` as code. Closed far past the first part's reach, the
    block is one, and each part closes and reopens it."""

    text = lead + "word " * 900
    parts = render.split_message(text)
    assert len(parts) == 3 and "".join(parts) == text, [p[-10:] for p in parts]
    parts = render.split_message(text + "\n```")
    assert all(p.endswith("\n```") for p in parts), [p[-10:] for p in parts]
    assert all(p.startswith(fence + "\n") for p in parts[1:]), [p[:10] for p in parts]


@pytest.mark.parametrize("line", ["call `f` now", "const s = `${a}`;", "x = 1  # ``"])
def test_split_message_reads_a_long_code_block_with_backticks_in_it_as_a_block(line: str) -> None:
    """A code block longer than what split_message reads past a cut (2,000 characters), with
    backticks in its code (a JavaScript template string, Markdown in a comment): its ```
    and the code up to the first backtick were read as a code span, before the block, so no
    part was closed and every part after the first began as text in the middle of the code.
    Discord reads a code block before a code span."""

    text = "```js\n" + f"{line}\n" * 600 + "```"
    parts = render.split_message(text)
    assert len(parts) > 2 and all(len(p) <= 2000 for p in parts)
    assert all(p.startswith("```js\n") and p.endswith("\n```") for p in parts), [
        (p[:8], p[-8:]) for p in parts
    ]
    assert sum(p.count(line) for p in parts) == 600


def test_six_backticks_are_read_as_discord_does() -> None:
    """Discord's code block needs some code between its fences: "``````" is no empty block
    but six backticks, and with a ``` further on they open a block that ``` closes, its
    code starting with "```". Read as an empty block, that block was never closed and
    reopened across parts (the parts after the first showed its code as text), and a
    masked link in it was shown unmasked in the question card, in code."""

    text = "``````\n" + "code line\n" * 300 + "```"
    parts = render.split_message(text)
    assert len(parts) == 2 and all(p.endswith("code line\n```") for p in parts)
    assert parts[0].startswith("``````\n") and parts[1].startswith("```\ncode line")
    assert render.unmasked("``````[x](https://e.org)```") == "``````[x](https://e.org)```"
    # alone, they are six backticks, kept whole as a run nothing closes
    assert render.split_message("x" * 15 + "`````` tail", 20) == ["x" * 15, "`````` tail"]


def _stop_after(seconds: float) -> None:
    """Raise in the test itself if it still runs after `seconds` (a loop that never ends)."""

    def stop(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)


_LONG_FENCE_LINES = ["```\n" + "e" + "\u0301" * 2500, "```" + "x" * 1990 + "\ny" * 2000]


@pytest.mark.parametrize(
    "text",
    ["`" * 3000, *(t + "\n```" for t in _LONG_FENCE_LINES), *_LONG_FENCE_LINES],
)
def test_split_message_ends_whatever_the_fence_line(text: str) -> None:
    """A member's /ask of 2,000+ backticks is split raw. Its one line opened a code block,
    which was carried into the next part whole and filled it: the same part again, forever,
    and the bot's event loop with it. Likewise a reopened fence before a grapheme too long
    for a message. Such a fence line is now reopened bare, and each part takes some text."""

    _stop_after(5)
    try:
        parts = render.split_message(text)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert 1 < len(parts) < 10 and all(len(p) <= 2000 for p in parts)
    if text.endswith("\n```"):
        # (the last part's block is the member's own, which they closed)
        assert all(p.endswith("\n```") for p in parts[:-1])
    else:
        # backticks alone, or a ``` nothing closes, hold no open block: nothing added
        assert sum(p.count("`") for p in parts) == text.count("`"), [p[-5:] for p in parts]


@pytest.mark.parametrize("lead", ["", "Look:\n"])
def test_split_message_shows_no_empty_code_block(lead: str) -> None:
    """A code block whose first line is longer than a message (one long grapheme) was
    split into an empty block, then the line: the fence opens the next part instead."""

    long_grapheme = "e" + "\u0301" * 2100
    parts = render.split_message(lead + "```py\n" + long_grapheme + "\n```")
    assert all(len(p) <= 2000 for p in parts)
    assert not any(p.endswith("```py\n```") for p in parts)
    assert parts[-2].startswith("```py\ne\u0301") and parts[-1].startswith("```py\n\u0301")
    assert "".join(p.removeprefix("```py\n").removesuffix("\n```") for p in parts[-2:]) == (
        long_grapheme
    )


def test_split_message_never_breaks_a_grapheme() -> None:
    family = "👨‍👩‍👧"  # one grapheme, five code points
    parts = render.split_message(family * 500)
    assert all(len(p) <= 2000 for p in parts)
    assert all(len(p) % len(family) == 0 for p in parts)


def _unsplit(parts: list[str], text: str) -> None:
    """The parts hold the text (fences aside), each within Discord's limit."""

    assert all(len(p) <= 2000 for p in parts) and len(parts) > 1
    assert "".join(parts) == text


@pytest.mark.parametrize("lead", ["", "a", "ab"])
def test_split_message_keeps_an_escape_with_what_it_escapes(lead: str) -> None:
    """A long run of escaped characters without a space (a member's 3,000 asterisks, shown as
    typed) is cut between escapes: a part ending in a lone backslash would show it and the
    next part would start with a bare '*', so both halves turned into markup."""

    text = lead + render.as_typed("*_" * 1500)
    parts = render.split_message(text)
    _unsplit(parts, text)
    for part in parts:
        trailing = len(part) - len(part.rstrip("\\"))
        assert trailing % 2 == 0, part[-10:]
        assert re.sub(r"\\.", "", part[len(lead) if part is parts[0] else 0 :]) == ""


TOKENS = ["<@123456789012345678>", "<:blob_cat:123456789012345678>", "<t:1700000000:R>",
          "</kb search:123456789012345678>", "<https://example.org/a/very/long/address>",
          "https://example.org/a/very/long/bare_address"]  # fmt: skip


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("shift", range(0, 40, 3))
def test_split_message_never_cuts_a_mention_emoji_timestamp_or_link(token: str, shift: int) -> None:
    """Cut inside, '<@1234' and '5678>' would both show as text, not as the mention (and a
    link would lead somewhere else)."""

    text = "x" * (1990 - shift) + token + "y" * 500
    parts = render.split_message(text)
    _unsplit(parts, text)
    assert sum(p.count(token) for p in parts) == 1


@pytest.mark.parametrize("lead", [1991, 1997, 1998, 1999])
def test_split_message_keeps_a_fence_with_its_backticks_and_language(lead: int) -> None:
    """Cut at 2,000 after one or two of the backticks of '```python', the first part
    ended in '`' or '``' and the next opened no block where it should; cut after the
    three, the next part's block had 'python' as its first line of code."""

    text = "x" * lead + "```python\n" + "print(1)\n" * 300 + "```"
    parts = render.split_message(text)
    assert all(len(p) <= 2000 for p in parts)
    assert parts[0] == "x" * lead, parts[0][-12:]
    assert all(p.startswith("```python\nprint(1)") for p in parts[1:]), [p[:12] for p in parts]
    assert all(p.endswith("print(1)\n```") for p in parts[1:]), [p[-12:] for p in parts]


@pytest.mark.parametrize(
    "lead",
    [
        "[see ```](https://example.org) ",  # a ``` in a masked link's text
        "[see ```](<https://example.org>) ",
        "https://example.org/a```b ",  # and in a link's address
        "<https://example.org/a```b> ",
    ],
)
def test_split_message_reads_a_link_with_backticks_as_discord_does(lead: str) -> None:
    """Discord reads a link first where it starts first: a ``` inside it opens no block.
    Read as a fence, it made every part a code block up to the member's own fence, which
    then opened a block of the text after it."""

    text = lead + "word " * 450 + "\n```py\nprint(1)\n```\nand after it " + "word " * 450
    parts = render.split_message(text)
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
    assert "".join(parts) == text, [p[-10:] for p in parts]  # nothing closed or reopened


def test_split_message_keeps_a_masked_link_with_code_in_its_text_whole() -> None:
    """Cut inside, both parts show the link's markup as text (and the first a ``` that
    opens nothing); wherever 2,000 falls in it, it starts the next part."""

    link = "[see `x` and ```](https://example.org/x)"
    for shift in range(len(link) + 1):
        text = "x" * (2000 - shift) + link + " tail"
        parts = render.split_message(text)
        assert "".join(parts) == text and sum(p.count(link) for p in parts) == 1, shift


@pytest.mark.parametrize("lines", [1, 3])
def test_split_message_begins_no_part_with_an_empty_code_block(lines: int) -> None:
    """A cut just before a block's closing ``` (after the line break before it) left the
    next part its reopened fence and that ``` alone: an empty block. The block's last
    line stays with its ```, or the block is whole if it fits."""

    for size in range(10, 30):
        code = "\n".join("a" * size for _ in range(lines))
        text = f"```py\n{code}\n```\ntail words here and more"
        parts = render.split_message(text, 30)
        assert not any(re.match(r"```\w*\n```", p) for p in parts), (size, parts)
        assert all(len(p) <= 30 for p in parts)
    # the last line begins a part (after its reopened fence), and with the blank lines
    # and ``` after it is more than the part holds: cut before its last character
    parts = render.split_message("```\n" + "b" * 15 + "\n" + "a" * 9 + "\n" * 7 + "```tail", 20)
    assert not any(re.match(r"```\w*\n```", p) for p in parts), parts


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("xx\n```py\nab\nab\nab\n```\n\n\ntail words here tail", 22,
         ["xx\n```py\nab\nab\nab\n```", "tail words here tail"]),
        ("xxxxxxx\n```py\nab\n```\n\ntail words here tail", 21,
         ["xxxxxxx\n```py\nab\n```", "tail words here tail"]),
        # (and a line break before a fence)
        ("x" * 21 + "\n```py\nab\n```\ntail", 21, ["x" * 21, "```py\nab\n```\ntail"]),
        # a reopened block's code is kept as it is, blank lines and indents too
        ("```\n" + "a" * 20 + "\n   \n  b\n```", 30, ["```\n" + "a" * 20 + "\n```", "```\n   \n  b\n```"]),
    ],
)  # fmt: skip
def test_split_message_begins_no_part_with_a_blank_line(
    text: str, limit: int, parts: list[str]
) -> None:
    """A part cut right after a closing fence (or before a line break) began with the line
    breaks after the cut: a blank line at its top."""

    assert render.split_message(text, limit) == parts


def test_split_message_fills_a_part_before_a_token_no_part_holds() -> None:
    """An address of 3,000 characters is cut wherever it falls; the words before it made a
    part of their own (16 characters) and the address began the next one."""

    text = "Some intro text https://example.org/" + "y" * 2980 + " after"
    parts = render.split_message(text)
    assert [len(p) for p in parts] == [2000, len(text) - 2000] and "".join(parts) == text


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        # a mention, a custom emoji or a grapheme that fills a part of its own was cut to
        # leave room for a code fence to close, where no code block was open
        ("<@123456789012345678>" + "x" * 30, 21, ["<@123456789012345678>", "x" * 21, "x" * 9]),
        ("<:blob_cat:123456789012345678> and then", 30, ["<:blob_cat:123456789012345678>", " and then"]),
        ("e" + "\u0301" * 19 + "xyz", 20, ["e" + "\u0301" * 19, "xyz"]),
        # a space and the combining mark after it are one grapheme: no cut after the space
        ("a" * 15 + " \u0301" + "b" * 30, 20, ["a" * 15 + " \u0301bbb", "b" * 20, "b" * 7]),
        # a mark that goes with the character after it (U+0600) stays with the mention
        ("x" * 10 + "\u0600<@123456789012345678>" + "y" * 10, 25,
         ["x" * 10, "\u0600<@123456789012345678>yyy", "y" * 7]),
        # a line break in a <link> that starts a part is no place to cut it
        ("<https://example.org/aaaaaaaaaa\nb> and more words after it", 40,
         ["<https://example.org/aaaaaaaaaa\nb> and ", "more words after it"]),
        # Discord escapes no letter: "\\https://..." is a backslash and a link
        ("x" * 10 + "\\https://example.org/abc def", 30, ["x" * 10, "\\https://example.org/abc def"]),
        # a fence with only spaces after it went to a next part that never came
        ("See below:\n```py\n" + " " * 30, 20, ["See below:\n```py"]),
        # a run of backticks was cut: "``" ended one part and "`" opened the next
        ("x" * 18 + "```\nab\n```", 20, ["x" * 18, "```\nab\n```"]),
        ("x" * 19 + "``a``", 20, ["x" * 19, "``a``"]),
        # and a fence from its language: the next part's block had "python" as code
        ("x" * 17 + "```python\nab\n```", 20, ["x" * 17, "```python\nab\n```"]),
        ("x" * 19 + "```python\nab\n```", 20, ["x" * 19, "```python\nab\n```"]),
        # a masked link is kept whole, like a bare one
        ("x" * 10 + "[see `x`](https://e.org)", 30, ["x" * 10, "[see `x`](https://e.org)"]),
        # a token no part holds follows what is before it in the same part, cut at the
        # limit (it made a part of "x " alone), and what it holds is not cut
        ("x https://example.org/" + "a" * 30, 20,
         ["x https://example.or", "g/" + "a" * 18, "a" * 12]),
        ("x [see <@123456789012345678>](https://example.org/a)", 25,
         ["x [see ", "<@123456789012345678>](", "https://example.org/a)"]),
        # a pair of backticks nothing closes is kept whole too
        ("x" * 19 + "`` tail", 20, ["x" * 19, "`` tail"]),
        # a code span no part holds is no code span in either part: the mention in it is
        # a mention there, and is not cut
        ("x`yyy<@123456789012345678>" + " b" * 10 + "`", 25,
         ["x`yyy", "<@123456789012345678> b ", "b b b b b b b b b`"]),
    ],
)  # fmt: skip
def test_split_message_keeps_what_fits_in_a_part_whole(
    text: str, limit: int, parts: list[str]
) -> None:
    assert render.split_message(text, limit) == parts


# -- split_message on random texts ---------------------------------------------------------

_PIECES = [
    "word", "and", "x", "longerword", " ", " ", " ", "\n", "\n\n", "\r\n", "\t", ".", ",", "(",
    ")", "<", ">", ":", "*", "_", "~~", "\\", "\\*", "`", "```", "```py\n",
    "<@123456789012345678>", "<@!42>", "<@&777>", "<#9876543210>", "<t:1700000000:R>", "<t:5>",
    "<:blob_cat:123456789012345678>", "<a:dance:42>", "https://example.org/a/b?c=d",
    "https://example.org/" + "p" * 60, "é", "e\u0301", "\u0301", "👨\u200d👩\u200d👧", "🇫🇷",
    "👍🏽", "ก่", "\u06001", "日本語", "``", "````", "```python\n", "```js const x\n", "[", "]",
    "](", "[see `x`](https://example.org/x)", "[a ```](https://example.org/b)",
    "[<@123456789012345678> ``` ok](<https://example.org/q>)", "https://example.org/a```b",
]  # fmt: skip
_LONG = ["e" + "\u0301" * 80, "https://example.org/" + "y" * 2500, "a" * 2500, "`" * 2500,
         "[see <@123456789012345678> `x`](https://example.org/" + "z" * 2500 + ")"]  # fmt: skip


def _random_text(rng: random.Random) -> str:
    pieces = _PIECES if rng.random() < 0.7 else [p for p in _PIECES if not p.isspace()]
    out = [rng.choice(pieces) for _ in range(rng.choice([5, 50, 300, 1000]))]
    if rng.random() < 0.3:  # something long, maybe longer than a part
        out.insert(rng.randrange(len(out) + 1), rng.choice(_LONG)[: rng.randrange(1, 2500)])
    return "".join(out)


_FENCE_LINE = re.compile(r"```[A-Za-z0-9_+\-.#]*\n")


def _read_back(text: str, parts: list[str]) -> list[tuple[int, int, bool]] | None:
    """Where each part's text is in `text`, and whether split_message closed a code block
    at its end, or None if the parts are not `text`. A part may leave out whitespace where
    it was cut, and may close the code block it leaves open ("\\n```" at its end), which
    the next part then reopens (its fence line at its start); a fence with nothing after it
    in a part may move to the start of the next."""

    def ways(i: int, pos: int, reopened: bool) -> list[tuple[int, int, bool]]:
        part = parts[i]
        start = pos
        while start < len(text) and text[start].isspace():
            start += 1
        fence = _FENCE_LINE.match(part)
        starts = []  # (where the part's own text starts in it, and in `text`)
        if reopened:
            starts += [(fence.end(), start)] if fence else []
        else:
            starts.append((0, start))
            if fence and text.startswith(fence[0][:-1], start):  # the fence moved
                after = start + len(fence[0]) - 1
                while after < len(text) and text[after].isspace():
                    after += 1
                starts.append((fence.end(), after))
        found = []
        for offset, at in starts:
            for closed in (False, True):
                body = part[offset:]
                if closed and not body.endswith("\n```"):
                    continue
                body = body[:-4] if closed else body
                begin = at - (len(body) - len(body.lstrip()))  # (its own leading whitespace)
                if begin >= pos and text.startswith(body, begin):
                    found.append((begin, begin + len(body), closed))
        return found

    # depth first, without recursion (hundreds of parts); a state none of whose ways leads
    # to the end is not tried again
    failed: set[tuple[int, int, bool]] = set()
    path: list[tuple[int, int, bool]] = []
    trying = [iter(ways(0, 0, False))]
    while trying:
        i = len(trying) - 1
        way = next(trying[-1], None)
        if way is None:
            trying.pop()
            if path:
                failed.add((i, *path.pop()[1:]))
            continue
        state = (i + 1, way[1], way[2])
        if state in failed:
            continue
        path.append(way)
        if i + 1 == len(parts):
            if not text[way[1] :].strip():
                return path
            failed.add(state)
            path.pop()
            continue
        trying.append(iter(ways(*state)))
    return None


_CLUSTER = regex.compile(r"\X")
# Markdown as Discord shows a part, left to right, what starts first holding what comes
# after it: an escape (of anything but a letter, a digit or a space); a code block (Discord's
# rule, `_BLOCK`: ```, a language only before a line break, line breaks, code that starts
# with something else, and the next ``` after that: "``````" is none); a ``` that no ``` in
# what is read closes but one past it does (`fenced`:
# a code block too, read before a code span as Discord reads one), with the backticks and
# the language word after it (its line break may be the whitespace at a cut, where
# split_message's closing fence takes its place) and the code after it, to the end of the
# part, where split_message closes that block; an inline code span; a masked link (its
# text, then its address, which may hold pairs of parentheses); a <...> link, a mention, a
# channel, a custom emoji, a timestamp, a bare link (to a space or "<", not ending in
# punctuation but ")", as discord.py reads one); a run of backticks nothing closes (a ```
# that nothing closes in the whole text is one: Discord opens no block for it). A code span
# longer than a part is none: each part shows the backticks of its half as they are.
_LINK_TOKEN = r"<[^:<> ]+:/[^ <>]+>|https?://[^\s<]+[^<.,:;\"'\]\s]"
# Discord's client's code block rule, its "i" flag spelled out; `held` is the code.
_BLOCK = r"```(?:[A-Za-z0-9_+\-.#]+?\n)?\n*(?P<held>[^\n].*?)\n*```"
_DISCORD = (
    r"\\[^0-9A-Za-z\s]|(?P<block>{block})|{fence}"
    r"|(?P<ticks>`+).{{0,{limit}}}?(?<!`)(?P=ticks)(?!`)"
    r"|\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\(\s*<?https?://(?:\([^()\s]*\)|[^()\s<>])+>?\s*\)"
    rf"|{_LINK_TOKEN}"
    r"|<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|<t:-?\d+(?::[tTdDfFR])?>|``+"
)
_FENCED = r"(?P<fence>```+(?:[A-Za-z0-9_+\-.#]+(?=\n))?)(?P<code>.*)"
_UNFENCED = r"(?!)(?P<fence>)(?P<code>)"
_OPENING = re.compile(r"`+(?:[A-Za-z0-9_+\-.#]+(?=\n))?")


def _whole(m: re.Match[str]) -> list[tuple[int, int]]:
    """What a cut must not fall inside, in what `m` read: all of it, but an escape
    (split_message keeps those too; test_split_message_keeps_an_escape_with_what_it_escapes
    holds that), and for a code block its opening (backticks and language) and its closing
    ```, between which split_message closes and reopens it."""

    if m[0].startswith("\\"):
        return []
    if m["fence"] is not None:
        return [m.span("fence")]
    if m["block"] is None:
        return [m.span()]
    opening = _OPENING.match(m.string, m.start())
    return [(m.start(), min(opening.end(), m.end())), (m.end() - 3, m.end())]


def _broken(text: str, limit: int) -> list[str]:
    """What is wrong with `split_message(text, limit)`: a part over the limit, parts that
    are not the text, a cut inside a grapheme or inside a token, masked link, code span,
    run of backticks or code block fence that fits in a part, outside code; a part that
    closes a code block where the text has none open, or does not close one it has, or
    that begins with an empty one. A part in a code block holds its fence line (up to a
    quarter of the limit) and "\\n```" too: in a text with ``` a token fits if it fits
    beside those."""

    parts = render.split_message(text, limit)
    wrong = [f"a part of {len(p)}" for p in parts if len(p) > limit]
    reading = {
        fenced: re.compile(_DISCORD.format(limit=limit, fence=fence, block=_BLOCK), re.DOTALL)
        for fenced, fence in ((True, _FENCED), (False, _UNFENCED))
    }
    last_fence = text.rfind("```")
    path = _read_back(text, parts)
    if path is None:
        return [*wrong, "the parts are not the text"]
    fits = limit if "```" not in text else limit - len("\n```") - (limit // 4 + 1)
    cuts = sorted(
        {c for (_, end, _), (after, _, _) in itertools.pairwise(path) for c in (end, after)}
    )
    for m in _CLUSTER.finditer(text):  # (a line break "\r\n" left out at a cut is no loss)
        i = bisect.bisect_right(cuts, m.start())
        if 1 < len(m[0]) <= fits and not m[0].isspace() and i < len(cuts) and cuts[i] < m.end():
            wrong.append(f"a cut in the grapheme {m[0]!r}")
    for i, ((start, end, closed), (after, _, _)) in enumerate(itertools.pairwise(path)):
        here = (end, after)  # (the whitespace between them is left out)
        # Read as Discord reads the part: from its start, after the fence line it begins
        # with if split_message reopened a block there or moved a fence there (so a token
        # in what is left of a longer one cut at the start of the part, or a ``` that
        # closes the reopened block, is read as Discord will).
        own = end - start + (len("\n```") if closed else 0)
        prefix = parts[i][: len(parts[i]) - own]
        shift = start - len(prefix)
        in_code = False
        read_to = after + 2000
        discord = reading[last_fence >= 0 and last_fence + 3 > read_to]
        for m in discord.finditer(prefix + text[start:read_to]):
            if m.start() + shift >= after:
                break
            if m["code"] is not None or m["block"] is not None:
                in_code |= m.start() + shift < end and m.end() + shift > after
            for a, b in _whole(m):
                a, b = a + shift, b + shift
                # (with the marks its last character carries, which a cut keeps with it)
                if any(a < c < b for c in here) and _CLUSTER.match(text, b - 1).end() - a <= fits:
                    wrong.append(f"a cut in {text[a:b]!r}")
        if in_code != closed:
            wrong.append(
                f"a part that {'does not close' if in_code else 'closes'} a code block the"
                f" text {'has' if in_code else 'has not'} open there: ...{parts[i][-30:]!r}"
            )
    block = re.compile(_BLOCK, re.DOTALL)
    for i, part in enumerate(parts):
        if i and not path[i - 1][2] and re.match(r"[ \t]*\r?\n", part):
            wrong.append(f"a part that begins with a blank line: {part[:30]!r}...")
        # A part that reopens a block must open one there, its code after the fence line
        # (an empty block is none: its ``` shows as text, or its language as code).
        if not (i and path[i - 1][2]):
            continue
        opened = block.match(part)
        fence = _FENCE_LINE.match(part)
        if opened is None or fence is None or opened.start("held") < fence.end():
            wrong.append(f"a part that begins with an empty code block: {part[:30]!r}...")
    return wrong


def test_split_message_keeps_random_texts_whole_and_within_the_limit() -> None:
    """Random texts of words, spaces, line breaks, markdown, code fences (with a language
    or code on their line), runs of backticks, escapes, mentions, custom emoji, timestamps,
    links and masked links (with backticks in their text or address, and longer than a
    part) and graphemes of several code points, split at limits from 20 to 2,000: every
    part is within the limit, the parts are the text (but for the whitespace at a cut and
    the code fences `split_message` closes and reopens), a part closes a code block
    exactly where the text has one open at its end (as Discord reads it, a ``` in a link
    opening none) and none begins with an empty one, and no grapheme, mention, channel,
    emoji, timestamp, link, masked link, code span, run of backticks or fence that fits in
    a part is cut outside code."""

    rng = random.Random(20260105)
    failures = []
    for case in range(800):
        text = _random_text(rng)
        limit = rng.choice([20, 21, 25, 40, 100, 500, 1999, 2000, rng.randrange(20, 2001)])
        wrong = _broken(text, limit)
        if wrong:
            failures.append((case, limit, len(text), wrong[:3]))
    assert not failures, f"{len(failures)} of 800 texts: {failures[:5]}"


def test_trim_marks_the_cut() -> None:
    assert render.trim("x" * 2500).endswith("…") and len(render.trim("x" * 2500)) == 2000
    assert render.trim("short") == "short"


@pytest.mark.parametrize("lead", ["", "a", "ab"])
@pytest.mark.parametrize("limit", [256, 257, 4096])
def test_trim_keeps_an_escape_with_what_it_escapes(lead: str, limit: int) -> None:
    """Cut between a backslash and what it escapes, the backslash escaped the '…' after it
    (showing '…' and no backslash, or a lone one) and left the escaped '*' bare."""

    text = lead + render.as_typed("*_" * 3000)
    cut = render.trim(text, limit)
    assert len(cut) <= limit and cut.endswith("…")
    kept = cut.removesuffix("…")
    assert (len(kept) - len(kept.rstrip("\\"))) % 2 == 0, kept[-10:]
    assert re.sub(r"\\.", "", kept[len(lead) :]) == "", kept[-10:]


def test_trim_and_excerpt_read_code_and_links_as_split_message_does() -> None:
    """trim cuts by split_message's reading: a run of backticks with its language, a code
    span and a masked link are not cut (cut, they show their markup as text). excerpt
    closes the code block the cut falls in as the whole text reads it, not as its start
    alone does ('```a`` b' alone is a code span, and a ``` in a link's text opens none)."""

    assert render.trim("x" * 10 + "````py\ncode", 14) == "x" * 10 + "…"
    assert render.trim("x" * 10 + " [see `x`](https://e.org) y", 20) == "x" * 10 + "…"
    assert render.trim("x" * 10 + " `a b c` y", 17) == "x" * 10 + "…"
    assert render.excerpt("```a`` b " + "word " * 100 + "```", 50).endswith("w…\n```")
    assert render.excerpt("[see ```](https://e.org) " + "word " * 100, 50).endswith("word…")


def test_trim_keeps_a_members_escaped_space_with_its_backslash() -> None:
    """Raw markdown (a question body, an article) may hold a backslash before a space. A
    cut right after that space, with the space stripped, left a lone backslash before '…'."""

    assert render.trim("x" * 250 + "\\ " + "y" * 10, 253) == "x" * 250 + "…"


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("shift", range(0, 40, 3))
def test_trim_never_cuts_a_mention_emoji_timestamp_or_link(token: str, shift: int) -> None:
    """A cut '<@1234…' shows as text, not as the member; a cut link leads elsewhere."""

    text = "x" * (250 - shift) + token + "y" * 500
    cut = render.trim(text, 256)
    assert len(cut) <= 256 and cut.endswith("…")
    assert token in cut or cut == "x" * (250 - shift) + "…", cut[-50:]


def test_embed_titles_and_descriptions_are_cut_outside_escapes_and_mentions() -> None:
    """/kb search's header quotes the search as typed: 300 asterisks are 600 characters
    there, cut to the title's 256; the question card's title and description likewise."""

    for stars in range(300, 304):
        found = KnowledgeFound("*" * stars, (Suggestion("q3", "Parse JSON", "question", 0.9),))
        title = render.kb_found(texts(), found).embeds[0].title or ""
        assert len(title) <= 256 and title.endswith("…"), title
        kept = title.removesuffix("…")
        assert (len(kept) - len(kept.rstrip("\\"))) % 2 == 0, title[-10:]
    mentions = " ".join(["<@123456789012345678>"] * 300)
    for n in range(0, 21):
        q = dataclasses.replace(_question(), title="*" * (130 + n), body="x" * n + mentions)
        embed = render.question_card(texts(), QuestionShown(q, (), ()), None).embeds[0]
        assert len(embed.title or "") <= 256 and (embed.title or "").endswith("…")
        kept = (embed.title or "").removesuffix("…")
        assert (len(kept) - len(kept.rstrip("\\"))) % 2 == 0, kept[-10:]
        assert not re.search(r"<@\d*$", (embed.description or "").removesuffix("…")), n


def _member(mid: int, user: str) -> Member:
    return Member(mid, MemberRef("discord", "main", user), f"user{user}")


def _question() -> Question:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    return Question(
        1, "main", "discord", "10", "20", "20", _member(1, "111"), "Title", "Body",
        QuestionStatus.OPEN, now, now,
    )  # fmt: skip


def texts() -> Texts:
    return Texts(Catalog())


async def test_opened_message_with_suggestions_has_embed_and_buttons() -> None:
    result = QuestionOpened(_question(), (Suggestion("q9", "Earlier", "question", 0.9),))
    reply = render.opened(texts(), result)
    assert "<@111>" in reply.content and "Mark as solution" in reply.content
    assert "Earlier" in reply.embeds[0].description  # type: ignore[operator]
    assert reply.view is not None
    ids = [item.custom_id for item in reply.view.children]  # type: ignore[attr-defined]
    assert ids == ["cb:sugg-yes:1", "cb:sugg-no:1"]
    assert reply.view.is_finished()  # layout only; not kept in discord.py's view store


async def test_opened_message_without_suggestions_is_plain() -> None:
    reply = render.opened(texts(), QuestionOpened(_question()))
    assert reply.view is None and not reply.embeds and "No similar" in reply.content


async def test_helper_picker_lists_candidates() -> None:
    result = HelperChoiceNeeded(_question(), (_member(2, "222"), _member(3, "333")))
    view = render.helper_picker(texts(), result, 20)
    select = view.children[0]
    assert select.custom_id == "cb:pick:20"  # type: ignore[attr-defined]
    assert [o.value for o in select.options] == ["222", "333"]  # type: ignore[attr-defined]


def test_discord_texts_come_from_the_catalog() -> None:
    t = texts()
    assert t.t("error.not_the_asker").startswith("Only")
    assert t.t("discord.ask_done", thread="<#1>") == "Your question is open in <#1>."
    assert t.t("no.such.key") == "no.such.key"
    for key in t.catalog.keys():
        if key.startswith("discord."):
            template = t.catalog.t(key)
            params = {name: "x" for name in t.catalog.placeholders(template)}
            assert t.t(key, **params) != key


@pytest.mark.parametrize("limit", [10])
def test_split_message_rejects_tiny_limits(limit: int) -> None:
    with pytest.raises(ValueError):
        render.split_message("x" * 50, limit)


def test_kb_found_links_questions_and_names_articles() -> None:
    texts = Texts(Catalog())
    found = KnowledgeFound(
        "json",
        (
            Suggestion("q3", "Parse [JSON]", "question", 0.91),
            Suggestion("a:__json__", "JSON *basics*", "article", 0.5),
        ),
    )
    embed = render.kb_found(texts, found, {"q3": "https://discord.com/channels/1/2"}).embeds[0]
    lines = (embed.description or "").splitlines()
    assert lines[0].startswith("• [Parse (JSON)](https://discord.com/channels/1/2)")
    assert "91% match" in lines[0] and "`q3`" in lines[0]
    # the id sits in a code span, where an escape would show
    assert "JSON \\*basics\\*" in lines[1] and "`a:__json__`" in lines[1] and "](" not in lines[1]
    empty = render.kb_found(texts, KnowledgeFound("k8s", ()))
    assert "Found nothing good" in empty.content and not empty.embeds


# One masked link: "[", text without brackets, "](", an address without parentheses or
# spaces, ")" and nothing else that looks like a link.
ONE_LINK = re.compile(r"\[([^\[\]\\]*)\]\(([^()\s<>]+)\)")


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Why does json.loads([ fail?", "https://example.org/kb/1"),
        ("Close ] early", "https://example.org/kb/2"),
        ("x](https://evil.example) and [more", "https://example.org/kb/3"),
        ("JSON (format)", "https://en.wikipedia.org/wiki/JSON_(format)"),
    ],
)
def test_suggestion_and_result_titles_keep_their_link_whole(title: str, url: str) -> None:
    """Discord ends a masked link at the first unbalanced bracket and shows backslash escapes
    inside its text literally: a title (and address) of any shape still makes one link."""

    suggestion = Suggestion("a:x", title, "article", 0.8, url=url)
    embed = render.opened(texts(), QuestionOpened(_question(), (suggestion,))).embeds[0]
    found = render.kb_found(texts(), KnowledgeFound("json", (suggestion,))).embeds[0]
    for line in ((embed.description or "").splitlines()[0], (found.description or "")):
        links = ONE_LINK.findall(line)
        assert len(links) == 1, line
        shown, address = links[0]
        assert line.count("](") == 1, line
        assert title.replace("[", "(").replace("]", ")") in shown
        assert address.replace("%28", "(").replace("%29", ")") == url


# A masked link Discord would render: its "[" is not escaped.
LIVE_LINK = re.compile(r"(?<!\\)\[[^\[\]\\]*\]\(")


def test_suggestion_without_an_address_shows_link_shaped_titles_as_text() -> None:
    """Every masked link in such a title stays text, in the welcome and in /kb search (not
    only the first, as discord.utils.escape_markdown would leave it)."""

    title = "[free nitro](https://evil.example) or [more](https://evil.example/2)"
    suggestion = Suggestion("q4", title, "question", 0.8)
    embed = render.opened(texts(), QuestionOpened(_question(), (suggestion,))).embeds[0]
    found = render.kb_found(texts(), KnowledgeFound("nitro", (suggestion,))).embeds[0]
    for line in ((embed.description or "").splitlines()[0], (found.description or "")):
        assert not LIVE_LINK.search(line), line
        assert title in re.sub(r"\\([^0-9A-Za-z\s])", r"\1", line)  # what Discord displays


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("**bold** __u__ ~~s~~ ||spoiler|| `code`", r"\*\*bold\*\* \_\_u\_\_ \~\~s\~\~ \|\|spoiler\|\| \`code\`"),
        ("```py\nx = 1", "\\`\\`\\`py\nx = 1"),
        # every masked link, not only the first (escape_markdown stops after one)
        ("[a](https://e.example) [b](https://f.example)", r"\[a\](https://e.example) \[b\](https://f.example)"),
        ("[[x](https://e.example)", r"\[\[x\](https://e.example)"),
        # a backslash the member typed cannot undo an escape
        (r"\**bold**", r"\\\*\*bold\*\*"),
        # what starts a line: heading, subtext, quote, lists
        ("# big\n-# small\n> quote\n>>> rest\n  - item\n1. first", "\\# big\n\\-# small\n\\> quote\n\\>>> rest\n  \\- item\n1\\. first"),
        # left whole: bare links (clickable, address visible), mentions, emoji, timestamps
        ("see https://e.example/a_b_(c) now", "see https://e.example/a_b_(c) now"),
        ("<https://e.example/*x*>", "<https://e.example/*x*>"),
        ("<@12> <@&34> <#56> <:blob_cat:78> <t:1700000000:R>", "<@12> <@&34> <#56> <:blob_cat:78> <t:1700000000:R>"),
        ("plain words, 3 items", "plain words, 3 items"),
        ("#12 -\n-5 points\n>not a quote", "#12 -\n-5 points\n>not a quote"),
    ],
)  # fmt: skip
def test_members_words_are_shown_as_typed(typed: str, sent: str) -> None:
    assert render.as_typed(typed) == sent
    assert re.sub(r"\\([^0-9A-Za-z\s])", r"\1", sent) == typed  # what Discord displays


def test_embed_titles_quote_a_search_and_a_question_title_as_typed() -> None:
    """/kb search's header and /kb show's question card quote what the member typed."""

    typed = "**json** [x](https://evil.example)"
    found = KnowledgeFound(typed, (Suggestion("q3", "Parse JSON", "question", 0.9),))
    header = render.kb_found(texts(), found).embeds[0].title or ""
    q = dataclasses.replace(_question(), title=typed)
    card = render.question_card(texts(), QuestionShown(q, (), ()), None).embeds[0].title or ""
    for title in (header, card):
        assert "**" not in title and "[x](" not in title, title
        assert typed in re.sub(r"\\([^0-9A-Za-z\s])", r"\1", title), title


@pytest.mark.parametrize(
    "title",
    ["my_data_file *not* found", "**Urgent** fix", "__init__ vs __new__", "~~old~~ new",
     "||spoiler|| ahead", "use `json.loads`", "ask <@123> or <:blob:45>", "a_b_ c"],
)  # fmt: skip
def test_a_title_discord_would_style_in_a_link_is_shown_as_typed_beside_it(title: str) -> None:
    """Discord styles a masked link's text and shows escapes there literally, so a title
    with *, _, ~, |, ` or a mention is no link text: it is shown as typed, then the address."""

    url = "https://example.org/kb/a_(1)"
    suggestion = Suggestion("a:x", title, "article", 0.8, url=url)
    embed = render.opened(texts(), QuestionOpened(_question(), (suggestion,))).embeds[0]
    found = render.kb_found(texts(), KnowledgeFound("json", (suggestion,))).embeds[0]
    for line in ((embed.description or "").splitlines()[0], (found.description or "")):
        assert not LIVE_LINK.search(line), line
        shown = re.sub(r"\\([^0-9A-Za-z\s])", r"\1", line)
        assert title in shown and "https://example.org/kb/a_%281%29" in line, line
        # (mentions and emoji are kept, as in any text shown as typed, but not in a link)
        assert not re.search(r"(?<!\\)[*~|`]|(?<![\\/])_", line.split("https://")[0]), line


@pytest.mark.parametrize("title", ["Parse JSON (fast)", "read my_data_file.json", "cd ~/src"])
def test_a_title_discord_shows_plainly_stays_the_links_text(title: str) -> None:
    suggestion = Suggestion("a:x", title, "article", 0.8, url="https://e.example/1")
    found = render.kb_found(texts(), KnowledgeFound("json", (suggestion,))).embeds[0]
    assert (found.description or "").startswith(f"• [{title}](https://e.example/1) ·")


class _MarkdownStatus(Catalog):
    """A translation whose question status (a catalog text set into another) has markdown."""

    def t(self, key: str, locale: str | None = None, /, **params: object) -> str:
        if key == "question.status_open":
            return "**open**"
        return super().t(key, locale, **params)


def test_a_catalog_text_set_into_another_keeps_its_markdown() -> None:
    """The presenter's own texts are not a member's words: the status in the question
    card's title is a catalog text, so its markdown is not escaped (the title's is)."""

    q = dataclasses.replace(_question(), title="**t**")
    card = render.question_card(Texts(_MarkdownStatus()), QuestionShown(q, (), ()), None)
    assert card.embeds[0].title == "#1 \\*\\*t\\*\\* (**open**)"


def test_a_communitys_own_welcome_shows_names_as_typed() -> None:
    """The core puts names into a community's greeting with str.format, not through the
    presenter's t(): a channel Discord cannot give a mention for (and a member from another
    platform) went in raw, so '__help__' showed underlined. The greeting's markdown stays."""

    member = Member(1, MemberRef("slack", "main", "U1"), "**Ann**")
    welcome = Welcome(member, "", None, message="**Hi** {member}, welcome to #{channel}!")
    first, *_ = render.presenter(texts()).welcome(welcome, render.channel(None, "__help__"))
    assert first == "**Hi** \\*\\*Ann\\*\\*, welcome to #\\_\\_help\\_\\_!"
    by_id = render.presenter(texts()).welcome(welcome, render.channel("42", "__help__"))
    assert by_id[0] == "**Hi** \\*\\*Ann\\*\\*, welcome to <#42>!"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("[docs](https://e.example/a)", "docs <https://e.example/a>"),
     ("[[a](https://e.example/1)](https://e.example/2)", "a <https://e.example/1> <https://e.example/2>"),
     ("\\\\[a](https://e.example)", "\\\\a <https://e.example>"),
     ("\\[a](https://e.example)", "\\[a](https://e.example)"),
     ("```\n[a](https://e.example)\n```", "```\n[a](https://e.example)\n```"),
     ("``` open [a](https://e.example)", "``` open a <https://e.example>"),
     ("**b** ||s|| [a](https://e.example 'x')", "**b** ||s|| a <https://e.example>")],
)  # fmt: skip
def test_unmasked_shows_where_each_masked_link_goes(typed: str, shown: str) -> None:
    assert render.unmasked(typed) == shown and len(shown) <= len(typed)


CAROL, GENERAL, MODS = 312345678901234567, 412345678901234567, 512345678901234567


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"ask <@{CAROL}> or <@!{CAROL}>", "ask @Carol or @Carol"),
        (f"in <#{GENERAL}>, <@&{MODS}>", "in #general, @Moderators"),
        ("<:blob_cat:912345678901234567> <a:party:912345678901234568>", ":blob_cat: :party:"),
        ("<@212345678901234567> <#212345678901234567> <@&212345678901234567>",
         "@deleted-user #deleted-channel @deleted-role"),
        ("@everyone and @here", "@\u200beveryone and @\u200bhere"),
        # as Discord shows them: code as typed, and an escaped mention as text
        (f"`<@{CAROL}>` and ``<:x:912345678901234567>``", None),
        (f"```py\nping(<@{CAROL}>)\n``` <@{CAROL}>", f"```py\nping(<@{CAROL}>)\n``` @Carol"),
        (f"\\<@{CAROL}>", None),
        ("<@12345> <:x:1> <t:x> <t:1:Z> </kb:1>", None),  # ids too short, no time, no style
        # a timestamp as its UTC date and time (each reader's zone and "in 2 hours" would
        # read wrong elsewhere), a slash command as it is typed
        ("<t:1700000000:R>, <t:1700000000>, <t:1700000000:F>", "2023-11-14 22:13 UTC, " * 2
         + "2023-11-14 22:13 UTC"),
        ("<t:1700000000:t> <t:1700000000:T> <t:1700000000:d> <t:1700000000:D>",
         "22:13 UTC 22:13:20 UTC 2023-11-14 2023-11-14"),
        ("<t:99999999999999:R> `<t:1700000000>`", None),  # past any calendar; code
        ("</ask:912345678901234567> or </kb search:912345678901234567>", "/ask or /kb search"),
    ],
)  # fmt: skip
def test_with_names_shows_mentions_and_emoji_as_discord_does(typed: str, shown: str | None) -> None:
    users, roles, channels = render.mentioned(typed)
    assert users <= {CAROL, 212345678901234567} and roles <= {MODS, 212345678901234567}
    assert channels <= {GENERAL, 212345678901234567}
    names = render.with_names(typed, {CAROL: "Carol"}, {MODS: "Moderators"}, {GENERAL: "general"})
    assert names == (typed if shown is None else shown)


def test_with_names_for_the_core_leaves_everyone_as_typed() -> None:
    """Stored text keeps "@everyone" as the member typed it (no zero-width space in
    search and the archive); the core stored it so before, and never pings with it."""

    typed = f"@everyone ask <@{CAROL}> @here"
    assert render.with_names(typed, {CAROL: "Carol"}, {}, {}, unable_to_ping=False) == (
        "@everyone ask @Carol @here"
    )


def test_mentioned_leaves_out_what_code_holds() -> None:
    assert render.mentioned(f"<@{CAROL}> `<@{MODS}>` <#{GENERAL}> <@&{MODS}>") == (
        {CAROL},
        {MODS},
        {GENERAL},
    )


@pytest.mark.parametrize("anonymous", [False, True])
async def test_asked_words_are_the_members_words_only_when_the_post_holds_them_whole(
    anonymous: bool,
) -> None:
    """The core stored the words with names; the post's words are compared with names too,
    and come back with names (and @everyone unable to ping, as an article has it)."""

    carol: Any = SimpleNamespace(display_name="Carol")
    guild: Any = SimpleNamespace(get_member={CAROL: carol}.get, get_role=lambda _: None)

    def post_of(text: str) -> Any:
        return SimpleNamespace(content=text, mentions=[], role_mentions=[])

    words = f"How do I parse JSON?\nAsk <@{CAROL}> @everyone.\n\n"  # (stored trimmed)
    stored = "How do I parse JSON?\nAsk @Carol @everyone."
    question = dataclasses.replace(_question(), body=stored, anonymous=anonymous)
    post = render.ask_starter(texts(), question.asker.ref.id, words, anonymous=anonymous)
    who = "Anonymous" if anonymous else f"<@{question.asker.ref.id}>"
    assert post == f"{who} asked:\n{words}"

    async def asked(text: str, question: Question = question) -> str | None:
        return await read_back.asked_words(texts(), question, post_of(text), Names(guild))

    assert await asked(post) == "How do I parse JSON?\nAsk @Carol @\u200beveryone.\n\n"
    # the start of a long question; a post naming someone else; a question stored otherwise
    assert await asked(post[:-3]) is None
    other = render.ask_starter(texts(), "1", words, anonymous=not anonymous)
    assert await asked(other) is None
    assert await asked(post, dataclasses.replace(question, body="How do I parse YAML?")) is None
    # a question stored before names were (as typed, with `<@id>`) still reads back
    as_typed = dataclasses.replace(
        question, body=f"How do I parse JSON?\nAsk <@{CAROL}> @everyone."
    )
    assert await asked(post, as_typed) == "How do I parse JSON?\nAsk @Carol @\u200beveryone.\n\n"
    assert await asked("asked:") is None
    # Carol renamed since (or no longer found): not the words the core stored
    renamed: Any = SimpleNamespace(display_name="Caroline")
    guild.get_member = {CAROL: renamed}.get
    assert await asked(post) is None
