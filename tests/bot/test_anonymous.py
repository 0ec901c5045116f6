"""Anonymous questions: whatever the bot posts never names the asker; the asker can still
accept; only a moderator can look the asker up (audited)."""

from __future__ import annotations

from typing import Any

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.knowledge_base import ArticleChanged, PromoteQuestion
from bot.lifecycle import REVEAL_ACTION
from bot.model import ReportStatus
from bot.moderation_presenter import ModerationPresenter
from bot.outbound import DirectMessage
from bot.presenters import Presenter
from tests.helpers import actor, answer, ask, next_id, thread_of
from tests.lifecycle_helpers import record, tick

zelda = actor("zelda-7")
zelda = type(zelda)(zelda.ref, "Zelda Secret")
bob, dave, mod = actor("bob"), actor("dave"), actor("mod", mod=True)
SECRETS = ("zelda", "Zelda")


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "communities": {
            "default": {
                "lifecycle": {
                    "anonymous_questions": True,
                    "escalation": {
                        "helper_role_ids": {"console": ["helpers"]},
                        "staff_channel_ids": {"console": "staff"},
                    },
                }
            }
        }
    }


async def _ask_anonymously(app: App, text: str) -> ev.QuestionOpened:
    mid = next_id()
    opened = await app.bot.handle(
        c.AskQuestion(zelda, "help", mid, text, event_id=mid, thread_id=f"t-{mid}", anonymous=True)
    )
    assert isinstance(opened, ev.QuestionOpened) and opened.question.anonymous
    return opened


def _leaks(text: str) -> bool:
    return any(secret in text for secret in SECRETS)


async def test_nothing_the_bot_posts_names_an_anonymous_asker(app: App, clock: FakeClock) -> None:
    sent = record(app)
    present = Presenter(app.bot.catalog)
    shown: list[str] = []
    first = await _ask_anonymously(app, "Why does my build fail?")
    second = await _ask_anonymously(app, "Where are the logs?")
    shown += present.opened(first, "/solved") + present.opened(second, "/solved")
    clock.advance(minutes=61)
    await tick(app)  # both escalate: helpers pinged in the threads, staff channel links
    mid = await answer(app.bot, bob, first)
    clock.advance(hours=25)
    await tick(app)  # first: reminder (public without a name, private to the asker)
    accepted = await app.bot.handle(c.AcceptAnswer(zelda, mid, event_id=next_id("e")))
    assert isinstance(accepted, ev.AnswerAccepted)  # the asker can still accept
    shown.append(present.accepted_public(accepted))
    clock.advance(hours=50)
    await tick(app)  # first closes as solved, second as dormant
    listed = await app.bot.handle(c.ShowQuestion(bob, first.question.id))
    assert isinstance(listed, ev.QuestionShown)
    shown.append(present.asker(listed.question))

    keys = sent.keys()
    for key in (
        "lifecycle.escalated",
        "lifecycle.escalated_staff",
        "lifecycle.remind_anonymous",
        "lifecycle.remind_dm",
        "lifecycle.closed_solved",
        "lifecycle.closed_dormant",
    ):
        assert key in keys
    for message in sent.sent:
        if isinstance(message, DirectMessage):
            assert message.member == zelda.ref  # private, to the asker only
            continue
        assert not _leaks(repr(message)), message
        text = present.outbound(message) if hasattr(message, "key") else ""
        assert not _leaks(text), text
        assert not getattr(message, "mention_user_ids", ())
    assert shown and not any(_leaks(line) for line in shown), shown


async def test_only_moderators_can_reveal_the_asker(app: App) -> None:
    opened = await _ask_anonymously(app, "Secret question")
    with pytest.raises(errors.NotModerator):
        await app.bot.handle(c.RevealAsker(bob, opened.question.id, event_id=next_id("e")))
    revealed = await app.bot.handle(
        c.RevealAsker(mod, opened.question.id, "abuse report", event_id=next_id("e"))
    )
    assert isinstance(revealed, ev.AskerRevealed) and revealed.asker.ref == zelda.ref
    async with app.bot.uow_factory(write=False) as uow:
        audit = await uow.moderation.audit_entries(
            "default", member_id=None, question_id=opened.question.id, limit=10
        )
    assert [e.action for e in audit if e.outcome == "done"] == [REVEAL_ACTION]
    public = await app.bot.handle(
        c.AskQuestion(bob, "help", next_id(), "Not secret", event_id=next_id("e"))
    )
    assert isinstance(public, ev.QuestionOpened)
    with pytest.raises(errors.NotAnonymous):
        await app.bot.handle(c.RevealAsker(mod, public.question.id, event_id=next_id("e")))


