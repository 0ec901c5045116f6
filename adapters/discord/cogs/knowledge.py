"""`/kb`: search and show for everyone; add, edit, remove, undo and promote for moderators.

The cog only translates: the core decides who may change the knowledge base and audits every
refusal, so there is no permission guard here (a guard in front would skip the audit), and
every refusal reaches the member privately through the tree's one error handler. Long article
texts go through a form (modal) answered by a custom-id listener, like the report form, so a
restart between opening and sending it loses nothing. An article's text or a reason that the
core did not keep (refused, or failed before) comes back to the member with the error.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from adapters.discord import render, translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog, Invocation
from adapters.discord.read_back import ReadBack, read_back
from adapters.discord.replies import giving_back, reply, report_error, send_reply
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev
from bot import knowledge_base as kb
from bot.errors import DomainError
from bot.model import QuestionStatus, Suggestion, ThreadRef

log = logging.getLogger(__name__)

SEARCH_LIMIT = 5
MAX_CHOICE_VALUE = 100
ADD_FORM = "kbadd"
EDIT_FORM = "kbedit"

Query = app_commands.Range[str, 1, 200]
ItemId = app_commands.Range[str, 1, 100]
Title = app_commands.Range[str, 1, 400]
Body = app_commands.Range[str, 1, 6000]  # Discord's cap on a string option
Tags = app_commands.Range[str, 1, 1000]
Reason = app_commands.Range[str, 1, 500]


def tag_list(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(t.strip() for t in text.split(",") if t.strip())


def choices(
    found: list[Suggestion], *, value_is_title: bool = False
) -> list[app_commands.Choice[str]]:
    """Autocomplete choices: names and values at most 100 characters (a longer id is left out
    rather than cut, since a cut id would name nothing)."""

    out = []
    for s in found:
        value = render.choice_name(s) if value_is_title else s.id
        if not value or len(value) > MAX_CHOICE_VALUE:
            continue
        out.append(app_commands.Choice(name=render.choice_name(s), value=value))
        if len(out) == render.MAX_CHOICES:
            break
    return out


class Knowledge(FeatureCog):
    COMPONENTS = frozenset({ADD_FORM, EDIT_FORM})
    kb = app_commands.Group(name="kb", description=DESCRIPTIONS["kb"], guild_only=True)

    # -- autocomplete -------------------------------------------------------------------------
    async def _titles(
        self, interaction: discord.Interaction, current: str, *, articles_only: bool = False
    ) -> list[Suggestion]:
        community = self.client.community_of(interaction.guild)
        if community is None or not current.strip():
            return []
        try:
            found = self.core.knowledge.titles(community, current, render.MAX_CHOICES)
            if not found:
                found = await self.core.suggestions_for(
                    community, current, limit=render.MAX_CHOICES
                )
        except Exception:
            log.exception("autocomplete search failed")
            return []
        return [s for s in found if not articles_only or s.kind == "article"]

    async def _any_item(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(await self._titles(interaction, current))

    async def _an_article(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(await self._titles(interaction, current, articles_only=True))

    # -- members ------------------------------------------------------------------------------
    @kb.command(name="search", description=DESCRIPTIONS["kb.search"])
    @app_commands.describe(query=DESCRIPTIONS["kb.search.query"])
    async def search(self, interaction: discord.Interaction, query: Query) -> None:
        inv = self.invocation(interaction)
        await self.defer(interaction)
        result = await self.core.handle(kb.SearchKnowledge(inv.actor, query, SEARCH_LIMIT))
        assert isinstance(result, kb.KnowledgeFound)
        links = await self._question_links(inv, result)
        await send_reply(interaction, render.kb_found(inv.texts, result, links))

    @search.autocomplete("query")
    async def _search_titles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(await self._titles(interaction, current), value_is_title=True)

    async def _question_links(self, inv: Invocation, result: kb.KnowledgeFound) -> dict[str, str]:
        """Jump links to the threads of the solved questions found (a question the member may
        not see, or one that vanished since, simply gets no link)."""

        guild = inv.interaction.guild
        links: dict[str, str] = {}
        for s in result.results:
            if s.kind != "question" or guild is None:
                continue
            try:
                shown = await self.core.handle(kb.ShowKnowledge(inv.actor, s.id))
            except DomainError:
                continue
            if isinstance(shown, ev.QuestionShown) and shown.question.thread_id:
                links[s.id] = render.jump_url(guild.id, shown.question.thread_id)
        return links

    @kb.command(name="show", description=DESCRIPTIONS["kb.show"])
    @app_commands.describe(id=DESCRIPTIONS["kb.show.id"])
    @app_commands.autocomplete(id=_any_item)
    async def show(self, interaction: discord.Interaction, id: ItemId) -> None:  # noqa: A002
        inv = self.invocation(interaction)
        await self.defer(interaction)
        result = await self.core.handle(kb.ShowKnowledge(inv.actor, id))
        if isinstance(result, ev.QuestionShown):
            guild_id = interaction.guild.id if interaction.guild else None
            await send_reply(interaction, render.question_card(inv.texts, result, guild_id))
            return
        assert isinstance(result, kb.ArticleShown)
        await send_reply(interaction, render.kb_article(inv.texts, result))

    # -- moderators ---------------------------------------------------------------------------
    async def _change(self, inv: Invocation, command: object) -> None:
        await self._changed(inv, await self.call_core(inv, command))  # type: ignore[arg-type]

    @staticmethod
    async def _changed(inv: Invocation, result: ev.Result) -> None:
        assert isinstance(result, kb.ArticleChanged)
        await reply(inv.interaction, render.kb_changed(inv.texts, result))

    @kb.command(name="add", description=DESCRIPTIONS["kb.add"])
    @app_commands.describe(
        title=DESCRIPTIONS["kb.title"], body=DESCRIPTIONS["kb.body"], tags=DESCRIPTIONS["kb.tags"]
    )
    async def add(
        self,
        interaction: discord.Interaction,
        title: Title,
        body: Body | None = None,
        tags: Tags | None = None,
    ) -> None:
        async with giving_back(body):
            inv = self.invocation(interaction)
            if body is None:
                # No text given: a form with room for it (a slash option is one line).
                form = render.kb_form(
                    inv.texts, translate.custom_id(ADD_FORM), title=title, tags=tags or ""
                )
                await interaction.response.send_modal(form)
                return
            command = kb.AddArticle(
                inv.actor, title, body, tags=tag_list(tags) or (), event_id=inv.event_id
            )
            result = await self.call_core(inv, command)
        await self._changed(inv, result)

    @kb.command(name="edit", description=DESCRIPTIONS["kb.edit"])
    @app_commands.describe(
        id=DESCRIPTIONS["kb.id"], title=DESCRIPTIONS["kb.title"], body=DESCRIPTIONS["kb.body"],
        tags=DESCRIPTIONS["kb.tags"], reason=DESCRIPTIONS["kb.reason"],
    )  # fmt: skip
    @app_commands.autocomplete(id=_an_article)
    async def edit(
        self,
        interaction: discord.Interaction,
        id: ItemId,  # noqa: A002
        title: Title | None = None,
        body: Body | None = None,
        tags: Tags | None = None,
        reason: Reason | None = None,
    ) -> None:
        async with giving_back(body, reason):
            inv = self.invocation(interaction)
            if title is None and body is None and tags is None:
                await self._edit_form(inv, id, reason)
                return
            command = kb.EditArticle(
                inv.actor, id, title=title, body=body, tags=tag_list(tags), reason=reason,
                event_id=inv.event_id,
            )  # fmt: skip
            result = await self.call_core(inv, command)
        await self._changed(inv, result)

    async def _edit_form(self, inv: Invocation, item: str, reason: str | None) -> None:
        """The edit form, filled with the article as it is and the reason given, if any (the
        core refuses members, and audits it, before any form opens)."""

        if not inv.actor.is_moderator:
            # Let the core refuse (and audit) a member: an edit that changes nothing.
            await self._change(inv, kb.EditArticle(inv.actor, item, event_id=inv.event_id))
            return
        shown = await self.core.handle(kb.ShowKnowledge(inv.actor, item))
        if not isinstance(shown, kb.ArticleShown) or shown.article.is_deleted:
            raise kb.ArticleNotFound(id=item[:100])
        article = shown.article
        form = render.kb_form(
            inv.texts, translate.custom_id(EDIT_FORM), article_id=article.doc_id,
            title=article.title, body=article.body, tags=", ".join(article.content.tags),
            reason=reason or "",
        )  # fmt: skip
        await inv.interaction.response.send_modal(form)

    @kb.command(name="remove", description=DESCRIPTIONS["kb.remove"])
    @app_commands.describe(id=DESCRIPTIONS["kb.id"], reason=DESCRIPTIONS["kb.reason"])
    @app_commands.autocomplete(id=_an_article)
    async def remove(
        self,
        interaction: discord.Interaction,
        id: ItemId,  # noqa: A002
        reason: Reason | None = None,
    ) -> None:
        async with giving_back(reason):
            inv = self.invocation(interaction)
            result = await self.call_core(
                inv, kb.RemoveArticle(inv.actor, id, reason, inv.event_id)
            )
        await self._changed(inv, result)

    @kb.command(name="undo", description=DESCRIPTIONS["kb.undo"])
    @app_commands.describe(id=DESCRIPTIONS["kb.id"])
    async def undo(self, interaction: discord.Interaction, id: ItemId) -> None:  # noqa: A002
        inv = self.invocation(interaction)
        await self._change(inv, kb.UndoArticleChange(inv.actor, id, inv.event_id))

    @kb.command(name="promote", description=DESCRIPTIONS["kb.promote"])
    @app_commands.describe(
        question=DESCRIPTIONS["kb.promote.question"], title=DESCRIPTIONS["kb.promote.title"]
    )
    async def promote(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[int, 1] | None = None,
        title: Title | None = None,
    ) -> None:
        inv = self.invocation(interaction)
        thread: ThreadRef | None = None
        if question is None:
            _, thread = self.thread_of(interaction)
        await self.defer(interaction)
        read = await self._read_back(inv, question, thread)
        command = kb.PromoteQuestion(
            inv.actor, question_id=question, thread=thread, title=title, event_id=inv.event_id,
            answer_texts=read.answers, question_text=read.question,
        )  # fmt: skip
        await self._change(inv, command)

    async def _read_back(
        self, inv: Invocation, question_id: int | None, thread: ThreadRef | None
    ) -> ReadBack:
        """The question and its accepted answers as they read in the thread now (see
        `read_back`). Only a moderator's promote of a solved question reads anything: the
        core refuses any other, and each read is one API call."""

        if not inv.actor.moderates:
            return ReadBack()  # the core refuses the promote: nothing to read for it
        guild = inv.interaction.guild
        try:
            shown = await self.core.handle(c.ShowQuestion(inv.actor, question_id, thread))
        except DomainError:
            return ReadBack()  # the promote itself says what is wrong
        if (
            guild is None
            or not isinstance(shown, ev.QuestionShown)
            or shown.question.status is not QuestionStatus.SOLVED
        ):
            return ReadBack()
        return await read_back(self.client, guild, inv.texts, shown)

    # -- the article form ---------------------------------------------------------------------
    @FeatureCog.listener("on_interaction")
    async def on_kb_form(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        parsed = translate.parse_custom_id(str((interaction.data or {}).get("custom_id", "")))
        if parsed is None or parsed[0] not in self.COMPONENTS:
            return
        texts = self.client.texts_for_guild(interaction.guild)
        try:
            await self._submitted(interaction, parsed[0])
        except Exception as exc:
            await report_error(interaction, exc, texts, f"kb {parsed[0]} form")

    async def _submitted(self, interaction: discord.Interaction, form: str) -> None:
        values = translate.modal_values(interaction.data or {})
        title = values.get(render.KB_FORM_TITLE, "")
        body = values.get(render.KB_FORM_BODY, "")
        tags = tag_list(values.get(render.KB_FORM_TAGS, ""))
        reason = values.get(render.KB_FORM_REASON, "")
        # The form is gone once sent: the text not kept comes back (a title is one line).
        async with giving_back(body, reason):
            inv = self.invocation(interaction)
            command: object
            if form == ADD_FORM:
                command = kb.AddArticle(
                    inv.actor, title, body, tags=tags or (), event_id=inv.event_id
                )
            else:
                command = kb.EditArticle(
                    inv.actor, values.get(render.KB_FORM_ID, ""), title=title or None,
                    body=body or None, tags=tags, reason=reason or None, event_id=inv.event_id,
                )  # fmt: skip
            result = await self.call_core(inv, command)  # type: ignore[arg-type]
        await self._changed(inv, result)


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Knowledge(client))
