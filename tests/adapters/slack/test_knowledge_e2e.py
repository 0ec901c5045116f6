"""`/kb` over signed HTTP: search and show through the knowledge-base core, moderators' writes
(add, edit, remove, undo, promote), a member refused, and an article suggestion's "This solved
it" button."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from adapters.slack import blocks, ids
from adapters.slack.long_text import units
from bot import knowledge_base as kb_core
from bot.model import Actor, MemberRef
from tests.adapters.slack.conftest import (
    ASKER,
    HELP,
    HELPER,
    HELPER2,
    MOD,
    OTHER,
    MarkedCatalog,
    Slack,
    make_slack,
)
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack

ARTICLE = "add Reset your VPN password | Open the VPN portal and use the reset link."


async def test_kb_add_search_and_show_an_article(slack: Slack) -> None:
    await slack.command("/kb", ARTICLE, user=MOD)
    added = slack.responses()[-1]
    assert added.startswith("Article ") and "added (version 1)" in added
    article = added.split()[1]
    assert article.startswith("a:")

    await slack.command("/kb", "search vpn password reset", user=OTHER)
    found = slack.responses()[-1]
    assert "Reset your VPN password" in found and f"`{article}`" in found

    await slack.command("/kb", f"show {article}", user=OTHER)
    shown = slack.responses()[-1]
    assert "Reset your VPN password" in shown and "reset link" in shown


async def test_kb_search_says_when_nothing_is_good(slack: Slack) -> None:
    await slack.command("/kb", "search zebra migration patterns")

    assert slack.responses()[-1].startswith("Found nothing good for")


async def test_kb_edit_remove_and_undo(slack: Slack) -> None:
    await slack.command("/kb", ARTICLE, user=MOD)
    article = slack.responses()[-1].split()[1]

    await slack.command("/kb", f"edit {article} | Use the portal's reset link.", user=MOD)
    assert "updated (version 2)" in slack.responses()[-1]
    await slack.command("/kb", f"remove {article} outdated", user=MOD)
    assert "removed (version 3)" in slack.responses()[-1]
    await slack.command("/kb", f"undo {article}", user=MOD)
    assert "back to an earlier version" in slack.responses()[-1]


async def test_a_member_cannot_write_the_knowledge_base(slack: Slack) -> None:
    await slack.command("/kb", ARTICLE, user=OTHER)

    refusal, given_back, text = slack.responses()[-1].split("\n")
    assert refusal == "Only moderators can do that."
    assert given_back == "Here is what you wrote, so you can use it again:"
    assert ARTICLE.endswith(f"| {text}")
    assert slack.count("articles") == 0


async def test_kb_promote_a_solved_question_and_show_it(slack: Slack) -> None:
    root = await slack.ask("How do I reset my password?")
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)

    await slack.command("/kb", "show #1", user=OTHER)
    assert "#1 How do I reset my password?" in slack.responses()[-1]
    await slack.command("/kb", "promote #1 password-reset", user=MOD)

    promoted = slack.responses()[-1]
    assert "Question #1 is now article a:password-reset" in promoted
    await slack.command("/kb", "show a:password-reset", user=OTHER)
    assert "reset link" in slack.responses()[-1]


STEPS = " ".join(f"Step {i}: run `pip install foo=={i}` &amp; check it." for i in range(40))
# As Slack sends a member's reply: a bare mention, a labelled link, escaped `&`.
LONG_ANSWER = f"Ask <@{HELPER2}> too, and read <https://pip.example/pin|the pinning docs>. {STEPS}"


async def solved_with(slack: Slack, question: str, answer: str) -> str:
    """A question answered by HELPER and marked solved; returns the answer's ts."""

    root = await slack.ask(question)
    reply = await slack.answer(root, text=answer)
    await slack.mark_solution(root, reply)
    assert slack.question_status() == "solved"
    return reply


async def article_body(slack: Slack, article_id: str) -> str:
    member = Actor(MemberRef("slack", "main", OTHER), "other")
    shown = await slack.core.bot.handle(kb_core.ShowKnowledge(member, article_id))
    assert isinstance(shown, kb_core.ArticleShown)
    return shown.article.body


