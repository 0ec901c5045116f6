"""`long_text.split_message`: text too long for one Slack message, cut where Slack keeps
every part whole."""

from __future__ import annotations

import random
import re

import pytest
import regex

from adapters.slack.long_text import split_message, units

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, 8 UTF-16 units
ACCENTED = "e\u0301"  # one grapheme, two code points
WHOLE = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);")


def cuts(parts: list[str]) -> list[int]:
    at, found = 0, []
    for part in parts[:-1]:
        at += len(part)
        found.append(at)
    return found


def assert_whole(text: str, parts: list[str], limit: int) -> None:
    """Parts within `limit`, together `text`, no cut inside a grapheme or a control
    sequence or entity."""

    assert "".join(parts) == text
    assert all(0 < units(p) <= limit for p in parts), [units(p) for p in parts]
    boundaries = {m.end() for m in regex.finditer(r"\X", text)}
    tokens = [(m.start(), m.end()) for m in WHOLE.finditer(text)]
    for cut in cuts(parts):
        assert cut in boundaries, (cut, text[cut - 3 : cut + 3])
        assert not any(s < cut < e for s, e in tokens), (cut, text[cut - 12 : cut + 12])


def test_short_text_is_one_part() -> None:
    assert split_message("How do I reset my password?", 40) == ["How do I reset my password?"]
    assert split_message("", 40) == [""]


@pytest.mark.parametrize(
    "straddler",
    ["<@U0HELPER>", "<https://example.com/docs?a=1&amp;b=2|the docs page>", "<!here>",
     "<#C0HELP|help>", "&amp;", "&lt;", FAMILY, ACCENTED, "\U0001f1eb\U0001f1f7"],
)  # fmt: skip
def test_a_cut_never_falls_inside_a_token_or_grapheme(straddler: str) -> None:
    """Without a space or line break to cut at, each cut still moves to before whatever it
    would fall inside, wherever that lies against the limit."""

    for before in range(80, 100):
        text = "x" * before + straddler + "y" * 150
        parts = split_message(text, 100)
        assert_whole(text, parts, 100)


def test_a_cut_prefers_a_line_break_then_a_space_outside_links() -> None:
    text = "a" * 60 + "\n" + "b" * 10 + " " + "<https://x.io|a b c d e f g h i j>" + "d" * 50

    first, *_ = split_message(text, 100)
    assert first == "a" * 60 + "\n"

    no_break = text.replace("\n", "_")
    first, *_ = split_message(no_break, 100)
    # (the spaces inside the link's label, up to the limit, are no place to cut)
    assert first == "a" * 60 + "_" + "b" * 10 + " "


def test_characters_outside_the_bmp_count_twice() -> None:
    text = "\U0001f600" * 30  # 60 UTF-16 code units

    parts = split_message(text, 25)

    assert [len(p) for p in parts] == [12, 12, 6]
    assert_whole(text, parts, 25)


def test_a_forty_thousand_character_question_of_words_links_and_mentions() -> None:
    words = [f"<@U0HELPER{n}>" if n % 97 == 0 else "word" for n in range(12_000)]
    words[5000] = "<https://example.com/a|a link with a long label>"
    words[9000] = FAMILY + "&amp;" + ACCENTED
    text = " ".join(words) + "\n" + "z" * 30_000

    parts = split_message(text)

    assert len(parts) == 3
    assert_whole(text, parts, 40_000)


FENCE = "```"


def unfenced(text: str, parts: list[str]) -> None:
    """Parts that are `text` in order, apart from a ``` added at the end of a part (closing
    a code block the cut left open) and at the start of the next (reopening it); each part
    within its limit is checked by the caller."""

    at = 0
    for part in parts:
        rest = text[at:]
        body = part
        if not rest.startswith(body) and body.startswith(FENCE) and not rest.startswith(FENCE):
            body = body[len(FENCE) :]  # reopened
        if not rest.startswith(body):
            assert body.endswith(FENCE), (part[:20], part[-20:])
            body = body[: -len(FENCE)]  # closed
        assert rest.startswith(body), (part[:20], part[-20:])
        at += len(body)
    assert at == len(text)


