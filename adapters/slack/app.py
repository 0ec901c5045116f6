"""Builds the slack-bolt app and wires the listeners; nothing else happens here.

`build_app` is what both the runner (Socket Mode or HTTP) and the end-to-end tests call, so the
app a test drives is the app production runs. Listeners are plain functions in small modules
(events, commands, solved, shortcuts, actions, home, lifecycle, moderation,
reports, knowledge); `register` is the one list of
what answers which Slack surface. `register_sender` (sender.py) is separate: the runner puts
it on the core's Outbox while the app runs.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.async_builtins import AsyncIgnoringSelfEvents
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import (
    actions,
    commands,
    events,
    home,
    ids,
    knowledge,
    lifecycle,
    moderation,
    reports,
    shortcuts,
    solved,
)
from adapters.slack.deps import DEPS_KEY, SlackDeps
from adapters.slack.outbound import ResponseUrl, SlackOut
from adapters.slack.people import People
from bot.config import Config, ConfigError, Secrets
from bot.service import CommunityBot

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 2


def with_rate_limit_retries(client: AsyncWebClient) -> AsyncWebClient:
    """Make `ratelimited` (HTTP 429 + Retry-After) a wait-and-retry inside slack_sdk."""

    if not any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
        )
    return client


def make_client(config: Config, secrets: Secrets) -> AsyncWebClient:
    """The Web API client, pointed at `slack.api_base_url` (Slack, GovSlack, a proxy, a fake)."""

    base_url = config.slack.api_base_url
    if not base_url.endswith("/"):
        base_url += "/"
    return with_rate_limit_retries(AsyncWebClient(token=secrets.slack_bot_token, base_url=base_url))


class IgnoringSelfEventsButDeletions(AsyncIgnoringSelfEvents):
    """Bolt's filter of the bot's own events, except a `message_deleted`: Bolt takes its
    author from `previous_message`, so the bot's post of an /ask or anonymous question,
    deleted by a member or an admin once nothing is left in its thread, would look like
    the bot's own event and never reach `events.on_message_deleted`. (The bot's own
    deletions then come in too, and change nothing in the core a second time.)"""

    # Bolt's hook is private (slack-bolt 1.x: `_is_self_event(auth_result, user_id, bot_id,
    # body)`): its arguments are passed through whole, so a changed signature in a later 1.x
    # still works; the test of the bot's deleted /ask post fails if the hook goes away.
    @classmethod
    def _is_self_event(cls, *args: Any, **kwargs: Any) -> bool:
        body = kwargs.get("body", args[-1] if args else None)
        event = body.get("event") if isinstance(body, dict) else None
        if isinstance(event, dict) and event.get("subtype") == "message_deleted":
            return False
        return bool(super()._is_self_event(*args, **kwargs))


def build_app(
    bot: CommunityBot,
    config: Config,
    secrets: Secrets,
    *,
    client: AsyncWebClient | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncApp:
    """The Bolt app for `bot`. `client` overrides the Web API client (tests pass one pointed at
    a fake Slack); `clock` drives the TTLs of the moderator and channel name caches."""

    if config.slack.mode == "http" and not secrets.slack_signing_secret:
        raise ConfigError('SLACK_SIGNING_SECRET is required with slack.mode = "http"')
    client = with_rate_limit_retries(client or make_client(config, secrets))
    app = AsyncApp(
        client=client,
        signing_secret=secrets.slack_signing_secret,
        # Socket Mode requests are authenticated by the websocket, not by signatures.
        request_verification_enabled=secrets.slack_signing_secret is not None,
        name="community-bot",
        ignoring_self_events_enabled=False,  # IgnoringSelfEventsButDeletions instead
    )
    app.use(IgnoringSelfEventsButDeletions())
    deps = SlackDeps(
        bot=bot,
        config=config.slack,
        people=People(client, config.slack, clock=clock),
        out=SlackOut(client, clock=clock),
    )
    register(app, deps)
    return app


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def attach_deps(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context[DEPS_KEY] = deps
        # Every listener's `respond`, checked (see `outbound.ResponseUrl`); None without a
        # response_url, where Bolt's would only raise.
        url = context.response_url
        context["respond"] = ResponseUrl(context.respond, url) if url else None
        await next()

    app.use(attach_deps)

    names = deps.config.commands
    app.command(names.ask)(commands.on_ask)
    app.command(names.solved)(solved.on_solved)
    app.command(names.unsolve)(commands.on_unsolve)
    app.command(names.close)(commands.on_close)
    app.command(names.rep)(commands.on_rep)
    app.command(names.leaderboard)(commands.on_leaderboard)
    app.command(names.kb)(knowledge.on_kb)
    app.command(names.mod)(moderation.on_mod)
    app.command(names.thanks)(moderation.on_thanks)
    app.command(names.guidelines)(lifecycle.on_guidelines)
    app.command(names.questions)(lifecycle.on_questions)
    # Last: a command with no listener gets a clear note instead of Bolt's 404.
    app.command(re.compile(r".*"))(commands.on_unknown_command)

    app.shortcut(ids.MARK_SOLUTION)(shortcuts.on_mark_solution)
    app.action(ids.SUGGESTION_SOLVED)(actions.on_suggestion_solved)
    app.action(ids.SUGGESTION_NOT_NEEDED)(actions.on_suggestion_not_needed)
    app.action(ids.SOLVED_QUESTION_ACTION)(solved.on_question_picked)
    app.view(ids.SOLVED_MODAL)(solved.on_submit)
    app.view(ids.ASK_MODAL)(lifecycle.on_ask_submit)
    app.action(ids.MARK_SOLVED_BUTTON)(lifecycle.on_mark_solved_button)
    app.action(ids.HOME_KB_SEARCH)(home.on_home_search)
    app.shortcut(ids.REPORT_SHORTCUT)(reports.on_report_shortcut)
    app.view(ids.REPORT_MODAL)(reports.on_report_submit)
    for button in ids.REPORT_BUTTONS:
        app.action(button)(reports.on_report_button)
    app.action(ids.NOT_DUPLICATE)(moderation.on_not_duplicate)
    app.action(ids.THANKS_OFFER_ACCEPT)(moderation.on_offer_accept)

    app.event("message")(events.on_message)
    app.event("reaction_added")(events.on_reaction_added)
    app.event("reaction_removed")(events.on_reaction_removed)
    app.event("channel_deleted")(events.on_channel_deleted)
    app.event("group_deleted")(events.on_channel_deleted)
    app.event("channel_rename")(events.on_channel_renamed)
    app.event("group_rename")(events.on_channel_renamed)
    app.event("app_home_opened")(home.on_app_home_opened)
    # Last: any other event is acknowledged rather than answered 404 (which Slack retries).
    app.event(re.compile(r".*"))(events.on_other_event)

    app.error(_on_error)


async def _on_error(error: Exception, body: dict[str, Any]) -> None:
    # Listeners catch their own failures (guard.py); this is the net under the net.
    log.error("unhandled error in a Slack listener (%s)", body.get("type"), exc_info=error)
