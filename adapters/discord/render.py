"""Pure rendering of core results into Discord shapes: text chunks, embeds and components.

Discord caps a message at 2,000 characters, an embed description at 4,096, a select option
label and an autocomplete choice at 100; these functions cut on safe boundaries (paragraph,
line, word, then grapheme cluster) and keep code blocks closed, so nothing arrives with half
an emoji or an unterminated ``` fence. No network calls here: the cogs send what this builds.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import discord
import regex

from adapters.discord import translate
from adapters.discord.texts import Texts
from bot.articles import MAX_TITLE_CHARS
from bot.events import (
    AnswerAccepted,
    GuidelinesShown,
    HelperChoiceNeeded,
    LeaderboardShown,
    QuestionOpened,
    QuestionShown,
    ReputationShown,
    Welcome,
)
from bot.kb_presenter import KnowledgePresenter
from bot.knowledge_base import ArticleChanged, ArticleShown, KnowledgeFound
from bot.model import Member, Question, Suggestion
from bot.moderation_presenter import ModerationPresenter
from bot.outbound import ChannelPost, DirectMessage, ThreadPost
from bot.presenters import Presenter
from bot.text import grapheme_cut, scrub, truncate

MAX_CONTENT = 2000
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TITLE = 256
MAX_LABEL = 100
MAX_SELECT_OPTIONS = 25
MAX_CHOICES = 25
COLOUR = discord.Colour.blurple()
SOLVED_COLOUR = discord.Colour.green()

_FENCE = "```"
_GRAPHEME = regex.compile(r"\X")

NO_MENTIONS = discord.AllowedMentions.none()


class Shown(str):
    """Text already set for Discord (catalog text, a mention, words already escaped), which a
    `DiscordPresenter` puts in as it is. Any other string is a member's words."""


def mention(member: Member) -> str:
    """Discord members render as mentions (shown as names; sent with pings disabled); anyone
    else by their name, which is their own words (escaped where it is set in a text)."""

    if member.ref.platform == translate.PLATFORM and member.ref.id.isdigit():
        return Shown(f"<@{member.ref.id}>")
    return member.display_name


class DiscordPresenter(Presenter):
    """The core's presenter for Discord: a member's words among its parameters (a title, a
    search, a reason, an excerpt, an id as they typed it, a name) are shown as typed, so
    their ``` or [text](url) is not markup in the bot's reply. Its own texts (`Shown`) and
    nested catalog texts go in as they are, so the catalog's markdown still works."""

    def t(self, key: str, **params: object) -> str:
        typed = {
            k: as_typed(v) if isinstance(v, str) and not isinstance(v, Shown) else v
            for k, v in params.items()
        }
        return Shown(super().t(key, **typed))

    # Texts write a channel as "#{channel}" (a name on other platforms, and in the config
    # example for a community's own greeting); on Discord it is a mention, which shows its
    # own "#" and links to the channel, so the "#" before it goes.

    def welcome(self, welcome: Welcome, channel: str) -> list[str]:
        """The greeting with `channel` (see `channel`) in it. A community's own greeting is
        its own markdown, set as it is, but the core puts the names into it with
        `str.format`, not `t()`, so they are shown as typed here."""

        where = channel if isinstance(channel, Shown) else Shown(as_typed(channel))
        if welcome.message:
            # (a Discord member is named by their mention, which `name` builds without it)
            who = dataclasses.replace(
                welcome.member, display_name=as_typed(welcome.member.display_name)
            )
            welcome = dataclasses.replace(welcome, member=who)
        first, *rest = super().welcome(welcome, where)
        return [_channel_hash(first, where), *rest]

    def guidelines(self, result: GuidelinesShown, channel: str) -> list[str]:
        header, *rest = super().guidelines(result, channel)
        return [_channel_hash(header, channel), *rest]


def _channel_hash(text: str, channel: str) -> str:
    return text.replace(f"#{channel}", channel) if channel.startswith("<#") else text


def channel(channel_id: str | int | None, name: str) -> str:
    """A channel as members see it in a text: its mention (shown as "#name", a link to it)
    when its id is known, else `name` (a member's words, shown as typed)."""

    return Shown(f"<#{channel_id}>") if str(channel_id or "").isdigit() else name


def presenter(texts: Texts) -> DiscordPresenter:
    return DiscordPresenter(texts.catalog, texts.locale, name=mention)


def moderation(texts: Texts) -> ModerationPresenter:
    return ModerationPresenter(presenter(texts))


# Left whole by `as_typed`: links Discord makes of bare addresses (the pattern
# discord.utils.escape_markdown leaves alone too), so they stay clickable and show where they
# go; and <...> tokens (mentions, channels, custom emoji, timestamps, command mentions), which
# an escape inside would break and which hide nothing. (No "<" inside a <...> link: Discord's
# own pattern allows one, but then each "<" of a run of them read to the run's end: 0.8 s in
# `as_typed` for 20,000 "<", and on every cut of `split_message` and `trim`.)
_URL = r"(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s]"
_AS_IS = re.compile(
    rf"<[^:<> ]+:/[^ <>]+>|{_URL}"
    r"|<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:-?\d+(?::[tTdDfFR])?|/[\w -]+:\d+)>"
)
# Markup anywhere (the backslash itself, bold / italics / underline, strikethrough, spoilers,
# code, and the brackets of a masked link), and what makes a line a quote, heading, subtext
# or list item (only before a space: "#12" or "-" alone stay as they are).
_INLINE = re.compile(r"[\\*_~|`\[\]]")
_LINE_START = re.compile(r"^([ \t]*)(>>>|>|#{1,3}|-#|-|\d+\.)(?=[ \t])", re.MULTILINE)


def _line_start(m: re.Match[str]) -> str:
    indent, marker = m[1], m[2]
    return indent + (f"{marker[:-1]}\\." if marker.endswith(".") else f"\\{marker}")


