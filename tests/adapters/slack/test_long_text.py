"""`long_text.split_message`: text too long for one Slack message, cut where Slack keeps
every part whole."""

from __future__ import annotations

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
