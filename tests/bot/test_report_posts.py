"""A resolved report's post in the moderators' channel is marked handled however the report
was resolved, on both databases: by a moderator (button or /mod report), with another report
on the same message, or by the platform deleting the reported message or its thread. The
core says so with a `ReportPostUpdate` for each resolved report whose post was recorded."""

from __future__ import annotations

from typing import Any

import pytest

from bot import commands as c
from bot import events as ev
from bot.bootstrap import App
from bot.i18n import Catalog
from bot.model import ReportStatus
from bot.moderation_presenter import ModerationPresenter
from bot.outbound import ReportPostUpdate
from bot.presenters import Presenter
from bot.report_posts import RecordReportPost, ReportPostRecorded
from tests.helpers import actor, answer, ask, next_id, thread_of

alice, bob, carol, dave = actor("alice"), actor("bob"), actor("carol"), actor("dave")
mod = actor("mod", mod=True)
HANDLED = "slack.report_handled"  # "{outcome} (by {moderator})"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"communities": {"default": {"moderation": {"moderators_channel": {"console": "mods"}}}}}


async def filed(app: App, who: Any, message_id: str, post: str | None = None) -> int:
    result = await app.bot.handle(
        c.ReportMessage(who, "help", message_id, "rude", event_id=next_id("e"))
    )
    assert isinstance(result, ev.ReportFiled)
    if post is not None:  # as the platform's sender does once the post is out
        recorded = await app.bot.handle(
            RecordReportPost("console", "default", result.report.id, post)
        )
        assert recorded == ReportPostRecorded(result.report.id, True)
    return result.report.id


def updates(result: Any) -> list[ReportPostUpdate]:
    return [m for m in result.outbound if isinstance(m, ReportPostUpdate)]


def line(update: ReportPostUpdate) -> str:
    return ModerationPresenter(Presenter(Catalog(), "en")).report_post_line(update, "@mod", HANDLED)


async def test_a_moderators_resolution_marks_its_post_and_the_others_on_that_message(
    app: App,
) -> None:
    opened = await ask(app.bot, alice)
    rude = await answer(app.bot, bob, opened, "you are an idiot")
    first = await filed(app, carol, rude, post="mods:101")
    second = await filed(app, dave, rude, post="mods:102")

    resolved = await app.bot.handle(
        c.ResolveReport(mod, first, ReportStatus.DELETED, event_id=next_id("e"))
    )

    assert isinstance(resolved, ev.ReportResolved) and resolved.also_resolved == (second,)
    marked = updates(resolved)
    assert [(u.post_ref, u.report_id, u.moderator_id) for u in marked] == [
        ("mods:101", first, "mod"),
        ("mods:102", second, "mod"),
    ]
    assert [line(u) for u in marked] == [
        f"Report #{first}: message deleted. (by @mod)",
        f"Report #{second}: message deleted. (by @mod)",
    ]


async def test_the_platforms_deletion_marks_the_posts_of_what_it_took(app: App) -> None:
    opened = await ask(app.bot, alice)
    rude = await answer(app.bot, bob, opened, "you are an idiot")
    on_answer = await filed(app, carol, rude, post="mods:201")
    unrecorded = await filed(app, dave, rude)  # its post never went out: nothing to mark
    elsewhere = await ask(app.bot, alice, "Another question")
    other = await answer(app.bot, bob, elsewhere, "rude again")
    in_thread = await filed(app, carol, other, post="mods:202")

    gone = await app.bot.handle(c.DeleteMessage("console", "default", rude))
    assert isinstance(gone, ev.DeletedOnPlatform)
    assert set(gone.reports) == {on_answer, unrecorded}
    [update] = updates(gone)
    assert (update.report_id, update.moderator_id) == (on_answer, None)
    assert line(update) == f"Report #{on_answer} closed: the reported message was deleted."

    thread_gone = await app.bot.handle(c.DeleteThread("default", thread_of(elsewhere)))
    assert isinstance(thread_gone, ev.DeletedOnPlatform)
    assert [u.report_id for u in updates(thread_gone)] == [in_thread]


async def test_a_hidden_questions_reports_close_when_its_thread_goes(app: App) -> None:
    opened = await ask(app.bot, alice)
    rude = await answer(app.bot, bob, opened, "you are an idiot")
    report = await filed(app, carol, rude, post="mods:401")
    await app.bot.handle(
        c.ModerateQuestion(
            mod, c.QuestionAction.DELETE, question_id=opened.question.id, event_id=next_id("e")
        )
    )

    gone = await app.bot.handle(c.DeleteThread("default", thread_of(opened)))

    assert isinstance(gone, ev.DeletedOnPlatform) and gone.reports == (report,)
    assert [u.report_id for u in updates(gone)] == [report]
    still_open = await app.bot.handle(c.ListReports(mod))
    assert isinstance(still_open, ev.ReportsListed) and still_open.reports == ()


async def test_a_dismissal_names_the_moderator_and_a_post_is_recorded_only_for_its_report(
    app: App,
) -> None:
    opened = await ask(app.bot, alice)
    rude = await answer(app.bot, bob, opened, "meh")
    report = await filed(app, carol, rude, post="mods:301")
    wrong = await app.bot.handle(RecordReportPost("slack", "default", report, "C1:1.0"))
    assert wrong == ReportPostRecorded(report, False)  # not that platform's report
    missing = await app.bot.handle(RecordReportPost("console", "default", 999_999, "mods:9"))
    assert missing == ReportPostRecorded(999_999, False)

    dismissed = await app.bot.handle(
        c.ResolveReport(mod, report, ReportStatus.DISMISSED, event_id=next_id("e"))
    )

    [update] = updates(dismissed)
    assert (
        update.post_ref == "mods:301" and line(update) == f"Report #{report} dismissed. (by @mod)"
    )


async def test_a_post_recorded_after_its_report_was_resolved_is_marked_at_once(app: App) -> None:
    """The message went (or a moderator resolved the report) while the sender was still
    posting the report: the resolution found no post to mark, so recording marks it."""

    opened = await ask(app.bot, alice)
    rude = await answer(app.bot, bob, opened, "you are an idiot")
    by_platform = await filed(app, carol, rude)  # no post recorded yet
    other = await answer(app.bot, bob, opened, "and again")
    by_moderator = await filed(app, carol, other)
    await app.bot.handle(c.DeleteMessage("console", "default", rude))
    await app.bot.handle(
        c.ResolveReport(mod, by_moderator, ReportStatus.DISMISSED, event_id=next_id("e"))
    )

    late = await app.bot.handle(RecordReportPost("console", "default", by_platform, "mods:501"))
    later = await app.bot.handle(RecordReportPost("console", "default", by_moderator, "mods:502"))

    assert isinstance(late, ReportPostRecorded) and isinstance(later, ReportPostRecorded)
    assert [line(u) for u in late.outbound] == [
        f"Report #{by_platform} closed: the reported message was deleted."
    ]
    assert [(u.post_ref, line(u)) for u in later.outbound] == [
        ("mods:502", f"Report #{by_moderator} dismissed. (by @mod)")
    ]
