"""Who a Slack user is to the core: a display name, a bot flag and moderator status.

Moderators are the configured user ids, members of the configured user groups, and workspace
admins and owners. Looking that up costs `users.info` and `usergroups.users.list` calls, so
answers are cached for `ttl` seconds on an injected clock (tests move it by hand). A failed
lookup is not cached and falls back to Slack's last answer, or else to what the payload and
the config alone say, so a Slack hiccup never blocks a member from asking or answering.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbound import describe_error
from adapters.slack.translate import bare_mentions, member_ref, plain_text
from bot.config import SlackConfig
from bot.model import Actor

log = logging.getLogger(__name__)

DEFAULT_TTL = 300.0
#: Seconds a listener that opens a form waits to learn who the member is. The form must open
#: while the click's trigger id is valid (3 seconds from the click), and `users.info` or
#: `usergroups.users.list` may be slow, or wait out a rate limit's Retry-After.
FORM_WAIT = 1.0
# Mentions named per message (one cached `users.info` each); any further ones stay ids.
MAX_NAMED = 20


def display_name(user: Mapping[str, Any], fallback: str) -> str:
    profile = user.get("profile") or {}
    for value in (
        profile.get("display_name"),
        profile.get("real_name"),
        user.get("real_name"),
        user.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return fallback


def is_workspace_admin(user: Mapping[str, Any]) -> bool:
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def is_bot_user(user: Mapping[str, Any]) -> bool:
    return bool(user.get("is_bot") or user.get("is_app_user"))


class People:
    def __init__(
        self,
        client: AsyncWebClient,
        config: SlackConfig,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.config = config
        self.ttl = ttl
        self.clock = clock
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    def _fresh(self, stamped_at: float) -> bool:
        return self.clock() - stamped_at < self.ttl

    async def user(self, user_id: str) -> dict[str, Any] | None:
        """`users.info` for one member, cached; when Slack cannot say, what it said last
        (a bare id as the name would be stored as the member's name, and a workspace admin
        would stop being a moderator), or None if it never said."""

        cached = self._users.get(user_id)
        if cached and self._fresh(cached[0]):
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except Exception as exc:  # a refusal or network trouble: degrade, don't fail the listener
            log.warning("users.info %s failed: %s", user_id, describe_error(exc))
            return cached[1] if cached else None
        user = dict(response.get("user") or {})
        self._users[user_id] = (self.clock(), user)
        return user

    async def usergroup_members(self, group_id: str) -> frozenset[str]:
        cached = self._groups.get(group_id)
        if cached and self._fresh(cached[0]):
            return cached[1]
        try:
            response = await self.client.usergroups_users_list(usergroup=group_id)
        except Exception as exc:
            log.warning("usergroups.users.list %s failed: %s", group_id, describe_error(exc))
            return cached[1] if cached else frozenset()
        members = frozenset(str(u) for u in response.get("users") or ())
        self._groups[group_id] = (self.clock(), members)
        return members

    async def is_moderator(self, user_id: str, user: Mapping[str, Any] | None = None) -> bool:
        if user_id in self.config.moderator_user_ids:
            return True
        if user is not None and is_workspace_admin(user):
            return True
        for group in self.config.moderator_usergroup_ids:
            if user_id in await self.usergroup_members(group):
                return True
        return False

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """Display names of (at most `MAX_NAMED`) members, for mentions Slack sent without
        one; a member Slack could not say is left out (and stays an id)."""

        wanted = list(dict.fromkeys(user_ids))[:MAX_NAMED]
        users = await asyncio.gather(*(self.user(user_id) for user_id in wanted))
        return {
            user_id: display_name(user, user_id)
            for user_id, user in zip(wanted, users, strict=True)
            if user
        }

    async def plain_text(
        self, text: str, *, with_urls: bool = False, wait: float | None = None
    ) -> str:
        """`translate.plain_text` with mentions named: the Events API sends a message's
        mentions as bare ids (`<@U1>`), which the core would otherwise keep as `@U1` in
        titles, excerpts and articles, where Slack shows them as written.

        `wait` bounds the lookups, for a caller with a deadline (a form must open within
        3 seconds of the click, and a rate-limited `users.info` waits out its Retry-After):
        past it, the names Slack already gave are used and the rest stay ids."""

        wanted = bare_mentions(text)
        try:
            names = await asyncio.wait_for(self.names(wanted), wait)
        except TimeoutError:
            log.warning("mention names took over %.1f s; leaving the rest as ids", wait)
            names = {
                user_id: display_name(cached[1], user_id)
                for user_id in wanted
                if (cached := self._users.get(user_id)) and cached[1]
            }
        return plain_text(text, names, with_urls=with_urls)

    async def actor(self, community: str, user_id: str, fallback_name: str | None = None) -> Actor:
        user = await self.user(user_id)
        name = display_name(user or {}, fallback_name or user_id)
        return Actor(
            ref=member_ref(community, user_id),
            display_name=name,
            is_moderator=await self.is_moderator(user_id, user),
            is_bot=is_bot_user(user or {}),
        )

    async def actor_within(
        self, community: str, user_id: str, wait: float, fallback_name: str | None = None
    ) -> tuple[Actor, bool]:
        """`actor` within `wait` seconds, and whether it is Slack's answer. Past the wait, the
        actor is what is known without asking: what Slack said last (at any age), else the
        id, with moderator status from the configured ids and from what Slack said last, so
        it may understate a moderator. That is for what a form shows before it opens; its
        submission asks again (`actor`), so every write is decided on Slack's answer."""

        try:
            return await asyncio.wait_for(self.actor(community, user_id, fallback_name), wait), True
        except TimeoutError:
            log.warning(
                "looking up %s took over %.1f s; going on with what is known", user_id, wait
            )
        cached = self._users.get(user_id)
        user = cached[1] if cached else {}
        groups = (self._groups.get(group) for group in self.config.moderator_usergroup_ids)
        return Actor(
            ref=member_ref(community, user_id),
            display_name=display_name(user, fallback_name or user_id),
            is_moderator=user_id in self.config.moderator_user_ids
            or is_workspace_admin(user)
            or any(user_id in found[1] for found in groups if found),
            is_bot=is_bot_user(user),
        ), False
