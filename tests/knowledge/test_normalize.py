"""What a user types must fold to the same matching form as what the index holds."""

from __future__ import annotations

import pytest

from knowledge.normalize import (
    arabic_script_language,
    char_ngrams,
    normalize,
    stem_languages_for,
    word_tokens,
)


def test_english_case_punctuation_and_accents() -> None:
    assert normalize("  How do I RESET my Café-Wi-Fi password?!  ") == (
        "how do i reset my cafe wi fi password"
    )


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("C++ or C# or C?", "cpp or csharp or c"),
        ("F#, ASP .NET and notepad++.", "fsharp asp dotnet and notepadpp"),
        ("C++11 and g++ -O2", "cpp 11 and gpp o2"),
        ("Ｃ＃ Ｃ＋＋", "csharp cpp"),  # full-width, as some IMEs type them
        # symbols that are not part of a name stay punctuation
        ("#general a+b issue#12 x.net c+++", "general a b issue 12 x net c"),
    ],
)
def test_names_made_of_symbols_keep_them(typed: str, folded: str) -> None:
    assert normalize(typed) == folded


@pytest.mark.parametrize("typed", ["İstanbul", "istanbul", "ISTANBUL", "ıstanbul", "IŞTANBUL"])
def test_turkish_dotted_and_dotless_i_match(typed: str) -> None:
    assert normalize(typed) == "istanbul"


def test_turkish_letters_fold_to_ascii() -> None:
    assert normalize("Şikâyet ÇÖZÜMÜ ğ") == "sikayet cozumu g"


def test_persian_keyboard_variants_and_zwnj() -> None:
    # Arabic yeh/kaf typed on a Persian keyboard, and ZWNJ vs space vs nothing
    assert normalize("مي\u200cخواهم كتاب") == normalize("می خواهم کتاب") == "می خواهم کتاب"
    assert normalize("۱۲۳ تومان") == "123 تومان"


def test_arabic_harakat_tatweel_hamza_and_teh_marbuta() -> None:
    assert normalize("عَرَبِيّـــة") == normalize("عربيه")
    assert normalize("أإآ") == "ااا"
    assert normalize("مؤسسة") == "موسسه"
    assert normalize("سئل") == "سیل"
    assert normalize("مستشفى") == normalize("مستشفي")


def test_invisible_and_bidi_characters_vanish() -> None:
    assert normalize("\u200fسلام\u200e \u202bworld\u202c\ufeff") == "سلام world"
    assert normalize("soft\u00adware") == "software"


def test_thai_keeps_its_marks_and_has_no_spaces() -> None:
    text = "ภาษาไทยง่ายนิดเดียว"
    assert normalize(text) == text  # tone and vowel marks carry meaning
    grams = set(char_ngrams(normalize(text), (3,), pad="none"))
    assert set(char_ngrams(normalize("ง่ายนิด"), (3,), pad="none")) <= grams
    # with the default end-of-word marker only the query's last gram is new
    padded = char_ngrams(normalize("ง่ายนิด"), (3,))
    assert set(padded) - set(char_ngrams(normalize(text), (3,))) == {"ิด "}


def test_finnish_inflected_forms_share_most_ngrams() -> None:
    base = set(char_ngrams("tulostin", (3,)))
    for form in ("tulostimen", "tulostimessa"):
        shared = base & set(char_ngrams(form, (3,)))
        assert len(shared) >= 5, form


def test_stems_are_added_as_marked_tokens() -> None:
    assert word_tokens("printers printing", ("english",)) == [
        "printers",
        "~printer",
        "printing",
        "~print",
    ]
    tokens = word_tokens("tulostimessa", ("finnish",))
    assert tokens[0] == "tulostimessa" and tokens[1].startswith("~tulost")


def test_empty_and_huge_text() -> None:
    assert normalize("") == ""
    assert normalize("!!! ... ???") == ""
    assert len(normalize("a " * 100_000)) < 50_000


def test_ngrams_mark_word_ends_not_starts() -> None:
    # Arabic and Persian attach prefixes (و, ال, ب, می) to a word's start, so a start
    # marker would tie grams to the prefix; the end marker tells "کتاب" from "کتابخانه".
    assert char_ngrams("ab cde", (3,)) == ["ab ", "cde", "de "]
    assert char_ngrams("ab cde", (3,), pad="both") == [" ab", "ab ", " cd", "cde", "de "]
    assert char_ngrams("ab cde", (3,), pad="none") == ["ab", "cde"]
    assert set(char_ngrams("کتاب", (3,))) <= set(char_ngrams("والکتاب", (3,)))


def test_persian_text_is_not_arabic_stemmed() -> None:
    langs = ("english", "arabic")
    assert stem_languages_for("چگونه وزن کم کنم؟", langs) == ("english",)  # Farsi yeh/keheh
    assert stem_languages_for("پول", langs) == ("english",)
    assert stem_languages_for("كيف اغير كلمة المرور", langs) == langs  # Arabic keyboard
    assert stem_languages_for("reset my password", langs) == langs


def test_finnish_and_english_typos_keep_most_ngrams() -> None:
    right, typo = set(char_ngrams("tulostin", (3,))), set(char_ngrams("tulsotin", (3,)))
    assert len(right & typo) >= 3
    assert normalize("PASSWORD") == normalize("password")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("كيف اغير كلمة المرور؟", "arabic"),
        ("چگونه وزن کم کنم؟", "persian"),  # Farsi yeh and keheh
        ("wifi راوتر لا يعمل", "arabic"),  # most words in Arabic script
        ("my راوتر is broken", None),
        ("reset my password", None),
        ("!!!", None),
    ],
)
def test_arabic_script_queries_are_told_apart(text: str, expected: str | None) -> None:
    assert arabic_script_language(text, normalize(text)) == expected
