"""Text too long for one Slack message, cut into messages Slack takes whole.

Slack truncates a message's `text` past 40,000 characters (chat.postMessage), so a long
`/ask` question would lose its end. `split_message` cuts such text into consecutive parts,
each within the limit, at a line break or a space where it can, and never inside what a cut
would break: a grapheme cluster (half an emoji or a letter without its accent), a control
sequence in angle brackets (a mention `<@U123>`, a channel, a link `<https://...|label>`;
the label may hold spaces), an entity (`&amp;`, `&lt;`, `&gt;`: mrkdwn text is escaped, so a
cut `&lt;` would show as text) or a run of backticks (a code block's fence). A code block
(```...```; mrkdwn has no language) that a cut falls in is closed with ``` at the end of the
one part and reopened with ``` at the start of the next, the fences within the limit: left
open, the next part would show the rest of the code as text, and its closing ``` would open
a block that takes the words after it. Together the parts are the text and those fences. Length is
counted in UTF-16 code units, never fewer than characters, whichever way Slack counts them.

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
# A run of three or more backticks is a code block's fence (and what is left over).
_WHOLE = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);|`{3,}")
FENCE = "```"
_CLOSING = re.compile(r"\s*```")


def units(text: str) -> int:
    """`text`'s length in UTF-16 code units (characters outside the BMP count twice)."""

    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_TEXT_MAX) -> list[str]:
    """`text` as consecutive parts of at most `limit` units each (see the module docstring);
    their concatenation is `text`, apart from the fences that close a code block at the end
    of a part and reopen it at the start of the next. A grapheme, control sequence or run of
    backticks longer than a part can hold (inside a code block, `limit` less its two
    fences) is cut anyway; with a `limit` under 10 no fences are added."""

    if limit < 1:
        raise ValueError("limit must be positive")
    # (with no room for a fence at each end a block is left open, as no part could hold it)
    fences = FENCE in text and limit > 3 * len(FENCE)
    parts: list[str] = []
    start = 0
    in_code = False  # whether text[start:] begins inside a code block
    while True:
        reopen = FENCE if in_code else ""
        if units(text[start:]) + len(reopen) <= limit:
            break
        cut = safe_cut(text, limit - len(reopen), start)
        open_at_cut = fences and _toggles(text, start, cut) != in_code
        if open_at_cut:
            cut, open_at_cut = _close_block(text, start, limit - len(reopen), in_code)
        part = text[start:cut]
        if part.strip():  # (spaces alone stay spaces, not an empty code block)
            part = reopen + part + (FENCE if open_at_cut else "")
        parts.append(part)
        start, in_code = cut, open_at_cut
    rest = text[start:]
    parts.append(reopen + rest if rest.strip() else rest)
    return parts


def _toggles(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] opens or closes a code block an odd number of times: each
    ``` does (a longer run of backticks is a fence and what is left over)."""

    return text.count(FENCE, start, end) % 2 == 1


def _close_block(text: str, start: int, room: int, in_code: bool) -> tuple[int, bool]:
    """Where a part from `start` that would end inside a code block ends instead, within
    `room` units with a ``` to close the block, and whether that ``` is needed. Not where it
    would leave an empty block: the part takes the member's own closing fence where that and
    only spaces are left and they fit, leaves a fence it ends on (and spaces) to the next
    part, and otherwise leaves its last line to the next part with the spaces and fence."""

    cut = safe_cut(text, room - len(FENCE), start)
    if _toggles(text, start, cut) == in_code:
        return cut, False
    closing = _CLOSING.match(text, cut)
    if closing and units(text[start : closing.end()]) <= room:
        return closing.end(), False
    opened = text.rfind(FENCE, start, cut)
    if opened > start and not text[opened + len(FENCE) : cut].strip():
        before = safe_cut(text, units(text[start:opened]), start, at_words=False)
        if before > start and _toggles(text, start, before) == in_code:
            return before, False
    kept = start + len(text[start:cut].rstrip())
    if closing and kept - 1 > start:
        shorter = _close_block(text, start, units(text[start : kept - 1]) + len(FENCE), in_code)
        if not text.startswith("``", shorter[0] - 1):  # (no safe place: it would cut a fence)
            return shorter
    return cut, True


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
