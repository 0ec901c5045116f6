"""Block Kit builders: documented shapes and limits, escaping, and catalog text."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import regex

from adapters.slack import blocks, ids
from adapters.slack.long_text import units
from adapters.slack.texts import SlackPresenter
from bot.events import (
    LeaderboardShown,
    QuestionOpened,
    QuestionShown,
    QuestionsListed,
    ReputationShown,
)
from bot.i18n import Catalog
from bot.model import (
    Answer,
    LeaderboardRow,
    Member,
    MemberRef,
    Period,
    Question,
    QuestionStatus,
    Standing,
    Suggestion,
)

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
P = SlackPresenter(Catalog())


def member(n: int, user: str) -> Member:
    return Member(n, MemberRef("slack", "main", user), f"name{n}")


ASKER = member(1, "U0ASKER")
HELPER = member(2, "U0HELPER")


def question(qid: int = 7, title: str = "VPN <drops> & reconnects") -> Question:
    return Question(
        qid, "main", "slack", "C0HELP", "C0HELP:1.1", "C0HELP:1.1", ASKER, title, "",
        QuestionStatus.OPEN, NOW, NOW,
    )  # fmt: skip


def test_opened_reply_has_suggestion_buttons_and_escaped_titles() -> None:
    found = (Suggestion("q3", "VPN & Wi-Fi", "question", 0.81, url="https://kb/3"),)

    text, out = blocks.question_opened(P, QuestionOpened(question(), found), "/solved")

    assert "VPN &lt;drops&gt; &amp; reconnects" in out[0]["text"]["text"]
    button = out[2]["accessory"]
    assert button["action_id"] == ids.SUGGESTION_SOLVED and button["value"] == "7|q3"
    assert "<https://kb/3|VPN &amp; Wi-Fi>" in out[2]["text"]["text"]
    assert out[3]["type"] == "actions"
    assert out[3]["elements"][0]["action_id"] == ids.SUGGESTION_NOT_NEEDED
    assert out[-1]["type"] == "context" and "/solved" in out[-1]["elements"][0]["text"]
    assert "<@U0ASKER>" in text


def test_opened_reply_without_suggestions() -> None:
    _, out = blocks.question_opened(P, QuestionOpened(question()), "/done")

    assert [b["type"] for b in out] == ["section", "section", "context"]
    assert "/done" in out[-1]["elements"][0]["text"]


def test_solved_modal_shape_and_limits() -> None:
    questions = [question(i, "x" * 200) for i in range(1, 120)]
    helpers = [member(i, f"U{i}") for i in range(10, 25)]

    view = blocks.solved_modal(
        P, questions=questions, selected=questions[0], candidates=helpers, channel="C1"
    )

    assert view["type"] == "modal" and view["callback_id"] == ids.SOLVED_MODAL
    assert len(view["title"]["text"]) <= 24
    select = view["blocks"][0]
    assert select["dispatch_action"] is True
    assert len(select["element"]["options"]) <= 100
    assert all(len(o["text"]["text"]) <= 75 for o in select["element"]["options"])
    assert select["element"]["initial_option"] in select["element"]["options"]
    checks = view["blocks"][1]["element"]
    assert checks["type"] == "checkboxes" and len(checks["options"]) == 10
    assert json.loads(view["private_metadata"]) == {"channel": "C1"}


def test_helper_candidates_skip_asker_bots_duplicates_and_credited() -> None:
    bot = Member(9, MemberRef("slack", "main", "UBOT"), "bot", is_bot=True)
    answers = tuple(
        Answer(i, 7, author, f"C:{i}", "x", NOW)
        for i, author in enumerate([HELPER, ASKER, bot, HELPER], start=1)
    )

    found = blocks.helper_candidates(QuestionShown(question(), answers, ()))

    assert found == [HELPER]


def test_home_view() -> None:
    standing = ReputationShown(Standing(HELPER, 15, 1, 1))
    board = LeaderboardShown(Period.ALL, (LeaderboardRow(1, HELPER, 15),))

    view = blocks.home_view(
        P, standing=standing, board=board, mine=QuestionsListed((question(),)), kb_query="vpn"
    )

    assert view["type"] == "home"
    assert [b["type"] for b in view["blocks"]].count("header") == 3
    kb = next(b for b in view["blocks"] if b.get("block_id") == ids.HOME_KB_BLOCK)
    assert kb["dispatch_action"] is True
    assert kb["element"]["dispatch_action_config"] == {"trigger_actions_on": ["on_enter_pressed"]}
    assert "Nothing found for “vpn”" in view["blocks"][-1]["text"]["text"]
    assert "in <#C0HELP>" in json.dumps(view)


def test_every_adapter_text_fills_with_its_placeholders() -> None:
    for key in P.catalog.keys():
        if not key.startswith("slack."):
            continue
        template = P.catalog.t(key)
        params = {name: "x" for name in Catalog.placeholders(template)}
        assert P.t(key, **params) != key


def test_report_post_has_the_three_buttons_valued_with_the_report_id() -> None:
    text, body = blocks.outbound_message(
        P, "🚩 Report #4", actions=ids.REPORT_BUTTONS, reference="4"
    )

    buttons = body[-1]["elements"]
    assert [b["action_id"] for b in buttons] == list(ids.REPORT_BUTTONS)
    assert {b["value"] for b in buttons} == {"4"}
    assert text == "🚩 Report #4"


def test_report_modal_trims_oversized_metadata() -> None:
    view = blocks.report_modal(P, {"channel": "C1", "ts": "1.2", "text": "x" * 5000})

    assert view["callback_id"] == ids.REPORT_MODAL
    assert len(view["private_metadata"]) <= blocks.METADATA_MAX
    assert json.loads(view["private_metadata"])["ts"] == "1.2"


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, 8 UTF-16 units
STRADDLERS = [
    "<@U0HELPER>", "<https://example.com/docs?a=1&amp;b=2|the docs page>", "<!here>",
    "<#C0HELP|help>", "&amp;", "&lt;", FAMILY, "q\u0301", "\U0001f1eb\U0001f1f7",
]  # fmt: skip


@pytest.mark.parametrize("straddler", STRADDLERS)
def test_clip_never_cuts_inside_a_token_or_grapheme(straddler: str) -> None:
    """Section, context and plain text is clipped to Slack's limit with "…": the cut moves
    to before a mention, link, entity or grapheme it would fall inside, and no further."""

    for before in range(80, 101):
        text = "x" * before + straddler + "y" * 150
        clipped = blocks.clip(text, 100)
        kept = clipped.removesuffix("…")
        assert clipped.endswith("…") and units(clipped) <= 100, clipped
        assert text.startswith(kept)
        assert len(kept) in {m.end() for m in regex.finditer(r"\X", text)}, kept[-3:]
        tokens = re.finditer(r"<[^<>]*>|&(?:amp|lt|gt);", text)
        assert not any(m.start() < len(kept) < m.end() for m in tokens), kept[-12:]
        assert len(kept) >= min(before, 99)  # nothing before the straddler is lost


def test_clip_keeps_text_within_the_limit_whole_and_counts_utf16() -> None:
    assert blocks.clip("x" * 100, 100) == "x" * 100
    # A clipped text ends there: it keeps all it can, not back to a space as a split does.
    assert blocks.clip("word " * 30, 100) == ("word " * 30)[:99] + "…"
    assert blocks.clip("\U0001f600" * 50, 100) == "\U0001f600" * 50
    assert blocks.clip("\U0001f600" * 51, 100) == "\U0001f600" * 49 + "…"
    section = blocks.section("&amp;" * 1000)
    assert section["text"]["text"] == "&amp;" * 599 + "…"


def test_suggestion_line_names_the_kind_in_the_catalogs_words() -> None:
    for kind, key in (("question", "kb.kind_question"), ("article", "kb.kind_article")):
        s = Suggestion(id="a1", title="Reset <a> router", kind=kind, score=0.5, url=None)
        assert blocks.suggestion_line(P, s) == f"Reset &lt;a&gt; router ({P.t(key)}, 50% match)"
