"""End-to-end on the console: welcome, guidelines, reminders and closes printed by the
console's Outbox sender, `/tick` on the fake clock, anonymous asks and the moderator reveal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Terminal


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "communities": {
            "default": {
                "lifecycle": {
                    "anonymous_questions": True,
                    "escalation": {"helper_role_ids": {"console": ["helpers"]}},
                    "onboarding": {"guidelines": "Say what you tried."},
                }
            }
        }
    }


async def test_welcome_once_and_guidelines(term: Terminal) -> None:
    out = await term.type("How do I reset my password?")
    assert "bot (only you): Welcome to #help, alice!" in out
    assert "bot (only you): Say what you tried." in out
    out = await term.type("/back", "Second question")
    assert "Welcome" not in out
    out = await term.type("/guidelines")
    assert "Guidelines for #help:" in out and "Say what you tried." in out


async def test_escalation_reminder_and_dormant_close_with_tick(term: Terminal) -> None:
    await term.type("My build fails")
    out = await term.type("/tick 1.1")
    assert "bot in #help > #1: @helpers #1 has had no answer for 1 hour 6 minutes." in out
    await term.type("/as bob", "Clear the cache.", "/as alice")
    out = await term.type("/tick 25")
    assert "bot in #help > #1: @alice Did one of the answers solve this?" in out
    assert "[Mark solved: /solved or /accept <message>]" in out
    out = await term.type("/tick 48")
    assert "#1 was closed after 72 hours without activity (reason: no activity)." in out
    assert "(#help > #1 archived)" in out
    out = await term.type("/open 1")
    assert "asked by alice, closed: no activity" in out
    out = await term.type("It is still broken!")
    assert "bot: #1 is open again: the asker wrote a new message." in out
    out = await term.type("/questions")
    assert "#1 My build fails (open): /open 1" in out


async def test_solved_question_closes_after_a_day(term: Terminal) -> None:
    await term.type("My build fails", "/as bob", "/open 1", "Clear the cache.", "/as alice")
    await term.type("/solved")
    out = await term.type("/tick 24")
    assert "#1 is solved and now closed (reason: solved)." in out
    assert "(#help > #1 archived, marked solved)" in out


async def test_an_anonymous_askers_reply_reopens_their_question_quietly(term: Terminal) -> None:
    await term.type("/ask --anonymous Is my config leaking secrets?", "/as bob", "/open 1")
    await term.type("Use env vars.", "/tick 73", "/as alice", "/open 1")
    out = await term.type("Still leaking, any idea?")
    assert "open again" not in out  # right under alice's message, it would name the asker
    out = await term.type("/questions")
    assert "#1 Is my config leaking secrets? (open)" in out


async def test_the_anonymous_flag_in_any_case_is_the_flag(term: Terminal) -> None:
    out = await term.type("/ask --ANONYMOUS Is my key leaking?")
    assert "[1] Anonymous in #help: Is my key leaking?" in out and "--ANONYMOUS" not in out


async def test_anonymous_question_and_moderator_reveal(term: Terminal) -> None:
    out = await term.type("/ask --anonymous Is my config leaking secrets?")
    assert "[1] Anonymous in #help: Is my config leaking secrets?" in out
    assert "the asker or a moderator can mark it" in out
    assert "alice in #help" not in out
    out = await term.type("/edit 1 Is my .env leaking?")  # the bot's post: no edit, no name
    assert "the bot's post of your anonymous question" in out and "alice (edited)" not in out
    await term.type("/as bob", "/open 1", "Use env vars.")
    out = await term.type("/tick 25")
    assert "@alice" not in out and "alice" not in out.replace("(private to alice)", "")
    assert "bot (private to alice): Your question #1" in out
    out = await term.type("/reveal 1")
    assert "Only moderators can do that." in out
    out = await term.type("/as mod", "/reveal 1 spam check")
    assert "#1 was asked by alice. This lookup was recorded in the audit log." in out
    out = await term.type("/as alice", "/accept 2")
    assert "Marked bob's answer as a solution to #1." in out
