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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from adapters.slack import blocks
from adapters.slack.deps import SlackDeps
from adapters.slack.outbound import describe_error, error_code
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import split_message_id
from bot.model import Question

log = logging.getLogger(__name__)

EVENT_TYPE = "community_bot_question_opened"
# conversations.replies: messages per page, and pages read at most (the reply comes early in
# its thread: after the question, and after the rest of a long /ask question).
PAGE = 100
PAGES = 3


def metadata(question_id: int) -> dict[str, Any]:
    """Slack message metadata for the reply to question `question_id`."""

    return {"event_type": EVENT_TYPE, "event_payload": {"question": question_id}}


def _is_reply_to(message: Mapping[str, Any], question_id: int) -> bool:
    found = message.get("metadata")
    if not message.get("bot_id") or not isinstance(found, Mapping):
        return False
    payload = found.get("event_payload")
    return (
        found.get("event_type") == EVENT_TYPE
        and isinstance(payload, Mapping)
        and str(payload.get("question")) == str(question_id)
    )


async def find(deps: SlackDeps, question: Question) -> tuple[str, Mapping[str, Any]] | None:
    """The question's channel and the bot's reply in its thread, as Slack has it now; None
    when it is not there (or Slack can't say: logged)."""

    where = split_message_id(question.thread_id) or split_message_id(question.message_id)
    if where is None:
        return None
    channel, root = where
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
            if isinstance(message, Mapping) and _is_reply_to(message, question.id):
                return channel, message
        cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    log.info("slack: question %s's opened reply is not in its thread", question.id)
    return None


async def deleted(deps: SlackDeps, p: SlackPresenter, question: Question) -> None:
    """The reply says only that the question was deleted."""

    found = await find(deps, question)
    if found is not None:
        line = p.t("slack.opened_deleted", id=question.id)
        await deps.out.update(found[0], str(found[1]["ts"]), line, blocks=[blocks.section(line)])


async def restored(deps: SlackDeps, p: SlackPresenter, question: Question) -> None:
    """The reply is the question's "opened" line again (suggestions are not made again)."""

    found = await find(deps, question)
    if found is not None:
        line = blocks.opened_line(p, question)
        await deps.out.update(found[0], str(found[1]["ts"]), line, blocks=[blocks.section(line)])


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
