"""Platform-neutral text for thanks, reports and moderator results (see bot/presenters.py).

Adapters wrap their `Presenter` in this one; how a member is shown stays the adapter's
choice (the wrapped presenter's `name`).
"""

from __future__ import annotations

from datetime import datetime

from bot.audit import PLATFORM_PREFIX
from bot.events import (
    AnswerWithdrawn,
    AuditShown,
    MemberHelpBanned,
    MemberWarned,
    PointsChanged,
    QuestionModerated,
    ReportFiled,
    ReportResolved,
    ReportsListed,
    SuspiciousPairsShown,
    ThanksGiven,
)
from bot.model import AuditEntry
from bot.outbound import ChannelPost, DirectMessage, ReportPostUpdate, ThreadPost
from bot.presenters import Presenter


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M}"


class ModerationPresenter:
    def __init__(self, presenter: Presenter) -> None:
        self.p = presenter

    def t(self, key: str, **params: object) -> str:
        return self.p.t(key, **params)

    def thanks(self, result: ThanksGiven) -> str:
        """For the giver (privately): what their thanks earned."""

        name = self.p.name(result.receiver)
        if result.change is not None:
            return self.t("thanks.given", member=name, points=result.change.delta)
        why = self.t(f"thanks.withheld_{result.withheld or 'cap'}")
        return self.t("thanks.given_no_points", member=name, why=why)

    def offer(self, result: ThanksGiven, how: str) -> str | None:
        if result.offer_solution is None:
            return None
        return self.t("thanks.offer", member=self.p.name(result.receiver), how=how)

    def outbound(self, message: DirectMessage | ChannelPost | ThreadPost) -> str:
        return self.t(message.key, **dict(message.params))

    def question(self, result: QuestionModerated) -> str:
        q = result.question
        target = q.close_note or "" if result.action == "duplicate" else ""
        text = self.t(f"moderation.question_{result.action}", id=q.id, target=target)
        if result.reason:
            text = self.t("moderation.with_reason", text=text, reason=result.reason)
        return text

    def points(self, result: PointsChanged) -> list[str]:
        if not result.changes:
            return [self.t("moderation.rep_changed_none")]
        lines = [
            self.t(
                "moderation.rep_change", delta=c.delta, member=self.p.name(c.member), total=c.total
            )
            for c in result.changes
        ]
        if result.skipped:
            lines.append(self.t("moderation.rep_skipped", count=result.skipped))
        return lines

    def helpbanned(self, result: MemberHelpBanned) -> str:
        return self.t(
            "moderation.helpbanned",
            member=self.p.name(result.member),
            until=f"{_when(result.ban.expires_at)} UTC",
        )

    def warned(self, result: MemberWarned) -> str:
        return self.t("moderation.warned", member=self.p.name(result.member), count=result.count)

    def audit_line(self, entry: AuditEntry) -> str:
        return self.t(
            "moderation.audit_line",
            when=_when(entry.created_at),
            actor=self._audit_actor(entry),
            action=entry.action,
            target=self._audit_target(entry),
            question=f" #{entry.question_id}" if entry.question_id else "",
            outcome=self.t(f"moderation.audit_{entry.outcome.value}"),
            reason=f" — {entry.reason}" if entry.reason else "",
            detail=f" [{entry.detail}]" if entry.detail else "",
        )

    def _audit_actor(self, entry: AuditEntry) -> str:
        if entry.actor is not None:
            return self.p.name(entry.actor)
        if entry.action.startswith(PLATFORM_PREFIX):  # a deletion on the platform
            return self.t("moderation.audit_actor_platform")
        # No actor: a row the bot wrote itself, which never names a question (audit_by_bot),
        # or one about a question whose anonymous asker acted and was left out (bot.audit).
        if entry.question_id is not None:
            return self.t("moderation.audit_actor_hidden")
        return self.t("moderation.audit_actor_bot")

    def _audit_target(self, entry: AuditEntry) -> str:
        if entry.target is not None:
            return f" {self.p.name(entry.target)}"
        if entry.target_hidden:  # there is one: the anonymous asker, left out (bot.audit)
            return f" {self.t('moderation.audit_target_hidden')}"
        return ""

    def audit(self, result: AuditShown) -> list[str]:
        if not result.entries:
            return [
                self.t("moderation.audit_none" if result.filtered else "moderation.audit_empty")
            ]
        return [self.t("moderation.audit_header")] + [
            "  " + self.audit_line(e) for e in result.entries
        ]

    def suspicious(self, result: SuspiciousPairsShown) -> list[str]:
        since = f"{result.since:%Y-%m-%d}"
        if not result.pairs:
            return [self.t("moderation.suspicious_empty", since=since)]
        lines = [self.t("moderation.suspicious_header", since=since)]
        for pair in result.pairs:
            lines.append(
                "  "
                + self.t(
                    "moderation.suspicious_line",
                    first=self.p.name(pair.first),
                    second=self.p.name(pair.second),
                    first_to_second=pair.first_to_second,
                    second_received=pair.second_received,
                    share_second=round(pair.share_to_second * 100),
                    second_to_first=pair.second_to_first,
                    first_received=pair.first_received,
                    share_first=round(pair.share_to_first * 100),
                )
            )
        return lines

    def report_filed(self, result: ReportFiled) -> str:
        key = "report.filed" if result.delivered else "report.filed_unrouted"
        return self.t(key, id=result.report.id)

    def report_resolved(self, result: ReportResolved) -> str:
        """The moderator's reply as one text, for adapters that send it as one message."""
        return "\n".join(self.report_resolved_lines(result))

    def report_resolved_lines(self, result: ReportResolved) -> list[str]:
        member = self.p.name(result.report.author) if result.report.author else "?"
        lines = [
            self.t(f"report.resolved_{result.outcome.value}", id=result.report.id, member=member)
        ]
        if result.withdrawn is not None:
            lines.append(self.withdrawn(result.withdrawn))
        if result.quoted_in is not None:
            lines.append(self.t("report.article_may_quote", article=result.quoted_in))
        if result.also_resolved:
            ids = ", ".join(f"#{n}" for n in result.also_resolved)
            lines.append(self.t("report.also_resolved", ids=ids))
        return lines

    def report_post_line(self, update: ReportPostUpdate, moderator: str, key: str) -> str:
        """The line a resolved report's post gains (`ReportPostUpdate`): `key` is the
        adapter's "{outcome} (by {moderator})" text, `moderator` however the adapter shows
        the resolver."""

        if update.moderator_id is None:
            return self.t("report.post_closed", id=update.report_id)
        outcome = self.t(
            f"report.resolved_{update.outcome}", id=update.report_id, member=update.author or "?"
        )
        who = self.t("report.resolver_hidden") if update.hidden else moderator
        return self.t(key, outcome=outcome, moderator=who)

    def resolver(self, result: ReportResolved, name: str) -> str:
        """Who resolved the report, for other moderators (e.g. on the report's post): `name`
        (however the adapter shows the moderator), or "a moderator" when naming them would
        say who asked the report's anonymous question."""

        return self.t("report.resolver_hidden") if result.resolver_hidden else name

    def withdrawn(self, withdrawn: AnswerWithdrawn) -> str:
        """What deleting an accepted answer took back, net (points an acceptance that stands
        earns again are not lost). Its author is named; the asker never is, so that an
        anonymous question's asker stays hidden."""

        if withdrawn.reopened:
            fate = self.t("report.withdrawn_reopened")
        elif withdrawn.accepted:
            fate = self.t("report.withdrawn_still_solved")
        else:
            fate = self.t("report.withdrawn_kept")
        return f"{self._withdrawn_points(withdrawn)} {fate}"

    def _withdrawn_points(self, withdrawn: AnswerWithdrawn) -> str:
        asker = withdrawn.question.asker.id
        helper, points, bonus = None, 0, 0
        for change in withdrawn.points:
            if change.member.id == asker:
                bonus -= change.delta
            else:
                helper, points = change.member, points - change.delta
        if helper is not None and points > 0:
            name = self.p.name(helper)
            if bonus > 0:
                return self.t(
                    "report.withdrawn_with_bonus", member=name, points=points, bonus=bonus
                )
            return self.t("report.withdrawn", member=name, points=points)
        if bonus > 0:
            return self.t("report.withdrawn_bonus", bonus=bonus)
        return self.t("report.withdrawn_no_points")

    def reports(self, result: ReportsListed) -> list[str]:
        if not result.reports:
            return [self.t("report.list_empty")]
        return [self.t("report.list_header")] + [
            "  "
            + self.t(
                "report.list_line",
                id=r.id,
                author=self.p.name(r.author) if r.author else self.t("report.unknown_author"),
                excerpt=r.excerpt,
                reason=r.reason,
            )
            for r in result.reports
        ]
