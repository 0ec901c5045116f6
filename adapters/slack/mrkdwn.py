"""Slack's mrkdwn and the knowledge base's Markdown, each way.

Articles are stored in one form for every platform: Markdown, as Discord shows them, as
`kb export` writes them and as the core writes a promoted article's labels (`**name:**`).
A Slack member writes mrkdwn, where `*bold*` is bold, `_italic_` italic, `~strike~` struck
out and `:tada:` an emoji; in Markdown `*bold*` is italic and `:tada:` is text. So Slack
text that becomes article text (`/kb promote`'s answers, `/kb add` and `/kb edit`) goes
through `to_markdown`, and an article shown in Slack through `from_markdown`.

Both leave code (```blocks``` and `spans`) and links as they are: there a `*` or `_` is
code or part of an address. `to_markdown` also keeps a lone `*` or `_` a character
(`2*3*4`, `__init__`), escaped as Markdown wants (`2\\*3\\*4`); an underscore inside a word
(`snake_case_name`) is no emphasis in either, and stays as it is.

Pure functions over text: `to_markdown` takes Slack's raw message text (control sequences
`<...>` and entities still in it, made plain afterwards by `translate.plain_text`);
`from_markdown` takes an article's text and returns mrkdwn, escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import emoji

# A stand-in for a piece of text kept out of the rewriting (code, a link, an emoji code a
# workspace made up), and the marks of the emphasis found: characters of Unicode's
# supplementary private use area, which neither mrkdwn nor Markdown gives a meaning. Text
# that holds such characters already is given back as it came (see `_Kept`).
_KEPT_BASE = 0xF0000
_MARK_BASE = 0xFFF00
_PRIVATE = re.compile("[\U000f0000-\U000fffff]")
BOLD, ITALIC, STRIKE = chr(_MARK_BASE), chr(_MARK_BASE + 1), chr(_MARK_BASE + 2)

_FENCED = r"```.*?```"
_SPAN = r"`[^`\n]+`"
_URL = r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>`]+"
# Slack's control sequences (a mention, a channel, a link): what is made plain later.
_SLACK_KEPT = re.compile(rf"{_FENCED}|{_SPAN}|<[^<>]*>|{_URL}", re.DOTALL)

# Around an emphasis: no letter or digit outside either mark (a `_` inside a word, or the
# `*` of `2*3*4`, emphasises nothing), no space just inside, one line.
_ALNUM = r"[^\W_]"


def _slack_emphasis(mark: str) -> re.Pattern[str]:
    m = re.escape(mark)
    return re.compile(
        rf"(?<!{_ALNUM})(?<!{m}){m}([^\s{m}](?:[^\n]*?[^\s{m}])?){m}(?!{_ALNUM})(?!{m})"
    )


_SLACK_EMPHASIS = [(_slack_emphasis("*"), BOLD), (_slack_emphasis("_"), ITALIC),
                   (_slack_emphasis("~"), STRIKE)]  # fmt: skip
# A `_` that is not inside a word, and every `*`, that no emphasis took.
_STRAY = re.compile(rf"\*|(?<!{_ALNUM})_|_(?!{_ALNUM})")
_MARKDOWN_OF = {BOLD: "**", ITALIC: "_", STRIKE: "~~"}

# `:name:`, tried at every colon (a code that is not one may end where another starts).
_EMOJI_CODE = re.compile(r":(?=([a-z0-9_+-]+):)")
_SKIN_TONE = re.compile(r"skin-tone-([2-6])")
_FLAG = re.compile(r"flag-([a-z]{2})")
_VARIATION = "\ufe0f"


class _Kept:
    """Pieces of a text put aside behind stand-ins, and put back."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def __call__(self, piece: str) -> str:
        self.pieces.append(piece)
        return chr(_KEPT_BASE + len(self.pieces) - 1)

    def keep(self, pattern: re.Pattern[str], text: str, as_: Callable[[str], str] = str) -> str:
        return pattern.sub(lambda m: self(as_(m.group())), text)

    def restore(self, text: str) -> str:
        return _PRIVATE.sub(lambda m: self._piece(m.group()), text)

    def _piece(self, char: str) -> str:
        n = ord(char) - _KEPT_BASE
        # (a piece may hold pieces kept before it: a link's label its code)
        return self.restore(self.pieces[n]) if 0 <= n < len(self.pieces) else char


def to_markdown(text: str) -> str:
    """Slack message text as the knowledge base's Markdown: `*bold*` -> `**bold**`,
    `_italic_` stays, `~strike~` -> `~~strike~~`, `:tada:` -> 🎉 (a workspace's own emoji
    stays `:name:`), and any other `*` or `_` that Markdown would read as emphasis escaped.
    Code, links and Slack's control sequences are left as they are."""

    if _PRIVATE.search(text):
        return text  # (no member types these; nothing could be put back safely)
    kept = _Kept()
    out = kept.keep(_SLACK_KEPT, text)
    out = _emojis(out, kept)
    for pattern, mark in _SLACK_EMPHASIS:
        out = pattern.sub(lambda m, mark=mark: f"{mark}{m.group(1)}{mark}", out)
    out = _STRAY.sub(lambda m: "\\" + m.group(), out)
    for mark, markdown in _MARKDOWN_OF.items():
        out = out.replace(mark, markdown)
    return kept.restore(out)


