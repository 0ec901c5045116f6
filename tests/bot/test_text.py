from dataclasses import dataclass

import pytest

from bot.commands import QuestionAction
from bot.model import Actor, MemberRef
from bot.text import (
    clean,
    filled_in,
    grapheme_cut,
    is_blank,
    parse_number,
    scrub,
    scrub_all,
    split_title,
    truncate,
)


def test_truncate_never_splits_a_grapheme() -> None:
    family = "👩‍👩‍👧‍👦"  # 7 code points, one grapheme
    text = "ab" + family * 3
    for limit in range(3, len(text)):
        cut = truncate(text, limit)
        assert len(cut) <= limit
        body = cut.removesuffix("…")
        assert body.replace(family, "") in ("a", "ab", "")


def test_truncate_keeps_combining_marks_with_their_letter() -> None:
    text = "e\u0301" * 10  # é as e + combining acute
    cut = truncate(text, 6)
    assert not cut.removesuffix("…").endswith("e")


def test_grapheme_cut_finds_the_last_boundary_within_the_limit() -> None:
    family = "👩‍👩‍👧‍👦"  # 7 code points, one grapheme
    text = "ab" + family + "e\u0301"
    assert [grapheme_cut(text, n) for n in range(12)] == [0, 1, 2, 2, 2, 2, 2, 2, 2, 9, 9, 11]
    assert grapheme_cut(family, 3) == 0  # a first cluster longer than the limit: nothing
    assert truncate("word " * 20_000, 300) == ("word " * 60).rstrip() + "…"


def test_flags_are_kept_whole() -> None:
    flags = "🇫🇮🇹🇷🇮🇷"
    assert truncate(flags, 4) in ("🇫🇮…", "…")


def test_clean_removes_bidi_edges_and_controls() -> None:
    assert clean("\u200f\u202bسلام\u202c\x00\x07") == "سلام"
    assert clean("line1\nline2\t") == "line1\nline2"


def test_blank_detection() -> None:
    assert is_blank("\u200b\u200f \u2066")
    assert not is_blank("🙂")
    assert not is_blank("ก")


def test_split_title_uses_first_visible_line() -> None:
    title, body = split_title("\u200b\n  \nFirst line\nsecond")
    assert title == "First line"
    assert body.endswith("second")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # A pasted traceback first, the question below: named by the question.
        (
            "```python\nTraceback (most recent call last):\n```\nWhy does import fail?",
            "Why does import fail?",
        ),
        (
            "~~~\n$ pip install x\n~~~\n\npip install fails on Windows",
            "pip install fails on Windows",
        ),
        # Only code: its first line, never the fence.
        ("```python\nimport numpy\n```", "import numpy"),
        ("```\n\n  x = 1\n```", "x = 1"),
        ("```x = 1``` breaks", "x = 1 breaks"),
        ("```x = 1```\nwhy?", "why?"),
        ("```y = 2```", "y = 2"),
        # An unclosed block: its code still names it.
        ("```js\nconsole.log(1)", "console.log(1)"),
        ("Plain question `with code`", "Plain question `with code`"),
        ("```", "```"),
        ("``` [free nitro](https://x) **now**", "``` [free nitro](https://x) **now**"),
        ("```\n```", "```"),
    ],
)
def test_a_question_is_named_by_its_words_not_a_code_fence(text: str, title: str) -> None:
    assert split_title(text)[0] == title


def test_scrub_replaces_lone_surrogates_and_nul_only() -> None:
    assert scrub("half \ud83d emoji \ude00") == "half \ufffd emoji \ufffd"
    assert scrub("nul\x00 \x07bell") == "nul\ufffd \x07bell"  # PostgreSQL stores no NUL
    assert scrub("\udcff\udcfe") == "\ufffd\ufffd"  # undecodable terminal bytes
    whole = "whole 😀 emoji, سلام"
    assert scrub(whole) is whole
    assert clean(" x\ud800 ") == "x\ufffd"
    assert clean("x\x00y") == "xy"  # a control character: dropped, as before
    clean("x\ud800").encode("utf-8")  # writable


@dataclass(frozen=True, slots=True)
class _Command:
    actor: Actor
    text: str
    names: tuple[str, ...]
    action: QuestionAction = QuestionAction.DELETE
    count: int = 0


def test_scrub_all_reaches_nested_dataclasses_and_tuples() -> None:
    ref = MemberRef("discord", "g1", "u1")
    dirty = _Command(Actor(ref, "Ann \ud83e"), "why\udc80", ("ok", "b\udfff"))
    assert scrub_all(dirty) == _Command(Actor(ref, "Ann \ufffd"), "why\ufffd", ("ok", "b\ufffd"))
    assert scrub_all(dirty).action is QuestionAction.DELETE
    tidy = _Command(Actor(ref, "Ann"), "why", ("ok",))
    assert scrub_all(tidy) is tidy  # nothing to replace: the same object, no copy


def test_parse_number_takes_only_what_int_can() -> None:
    assert parse_number("12") == 12 and parse_number(" #12 ") == 12
    assert parse_number("[3]", "[]#") == 3
    assert parse_number("\u0661\u0662") == 12  # Arabic-Indic digits, as a phone types them
    assert "\u00b2".isdigit()  # superscript two: a "digit" that int() refuses
    for bad in ("\u00b2", "#\u00b2", "", "#", "-5", "1.5", "12a", "9" * 31, "9" * 5_000):
        assert parse_number(bad) is None, bad


def test_filled_in_reads_back_only_what_the_template_makes() -> None:
    def post(words: str) -> str:
        return f"<@U1> asked:\n{words}\n(reply in the thread)"

    assert filled_in(post, post("How do I *pin* it?")) == "How do I *pin* it?"
    assert filled_in(post, post("")) == ""
    assert filled_in(post, "<@U2> asked:\nHow?\n(reply in the thread)") is None  # reworded
    assert filled_in(post, post("How do I pin it?")[:20]) is None  # cut
    assert filled_in(lambda words: "no slot", "no slot") is None
