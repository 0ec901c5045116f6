"""Commands: what a member asks the core to do (imperative, frozen).

Adapters build these from platform events. `event_id` is the platform's id for the inbound
event (Slack event_id, Discord interaction or message id); the core processes each at most
once. Commands that only read have no event id.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Actor, MemberRef, Period, ThreadRef


@dataclass(frozen=True, slots=True)
class AskQuestion:
    actor: Actor
    channel_id: str
    message_id: str
    text: str
    event_id: str | None = None
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class PostMessage:
    """A message in a thread; an answer when the author is not the asker."""

    actor: Actor
    thread: ThreadRef
    message_id: str
    text: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class AcceptAnswer:
    """Mark one message (by its platform message id) as a solution."""

    actor: Actor
    message_id: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class MarkSolved:
    """`/solved [member]` inside a question thread."""

    actor: Actor
    thread: ThreadRef
    member: MemberRef | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Unsolve:
    actor: Actor
    thread: ThreadRef
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class CloseQuestion:
    actor: Actor
    thread: ThreadRef
    reason: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ShowReputation:
    actor: Actor
    member: MemberRef | None = None


@dataclass(frozen=True, slots=True)
class ShowLeaderboard:
    actor: Actor
    period: Period = Period.ALL


@dataclass(frozen=True, slots=True)
class ListMyQuestions:
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowQuestion:
    actor: Actor
    question_id: int


Command = (
    AskQuestion
    | PostMessage
    | AcceptAnswer
    | MarkSolved
    | Unsolve
    | CloseQuestion
    | ShowReputation
    | ShowLeaderboard
    | ListMyQuestions
    | ShowQuestion
)
