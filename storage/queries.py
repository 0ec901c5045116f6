"""Read-only bulk queries used at start-up (e.g. to build search indexes)."""

from __future__ import annotations

from sqlalchemy import select

from bot.model import QuestionStatus
from storage.database import Database
from storage.models import QuestionRow


async def solved_questions(database: Database) -> list[tuple[str, int, str, str]]:
    q = QuestionRow.__table__.c
    async with database.connect() as conn:
        rows = await conn.execute(
            select(q.community, q.id, q.title, q.body).where(
                q.status == QuestionStatus.SOLVED.value,
                q.deleted_at.is_(None),  # soft-deleted by a moderator: hidden from search
            )
        )
        return [(r.community, r.id, r.title, r.body) for r in rows]