def _escape(text: str) -> str:
    return _LINE_START.sub(_line_start, _INLINE.sub(lambda m: "\\" + m[0], text))


def as_typed(text: str) -> str:
    """A member's words set in the bot's own message, shown as they typed them: every
    markdown character is backslash-escaped, so a code fence they left open cannot swallow
    the lines after it and a masked link shows its real address.

    Not discord.utils.escape_markdown: it escapes only the first of several masked links in
    one text, and escapes inside custom emoji (`<:blob_cat:1>`), which then show as text."""

    out: list[str] = []
    done = 0
    for kept in _AS_IS.finditer(text):
        out += [_escape(text[done : kept.start()]), kept[0]]
        done = kept.end()
    out.append(_escape(text[done:]))
    return "".join(out)


def outbound(texts: Texts, message: ThreadPost | ChannelPost | DirectMessage) -> str:
    """The text of a message the bot sends on its own initiative (a report, an escalation,
    a reminder, a warning). Its string parameters are members' words (names, titles,
    reasons, excerpts), shown as typed; ids, `#12` and links are left as they are, and the
    sender takes the ids it links to from `message.params` itself."""

    return presenter(texts).t(message.key, **message.params)


def jump_url(
    guild_id: int | str, channel_id: int | str, message_id: int | str | None = None
) -> str:
    """A link that opens a channel or thread (or one message in it) in the Discord client."""

    url = f"https://discord.com/channels/{guild_id}/{channel_id}"
    return f"{url}/{message_id}" if message_id else url


def pings(
    role_ids: Sequence[str] = (), user_ids: Sequence[str] = ()
) -> tuple[str, discord.AllowedMentions]:
    """Mentions to put first in a message, and allowed_mentions that ping exactly those."""

    roles = [r for r in role_ids if str(r).isdigit()]
    users = [u for u in user_ids if str(u).isdigit()]
    text = " ".join([*(f"<@&{r}>" for r in roles), *(f"<@{u}>" for u in users)])
    allowed = discord.AllowedMentions(
        everyone=False,
        replied_user=False,
        roles=[discord.Object(int(r)) for r in roles] if roles else False,
        users=[discord.Object(int(u)) for u in users] if users else False,
    )
    return text, allowed


# -- cutting text ----------------------------------------------------------------------------


def _grapheme_cut(text: str, limit: int, first: int = 0) -> int:
    """The largest index <= limit that falls on a grapheme cluster boundary after `first`
    (a part's reopened fence line), else `limit`: a cluster longer than a message is cut
    anyway."""

    cut = grapheme_cut(text, limit)
    return cut if cut > first else min(len(text), limit)


# How far past a cut `_unbroken` and `_open_block` read for what the cut falls in (and so
# how much of the text `split_message` gives them): what ends further on is cut anyway.
_READ_AHEAD = 2000


