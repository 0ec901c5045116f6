"""Catalog texts as Slack shows them: mrkdwn words escaped, control sequences kept, and
plain_text fields left literal."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

from adapters.slack import ids
from adapters.slack.texts import SlackPresenter
from bot.i18n import Catalog, _Formatter, _load
from tests.adapters.slack.conftest import ASKER, HELP, HELPER, MOD, MarkedCatalog, Slack
from tests.adapters.slack.test_commands_e2e import opened_view, submission
from tests.fakes import slack_payloads as sp

# What Slack itself reads as markup in mrkdwn; any other `<` or `>` must be escaped.
CONTROL = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|!(?:here|channel|everyone)|https?://[^\s<>|]+(?:\|[^<>]*)?)>"
)
# Texts Slack never shows (other platforms' own sections, pieces filled into other texts).
NOT_SLACK = ("discord.", "console.", "plural.")
ADAPTER = Path(__file__).resolve().parents[3] / "adapters" / "slack"


def sample(name: str) -> object:
    if name == "link":
        return "https://example.com/x"
    if name == "user":
        return "U1"
    if name == "channel":
        return "C1"
    return 1


def test_every_slack_catalog_text_escapes_its_words() -> None:
    catalog = Catalog()
    p = SlackPresenter(catalog)
    bad = {}
    for key in sorted(catalog.keys()):
        if key.startswith(NOT_SLACK):
            continue
        params = {name: sample(name) for name in Catalog.placeholders(_load("en")[key])}
        text = p.t(key, **params)
        rest = CONTROL.sub("", text)
        if "<" in rest or ">" in rest:
            bad[key] = text
    assert bad == {}


def test_every_slack_section_text_is_shown_by_the_adapter() -> None:
    """A `[slack]` text no Slack code asks for is a stale promise in every translation (e.g.
    `slack.kb_show_unavailable`, "Showing articles isn't available yet", outlived `/kb show`).
    Keys are asked for literally, or as `slack.<report button>_button`."""

    source = "\n".join(p.read_text(encoding="utf-8") for p in ADAPTER.glob("*.py"))
    asked = set(re.findall(r"[\"'](slack\.[a-z_]+)[\"']", source))
    asked |= {f"slack.{action}_button" for action in ids.REPORT_BUTTONS}
    assert sorted(k for k in _load("en") if k.startswith("slack.") and k not in asked) == []


def test_control_sequences_and_parameters_are_kept() -> None:
    p = SlackPresenter(Catalog())

    assert p.t("slack.asked", user="U1", text="a &lt;b&gt;") == "<@U1> asked:\na &lt;b&gt;"
    assert p.t("slack.usage_ask", command="/ask") == "/ask &lt;your question&gt;"
    # plain_text fields show text literally, so nothing is escaped there.
    assert p.plain_t("slack.usage_ask", command="/ask") == "/ask <your question>"


async def test_a_direction_override_in_a_member_s_words_ends_with_them(slack: Slack) -> None:
    """As on every platform (the catalog isolates it): an RLO echoed in a refusal must not
    reverse the rest of the reply."""
    await slack.command("/kb", "show \u202eabc")
    assert slack.responses() == [
        "I can't find the article “\u2068\u202eabc\u2069”. Try /kb search &lt;words&gt;."
    ]


async def test_usage_replies_are_escaped(slack: Slack) -> None:
    await slack.command("/mod", "helpban", user=MOD)
    await slack.command("/mod", "duplicate #1", user=MOD)

    assert slack.responses() == [
        "Usage: /mod helpban @member &lt;duration, e.g. 7d&gt; [reason]",
        "Usage: /mod duplicate &lt;question&gt; &lt;#N, article id or link&gt; [reason]",
    ]


class ShoutingCatalog(Catalog):
    """A stand-in translation: every text's own words in capitals, its placeholders as they
    are. A reply with a lowercase word outside its parameters was built in code."""

    def t(self, key: str, locale: str | None = None, /, **params: object) -> str:
        template = "".join(
            literal.upper().replace("{", "{{").replace("}", "}}")
            + ("" if field is None else "{" + field + (f":{spec}" if spec else "") + "}")
            for literal, field, spec, _ in string.Formatter().parse(_load("en")[key])
        )
        return _Formatter(self, locale or "en").format(template, **params)


async def test_mod_usage_lines_come_from_the_catalog(slack: Slack) -> None:
    """Every `/mod` usage line is catalog text, so it can be translated: only the command
    (`/mod duplicate`, as typed) is left in lowercase."""

    typed = [
        "helpban", "warn", "report", "duplicate #1", "lock", "unlock", "reopen", "close",
        "delete", "rep", "rep add", "audit nonsense", "reveal",
    ]  # fmt: skip
    slack.core.bot.catalog = ShoutingCatalog()
    for text in typed:
        await slack.command("/mod", text, user=MOD)

    answers = slack.responses()
    assert len(answers) == len(typed)
    built_in_code = {}
    for text, answer in zip(typed, answers, strict=True):
        sub = text.split()[0]
        words = answer.replace(f"/mod {sub}", "").replace("&lt;", "").replace("&gt;", "")
        if not answer.startswith(f"USAGE: /mod {sub} ") or words != words.upper():
            built_in_code[text] = answer
    assert built_in_code == {}


def plain_texts(node: object) -> list[str]:
    """Every plain_text object's text in `node` (blocks, views, API call parameters)."""

    if isinstance(node, str) and node[:1] in "[{":
        try:
            node = json.loads(node)
        except ValueError:
            return []
    if isinstance(node, dict):
        own = [str(node["text"])] if node.get("type") == "plain_text" else []
        return own + [t for value in node.values() for t in plain_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in plain_texts(item)]
    return []


