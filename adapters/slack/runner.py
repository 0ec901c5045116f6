"""Runs the Slack app until cancelled: Socket Mode (local development) or HTTP (production).

Socket Mode needs no public URL: slack_sdk opens a websocket with `SLACK_APP_TOKEN` (via
`apps.connections.open` on `slack.api_base_url`). HTTP mode serves Bolt's aiohttp endpoint on
`slack.http_host:http_port` at `slack.http_path`, verifying `SLACK_SIGNING_SECRET` on every
request, plus a `GET /healthz` for load balancers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import shapes, unreadable
from adapters.slack.app import build_app
from adapters.slack.outbound import SlackOut
from adapters.slack.sender import register_sender
from adapters.slack.translate import PLATFORM
from bot.config import Config, ConfigError, Secrets
from bot.errors import CannotStart

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
FORM = "application/x-www-form-urlencoded"


async def _health(_: web.Request) -> web.Response:
    return web.Response(text="ok")


def read_body(body: bytes, content_type: str) -> tuple[object, str | None]:
    """An HTTP request's `body` as Slack means it (the Events API body, an interaction
    form's `payload`, a slash command's fields; None for anything else), and why Bolt cannot
    read it, or None: it must be UTF-8, and the payload must pass `shapes.problem`. Bolt
    parses the body before it checks the signature, and raises on anything else."""

    data: object = None
    try:
        text = body.decode("utf-8")
        if content_type == "application/json":
            data = json.loads(text)
        elif content_type == FORM:
            fields = parse_qs(text)
            if "payload" in fields:
                data = json.loads(fields["payload"][0])
            elif "command" in fields:
                data = {key: values[0] for key, values in fields.items()}
            else:
                return None, None
        else:
            return None, None
    except ValueError:  # (UnicodeDecodeError and JSONDecodeError are ValueErrors)
        return None, "not UTF-8 JSON or form fields"
    return data, shapes.problem(data)


def signed(verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether `body` carries Slack's signature from the last five minutes. slack_sdk's
    verifier raises ValueError on a timestamp that is no number and on a body that is not
    UTF-8 (it decodes it first), and TypeError on a signature that is not ASCII (hmac
    compares it as str): Slack sent none of them."""

    try:
        return verifier.is_valid_request(body, headers)
    except (ValueError, TypeError):
        return False


def _check_requests(secret: str, out: SlackOut) -> Middleware:
    """Every POST is checked before Bolt sees it: the signature first, so a forged or
    unsigned request is 401 whatever its body; then whether Bolt can read it. Bolt parses the
    body before it verifies the signature, and a body it cannot read (not JSON, a JSON list,
    an Events API `event` that is no object with a type) would escape it as a 500 and a
    traceback, as would a field in another shape than Bolt or a listener reads it in
    (`shapes.py`): a signed one is logged in one line naming what is wrong, reaches no
    listener, and is acknowledged 200. An Events API delivery answered otherwise is sent
    again, three times (`X-Slack-Retry-Num`), and the same body cannot become readable; a
    slash command or interaction answered otherwise shows the member only Slack's own
    error, so where Slack lets the app answer they are told what happened instead
    (`unreadable.py`), after the acknowledgement.
    (Bolt checks the signature again; that is cheap.)"""

    verifier = SignatureVerifier(secret)
    notes = unreadable.Notes(out)

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "POST":
            body = await request.read()
            ssl_check = request.content_type == FORM and parse_qs(
                body.decode("utf-8", "replace")
            ).get("ssl_check") == ["1"]
            # (Bolt answers Slack's SSL certificate check 200 before its own signature
            # check, and runs nothing for it.)
            if not ssl_check and not signed(verifier, body, request.headers):
                return web.Response(status=401, text="invalid request")
            data, why = read_body(body, request.content_type)
            if why:
                log.warning(
                    "Slack: unreadable %s request to %s refused: %s",
                    request.content_type, request.path, why,
                )  # fmt: skip
                note = unreadable.note_for(data, str(out.client.base_url))
                notes.send_later(note)
                if note.ack is not None:
                    return web.json_response(note.ack)
                return web.Response(status=200)
        return await handler(request)

    return check


def web_app(bolt: AsyncApp, path: str, signing_secret: str) -> web.Application:
    """Bolt's aiohttp application for `path`, behind the request checks, plus the health
    check."""

    application = bolt.web_app(path=path)
    application.middlewares.append(_check_requests(signing_secret, SlackOut(bolt.client)))
    if path != HEALTH_PATH:
        application.router.add_get(HEALTH_PATH, _health)
    return application


async def start_http(
    bolt: AsyncApp, *, host: str, port: int, path: str, signing_secret: str
) -> web.AppRunner:
    """Serve `bolt` over HTTP; returns the started runner (port 0 picks a free port)."""

    runner = web.AppRunner(
        web_app(bolt, path, signing_secret), handle_signals=False, access_log=None
    )
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def run_slack(app: Any, config: Config, secrets: Secrets) -> None:
    """`app` is `bot.bootstrap.App`; runs until the task is cancelled."""

    bolt = build_app(app.bot, config, secrets)
    if config.slack.mode == "socket" and not secrets.slack_app_token:
        raise ConfigError('SLACK_APP_TOKEN is required with slack.mode = "socket"')
    await check_bot_token(bolt.client, config)
    # The scheduler delivers Slack's reminders, closes and escalations only while this runs.
    register_sender(app.bot, SlackOut(bolt.client))
    try:
        if config.slack.mode == "socket":
            await _serve_socket(bolt, secrets.slack_app_token or "")
        else:
            await _serve_http(bolt, config, secrets.slack_signing_secret or "")
    finally:
        app.bot.outbox.unregister(PLATFORM)