# A code block as Discord reads one (its client's rule, with its "i" flag spelled out): a
# language only when a line break follows it, then some code that does not start with a
# line break (a ``` with only line breaks or nothing before the next ``` opens no block:
# "``````" is six backticks, and "```\n```" a code span), closed by the next ``` after it.
_BLOCK = r"```(?:[A-Za-z0-9_+\-.#]+?\n)?\n*[^\n].*?\n*```"
# A masked link as Discord reads one: [text](address), the address maybe in <...> and with a
# "title".
_LINK = (
    r"\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\(\s*<?(?P<url>(?:https?|steam)://(?:\([^()\s]*\)|[^()\s<>])+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
# Markdown as split_message's parts show it, left to right, what starts first holding what
# comes after it: an escape ("\\`" opens nothing; Discord escapes no letter, so
# "\\https://..." is a backslash and a link), a code block (``` anywhere in a line,
# `_BLOCK`), an inline code span (of at most `_markup`'s characters: a longer one is
# cut, and its backticks are what they are in each part), a masked link (its text may hold
# code: "[see `x`](...)"), the tokens `as_typed` keeps whole, and a run of backticks
# nothing closes. In a part of split_message, a ``` that only a ``` past what is read
# closes opens a code block longer than what is read, which holds all after it (and is read
# before a code span, as Discord reads a code block first: "```\ncall `f`" is no code span
# there); split_message closes that block at the end of the part. A ``` that nothing closes
# opens no code block on Discord: it is a run of backticks, its text after it read as any
# text. (`trim` reads it as "```", after a code span.) split_message cuts by it and closes
# the block a cut falls in, so the two read a ``` in a link's text or address, or a link in
# code, alike. (The lookahead names the characters they start with: the scan skips the
# rest as fast as it did before the code and link alternatives, twice as fast as without.)
#
# The code span is "`(?P<ticks>`*).{0,longest}?(?<!`)`(?P=ticks)(?!`)": its opening
# backticks as many as there are first, then fewer, each time closed by the first run of
# exactly as many backticks after them, at most `longest` characters on. As a pattern, a
# run of backticks nothing closes read on `longest` characters for each number of backticks
# it tried, at each backtick of the run (1.7 s for 100 KB of "`````x", in split_message).
# The pattern reads only a span closed by the next run of backticks ("(?P<tick>`+)" and
# what follows it, the most common span); `_markup_in` looks up any other where the span
# closes (`_Backticks`), and reads the runs nothing closes (the pattern's last alternatives
# were "(?P<fence>```)|``+" for `trim`, "``+" for split_message).
_MARKUP = (
    r"(?=[\\`\[<hs])(?:"
    rf"\\(?:{_URL}|.)|(?P<block>{_BLOCK})|%(open)s"
    r"(?P<tick>`+)(?:[^`]{1,%(longest)s}(?P=tick)(?!`))?"
    rf"|{_LINK}|{_AS_IS.pattern})"
)


@functools.lru_cache(maxsize=32)
def _markup(longest: int | None, fenced: bool = False) -> re.Pattern[str]:
    """`_MARKUP` for split_message's parts of `longest` characters, `fenced` if a ``` is
    past what is read (it closes a ``` nothing in what is read closes); None for a text cut
    once (`trim`), where a ``` no ``` closes stays as it is (`_markup_in` reads it)."""

    opened = "(?P<fence>```).*|" if fenced and longest is not None else "(?P<fence>(?!))|"
    return re.compile(
        _MARKUP % {"open": opened, "longest": "" if longest is None else longest}, re.DOTALL
    )


class _Backticks:
    """The runs of backticks of a text, each as long as it goes, by length: where the code
    span an opening run starts closes is a lookup (`closing`), not a read of the text for
    each opening. The runs of a length are found when first asked for, each once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: dict[int, list[int]] = {}  # length -> starts of the runs that long
        self.read: dict[int, int] = {}  # length -> how far the text is read for them

    def closing(self, after: int, length: int, endpos: int) -> int | None:
        """The start of the first run of exactly `length` backticks that starts after
        `after`, in the text as read up to `endpos` (which ends a run it cuts)."""

        found = self._first(after, length)
        if found is not None and found + length > endpos:
            found = None
        # the run `endpos` cuts, if that leaves it `length` long
        text, cut = self.text, endpos - length
        if (
            endpos < len(text)
            and text[endpos] == "`"
            and after < cut
            and text[cut - 1] != "`"
            and text.count("`", cut, endpos) == length
            and (found is None or cut < found)
        ):
            found = cut
        return found

    def _first(self, after: int, length: int) -> int | None:
        starts = self.starts.setdefault(length, [])
        index = bisect.bisect_right(starts, after)
        if index < len(starts):
            return starts[index]
        read = self.read.get(length, 0)
        if read >= len(self.text):
            return None
        for m in _run_of(length).finditer(self.text, read):
            starts.append(m.start())
            if m.start() > after:
                self.read[length] = m.end()
                return m.start()
        self.read[length] = len(self.text)
        return None


@functools.lru_cache(maxsize=64)
def _run_of(length: int) -> re.Pattern[str]:
    return re.compile(f"(?<!`)`{{{length}}}(?!`)")


@functools.lru_cache(maxsize=4)
def _backticks(text: str) -> _Backticks:
    return _Backticks(text)


class _Span:
    """A code span `_markup_in` found, or a run of backticks nothing closes (in `trim`, a
    ``` of it: a fence nothing closes), read as a match of `_MARKUP` is."""

    def __init__(self, text: str, start: int, end: int, *, fence: bool = False) -> None:
        self._text, self._start, self._end = text, start, end
        self._groups = {"block": None, "fence": text[start:end] if fence else None}

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def __getitem__(self, group: int | str) -> str | None:
        if group == 0:
            return self._text[self._start : self._end]
        return self._groups[str(group)]


def _markup_in(
    text: str, pos: int, endpos: int, longest: int | None, fenced: bool = False
) -> Iterator[re.Match[str] | _Span]:
    """The markup in text[pos:endpos] as `_MARKUP` reads it, left to right (finditer's
    matches), with its code spans of at most `longest` characters (None: any) and its runs
    of backticks nothing closes (for a text cut once, `trim`, `longest` None: a ``` of
    them is a fence nothing closes)."""

    pattern = _markup(longest, fenced)
    at = pos
    while (m := pattern.search(text, at, endpos)) is not None:
        if m["tick"] is None or m.end() > m.end("tick"):
            yield m  # (a code span the pattern found whole)
            at = m.end()
            continue
        start, run_end = m.span("tick")
        runs = _backticks(text)
        found = None
        for count in range(run_end - start, 0, -1):  # (as many backticks first)
            closing = runs.closing(start, count, endpos)
            if closing is not None and (longest is None or closing <= start + count + longest):
                found = _Span(text, start, closing + count)
                break
        if found is None and run_end - start >= 2:
            # a run nothing closes, whole (`trim`: a ``` of it is a fence nothing closes)
            fence = longest is None and run_end - start >= 3
            found = _Span(text, start, start + 3 if fence else run_end, fence=fence)
        if found is None:
            at = start + 1
            continue
        yield found
        at = found.end()


# A code block's opening: its ``` and any backticks after them, and its language with the
# line break that makes it one (a cut in it leaves other markup in each part: "``" and
# "`", or "```" and "py"); and its fence as split_message repeats it: "```py" is Python,
# "```js const x" is code that starts on the fence's line.
_FENCE_LINE = re.compile(r"`+(?:[A-Za-z0-9_+\-.#]+\n)?")
_LANGUAGE = re.compile(r"```(?:[A-Za-z0-9_+\-.#]+(?=\n))?")


def _joins_next(text: str, at: int) -> bool:
    """Whether text[at] and the character after it are in one grapheme cluster: a space
    and a combining mark or ZWJ after it, a prepended mark (U+0600 and the like) and what
    follows it. The cluster is read from `at`, which is enough where this is asked: after
    a space or a line break, and before a "\\" or "<" or a link's first letter, whose
    rules look no further back than the character before."""

    return _GRAPHEME.match(text, at).end() > at + 1


def _whole(text: str, m: re.Match[str], cut: int) -> tuple[int, int] | None:
    """What in `m` (a match of `_MARKUP`) a cut at `cut` falls inside and must not: all of
    it (an escape, a code span, a masked link, a token, a pair of backticks), or in a code
    block its opening, or its closing ``` with the last line before it (a part that began
    with the ``` would show an empty block; an empty block is whole). None if `cut` is not
    in any of those."""

    start, end = m.span()
    if m["block"] is None and m["fence"] is None:
        return (start, end) if start < cut < end else None
    opened, held = _held(text, m)
    if cut < opened:
        return start, opened
    if m["block"] is None:
        return None  # (a block split_message closes: what it holds is shown as typed)
    closing = (text.rfind("\n", opened, held) + 1 or opened) if held > opened else start
    return (closing, end) if closing < cut < end else None


def _held(text: str, block: re.Match[str]) -> tuple[int, int]:
    """Where what a code block holds starts (after its opening, `_FENCE_LINE`) and ends
    (before its closing ``` and the line breaks before that, if it is closed)."""

    last = block.end() if block["block"] else len(text)
    opened = min(_FENCE_LINE.match(text, block.start()).end(), last)  # type: ignore[union-attr]
    while opened < last and _joins_next(text, opened - 1):
        opened += 1  # (with a mark the last backtick carries)
    end = block.end() - (len(_FENCE) if block["block"] else 0)
    while end > opened and text[end - 1] == "\n":
        end -= 1
    return opened, max(opened, end)


def _unbroken(
    text: str,
    cut: int,
    *,
    through: bool = True,
    longest: int | None = None,
    first: int = 0,
    closer: int = 0,
) -> int:
    """`cut`, or the start of the escape, token or code it falls inside (`_whole`), moved
    back before a prepended mark it belongs with. If that is the start of the text, or of a
    part after its reopened fence line (`first`): `cut` (`through`: a token longer than a
    message is cut anyway), else `first`. Something longer than `longest` is what no part
    holds whole: it is cut at `cut` (the part is filled, not ended before it), but not
    inside what a masked link holds (its text's mentions, its address). `closer`: as for
    `_open_block`."""

    read_to = min(len(text), cut + _READ_AHEAD)
    read_from = 0
    while True:
        for m in _markup_in(text, read_from, read_to, longest, closer > read_to):
            if m.start() >= cut:
                return cut
            # (`trim` reads a ``` no ``` closes as "```" alone: the backticks and language
            # after it are kept with it too)
            if (m.end() > cut or m["fence"]) and (whole := _whole(text, m, cut)) is not None:
                break
        else:
            return cut
        start, end = whole
        too_long = longest is not None and end - start > longest
        if (
            m["block"] is not None
            and start > m.start()
            and (too_long or (through and start <= first) or longest is None)
        ):
            # A last line no part holds with its ```, or that begins a part and is cut
            # anyway (or any, in a text cut once, which is not reopened): its last
            # grapheme and the ``` are kept together.
            start = grapheme_cut(text, _held(text, m)[1] - 1)
            if cut <= start:
                return cut
        elif too_long:
            if m[0][0] != "[":
                return cut
            read_from = start + 1  # (what a link holds, read as if it were no link)
            continue
        while start > first and _joins_next(text, start - 1):
            start -= 1
        return start if start > first else (cut if through else first)


def _cut_point(text: str, limit: int, first: int, longest: int, closer: int) -> int:
    """Where to end a part of `text`, which starts with the `first` characters of a reopened
    fence line: at most `limit`, on a paragraph, line or word boundary in its second half,
    else on the last grapheme boundary; in either case not inside what `_whole` keeps of
    at most `longest` characters (`closer`: as for `_open_block`)."""

    window = text[:limit]
    floor = limit // 2
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        # (a space with a combining mark after it is one grapheme: not cut there)
        if at >= floor and not _joins_next(text, at + len(separator) - 1):
            # (a line break in a token that starts the text is no place to cut it)
            cut = _unbroken(
                text, at + len(separator), through=False, longest=longest, first=first,
                closer=closer,
            )  # fmt: skip
            if cut >= floor:
                return cut
    cut = _grapheme_cut(text, limit, first)
    return _unbroken(text, cut, longest=longest, first=first, closer=closer)


def _open_block(text: str, at: int, longest: int | None, closer: int = 0) -> tuple[int, str] | None:
    """Where the code block `at` falls in starts, and its fence (``` and language), read
    on past `at` as `_unbroken` reads; None if `at` is in none. `closer`: where the last
    ``` of the text that `text` begins ends (past `text` if the text goes on). With
    `longest` (a part of split_message), a ``` that nothing read closes holds all after it
    if that ``` is past what is read (split_message closes the block at the end of a part),
    and opens nothing if not, as on Discord; without, it holds all after it (`excerpt`)."""

    if text.find(_FENCE, 0, at) < 0:
        return None  # (most text: no need to read it for escapes and code spans)
    read_to = min(len(text), at + _READ_AHEAD)
    for m in _markup_in(text, 0, read_to, longest, closer > read_to):
        if m.start() >= at:
            break
        if m["fence"] is not None or (m["block"] is not None and m.end() > at):
            return m.start(), _LANGUAGE.match(text, m.start())[0]  # type: ignore[index]
    return None


_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n)+")


