"""A question whose message is deleted on the platform (by its asker, or a moderator there:
neither Discord nor Slack says who) is deleted in the bot too: nobody finds it, lists it,
answers in it or is reminded of it; its thread is told and closed; what helpers earned in
it stays. Deleting twice, or something the bot never kept, changes nothing. (An answer
deleted on the platform: tests/bot/test_deleted_answers.py, shared with reports.)"""

from __future__ import annotations

import pytest

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.jobs import JobState
from bot.model import ReportStatus, ThreadRef
from bot.moderation_presenter import ModerationPresenter
from bot.outbound import ChannelPost, ThreadPost, ThreadState
from bot.presenters import Presenter
from tests.helpers import actor, answer, ask, found_everywhere, next_id, solved, thread_of

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)


async def gone(app: App, message_id: str, community: str = "default") -> ev.DeletedOnPlatform:
    result = await app.bot.handle(c.DeleteMessage("console", community, message_id))
    assert isinstance(result, ev.DeletedOnPlatform)
    return result


async def _points(app: App, who: c.Actor) -> int:
    shown = await app.bot.handle(c.ShowReputation(who))
    assert isinstance(shown, ev.ReputationShown)
    return shown.standing.points


async def _pending_jobs(app: App, question_id: int) -> list[str]:
    async with app.bot.uow_factory(write=False) as uow:
        jobs = await uow.jobs.for_question(question_id)
    return [j.kind.value for j in jobs if j.state is JobState.PENDING]


async def test_the_asker_deletes_their_question(app: App) -> None:
    opened = await ask(app.bot, alice, "Printer broken\nIt prints nothing")
    await answer(app.bot, bob, opened, "Check the cable.")
    assert await _pending_jobs(app, opened.question.id)  # a reminder, a dormant close

    result = await gone(app, opened.question.message_id)

    assert result.question is not None and result.question.is_deleted
    assert result.withdrawn is None
    thread = thread_of(opened)
    assert result.outbound == (
        ThreadPost("default", thread, "question.deleted_on_platform", {"id": opened.question.id}),
        ThreadState("default", thread, archived=True, locked=True),
    )
    notice = app.bot.catalog.t("question.deleted_on_platform", id=opened.question.id)
    assert notice.startswith(f"#{opened.question.id}'s question was deleted")
    # Gone for members: not shown, not listed, no thread to answer in, nothing to remind.
    with pytest.raises(errors.QuestionNotFound):
        await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    mine = await app.bot.handle(c.ListMyQuestions(alice))
    assert isinstance(mine, ev.QuestionsListed) and mine.questions == ()
    for who in (bob, actor("the bot", bot=True)):  # (the notice itself comes back as a message)
        with pytest.raises(errors.NotAQuestionThread):
            await answer(app.bot, who, opened, "Try the other tray.")
    assert await _pending_jobs(app, opened.question.id) == []
    # Kept for moderators and the audit log, which says the platform did it.
    shown = await app.bot.handle(c.ShowQuestion(mod, opened.question.id))
    assert isinstance(shown, ev.QuestionShown) and shown.question.is_deleted
    audit = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(audit, ev.AuditShown)
    (row,) = audit.entries
    assert (row.action, row.actor, row.target and row.target.ref) == (
        "platform_question_delete",
        None,
        alice.ref,
    )
    line = ModerationPresenter(Presenter(app.bot.catalog)).audit_line(row)
    assert f"the platform platform_question_delete alice #{opened.question.id}: done" in line


async def test_a_deleted_solved_question_leaves_search_and_its_helpers_keep_their_points(
    two_processes: tuple[App, App],
) -> None:
    one, other = two_processes
    opened, mid, doc = await solved(
        one.bot, alice, bob, "How do I export my birthday list?", "Settings, then Export."
    )
    assert await found_everywhere(two_processes, "birthday export") == [[doc], [doc]]

    await gone(one, opened.question.message_id)

    assert await found_everywhere(two_processes, "birthday export") == [[], []]
    # The asker deleting their question takes nothing back from who helped (nor from them).
    assert (await _points(one, bob), await _points(one, alice)) == (15, 2)


