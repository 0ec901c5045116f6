"""The one place where replies to interactions are sent and errors become messages.

Domain errors (the member can fix them) become a private (ephemeral) message from the
catalog; a repeated platform event is ignored silently; anything else is logged with its
traceback and answered with a short apology. Nothing here ever raises, so a failing reply
can not take a listener, let alone the gateway, down with it. What a member typed into a
command or form that stopped before the core kept it (`giving_back`) comes back to them
after the error: their Discord no longer holds it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from adapters.discord import render
from adapters.discord.texts import Texts
from bot.errors import DomainError, DuplicateEvent, UnknownMember
from bot.text import is_blank, scrub

log = logging.getLogger(__name__)


async def reply(
    interaction: discord.Interaction,
    content: str = "",
    *,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction (or follow up on a deferred one); long text is split."""

    parts = render.split_message(content) if content else [""]
    kwargs: dict[str, object] = {"allowed_mentions": render.NO_MENTIONS, "ephemeral": ephemeral}
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        extra: dict[str, object] = dict(kwargs)
        if last and embeds:
            extra["embeds"] = embeds
        if last and view is not None:
            extra["view"] = view
        if interaction.response.is_done():
            await interaction.followup.send(part, **extra)  # type: ignore[arg-type]
        else:
            await interaction.response.send_message(part, **extra)  # type: ignore[arg-type]


async def send_reply(interaction: discord.Interaction, message: render.Reply) -> None:
    await reply(interaction, message.content, embeds=message.embeds, view=message.view)


def error_text(exc: BaseException, texts: Texts) -> str | None:
    """What to tell the member about `exc`; None when nothing should be said."""

    if isinstance(exc, DuplicateEvent) or _stale(exc):
        return None
    name = str(exc.params.get("name", "")) if isinstance(exc, UnknownMember) else ""
    if name.isdigit():
        # The core names a member it has no record of by their user id: mention them.
        return texts.t("discord.member_unknown", member=f"<@{name}>")
    if isinstance(exc, DomainError):
        # What an error quotes back (an article id, a duplicate target) is shown as typed.
        return render.presenter(texts).error(exc)
    return texts.t("error.generic")


# An interaction replayed after a RESUME (already answered) or answered too late: nothing to
# tell anyone, and the core was not called twice.
STALE_INTERACTION = frozenset({40060, 10062})


def _stale(exc: BaseException) -> bool:
    return isinstance(exc, discord.HTTPException) and exc.code in STALE_INTERACTION


def log_error(exc: BaseException, where: str) -> None:
    if _stale(exc):
        log.info("%s: interaction already answered or expired (%s)", where, exc)
    elif isinstance(exc, DuplicateEvent):
        log.info("%s: ignored a repeated event", where)
    elif isinstance(exc, DomainError):
        log.debug("%s: refused: %s", where, exc)
    else:
        log.error("%s failed", where, exc_info=exc)


class NotKept(Exception):
    """`error` stopped a command before the core kept what the member typed into it
    (`typed`, none of it blank): `report_error` gives that back after the error, under
    the catalog line `intro`."""

    def __init__(self, error: Exception, typed: tuple[str, ...], intro: str) -> None:
        super().__init__(error)
        self.error = error
        self.typed = typed
        self.intro = intro


@asynccontextmanager
async def giving_back(
    *typed: str | None, intro: str = "discord.text_given_back"
) -> AsyncIterator[None]:
    """Around the steps of a command up to the core keeping `typed` (what the member typed:
    a reason, an article's text, a question): whatever those raise reaches the one error
    reply as `NotKept`, and the member gets the text back with the error. After the block
    the core has it: a failure then is reported alone, so nobody is asked to send again
    what was kept (a second article, report or question)."""

    try:
        yield
    except NotKept:
        raise
    except Exception as exc:
        kept = tuple(t for t in typed if t is not None and not is_blank(t))
        raise NotKept(exc, kept, intro) from exc


async def report_error(
    interaction: discord.Interaction | None, exc: BaseException, texts: Texts, where: str
) -> str | None:
    """Log `exc` the right way and, for an interaction, tell the member privately, then give
    back what they typed if `exc` is `NotKept`. Returns what there is to tell them
    (`error_text`; None: nothing, e.g. a replayed event, and nothing is given back), sent
    or not."""

    typed: tuple[str, ...] = ()
    intro = ""
    if isinstance(exc, NotKept):
        exc, typed, intro = exc.error, exc.typed, exc.intro
    log_error(exc, where)
    text = error_text(exc, texts)
    if interaction is None or text is None:
        return text
    await _say(interaction, [text], f"{where}: could not send the error reply")
    if typed:
        # Each text in a message (or messages) of its own, to copy as it is.
        given = [texts.t(intro), *(scrub(t) for t in typed)]
        await _say(interaction, given, f"{where}: could not give back what was typed")
    return text


async def _say(interaction: discord.Interaction, messages: list[str], failed: str) -> None:
    try:
        for message in messages:
            await reply(interaction, message, ephemeral=True)
    except discord.HTTPException as http_exc:
        log.warning("%s: %s", failed, http_exc)
    except Exception:
        log.exception(failed)
