"""The console's Outbox sender: bot-initiated messages (reminders, closes, escalations,
private notes) printed as lines, like the platforms would show them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.outbound import (
    ChannelPost,
    DirectMessage,
    Outbound,
    ThreadPost,
    ThreadState,
    UnsupportedOutbound,
)

if TYPE_CHECKING:
    from adapters.console.adapter import ConsoleAdapter

PLATFORM = "console"
ACTION_LABELS = {"mark_solved": "[Mark solved: /solved or /accept <message>]"}


class ConsoleSender:
    platform = PLATFORM

    def __init__(self, adapter: ConsoleAdapter) -> None:
        self.adapter = adapter

    def _thread_label(self, thread_id: str, question_id: int | None = None) -> str:
        if question_id is None:
            question_id = next(
                (q for q, t in self.adapter.question_threads.items() if t == thread_id), None
            )
        where = f"#{question_id}" if question_id is not None else f"thread {thread_id}"
        return f"#{self.adapter.channel} > {where}"

    async def send(self, message: Outbound) -> None:
        present = self.adapter.present
        out = self.adapter.out
        if isinstance(message, ThreadPost):
            mentions = [f"@{m}" for m in (*message.mention_role_ids, *message.mention_user_ids)]
            text = " ".join([*mentions, present.outbound(message)])
            buttons = " ".join(ACTION_LABELS.get(a, f"[{a}]") for a in message.actions)
            where = self._thread_label(message.thread.id, message.question_id)
            out(f"bot in {where}: {text}" + (f" {buttons}" if buttons else ""))
        elif isinstance(message, ChannelPost):
            mentions = " ".join(f"@{m}" for m in message.mention_role_ids)
            text = f"{mentions} {present.outbound(message)}".strip()
            link = f" (/open {message.params['id']})" if "id" in message.params else ""
            out(f"bot in #{message.channel_id}: {text}{link}")
        elif isinstance(message, DirectMessage):
            out(f"bot (private to {message.member.id}): {present.outbound(message)}")
        elif isinstance(message, ThreadState):
            changes = [
                word
                for flag, yes, no in (
                    (message.archived, "archived", "unarchived"),
                    (message.locked, "locked", "unlocked"),
                    (message.solved, "marked solved", "marked unsolved"),
                )
                if flag is not None
                for word in [yes if flag else no]
            ]
            where = self._thread_label(message.thread.id)
            out(f"({where} {', '.join(changes) or 'unchanged'})")
        else:
            raise UnsupportedOutbound(f"console cannot send {type(message).__name__}")
