"""`/mod`: moderator commands, and the "Not a duplicate" button on a duplicate notice.

Questions (`lock`, `unlock`, `reopen`, `close`, `duplicate`, `delete`), reputation
(`/mod rep add|remove|revert|revert-period|suspicious`), members (`helpban`, `warn`) and the
records (`audit`, `reports`, `reveal`). There is no guard here on purpose: the core refuses
non-moderators itself and writes every refusal to the audit log, which a guard in front of it
would skip. The group is visible to everyone because role-based moderators may lack Manage
Threads. Thread locks, archives and the duplicate notice arrive through the Outbox sender.
A reason the core did not keep (refused, or failed before) comes back with the error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import discord
from discord import app_commands

from adapters.discord import asked_posts, render, translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog, Invocation
from adapters.discord.outcomes import quietly
from adapters.discord.replies import giving_back, reply, report_error
from adapters.discord.texts import DESCRIPTIONS, Texts
from bot import commands as c
from bot import events as ev
from bot.errors import NotAQuestionThread
from bot.model import MemberRef, Question, QuestionStatus, ThreadRef
from bot.text import parse_number

DIRECTIONS = [app_commands.Choice(name=d.value, value=d.value) for d in c.FlowDirection]
MAX_POINTS = 10_000
Reason = app_commands.Range[str, 1, 500]
QuestionNumber = app_commands.Range[int, 1]


class Moderation(FeatureCog):
    COMPONENTS = frozenset({"notdup"})
    mod = app_commands.Group(name="mod", description=DESCRIPTIONS["mod"], guild_only=True)
    rep = app_commands.Group(name="rep", description=DESCRIPTIONS["mod.rep"], parent=mod)

    # -- shared -------------------------------------------------------------------------------
    def _ref(self, inv: Invocation, member: discord.abc.User) -> MemberRef:
        return translate.member_ref(inv.community, member.id)

    async def _lines(self, inv: Invocation, lines: list[str]) -> None:
        await reply(inv.interaction, render.join_lines(lines))

    # -- questions ----------------------------------------------------------------------------
    async def _question(
        self,
        interaction: discord.Interaction,
        action: c.QuestionAction,
        *,
        question: int | None = None,
        reason: str | None = None,
        duplicate_of: str | None = None,
    ) -> None:
        channel = interaction.channel
        thread = channel if isinstance(channel, discord.Thread) else None
        async with giving_back(reason):
            inv = self.invocation(interaction)
            ref: ThreadRef | None = None
            if question is None:
                if thread is None:
                    raise NotAQuestionThread()
                ref = translate.thread_ref(thread.id)
            command = c.ModerateQuestion(
                inv.actor, action, thread=ref, question_id=question, reason=reason,
                duplicate_of=duplicate_of, event_id=inv.event_id,
            )  # fmt: skip
            result = await self.call_core(inv, command)
        assert isinstance(result, ev.QuestionModerated)
        text = render.moderation(inv.texts).question(result)
        await reply(interaction, text)
        # The bot's own post of an /ask question shows its words until hidden here too, and
        # so does the name of a thread the bot made (its first line).
        if action is c.QuestionAction.DELETE:
            await asked_posts.hide(self.client, interaction.guild, inv.texts, result.question)
            await self._name_thread(interaction.guild, result.question, thread, inv.texts)
        elif action is c.QuestionAction.RESTORE:
            await asked_posts.restore(self.client, interaction.guild, inv.texts, result.question)
            await self._name_thread(interaction.guild, result.question, thread, inv.texts)
        # One public line where members will look for it: the question's thread, also when
        # the moderator named the question from another channel. A closed or deleted thread
        # is archived by the core's ThreadState; writing in it would open it again.
        if action not in (c.QuestionAction.LOCK, c.QuestionAction.UNLOCK, c.QuestionAction.REOPEN):
            return
        target = await self._question_thread(interaction.guild, result.question, thread)
        if target is None:
            return
        if action is c.QuestionAction.REOPEN:
            await quietly(target.send(text, allowed_mentions=render.NO_MENTIONS), "reopen notice")
        else:
            await self.client.outcomes.announce(target, text)

    async def _name_thread(
        self,
        guild: discord.Guild | None,
        question: Question,
        here: discord.Thread | None,
        texts: Texts,
    ) -> None:
        """A thread the bot made for `question` is named "Hidden question #12" while the
        question is deleted (its name is the question's first line, which may be what got it
        hidden), and after its title again once restored. A thread or forum post a member
        made keeps the name they gave it."""

        target = await self._question_thread(guild, question, here)
        me = self.client.user
        if target is None or me is None or target.owner_id != me.id:
            return
        # As Discord has it now: the core's ThreadState has just (un)archived it, and a
        # rename of a thread cached as archived would archive it again.
        fresh = await quietly(target.guild.fetch_channel(target.id), "read the thread")
        if isinstance(fresh, discord.Thread):
            target = fresh
        prefix = texts.t("discord.solved_prefix")
        if question.is_deleted:
            name = texts.t("discord.hidden_thread_name", id=question.id)
        else:
            name = translate.thread_name(question.title, question.title, prefix)
            if question.status is QuestionStatus.SOLVED:
                name = translate.solved_name(name, prefix)
        await self.client.outcomes.rename(target, name)

    async def _question_thread(
        self, guild: discord.Guild | None, question: Question, here: discord.Thread | None
    ) -> discord.Thread | None:
        """The Discord thread of `question`: `here` when the command was used in it, else
        looked up (from the cache, or one fetch); None for a question elsewhere."""

        if question.platform != translate.PLATFORM or question.thread_id is None:
            return None
        if here is not None and question.thread_id == str(here.id):
            return here
        number = parse_number(question.thread_id)
        if guild is None or number is None:
            return None
        return self.client.help_thread(await self.client.channel_in(guild, number))

    @mod.command(name="lock", description=DESCRIPTIONS["mod.lock"])
    @app_commands.describe(question=DESCRIPTIONS["mod.question"], reason=DESCRIPTIONS["mod.reason"])
    async def lock(
        self,
        interaction: discord.Interaction,
        question: QuestionNumber | None = None,
        reason: Reason | None = None,
    ) -> None:
        await self._question(interaction, c.QuestionAction.LOCK, question=question, reason=reason)

    @mod.command(name="unlock", description=DESCRIPTIONS["mod.unlock"])
    @app_commands.describe(question=DESCRIPTIONS["mod.question"])
    async def unlock(
        self, interaction: discord.Interaction, question: QuestionNumber | None = None
    ) -> None:
        await self._question(interaction, c.QuestionAction.UNLOCK, question=question)

    @mod.command(name="reopen", description=DESCRIPTIONS["mod.reopen"])
    @app_commands.describe(question=DESCRIPTIONS["mod.question"])
    async def reopen(
        self, interaction: discord.Interaction, question: QuestionNumber | None = None
    ) -> None:
        await self._question(interaction, c.QuestionAction.REOPEN, question=question)

    @mod.command(name="close", description=DESCRIPTIONS["mod.close"])
    @app_commands.describe(
        reason=DESCRIPTIONS["close.reason"], question=DESCRIPTIONS["mod.question"]
    )
    async def close(
        self,
        interaction: discord.Interaction,
        reason: Reason | None = None,
        question: QuestionNumber | None = None,
    ) -> None:
        await self._question(interaction, c.QuestionAction.CLOSE, question=question, reason=reason)

    @mod.command(name="duplicate", description=DESCRIPTIONS["mod.duplicate"])
    @app_commands.describe(
        original=DESCRIPTIONS["mod.duplicate.target"], question=DESCRIPTIONS["mod.question"]
    )
    async def duplicate(
        self,
        interaction: discord.Interaction,
        original: app_commands.Range[str, 1, 200],
        question: QuestionNumber | None = None,
    ) -> None:
        await self._question(
            interaction, c.QuestionAction.DUPLICATE, question=question, duplicate_of=original
        )

    @mod.command(name="delete", description=DESCRIPTIONS["mod.delete"])
    @app_commands.describe(question=DESCRIPTIONS["mod.question"], reason=DESCRIPTIONS["mod.reason"])
    async def delete(
        self,
        interaction: discord.Interaction,
        question: QuestionNumber | None = None,
        reason: Reason | None = None,
    ) -> None:
        await self._question(interaction, c.QuestionAction.DELETE, question=question, reason=reason)

    @mod.command(name="restore", description=DESCRIPTIONS["mod.restore"])
    @app_commands.describe(question=DESCRIPTIONS["mod.question"], reason=DESCRIPTIONS["mod.reason"])
    async def restore(
        self,
        interaction: discord.Interaction,
        question: QuestionNumber | None = None,
        reason: Reason | None = None,
    ) -> None:
        await self._question(
            interaction, c.QuestionAction.RESTORE, question=question, reason=reason
        )

    # -- reputation ---------------------------------------------------------------------------
    async def _points(
        self,
        interaction: discord.Interaction,
        reason: str | None,
        command: Callable[[Invocation], c.Command],
    ) -> None:
        """Run the reputation `command` made for this invocation; show the changes."""

        async with giving_back(reason):
            inv = self.invocation(interaction)
            result = await self.call_core(inv, command(inv))
        assert isinstance(result, ev.PointsChanged)
        await self._lines(inv, render.moderation(inv.texts).points(result))
        await self.client.outcomes.rewards(inv.interaction.guild, result.changes)

    async def _adjust(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User,
        points: int,
        reason: str,
    ) -> None:
        await self._points(
            interaction,
            reason,
            lambda inv: c.AdjustReputation(
                inv.actor, self.member_actor(inv, member), points, reason, event_id=inv.event_id
            ),
        )

    @rep.command(name="add", description=DESCRIPTIONS["mod.rep.add"])
    @app_commands.describe(
        member=DESCRIPTIONS["mod.member"],
        points=DESCRIPTIONS["mod.rep.points"],
        reason=DESCRIPTIONS["mod.reason"],
    )
    async def rep_add(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User,
        points: app_commands.Range[int, 1, MAX_POINTS],
        reason: Reason,
    ) -> None:
        await self._adjust(interaction, member, points, reason)

    @rep.command(name="remove", description=DESCRIPTIONS["mod.rep.remove"])
    @app_commands.describe(
        member=DESCRIPTIONS["mod.member"],
        points=DESCRIPTIONS["mod.rep.points"],
        reason=DESCRIPTIONS["mod.reason"],
    )
    async def rep_remove(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User,
        points: app_commands.Range[int, 1, MAX_POINTS],
        reason: Reason,
    ) -> None:
        await self._adjust(interaction, member, -points, reason)

    @rep.command(name="revert", description=DESCRIPTIONS["mod.rep.revert"])
    @app_commands.describe(entry=DESCRIPTIONS["mod.rep.entry"], reason=DESCRIPTIONS["mod.reason"])
    async def rep_revert(
        self,
        interaction: discord.Interaction,
        entry: app_commands.Range[int, 1],
        reason: Reason | None = None,
    ) -> None:
        await self._points(
            interaction,
            reason,
            lambda inv: c.RevertLedgerEntry(inv.actor, entry, reason, inv.event_id),
        )

    @rep.command(name="revert-period", description=DESCRIPTIONS["mod.rep.revert_period"])
    @app_commands.describe(
        member=DESCRIPTIONS["mod.member"],
        direction=DESCRIPTIONS["mod.rep.direction"],
        days=DESCRIPTIONS["mod.rep.days"],
        reason=DESCRIPTIONS["mod.reason"],
    )
    @app_commands.choices(direction=DIRECTIONS)
    async def rep_revert_period(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User,
        direction: app_commands.Choice[str],
        days: app_commands.Range[int, 1, 3650],
        reason: Reason | None = None,
    ) -> None:
        since = self.core.clock.now() - timedelta(days=days)
        await self._points(
            interaction,
            reason,
            lambda inv: c.RevertPeriod(
                inv.actor, self._ref(inv, member), c.FlowDirection(direction.value), since,
                reason=reason, event_id=inv.event_id,
            ),
        )  # fmt: skip

    @rep.command(name="suspicious", description=DESCRIPTIONS["mod.rep.suspicious"])
    async def rep_suspicious(self, interaction: discord.Interaction) -> None:
        inv = self.invocation(interaction)
        result = await self.call_core(inv, c.ShowSuspiciousPairs(inv.actor))
        assert isinstance(result, ev.SuspiciousPairsShown)
        await self._lines(inv, render.moderation(inv.texts).suspicious(result))

    # -- members ------------------------------------------------------------------------------
    @mod.command(name="helpban", description=DESCRIPTIONS["mod.helpban"])
    @app_commands.describe(
        member=DESCRIPTIONS["mod.member"],
        duration=DESCRIPTIONS["mod.helpban.duration"],
        reason=DESCRIPTIONS["mod.reason"],
    )
    async def helpban(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User,
        duration: app_commands.Range[str, 1, 20],
        reason: Reason | None = None,
    ) -> None:
        async with giving_back(reason):
            inv = self.invocation(interaction)
            command = c.HelpBanMember(
                inv.actor, self.member_actor(inv, member), duration, reason, event_id=inv.event_id
            )
            result = await self.call_core(inv, command)
        assert isinstance(result, ev.MemberHelpBanned)
        await reply(interaction, render.moderation(inv.texts).helpbanned(result))

    @mod.command(name="warn", description=DESCRIPTIONS["mod.warn"])
    @app_commands.describe(member=DESCRIPTIONS["mod.member"], reason=DESCRIPTIONS["mod.reason"])
    async def warn(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User,
        reason: Reason,
    ) -> None:
        async with giving_back(reason):
            inv = self.invocation(interaction)
            command = c.WarnMember(
                inv.actor, self.member_actor(inv, member), reason, event_id=inv.event_id
            )
            result = await self.call_core(inv, command)
        assert isinstance(result, ev.MemberWarned)
        await reply(interaction, render.moderation(inv.texts).warned(result))

    # -- records ------------------------------------------------------------------------------
    @mod.command(name="audit", description=DESCRIPTIONS["mod.audit"])
    @app_commands.describe(member=DESCRIPTIONS["mod.member"], question=DESCRIPTIONS["mod.question"])
    async def audit(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User | None = None,
        question: QuestionNumber | None = None,
    ) -> None:
        inv = self.invocation(interaction)
        ref = self._ref(inv, member) if member else None
        result = await self.call_core(inv, c.ShowAudit(inv.actor, ref, question))
        assert isinstance(result, ev.AuditShown)
        await self._lines(inv, render.moderation(inv.texts).audit(result))

    @mod.command(name="reports", description=DESCRIPTIONS["mod.reports"])
    async def reports(self, interaction: discord.Interaction) -> None:
        inv = self.invocation(interaction)
        result = await self.call_core(inv, c.ListReports(inv.actor))
        assert isinstance(result, ev.ReportsListed)
        await self._lines(inv, render.moderation(inv.texts).reports(result))

    @mod.command(name="reveal", description=DESCRIPTIONS["mod.reveal"])
    @app_commands.describe(
        question=DESCRIPTIONS["mod.reveal.question"], reason=DESCRIPTIONS["mod.reveal.reason"]
    )
    async def reveal(
        self,
        interaction: discord.Interaction,
        question: QuestionNumber,
        reason: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        async with giving_back(reason):
            inv = self.invocation(interaction)
            command = c.RevealAsker(inv.actor, question, reason, inv.event_id)
            result = await self.call_core(inv, command)
        assert isinstance(result, ev.AskerRevealed)
        await reply(interaction, render.presenter(inv.texts).revealed(result))

    # -- "Not a duplicate" on the core's duplicate notice ---------------------------------------
    @FeatureCog.listener("on_interaction")
    async def on_component(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        parsed = translate.parse_custom_id(str((interaction.data or {}).get("custom_id", "")))
        if parsed is None or parsed[0] not in self.COMPONENTS:
            return
        texts = self.client.texts_for_guild(interaction.guild)
        try:
            await self._not_duplicate(interaction)
        except Exception as exc:
            await report_error(interaction, exc, texts, "component notdup")

    async def _not_duplicate(self, interaction: discord.Interaction) -> None:
        inv = self.invocation(interaction)
        thread, ref = self.thread_of(interaction)
        result = await self.call_core(inv, c.NotDuplicate(inv.actor, ref, event_id=inv.event_id))
        assert isinstance(result, ev.QuestionModerated)
        text = render.moderation(inv.texts).question(result)
        await reply(interaction, text)
        await self.client.outcomes.announce(thread, text)
        if interaction.message is not None:
            await quietly(interaction.message.edit(view=None), "remove not-duplicate button")


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Moderation(client))