async def check_bot_token(client: AsyncWebClient, config: Config) -> None:
    """Ask Slack who the bot token belongs to before serving anything. Bolt would only find
    out at the first event, and then drop every event with a log line nobody reads."""

    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        raise CannotStart(
            f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}). Set it to the Bot "
            "User OAuth Token (xoxb-...) from your app's OAuth & Permissions page, and "
            "reinstall the app to the workspace if it was removed."
        ) from exc
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise CannotStart(_unreachable(config, exc)) from exc
    team = str(auth.get("team_id") or "")
    if config.community_for("slack", team) is None:
        log.warning(
            "Slack: SLACK_BOT_TOKEN belongs to workspace %s (%s), but no [communities.*] has "
            "slack_team_id = %r: its events will be ignored.",
            team, auth.get("team"), team,
        )  # fmt: skip
    log.info("Slack: signed in to workspace %s (%s)", team, auth.get("team"))


def _unreachable(config: Config, exc: BaseException) -> str:
    return (
        f"cannot reach Slack at {config.slack.api_base_url}: {str(exc) or type(exc).__name__}. "
        "Check the network, or [slack] api_base_url if you changed it."
    )


SOCKET_ENVELOPES = frozenset({"events_api", "slash_commands", "interactive"})


def socket_handler(bolt: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Bolt's Socket Mode handler, with the HTTP runner's check of what Bolt can read.

    slack_sdk hands every envelope to Bolt as it comes: a `payload` that is no object raised
    inside slack_sdk (a traceback, no acknowledgement), and an Events API `event` that is no
    object raised inside Bolt (a traceback, a 500 and no acknowledgement), and so did a field
    in another shape than Bolt or a listener reads it in (`shapes.py`); without an
    acknowledgement Slack sends the envelope again, and the traceback comes again. Here such
    an envelope is acknowledged, so Slack does not resend it, logged in one line, and reaches
    no listener; a member whose slash command or interaction it was is told so where Slack
    lets the app answer, as over HTTP (`unreadable.py`). (Messages without an envelope, such
    as `hello`, stay slack_sdk's business.)"""

    handler = AsyncSocketModeHandler(bolt, app_token=app_token)
    client = handler.client
    notes = unreadable.Notes(SlackOut(bolt.client))

    async def on_message(_: Any, message: dict[str, Any], __: str | None) -> None:
        kind = message.get("type")
        if kind not in SOCKET_ENVELOPES:
            return
        envelope_id = message.get("envelope_id")
        if not isinstance(envelope_id, str) or not envelope_id:
            log.warning("Slack: Socket Mode %s envelope without an envelope_id ignored", kind)
            return
        payload = message.get("payload")
        why = shapes.problem(payload)
        if why:
            log.warning(
                "Slack: unreadable Socket Mode %s envelope %s acknowledged, not processed: %s",
                kind, envelope_id, why,
            )  # fmt: skip
            note = unreadable.note_for(payload, str(bolt.client.base_url))
            await client.send_socket_mode_response(
                SocketModeResponse(envelope_id=envelope_id, payload=note.ack)
            )
            notes.send_later(note)
            return
        request = SocketModeRequest.from_dict(message)
        assert request is not None  # (type, envelope_id and payload are all there)
        await handler.handle(client, request)

    # Every envelope goes through `on_message` instead of straight to Bolt.
    client.socket_mode_request_listeners.clear()
    client.message_listeners.append(on_message)
    return handler


async def _serve_socket(bolt: AsyncApp, app_token: str) -> None:
    handler = socket_handler(bolt, app_token)
    # slack_sdk's connect retries a refused app token forever, with a traceback every ten
    # seconds: the first connection URL is asked for here, where a refusal is said once.
    try:
        opened = await handler.client.web_client.apps_connections_open(app_token=app_token)
        handler.client.wss_uri = opened["url"]
    except SlackApiError as exc:
        if exc.response.get("error") != "ratelimited":  # (connect waits that out itself)
            raise CannotStart(
                f"Slack refused SLACK_APP_TOKEN ({exc.response.get('error')}). Set it to an "
                "app-level token (xapp-...) with the connections:write scope, from your "
                "app's Basic Information page, and check that Socket Mode is turned on."
            ) from exc
    await handler.connect_async()
    log.info("Slack: connected in Socket Mode")
    try:
        await asyncio.Event().wait()
    finally:
        await handler.close_async()


async def _serve_http(bolt: AsyncApp, config: Config, signing_secret: str) -> None:
    slack = config.slack
    try:
        runner = await start_http(
            bolt, host=slack.http_host, port=slack.http_port, path=slack.http_path,
            signing_secret=signing_secret,
        )  # fmt: skip
    except OSError as exc:
        raise CannotStart(
            f"cannot listen on {slack.http_host}:{slack.http_port}: {exc.strerror or exc}. "
            "Set [slack] http_port to a free port, or stop the program using it."
        ) from exc
    log.info(
        "Slack: listening on http://%s:%d%s", slack.http_host, slack.http_port, slack.http_path
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
