"""The moderation port in SQL: audit log, help bans, thanks records, reports, ledger reads.

Same rules as storage/repositories.py: SQLAlchemy Core on the unit of work's connection, no
commits, frozen dataclasses out. The audit log and the thanks table are only ever inserted
into.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update

from bot.model import (
    AuditEntry,
    AuditOutcome,
    DeleteKind,
    HelpBan,
    LedgerEntry,
    LedgerReason,
    Member,
    NewAuditEntry,
    PointFlow,
    Report,
    ReportStatus,
)
from storage.models import AuditLogRow, HelpBanRow, ReportRow, ThanksRow, fits_id
from storage.repositories import (
    Conn,
    _entry,
    _member,
    _member_cols,
    _not_reversed,
    ledger_t,
    members_t,
    prepared,
    questions_t,
)

audit_t = AuditLogRow.__table__
helpbans_t = HelpBanRow.__table__
thanks_t = ThanksRow.__table__
reports_t = ReportRow.__table__

_actor = members_t.alias("audit_actor")
_target = members_t.alias("audit_target")
_author = members_t.alias("report_author")

# Reasons by which one member makes another earn points; what "given" means.
_GIVEN = (LedgerReason.THANKS.value, LedgerReason.ACCEPTED_ANSWER.value)


def _report(row: Row[Any]) -> Report:
    m = row._mapping
    c = reports_t.c
    return Report(
        id=m[c.id],
        community=m[c.community],
        platform=m[c.platform],
        reporter_id=m[c.reporter_id],
        author=_member(row, prefix="rau__") if m["rau__id"] is not None else None,
        channel_id=m[c.channel_id],
        message_id=m[c.message_id],
        excerpt=m[c.excerpt],
        reason=m[c.reason],
        status=ReportStatus(m[c.status]),
        created_at=m[c.created_at],
        question_id=m[c.question_id],
        resolved_by_id=m[c.resolved_by_id],
        resolved_at=m[c.resolved_at],
        post_ref=m[c.post_ref],
    )


def _report_query() -> Any:
    return select(reports_t, *_member_cols(_author, "rau__")).outerjoin(
        _author, _author.c.id == reports_t.c.author_id
    )


def _not_reverted() -> Any:
    """The thanks' points were not taken back by a moderator: a reverted thanks no longer
    counts toward the giver's limits or the reciprocal cooldown."""

    return _not_reversed(thanks_t.c.ledger_id)