async def test_asker_of_anonymous_question_can_mark_it_solved(app: App) -> None:
    opened = await _ask_anonymously(app, "Secret question")
    await answer(app.bot, bob, opened)
    result = await app.bot.handle(c.MarkSolved(zelda, thread_of(opened), event_id=next_id("e")))
    assert isinstance(result, ev.AnswerAccepted) and result.newly_solved


async def test_moderating_an_anonymous_question_names_its_asker_only_in_a_reveal(
    app: App,
) -> None:
    """A duplicate close pings nobody in the thread (the asker hears it privately), and the
    audit log ties the asker to the question only through an audited reveal: a moderator
    reading `/mod audit` (or `/mod audit @member`) must not learn who asked."""

    sent = record(app)
    original = await app.bot.handle(
        c.AskQuestion(bob, "help", next_id(), "How do I reset it?", event_id=next_id("e"))
    )
    assert isinstance(original, ev.QuestionOpened)
    opened = await _ask_anonymously(app, "Secret question")
    thread = thread_of(opened)
    for action, extra in (
        (c.QuestionAction.LOCK, {}),
        (c.QuestionAction.UNLOCK, {}),
        (c.QuestionAction.DUPLICATE, {"duplicate_of": str(original.question.id)}),
    ):
        await app.bot.handle(
            c.ModerateQuestion(mod, action, thread=thread, event_id=next_id("e"), **extra)
        )
    await app.bot.handle(c.NotDuplicate(zelda, thread, event_id=next_id("e")))

    for message in sent.sent:
        if isinstance(message, DirectMessage):
            assert message.member == zelda.ref
            continue
        assert not _leaks(repr(message)), message
        assert zelda.ref.id not in getattr(message, "mention_user_ids", ()), message
    assert [m.params["id"] for m in sent.sent if isinstance(m, DirectMessage)] == [
        opened.question.id
    ]  # the asker is told privately of the duplicate close

    assert await _about_zelda(app) == []
    await app.bot.handle(c.RevealAsker(mod, opened.question.id, "abuse", event_id=next_id("e")))
    assert set(await _about_zelda(app)) == {REVEAL_ACTION}


async def _about_zelda(app: App) -> list[str]:
    """The audit rows that name the anonymous asker, as target or (with `member=`) actor."""

    shown = await app.bot.handle(c.ShowAudit(mod))
    assert isinstance(shown, ev.AuditShown)
    named = [e.action for e in shown.entries if e.target and e.target.ref == zelda.ref]
    by_member = await app.bot.handle(c.ShowAudit(mod, member=zelda.ref))
    assert isinstance(by_member, ev.AuditShown)
    return named + [e.action for e in by_member.entries]


async def test_points_moved_in_an_anonymous_question_do_not_name_its_asker(app: App) -> None:
    """A moderator unsolving for the asker, and a report deleting the accepted answer (which
    reverses the asker's accept bonus), are audited without tying the asker to the question."""

    opened = await _ask_anonymously(app, "Secret question")
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(zelda, mid, event_id=next_id("e")))
    await app.bot.handle(c.Unsolve(mod, thread_of(opened), event_id=next_id("e")))
    await app.bot.handle(c.AcceptAnswer(zelda, mid, event_id=next_id("e")))
    filed = await app.bot.handle(
        c.ReportMessage(dave, "help", mid, "abuse", thread=thread_of(opened), event_id=next_id("e"))
    )
    assert isinstance(filed, ev.ReportFiled)
    resolved = await app.bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved) and resolved.withdrawn is not None
    assert {p.member.ref for p in resolved.withdrawn.points} == {bob.ref, zelda.ref}
    told = ModerationPresenter(Presenter(app.bot.catalog)).report_resolved(resolved)
    assert "and the asker the 2 points" in told and not _leaks(told), told

    shown = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(shown, ev.AuditShown)
    assert sorted(e.action for e in shown.entries if e.action != "report_deleted") == [
        "accepted_answer_deleted",
        "accepted_answer_deleted",
        "unsolve",
    ]  # audited all the same
    assert await _about_zelda(app) == []


