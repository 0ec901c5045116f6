"""Text normalisation and tokenisation for multilingual similar-question search.

Why this module exists: a support community writes the same question in many ways --
with or without diacritics, with Arabic or Persian keyboard variants of the same letter,
with Turkish dotted/dotless i, with zero-width joiners pasted from phones, in Thai
without spaces, or in an inflected Finnish form. Search only works if the query and
the indexed text are folded to the *same* matching form, so every text goes through
exactly one function, :func:`normalize`, and then through the two analysers the index
uses:

* :func:`word_tokens` -- whitespace words plus Snowball stems (PyStemmer) for the
  scripts where a stemmer exists. We do not know a query's language, so instead of
  language identification each word is stemmed by every configured stemmer of its
  script and all distinct stems are kept; a wrong stemmer rarely hurts because BM25
  weights the resulting rare token by its document frequency.
* :func:`char_ngrams` -- overlapping character n-grams inside each word, with the
  word's end marked by a trailing space ("tulostin " -> "tul" ... "in "). They match
  without relying on whitespace (Thai), survive typos and match word-form variants
  ("tulostin" / "tulostimen"). Only the end is marked: Arabic and Persian attach
  prefixes (و, ال, ب) to a word's start, and a start marker would tie grams to them.
  Arabic stemming is skipped for text typed on a Persian keyboard
  (:func:`stem_languages_for`); the Arabic stemmer mangles Persian words.

The fold is deliberately lossy (it is for matching, never for display): NFKD +
casefold, Latin/Greek/Cyrillic combining diacritics dropped (so "cafe" finds "café",
"sikayet" finds "şikayet"), Turkish İ/ı folded to i, Arabic/Persian letter variants
and digits unified, harakat and tatweel dropped, ZWNJ/ZWSP become spaces, other
zero-width and bidi control characters vanish, punctuation and symbols become spaces,
except in names made of them ("C++" -> "cpp", "C#" -> "csharp", ".NET" -> "dotnet").
Thai, Devanagari and other scripts keep their combining marks, which carry meaning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

import Stemmer

# Explicit code-point folds applied after NFKD + casefold. NFKD has already split
# hamza/madda off alef, waw and yeh (أ -> ا + U+0654), so those need no entry here.
_EXPLICIT: dict[int, str | None] = {
    0x0131: "i",  # ı dotless i (Turkish) -> i
    0x064A: "\u06cc",  # ي Arabic yeh -> ی Farsi yeh
    0x0649: "\u06cc",  # ى alef maksura -> ی
    0x0643: "\u06a9",  # ك Arabic kaf -> ک keheh
    0x0629: "\u0647",  # ة teh marbuta -> ه
    0x0671: "\u0627",  # ٱ alef wasla -> ا
    0x06C1: "\u0647",  # ہ heh goal -> ه
    0x06D5: "\u0647",  # ە ae -> ه
    0x0640: None,  # tatweel
    0x200C: " ",  # ZWNJ: Persian half-space; users type a space or nothing instead
    0x200B: " ",  # zero-width space: a word break in Thai/Khmer text
    0x200D: None,  # ZWJ
    0x2060: None,  # word joiner
    0xFEFF: None,  # BOM / zero-width no-break space
    0x00AD: None,  # soft hyphen
    0x061C: None,  # Arabic letter mark
    0x200E: None,  # LRM
    0x200F: None,  # RLM
}
for _cp in range(0x202A, 0x202F):  # LRE RLE PDF LRO RLO
    _EXPLICIT[_cp] = None
for _cp in range(0x2066, 0x206A):  # LRI RLI FSI PDI
    _EXPLICIT[_cp] = None
for _i in range(10):  # Arabic-Indic and extended (Persian) digits -> ASCII
    _EXPLICIT[0x0660 + _i] = str(_i)
    _EXPLICIT[0x06F0 + _i] = str(_i)

# Combining marks that are dropped: Latin/Greek/Cyrillic diacritics and Arabic harakat,
# hamza/madda above/below, superscript alef and Quranic annotation signs.
_DROPPED_MARK_RANGES = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
)


class _FoldTable(dict[int, "str | int | None"]):
    """A lazily filled ``str.translate`` table: one Unicode lookup per distinct code point."""

    def __missing__(self, cp: int) -> str | int | None:
        value = _fold_code_point(cp)
        self[cp] = value
        return value


def _fold_code_point(cp: int) -> str | int | None:
    if cp in _EXPLICIT:
        return _EXPLICIT[cp]
    for lo, hi in _DROPPED_MARK_RANGES:
        if lo <= cp <= hi:
            return None
    category = unicodedata.category(chr(cp))
    if category[0] in "LNM":
        return cp
    # Separators, punctuation, symbols and control/format characters all end a token.
    if category == "Cf":
        return None
    return " "


_FOLD = _FoldTable()

# Names whose symbols are the name: "C++", "C#", "F#", "notepad++" and ".NET" would
# otherwise fold to "c", "f", "notepad" and "net", so "C++ books" found C and C# books
# alike. They become the letters people also write them with ("cpp", "csharp",
# "dotnet"). Only a symbol that ends a word counts, and "#" only after one or two
# letters (C#, F#, A#), so "#general", "a+b" and "issue#12" are left alone; a version
# may follow ("C++11" -> "cpp 11").
_SYMBOL_NAMES = re.compile(
    r"(?<![\w+#.])"
    r"(?:([^\W\d_]\w*)\+\+(?![^\W\d_]|[+#])"
    r"|([^\W\d_]{1,2})#(?![\w+#])"
    r"|\.(net)(?![^\W\d_]|[+#]))"
)


def _symbol_name(match: re.Match[str]) -> str:
    plus, sharp, _dotnet = match.groups()
    if plus:
        return plus + "pp "
    if sharp:
        return sharp + "sharp "
    return "dotnet "


#: Upper bound on the characters of one text that are normalised; search queries and
#: documents beyond this length add no matching signal but would cost time.
MAX_TEXT_CHARS = 20_000


def normalize(text: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Fold ``text`` to its matching form: lower-case, unaccented, single-spaced.

    >>> normalize("İSTANBUL'da  Şikâyet!")
    'istanbul da sikayet'
    """
    if not text:
        return ""
    if len(text) > max_chars:
        text = text[:max_chars]
    folded = unicodedata.normalize("NFKD", text).casefold()
    if "+" in folded or "#" in folded or ".net" in folded:
        folded = _SYMBOL_NAMES.sub(_symbol_name, folded)
    folded = folded.translate(_FOLD)
    return " ".join(unicodedata.normalize("NFC", folded).split())