@pytest.mark.parametrize(
    "config_overrides", [{"communities": {"default": {"lifecycle": {"anonymous_questions": True}}}}]
)
async def test_an_anonymous_question_s_post_deleted(app: App) -> None:
    """The bot's own post of an anonymous question (deleted by a moderator on the platform):
    the question goes, and the audit row still does not say who asked."""

    mid = next_id()
    opened = await app.bot.handle(
        c.AskQuestion(
            alice, "help", mid, "A private worry", event_id=f"evt-{mid}", thread_id=f"t-{mid}",
            anonymous=True,
        )
    )  # fmt: skip
    assert isinstance(opened, ev.QuestionOpened) and opened.question.anonymous
    result = await gone(app, opened.question.message_id)
    assert result.question is not None and result.question.is_deleted
    audit = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(audit, ev.AuditShown)
    (row,) = audit.entries
    assert (row.actor, row.target, row.target_hidden) == (None, None, True)
    line = ModerationPresenter(Presenter(app.bot.catalog)).audit_line(row)
    assert "alice" not in line and "the platform" in line and "the anonymous asker" in line


async def test_a_deleted_thread_deletes_its_question_and_posts_nothing(app: App) -> None:
    opened = await ask(app.bot, alice)
    result = await app.bot.handle(c.DeleteThread("default", thread_of(opened)))
    assert isinstance(result, ev.DeletedOnPlatform)
    assert result.question is not None and result.question.is_deleted
    assert result.outbound == ()  # (no thread left to post in)
    assert await _pending_jobs(app, opened.question.id) == []


async def test_deletions_that_change_nothing(app: App) -> None:
    """Twice (the bot's own deletion also comes back as an event), another community's
    message of the same id, a message or thread the bot never kept, and the asker's own
    follow-up in their thread (recorded, but no answer: nothing to take back)."""

    opened = await ask(app.bot, alice)
    follow_up = await answer(app.bot, alice, opened, "Still broken.")
    helper = await answer(app.bot, bob, opened, "Check the cable.")
    before_audit = await app.bot.handle(c.ShowAudit(mod))
    assert isinstance(before_audit, ev.AuditShown)

    nothing = ev.DeletedOnPlatform()
    assert await gone(app, opened.question.message_id, community="other") == nothing
    assert await gone(app, helper, community="other") == nothing
    assert await gone(app, "never-recorded") == nothing
    assert await app.bot.handle(c.DeleteThread("other", thread_of(opened))) == nothing
    assert await app.bot.handle(c.DeleteThread("default", ThreadRef("console", "t-x"))) == nothing
    assert await _answers(app, opened) == [helper]
    assert await gone(app, follow_up) == nothing
    assert await gone(app, helper) == nothing  # an answer nobody accepted: no points move
    assert await _answers(app, opened) == []  # bob's is no answer now

    first = await gone(app, opened.question.message_id)
    assert first.question is not None
    assert await gone(app, opened.question.message_id) == nothing
    assert await app.bot.handle(c.DeleteThread("default", thread_of(opened))) == nothing
    audit = await app.bot.handle(c.ShowAudit(mod))
    assert isinstance(audit, ev.AuditShown)
    assert len(audit.entries) == len(before_audit.entries) + 1


async def _answers(app: App, opened: ev.QuestionOpened) -> list[str]:
    shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
    assert isinstance(shown, ev.QuestionShown) and not shown.question.is_deleted
    return [a.message_id for a in shown.answers]


