"""Text too long for one Slack message, cut into messages Slack takes whole.

Slack truncates a message's `text` past 40,000 characters (chat.postMessage), so a long
`/ask` question would lose its end. `split_message` cuts such text into consecutive parts,
each within the limit and together exactly the text, at a line break or a space where it
can, and never inside what a cut would break: a grapheme cluster (half an emoji or a letter
without its accent), a control sequence in angle brackets (a mention `<@U123>`, a channel, a
link `<https://...|label>`; the label may hold spaces) or an entity (`&amp;`, `&lt;`,
`&gt;`: mrkdwn text is escaped, so a cut `&lt;` would show as text). Length is counted in
UTF-16 code units, never fewer than characters, whichever way Slack counts them.

`safe_cut` is the same cut for one piece of text; `blocks.clip` shortens Block Kit text with
it.
"""

from __future__ import annotations

import re
from bisect import bisect_right

import regex

# chat.postMessage: "Slack will truncate messages containing more than 40,000 characters".
MESSAGE_TEXT_MAX = 40_000

_GRAPHEME = regex.compile(r"\X")
# In mrkdwn Slack escapes every other `<`, `>` and `&`: each `<` opens a control sequence.
_WHOLE = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);")


def units(text: str) -> int:
    """`text`'s length in UTF-16 code units (characters outside the BMP count twice)."""

    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_TEXT_MAX) -> list[str]:
    """`text` as consecutive parts of at most `limit` units each (see the module docstring);
    their concatenation is `text`. A grapheme or control sequence longer than `limit` alone
    is cut anyway, as no message could hold it."""

    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    start = 0
    while units(text[start:]) > limit:
        cut = safe_cut(text, limit, start)
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return parts


def safe_cut(text: str, limit: int, start: int = 0, *, at_words: bool = True) -> int:
    """Where the piece of `text` starting at `start` ends: the last safe place (see the
    module docstring) within `limit` units, with `at_words` after a line break if one is in
    its second half, else after a space there, else anywhere. A grapheme or control sequence
    at `start` longer than `limit` alone is cut anyway."""

    ends: list[int] = []  # grapheme boundaries after `start` within the limit
    used = 0
    for cluster in _GRAPHEME.finditer(text, start):
        used += units(cluster.group())
        if used > limit:
            break
        ends.append(cluster.end())
    if not ends:  # one grapheme longer than a message (a long run of combining marks)
        return start + max(1, limit // 2)
    starts: list[int] = []
    stops: list[int] = []
    for whole in _WHOLE.finditer(text, start):
        if whole.start() >= ends[-1]:
            break
        starts.append(whole.start())
        stops.append(whole.end())

    def safe(at: int) -> bool:
        n = bisect_right(starts, at) - 1
        return n < 0 or not starts[n] < at < stops[n]

    floor = start + (ends[-1] - start) // 2
    for separator in ("\n", " ") if at_words else ():
        for at in reversed(ends):
            if at <= floor:
                break
            if text[at - 1] == separator and safe(at):
                return at
    for at in reversed(ends):
        if safe(at):
            return at
    return ends[-1]  # a control sequence longer than a message
