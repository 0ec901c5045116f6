"""The App Home tab: the member's reputation and rank, the leaderboard, their open questions
(each linking to its thread) and a knowledge-base search box (the search re-publishes the tab with results)."""

from __future__ import annotations

import logging
from typing import Any

from adapters.slack import blocks
from adapters.slack.deps import Ack, SlackDeps, deps_of, start_interaction
from adapters.slack.guard import guarded
from adapters.slack.lifecycle import permalinks
from adapters.slack.translate import plain_text, team_id_of
from bot import commands as c
from bot import knowledge_base as kb
from bot.events import LeaderboardShown, QuestionsListed, ReputationShown
from bot.model import Period, Suggestion

log = logging.getLogger(__name__)


async def publish_home(
    deps: SlackDeps, community: str, user: str, kb_query: str | None = None
) -> None:
    p = deps.present(community)
    async with guarded(p, None, "slack App Home"):
        actor = await deps.people.actor(community, user)
        standing = await deps.bot.handle(c.ShowReputation(actor))
        board = await deps.bot.handle(c.ShowLeaderboard(actor, Period.ALL))
        mine = await deps.bot.handle(c.ListMyQuestions(actor))
        assert isinstance(standing, ReputationShown)
        assert isinstance(board, LeaderboardShown)
        assert isinstance(mine, QuestionsListed)
        found: tuple[Suggestion, ...] = ()
        if kb_query:
            searched = await deps.bot.handle(kb.SearchKnowledge(actor, kb_query))
            assert isinstance(searched, kb.KnowledgeFound)
            found = searched.results
        links = await permalinks(deps, mine.questions)
        view = blocks.home_view(
            p,
            standing=standing,
            board=board,
            mine=mine,
            kb_query=kb_query,
            kb_found=found,
            links=links,
        )
        await deps.out.publish_home(user, view)


async def on_app_home_opened(
    body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
) -> None:
    if event.get("tab") != "home" or not event.get("user"):
        return
    deps = deps_of(context)
    team = team_id_of(body)
    community = deps.community(team)
    if community is not None:
        await publish_home(deps, community, str(event["user"]))
    elif team:
        # A workspace no community names: the tab says so, with the line to add, instead of
        # staying blank (see `SlackDeps.turn_away` for commands and questions).
        view = {"type": "home", "blocks": [blocks.section(deps.not_set_up(team))]}
        await deps.out.publish_home(str(event["user"]), view)


async def on_home_search(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]
) -> None:
    who = await start_interaction(ack, body, context)
    if who is not None:
        query = plain_text(str(action.get("value") or ""))
        await publish_home(who.deps, who.community, who.user, query or None)