async def test_a_question_solved_by_a_deleted_answer_alone_leaves_search(
    two_processes: tuple[App, App],
) -> None:
    """Nothing solves it any more, so it is open again, and open questions are not
    suggested: neither its words nor the deleted answer's find it, in any process."""

    one, other = two_processes
    opened, mid, doc = await solved(
        one.bot,
        alice,
        bob,
        "How do I export my birthday list?",
        "Save it from Thunderbird as vcard.",
    )
    assert await found_everywhere(two_processes, "thunderbird vcard") == [[doc], [doc]]
    result = await gone(one, mid)
    assert result.withdrawn is not None and result.withdrawn.accepted == ()
    assert result.withdrawn.reopened
    assert await found_everywhere(two_processes, "thunderbird vcard") == [[], []]
    assert await found_everywhere(two_processes, "birthday list") == [[], []]


async def test_a_deleted_answer_cannot_be_accepted(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened, "Check the cable.")
    await gone(app, mid)
    with pytest.raises(errors.NotAnAnswer):
        await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert await _points(app, bob) == 0


async def test_a_report_on_a_question_deleted_since_is_resolved_by_the_deletion(
    app: App, clock: FakeClock
) -> None:
    """The platform's deletion resolves the report (nothing is left to decide); a moderator
    acting on it later is told so, and nothing is deleted a second time."""

    opened = await ask(app.bot, alice)
    filed = await app.bot.handle(
        c.ReportMessage(
            bob, "help", opened.question.message_id, "spam", thread=thread_of(opened),
            event_id=next_id("e"),
        )
    )  # fmt: skip
    assert isinstance(filed, ev.ReportFiled)
    deleted = (await gone(app, opened.question.message_id)).question
    assert deleted is not None
    clock.advance(minutes=5)
    with pytest.raises(errors.AlreadyResolved):
        await app.bot.handle(
            c.ResolveReport(mod, filed.report.id, ReportStatus.DELETED, event_id=next_id("e"))
        )
    shown = await app.bot.handle(c.ShowQuestion(mod, opened.question.id))
    assert isinstance(shown, ev.QuestionShown)
    assert shown.question.deleted_at == deleted.deleted_at  # (when it really went)


@pytest.mark.parametrize(
    "config_overrides",
    [{"communities": {"default": {"moderation": {"moderators_channel": {"console": "mods"}}}}}],
)
async def test_moderators_are_told_when_a_promoted_article_may_quote_what_was_deleted(
    app: App,
) -> None:
    """The article holds the question and its accepted answers: curated text the moderators
    decide about, as when they delete a message through a report. The asker's follow-ups
    are in no article; a thread never promoted, or an article removed, says nothing."""

    from bot.knowledge_base import ArticleChanged, PromoteQuestion, RemoveArticle

    def notes(result: ev.DeletedOnPlatform) -> list[tuple[str, str, dict[str, object]]]:
        return [
            (m.channel_id, m.key, dict(m.params))
            for m in result.outbound
            if isinstance(m, ChannelPost)
        ]

    opened = await ask(app.bot, alice, "How do I export my birthday list?")
    helper = await answer(app.bot, bob, opened, "Save it from Thunderbird as vcard.")
    other = await answer(app.bot, bob, opened, "Or try the export button.")
    follow_up = await answer(app.bot, alice, opened, "That worked, thank you.")
    await app.bot.handle(c.AcceptAnswer(alice, helper, event_id=next_id("e")))
    promoted = await app.bot.handle(
        PromoteQuestion(mod, question_id=opened.question.id, article_id="export")
    )
    assert isinstance(promoted, ArticleChanged)
    told = [
        ("mods", "moderation.deleted_quoted", {"id": opened.question.id, "article": "a:export"})
    ]

    assert notes(await gone(app, follow_up)) == []
    assert notes(await gone(app, helper)) == told
    assert notes(await gone(app, other)) == told  # (an answer may be quoted, accepted or not)
    assert notes(await gone(app, opened.question.message_id)) == told
    text = app.bot.catalog.t("moderation.deleted_quoted", id=7, article="a:export")
    assert text.startswith("A message of #7 was deleted") and "check it" in text

    second = await ask(app.bot, alice, "How do I print?")
    printed = await answer(app.bot, bob, second, "Use Ctrl+P.")
    await app.bot.handle(c.AcceptAnswer(alice, printed, event_id=next_id("e")))
    assert notes(await gone(app, printed)) == []  # never promoted
    third = await ask(app.bot, alice, "How do I scan?")
    scanned = await answer(app.bot, bob, third, "Use the scanner app.")
    await app.bot.handle(c.AcceptAnswer(alice, scanned, event_id=next_id("e")))
    await app.bot.handle(PromoteQuestion(mod, question_id=third.question.id, article_id="scan"))
    await app.bot.handle(RemoveArticle(mod, "a:scan"))
    assert notes(await gone(app, third.question.message_id)) == []  # the article is gone