async def test_a_report_on_an_anonymous_question_does_not_name_its_asker(app: App) -> None:
    """An adapter that knows who wrote the question's message (the platform told it) still
    gets a report "by an unknown member": the post, the list and the audit log are read by
    every moderator, and only the audited reveal may say who asked."""

    opened = await _ask_anonymously(app, "Secret question")
    q = opened.question
    filed = await app.bot.handle(
        c.ReportMessage(
            dave, "help", q.message_id, "abuse", thread=thread_of(opened), author=zelda,
            event_id=next_id("e"),
        )
    )  # fmt: skip
    assert isinstance(filed, ev.ReportFiled)
    assert filed.report.author is None and filed.report.question_id == q.id
    present = Presenter(app.bot.catalog)
    assert not any(_leaks(present.t(o.key, **o.params)) for o in filed.outbound)
    resolved = await app.bot.handle(
        c.ResolveReport(mod, filed.report.id, ReportStatus.DISMISSED, event_id=next_id("e"))
    )
    assert isinstance(resolved, ev.ReportResolved)
    shown = await app.bot.handle(c.ShowAudit(mod, question_id=q.id))
    assert isinstance(shown, ev.AuditShown) and shown.entries
    assert all(e.target is None or e.target.ref != zelda.ref for e in shown.entries)


async def test_a_report_on_a_question_names_its_asker_whoever_the_platform_says_wrote_it(
    app: App,
) -> None:
    """An /ask question is posted by the bot for its asker: the platform names the bot (or
    the adapter no one) as the message's author, but the core knows who asked, so the report
    names them and Warn warns them, not the bot. Anonymous, it still names no one."""

    the_bot = actor("communitybot", bot=True)
    for anonymous in (False, True):
        opened = (
            await _ask_anonymously(app, "Secret question")
            if anonymous
            else await ask(app.bot, zelda, "Open question")
        )
        for author, reporter in ((the_bot, dave), (None, actor("erin"))):
            filed = await app.bot.handle(
                c.ReportMessage(
                    reporter, "help", opened.question.message_id, "abuse", author=author,
                    thread=thread_of(opened), event_id=next_id("e"),
                )
            )  # fmt: skip
            assert isinstance(filed, ev.ReportFiled)
            expected = None if anonymous else zelda.ref
            assert (filed.report.author.ref if filed.report.author else None) == expected
        if not anonymous:
            warned = await app.bot.handle(
                c.ResolveReport(mod, filed.report.id, ReportStatus.WARNED, event_id=next_id("e"))
            )
            assert isinstance(warned, ev.ReportResolved) and warned.warned is not None
            assert warned.warned.member.ref == zelda.ref


async def test_a_moderator_promoting_their_own_anonymous_question_is_not_named(
    app: App,
) -> None:
    """Every row about a question is written with the question itself, so its asker is left
    out whatever they do to it: here a moderator who asked anonymously turns the solved
    thread into an article (the row named them as its actor when given the id alone)."""

    opened = await _ask_anonymously(app, "Secret question")
    mid = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(zelda, mid, event_id=next_id("e")))
    zelda_mod = type(zelda)(zelda.ref, zelda.display_name, is_moderator=True)
    promoted = await app.bot.handle(PromoteQuestion(zelda_mod, question_id=opened.question.id))
    assert isinstance(promoted, ArticleChanged)

    shown = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(shown, ev.AuditShown)
    assert [e.action for e in shown.entries] == ["promote_question"]  # audited all the same
    assert await _about_zelda(app) == []


async def test_a_refused_command_of_an_anonymous_asker_does_not_name_them(app: App) -> None:
    """The asker trying a moderator command on their own question (here /mod close #id) is
    audited as refused, without their name next to the question."""

    opened = await _ask_anonymously(app, "Secret question")
    with pytest.raises(errors.NotModerator):
        await app.bot.handle(
            c.ModerateQuestion(
                zelda, c.QuestionAction.CLOSE, question_id=opened.question.id,
                event_id=next_id("e"),
            )
        )  # fmt: skip
    shown = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(shown, ev.AuditShown)
    assert [(e.action, e.outcome) for e in shown.entries] == [("question_close", "refused")]
    assert await _about_zelda(app) == []


