"""One database, several communities: a question, its thread and its members belong to one
community, and nobody from another can act on them, moderators included.

One thread can be reached from two communities: Slack shares a channel (same channel id,
same thread ts) between workspaces, and each workspace may be its own community. There the
other community's members and moderators see a question that is not theirs.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.model import ReportStatus
from tests.helpers import actor, answer, ask, next_id, not_refused, thread_of

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)
# The same platform, another community: a member and a moderator there.
stranger = actor("stranger", community="other")
other_mod = actor("other-mod", mod=True, community="other")


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"communities": {"default": {}, "other": {}}}


async def _points(app: App) -> dict[str, int]:
    shown = {}
    for who in (alice, bob, stranger):
        rep = await app.bot.handle(c.ShowReputation(who))
        assert isinstance(rep, ev.ReputationShown)
        shown[who.ref.id] = rep.standing.points
    return shown


async def test_another_community_cannot_act_on_a_question_or_its_members(app: App) -> None:
    opened = await ask(app.bot, alice)
    thread = thread_of(opened)
    bobs = await answer(app.bot, bob, opened)
    theirs = await ask(app.bot, stranger, "Where are the logs?")
    e = lambda: next_id("e")  # noqa: E731
    attempts: list[tuple[c.Command, type[errors.DomainError]]] = [
        (c.PostMessage(stranger, thread, next_id(), "Try this.", event_id=e()),
         errors.NotAQuestionThread),
        (c.AcceptAnswer(other_mod, bobs, event_id=e()), errors.NotAnAnswer),
        (c.MarkSolved(other_mod, thread, event_id=e()), errors.NotAQuestionThread),
        (c.MarkSolved(other_mod, thread, (bob.ref,), event_id=e()), errors.NotAQuestionThread),
        (c.SolveWithSuggestion(other_mod, thread, "a:x", event_id=e()),
         errors.NotAQuestionThread),
        (c.CloseQuestion(other_mod, thread, event_id=e()), errors.NotAQuestionThread),
        (c.ModerateQuestion(other_mod, c.QuestionAction.LOCK, thread=thread, event_id=e()),
         errors.NotAQuestionThread),
        (c.ModerateQuestion(other_mod, c.QuestionAction.DELETE, thread=thread, event_id=e()),
         errors.NotAQuestionThread),
        (c.NotDuplicate(other_mod, thread, event_id=e()), errors.NotAQuestionThread),
        # A member of this community named in a command of the other one is unknown there.
        (c.AdjustReputation(other_mod, bob.ref, 50, "bonus", event_id=e()),
         errors.UnknownMember),
        (c.AdjustReputation(other_mod, bob, 50, "bonus", event_id=e()), errors.UnknownMember),
        (c.HelpBanMember(other_mod, bob.ref, "7d", event_id=e()), errors.UnknownMember),
        (c.WarnMember(other_mod, bob.ref, "spam", event_id=e()), errors.UnknownMember),
        (c.ThankMember(stranger, bob, event_id=e()), errors.UnknownMember),
        (c.ThankMember(stranger, bob.ref, thread, event_id=e()), errors.UnknownMember),
        # ... and the other way round: this community's moderator, the other's question.
        (c.ModerateQuestion(mod, c.QuestionAction.CLOSE, thread=thread_of(theirs), event_id=e()),
         errors.NotAQuestionThread),
    ]  # fmt: skip
    assert await not_refused(app.bot, attempts) == [], "acted across communities"
    # A member there trying a moderator command on bob: audited there, without naming bob.
    with pytest.raises(errors.NotModerator):
        await app.bot.handle(c.WarnMember(stranger, bob.ref, "spam", event_id=e()))
    audit = await app.bot.handle(c.ShowAudit(other_mod))
    assert isinstance(audit, ev.AuditShown)
    assert [(e.outcome, e.target) for e in audit.entries] == [("refused", None)]

    # Thanks naming a member of this community from the other one credits nobody.
    await app.bot.handle(
        c.PostMessage(
            stranger, thread_of(theirs), next_id(), "thanks @bob", event_id=e(),
            mentions=(bob.ref,),
        )
    )  # fmt: skip
    assert await _points(app) == {"alice": 0, "bob": 0, "stranger": 0}
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    question = shown.question
    assert (question.status, question.is_closed, question.is_locked) == ("open", False, False)
    assert [a.author.ref for a in shown.answers] == [bob.ref]

    # The owning community still can.
    accepted = await app.bot.handle(c.MarkSolved(alice, thread, event_id=e()))
    assert isinstance(accepted, ev.AnswerAccepted)


async def test_a_report_from_another_community_cannot_delete_or_warn_here(app: App) -> None:
    """The stranger reports alice's question from the shared channel; the other community's
    moderator resolves it. The report is the other community's, about a message it does not
    know: deleting it must not delete alice's question, warning must not reach alice."""

    opened = await ask(app.bot, alice)
    bobs = await answer(app.bot, bob, opened)
    for message_id, author in ((opened.question.message_id, alice), (bobs, None)):
        filed = await app.bot.handle(
            c.ReportMessage(
                stranger, "help", message_id, "spam", author=author, thread=thread_of(opened),
                event_id=next_id("e"),
            )
        )  # fmt: skip
        assert isinstance(filed, ev.ReportFiled)
        assert filed.report.question_id is None and filed.report.author is None
        with pytest.raises(errors.ReportAuthorUnknown):
            await app.bot.handle(
                c.ResolveReport(
                    other_mod, filed.report.id, ReportStatus.WARNED, event_id=next_id("e")
                )
            )
        resolved = await app.bot.handle(
            c.ResolveReport(other_mod, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
        )
        assert isinstance(resolved, ev.ReportResolved) and resolved.question is None
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown) and not shown.question.is_deleted
    assert [a.author.ref for a in shown.answers] == [bob.ref]  # bob's answer not deleted
