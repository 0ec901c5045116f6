from bot.text import clean, is_blank, split_title, truncate


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