async def test_a_promoted_article_holds_the_whole_answer_read_back_from_slack(
    slack: Slack,
) -> None:
    """The bot keeps 300 characters of each message; /kb promote reads each accepted answer
    back from its thread (conversations.replies, the reply's ts as both ends of the range)
    and gives the core its whole text, Slack markup made plain: the mention as a name, the
    link with its address, `&amp;` as `&`. A member's refused promote reads nothing."""

    assert 1900 < len(LONG_ANSWER) < 2200
    reply = await solved_with(slack, "How do I pin a package version?", LONG_ANSWER)

    await slack.command("/kb", "promote #1 pinning", user=OTHER)
    assert slack.responses()[-1] == "Only moderators can do that."
    assert not slack.fake.calls_to("conversations.replies")

    await slack.command("/kb", "promote #1 pinning", user=MOD)
    assert "Question #1 is now article a:pinning" in slack.responses()[-1]
    read = slack.fake.last_call("conversations.replies").params
    assert (read["channel"], read["oldest"], read["latest"]) == (HELP, reply, reply)
    whole = (
        "Ask @helper2 too, and read the pinning docs (https://pip.example/pin). "
        + STEPS.replace("&amp;", "&")
    )
    assert f"**helper:** {whole}" in await article_body(slack, "pinning")


# A reply as Slack sends it, styled and with emoji codes, and what the article holds of it.
STYLED_ANSWER = (
    "*Restart* the agent, then _wait_ :hourglass: and ~reboot~ check `pip install *foo*` "
    "(see <https://pip.example/pin_me_|the pinning docs>) :+1::skin-tone-2: :party_parrot:\n"
    "snake_case_names stay, 2*3*4 too &amp; ```\n*x* = _y_ :tada:\n```"
)
STYLED_MARKDOWN = (
    "**Restart** the agent, then _wait_ ⌛ and ~~reboot~~ check `pip install *foo*` "
    "(see the pinning docs (https://pip.example/pin_me_)) 👍🏻 :party_parrot:\n"
    "snake_case_names stay, 2\\*3\\*4 too & ```\n*x* = _y_ :tada:\n```"
)


async def test_a_promoted_answer_s_slack_styling_and_emoji_become_markdown(slack: Slack) -> None:
    """The article is Markdown on every platform: Slack's `*bold*` was kept, and Discord
    showed it in italics, `:+1:` as text. Now the promoted answer's styling is Markdown and
    its emoji codes emoji (a workspace's own stays as typed); code, links and `2*3*4` are
    what they were. Shown in Slack again, the article reads as the answer did."""

    await solved_with(slack, "Why does the agent hang?", STYLED_ANSWER)

    await slack.command("/kb", "promote #1 agent-hangs", user=MOD)

    assert "Question #1 is now article a:agent-hangs" in slack.responses()[-1]
    assert f"**helper:** {STYLED_MARKDOWN}" in await article_body(slack, "agent-hangs")
    await slack.command("/kb", "show a:agent-hangs", user=OTHER)
    shown = slack.fake.response_url_calls[-1].body["blocks"][0]["text"]["text"]
    assert "*helper:* *Restart* the agent, then _wait_ ⌛ and ~reboot~ check" in shown
    assert "`pip install *foo*`" in shown and "2*3*4 too &amp; ```\n*x* = _y_ :tada:\n```" in shown


async def test_an_article_added_in_slack_is_markdown_and_keeps_its_links(slack: Slack) -> None:
    """`/kb add` and `/kb edit` take the text as a Slack member writes it: mrkdwn, made
    Markdown as a promoted answer is, a labelled link with its address (the label alone
    lost where it led). The title is words: nothing in it is taken for styling."""

    await slack.command(
        "/kb",
        "add Pin *all* versions | *Always* pin :pushpin: <https://pip.example/pin|the docs>",
        user=MOD,
    )
    article = slack.responses()[-1].split()[1]
    member = Actor(MemberRef("slack", "main", OTHER), "other")
    shown = await slack.core.bot.handle(kb_core.ShowKnowledge(member, article))
    assert isinstance(shown, kb_core.ArticleShown)
    assert shown.article.title == "Pin *all* versions"
    assert shown.article.body == ("**Always** pin 📌 the docs (https://pip.example/pin)")

    await slack.command("/kb", f"edit {article} | _Never_ float :x: 2*3", user=MOD)
    assert "updated (version 2)" in slack.responses()[-1]
    assert await article_body(slack, article) == "_Never_ float ❌ 2\\*3"
    await slack.command("/kb", f"edit {article} Pin every version", user=MOD)
    assert await article_body(slack, article) == "_Never_ float ❌ 2\\*3"


