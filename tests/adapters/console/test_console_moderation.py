"""End-to-end on the console: thanks, reports and /mod commands, as a person would type them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers import Terminal


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"communities": {"default": {"moderation": {"moderators_channel": {"console": "mods"}}}}}


async def _thread(term: Terminal) -> None:
    await term.type(
        "How do I reset my password?",  # [1] alice, question #1
        "/as bob",
        "Settings > Security > Reset.",  # [2]
        "/as alice",
    )


async def test_thanks_in_a_message_credits_and_offers_to_accept(term: Terminal) -> None:
    await _thread(term)
    out = await term.type("teşekkürler, oldu!")
    assert "bot (private to bob): alice thanked you for your help with #1: +2 points." in out
    assert "bot (only you): bob was thanked (+2)." in out
    assert "Mark it as the solution: /accept 2." in out
    out = await term.type("/thanks bob")
    assert "You already thanked bob in this question." in out


async def test_sarcasm_earns_nothing(term: Terminal) -> None:
    await _thread(term)
    out = await term.type("thanks for nothing")
    assert "thanked" not in out
    out = await term.type("/rep bob")
    assert "bob: 0 points" in out


async def test_reciprocal_thanks_is_explained_to_the_giver(term: Terminal) -> None:
    await _thread(term)
    await term.type("/thanks bob", "/as bob", "/back")
    out = await term.type("/thanks alice")  # (in alice's question she answered nothing)
    assert "without points this time: they thanked you moments ago" in out


async def test_report_goes_to_the_moderators_and_can_be_acted_on(term: Terminal) -> None:
    await _thread(term)
    out = await term.type("/as carol", "/report 2 rude answer")
    assert "bot in #mods: 🚩 Report #1 on a message by bob" in out
    assert "carol" not in out.split("bot in #mods:")[1].split("\n")[0]
    assert "your report #1 went to the moderators" in out.lower()
    out = await term.type("/mod reports")
    assert "Only moderators can do that." in out
    out = await term.type("/as mod", "/mod report 1 warn keep it civil")
    assert "bot (private to bob): A moderator sent you a warning: keep it civil (warning 1)." in out
    assert "Report #1: bob warned." in out


async def test_deleting_an_accepted_answer_tells_the_moderator_what_it_took_back(
    term: Terminal,
) -> None:
    await _thread(term)
    await term.type("/accept 2", "/as carol", "/report 2 rude answer")
    out = await term.type("/as mod", "/mod report 1 delete")
    assert (
        "bot (only you): Report #1: message deleted.\n"
        "bot (only you): The answer had been accepted: bob lost the 15 points it earned, and the "
        "asker the 2 points for accepting it. Nothing solves the question any more, so it is "
        "open again."
    ) in out
    out = await term.type("/rep alice")
    assert "alice: 0 points" in out


async def test_mod_commands_and_audit(term: Terminal) -> None:
    await _thread(term)
    out = await term.type("/as carol", "/mod lock")
    assert "Only moderators can do that." in out
    out = await term.type("/as mod", "/mod lock", "/as bob", "I can still write?")
    assert "🔒 #1 locked" in out and "This thread is locked by the moderators." in out
    out = await term.type("/as mod", "/mod unlock", "/mod rep add bob 10 great guide")
    assert "+10 bob (now 10)" in out
    out = await term.type("/mod helpban carol 1d spamming")
    assert "carol is help-banned until" in out
    assert "bot (private to carol): A moderator has paused" in out
    out = await term.type("/as carol", "/ask Can I ask?")
    assert "You can't open questions until" in out
    out = await term.type("/as mod", "/mod audit")
    for action in ("question_lock", "question_unlock", "rep_add", "helpban"):
        assert action in out
    assert "carol question_lock: REFUSED" in out
    out = await term.type("/mod rep revert bob received 1d")
    assert "-10 bob (now 0)" in out
    out = await term.type("/mod delete #1")
    assert "#1 deleted" in out and "/mod restore 1 undoes it" in out
    out = await term.type("/as alice", "/questions")
    assert "#1" not in out
    out = await term.type("/as mod", "/mod restore #1")
    assert "#1 restored" in out
    out = await term.type("/as alice", "/questions")
    assert "#1" in out


async def test_moderators_read_ledger_ids_off_rep_and_revert_by_them(term: Terminal) -> None:
    await _thread(term)
    await term.type("/as mod", "/mod rep add bob 10 great guide")
    out = await term.type("/rep bob")
    found = re.search(r"\+10 moderator adjustment \(.*\) · ledger (#\d+)", out)
    assert found, out
    out = await term.type("/as alice", "/rep bob")
    assert "+10 moderator adjustment" in out and "· ledger #" not in out
    out = await term.type("/as mod", f"/mod rep revert {found.group(1)} too generous")
    assert "-10 bob (now 0)" in out


async def test_duplicate_and_not_duplicate(term: Terminal) -> None:
    await _thread(term)
    await term.type("/back", "/ask Password reset again?")  # question #2
    out = await term.type("/as mod", "/mod duplicate #1")
    assert "#2 closed as a duplicate of #1." in out
    assert "This question was closed as a duplicate of #1." in out
    out = await term.type("/as alice", "/notduplicate")
    assert "#2 is open again: the asker says it is not a duplicate." in out


async def test_helpban_duration_is_judged_by_the_core(term: Terminal) -> None:
    await term.type("/as carol", "Hello")
    out = await term.type("/as alice", "/mod helpban carol soon")
    assert "Only moderators can do that." in out  # refused (and audited) whatever was typed
    out = await term.type("/as mod", "/mod helpban carol soon")
    assert "The duration must be more than zero and at most 365 days" in out
    out = await term.type("/mod audit")
    assert "alice helpban carol: REFUSED — not a moderator" in out


async def test_mod_help_lists_commands_to_moderators_only(term: Terminal) -> None:
    out = await term.type("/mod help")
    assert "Only moderators can do that." in out and "/mod helpban" not in out
    out = await term.type("/mod frobnicate")  # the list offered after a typo, likewise
    assert "Only moderators can do that." in out and "/mod helpban" not in out
    out = await term.type("/as mod", "/mod help")
    assert "/mod rep revert <ledger id>" in out and "/mod helpban" in out
    out = await term.type("/mod audit")
    assert out.count("alice mod_help: REFUSED — not a moderator") == 2
