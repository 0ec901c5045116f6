"""Catalog texts as Slack shows them: mrkdwn words escaped, control sequences kept, and
plain_text fields left literal."""

from __future__ import annotations

import re
import string

from adapters.slack.texts import SlackPresenter
from bot.i18n import Catalog, _Formatter, _load
from tests.adapters.slack.conftest import MOD, Slack

# What Slack itself reads as markup in mrkdwn; any other `<` or `>` must be escaped.
CONTROL = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|!(?:here|channel|everyone)|https?://[^\s<>|]+(?:\|[^<>]*)?)>"
)
# Texts Slack never shows (other platforms' own sections, pieces filled into other texts).
NOT_SLACK = ("discord.", "console.", "plural.")


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
        "Usage: /mod duplicate &lt;question&gt; &lt;#N, article id or link&gt;",
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


class AmpersandCatalog(Catalog):
    """The English catalog, with `&` and `<...>` in the texts Slack shows as plain_text."""

    WORDS = {
        "leaderboard.header_all": "Q&A <helpers>",
        "slack.ask_modal_empty": "Q&A <first>",
        "slack.modal_title": "Q&A",
    }

    def t(self, key: str, locale: str | None = None, /, **params: object) -> str:
        return self.WORDS.get(key) or super().t(key, locale, **params)


def test_plain_text_fields_show_the_catalog_words_as_written() -> None:
    from adapters.slack import blocks
    from bot.events import LeaderboardShown
    from bot.model import Period

    p = SlackPresenter(AmpersandCatalog())

    text, body = blocks.leaderboard(p, LeaderboardShown(Period.ALL, ()))

    assert body[0] == {"type": "header", "text": blocks.plain("Q&A <helpers>")}
    assert text.startswith("Q&amp;A &lt;helpers&gt;\n")
    assert p.plain_t("slack.ask_modal_empty") == "Q&A <first>"
