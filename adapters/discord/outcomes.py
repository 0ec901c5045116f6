"""What a core result changes on Discord besides the reply: the thread and the roles.

After a question is solved the thread gets the forum's "Solved" tag (created when missing and
permitted; not when the post already has Discord's 5 tags) or a ✅ name prefix and one quiet public line (no pings, none at all in an archived
thread, which stays archived). Archiving it later is the core scheduler's job (the lifecycle's
`close_solved_after_hours`, delivered as a `ThreadState` through `adapters.discord.sender`):
a database row survives restarts, an in-memory timer did not. Reopening undoes the marks.
Point changes add reward roles, and a reversal below a reached threshold removes one. Every Discord call here is best effort: a 403, 404 or exhausted 429 is logged
and the rest carries on, because the core has already committed and stays the truth.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import discord

from adapters.discord import render, translate
from adapters.discord.texts import Texts
from bot.config import DiscordConfig
from bot.events import PointChange

log = logging.getLogger(__name__)

T = TypeVar("T")


async def quietly(call: Awaitable[T], what: str) -> T | None:
    """Run one Discord call; log and swallow Discord's errors (the core state is saved)."""

    try:
        return await call
    except discord.Forbidden as exc:
        log.warning("%s: missing permission (%s)", what, exc.text or exc.code)
    except discord.NotFound as exc:
        log.warning("%s: not found, probably deleted (%s)", what, exc.text or exc.code)
    except discord.HTTPException as exc:
        log.warning("%s: Discord error %s %s", what, exc.status, exc.text)
    except Exception:
        log.exception("%s failed", what)
    return None


# Threads the bot archived whose THREAD_UPDATE may not have come yet (`archived_by_bot`);
# one whose update never came is forgotten once this many came after it.
MAX_ARCHIVES_KEPT = 1_000


