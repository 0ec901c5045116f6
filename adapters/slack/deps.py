"""What every Slack listener needs, built once in `app.build_app` and handed to listeners.

Bolt injects listener arguments by name (`body`, `ack`, `context`, ...), so the adapter's own
dependencies ride along in Bolt's per-request `context` under one key (set by a middleware);
`deps_of(context)` gets them back with their type. A listener called directly from a test just
passes `context={DEPS_KEY: deps, ...}`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.slack.outbound import Respond, SlackOut
from adapters.slack.people import FORM_WAIT, People
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import team_id_of, where_clicked
from bot.config import SlackCommandNames, SlackConfig
from bot.model import Actor
from bot.service import CommunityBot

log = logging.getLogger(__name__)

DEPS_KEY = "community_bot"

Ack = Callable[..., Awaitable[Any]]


@dataclass
class SlackDeps:
    bot: CommunityBot
    config: SlackConfig
    people: People
    out: SlackOut
    _unknown_teams: set[str] = field(default_factory=set)
    _channel_locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    @property
    def help_channels(self) -> frozenset[str]:
        return frozenset(self.config.help_channel_ids)

    @property
    def commands(self) -> SlackCommandNames:
        return self.config.commands

    def community(self, team_id: str | None) -> str | None:
        """The community a workspace belongs to; None (logged once per team) when unknown."""

        community = self.bot.community_for("slack", team_id or "")
        if community is None and (team_id or "") not in self._unknown_teams:
            self._unknown_teams.add(team_id or "")
            log.warning(
                "ignoring Slack workspace %s: no [communities.*] has slack_team_id = %r",
                team_id,
                team_id,
            )
        return community

    async def turn_away(
        self,
        body: Mapping[str, Any],
        user: str,
        *,
        channel: str | None = None,
        respond: Respond | None = None,
    ) -> None:
        """Tell a member who used the app in a workspace that is no community's (a typo in
        `slack_team_id`, or a workspace added later) that it is not set up there, and what
        the person running the bot adds to fix it. Without this Slack shows nothing at all,
        as if the app were broken. English: no community, no locale."""

        team = team_id_of(body)
        if not team or not user:
            return
        await self.out.private(user, self.not_set_up(team), channel=channel, respond=respond)

    def not_set_up(self, team: str) -> str:
        """That workspace `team` is not set up, and the `slack_team_id` line to add."""

        return SlackPresenter(self.bot.catalog).t("slack.not_configured", team=team)

    def in_order(self, channel: str) -> asyncio.Lock:
        """Slack delivers events concurrently; a reply can arrive while its question is still
        being recorded, or a ✅ while its answer is. Core calls for one channel therefore run
        one at a time, in arrival order (asyncio locks are FIFO). Take it before the first
        await of a listener."""

        return self._channel_locks.setdefault(channel, asyncio.Lock())

    def present(self, community: str) -> SlackPresenter:
        locale = self.bot.config.communities[community].locale
        return SlackPresenter(self.bot.catalog, locale)


def deps_of(context: Mapping[str, Any]) -> SlackDeps:
    deps = context[DEPS_KEY]
    assert isinstance(deps, SlackDeps)
    return deps


@dataclass
class Caller:
    """The member behind a button, form, shortcut, reaction or message, where they are, and
    how to answer them privately (a slash command's is `commands.Invocation`)."""

    deps: SlackDeps
    community: str
    user: str
    channel: str | None = None
    thread_ts: str | None = None
    respond: Respond | None = None

    def __post_init__(self) -> None:
        self.p = self.deps.present(self.community)

    async def reply(self, text: str) -> None:
        await self.deps.out.private(
            self.user, text, channel=self.channel or None, thread_ts=self.thread_ts,
            respond=self.respond, continued=self.p.t("slack.reply_continued"),
        )  # fmt: skip

    async def actor(self) -> Actor:
        return await self.deps.people.actor(self.community, self.user)

    async def actor_before_form(self) -> tuple[Actor, bool]:
        """Who they are, for a listener that opens a form: within `people.FORM_WAIT`, and
        whether that is Slack's answer (see `People.actor_within`). The form's submission
        asks again with `actor`."""

        return await self.deps.people.actor_within(self.community, self.user, FORM_WAIT)


async def start_interaction(
    ack: Ack,
    body: Mapping[str, Any],
    context: Mapping[str, Any],
    respond: Respond | None = None,
    *,
    in_thread: bool = True,
) -> Caller | None:
    """Ack a button or message shortcut, then who used it and on which message (their private
    replies go in that message's thread unless `in_thread` is False); None for a workspace
    that is no community's (told so). Slash commands have `commands.start_command`."""

    await ack()
    deps = deps_of(context)
    channel, thread_ts = where_clicked(body)
    user = str(body["user"]["id"])
    community = deps.community(team_id_of(body))
    if community is None:
        await deps.turn_away(body, user, channel=channel, respond=respond)
        return None
    return Caller(deps, community, user, channel, thread_ts if in_thread else None, respond)
