"""Errors -> private replies, in exactly one place for the whole Slack adapter.

Every listener runs its work inside `guarded(...)`: a `DomainError` (a refusal the member can
fix) becomes a friendly private message from the catalog; `DuplicateEvent` (a Slack retry of
something already done) is dropped silently; anything else is logged with its traceback and
answered with `error.generic`. Nothing escapes into Bolt, so one bad event never stops the app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from adapters.slack.texts import SlackPresenter
from bot.errors import DomainError, DuplicateEvent

log = logging.getLogger(__name__)

PrivateReply = Callable[[str], Awaitable[object]]


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
    except DuplicateEvent:
        log.info("%s: already processed, ignored", what)
    except DomainError as exc:
        if isinstance(exc, quiet) or p is None or reply is None:
            log.info("%s: refused quietly (%s)", what, exc.key)
            return
        await _send(reply, p.error(exc), what)
    except Exception:
        log.exception("%s failed", what)
        if p is not None and reply is not None:
            await _send(reply, p.t("error.generic"), what)


async def _send(reply: PrivateReply, text: str, what: str) -> None:
    try:
        await reply(text)
    except Exception:
        log.exception("%s: could not send the error reply", what)