async def test_without_a_moderators_channel_nobody_is_told(app: App) -> None:
    from bot.knowledge_base import PromoteQuestion

    opened = await ask(app.bot, alice)
    helper = await answer(app.bot, bob, opened)
    await app.bot.handle(c.AcceptAnswer(alice, helper, event_id=next_id("e")))
    await app.bot.handle(PromoteQuestion(mod, question_id=opened.question.id))
    result = await gone(app, helper)
    assert result.withdrawn is not None
    assert not any(isinstance(m, ChannelPost) for m in result.outbound)


async def test_a_deleted_help_channel_takes_its_questions_with_it(app: App) -> None:
    """Every thread of a deleted channel is gone with it (Discord sends no deletion for
    them): each question is deleted as with its thread, one transaction each, and nothing is
    posted (no thread is left; the moderators' channel is not flooded with a note for each
    promoted article: deleting a channel is a deliberate act). Another channel's questions
    stay, and another community's channel of the same id takes none of these."""

    from bot.deletions import delete_channel
    from bot.knowledge_base import PromoteQuestion

    first = await ask(app.bot, alice, "Printer broken")
    opened, _, doc = await solved(app.bot, alice, bob, "Scanner jams on page two", "Clean it.")
    assert await found_everywhere([app], "scanner jams page two") == [[doc]]
    await app.bot.handle(PromoteQuestion(mod, question_id=opened.question.id))
    third, _, fax = await solved(app.bot, bob, alice, "Fax line silent", "Plug it in.")
    assert await found_everywhere([app], "fax line silent") == [[fax]]
    points = [await _points(app, who) for who in (alice, bob)]
    mid = next_id()
    elsewhere = await app.bot.handle(
        c.AskQuestion(alice, "general", mid, "Scanner jams too", event_id=mid, thread_id=mid)
    )
    assert isinstance(elsewhere, ev.QuestionOpened)
    await app.bot.handle(c.DeleteMessage("console", "default", first.question.message_id))
    assert await delete_channel(app.bot.handle, "console", "other", "help") == 0

    steps = []
    after = 0
    while (
        step := await app.bot.handle(c.DeleteChannel("console", "default", "help", after))
    ).question:
        steps.append(step)
        after = step.question.id
    assert step == ev.DeletedOnPlatform()
    assert [s.question.id for s in steps] == [opened.question.id, third.question.id]
    assert all(s.question.is_deleted and s.outbound == () for s in steps)

    assert await found_everywhere([app], "fax line silent") == [[]]
    # The article promoted from the other is the moderators', and stays.
    assert await found_everywhere([app], "scanner jams page two") == [
        ["a:scanner-jams-on-page-two"]
    ]
    assert [await _points(app, who) for who in (alice, bob)] == points  # earned points stay
    for q in (opened, third):
        assert await _pending_jobs(app, q.question.id) == []
        audit = await app.bot.handle(c.ShowAudit(mod, question_id=q.question.id))
        assert isinstance(audit, ev.AuditShown)
        assert [(e.action, e.actor) for e in audit.entries][0] == ("platform_question_delete", None)
    shown = await app.bot.handle(c.ShowQuestion(alice, elsewhere.question.id))
    assert isinstance(shown, ev.QuestionShown) and not shown.question.is_deleted
    # Again (a repeat of the platform's event), or a channel the bot never kept: nothing.
    assert await delete_channel(app.bot.handle, "console", "default", "help") == 0
    assert await delete_channel(app.bot.handle, "console", "default", "nowhere") == 0


