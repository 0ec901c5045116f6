"""A question's root message shows its state the same way whatever changed it (Slack, end
to end): 🔒 when closed by /close as by /mod close, gone again when /unsolve opens a question
closed after its solution; and an anonymous asker reopening their dormant question is not
pointed at by a public "open again" line under their message."""

from __future__ import annotations

from adapters.slack import ids
from tests.adapters.slack.conftest import ASKER, HELP, MOD, Slack
from tests.adapters.slack.test_lifecycle_e2e import life, texts
from tests.fakes import slack_payloads as sp

__all__ = ["life"]  # (the fixture, used by name)


async def test_close_by_the_asker_locks_the_root_as_a_moderators_close_does(life: Slack) -> None:
    mine = await life.ask("How do I reset my password?")
    theirs = await life.ask("Another question")

    await life.command("/close", "#1 figured it out", user=ASKER)
    await life.command("/mod", "close #2 spam", user=MOD)

    assert life.question_status(1) == life.question_status(2) == "closed"
    assert ids.CLOSED_REACTION in life.root_reactions(mine)
    assert life.root_reactions(mine) == life.root_reactions(theirs)


async def test_unsolve_after_the_solved_close_clears_the_lock_too(life: Slack) -> None:
    root = await life.ask()
    reply = await life.answer(root)
    await life.mark_solution(root, reply)
    await life.tick(hours=25)  # the solved-close
    assert set(life.root_reactions(root)) == {ids.CHECK_REACTION, ids.CLOSED_REACTION}

    await life.command("/unsolve", "#1", user=ASKER)

    assert life.question_status() == "open"
    assert life.root_reactions(root) == []


async def test_an_anonymous_askers_reply_reopens_quietly(life: Slack) -> None:
    await life.command("/ask", "--anonymous Can I see the salaries?")
    root = str(life.fake.calls_to("chat.postMessage")[0].response["ts"])
    await life.answer(root)
    await life.tick(hours=73)  # dormant-closed
    assert life.question_status() == "closed"
    posted = len(life.thread_posts(root))

    mine = life.fake.add_message(HELP, "Still stuck, any idea?", user=ASKER, thread_ts=root)
    await life.event(
        sp.message_event(
            channel=HELP, user=ASKER, text=mine["text"], ts=mine["ts"], thread_ts=root,
            parent_user_id="B0BOT",
        )
    )  # fmt: skip

    assert life.question_status() == "open"
    later = texts(life.thread_posts(root))[posted:]
    assert not any("open again" in t for t in later), later
    assert ids.CLOSED_REACTION not in life.root_reactions(root)
