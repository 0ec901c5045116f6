"""Safe handling of member-written text: cleaning, titles, and cutting without breaking it.

Chat text arrives with right-to-left marks, zero-width joiners, emoji sequences and combining
marks. Cuts happen on extended grapheme cluster boundaries (the `regex` module's \\X), so a
title never ends in half a flag, half a family emoji or a letter without its diacritic.

It can also arrive with half an emoji (a lone surrogate, from a JSON escape or undecodable
terminal input), which no database or platform accepts, or with a NUL, which PostgreSQL
does not store. `scrub` replaces those, and the core scrubs every command it is given
(`CommunityBot.handle`), so no rule sees one.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

import regex

T = TypeVar("T")

MAX_TITLE_CHARS = 100
#: Digits a number a member types may have: more is no id (ids are 64-bit), and int()
#: refuses 4,300+ digits.
MAX_NUMBER_DIGITS = 30
MAX_BODY_CHARS = 16_000

_GRAPHEME = regex.compile(r"\X")
# Bidi controls and other invisible format characters that make a title look empty or
# reorder what follows it. ZWJ/ZWNJ are kept inside words (they shape Persian and emoji).
_INVISIBLE_EDGES = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_CONTROL = regex.compile(r"[\p{Cc}--[\n\t]]", flags=regex.V1)
_UNSTORABLE = regex.compile(r"[\p{Cs}\x00]")


def scrub(text: str) -> str:
    """`text` with every lone surrogate (U+D800-U+DFFF) and NUL replaced by U+FFFD.

    No UTF-8 encoder, database driver or platform API accepts a lone surrogate, and
    PostgreSQL stores no NUL in text (SQLite does: the same command would work on one
    database and fail on the other). Python lets both in from JSON escapes (`"\\ud83d"`
    alone is half an emoji, which a platform's JSON can carry) and surrogates from
    undecodable terminal input.
    """

    return _UNSTORABLE.sub("\ufffd", text) if _UNSTORABLE.search(text) else text


_DIRECTION_CONTROLS = regex.compile(r"[\u202a-\u202e\u2066-\u2069]")
_OPENS_EMBEDDING = frozenset("\u202a\u202b\u202d\u202e")
_OPENS_ISOLATE = frozenset("\u2066\u2067\u2068")


def isolate_direction(text: str) -> str:
    """`text` closed off so its direction controls end with it, for a member's words set
    inside a sentence: an unclosed RIGHT-TO-LEFT OVERRIDE in an echoed id would otherwise
    reverse the rest of the reply. Wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL
    ISOLATE (which ends every embedding and override opened inside), and only when a control
    is left open: other text, Persian and Arabic included, is unchanged."""

    if not _DIRECTION_CONTROLS.search(text):
        return text
    opened: list[str] = []  # "e" embedding or override, "i" isolate (UAX #9's stack)
    for ch in _DIRECTION_CONTROLS.findall(text):
        if ch in _OPENS_EMBEDDING or ch in _OPENS_ISOLATE:
            opened.append("e" if ch in _OPENS_EMBEDDING else "i")
        elif ch == "\u202c":  # PDF closes an embedding, never across an isolate
            if opened and opened[-1] == "e":
                opened.pop()
        elif "i" in opened:  # PDI closes its isolate and what was opened inside it
            del opened[len(opened) - 1 - opened[::-1].index("i") :]
    return f"\u2068{text}\u2069" if opened else text


def scrub_all(value: T) -> T:
    """`value` with `scrub` applied to every string in it, through nested dataclasses and
    tuples (a command and its actor); `value` itself when nothing needed replacing."""

    if isinstance(value, str):
        return scrub(value)  # type: ignore[return-value]
    if type(value) is tuple:
        items = tuple(scrub_all(item) for item in value)
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value  # type: ignore[return-value]
    names = _dataclass_fields(type(value))
    if names:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = scrub_all(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value  # type: ignore[type-var]
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _dataclass_fields(cls: type) -> tuple[str, ...]:
    """The init fields of a dataclass type (empty for any other type), looked up once."""
    names = _FIELDS.get(cls)
    if names is None:
        is_dataclass = dataclasses.is_dataclass(cls)
        names = tuple(f.name for f in dataclasses.fields(cls) if f.init) if is_dataclass else ()
        _FIELDS[cls] = names
    return names


def with_attachments(text: str, names: Sequence[str]) -> str:
    """A message's text with its attached files named after it (`see\n[a.png, b.txt]`), so a
    file posted without words is still a question or an answer, the same on every platform."""

    if not names:
        return text
    shown = f"[{', '.join(names)}]"
    return f"{text}\n{shown}" if text.strip() else shown


def clean(text: str) -> str:
    """Normalise to NFC, drop control characters (keeping newlines and tabs), replace lone
    surrogates and trim."""

    text = unicodedata.normalize("NFC", scrub(_CONTROL.sub("", text)))
    return text.strip().strip(_INVISIBLE_EDGES).strip()


def grapheme_cut(text: str, limit: int) -> int:
    """The largest index <= `limit` on a grapheme cluster boundary of `text` (0 when its
    first cluster is longer). Reads clusters only up to the limit, not the whole text."""

    used = 0
    for cluster in _GRAPHEME.finditer(text):
        if cluster.end() > limit:
            break
        used = cluster.end()
    return used


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut `text` to at most `limit` code points, on a grapheme boundary, marking the cut."""

    if len(text) <= limit:
        return text
    return text[: grapheme_cut(text, max(0, limit - len(ellipsis)))].rstrip() + ellipsis


def is_blank(text: str) -> bool:
    """True when nothing visible is left (only spaces, marks and invisible characters)."""

    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LNPSM" and cat not in ("Mn",):
            return False
        if cat == "So":
            return False
    return True


def parse_number(word: str, marks: str = "#") -> int | None:
    """The whole number a member typed ("12", "#12", "١٢"; `marks` stripped from both ends),
    or None. Only decimal digits count: "²" passes `str.isdigit()` but `int()` refuses it;
    and at most MAX_NUMBER_DIGITS of them."""

    digits = word.strip().strip(marks)
    return int(digits) if digits.isdecimal() and len(digits) <= MAX_NUMBER_DIGITS else None


_FENCE = regex.compile(r"^\s*(```|~~~)")


def title_line(text: str) -> str:
    """The line a question is named by: its first visible line outside code blocks (a
    member pasting a traceback first and explaining below is named by the explanation),
    else the first line of code; never a bare fence such as "```python". Fences on the
    line itself are dropped ("```x = 1```" -> "x = 1"). Text that is only fence lines keeps
    its first line as typed ("``` free nitro" is named so, not left without a title)."""

    prose: str | None = None
    code: str | None = None
    inside = False
    for line in clean(text).splitlines():
        fence = _FENCE.match(line)
        if fence and fence.group(1) in line[fence.end() :]:  # inline: "```x = 1``` fails"
            marker = fence.group(1)
            words = " ".join(line.replace(marker, " ").split())
            if line.rstrip().endswith(marker):  # all of it code
                code = code or (words or None)
                continue
            line = words
        elif fence:  # opens or closes a block ("```python": a language, not a line)
            inside = not inside
            continue
        if is_blank(line):
            continue
        if inside:
            code = code or line
        else:
            prose = line
            break
    if prose or code:
        return clean(prose or code or "")
    # Only fences with words on them ("``` free nitro"): the words, as typed.
    return clean(next((line for line in clean(text).splitlines() if not is_blank(line)), ""))


def split_title(text: str, limit: int = MAX_TITLE_CHARS) -> tuple[str, str]:
    """Title from `title_line` (cut to `limit`), body is the whole cleaned text."""

    body = clean(text)
    return truncate(title_line(body), limit), truncate(body, MAX_BODY_CHARS)


# Where `filled_in` has its template put the text (a private-use character no text holds).
_SLOT = "\U000f8001"


def filled_in(template: Callable[[str], str], shown: str) -> str | None:
    """The text that `template` put into `shown`, or None when `shown` is not what
    `template` makes of any text (a catalog line reworded since, a post cut or split): e.g.
    the member's words in the bot's post of their /ask question, read back."""

    before, found, after = template(_SLOT).partition(_SLOT)
    if not found or len(shown) < len(before) + len(after):
        return None
    text = shown[len(before) : len(shown) - len(after)]
    return text if template(text) == shown else None