def _emojis(text: str, kept: _Kept) -> str:
    """Slack's emoji codes as the emoji, a skin tone after one (`:+1::skin-tone-3:`) with
    it. Only a code that stands apart counts: not inside a word (`a:b:c`, `10:100:1`) nor
    after a colon other than another code's (`std::one::x`), where it is likelier text
    than an emoji. One no emoji has (a workspace's own, `:party_parrot:`) is kept as typed."""

    out: list[str] = []
    at = 0  # how far `text` is copied to `out`
    code_end = -1  # where the last code ended
    for found in _EMOJI_CODE.finditer(text):
        start, name = found.start(), found.group(1)
        end = start + len(name) + 2
        if start < at or not _code_can_start(text, start, code_end):
            continue
        if end < len(text) and re.match(_ALNUM, text[end]):
            continue
        shown = emoji_of(name)
        tone = _SKIN_TONE.match(text, end + 1) if text.startswith(":skin-tone-", end) else None
        if shown is not None and tone is not None and text.startswith(":", tone.end()):
            shown, end = with_skin_tone(shown, int(tone.group(1))), tone.end() + 1
        out += [text[at:start], shown if shown is not None else kept(text[start:end])]
        at = code_end = end
    out.append(text[at:])
    return "".join(out)


def _code_can_start(text: str, start: int, code_end: int) -> bool:
    if start == 0 or start == code_end:
        return True
    before = text[start - 1]
    return before != ":" and not re.match(_ALNUM, before)


def emoji_of(name: str) -> str | None:
    """The emoji Slack shows for `:name:`, or None for a name no emoji has (a workspace's
    own). Slack's names are mostly the `emoji` package's aliases; Slack writes a few with
    `-` where those have `_` (`man-facepalming`), flags as `flag-<country code>`."""

    tone = _SKIN_TONE.fullmatch(name)
    if tone:
        return _tone(int(tone.group(1)))
    flag = _FLAG.fullmatch(name)
    if flag:
        pair = "".join(chr(0x1F1E6 + ord(c) - ord("a")) for c in flag.group(1))
        return pair if emoji.is_emoji(pair) else None
    for alias in dict.fromkeys((name, name.replace("-", "_"))):
        shown = emoji.emojize(f":{alias}:", language="alias")
        if emoji.is_emoji(shown):
            return shown
    return None


def _tone(n: int) -> str:
    """Slack's `skin-tone-2` to `-6`: the five Fitzpatrick modifiers, lightest first."""

    return chr(0x1F3FB + n - 2)


def with_skin_tone(shown: str, n: int) -> str:
    """An emoji with a skin tone: after its first character (and before a man or woman
    joined to it), without the variation selector the plain one may have."""

    first, rest = shown[0], shown[1:].removeprefix(_VARIATION)
    toned = first + _tone(n) + rest
    return toned if emoji.is_emoji(toned) else shown + _tone(n)


# -- Markdown -> mrkdwn --------------------------------------------------------------------

_MD_FENCED = re.compile(r"```.*?```", re.DOTALL)
_MD_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_LINK = re.compile(r"!?\[([^\]\n]+)\]\(\s*<?([^\s()<>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s<>]+)>")
_MD_URL = re.compile(_URL)
_MD_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_MD_BULLET = re.compile(r"^([ \t]*)[*+-][ \t]+", re.MULTILINE)
_MD_EMPHASIS = [
    (re.compile(r"\*\*(?=\S)([^\n]+?)(?<=\S)\*\*"), BOLD),
    (re.compile(r"(?<!\w)__(?=\S)([^\n]+?)(?<=\S)__(?!\w)"), BOLD),
    (re.compile(r"~~(?=\S)([^\n]+?)(?<=\S)~~"), STRIKE),
    # (a Markdown `*` may emphasise inside a word; Slack cannot, so `2*3*4` stays)
    (re.compile(r"(?<!\w)\*(?=[^\s*])([^\n]*?[^\s*])\*(?!\w)"), ITALIC),
    (re.compile(r"(?<!\w)_(?=[^\s_])([^\n]*?[^\s_])_(?!\w)"), ITALIC),
]
_MRKDWN_OF = {BOLD: "*", ITALIC: "_", STRIKE: "~"}


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def from_markdown(text: str) -> str:
    """An article's Markdown as mrkdwn, escaped (`&`, `<`, `>`): `**bold**` -> `*bold*`,
    `*italic*` -> `_italic_`, `~~strike~~` -> `~strike~`, `[label](url)` -> a Slack link,
    a heading as a bold line, a `*`/`-`/`+` list item as `•`, and a backslash escape as its
    character (mrkdwn has none). Code is only escaped."""

    if _PRIVATE.search(text):
        return _escape(text)
    kept = _Kept()
    out = kept.keep(_MD_FENCED, text, _escape)
    out = kept.keep(_MD_SPAN, out, _escape)
    out = kept.keep(_MD_ESCAPED, out, lambda e: _escape(e[1:]))
    out = _MD_LINK.sub(lambda m: kept(_slack_link(m.group(2), m.group(1))), out)
    out = kept.keep(_MD_AUTOLINK, out, lambda a: f"<{_escape(a[1:-1])}>")
    out = kept.keep(_MD_URL, out, _escape)
    out = _MD_HEADING.sub(lambda m: f"{BOLD}{m.group(1)}{BOLD}", out)
    out = _MD_BULLET.sub(lambda m: f"{m.group(1)}• ", out)
    for pattern, mark in _MD_EMPHASIS:
        out = pattern.sub(lambda m, mark=mark: f"{mark}{m.group(1)}{mark}", out)
    out = _escape(out)
    for mark, mrkdwn in _MRKDWN_OF.items():
        out = out.replace(mark, mrkdwn)
    return kept.restore(out)


def _slack_link(url: str, label: str) -> str:
    # (Slack ends a link's label at `|` or `>`, and has no way to escape either)
    label = label.replace("|", "/")
    return f"<{_escape(url)}|{_escape(label)}>" if label != url else f"<{_escape(url)}>"