# --- stop words -------------------------------------------------------------------

#: The languages whose stop words (stopwords-iso lists) weigh less in a query.
STOPWORD_LANGUAGES: tuple[str, ...] = ("en", "fa", "ar", "tr", "fi", "th")


@cache
def stopwords(languages: tuple[str, ...] = STOPWORD_LANGUAGES) -> frozenset[str]:
    """The stop words of ``languages`` in their matching form (see :func:`normalize`)."""
    import stopwordsiso

    found: set[str] = set()
    for language in languages:
        for word in stopwordsiso.stopwords(language):
            found.update(normalize(word).split())
    return frozenset(found)


# --- scripts and stemmers ---------------------------------------------------------

#: Snowball stemmers applied per script when the engine is not told otherwise. Latin
#: script gets English only: a Finnish or Turkish community should pass its languages
#: (``SearchEngine(stem_languages=...)``); character n-grams cover the rest anyway.
DEFAULT_STEM_LANGUAGES: tuple[str, ...] = ("english", "arabic", "russian", "greek")

_SCRIPT_OF_LANGUAGE = {
    "arabic": "arabic",
    "greek": "greek",
    "russian": "cyrillic",
    "serbian": "cyrillic",
}  # every other Snowball language is written in Latin script


def _script_of_word(word: str) -> str:
    """Classify a normalised word by the script of its first letter."""
    for ch in word:
        cp = ord(ch)
        if cp < 0x0250:
            return "latin" if ch.isalpha() else "other"
        if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
            return "arabic"
        if 0x0400 <= cp <= 0x052F:
            return "cyrillic"
        if 0x0370 <= cp <= 0x03FF:
            return "greek"
        if 0x1E00 <= cp <= 0x1EFF:
            return "latin"
        return "other"
    return "other"


