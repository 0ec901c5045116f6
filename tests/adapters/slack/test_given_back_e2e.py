"""Free text typed into a slash command comes back to the member with the error when the
command is refused or fails before the core keeps it: Slack clears the message box once a
command is sent. A reason, an article's text, not a title, an id or a duration; nothing blank;
and nothing the core kept, whatever fails after."""

from __future__ import annotations

from typing import Any

import pytest

from bot import errors
from bot.moderation_presenter import ModerationPresenter
from tests.adapters.slack.conftest import HELPER, MOD, OTHER, Slack

REFUSED = "Only moderators can do that."
GIVEN_BACK = "Here is what you wrote, so you can use it again:"
DOWN = "The database is busy or unreachable right now; nothing was changed."
SORRY = "Something went wrong"
# As Slack sends it: escaped, a mention as markup, on two lines.
REASON = "Keeps posting &lt;links&gt; to <@U0HELPER2|helper2>'s *scam* site.\nSecond warning."


def told(slack: Slack) -> str:
    (text,) = slack.responses()
    return text


@pytest.mark.parametrize(
    "command",
    [
        f"warn <@{HELPER}|helper> {REASON}",
        f"lock #1 {REASON}",
        f"close #1   {REASON}",
        f"delete #1 {REASON}",
        f"duplicate #1 #1 {REASON}",
        f"helpban <@{HELPER}|helper> 7d {REASON}",
        f"rep add <@{HELPER}|helper> 5 {REASON}",
        f"rep remove <@{HELPER}|helper> 5 {REASON}",
        f"rep revert 1 {REASON}",
        f"reveal #1 {REASON}",
        f"report 1 dismiss {REASON}",
    ],
    ids=lambda command: " ".join(command.split()[: 2 if command.startswith("rep ") else 1]),
)
async def test_a_member_refused_a_mod_command_gets_their_reason_back(
    slack: Slack, command: str
) -> None:
    """A member is refused every /mod command that writes; the reason they typed was gone
    with the refusal. Now it comes back after the refusal, as they typed it."""

    await slack.ask()
    slack.fake.clear_calls()

    await slack.command("/mod", command, user=OTHER)

    assert told(slack) == f"{REFUSED}\n{GIVEN_BACK}\n{REASON}"


async def test_a_refused_close_gives_the_reason_back(slack: Slack) -> None:
    await slack.ask()
    slack.fake.clear_calls()

    await slack.command("/close", f"#1 {REASON}", user=OTHER)

    refusal, intro, *back = told(slack).split("\n")
    assert not refusal.startswith(SORRY)
    assert [intro, "\n".join(back)] == [GIVEN_BACK, REASON]
    assert slack.question_status() == "open"


async def test_a_refused_kb_add_gives_the_article_s_text_back_not_its_title(
    slack: Slack,
) -> None:
    text = "Open the *VPN portal* and use <https://example.com/reset|the reset link>.\nDone."

    await slack.command("/kb", f"add Reset a password | {text}", user=OTHER)

    assert told(slack) == f"{REFUSED}\n{GIVEN_BACK}\n{text}"
    assert slack.count("articles") == 0


async def test_a_refused_kb_edit_and_remove_give_their_text_back(slack: Slack) -> None:
    await slack.command("/kb", "add Reset | Use the portal.", user=MOD)
    article = slack.responses()[-1].split()[1]
    slack.fake.clear_calls()

    await slack.command("/kb", f"edit {article} New title | A new text.", user=OTHER)
    await slack.command("/kb", f"remove {article} It is out of date.", user=OTHER)

    assert slack.responses() == [
        f"{REFUSED}\n{GIVEN_BACK}\nA new text.",
        f"{REFUSED}\n{GIVEN_BACK}\nIt is out of date.",
    ]


async def test_an_article_the_database_did_not_keep_comes_back(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is down: nothing was changed, and the moderator has their text."""

    def down(**_: Any) -> Any:
        raise errors.TransientStorageError("connection refused")

    monkeypatch.setattr(slack.core.bot, "uow_factory", down)
    monkeypatch.setattr(slack.core.bot, "_retry_delay", 0)

    await slack.command("/kb", "add Reset a password | Use the portal's reset link.", user=MOD)

    error, intro, back = told(slack).split("\n")
    assert error.startswith(DOWN)
    assert [intro, back] == [GIVEN_BACK, "Use the portal's reset link."]


async def test_a_reason_that_is_blank_is_not_given_back(slack: Slack) -> None:
    await slack.ask()
    slack.fake.clear_calls()

    await slack.command("/mod", "lock #1 \u200b", user=OTHER)
    await slack.command("/close", "#1", user=OTHER)

    assert all(GIVEN_BACK not in text for text in slack.responses())
    assert len(slack.responses()) == 2


async def test_a_warning_the_core_kept_is_not_given_back_when_its_reply_fails(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning is given: whatever fails after that is said alone, so the moderator is
    not handed a warning to send twice."""

    def broken(*_: Any) -> str:
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(ModerationPresenter, "warned", broken)

    await slack.command("/mod", f"warn <@{HELPER}|helper> {REASON}", user=MOD)

    assert told(slack).startswith(SORRY)
    assert GIVEN_BACK not in told(slack)
    assert slack.rows("SELECT outcome FROM audit_log WHERE action = 'warn'") == [("done",)]


async def test_one_line_inputs_are_not_given_back(slack: Slack) -> None:
    """A search query or an id is quicker to type again than a paragraph."""

    await slack.command("/kb", "undo nosuch", user=MOD)
    await slack.command("/kb", "promote #9 my-article", user=MOD)

    assert len(slack.responses()) == 2
    assert all(GIVEN_BACK not in text for text in slack.responses())
