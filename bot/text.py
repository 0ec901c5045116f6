"""Safe handling of member-written text: cleaning, titles, and cutting without breaking it.

Chat text arrives with right-to-left marks, zero-width joiners, emoji sequences and combining
marks. Cuts happen on extended grapheme cluster boundaries (the `regex` module's \\X), so a
title never ends in half a flag, half a family emoji or a letter without its diacritic.
"""

from __future__ import annotations

import unicodedata

import regex

MAX_TITLE_CHARS = 100
MAX_BODY_CHARS = 16_000

_GRAPHEME = regex.compile(r"\X")
# Bidi controls and other invisible format characters that make a title look empty or
# reorder what follows it. ZWJ/ZWNJ are kept inside words (they shape Persian and emoji).
_INVISIBLE_EDGES = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_CONTROL = regex.compile(r"[\p{Cc}--[\n\t]]", flags=regex.V1)


def clean(text: str) -> str:
    """Normalise to NFC, drop control characters (keeping newlines and tabs) and trim."""

    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return text.strip().strip(_INVISIBLE_EDGES).strip()


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut `text` to at most `limit` code points, on a grapheme boundary, marking the cut."""

    if len(text) <= limit:
        return text
    budget = max(0, limit - len(ellipsis))
    out: list[str] = []
    used = 0
    for cluster in _GRAPHEME.findall(text):
        if used + len(cluster) > budget:
            break
        out.append(cluster)
        used += len(cluster)
    return "".join(out).rstrip() + ellipsis


def is_blank(text: str) -> bool:
    """True when nothing visible is left (only spaces, marks and invisible characters)."""

    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LNPSM" and cat not in ("Mn",):
            return False
        if cat == "So":
            return False
    return True


def split_title(text: str, limit: int = MAX_TITLE_CHARS) -> tuple[str, str]:
    """Title from the first non-blank line (cut to `limit`), body is the whole cleaned text."""

    body = clean(text)
    first = next((line for line in body.splitlines() if not is_blank(line)), "")
    title = truncate(clean(first), limit)
    return title, truncate(body, MAX_BODY_CHARS)
