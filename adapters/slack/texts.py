"""Slack's presenter: the core's message catalog (the `[slack]` section of bot/locales) with
members shown as Slack mentions."""

from __future__ import annotations

from adapters.slack.translate import parse_user
from bot.errors import DomainError, UnknownMember
from bot.i18n import Catalog
from bot.model import Member
from bot.presenters import Presenter


def mention(member: Member) -> str:
    """Slack members as mentions (Slack renders the current name); others by name."""

    return f"<@{member.ref.id}>" if member.ref.platform == "slack" else member.display_name


class SlackPresenter(Presenter):
    """The core's presenter with members (and unknown members) shown as Slack mentions."""

    def __init__(self, catalog: Catalog, locale: str = "en") -> None:
        super().__init__(catalog, locale, name=mention)

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
