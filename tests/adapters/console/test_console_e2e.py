"""End-to-end: a person typing into the console adapter, one story per test."""

from __future__ import annotations

from tests.helpers import Terminal


async def _question_with_answers(term: Terminal) -> None:
    await term.type(
        "How do I reset my password?",  # [1] alice opens question #1
        "/as bob",
        "/open 1",
        "Settings > Security > Reset.",  # [2]
        "/as carol",
        "Or use the forgot-password link.",  # [3]
        "/as alice",
    )


async def test_ask_opens_a_question_and_enters_its_thread(term: Terminal) -> None:
    text = await term.type("How do I reset my password?\nI tried the settings page.")
    assert "Question #1 opened: How do I reset my password?" in text
    assert "No similar solved questions" in text
    assert term.adapter.thread_question == 1
    out = await term.type("/back", "/ask Where are the logs kept?")
    assert "Question #2 opened: Where are the logs kept?" in out


async def test_answer_and_accept_by_message_number(term: Terminal) -> None:
    await _question_with_answers(term)
    text = await term.type("/accept 2")
    assert "Marked bob's answer as a solution to #1." in text
    assert "+15 bob, +2 alice" in text
    assert "bot: ✅ #1 solved: bob helped." in text
    out = await term.type("/rep bob")
    assert "bob: 15 points, rank 1, 1 accepted answer." in out


async def test_solved_asks_which_helper_then_credits_the_named_one(term: Terminal) -> None:
    await _question_with_answers(term)
    out = await term.type("/solved")
    assert "Who solved it? Name one: bob, carol." in out
    out = await term.type("/solved carol")
    assert "Marked carol's answer" in out


async def test_solved_with_a_single_helper(term: Terminal) -> None:
    await term.type("My build fails", "/as bob", "/open 1", "Clear the cache.", "/as alice")
    out = await term.type("/solved")
    assert "Marked bob's answer as a solution to #1." in out


async def test_unsolve_reopens_and_reverses(term: Terminal) -> None:
    await _question_with_answers(term)
    await term.type("/accept 2")
    out = await term.type("/unsolve")
    assert "#1 is open again. 17 points reversed." in out
    out = await term.type("/rep bob")
    assert "bob: 0 points" in out


async def test_close_without_an_answer(term: Terminal) -> None:
    await term.type("Is the server down?")
    out = await term.type("/close it came back")
    assert "#1 closed (closed by the asker: it came back)." in out


async def test_leaderboard_periods(term: Terminal) -> None:
    await _question_with_answers(term)
    await term.type("/accept 2", "/accept 3")
    out = await term.type("/leaderboard")
    assert out.splitlines()[1:] == [
        "bot: 1. bob: 15",
        "bot: 1. carol: 15",
        "bot: 2. alice: 2",
    ]
    out = await term.type("/leaderboard week")
    assert "Top helpers this week" in out
    out = await term.type("/leaderboard year")
    assert "Usage: /leaderboard [week|month|all]" in out


async def test_permissions_are_enforced(term: Terminal) -> None:
    await _question_with_answers(term)
    out = await term.type("/as carol", "/accept 2")
    assert "Only the person who asked (or a moderator) can do that." in out
    out = await term.type("/as bob", "/accept 2")
    assert "You can't mark your own message as the solution." in out
    out = await term.type("/as mod", "/accept 2")
    assert "Marked bob's answer" in out
    out = await term.type("/as carol", "/unsolve")
    assert "Only the person who asked" in out


async def test_suggestions_after_a_similar_question_was_solved(term: Terminal) -> None:
    await _question_with_answers(term)
    await term.type("/accept 2", "/back")
    text = await term.type("/as dave", "how to reset my password")
    assert "These may already answer it:" in text
    assert "How do I reset my password?" in text


async def test_bad_input_gets_clear_replies(term: Terminal) -> None:
    out = await term.type("/frobnicate now")
    assert "Unknown command /frobnicate. Type /help" in out
    out = await term.type("/accept")
    assert "Usage: /accept <message number>" in out
    out = await term.type("/rep alice bob")
    assert "Usage: /rep [member]" in out
    out = await term.type("/accept 99")
    assert "There is no message [99]." in out
    out = await term.type("/solved")
    assert "You are not in a question thread." in out
    out = await term.type("/open 99999999999999999999")  # no 64-bit id is that big
    assert "I can't find that question." in out
    out = await term.type("/report \u00b2 spam", "/as mod mod", "/mod report \u00b2 dismiss")
    assert "Usage: /report <message number> <reason>" in out  # "²".isdigit(), int() refuses
    assert "Usage: /mod report <id> dismiss|delete|warn [reason]" in out
    out = await term.type("/mod rep revert #\u00b2", "/mod rep revert " + "9" * 5_000)
    assert out.count("Usage: /mod rep add|remove") == 2
    out = await term.type("/mod rep add alice -50 oops")  # a typo, not a removal
    assert "Usage: /mod rep add|remove" in out and "points" not in out.split("Usage")[0]
    for hours in ("nan", "-3", "99999999999999999999"):  # the demo clock only goes forward
        out = await term.type(f"/tick {hours}")
        assert "Usage: /tick [hours]" in out