@lru_cache(maxsize=16)
def _stemmers_by_script(languages: tuple[str, ...]) -> dict[str, tuple[Stemmer.Stemmer, ...]]:
    available = set(Stemmer.algorithms())
    by_script: dict[str, list[Stemmer.Stemmer]] = {}
    for lang in languages:
        if lang not in available:
            raise ValueError(f"no Snowball stemmer for {lang!r}; choose from {sorted(available)}")
        script = _SCRIPT_OF_LANGUAGE.get(lang, "latin")
        by_script.setdefault(script, []).append(Stemmer.Stemmer(lang, 10_000))
    return {script: tuple(stemmers) for script, stemmers in by_script.items()}


#: Letters Persian keyboards produce and Arabic ones do not (Farsi yeh and keheh, and
#: پ چ ژ گ). Folding maps Arabic yeh/kaf onto the Persian forms, so this is decided on
#: the raw text.
_PERSIAN_LETTERS = frozenset("\u06cc\u06a9\u067e\u0686\u0698\u06af")


def stem_languages_for(raw_text: str, languages: Sequence[str]) -> tuple[str, ...]:
    """The stemmers to use for one text: Arabic stemming is skipped for Persian text.

    The Arabic Snowball stemmer strips Arabic affixes from Persian words too, turning
    unrelated Persian words into the same stem (on the ParsiNLU pairs word BM25 with
    those stems is 2 points worse than without).
    """
    languages = tuple(languages)
    if "arabic" in languages and not _PERSIAN_LETTERS.isdisjoint(raw_text[:MAX_TEXT_CHARS]):
        return tuple(lang for lang in languages if lang != "arabic")
    return languages


def arabic_script_language(raw_text: str, normalized: str) -> str | None:
    """ "arabic" or "persian" when most words of ``raw_text`` are in Arabic script, else None.

    ``normalized`` is ``normalize(raw_text)``, which the caller already has. Persian is told
    apart by the letters only Persian keyboards produce (as for stemming).
    """
    words = normalized.split()
    if not words or 2 * sum(_script_of_word(w) == "arabic" for w in words) <= len(words):
        return None
    return "arabic" if _PERSIAN_LETTERS.isdisjoint(raw_text[:MAX_TEXT_CHARS]) else "persian"


def word_tokens(normalized: str, languages: Sequence[str] = DEFAULT_STEM_LANGUAGES) -> list[str]:
    """Words of an already normalised text, each followed by its distinct stems.

    Stems are marked with a leading ``~`` so a stem never collides with a real word
    of another language and both the exact word and its stem can score.
    """
    words = normalized.split()
    if not words:
        return []
    stemmers = _stemmers_by_script(tuple(languages))
    tokens: list[str] = []
    for word in words:
        tokens.append(word)
        for stemmer in stemmers.get(_script_of_word(word), ()):
            stem = stemmer.stemWord(word)
            if stem != word:
                tokens.append("~" + stem)
    return tokens


def char_ngrams(
    normalized: str,
    sizes: Iterable[int] = (3, 4),
    *,
    within_words: bool = True,
    pad: str = "end",
) -> list[str]:
    """Overlapping character n-grams of a normalised text.

    With ``within_words`` (the default) grams are taken inside each word, and a word
    shorter than ``n`` is one gram: the inner grams of an inflected, prefixed or
    misspelt word ("tulostimessa", Arabic "والكتاب") overlap its base form's. ``pad``
    adds a space at the word's "end" (default), at "both" ends, or "none". Otherwise the
    grams run over the whole string padded with spaces, which also encodes word order.
    Text without spaces (Thai) is one long "word" either way.
    """
    if not normalized:
        return []
    if within_words:
        left = " " if pad == "both" else ""
        right = " " if pad in ("both", "end") else ""
        pieces = [f"{left}{w}{right}" for w in normalized.split()]
    else:
        pieces = [f" {normalized} "]
    grams: list[str] = []
    for n in sizes:
        for piece in pieces:
            if len(piece) <= n:
                grams.append(piece)
            else:
                grams.extend(piece[i : i + n] for i in range(len(piece) - n + 1))
    return grams