def split_message(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Split text into messages of at most `limit` characters on safe boundaries.

    A code block that spans a cut is closed at the end of one part and reopened (with its
    language) at the start of the next.
    """

    if limit < 20:
        raise ValueError("limit too small to split safely")
    parts: list[str] = []
    reopen = ""  # the opening line of the code block the last part closed
    rest = text
    blank_end = len(text) - len(text.rstrip())  # whitespace the text ends with
    # Where the text's last ``` ends: a ``` nothing closes in what a part reads is open
    # only if that is past it (a block longer than what is read), and else opens nothing.
    last_fence = text.rfind(_FENCE)
    closer = last_fence + len(_FENCE) if last_fence >= 0 else 0
    while rest:
        if len(reopen) + len(rest) <= limit:
            parts.append(reopen + rest)
            break
        if len(reopen) + len(rest) - blank_end <= limit:
            # All but the whitespace at the end (which Discord does not show) fits: the
            # last part. Cut before that whitespace instead, a fence just before it went to
            # a next part that never came ("See below:\n```py\n  " lost its "```py").
            parts.append(reopen + rest[: len(rest) - blank_end])
            break
        # Cut `rest` itself, after the reopened fence (read with it: it opens the block
        # `rest` starts in), keeping room to close a code block only if the part leaves
        # one open (always kept, it cut a mention or grapheme that fills a part in two at
        # the start of one). Either way each part takes some of `rest`, however long the
        # fence line or the first grapheme.
        window = reopen + rest[: limit + _READ_AHEAD]  # (all `_unbroken` reads)
        ends = closer - (len(text) - len(rest)) + len(reopen)  # (`closer` in the window)
        cut = _cut_point(window, limit, len(reopen), limit, ends)
        chunk, next_reopen = _closed(window, cut, limit, ends)
        if len(chunk) > limit:
            cut = _cut_point(window, limit - len(_FENCE) - 1, len(reopen), limit, ends)
            chunk, next_reopen = _closed(window, cut, limit, ends)
        rest, reopen = rest[cut - len(reopen) :], next_reopen
        if not reopen and (blank := _BLANK_LINES.match(rest)):
            # The line breaks at a cut (after a closing fence, say) would begin the next
            # part with blank lines. Not in a reopened block, whose code is kept as it is.
            rest = rest[blank.end() :]
        if chunk.strip():
            parts.append(chunk)
        if not rest.strip():
            break
    return [p for p in parts if p.strip()] or [""]


def _closed(text: str, cut: int, limit: int, closer: int) -> tuple[str, str]:
    """One part of `split_message`, `text` up to `cut`, with the code block the cut falls
    in closed, and the fence line that reopens that block at the start of the next part
    ("" if none). `closer`: as for `_open_block`."""

    chunk = text[:cut]
    block = _open_block(text, cut, limit, closer)
    reopen = ""
    if block is not None:
        start, fence = block
        # a fence too long to repeat (a "language" of 500 characters) is reopened bare
        reopen = (fence if len(fence) <= limit // 4 else _FENCE) + "\n"
        if not chunk[start + len(fence) :].strip() and reopen == fence + "\n":
            # nothing in the block yet: its fence opens the next part instead of an
            # empty block closing this one
            chunk = chunk[:start]
        else:
            chunk = chunk.rstrip("\n") + "\n" + _FENCE
    return chunk.rstrip("\n"), reopen


def trim(text: str, limit: int = MAX_CONTENT, marker: str = "…") -> str:
    """One message, embed title or description: cut on a grapheme boundary and mark the
    cut, like `bot.text.truncate`, but never inside a backslash escape (a lone trailing
    backslash would escape the marker and show itself) nor inside a mention, emoji,
    timestamp, link, masked link, code span or run of backticks (which would show as
    text): the cut moves back to its start (`_unbroken`)."""

    if len(text) <= limit:
        return text
    cut = _unbroken(text, _grapheme_cut(text, max(1, limit - len(marker))))
    kept = text[:cut].rstrip()
    # stripping spaces may leave an escape of a space behind without its space
    while (safe := _unbroken(text, len(kept))) < len(kept):
        kept = text[:safe].rstrip()
    return kept + marker


def excerpt(text: str, limit: int) -> str:
    """A member's text cut to `limit` to sit among other lines: a code block the cut (or the
    member) left open is closed, or it would swallow every line after it."""

    cut = trim(text, limit - len(_FENCE) - 1)
    kept = len(text) if cut == text else len(cut) - len("…")
    return f"{cut}\n{_FENCE}" if _open_block(text, kept, None) is not None else cut


# Code as `unmasked` reads it: an escape ("\\`" opens nothing), a code block and an inline
# code span; what they hold is shown as typed.
_CODE = rf"\\.|{_BLOCK}|(`+).*?(?<!`)\1(?!`)"
# Masked links (`_LINK`) read left to right with what hides one: an escape ("\\[" is no
# link, "\\\\[" is) and code (a link in a code block or span is shown as typed). A fence left
# open is no code block on Discord, so the links after it are links.
_MASKED_OR_NOT = re.compile(rf"{_CODE}|{_LINK}", re.DOTALL)


def unmasked(text: str) -> str:
    """A member's markdown with each masked link shown as its text and then its address
    (`<address>`, which ends exactly there), so a link in the bot's card cannot pass for
    another; the rest of the markdown, and links inside code, are left as they are. Never
    longer than `text`."""

    def shown(m: re.Match[str]) -> str:
        if m["url"] is None:
            return m[0]
        words = m["text"].strip()
        return f"{words} <{m['url']}>" if words else f"<{m['url']}>"

    # a link's text may hold another ("[[a](x)](y)"): again until none is left
    while (out := _MASKED_OR_NOT.sub(shown, text)) != text:
        text = out
    return out


# What Discord shows other than as typed, outside code (`_CODE`, which comes first: a mention
# in code is shown as typed): mentions of members, roles and channels (the ids and forms
# discord.py's clean_content reads), custom emoji, timestamps (`<t:seconds:style>`), slash
# command mentions (`</name sub:id>`), and @everyone / @here.
_NAMED = re.compile(
    rf"{_CODE}|<(?P<kind>@[!&]?|#)(?P<id>[0-9]{{15,20}})>"
    r"|<a?:(?P<emoji>[A-Za-z0-9_]+):[0-9]{13,20}>"
    r"|<t:(?P<time>-?[0-9]{1,14})(?::(?P<style>[tTdDfFR]))?>"
    r"|</(?P<command>[^\s:<>/]{1,32}(?: [^\s:<>/]{1,32}){0,2}):[0-9]{15,20}>"
    r"|@(?P<everyone>everyone|here)",
    re.DOTALL,
)
# A timestamp as every reader sees the same one, in UTC (Discord shows each reader their own
# time zone and language; "R", "in 2 hours", would be wrong by the time it is read).
_TIME_STYLES = {
    "t": "%H:%M UTC",
    "T": "%H:%M:%S UTC",
    "d": "%Y-%m-%d",
    "D": "%Y-%m-%d",
}
_DATE_TIME = "%Y-%m-%d %H:%M UTC"


def mentioned(text: str) -> tuple[set[int], set[int], set[int]]:
    """The ids of the members, roles and channels `text` mentions (as `with_names` reads)."""

    found: dict[str, set[int]] = {"@": set(), "@!": set(), "@&": set(), "#": set()}
    for m in _NAMED.finditer(text):
        if m["kind"]:
            found[m["kind"]].add(int(m["id"]))
    return found["@"] | found["@!"], found["@&"], found["#"]


def with_names(
    text: str,
    users: Mapping[int, str],
    roles: Mapping[int, str],
    channels: Mapping[int, str],
    *,
    unable_to_ping: bool = True,
) -> str:
    """A member's Discord text as Discord shows it, for text read on every platform (an
    article, a stored question or answer): mentions as "@name", "@role" and "#channel"
    (names by id; one not given as discord.py's clean_content names it, "@deleted-user" and
    the like), custom emoji as ":name:", a timestamp as its UTC date and time, a slash
    command mention as "/name", and (`unable_to_ping`) @everyone and @here unable to ping
    (as clean_content does, with a zero-width space). Code is left as typed, as Discord
    shows it."""

    def named(m: re.Match[str]) -> str:
        if m["kind"] in ("@", "@!"):
            return "@" + users.get(int(m["id"]), "deleted-user")
        if m["kind"] == "@&":
            return "@" + roles.get(int(m["id"]), "deleted-role")
        if m["kind"] == "#":
            return "#" + channels.get(int(m["id"]), "deleted-channel")
        if m["emoji"]:
            return f":{m['emoji']}:"
        if m["time"]:
            return _timestamp(int(m["time"]), m["style"]) or m[0]
        if m["command"]:
            return "/" + m["command"]
        if m["everyone"] and unable_to_ping:
            return "@\u200b" + m["everyone"]
        return m[0]

    return _NAMED.sub(named, text)


def _timestamp(seconds: int, style: str | None) -> str | None:
    """`<t:seconds:style>` as a UTC date and time; None for one no calendar holds."""

    try:
        when = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return when.strftime(_TIME_STYLES.get(style or "", _DATE_TIME))


def ask_starter(texts: Texts, asker_id: int | str, text: str, *, anonymous: bool) -> str:
    """The bot's post of an /ask question: who asked it (the asker mentioned, or
    `question.anonymous_author`), then `text`, the question as the member wrote it. (Before
    it is split into messages.)"""

    member = texts.t("question.anonymous_author") if anonymous else f"<@{asker_id}>"
    return texts.t("discord.ask_starter", member=member, text=text)


def join_lines(lines: Sequence[str]) -> str:
    return "\n".join(lines)


# -- components ------------------------------------------------------------------------------


def _static_view(items: Sequence[discord.ui.Item[discord.ui.View]]) -> discord.ui.View:
    """A view that is only a layout: custom ids are handled by one listener (they survive
    restarts), so the view is stopped and discord.py does not keep it in memory."""

    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


def suggestion_buttons(texts: Texts, question_id: int) -> discord.ui.View:
    return _static_view(
        [
            discord.ui.Button(
                style=discord.ButtonStyle.success,
                label=texts.t("discord.button_solved"),
                custom_id=translate.custom_id("sugg-yes", question_id),
            ),
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                label=texts.t("discord.button_not_helpful"),
                custom_id=translate.custom_id("sugg-no", question_id),
            ),
        ]
    )


# Buttons the core may ask for on its own messages (`ThreadPost.actions`, `ChannelPost.actions`);
# others are not shown on Discord (they stay usable as slash commands). Each maps to a custom
# id action and the catalog key of its label; the argument is the question id (thread posts)
# or the post's `reference_id` (a report id for the report buttons).
SOLVE_ACTION = "mark_solved"
ACTIONS: dict[str, tuple[str, str, discord.ButtonStyle]] = {
    SOLVE_ACTION: ("solve", "discord.button_mark_solved", discord.ButtonStyle.success),
    "not_duplicate": ("notdup", "discord.button_not_duplicate", discord.ButtonStyle.secondary),
    "report_dismiss": ("report:dismiss", "discord.button_report_dismiss", discord.ButtonStyle.secondary),
    "report_delete": ("report:delete", "discord.button_report_delete", discord.ButtonStyle.danger),
    "report_warn": ("report:warn", "discord.button_report_warn", discord.ButtonStyle.primary),
}  # fmt: skip


def action_buttons(
    texts: Texts,
    actions: Sequence[str],
    question_id: int | None = None,
    reference: str | None = None,
) -> discord.ui.View | None:
    items: list[discord.ui.Item[discord.ui.View]] = []
    for action in actions:
        known = ACTIONS.get(action)
        if known is None:
            continue
        name, label, style = known
        argument = reference if action.startswith("report_") else question_id
        items.append(
            discord.ui.Button(
                style=style,
                label=texts.t(label),
                custom_id=translate.custom_id(name, argument or 0),
            )
        )
    return _static_view(items) if items else None


def accept_offer(texts: Texts, message_id: str) -> discord.ui.View:
    """ "Mark as solution" under the quiet offer after the asker thanked someone."""

    return _static_view(
        [
            discord.ui.Button(
                style=discord.ButtonStyle.success,
                label=texts.t("discord.button_accept_offer"),
                custom_id=translate.custom_id("accept", message_id),
            )
        ]
    )


REPORT_REASON = "reason"


def report_modal(texts: Texts, custom_id: str) -> discord.ui.Modal:
    """The reason form of "Report to moderators"; answered by a custom-id listener (no
    in-memory modal, so a restart between opening and sending it loses nothing)."""

    modal = discord.ui.Modal(
        title=truncate(texts.t("discord.report_modal_title"), 45),
        custom_id=custom_id,
        timeout=None,
    )
    modal.add_item(
        discord.ui.TextInput(
            label=truncate(texts.t("discord.report_modal_reason"), 45),
            placeholder=truncate(texts.t("discord.report_modal_placeholder"), 100),
            style=discord.TextStyle.paragraph,
            custom_id=REPORT_REASON,
            min_length=3,
            max_length=500,
        )
    )
    modal.stop()
    return modal


def helper_picker(texts: Texts, result: HelperChoiceNeeded, thread_id: int) -> discord.ui.View:
    options = [
        discord.SelectOption(label=truncate(m.display_name or m.ref.id, MAX_LABEL), value=m.ref.id)
        for m in result.candidates[:MAX_SELECT_OPTIONS]
    ]
    select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
        custom_id=translate.custom_id("pick", thread_id),
        placeholder=texts.t("discord.choose_helper_placeholder"),
        min_values=1,
        max_values=1,
        options=options,
    )
    return _static_view([select])


# -- messages --------------------------------------------------------------------------------


@dataclass
class Reply:
    """One message to send: content and optional embeds / components."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None