def test_a_code_block_across_a_cut_is_closed_and_reopened() -> None:
    """A code block across a cut was left open at the end of one part, so Slack showed the
    next part's opening ``` as the end of a block and the rest as text, and reopened in
    none: the rest of the code showed as mrkdwn. Now each part closes what it opened."""

    text = "Run this:\n" + FENCE + "\n" + "print(1)\n" * 30 + FENCE + "\nThen it works."

    parts = split_message(text, 100)

    assert len(parts) == 4
    assert all(units(p) <= 100 for p in parts), [units(p) for p in parts]
    assert all(p.count(FENCE) == 2 for p in parts)
    assert parts[0].startswith("Run this:\n" + FENCE) and parts[0].endswith("print(1)\n" + FENCE)
    assert parts[1].startswith(FENCE + "print(1)\n") and parts[1].endswith("\n" + FENCE)
    assert parts[-1].endswith(FENCE + "\nThen it works.")
    unfenced(text, parts)


@pytest.mark.parametrize("between", ["", " ", "\n"])
def test_a_closing_fence_at_the_cut_closes_its_own_part(between: str) -> None:
    """Where the code ends at the cut (maybe after spaces), the part ends with the member's
    own fence: no empty block of ``` and ``` at the start of the next part."""

    code = "print(1)\n" * 9  # 81 characters
    text = FENCE + code + between + FENCE + " done" + "x" * 100

    first, *rest = split_message(text, 90)

    assert first == FENCE + code + between + FENCE
    assert not rest[0].startswith(FENCE)
    unfenced(text, [first, *rest])


def test_blank_lines_that_end_a_block_go_on_with_its_last_line() -> None:
    """Blank lines and the fence are too long for the part: its last line goes on with them,
    so the next part is no empty block."""

    text = FENCE + "\n" + "line\n" * 8 + "\n" * 20 + FENCE + " " + "x" * 60

    first, second, *_ = split_message(text, 50)

    assert first == FENCE + "\n" + "line\n" * 7 + FENCE
    assert second == FENCE + "line\n" + "\n" * 20 + FENCE
    unfenced(text, split_message(text, 50))


def test_a_part_ending_with_an_opening_fence_leaves_it_to_the_next() -> None:
    """Not an empty block at the end of the one part (``` and a line break, then ```)."""

    text = "a" * 40 + "\n" + FENCE + "\n" + "code line\n" * 10 + FENCE

    first, second, *_ = split_message(text, 50)

    assert first == "a" * 40 + "\n"
    assert second.startswith(FENCE + "\ncode line\n")


def test_blank_text_in_a_code_block_is_not_fenced() -> None:
    """Spaces alone stay spaces (the caller posts no such part), not an empty code block."""

    text = FENCE + "code" + " " * 250 + "more code" + FENCE

    parts = split_message(text, 100)

    assert [p.strip() for p in parts][1:-1] == [""] * (len(parts) - 2)
    assert parts[0].endswith(FENCE) and parts[-1].startswith(FENCE)
    unfenced(text, parts)
    # So too the last part, where the member left the block open.
    left_open = FENCE + "code" + " " * 250
    parts = split_message(left_open, 100)
    assert [p.strip() for p in parts][1:] == [""] * (len(parts) - 1)
    unfenced(left_open, parts)


@pytest.mark.parametrize("limit", [15, 20, 37, 64, 100, 1_000])
def test_code_blocks_are_kept_whole_in_every_part(limit: int) -> None:
    """Blocks, inline spans, backtick runs, mentions, entities and emoji, cut at every kind
    of limit: parts within it, each with its blocks closed, together the text."""

    rng = random.Random(limit)
    pieces = ["word ", "\n", "\n\n\n", "    ", FENCE, "`x`", "``", "`", "<@U0HELPER>", "&amp;"]
    pieces += ["<https://x.io|a b c>", FAMILY, ACCENTED]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 400)))
        if text.count(FENCE) % 2:
            text += FENCE
        parts = split_message(text, limit)
        assert all(units(p) <= limit for p in parts), (limit, [units(p) for p in parts])
        assert all(p.count(FENCE) % 2 == 0 for p in parts), text
        unfenced(text, parts)
