"""The composition root: the one place that wires storage, knowledge and adapters to the core.

Everything else in `bot/` is platform- and ORM-free; this module (and `bot.cli`, which calls
it) is allowed to import outward.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import SystemClock
from bot.config import Config
from bot.i18n import Catalog
from bot.ports import Clock, KnowledgeSearch
from bot.service import CommunityBot

if TYPE_CHECKING:  # typing only: importing the core must not load the ORM
    from storage.database import Database

log = logging.getLogger(__name__)


@dataclass
class App:
    bot: CommunityBot
    database: Database
    knowledge: KnowledgeSearch

    async def close(self) -> None:
        close_knowledge = getattr(self.knowledge, "close", None)  # background embedding
        if close_knowledge is not None:
            await close_knowledge()
        await self.database.dispose()


async def bootstrap(
    config: Config,
    *,
    clock: Clock | None = None,
    knowledge: KnowledgeSearch | None = None,
    migrate: bool = True,
    database_options: dict[str, object] | None = None,
) -> App:
    """Build the core with its storage and knowledge base; create/upgrade the schema."""

    from knowledge.service import build_knowledge
    from storage.database import Database

    clock = clock or SystemClock()
    database = Database(
        config.database.url, clock=clock, echo=config.database.echo, **(database_options or {})
    )
    if migrate:
        await database.upgrade()
    if knowledge is None:
        knowledge = await build_knowledge(config, database)
    bot = CommunityBot(
        config=config,
        uow_factory=database.uow,
        clock=clock,
        knowledge=knowledge,
        catalog=Catalog(),
    )
    return App(bot=bot, database=database, knowledge=knowledge)
