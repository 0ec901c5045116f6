"""Slack's presenter: the core's message catalog (the `[slack]` section of bot/locales) with
members shown as Slack mentions."""

from __future__ import annotations

import re

from adapters.slack.translate import names_itself, parse_user
from bot.errors import DomainError, UnknownMember
from bot.i18n import Catalog
from bot.model import Member
from bot.presenters import NameFn, Presenter
from bot.text import isolate_direction

# Slack-only words, not in the shared catalog (bot/locales): the same in every locale.
# What a member sees when Slack sent the bot a request of theirs it cannot read
# (`unreadable.py`), or a button whose value names nothing: plain words, fit for mrkdwn and
# for a form's plain-text error alike.
UNREADABLE = "That request could not be read. Try again; if it keeps happening, tell a moderator."


def mention(member: Member) -> str:
    """Slack members as mentions (Slack renders the current name); others by name."""

    return f"<@{member.ref.id}>" if member.ref.platform == "slack" else member.display_name


class Mrkdwn(str):
    """Text that is Slack markup already (what `SlackPresenter.t` returns): put into another
    text as it is, where members' words are escaped (see `moderation.MemberWordsEscaped`)."""


class SlackPresenter(Presenter):
    """The core's presenter with members (and unknown members) shown as Slack mentions
    (`name` may show them otherwise: see `moderation.mod_present`)."""

    def __init__(self, catalog: Catalog, locale: str = "en", name: NameFn = mention) -> None:
        super().__init__(catalog, locale, name=name)

    def t(self, key: str, **params: object) -> str:
        """A catalog text as mrkdwn: its own words escaped (`<your question>` is words, and
        `<#N, ...>` would look like a channel), its control sequences (`<@{user}>`,
        `<#{channel}>`, `<{link}|...>`) kept. Parameters go in as given: callers escape
        members' words themselves."""

        # Parameters stand in as `\x00N\x00` tokens while the template's words are escaped,
        # so they miss the catalog's direction isolation and get it here.
        values = [isolate_direction(v) if isinstance(v, str) else v for v in params.values()]
        stand_ins = {
            k: f"\x00{i}\x00" if isinstance(v, str) else v
            for i, (k, v) in enumerate(params.items())
        }
        text = escape_words(self.plain_t(key, **stand_ins))
        return Mrkdwn(re.sub(_TOKEN, lambda m: str(values[int(m.group().strip("\x00"))]), text))

    def plain_t(self, key: str, **params: object) -> str:
        """A catalog text for plain_text fields (titles, labels, buttons, options), which
        Slack shows literally: nothing escaped."""

        return self.catalog.t(key, self.locale, **params)

    def error(self, exc: DomainError) -> str:
        # A member named by mention and unknown to the bot is named by mention again.
        if isinstance(exc, UnknownMember):
            user = parse_user(str(exc.params.get("name", "")))
            if user:
                return self.t(exc.key, name=f"<@{user}>")
        # Whatever an error quotes back (an article id as typed, a display name) is words:
        # `<!channel>` or `<https://x|docs>` in them must not become markup.
        params = {k: escape(v) if isinstance(v, str) else v for k, v in exc.params.items()}
        return self.t(exc.key, **params)


def escape(text: str) -> str:
    """Members' words in mrkdwn: `&`, `<` and `>` escaped, as Slack asks, so they are never
    markup (`<!channel>`, `<https://x|click>`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack's control sequences: mentions, channels, special mentions and links. A `\x00N\x00`
# token stands for a parameter of `SlackPresenter.t` (see there).
_TOKEN = "\x00[0-9]+\x00"
_CONTROL = re.compile(
    rf"<(?:[@#](?:[A-Z0-9]+|{_TOKEN})"
    rf"|!(?:here|channel|everyone|subteam\^[A-Z0-9]+|date\^[^<>]*)"
    rf"|(?:{_TOKEN}|https?://[^\s<>|]+|mailto:[^\s<>|]+)(?:\|[^<>]*)?)>"
)


def escape_words(text: str) -> str:
    """`text` with `&`, `<` and `>` escaped except inside Slack control sequences."""

    out, at = [], 0
    for match in _CONTROL.finditer(text):
        out += [escape(text[at : match.start()]), match.group()]
        at = match.end()
    out.append(escape(text[at:]))
    return "".join(out)


_ANGLE = re.compile(r"<([^<>]*)>")


def defuse(text: str) -> str:
    """A member's Slack markup (as Slack sends a message or a command's text) fit for the bot
    to post again in its own name: a special mention (`<!channel>`, `<!here>`,
    `<!everyone>`) or a user group's (`<!subteam^S1|@mods>`) becomes its words (`@channel`,
    `@mods`), which notify nobody, so no member pings a channel through the bot past the
    workspace's own rules; a link whose words are not its address (`<https://x|docs>`) shows
    the address too (`docs (<https://x>)`). Mentions of members and channels stay: the
    member could have written those themselves. Applied twice, it changes nothing more."""

    def one(match: re.Match[str]) -> str:
        target, bar, label = match.group(1).partition("|")
        if target.startswith(("@", "#")):
            return match.group()
        if target.startswith("!"):
            return label or "@" + target[1:].split("^")[0]
        if not bar or not label or names_itself(target, label):
            return match.group()
        return f"{label} (<{target}>)"

    return _ANGLE.sub(one, text)