async def test_plain_text_fields_show_the_catalog_words_as_written(slack: Slack) -> None:
    """Titles, labels, buttons, options, headers and modal errors are plain_text: Slack
    shows them literally, so they take the catalog words unescaped; the mrkdwn fallback
    text of the same message escapes them."""

    # Before every Slack text and leaderboard title: shown as mrkdwn it must read
    # `&lt;&amp;&gt; `, in a plain_text field (or a modal's validation error, which Slack
    # shows as plain text) `<&> ` as written.
    mark = "<&> "
    slack.core.bot.catalog = MarkedCatalog(mark, "slack.", "leaderboard.header_")
    errors: list[str] = []

    async def refused(submitted: dict[str, Any]) -> None:
        answer = (await slack.interaction(submitted)).json()
        assert answer["response_action"] == "errors"
        errors.extend(answer["errors"].values())

    blank = sp.plain_text_value("  ")
    await slack.command("/ask")
    values = {ids.ASK_TEXT_BLOCK: {ids.ASK_TEXT_ACTION: blank}}
    await refused(sp.view_submission(user_id=ASKER, view=opened_view(slack), values=values))
    root = await slack.ask()
    reply = await slack.answer(root, HELPER)
    await slack.command("/solved")
    await refused(submission(slack, opened_view(slack), 1, []))
    message = sp.shortcut_message(user=HELPER, text="Buy cheap pills", ts=reply, thread_ts=root)
    await slack.interaction(
        sp.message_shortcut(
            callback_id=ids.REPORT_SHORTCUT, user_id=ASKER, channel_id=HELP, message=message
        )
    )
    values = {ids.REPORT_REASON_BLOCK: {ids.REPORT_REASON_ACTION: blank}}
    await refused(sp.view_submission(user_id=ASKER, view=opened_view(slack), values=values))
    await slack.event(sp.app_home_opened_event(user=ASKER))
    await slack.command("/leaderboard")

    shown = plain_texts(
        [c.params for c in slack.fake.calls]
        + list(slack.fake.views.values())
        + [c.body for c in slack.fake.response_url_calls]
    )
    assert len(errors) == 3 and all(e.startswith(mark) for e in errors), errors
    assert [t for t in shown if "&amp;" in t or "&lt;" in t] == []
    assert len([t for t in shown if t.startswith(mark)]) > 20
    board = slack.fake.response_url_calls[-1].body
    assert board["text"].startswith("&lt;&amp;&gt; Top helpers of all time")
    assert board["blocks"][0]["text"]["text"] == mark + "Top helpers of all time"
