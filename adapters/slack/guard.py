"""Errors -> private replies, in exactly one place for the whole Slack adapter.

Every listener runs its work inside `guarded(...)`: a `DomainError` (a refusal the member can
fix) becomes a friendly private message from the catalog; `DuplicateEvent` (a Slack retry of
something already done) is dropped silently; anything else is logged with its traceback and
answered with `error.generic`. Nothing escapes into Bolt, so one bad event never stops the app.

What a member typed into a slash command or a form is gone from their Slack once sent: the
steps up to the core keeping it run inside `giving_back(text)`, and when they stop it, the
error reply gives the text back after the error, to use again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from adapters.slack import long_text
from adapters.slack.texts import SlackPresenter
from bot.errors import DomainError, DuplicateEvent
from bot.text import is_blank

log = logging.getLogger(__name__)

PrivateReply = Callable[[str], Awaitable[object]]


class NotKept(Exception):
    """`error` stopped a command before the core kept `typed`, what the member typed into
    it (mrkdwn; None or blank: nothing to give back): `guarded` says the error, then each
    of `notes`, then gives `typed` back under the catalog line `intro`."""

    def __init__(
        self, error: Exception, typed: str | None, intro: str, notes: tuple[str, ...]
    ) -> None:
        super().__init__(error)
        self.error, self.typed, self.intro, self.notes = error, typed, intro, notes


@asynccontextmanager
async def giving_back(
    typed: str | None, *, intro: str = "slack.text_given_back", notes: Sequence[str] = ()
) -> AsyncIterator[None]:
    """Around the steps of a command up to the core keeping `typed` (a reason, an article's
    text, a question): whatever those raise reaches `guarded` as `NotKept`, and the member
    gets the text back with the error. `notes` are lines to say after the error, read when
    it happens (e.g. where a copy of the question stays). After the block the core has the
    text: a failure then is reported alone, so nobody sends again what was kept (a second
    warning, article or question)."""

    try:
        yield
    except NotKept:
        raise
    except Exception as exc:
        raise NotKept(exc, typed, intro, tuple(notes)) from exc


@asynccontextmanager
async def guarded(
    p: SlackPresenter | None,
    reply: PrivateReply | None,
    what: str,
    *,
    quiet: tuple[type[DomainError], ...] = (),
) -> AsyncIterator[None]:
    """Run the body; turn its failure into a private reply. `quiet` errors are only logged
    (e.g. a ✅ reaction from someone who isn't the asker: no noise at all)."""

    try:
        yield
    except Exception as raised:
        exc = raised.error if isinstance(raised, NotKept) else raised
        said = _error_text(exc, p, reply, what, quiet)
        if said is None or p is None or reply is None:
            return
        if isinstance(raised, NotKept):
            said = "\n".join([said, *raised.notes])
            typed = (raised.typed or "").strip()
            if not is_blank(typed):
                await _give_back(reply, p, said, typed, raised.intro, what)
                return
        await _send(reply, said, what)


def _error_text(
    exc: Exception,
    p: SlackPresenter | None,
    reply: PrivateReply | None,
    what: str,
    quiet: tuple[type[DomainError], ...],
) -> str | None:
    """Log `exc` the right way; what to tell the member (None: nothing)."""

    if isinstance(exc, DuplicateEvent):
        log.info("%s: already processed, ignored", what)
        return None
    if isinstance(exc, DomainError):
        if isinstance(exc, quiet) or p is None or reply is None:
            log.info("%s: refused quietly (%s)", what, exc.key)
            return None
        return p.error(exc)
    log.error("%s failed", what, exc_info=exc)
    return p.t("error.generic") if p is not None else None


async def _give_back(
    reply: PrivateReply, p: SlackPresenter, error: str, typed: str, intro: str, what: str
) -> None:
    """`error`, then `intro` (a catalog key) and what the member typed as they wrote it
    (mrkdwn), in as many private replies as Slack's message limit takes, so none of it is
    lost."""

    message = "\n".join([error, p.t(intro), typed])
    try:
        for part in long_text.split_message(message):
            if part.strip():
                await reply(part)
    except Exception:
        log.exception("%s: could not give back what was typed", what)


async def _send(reply: PrivateReply, text: str, what: str) -> None:
    try:
        await reply(text)
    except Exception:
        log.exception("%s: could not send the error reply", what)