# Discord shows backslash escapes inside a masked link's text literally (escaping is off
# there on purpose: discord/discord-api-docs#6185), and a lone "[" or "]" in the text ends
# or unbalances the link. So brackets in the text become parentheses, which the text can
# hold; the address gets its parentheses, spaces and angle brackets percent-encoded.
_LINK_TEXT = str.maketrans({"[": "(", "]": ")"})
_LINK_URL = str.maketrans({"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E"})
# But it still styles the text (bold, italics, underline, strikethrough, spoiler, code) and
# shows mentions, emoji and timestamps there, with no way to escape them. Underscores style
# only in pairs that end a word ("_it_ ", "__u__"); "my_data_file" and "~/.bashrc" do not.
_STYLES_IN_LINK = re.compile(r"[*`]|~~|\|\||__|_[^_]+_(?![0-9A-Za-z])|<(?:@|#|a?:\w+:|t:|/)")


def masked_link(text: str, url: str) -> str:
    """`[text](url)` that renders as one link whatever brackets `text` or `url` hold. Text
    Discord would style there is shown as typed instead, followed by the bare address."""

    address = url.translate(_LINK_URL)
    if _STYLES_IN_LINK.search(text):
        return f"{as_typed(text)} {address}"
    return f"[{text.translate(_LINK_TEXT)}]({address})"