async def test_a_moderator_resolving_reports_in_their_own_anonymous_question_is_not_named(
    app: App,
) -> None:
    """A moderator who asked anonymously resolves reports on answers in their question: the
    audit rows (the report's, the warning's, the points taken back) all leave them out, and
    other moderators are told "a moderator" resolved it, not who: their name beside rows
    that leave the asker out would say who asked. Another moderator is named as usual."""

    zelda_mod = type(zelda)(zelda.ref, zelda.display_name, is_moderator=True)
    opened = await _ask_anonymously(app, "Secret question")
    accepted = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(zelda_mod, accepted, event_id=next_id("e")))
    rude = await answer(app.bot, dave, opened, "Rude words.")
    spam = await answer(app.bot, bob, opened, "Buy my course.")
    reporter = actor("erin")
    present = ModerationPresenter(Presenter(app.bot.catalog))

    async def resolve(mid: str, outcome: ReportStatus, by: c.Actor) -> ev.ReportResolved:
        filed = await app.bot.handle(
            c.ReportMessage(
                reporter, "help", mid, "abuse", thread=thread_of(opened), event_id=next_id("e")
            )
        )
        assert isinstance(filed, ev.ReportFiled)
        resolved = await app.bot.handle(
            c.ResolveReport(by, filed.report.id, outcome, "rude", event_id=next_id("e"))
        )
        assert isinstance(resolved, ev.ReportResolved)
        return resolved

    deleted = await resolve(accepted, ReportStatus.DELETED, zelda_mod)
    assert deleted.withdrawn is not None and deleted.withdrawn.points  # points taken back
    warned = await resolve(rude, ReportStatus.WARNED, zelda_mod)
    assert warned.warned is not None and warned.warned.member.ref == dave.ref
    for resolved in (deleted, warned):
        assert resolved.resolver_hidden
        assert present.resolver(resolved, "@Zelda Secret") == "a moderator"
    assert await _about_zelda(app) == []
    shown = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(shown, ev.AuditShown)
    by_zelda = {e.action for e in shown.entries if e.actor is None}
    assert by_zelda == {"report_deleted", "accepted_answer_deleted", "report_warned", "warn"}
    lines = present.audit(shown)
    assert not any(_leaks(line) for line in lines), lines
    assert any("the anonymous asker report_warned dave" in line for line in lines), lines

    # Another moderator resolving a report in the same question is named as ever.
    dismissed = await resolve(spam, ReportStatus.DISMISSED, mod)
    assert not dismissed.resolver_hidden and present.resolver(dismissed, "@mod") == "@mod"
    shown = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(shown, ev.AuditShown)
    row = shown.entries[0]
    assert row.action == "report_dismissed" and row.actor and row.actor.ref == mod.ref


async def test_an_anonymous_question_is_the_bots_post_and_no_edit_changes_it(app: App) -> None:
    """Its message is the bot's own post, which no member edits on Discord or Slack: an
    edit naming it, even from the asker, changes nothing."""

    opened = await _ask_anonymously(app, "Why does my build fail?")
    q = opened.question
    edited = await app.bot.handle(
        c.EditMessage(zelda, q.message_id, "Why does my deploy fail?", thread=thread_of(opened))
    )
    assert isinstance(edited, ev.MessageEdited) and edited.question is None
    shown = await app.bot.handle(c.ShowQuestion(zelda, q.id))
    assert isinstance(shown, ev.QuestionShown) and shown.question.title == "Why does my build fail?"


async def test_thanks_from_an_anonymous_asker_do_not_name_them(app: App) -> None:
    """A `/thanks` is seen by its giver alone: the helper's private note must not say who
    asked. Thanks from anyone else, or in another question, name the giver as always."""

    sent = record(app)
    opened = await _ask_anonymously(app, "Secret question")
    await answer(app.bot, bob, opened)
    await answer(app.bot, dave, opened)
    thread = thread_of(opened)
    thanked = await app.bot.handle(c.ThankMember(zelda, bob.ref, thread, event_id=next_id("e")))
    assert isinstance(thanked, ev.ThanksGiven) and thanked.change is not None
    await app.bot.handle(c.ThankMember(dave, bob.ref, thread, event_id=next_id("e")))
    await app.bot.handle(c.ThankMember(zelda, dave.ref, event_id=next_id("e")))
    present = Presenter(app.bot.catalog)
    notes = [present.outbound(m) for m in sent.sent if isinstance(m, DirectMessage)]
    notes = [n for n in notes if "thanked you" in n]
    assert notes == [
        f"The asker of #{opened.question.id} thanked you for your help: +2 points.",
        f"dave thanked you for your help with #{opened.question.id}: +2 points.",
        "Zelda Secret thanked you: +2 points.",  # (no question: nothing to tie them to)
    ]
    assert not _leaks(repr(thanked.outbound))


async def test_a_moderator_naming_the_anonymous_asker_learns_nothing(app: App) -> None:
    """ "They asked this question" would name the asker without an audited reveal: the
    refusal is the one for a member who did not answer."""

    opened = await _ask_anonymously(app, "Secret question")
    await answer(app.bot, bob, opened)
    for helpers in ((zelda.ref,), (zelda.ref, bob.ref)):
        try:
            result = await app.bot.handle(
                c.MarkSolved(mod, thread_of(opened), helpers, event_id=next_id("e"))
            )
        except errors.DomainError as exc:
            assert type(exc) is errors.NoAnswerFromMember
        else:
            assert isinstance(result, ev.AnswerAccepted)
            assert [type(r.reason) for r in result.refused] == [errors.NoAnswerFromMember]
