"""Platform-neutral text for the core's results, built from the message catalog.

Adapters that only need text (the console, simple confirmations on Discord and Slack) use
these; adapters with rich layouts (embeds, Block Kit) reuse the individual lines. How a
member is shown (a mention, a bold name) is the adapter's choice, passed in as `name`.
"""

from __future__ import annotations

import string
from collections.abc import Callable

from bot.errors import DomainError
from bot.events import (
    AnswerAccepted,
    AnswerUnaccepted,
    AskerRevealed,
    GuidelinesShown,
    HelperChoiceNeeded,
    HelperRefused,
    HelpersNotCredited,
    LeaderboardShown,
    PointChange,
    QuestionClosed,
    QuestionOpened,
    QuestionReopened,
    QuestionsListed,
    ReputationShown,
    SolvedWithoutHelper,
    Welcome,
)
from bot.i18n import Catalog
from bot.model import Member, Question, Suggestion
from bot.outbound import ChannelPost, DirectMessage, ThreadPost

NameFn = Callable[[Member], str]


def plain_name(member: Member) -> str:
    return member.display_name


class Presenter:
    def __init__(self, catalog: Catalog, locale: str = "en", name: NameFn = plain_name) -> None:
        self.catalog = catalog
        self.locale = locale
        self.name = name

    def t(self, key: str, **params: object) -> str:
        return self.catalog.t(key, self.locale, **params)

    def error(self, exc: DomainError) -> str:
        return self.t(exc.key, **exc.params)

    def kind(self, kind: str) -> str:
        """What a search hit is, in the member's language: a solved question or an article."""
        return self.t("kb.kind_question" if kind == "question" else "kb.kind_article")

    def suggestion(self, s: Suggestion) -> str:
        return self.t(
            "question.suggestion_line",
            title=s.title,
            kind=self.kind(s.kind),
            score=round(s.score * 100),
        )

    def opened(self, result: QuestionOpened, ways: str) -> list[str]:
        q = result.question
        lines = [self.t("question.opened", id=q.id, title=q.title)]
        if result.suggestions:
            lines.append(self.t("question.suggestions_header"))
            lines += [f"  • {self.suggestion(s)}" for s in result.suggestions]
        else:
            lines.append(self.t("question.no_suggestions"))
        asker = self.t("question.anonymous_asker") if q.anonymous else self.name(q.asker)
        lines.append(self.t("question.how_to_accept", asker=asker, ways=ways))
        return lines

    def asker(self, q: Question) -> str:
        """The asker as shown in public: never the name of an anonymous asker."""
        return self.t("question.anonymous_author") if q.anonymous else self.name(q.asker)

    def points(self, changes: tuple[PointChange, ...]) -> str:
        return ", ".join(
            self.t("accept.points", delta=c.delta, member=self.name(c.member)) for c in changes
        )

    def accepted(self, result: AnswerAccepted) -> list[str]:
        q = result.question
        names = ", ".join(self.name(a.answer.author) for a in result.acceptances)
        lines = [self.t("accept.done", answerer=names, id=q.id)]
        if result.points:
            lines.append(self.points(result.points))
        return lines + self.skipped(result.refused)

    def skipped(self, refused: tuple[HelperRefused, ...]) -> list[str]:
        """One line per helper named in `/solved` who was not credited, and why."""
        return [
            self.t("accept.skipped", member=self.name(r.member), why=self.error(r.reason))
            for r in refused
        ]

    def none_credited(self, result: HelpersNotCredited) -> list[str]:
        return [
            self.t("accept.none_credited", id=result.question.id),
            *self.skipped(result.refused),
        ]

    def accepted_public(self, result: AnswerAccepted) -> str:
        names = ", ".join(self.name(a.answer.author) for a in result.acceptances)
        return self.t("accept.public", id=result.question.id, answerer=names)

    def choose_helper(self, result: HelperChoiceNeeded) -> str:
        return self.t(
            "accept.choose_helper",
            id=result.question.id,
            candidates=", ".join(self.name(m) for m in result.candidates),
        )

    def solved_alone(self, result: SolvedWithoutHelper) -> str:
        if result.suggestion_id:
            return self.t("accept.by_suggestion", id=result.question.id)
        if result.alone:
            return self.t("accept.by_asker_alone", id=result.question.id)
        return self.t("accept.no_helpers", id=result.question.id)

    def reopened(self, result: QuestionReopened) -> str:
        total = sum(abs(c.delta) for c in result.points)
        return self.t("unsolve.done", id=result.question.id, points=total)

    def unaccepted(self, result: AnswerUnaccepted) -> str:
        # Net: points an acceptance that stands carries on are not lost (`take_back`).
        lost = -sum(c.delta for c in result.points)
        key = "unsolve.unaccepted_open" if result.reopened else "unsolve.unaccepted_solved"
        return self.t(
            key, id=result.question.id, answerer=self.name(result.answer.author), points=lost
        )

    def closed(self, result: QuestionClosed) -> str:
        reason = self.t(f"close.reason_{result.reason}")
        if result.question.close_note:
            reason = f"{reason}: {result.question.close_note}"
        return self.t("close.done", id=result.question.id, reason=reason)

    def reputation(self, result: ReputationShown) -> list[str]:
        s = result.standing
        key = "rep.summary" if s.rank else "rep.summary_unranked"
        lines = [
            self.t(
                key,
                member=self.name(s.member),
                points=s.points,
                rank=s.rank,
                accepted=s.accepted_count,
            )
        ]
        if s.recent:
            lines.append(self.t("rep.recent_header"))
            for entry in s.recent:
                line = self.t(
                    "rep.recent_line",
                    delta=entry.delta,
                    reason=self.t(f"rep.reason_{entry.reason.value}"),
                    when=entry.created_at.strftime("%Y-%m-%d"),
                )
                if result.ledger_ids:
                    line = f"{line} {self.t('rep.ledger_ref', id=entry.id)}"
                lines.append(f"  {line}")
        return lines

    def leaderboard(self, result: LeaderboardShown) -> list[str]:
        lines = [self.t(f"leaderboard.header_{result.period.value}")]
        if not result.rows:
            lines.append(self.t("leaderboard.empty"))
        for row in result.rows:
            lines.append(
                self.t(
                    "leaderboard.line",
                    rank=row.rank,
                    member=self.name(row.member),
                    points=row.points,
                )
            )
        return lines

    def questions(
        self, result: QuestionsListed, link: Callable[[Question], str | None] | None = None
    ) -> list[str]:
        if not result.questions:
            return [self.t("question.list_empty")]
        lines = [self.t("question.list_header")]
        for q in result.questions:
            url = link(q) if link else None
            key = "question.list_line_link" if url else "question.list_line"
            status = self.status(q)
            lines.append("  " + self.t(key, id=q.id, title=q.title, status=status, link=url))
        return lines

    def status(self, q: Question) -> str:
        """ "open", "solved", or "closed: no activity" (closes say why)."""
        status = self.t(f"question.status_{q.status.value}")
        if q.is_closed and q.close_reason:
            reason = self.t(f"close.reason_{q.close_reason}")
            return self.t("question.closed_because", status=status, reason=reason)
        return status

    def welcome(self, welcome: Welcome, channel: str) -> list[str]:
        member = self.name(welcome.member)
        if welcome.message:
            # The community's own text, from the config: only the plain {member} and
            # {channel} are filled in (never str.format, which would reach attributes and
            # items of the values); anything else, or a stray brace, stays as written.
            values = {"member": member, "channel": channel}
            try:
                parts = list(string.Formatter().parse(welcome.message))
            except ValueError:
                parts = [(welcome.message, None, None, None)]
            first = ""
            for literal, field, spec, conversion in parts:
                first += literal
                if field is None:
                    continue
                if field in values and not spec and not conversion:
                    first += values[field]
                else:
                    first += "{" + field + ("!" + conversion if conversion else "")
                    first += (":" + spec if spec else "") + "}"
        else:
            first = self.t("onboarding.welcome", member=member, channel=channel)
        return [first, *self.guidelines_text(welcome.guidelines).splitlines()]

    def guidelines_text(self, guidelines: str | None) -> str:
        return guidelines if guidelines else self.t("onboarding.default_guidelines")

    def guidelines(self, result: GuidelinesShown, channel: str) -> list[str]:
        return [
            self.t("onboarding.guidelines_header", channel=channel),
            *self.guidelines_text(result.guidelines).splitlines(),
        ]

    def revealed(self, result: AskerRevealed) -> str:
        return self.t("lifecycle.revealed", id=result.question.id, member=self.name(result.asker))

    def outbound(self, message: ThreadPost | ChannelPost | DirectMessage) -> str:
        """The text of a bot-initiated message; mentions and buttons are the sender's job."""
        return self.t(message.key, **message.params)