async def test_huge_and_odd_unicode_messages(term: Terminal) -> None:
    huge = "why " * 25_000  # 100 KB
    out = await term.type(huge)
    assert "Question #1 opened" in out
    rtl = "\u200f\u202bسلام، چطور رمز را عوض کنم؟\u202c 👩‍👩‍👧‍👦 zero\u200bwidth"
    out = await term.type("/back", rtl)
    assert "Question #2 opened: سلام، چطور رمز را عوض کنم؟" in out
    out = await term.type("/back", "\u200b\u200f   ")
    assert "Your question is empty." in out


async def test_title_is_cut_on_a_grapheme_boundary(term: Terminal) -> None:
    family = "👩‍👩‍👧‍👦"
    out = await term.type("x" * 95 + family * 3)
    opened = next(line for line in out.splitlines() if "Question #1 opened" in line)
    title = opened.split("opened: ", 1)[1]
    assert title.endswith("…") and len(title) <= 100
    assert title.removesuffix("…").rstrip("x") in ("", family)


async def test_my_questions_and_help(term: Terminal) -> None:
    await term.type("First question", "/back", "Second question", "/back")
    out = await term.type("/questions")
    assert "#2 Second question" in out and "#1 First question" in out
    out = await term.type("/help")
    assert "/accept <message>" in out


async def test_edit_your_question_and_answer_and_search_finds_the_new_words(term: Terminal) -> None:
    await _question_with_answers(term)
    out = await term.type("/edit 1 How do I reset my password on the mobile app?")
    assert "[1] alice (edited): How do I reset my password on the mobile app?" in out
    out = await term.type("/edit 2 nope")
    assert "Message [2] is not yours" in out
    await term.type("/as bob", "/edit 2 Settings > Security > Reset, on the app's profile tab.")
    await term.type("/as alice", "/accept 2", "/open 1")
    out = await term.type("/open 1")
    assert (
        "on the mobile app?" in out and "[2] bob: Settings > Security > Reset, on the app's" in out
    )
    out = await term.type("/back", "/kb search mobile app profile tab")
    assert "How do I reset my password on the mobile app?" in out
    out = await term.type("/edit 9 text", "/edit x text", "/edit 1")
    assert "There is no message [9]." in out and out.count("Usage: /edit") == 2


async def test_delete_an_answer_then_the_question(term: Terminal) -> None:
    """As on Discord and Slack: an accepted answer deleted by its author takes its points
    with it; the asker deleting the question closes its thread; only the author or a
    moderator deletes a message."""

    await _question_with_answers(term)
    await term.type("/accept 2")
    out = await term.type("/delete 2")
    assert "Message [2] is not yours: only its author or a moderator can delete it." in out
    out = await term.type("/as bob", "/delete 2")
    assert "[2] was deleted." in out
    assert "The answer had been accepted: bob lost the 15 points it earned" in out
    out = await term.type("/rep")
    assert "bob: 0 points" in out and "-15 reversal" in out
    out = await term.type("/as alice", "/open 1")
    assert "Settings > Security" not in out and "forgot-password link" in out

    out = await term.type("/delete 1")
    assert "[1] was deleted." in out
    assert "#1's question was deleted, so this thread is closed" in out
    assert "Back in #help." in out
    out = await term.type("/open 1", "/questions")
    assert "How do I reset my password?" not in out
    out = await term.type("/delete 1", "/delete x", "/delete")
    assert "There is no message [1]." in out and out.count("Usage: /delete") == 2


async def test_a_moderator_deletes_anyones_message(term: Terminal) -> None:
    await _question_with_answers(term)
    out = await term.type("/as mod", "/delete 3")
    assert "[3] was deleted." in out
    out = await term.type("/as alice", "/open 1")
    assert "forgot-password link" not in out and "Settings > Security" in out


async def test_unaccept_takes_a_solution_mark_back(term: Terminal) -> None:
    await _question_with_answers(term)
    await term.type("/accept 2")
    out = await term.type("/as bob", "/unaccept 2")
    assert "Only the person who asked (or a moderator) can do that." in out
    out = await term.type("/as alice", "/unaccept 2")
    assert (
        "Took back the solution mark on bob's answer: #1 is open again. 17 points reversed." in out
    )
    out = await term.type("/unaccept 2")
    assert "That message is not marked as a solution, so there is nothing to undo." in out
    out = await term.type("/unaccept 9", "/unaccept x")
    assert "There is no message [9]." in out and "Usage: /unaccept" in out


async def test_a_thank_you_or_an_ok_in_help_is_no_question(term: Terminal) -> None:
    out = await term.type("thanks @bob!", "ok", "+1")
    assert "Question #" not in out
    assert "Question #1 opened: ok, why is it slow?" in await term.type("ok, why is it slow?")
    out = await term.type("/back", "/ask ok")  # /ask is a deliberate question
    assert "Question #2 opened: ok" in out
