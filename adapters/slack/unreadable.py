"""What a member sees when the bot cannot read a slash command or interaction of theirs.

The runner refuses such a request before Bolt sees it (`runner.read_body`, `shapes.problem`).
Answered with an error status, Slack showed the member only its own "failed with the error
..." or "This app responded with status code 400". It is acknowledged instead, and where
Slack lets the app answer, the member is told `texts.UNREADABLE`, privately:

- a slash command: in the acknowledgement (Slack shows its `text` to whoever ran the
  command, and to nobody else);
- a form (`view_submission`): `response_action: errors` under the form's first input, so
  the form stays open with what was typed;
- a button or a message shortcut: through its `response_url`, or `chat.postEphemeral` in its
  channel to its user.

A request with nothing to answer to (no `response_url`, no channel and user, no input in
the form; an Events API event) is only acknowledged. Only fields of the expected type are
used, whatever else in the payload is malformed, and the `response_url` only where it is
Slack's (`outbound.response_url_problem`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack.outbound import (
    Respond,
    ResponseUrl,
    SlackOut,
    describe_error,
    response_url_problem,
)
from adapters.slack.texts import UNREADABLE

log = logging.getLogger(__name__)

# The name of the task that tells the member, after the acknowledgement (tests wait on it).
NOTE_TASK = "slack: unreadable request note"


@dataclass(frozen=True)
class Note:
    """How to tell the member: `ack` is the acknowledgement's body (None: empty); the
    others, where to send the note after it (all None: nowhere)."""

    ack: dict[str, Any] | None = None
    response_url: str | None = None
    channel: str | None = None
    user: str | None = None

    @property
    def to_send(self) -> bool:
        return bool(self.response_url or (self.channel and self.user))


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _field(obj: object, *path: str) -> str | None:
    for key in path:
        obj = obj.get(key) if isinstance(obj, Mapping) else None
    return _string(obj)


def _first_input(view: object) -> str | None:
    blocks = view.get("blocks") if isinstance(view, Mapping) else None
    for block in blocks if isinstance(blocks, list) else ():
        if isinstance(block, Mapping) and block.get("type") == "input":
            found = _string(block.get("block_id"))
            if found:
                return found
    return None


def note_for(data: object, api_base_url: str) -> Note:
    """The note for a refused request's parsed body or Socket Mode payload (see the module
    docstring): only a slash command's fields and an interaction are answered, so an Events
    API body, however it came, gets an empty note. A response_url is used only where
    `outbound.response_url_problem` finds none (Slack's, or on `api_base_url`'s host);
    another is logged and the member told another way, as when there is none."""

    if not isinstance(data, Mapping):
        return Note()
    kind = data.get("type")
    if "command" in data and kind is None:
        return Note(ack={"response_type": "ephemeral", "text": UNREADABLE})
    if kind == "view_submission":
        block = _first_input(data.get("view"))
        if block is None:
            return Note()
        return Note(ack={"response_action": "errors", "errors": {block: UNREADABLE}})
    if kind in ("block_actions", "message_action", "shortcut"):
        url = _string(data.get("response_url"))
        why = response_url_problem(url, api_base_url) if url else None
        if why:
            log.warning("Slack: not using the payload's response_url: %s", why)
        channel = _field(data, "channel", "id") or _field(data, "container", "channel_id")
        note = Note(
            response_url=url if url and not why else None,
            channel=channel,
            user=_field(data, "user", "id"),
        )
        return note if note.to_send else Note()
    return Note()


def respond_via(url: str) -> Respond:
    """A `respond` posting to `url`, checked as every listener's is (`ResponseUrl`)."""

    return ResponseUrl(AsyncRespond(response_url=url), url)


class Notes:
    """Sends notes after the acknowledgement, each in its own task (kept referenced until it
    ends, so none is collected half-way)."""

    def __init__(self, out: SlackOut) -> None:
        self.out = out
        self._running: set[asyncio.Task[None]] = set()

    def send_later(self, note: Note) -> None:
        if note.to_send:
            task = asyncio.create_task(send(self.out, note), name=NOTE_TASK)
            self._running.add(task)
            task.add_done_callback(self._running.discard)


async def send(out: SlackOut, note: Note) -> None:
    """Tell the member; a failure is one log line (they saw no error either way)."""

    respond = respond_via(note.response_url) if note.response_url else None
    try:
        if note.user and (note.channel or respond):
            await out.private(note.user, UNREADABLE, channel=note.channel, respond=respond)
        elif respond is not None:
            await respond(text=UNREADABLE, response_type="ephemeral", replace_original=False)
    except Exception as exc:
        log.warning("Slack: could not tell the member their request was unreadable: %s",
                    describe_error(exc))  # fmt: skip