def _suggestion_line(present: Presenter, s: Suggestion) -> str:
    if s.url:
        # A link's text cannot hold escapes: the line with the title as it is.
        return masked_link(Presenter(present.catalog, present.locale).suggestion(s), s.url)
    # Without an address the title is plain text, so a title that is itself "[x](url)" must
    # not become a link the bot appears to vouch for.
    return present.suggestion(s)


def how_to_mark(texts: Texts, q: Question) -> str:
    """The line the bot's first message in a question thread ends with: who can mark the
    answer, and how."""

    present = presenter(texts)
    asker = present.t("question.anonymous_asker") if q.anonymous else mention(q.asker)
    # (a ✅ shows everyone who reacted: not offered to an anonymous asker)
    ways = Shown(
        texts.t("question.ways_discord_anonymous" if q.anonymous else "question.ways_discord")
    )
    return present.t("question.how_to_accept", asker=asker, ways=ways)


def opened(texts: Texts, result: QuestionOpened) -> Reply:
    """The bot's first message in a question thread: suggestions and how to mark an answer."""

    present = presenter(texts)
    q = result.question
    how = how_to_mark(texts, q)
    if not result.suggestions:
        return Reply(content=trim(join_lines([present.t("question.no_suggestions"), how])))
    lines = [f"• {_suggestion_line(present, s)}" for s in result.suggestions]
    embed = discord.Embed(
        title=trim(present.t("question.suggestions_header"), MAX_EMBED_TITLE),
        description=trim(join_lines(lines), MAX_EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    return Reply(content=trim(how), embeds=[embed], view=suggestion_buttons(texts, q.id))


def accepted_private(texts: Texts, result: AnswerAccepted) -> str:
    return trim(join_lines(presenter(texts).accepted(result)))


def reputation(texts: Texts, result: ReputationShown) -> Reply:
    lines = presenter(texts).reputation(result)
    embed = discord.Embed(
        title=texts.t("discord.rep_title"),
        description=trim(join_lines(lines), MAX_EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    return Reply(embeds=[embed])


def leaderboard(texts: Texts, result: LeaderboardShown) -> Reply:
    header, *lines = presenter(texts).leaderboard(result)
    embed = discord.Embed(
        title=trim(header, MAX_EMBED_TITLE),
        description=trim(join_lines(lines), MAX_EMBED_DESCRIPTION) or None,
        colour=COLOUR,
    )
    return Reply(embeds=[embed])


def kb_found(texts: Texts, result: KnowledgeFound, links: dict[str, str] | None = None) -> Reply:
    """`/kb search`: one line per result; solved questions link to their thread (`links`,
    by result id), articles show the id `/kb show` takes. Empty: the core's "nothing good"."""

    present = presenter(texts)
    if not result.results:
        return Reply(content=trim(present.t("kb.nothing_found", query=result.query)))
    lines = []
    for s in result.results:
        url = (links or {}).get(s.id) or s.url
        title = masked_link(s.title, url) if url else as_typed(s.title)
        lines.append(
            "• "
            + present.t(
                # the id sits in a code span, where an escape would show
                "discord.kb_result_line", title=Shown(title), kind=present.kind(s.kind),
                score=round(s.score * 100), id=Shown(s.id),
            )
        )  # fmt: skip
    embed = discord.Embed(
        title=trim(present.t("kb.results_header", query=result.query), MAX_EMBED_TITLE),
        description=trim(join_lines(lines), MAX_EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    return Reply(embeds=[embed])


def kb_article(texts: Texts, result: ArticleShown) -> Reply:
    """`/kb show a:<id>`: the article as an embed (long bodies trimmed to Discord's limit)."""

    header, *lines = KnowledgePresenter(presenter(texts)).article(result)
    marker = texts.t("discord.message_trimmed")
    embed = discord.Embed(
        title=trim(header, MAX_EMBED_TITLE),
        description=trim(join_lines(lines), MAX_EMBED_DESCRIPTION, marker) or None,
        colour=COLOUR,
    )
    return Reply(embeds=[embed])


def kb_changed(texts: Texts, result: ArticleChanged) -> str:
    return trim(KnowledgePresenter(presenter(texts)).changed(result))


KB_FORM_ID = "id"
KB_FORM_TITLE = "title"
KB_FORM_BODY = "body"
KB_FORM_TAGS = "tags"
KB_FORM_REASON = "reason"
MAX_TEXT_INPUT = 4000
MAX_REASON = 500  # `/kb edit`'s reason option, and what the core keeps of a reason


def kb_form(
    texts: Texts,
    custom_id: str,
    *,
    article_id: str | None = None,
    title: str = "",
    body: str = "",
    tags: str = "",
    reason: str = "",
) -> discord.ui.Modal:
    """The article form of `/kb add` (no `article_id`) and `/kb edit`. Answered by a custom-id
    listener, like the report form. A body too long for a text input (4,000) is left out of
    an edit form: an empty body there keeps the article's text. The edit form has the
    reason for the change too (the one given with `/kb edit`, if any), as the command does."""

    # What a slash option carried over (half an emoji, a NUL) would make Discord refuse the
    # form; the core stores such text with U+FFFD in their place anyway.
    title, body, tags, reason = scrub(title), scrub(body), scrub(tags), scrub(reason)
    editing = article_id is not None
    modal = discord.ui.Modal(
        title=truncate(texts.t("discord.kb_form_edit" if editing else "discord.kb_form_add"), 45),
        custom_id=custom_id,
        timeout=None,
    )
    if editing:
        modal.add_item(
            discord.ui.TextInput(
                label=truncate(texts.t("discord.kb_form_id"), 45), custom_id=KB_FORM_ID,
                default=article_id, max_length=100,
            )
        )  # fmt: skip
    modal.add_item(
        discord.ui.TextInput(
            label=truncate(texts.t("discord.kb_form_title"), 45), custom_id=KB_FORM_TITLE,
            default=truncate(title, MAX_TITLE_CHARS) or None, max_length=MAX_TITLE_CHARS,
            required=not editing,
        )
    )  # fmt: skip
    fits = len(body) <= MAX_TEXT_INPUT
    modal.add_item(
        discord.ui.TextInput(
            label=truncate(texts.t("discord.kb_form_body"), 45), custom_id=KB_FORM_BODY,
            style=discord.TextStyle.paragraph, default=(body if fits else None) or None,
            placeholder=truncate(
                texts.t("discord.kb_form_body_keep" if editing else "discord.kb_form_body_hint"),
                100,
            ),
            max_length=MAX_TEXT_INPUT, required=False,
        )
    )  # fmt: skip
    modal.add_item(
        discord.ui.TextInput(
            label=truncate(texts.t("discord.kb_form_tags"), 45), custom_id=KB_FORM_TAGS,
            default=tags or None, max_length=1000, required=False,
        )
    )  # fmt: skip
    if editing:
        modal.add_item(
            discord.ui.TextInput(
                label=truncate(texts.t("discord.kb_form_reason"), 45), custom_id=KB_FORM_REASON,
                default=truncate(reason, MAX_REASON) or None, max_length=MAX_REASON,
                required=False,
            )
        )  # fmt: skip
    modal.stop()
    return modal


def question_card(texts: Texts, result: QuestionShown, guild_id: int | None) -> Reply:
    present = presenter(texts)
    q = result.question
    status = present.t(f"question.status_{q.status.value}")
    accepted = {a.answer.id for a in result.accepted}
    # The body and answers are shown with their markdown (code stays code), but not their
    # masked links: in the bot's card a link's text must not hide where it goes. Unmasked
    # after the cut (never longer), which may have left a code span open.
    body = unmasked(excerpt(q.body, 1500))
    lines = [present.t("discord.kb_asked_by", member=present.asker(q)), "", body]
    if result.answers:
        lines += ["", texts.t("discord.kb_answers_header")]
        for answer in result.answers:
            mark = "✅ " if answer.id in accepted else ""
            name = as_typed(mention(answer.author))
            lines.append(f"{mark}{name}: {unmasked(excerpt(answer.excerpt, 300))}")
    if q.thread_id and guild_id:
        thread = jump_url(guild_id, q.thread_id)
        lines += ["", texts.t("discord.kb_open_thread", thread=thread)]
    embed = discord.Embed(
        title=trim(
            present.t("discord.kb_question", id=q.id, title=q.title, status=status),
            MAX_EMBED_TITLE,
        ),
        description=trim(join_lines(lines), MAX_EMBED_DESCRIPTION),
        colour=SOLVED_COLOUR if q.status.value == "solved" else COLOUR,
    )
    return Reply(embeds=[embed])


def choice_name(s: Suggestion) -> str:
    return truncate(s.title, MAX_LABEL) or s.id
