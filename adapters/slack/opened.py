"""The bot's "Question #N opened: <first line>" reply, found again and brought up to date.

That reply quotes the question's first line. When the question is deleted (its message on
Slack, or by a moderator) or its first line edited, often to take back something that should
not have been posted, the quote must go too. The core keeps no record of the reply, so the
reply carries Slack message metadata naming its question (`metadata`, set when it is
posted) and is found again in its thread with `conversations.replies`
(`include_all_metadata`): the bot's own message with that metadata. A reply posted before
it carried metadata is not found, and stays as it was.

A deleted question's reply becomes one line saying so (its suggestions and buttons are for
a question nobody can act on now); a restored one's, its "opened" line again; an edited
one's, its first line only, with its suggestions and buttons as they were.

The same read finds the bot's post of a question asked with `/ask` (the thread's root, the
bot's message: the core opens no question from a bot's) and the rest of a long one (the
bot's messages before the reply whose metadata, `asked_metadata`, names the question and
part). The asker can neither delete nor edit those, so `/mod delete` hides them: each says
only that a moderator hid the question (`hide_asked`). The core keeps the question's words
as plain text (mentions and links made words), from which the post can't be made again, so
each hidden message keeps what it showed in its own metadata until `/mod restore` puts it
back and takes it out of the metadata. A member's own question is theirs: never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from adapters.slack import blocks
from adapters.slack.deps import SlackDeps
from adapters.slack.outbound import describe_error, error_code
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import split_message_id
from bot.model import Question

log = logging.getLogger(__name__)

EVENT_TYPE = "community_bot_question_opened"
ASKED_TYPE = "community_bot_question_asked"
# conversations.replies: messages per page, and pages read at most (the reply comes early in
# its thread: after the question, and after the rest of a long /ask question).
PAGE = 100
PAGES = 3


def metadata(question_id: int) -> dict[str, Any]:
    """Slack message metadata for the reply to question `question_id`."""

    return {"event_type": EVENT_TYPE, "event_payload": {"question": question_id}}


def _is_reply_to(message: Mapping[str, Any], question_id: int) -> bool:
    payload = _payload(message, EVENT_TYPE)
    return payload is not None and str(payload.get("question")) == str(question_id)


def asked_metadata(question_id: int, part: int, words: str | None = None) -> dict[str, Any]:
    """Slack message metadata for part `part` (1 is the root) of the bot's post of question
    `question_id`; `words`, what a hidden part showed, for `/mod restore`."""

    payload: dict[str, Any] = {"question": question_id, "part": part}
    if words is not None:
        payload["words"] = words
    return {"event_type": ASKED_TYPE, "event_payload": payload}


def _payload(message: Mapping[str, Any], event_type: str) -> Mapping[str, Any] | None:
    found = message.get("metadata")
    if not message.get("bot_id") or not isinstance(found, Mapping):
        return None
    payload = found.get("event_payload")
    if found.get("event_type") != event_type or not isinstance(payload, Mapping):
        return None
    return payload


def _is_part_of(message: Mapping[str, Any], question_id: int) -> bool:
    payload = _payload(message, ASKED_TYPE)
    return payload is not None and str(payload.get("question")) == str(question_id)


@dataclass(frozen=True)
class Thread:
    """A question's thread as Slack has it now, as far as the bot's reply: the bot's post of
    an /ask question and the rest of it (none for a member's own question), and the reply."""

    channel: str
    asked: list[Mapping[str, Any]] = field(default_factory=list)
    reply: Mapping[str, Any] | None = None


async def find(deps: SlackDeps, question: Question) -> tuple[str, Mapping[str, Any]] | None:
    """The question's channel and the bot's reply in its thread, as Slack has it now; None
    when it is not there (or Slack can't say: logged)."""

    thread = await read(deps, question)
    if thread is None or thread.reply is None:
        return None
    return thread.channel, thread.reply


async def read(deps: SlackDeps, question: Question) -> Thread | None:
    """The question's thread (see `Thread`), read until the bot's reply; None when Slack
    can't say (logged) or the thread is gone."""

    where = split_message_id(question.thread_id) or split_message_id(question.message_id)
    if where is None:
        return None
    channel, root = where
    thread = Thread(channel)
    cursor = ""
    for _ in range(PAGES):
        kwargs: dict[str, Any] = {"ts": root, "include_all_metadata": True, "limit": PAGE}
        if cursor:
            kwargs["cursor"] = cursor
        try:
            response = await deps.out.call_or_raise("conversations.replies", channel, **kwargs)
        except Exception as exc:
            if error_code(exc) == "thread_not_found":  # (the root went with no replies)
                log.info("slack: question %s's thread is gone", question.id)
                return None
            log.warning(
                "slack: conversations.replies of question %s's thread failed (%s): its "
                "opened reply is left as it was", question.id, describe_error(exc),
            )  # fmt: skip
            return None
        for message in response.get("messages") or ():
            if not isinstance(message, Mapping):
                continue
            if _is_reply_to(message, question.id):
                return replace(thread, reply=message)
            mine = message.get("bot_id") and message.get("subtype") != "tombstone"
            if (message.get("ts") == root and mine) or _is_part_of(message, question.id):
                if message not in thread.asked:  # (the root may come again on a later page)
                    thread.asked.append(message)
        cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    log.info("slack: question %s's opened reply is not in its thread", question.id)
    return thread


async def deleted(
    deps: SlackDeps, p: SlackPresenter, question: Question, *, hide_asked: bool = False
) -> None:
    """The reply says only that the question was deleted; with `hide_asked` (`/mod delete`)
    the bot's post of an /ask question and the rest of it say only that a moderator hid it,
    first (they hold the whole question), each keeping its words for `restored`."""

    thread = await read(deps, question)
    if thread is None:
        return
    if hide_asked:
        hidden = p.t("slack.asked_hidden")
        for part, message in enumerate(thread.asked, start=1):
            await _hide(deps, thread.channel, message, question.id, part, hidden)
    if thread.reply is not None:
        line = p.t("slack.opened_deleted", id=question.id)
        await deps.out.update(
            thread.channel, str(thread.reply["ts"]), line, blocks=[blocks.section(line)]
        )


async def restored(deps: SlackDeps, p: SlackPresenter, question: Question) -> None:
    """The reply is the question's "opened" line again (suggestions are not made again); a
    post of an /ask question and the rest of it that `deleted` hid show their words again."""

    thread = await read(deps, question)
    if thread is None:
        return
    hidden = p.t("slack.asked_hidden")
    for part, message in enumerate(thread.asked, start=1):
        await _show(deps, thread.channel, message, question.id, part, hidden)
    if thread.reply is not None:
        line = blocks.opened_line(p, question)
        await deps.out.update(
            thread.channel, str(thread.reply["ts"]), line, blocks=[blocks.section(line)]
        )


def _part(payload: Mapping[str, Any], found: int) -> int:
    """The part a message's metadata says it is, else the place it was `found` in."""

    part = payload.get("part")
    return part if isinstance(part, int) and not isinstance(part, bool) and part > 0 else found


async def _hide(
    deps: SlackDeps,
    channel: str,
    message: Mapping[str, Any],
    question_id: int,
    part: int,
    hidden: str,
) -> None:
    """One message of the bot's post says `hidden`, its words kept in its metadata; where
    Slack won't keep them there it is hidden all the same (a secret must not stay for the
    sake of a restore), and can't be put back."""

    payload = _payload(message, ASKED_TYPE) or {}
    if "words" in payload:
        return  # (hidden already: its text is the line, its words are kept)
    part = _part(payload, part)
    ts, words = str(message["ts"]), str(message.get("text") or "")
    keep = asked_metadata(question_id, part, words)
    if await deps.out.update(channel, ts, hidden, metadata=keep):
        return
    if await deps.out.update(channel, ts, hidden, metadata=asked_metadata(question_id, part)):
        log.warning(
            "slack: part %d of question %s's post is hidden without its words (Slack did not "
            "keep them): /mod restore can't put it back", part, question_id,
        )  # fmt: skip


async def _show(
    deps: SlackDeps,
    channel: str,
    message: Mapping[str, Any],
    question_id: int,
    part: int,
    hidden: str,
) -> None:
    """One message `_hide` hid shows its words again, and its metadata keeps them no more."""

    payload = _payload(message, ASKED_TYPE) or {}
    words, part = payload.get("words"), _part(payload, part)
    ts = str(message["ts"])
    if isinstance(words, str) and words:
        await deps.out.update(channel, ts, words, metadata=asked_metadata(question_id, part))
    elif message.get("text") == hidden:
        log.warning(
            "slack: part %d of question %s's post was hidden without its words: it can't be "
            "put back", part, question_id,
        )  # fmt: skip


async def retitled(deps: SlackDeps, p: SlackPresenter, question: Question) -> None:
    """The reply's first line follows the question's (edited) first line; a reply that
    shows it already is left alone."""

    if question.deleted_at is not None:
        return  # (its reply says it was deleted, and stays so)
    found = await find(deps, question)
    if found is None:
        return
    channel, message = found
    line = blocks.opened_line(p, question)
    text = str(message.get("text") or "")
    first, newline, rest = text.partition("\n")
    shown = [dict(b) for b in message.get("blocks") or () if isinstance(b, Mapping)]
    if first == line or not shown or shown[0].get("type") != "section":
        return  # (not the reply's shape: a deleted question's, say)
    shown[0] = blocks.section(line)
    await deps.out.update(channel, str(message["ts"]), line + newline + rest, blocks=shown)
