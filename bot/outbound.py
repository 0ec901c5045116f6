"""Messages the core sends on its own initiative (reminders, escalations, warnings, reports).

Replies to a member's command are returned as events; these are different: they are pushed
later, e.g. by the scheduler. Each platform adapter registers a `Sender` for its platform;
sending to a platform with no sender, or a message type a sender does not support, is an
error that is logged, never a silent drop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bot.model import MemberRef, ThreadRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ThreadPost:
    """A message in a question's thread; `actions` name buttons the platform may show
    (e.g. "mark_solved"), `mention_role_ids` / `mention_user_ids` whom to ping."""

    community: str
    thread: ThreadRef
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    mention_role_ids: tuple[str, ...] = ()
    mention_user_ids: tuple[str, ...] = ()
    question_id: int | None = None
    dedupe_key: str | None = None  # see `with_dedupe_key`


@dataclass(frozen=True, slots=True)
class ChannelPost:
    """A message in a channel that is not a question thread (e.g. a staff channel)."""

    community: str
    platform: str
    channel_id: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    mention_role_ids: tuple[str, ...] = ()
    reference_id: str | None = None
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """A private message to one member (a DM, or an ephemeral where that is all there is)."""

    community: str
    member: MemberRef
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadState:
    """Change how a question thread looks: archive, lock, or reopen it on the platform."""

    community: str
    thread: ThreadRef
    archived: bool | None = None
    locked: bool | None = None
    solved: bool | None = None


@dataclass(frozen=True, slots=True)
class ReportPostUpdate:
    """A resolved report's post in the moderators' channel (`post_ref`, as the platform's
    sender recorded it): its buttons go and a line says how it was resolved and by whom,
    however it was (a button, `/mod report`, another report on the same message, or the
    message deleted on the platform). `outcome` is a `ReportStatus` value; `author` the
    reported member's name ("" when unknown); `moderator_id` the resolver's platform id,
    None when the platform's deletion resolved it; `hidden` when naming the moderator would
    say who asked the report's anonymous question. Idempotent: a post already without its
    buttons is left as it is."""

    community: str
    platform: str
    post_ref: str
    report_id: int
    outcome: str
    author: str = ""
    moderator_id: str | None = None
    hidden: bool = False


Outbound = ThreadPost | ChannelPost | DirectMessage | ThreadState | ReportPostUpdate


def with_dedupe_key(message: Outbound, key: str) -> Outbound:
    """The message marked so that sending it twice shows it once where the platform allows:
    the scheduler keys each delivery by its job, so a delivery that is sent again after a
    crash (before it was marked done) is recognised. Discord honours it (a message nonce,
    enforced for a few minutes); Slack has no such mechanism. ThreadState changes are
    idempotent by themselves."""

    if isinstance(message, ThreadState | ReportPostUpdate):
        return message
    return replace(message, dedupe_key=key)


def platform_of(message: Outbound) -> str:
    if isinstance(message, ThreadPost | ThreadState):
        return message.thread.platform
    if isinstance(message, DirectMessage):
        return message.member.platform
    return message.platform


class Sender(Protocol):
    platform: str

    async def send(self, message: Outbound) -> None: ...


class UnsupportedOutbound(Exception):
    """No sender for this platform, or the sender cannot deliver this kind of message."""


class Outbox:
    def __init__(self) -> None:
        self._senders: dict[str, Sender] = {}

    def register(self, sender: Sender) -> None:
        self._senders[sender.platform] = sender

    def unregister(self, platform: str) -> None:
        self._senders.pop(platform, None)

    def has(self, platform: str) -> bool:
        return platform in self._senders

    def platforms(self) -> tuple[str, ...]:
        return tuple(self._senders)

    async def send(self, message: Outbound) -> None:
        platform = platform_of(message)
        sender = self._senders.get(platform)
        if sender is None:
            raise UnsupportedOutbound(f"no sender registered for platform {platform!r}")
        await sender.send(message)


def messages_of(result: object) -> list[Outbound]:
    """What a committed result asks to be sent: its own `outbound` messages and those of the
    thanks it carries (a thread message can credit several members, each told privately)."""

    messages = list(getattr(result, "outbound", ()))
    for thanks in getattr(result, "thanks", ()):
        messages += thanks.outbound
    return messages