# A question as a member writes it in Slack, the text the bot stores of it (Slack's markup
# kept, the link's address lost), and what the article holds of it.
STYLED_QUESTION = (
    "Why does *pip* hang? :hourglass:\nThe <https://pip.example/log|log> &amp; "
    f"<@{HELPER2}> say _nothing_."
)
STORED_QUESTION = "Why does *pip* hang? :hourglass:\nThe log & @helper2 say _nothing_."
QUESTION_MARKDOWN = (
    "Why does **pip** hang? ⌛\nThe log (https://pip.example/log) & @helper2 say _nothing_."
)


async def test_a_promoted_question_s_slack_styling_emoji_and_links_become_markdown(
    slack: Slack,
) -> None:
    """The article's question was the text the bot stored when it was asked: Slack's
    `*pip*` (italic in Markdown) and `:hourglass:` kept, the link's address lost. Now it is
    the question's message read back and made Markdown as an answer is, from the read that
    fetches the answer (Slack puts the thread's root first): no call more."""

    await solved_with(slack, STYLED_QUESTION, "Try `pip -v`.")
    assert slack.rows("SELECT body FROM questions") == [(STORED_QUESTION,)]

    await slack.command("/kb", "promote #1 pip-hangs", user=MOD)

    assert "Question #1 is now article a:pip-hangs" in slack.responses()[-1]
    body = await article_body(slack, "pip-hangs")
    assert body == f"{QUESTION_MARKDOWN}\n\n**helper:** Try `pip -v`.\n\n— helper"
    assert len(slack.fake.calls_to("conversations.replies")) == 1