class Outcomes:
    def __init__(self, settings: DiscordConfig) -> None:
        self.settings = settings
        self._archiving: dict[int, None] = {}  # thread ids, oldest first

    # -- the bot's own archives -------------------------------------------------------------
    def archived_by_bot(self, thread_id: int) -> bool:
        """Whether a thread's archiving (its THREAD_UPDATE) was the bot's own edit; each
        edit answers yes once. Discord does not say who archived a thread."""

        return self._archiving.pop(thread_id, False) is None

    async def _archive(self, thread_id: int, call: Awaitable[T], what: str) -> T | None:
        """Run an edit that archives `thread_id`, remembered first (its update may come
        before the reply); forgotten again when Discord refused it."""

        self._archiving[thread_id] = None
        while len(self._archiving) > MAX_ARCHIVES_KEPT:
            self._archiving.pop(next(iter(self._archiving)))
        result = await quietly(call, what)
        if result is None:
            self._archiving.pop(thread_id, None)
        return result

    # -- public line ------------------------------------------------------------------------
    async def announce(self, channel: discord.abc.Messageable | None, line: str) -> None:
        """One short public line; skipped in an archived thread so it is not reopened."""

        if channel is None or not line:
            return
        if isinstance(channel, discord.Thread) and channel.archived:
            return
        for part in render.split_message(line):
            await quietly(
                channel.send(part, allowed_mentions=render.NO_MENTIONS), "public confirmation"
            )

    # -- thread marks -----------------------------------------------------------------------
    async def solved(self, thread: discord.Thread | None, texts: Texts) -> None:
        if thread is None:
            return
        changes = await self._solved_changes(thread, texts)
        await self._edit(thread, changes, "mark thread solved")

    async def reopened(self, thread: discord.Thread | None, texts: Texts) -> None:
        if thread is None:
            return
        changes = self._unsolved_changes(thread, texts)
        if thread.archived:
            changes["archived"] = False  # an open question belongs in an open thread
        if changes:
            await quietly(thread.edit(**changes), "mark thread open")  # type: ignore[arg-type]

    async def apply_state(
        self,
        thread: discord.Thread,
        texts: Texts,
        *,
        archived: bool | None = None,
        locked: bool | None = None,
        solved: bool | None = None,
    ) -> None:
        """A core `ThreadState`: archive / lock / mark, in as few edits as Discord allows."""

        changes: dict[str, object] = {}
        if solved is True:
            changes.update(await self._solved_changes(thread, texts))
        elif solved is False:
            changes.update(self._unsolved_changes(thread, texts))
        if locked is not None and locked != thread.locked:
            changes["locked"] = locked
        stays_archived = thread.archived and archived is not False
        if stays_archived:
            await self._edit(thread, changes, "change archived thread")
            return
        if archived is not None and archived != thread.archived:
            changes["archived"] = archived
        if changes.get("archived") is True:
            await self._archive(thread.id, thread.edit(**changes), "change thread")  # type: ignore[arg-type]
        elif changes:
            await quietly(thread.edit(**changes), "change thread")  # type: ignore[arg-type]

    def _unsolved_changes(self, thread: discord.Thread, texts: Texts) -> dict[str, object]:
        changes: dict[str, object] = {}
        prefix = texts.t("discord.solved_prefix")
        name = translate.unsolved_name(thread.name, prefix)
        if name != thread.name:
            changes["name"] = name
        tag = self._find_tag(thread.parent, texts)
        if tag is not None and any(t.id == tag.id for t in thread.applied_tags):
            ids = translate.tags_without([t.id for t in thread.applied_tags], tag.id)
            changes["applied_tags"] = [discord.Object(i) for i in ids]
        return changes

    async def closed(self, thread: discord.Thread | None) -> None:
        if thread is None:
            return
        if not thread.archived:
            await self._archive(thread.id, thread.edit(archived=True), "archive closed thread")

    async def _solved_changes(self, thread: discord.Thread, texts: Texts) -> dict[str, object]:
        parent = thread.parent
        if isinstance(parent, discord.ForumChannel):
            tag = self._find_tag(parent, texts) or await self._create_tag(parent, texts)
            if tag is not None:
                current = [t.id for t in thread.applied_tags]
                if tag.id in current:
                    return {}
                ids = translate.tags_with(current, tag.id)
                if ids is not None:
                    return {"applied_tags": [discord.Object(i) for i in ids]}
                # All 5 tags are the member's: the name carries the mark instead.
        name = translate.solved_name(thread.name, texts.t("discord.solved_prefix"))
        return {"name": name} if name != thread.name else {}

    async def rename(self, thread: discord.Thread, name: str) -> None:
        """A new name; an archived thread stays archived."""

        if name != thread.name:
            await self._edit(thread, {"name": name}, "rename thread")

    async def while_open(
        self, thread: discord.Thread, work: Callable[[], Awaitable[None]], what: str
    ) -> None:
        """Run `work` (edits of messages in `thread`) with the thread unarchived: Discord
        keeps an archived thread's messages as they are (50083). It is archived again after
        (locked still, if it was), so an old thread is not reopened. Its state is asked of
        Discord: the cache may not have the archive the core's `ThreadState` just made."""

        fresh = await quietly(thread.guild.fetch_channel(thread.id), f"{what}: read the thread")
        archived = fresh.archived if isinstance(fresh, discord.Thread) else thread.archived
        if archived and await quietly(thread.edit(archived=False), f"{what}: open") is None:
            return
        try:
            await work()
        finally:
            if archived:
                await self._archive(thread.id, thread.edit(archived=True), f"{what} (re-archive)")

    async def _edit(self, thread: discord.Thread, changes: dict[str, object], what: str) -> None:
        if not changes:
            return
        if thread.archived:
            # Discord edits archived threads only when the same request unarchives them; put
            # it straight back so an old thread is not reopened.
            edited = await quietly(thread.edit(archived=False, **changes), what)  # type: ignore[arg-type]
            if edited is not None:
                await self._archive(thread.id, edited.edit(archived=True), f"{what} (re-archive)")
            return
        await quietly(thread.edit(**changes), what)  # type: ignore[arg-type]

    @staticmethod
    def _find_tag(parent: object, texts: Texts) -> discord.ForumTag | None:
        if not isinstance(parent, discord.ForumChannel):
            return None
        names = {texts.t("discord.solved_tag").casefold(), "solved"}
        return next((t for t in parent.available_tags if t.name.casefold() in names), None)

    async def _create_tag(
        self, forum: discord.ForumChannel, texts: Texts
    ) -> discord.ForumTag | None:
        me = forum.guild.me
        if me is None or not forum.permissions_for(me).manage_channels:
            log.info("forum %s has no Solved tag and I may not create one", forum.id)
            return None
        if len(forum.available_tags) >= 20:
            return None
        return await quietly(
            forum.create_tag(
                name=texts.t("discord.solved_tag"),
                emoji=discord.PartialEmoji(name=translate.SOLVED_EMOJI),
            ),
            "create the Solved tag",
        )

    # -- reward roles -----------------------------------------------------------------------
    async def rewards(self, guild: discord.Guild | None, points: Sequence[PointChange]) -> None:
        """Reward roles after point changes: added when a threshold is reached, removed only
        when the total drops back below one it had reached (`translate.reward_role_changes`),
        so gaining points never takes a role the member was given by hand."""

        rewards = self.settings.reward_roles
        if guild is None or not rewards or not points:
            return
        totals: dict[str, tuple[int, int]] = {}  # member -> (total before, total after)
        for change in points:  # in order: the first change's start, the last one's total
            ref = change.member.ref
            if ref.platform == translate.PLATFORM and ref.id.isdigit():
                before = totals.get(ref.id, (change.total - change.delta, 0))[0]
                totals[ref.id] = (before, change.total)
        for user_id, (before, after) in totals.items():
            if not translate.reward_roles_at_stake(before, after, rewards):
                continue
            member = await quietly(guild.fetch_member(int(user_id)), "look up member for roles")
            if member is None:
                continue
            diff = translate.reward_role_changes(
                before, after, rewards, [r.id for r in member.roles]
            )
            reason = "reputation reward"
            if diff.add:
                await quietly(
                    member.add_roles(*(discord.Object(int(r)) for r in diff.add), reason=reason),
                    "add reward roles",
                )
            if diff.remove:
                await quietly(
                    member.remove_roles(
                        *(discord.Object(int(r)) for r in diff.remove), reason=reason
                    ),
                    "remove reward roles",
                )