class SqlModerationRepository:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._locks = conn.dialect.name == "postgresql"

    # -- audit -------------------------------------------------------------------------
    async def audit(self, entry: NewAuditEntry, at: datetime) -> int:
        return (
            await self.conn.execute(
                audit_t.insert()
                .values(
                    community=entry.community,
                    actor_id=entry.actor_id,
                    action=entry.action,
                    outcome=entry.outcome.value,
                    target_member_id=entry.target_member_id,
                    target_hidden=entry.target_hidden,
                    question_id=entry.question_id,
                    ledger_id=entry.ledger_id,
                    report_id=entry.report_id,
                    reason=entry.reason[:800] if entry.reason else None,
                    detail=entry.detail[:400] if entry.detail else None,
                    created_at=at,
                )
                .returning(audit_t.c.id)
            )
        ).scalar_one()

    async def audit_entries(
        self, community: str, *, member_id: int | None, question_id: int | None, limit: int
    ) -> list[AuditEntry]:
        stmt = (
            select(audit_t, *_member_cols(_actor, "act__"), *_member_cols(_target, "tgt__"))
            .outerjoin(_actor, _actor.c.id == audit_t.c.actor_id)
            .outerjoin(_target, _target.c.id == audit_t.c.target_member_id)
            .where(audit_t.c.community == community)
        )
        if member_id is not None:
            stmt = stmt.where(
                (audit_t.c.target_member_id == member_id) | (audit_t.c.actor_id == member_id)
            )
        if question_id is not None:
            if not fits_id(question_id):
                return []
            stmt = stmt.where(audit_t.c.question_id == question_id)
        rows = await self.conn.execute(stmt.order_by(audit_t.c.id.desc()).limit(limit))
        out = []
        for r in rows:
            m = r._mapping
            c = audit_t.c
            out.append(
                AuditEntry(
                    id=m[c.id],
                    actor=_member(r, prefix="act__") if m["act__id"] is not None else None,
                    action=m[c.action],
                    outcome=AuditOutcome(m[c.outcome]),
                    created_at=m[c.created_at],
                    target=_member(r, prefix="tgt__") if m["tgt__id"] is not None else None,
                    target_hidden=bool(m[c.target_hidden]),
                    question_id=m[c.question_id],
                    ledger_id=m[c.ledger_id],
                    report_id=m[c.report_id],
                    reason=m[c.reason],
                    detail=m[c.detail],
                )
            )
        return out

    async def count_actions(self, target_member_id: int, action: str) -> int:
        return int(
            (
                await self.conn.execute(
                    select(func.count()).where(
                        audit_t.c.target_member_id == target_member_id,
                        audit_t.c.action == action,
                        audit_t.c.outcome == AuditOutcome.DONE.value,
                    )
                )
            ).scalar_one()
        )

    # -- help bans ---------------------------------------------------------------------
    async def add_helpban(
        self,
        community: str,
        member_id: int,
        actor_id: int,
        reason: str | None,
        at: datetime,
        expires_at: datetime,
    ) -> HelpBan:
        ban_id = (
            await self.conn.execute(
                helpbans_t.insert()
                .values(
                    community=community,
                    member_id=member_id,
                    actor_id=actor_id,
                    reason=reason,
                    created_at=at,
                    expires_at=expires_at,
                )
                .returning(helpbans_t.c.id)
            )
        ).scalar_one()
        return HelpBan(ban_id, member_id, expires_at, reason)

    async def active_helpban(self, member_id: int, at: datetime) -> HelpBan | None:
        stmt = prepared(
            self.conn,
            "helpbans.active",
            lambda: (
                select(helpbans_t)
                .where(
                    helpbans_t.c.member_id == bindparam("mid"),
                    helpbans_t.c.created_at <= bindparam("at", type_=helpbans_t.c.created_at.type),
                    helpbans_t.c.expires_at > bindparam("at", type_=helpbans_t.c.expires_at.type),
                )
                .order_by(helpbans_t.c.expires_at.desc())
                .limit(1)
            ),
        )
        row = (await self.conn.execute(stmt, {"mid": member_id, "at": at})).first()
        return HelpBan(row.id, row.member_id, row.expires_at, row.reason) if row else None

    # -- thanks ------------------------------------------------------------------------
    # A thank-you is a chat message: these statements are prepared like the rest of the
    # per-message path (see storage.repositories.prepared).

    async def lock_giver(self, member: Member) -> None:
        # SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL needs the row lock.
        if self._locks:
            stmt = prepared(
                self.conn,
                "members.lock",
                lambda: (
                    select(members_t.c.id)
                    .where(members_t.c.id == bindparam("mid"))
                    .with_for_update()
                ),
            )
            await self.conn.execute(stmt, {"mid": member.id})

    async def add_thanks(
        self,
        community: str,
        giver_id: int,
        receiver_id: int,
        question_id: int | None,
        points: int,
        ledger_id: int | None,
        at: datetime,
    ) -> None:
        values = {
            "community": community,
            "giver_id": giver_id,
            "receiver_id": receiver_id,
            "question_id": question_id,
            "points": points,
            "ledger_id": ledger_id,
            "created_at": at,
        }
        await self.conn.execute(prepared(self.conn, "thanks.add", thanks_t.insert), values)

    async def thanks_given_since(self, giver_id: int, since: datetime) -> int:
        stmt = prepared(
            self.conn,
            "thanks.given_since",
            lambda: select(func.count()).where(
                thanks_t.c.giver_id == bindparam("giver"),
                thanks_t.c.points > 0,
                thanks_t.c.created_at > bindparam("since"),
                _not_reverted(),
            ),
        )
        count = (await self.conn.execute(stmt, {"giver": giver_id, "since": since})).scalar_one()
        return int(count)

    async def thanked_since(self, giver_id: int, receiver_id: int, since: datetime) -> bool:
        stmt = prepared(
            self.conn,
            "thanks.pair_since",
            lambda: (
                select(thanks_t.c.id)
                .where(
                    thanks_t.c.giver_id == bindparam("giver"),
                    thanks_t.c.receiver_id == bindparam("receiver"),
                    thanks_t.c.points > 0,
                    thanks_t.c.created_at > bindparam("since"),
                    _not_reverted(),
                )
                .limit(1)
            ),
        )
        params = {"giver": giver_id, "receiver": receiver_id, "since": since}
        return (await self.conn.execute(stmt, params)).first() is not None

    async def already_thanked(self, question_id: int, giver_id: int, receiver_id: int) -> bool:
        stmt = prepared(
            self.conn,
            "thanks.in_question",
            lambda: (
                select(thanks_t.c.id)
                .where(
                    thanks_t.c.question_id == bindparam("qid"),
                    thanks_t.c.giver_id == bindparam("giver"),
                    thanks_t.c.receiver_id == bindparam("receiver"),
                )
                .limit(1)
            ),
        )
        params = {"qid": question_id, "giver": giver_id, "receiver": receiver_id}
        return (await self.conn.execute(stmt, params)).first() is not None

    # -- ledger reads ------------------------------------------------------------------
    async def ledger_entry(self, community: str, entry_id: int) -> LedgerEntry | None:
        if not fits_id(entry_id):
            return None
        row = (
            await self.conn.execute(
                select(ledger_t).where(ledger_t.c.id == entry_id, ledger_t.c.community == community)
            )
        ).first()
        return _entry(row) if row else None

    async def is_reversed(self, entry_id: int) -> bool:
        row = (
            await self.conn.execute(select(ledger_t.c.id).where(ledger_t.c.reverses_id == entry_id))
        ).first()
        return row is not None

    def _unreversed(self) -> Any:
        return (
            ledger_t.c.reverses_id.is_(None),
            ledger_t.c.reason != LedgerReason.REVERSAL.value,
            _not_reversed(ledger_t.c.id),
        )

    async def unreversed_entries(
        self,
        community: str,
        member_id: int,
        *,
        direction: str,
        since: datetime,
        until: datetime | None,
    ) -> list[LedgerEntry]:
        received = ledger_t.c.member_id == member_id
        given = (ledger_t.c.actor_id == member_id) & ledger_t.c.reason.in_(_GIVEN)
        who = {"received": received, "given": given}.get(direction, received | given)
        stmt = select(ledger_t).where(
            ledger_t.c.community == community,
            who,
            ledger_t.c.created_at >= since,
            *self._unreversed(),
        )
        if until is not None:
            stmt = stmt.where(ledger_t.c.created_at < until)
        rows = await self.conn.execute(stmt.order_by(ledger_t.c.id))
        return [_entry(r) for r in rows]

    async def point_flows(self, community: str, since: datetime) -> list[PointFlow]:
        rows = await self.conn.execute(
            select(ledger_t.c.actor_id, ledger_t.c.member_id, func.sum(ledger_t.c.delta))
            .where(
                ledger_t.c.community == community,
                ledger_t.c.reason.in_(_GIVEN),
                ledger_t.c.actor_id.is_not(None),
                ledger_t.c.actor_id != ledger_t.c.member_id,
                ledger_t.c.created_at >= since,
                *self._unreversed(),
            )
            .group_by(ledger_t.c.actor_id, ledger_t.c.member_id)
        )
        return [PointFlow(int(a), int(m), int(p)) for a, m, p in rows if p and p > 0]

    async def members_by_ids(self, ids: Sequence[int]) -> dict[int, Member]:
        if not ids:
            return {}
        rows = await self.conn.execute(select(members_t).where(members_t.c.id.in_(list(ids))))
        return {m.id: m for m in (_member(r) for r in rows)}

    # -- questions ---------------------------------------------------------------------
    async def set_locked(self, question_id: int, at: datetime | None) -> None:
        await self.conn.execute(
            update(questions_t).where(questions_t.c.id == question_id).values(locked_at=at)
        )

    async def set_deleted(
        self, question_id: int, at: datetime | None, kind: DeleteKind | None = None
    ) -> None:
        await self.conn.execute(
            update(questions_t)
            .where(questions_t.c.id == question_id)
            .values(deleted_at=at, delete_kind=kind.value if kind else None)
        )

    # -- reports -----------------------------------------------------------------------
    async def add_report(
        self,
        *,
        community: str,
        platform: str,
        reporter_id: int,
        author: Member | None,
        channel_id: str,
        message_id: str,
        excerpt: str,
        reason: str,
        question_id: int | None,
        at: datetime,
    ) -> Report:
        report_id = (
            await self.conn.execute(
                reports_t.insert()
                .values(
                    community=community,
                    platform=platform,
                    reporter_id=reporter_id,
                    author_id=author.id if author else None,
                    channel_id=channel_id,
                    message_id=message_id,
                    excerpt=excerpt,
                    reason=reason,
                    question_id=question_id,
                    status=ReportStatus.OPEN.value,
                    created_at=at,
                )
                .returning(reports_t.c.id)
            )
        ).scalar_one()
        return Report(
            report_id, community, platform, reporter_id, author, channel_id, message_id,
            excerpt, reason, ReportStatus.OPEN, at, question_id,
        )  # fmt: skip

    async def set_report_post(self, report_id: int, post_ref: str) -> None:
        await self.conn.execute(
            update(reports_t).where(reports_t.c.id == report_id).values(post_ref=post_ref)
        )

    async def get_report(
        self, community: str, report_id: int, *, for_update: bool = False
    ) -> Report | None:
        if not fits_id(report_id):
            return None
        stmt = _report_query().where(
            reports_t.c.id == report_id, reports_t.c.community == community
        )
        if for_update and self._locks:
            stmt = stmt.with_for_update(of=reports_t)
        row = (await self.conn.execute(stmt)).first()
        return _report(row) if row else None

    async def reports_since(self, reporter_id: int, since: datetime) -> int:
        return int(
            (
                await self.conn.execute(
                    select(func.count()).where(
                        reports_t.c.reporter_id == reporter_id, reports_t.c.created_at > since
                    )
                )
            ).scalar_one()
        )

    async def already_reported(self, reporter_id: int, platform: str, message_id: str) -> bool:
        row = (
            await self.conn.execute(
                select(reports_t.c.id).where(
                    reports_t.c.reporter_id == reporter_id,
                    reports_t.c.platform == platform,
                    reports_t.c.message_id == message_id,
                )
            )
        ).first()
        return row is not None

    async def resolve_report(
        self, report_id: int, status: ReportStatus, actor_id: int | None, at: datetime
    ) -> Report | None:
        changed = await self.conn.execute(
            update(reports_t)
            .where(reports_t.c.id == report_id, reports_t.c.status == ReportStatus.OPEN.value)
            .values(status=status.value, resolved_by_id=actor_id, resolved_at=at)
        )
        if changed.rowcount == 0:
            return None  # resolved meanwhile (by another moderator, or a deletion)
        row = (await self.conn.execute(_report_query().where(reports_t.c.id == report_id))).one()
        return _report(row)

    async def open_reports_on(
        self,
        community: str,
        platform: str,
        message_id: str | None = None,
        *,
        question_id: int | None = None,
    ) -> list[Report]:
        if message_id is None and question_id is None:
            raise ValueError("name a message or a question")
        where = [
            reports_t.c.community == community,
            reports_t.c.platform == platform,
            reports_t.c.status == ReportStatus.OPEN.value,
        ]
        if message_id is not None:
            where.append(reports_t.c.message_id == message_id)
        if question_id is not None:
            where.append(reports_t.c.question_id == question_id)
        stmt = _report_query().where(*where).order_by(reports_t.c.id)
        if self._locks:  # (in id order, so two resolvers never deadlock on them)
            stmt = stmt.with_for_update(of=reports_t)
        rows = await self.conn.execute(stmt)
        return [_report(r) for r in rows]

    async def open_reports(self, community: str, limit: int) -> list[Report]:
        rows = await self.conn.execute(
            _report_query()
            .where(
                reports_t.c.community == community,
                reports_t.c.status == ReportStatus.OPEN.value,
            )
            .order_by(reports_t.c.id)
            .limit(limit)
        )
        return [_report(r) for r in rows]