@pytest_asyncio.fixture
async def anonymous_ok(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    harness, _ = await make_slack(fake_slack, tmp_path, lifecycle={"anonymous_questions": True})
    try:
        yield harness
    finally:
        await harness.runner.cleanup()
        await harness.core.close()


async def asked_and_solved(slack: Slack, text: str) -> str:
    """`/ask <text>` by ASKER, answered by HELPER and accepted; returns the bot's post's ts."""

    await slack.command("/ask", text)
    root = str(slack.fake.calls_to("chat.postMessage")[0].response["ts"])
    reply = await slack.answer(root, text="Try `pip -v`.")
    await slack.mark_solution(root, reply)
    assert slack.question_status() == "solved"
    return root


@pytest.mark.parametrize("flag", ["", "--anonymous "])
async def test_an_asked_question_s_article_holds_the_member_s_words_not_the_bot_s_line(
    anonymous_ok: Slack, flag: str
) -> None:
    """A question asked with /ask has the bot's post as its root: "<@asker> asked:" (or
    "*Anonymous* asked:") and the member's words. The article holds the words, made
    Markdown, and nothing of that line: not who asked, not that it was anonymous."""

    slack = anonymous_ok
    root = await asked_and_solved(slack, flag + STYLED_QUESTION)
    posted = slack.fake.find_message(HELP, root)
    # (the bot's post shows where the member's link leads: `commands.asked_post`)
    shown = STYLED_QUESTION.replace(
        "<https://pip.example/log|log>", "log (<https://pip.example/log>)"
    )
    assert posted is not None and posted["text"].endswith(f" asked:\n{shown}")

    await slack.command("/kb", "promote #1 pip-hangs", user=MOD)

    body = await article_body(slack, "pip-hangs")
    assert body == f"{QUESTION_MARKDOWN}\n\n**helper:** Try `pip -v`.\n\n— helper"


async def test_a_long_asked_question_s_article_holds_its_stored_text(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """An /ask question too long for one message goes on in the thread: its post holds
    only the start, so the article holds the text the bot stored (cut as the bot keeps it),
    not a start passed off as the whole, and the log says why."""

    question = "*Long* question: " + "word " * 9_000
    root = await asked_and_solved(slack, question)
    assert question.strip() not in str(slack.fake.find_message(HELP, root))

    with caplog.at_level(logging.INFO, "adapters.slack.knowledge"):
        await slack.command("/kb", "promote #1 long", user=MOD)

    body = await article_body(slack, "long")
    (stored,) = slack.rows("SELECT body FROM questions")
    assert body.startswith(f"{stored[0]}\n\n**helper:**") and stored[0].endswith("…")
    noted = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.knowledge"]
    assert len(noted) == 1 and "does not hold the question whole" in noted[0]


async def test_a_deleted_question_message_leaves_its_stored_text(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """A question's message deleted since (its thread stays, so Slack shows a tombstone):
    the article holds the question's stored text and the answer read back, and the log
    says so once."""

    await solved_with(slack, STYLED_QUESTION, "Try `pip -v`.")
    (asked,) = slack.rows("SELECT message_id FROM questions")
    message = slack.fake.find_message(HELP, str(asked[0]).removeprefix(f"{HELP}:"))
    assert message is not None
    message.update(subtype="tombstone", text="This message was deleted.", user="USLACKBOT")

    with caplog.at_level(logging.INFO, "adapters.slack.knowledge"):
        await slack.command("/kb", "promote #1 pip-hangs", user=MOD)

    body = await article_body(slack, "pip-hangs")
    assert body == f"{STORED_QUESTION}\n\n**helper:** Try `pip -v`.\n\n— helper"
    noted = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.knowledge"]
    assert len(noted) == 1 and "question #1 is no longer in its channel" in noted[0]


async def test_a_question_message_slack_does_not_give_back_leaves_its_stored_text(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack's passing trouble on the answer's read (which would bring the thread's root
    along) leaves the question to be read on its own; Slack refusing that too leaves the
    question's stored text in the article, with one log line each."""

    await solved_with(slack, STYLED_QUESTION, "Try `pip -v`.")
    slack.fake.fail_next("conversations.replies", "internal_error", retry_after=0, times=2)

    with caplog.at_level(logging.INFO, "adapters.slack.knowledge"):
        await slack.command("/kb", "promote #1 pip-hangs", user=MOD)

    assert "Question #1 is now article a:pip-hangs" in slack.responses()[-1]
    body = await article_body(slack, "pip-hangs")
    assert body == f"{STORED_QUESTION}\n\n**helper:** Try `pip -v`.\n\n— helper"
    noted = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.knowledge"]
    assert len(noted) == 2 and "could not read answer" in noted[0]
    assert "could not read question #1 (internal_error" in noted[1]


async def test_a_question_solved_alone_is_not_promoted_and_nothing_is_read(slack: Slack) -> None:
    await slack.ask(STYLED_QUESTION)
    await slack.command("/solved")
    view = slack.fake.views[slack.fake.last_call("views.open").response["view"]["id"]]
    chosen = {ids.SOLVED_QUESTION_ACTION: sp.static_select_value("1", "#1")}
    values = {ids.SOLVED_QUESTION_BLOCK: chosen}
    await slack.interaction(sp.view_submission(user_id=ASKER, view=view, values=values))
    assert slack.question_status() == "solved"

    await slack.command("/kb", "promote #1 pip-hangs", user=MOD)

    assert "Question #1 has no accepted answer" in slack.responses()[-1]
    assert slack.fake.calls_to("conversations.replies") == []


@pytest.mark.parametrize("trouble", ["deleted", "missing_scope", "ratelimited"])
async def test_an_answer_slack_does_not_give_back_is_promoted_as_its_excerpt(
    slack: Slack, trouble: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A reply deleted since (no event reached the bot), a token without the history scope,
    or Slack rate limiting past slack_sdk's retries: the promote still works, the article
    holds the excerpt the bot kept, and the log says so once. (Refused or rate limited, the
    question's root is not read either, Slack would refuse it too, and the one line says
    its stored text is used.)"""

    reply = await solved_with(slack, "How do I pin a package version?", LONG_ANSWER)
    if trouble == "deleted":
        slack.fake.remove_message(HELP, reply)
    else:
        slack.fake.fail_next(
            "conversations.replies", trouble, retry_after=0, times=3, needed="channels:history"
        )

    with caplog.at_level(logging.WARNING, "adapters.slack.knowledge"):
        await slack.command("/kb", "promote #1 pinning", user=MOD)

    assert "Question #1 is now article a:pinning" in slack.responses()[-1]
    body = await article_body(slack, "pinning")
    assert "**helper:** Ask @helper2 too, and read the pinning docs. Step 0: run" in body
    assert "Step 39" not in body and "https://pip.example/pin" not in body
    noted = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.knowledge"]
    assert len(noted) == 1 and "excerpt is used" in noted[0]
    assert ("question" in noted[-1]) == (trouble != "deleted")


@pytest.mark.parametrize("trouble", ["ratelimited", "missing_scope", "not_in_channel"])
async def test_reads_stop_at_the_first_refusal_that_would_repeat(
    slack: Slack, trouble: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Rate limited past slack_sdk's retries, or refused as an admin's business (no history
    scope, the bot removed from the channel), the other accepted answers are not read
    either: Slack would refuse them too. Both show their excerpts, in one log line. (A
    refusal other than a rate limit went on reading, a refused call and a log line for
    each answer and then the question.)"""

    root = await slack.ask("How do I pin a package version?")
    first = await slack.answer(root, text=LONG_ANSWER)
    second = await slack.answer(root, user=HELPER2, text="Or " + LONG_ANSWER)
    await slack.mark_solution(root, first)
    await slack.mark_solution(root, second)
    slack.fake.fail_next(
        "conversations.replies", trouble, retry_after=0, times=3, needed="channels:history"
    )

    with caplog.at_level(logging.WARNING, "adapters.slack.knowledge"):
        await slack.command("/kb", "promote #1 pinning", user=MOD)

    assert "Question #1 is now article a:pinning" in slack.responses()[-1]
    reads = slack.fake.calls_to("conversations.replies")
    assert reads and {c.params["oldest"] for c in reads} == {first}
    body = await article_body(slack, "pinning")
    assert "**helper:** Ask @helper2 too" in body and "**helper2:** Or Ask @helper2" in body
    assert "Step 39" not in body
    noted = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.knowledge"]
    assert len(noted) == 1 and "the 1 after it are not read" in noted[0]
    assert "nor is the question" in noted[0]


async def test_slack_s_passing_trouble_does_not_stop_the_other_reads(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack's own trouble on one read (internal_error) may pass: the next answer and the
    question are still read; only the one answer shows its excerpt."""

    root = await slack.ask("How do I pin a package version?")
    first = await slack.answer(root, text=LONG_ANSWER)
    second = await slack.answer(root, user=HELPER2, text="Or " + LONG_ANSWER)
    await slack.mark_solution(root, first)
    await slack.mark_solution(root, second)
    slack.fake.fail_next("conversations.replies", "internal_error", retry_after=0, times=1)

    with caplog.at_level(logging.WARNING, "adapters.slack.knowledge"):
        await slack.command("/kb", "promote #1 pinning", user=MOD)

    body = await article_body(slack, "pinning")
    assert "Step 39" in body and "**helper2:** Or Ask @helper2" in body
    noted = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.knowledge"]
    assert len(noted) == 1 and "could not read answer" in noted[0]


# As Slack sends each in a slash command's text (escaped), and as the article shows it.
ARTICLE_STRADDLERS = [
    ("&amp;", "&amp;"), ("&lt;b&gt;", "&lt;b&gt;"),
    ("\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\u200d\U0001f469\u200d\U0001f467"),
    ("q\u0301", "q\u0301"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "shown"), ARTICLE_STRADDLERS)
async def test_a_long_article_is_clipped_before_an_entity_or_emoji_not_inside_it(
    slack: Slack, typed: str, shown: str
) -> None:
    """/kb show puts an article in one section of at most 3,000 characters. The body's `&`
    and `<` are escaped there (`&amp;`, `&lt;`), and a cut at the limit split one, so the
    article ended in a stray `&am…`; an emoji or accent was split the same way."""

    await slack.command("/kb", "add Pinning | BODY", user=MOD)
    await slack.command("/kb", "show a:pinning", user=OTHER)
    start = slack.responses()[-1].index("BODY")
    lead = "x" * (blocks.SECTION_TEXT_MAX - 2 - start)  # the straddler starts 2 before the end
    await slack.command("/kb", f"edit a:pinning | {lead}{typed}{'y' * 100}", user=MOD)
    await slack.command("/kb", "show a:pinning", user=OTHER)

    section = slack.fake.response_url_calls[-1].body["blocks"][0]["text"]["text"]
    assert section.endswith("x…") and units(section) <= blocks.SECTION_TEXT_MAX
    assert section.index(lead) == start and shown not in section


async def test_an_article_suggestion_solves_a_question(slack: Slack) -> None:
    await slack.command("/kb", ARTICLE, user=MOD)
    article = slack.responses()[-1].split()[1]
    root = await slack.ask("reset your vpn password")

    reply = next(m for m in slack.thread_posts(root) if m.get("blocks"))
    buttons = [
        b["accessory"]
        for b in reply["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.SUGGESTION_SOLVED
    ]
    assert buttons and buttons[0]["value"] == f"1|{article}"
    clicked = sp.button(ids.SUGGESTION_SOLVED, buttons[0]["value"])
    await slack.interaction(
        sp.block_actions(user_id=ASKER, actions=[clicked], channel_id=HELP, message=reply)
    )

    assert slack.question_status() == "solved"
    assert slack.points(HELPER) == 0


async def test_app_home_search_uses_the_knowledge_base(slack: Slack) -> None:
    await slack.command("/kb", ARTICLE, user=MOD)
    await slack.event(sp.app_home_opened_event(user=OTHER))
    home = slack.fake.views[slack.fake.home_views[OTHER]]
    typed = {
        "type": "plain_text_input",
        "action_id": ids.HOME_KB_SEARCH,
        "block_id": ids.HOME_KB_BLOCK,
        "value": "vpn password",
        "action_ts": "1700000000.000200",
    }

    await slack.interaction(sp.block_actions(user_id=OTHER, actions=[typed], view=home))

    assert "Reset your VPN password" in str(slack.fake.views[home["id"]]["blocks"])


async def test_typed_words_echoed_in_an_error_are_text_not_markup(slack: Slack) -> None:
    """`/kb show <!channel>` (Slack escapes what was typed): the refusal quotes the words
    back as typed, not as an @channel or a link."""

    await slack.command("/kb", "show &lt;!channel&gt;", user=MOD)
    await slack.command("/kb", "show &lt;https://evil.example|docs&gt;", user=MOD)

    assert slack.responses() == [
        "I can't find the article “&lt;!channel&gt;”. Try /kb search &lt;words&gt;.",
        "I can't find the article “&lt;https://evil.example|docs&gt;”. Try /kb search &lt;words&gt;.",
    ]


async def test_kb_replies_escape_the_catalog_words_once(slack: Slack) -> None:
    """A knowledge-base text with `&` in it (a translation may have one) shows as written:
    escaped once in mrkdwn, never `&amp;amp;`; the article's own words are escaped too."""

    slack.core.bot.catalog = MarkedCatalog("Q&A: ", "kb.")
    await slack.command("/kb", "add VPN &lt;b&gt; | Use the portal &amp; reset.", user=MOD)
    article = slack.responses()[-1].split()[2]
    await slack.command("/kb", f"show {article}", user=OTHER)

    added, shown = slack.responses()
    assert added.startswith("Q&amp;A: Article a:") and "&amp;amp;" not in added
    assert "&amp;amp;" not in shown and shown.startswith("Q&amp;A: ")
    assert "VPN &lt;b&gt;" in shown and "Use the portal &amp; reset." in shown