async def test_deleting_a_channel_s_questions_counts_them_and_stops_on_an_error(
    app: App,
) -> None:
    from bot.deletions import delete_channel

    for n in range(3):
        await ask(app.bot, alice, f"Question {n}")
    calls: list[c.DeleteChannel] = []

    async def failing_on_the_second(cmd: c.DeleteChannel) -> object:
        calls.append(cmd)
        if len(calls) == 2:
            raise errors.StorageUnavailable()
        return await app.bot.handle(cmd)

    with pytest.raises(errors.StorageUnavailable):
        await delete_channel(failing_on_the_second, "console", "default", "help")
    # What was deleted stays deleted; the event handled again deletes the rest.
    assert await delete_channel(app.bot.handle, "console", "default", "help") == 2
    mine = await app.bot.handle(c.ListMyQuestions(alice))
    assert isinstance(mine, ev.QuestionsListed) and mine.questions == ()


async def test_open_reports_on_a_message_deleted_on_the_platform_are_resolved(app: App) -> None:
    """Nothing is left for a moderator to decide: the reports leave `/mod reports`, resolved
    as deleted by nobody; a report on another message stays."""

    carol, dave = actor("carol"), actor("dave")
    opened = await ask(app.bot, alice)
    rude = await answer(app.bot, bob, opened, "rude words")
    kept = await answer(app.bot, bob, opened, "other words")
    reports = []
    for who, mid in ((carol, rude), (dave, rude), (carol, kept)):
        filed = await app.bot.handle(
            c.ReportMessage(
                who, "help", mid, "rude", thread=thread_of(opened), event_id=next_id("e")
            )
        )
        assert isinstance(filed, ev.ReportFiled)
        reports.append(filed.report)
    await gone(app, rude)
    listed = await app.bot.handle(c.ListReports(mod))
    assert isinstance(listed, ev.ReportsListed)
    assert [r.id for r in listed.reports] == [reports[2].id]
    with pytest.raises(errors.AlreadyResolved) as refused:
        await app.bot.handle(
            c.ResolveReport(mod, reports[0].id, ReportStatus.DISMISSED, event_id=next_id("e"))
        )
    assert app.bot.catalog.t(refused.value.key, **refused.value.params) == (
        f"Report #{reports[0].id} was already handled (deleted)."
    )
    audit = await app.bot.handle(c.ShowAudit(mod, question_id=opened.question.id))
    assert isinstance(audit, ev.AuditShown)
    rows = [e for e in audit.entries if e.action == "platform_report_deleted"]
    assert sorted(e.report_id for e in rows) == [reports[0].id, reports[1].id]
    assert {(e.actor, e.target and e.target.ref) for e in rows} == {(None, bob.ref)}
    line = ModerationPresenter(Presenter(app.bot.catalog)).audit_line(rows[0])
    assert "the platform" in line


async def test_a_thread_deleted_whole_resolves_the_reports_on_its_messages(app: App) -> None:
    """Every message of the thread is gone with it; a question whose opening message alone
    was deleted keeps its thread, and the reports on its answers stay for a moderator."""

    carol = actor("carol")
    gone_whole, kept = await ask(app.bot, alice, "First"), await ask(app.bot, alice, "Second")
    filed = {}
    for opened in (gone_whole, kept):
        mid = await answer(app.bot, bob, opened, "rude words")
        result = await app.bot.handle(
            c.ReportMessage(
                carol, "help", mid, "rude", thread=thread_of(opened), event_id=next_id("e")
            )
        )
        assert isinstance(result, ev.ReportFiled)
        filed[opened.question.id] = result.report.id
    await app.bot.handle(c.DeleteThread("default", thread_of(gone_whole)))
    await gone(app, kept.question.message_id)
    listed = await app.bot.handle(c.ListReports(mod))
    assert isinstance(listed, ev.ReportsListed)
    assert [r.id for r in listed.reports] == [filed[kept.question.id]]
