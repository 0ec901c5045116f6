"""A report's post in the moderators' channel shows when the report is handled, however it
was: its Dismiss / Delete / Warn buttons go and a line says how and by whom.

The platform's sender posts the report (`ChannelPost`, key `report.posted*`) and records
where the post is (`RecordReportPost`). Whenever a committed result resolves reports (a
moderator's `ResolveReport` from a button or `/mod report`, the other open reports on a
message it deleted, or the platform deleting the reported message, thread or channel),
`after_write` adds a `ReportPostUpdate` for each resolved report with a recorded post. A
post already marked (by the button that resolved it) is left as it is by the sender.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.audit import is_hidden_asker
from bot.commands import ResolveReport
from bot.events import DeletedOnPlatform, ReportResolved
from bot.model import Report
from bot.outbound import Outbound, ReportPostUpdate
from bot.ports import UnitOfWork
from bot.questions import Context


@dataclass(frozen=True, slots=True)
class RecordReportPost:
    """Where the platform's sender posted report `report_id` in the moderators' channel
    (its own reference, e.g. "channel:message"). No actor: the bot itself posted it."""

    platform: str
    community: str
    report_id: int
    post_ref: str


@dataclass(frozen=True, slots=True)
class ReportPostRecorded:
    report_id: int
    recorded: bool  # False: no such report in that community and platform
    # The report was resolved while its post was on its way: the post is marked at once.
    outbound: tuple[Outbound, ...] = ()


async def record(cmd: RecordReportPost, uow: UnitOfWork, ctx: Context) -> ReportPostRecorded:
    """Keep where the post is. The report's row is locked first: a resolution committed
    while the post was being sent (it found no post to mark) is seen, and the post is
    marked now; one committed after this sees the post."""

    report = await uow.moderation.get_report(cmd.community, cmd.report_id, for_update=True)
    if report is None or report.platform != cmd.platform or not cmd.post_ref:
        return ReportPostRecorded(cmd.report_id, False)
    await uow.moderation.set_report_post(report.id, cmd.post_ref[:200])
    report = replace(report, post_ref=cmd.post_ref[:200])
    if report.resolved_at is None:
        return ReportPostRecorded(report.id, True)
    moderator, hidden = None, False  # (no resolver: the platform's deletion resolved it)
    if report.resolved_by_id is not None:
        # A member row is never deleted; a resolver not found is shown as "a moderator".
        found = await uow.moderation.members_by_ids([report.resolved_by_id])
        resolver = found.get(report.resolved_by_id)
        question = await uow.questions.get(report.question_id) if report.question_id else None
        moderator = resolver.ref.id if resolver is not None else ""
        hidden = resolver is None or is_hidden_asker(resolver, question)
    update = _update(report, moderator, hidden)
    return ReportPostRecorded(report.id, True, (update,) if update is not None else ())


def _update(report: Report, moderator_id: str | None, hidden: bool) -> ReportPostUpdate | None:
    if report.post_ref is None or report.resolved_at is None:
        return None
    return ReportPostUpdate(
        report.community, report.platform, report.post_ref, report.id, report.status.value,
        author=report.author.display_name if report.author else "",
        moderator_id=moderator_id, hidden=hidden,
    )  # fmt: skip


async def after_write(command: Any, result: Any, uow: UnitOfWork, ctx: Context) -> Any:
    if isinstance(result, ReportResolved) and isinstance(command, ResolveReport):
        ids = (result.report.id, *result.also_resolved)
        moderator: str | None = command.actor.ref.id
        hidden = result.resolver_hidden
    elif isinstance(result, DeletedOnPlatform) and result.reports:
        ids, moderator, hidden = result.reports, None, False
    else:
        return result
    community = str(command.community) if isinstance(result, DeletedOnPlatform) else None
    updates = []
    for report_id in ids:
        report = await uow.moderation.get_report(community or result.report.community, report_id)
        update = _update(report, moderator, hidden) if report is not None else None
        if update is not None:
            updates.append(update)
    if not updates:
        return result
    return replace(result, outbound=(*result.outbound, *updates))


READS: dict[type, Any] = {}
WRITES = {RecordReportPost: record}
AFTER_WRITE = after_write
