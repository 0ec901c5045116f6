"""`mrkdwn.to_markdown` and `from_markdown`: Slack's styling and emoji codes as the knowledge
base's Markdown, and back for showing an article in Slack."""

from __future__ import annotations

import pytest

from adapters.slack.mrkdwn import emoji_of, from_markdown, to_markdown


@pytest.mark.parametrize(
    ("slack", "markdown"),
    [
        ("*bold*", "**bold**"),
        ("_italic_", "_italic_"),
        ("~struck~", "~~struck~~"),
        ("Click *Save*, then _wait_.", "Click **Save**, then _wait_."),
        ('(*bold*) and "_it_"', '(**bold**) and "_it_"'),
        ("*_both_*", "**_both_**"),
        ("_*both*_", "_**both**_"),
        ("*two words* and *more*", "**two words** and **more**"),
        ("line *one*\nline *two*", "line **one**\nline **two**"),
        ("*Persian فارسی*", "**Persian فارسی**"),
    ],
)
def test_slack_styling_becomes_markdown(slack: str, markdown: str) -> None:
    assert to_markdown(slack) == markdown


@pytest.mark.parametrize(
    ("slack", "markdown"),
    [
        # an underscore inside a word is no emphasis in either: left as it is
        ("snake_case_names", "snake_case_names"),
        ("set MAX_RETRIES_COUNT", "set MAX_RETRIES_COUNT"),
        # a `*` Slack shows as a character stays one (Markdown would make `3` italic)
        ("2*3*4", "2\\*3\\*4"),
        ("2 * 3 * 4", "2 \\* 3 \\* 4"),
        ("* not a list", "\\* not a list"),
        ("*.txt and *.md", "\\*.txt and \\*.md"),
        # Markdown's bold, typed in Slack, is what Slack shows: the asterisks
        ("__init__ and **x**", "\\_\\_init\\_\\_ and \\*\\*x\\*\\*"),
        ("*not closed", "\\*not closed"),
        ("* spaced *", "\\* spaced \\*"),
        ("~/bin and ~5 minutes", "~/bin and ~5 minutes"),
    ],
)
def test_what_slack_shows_as_characters_stays_characters(slack: str, markdown: str) -> None:
    assert to_markdown(slack) == markdown


@pytest.mark.parametrize(
    "kept",
    [
        "`code *with* _marks_ :tada:`",
        "```\n*a* = b_c_d * 2\n:tada:\n```",
        "<https://example.com/a_b_/*c*|the *docs*>",
        "<https://example.com/~x~/:tada:>",
        "<@U123|ada_lovelace_>",
        "<#C123|help_me_>",
        "<mailto:a_b_@example.com|a_b_@example.com>",
        "https://example.com/x_y_/*z*",
    ],
)
def test_code_and_links_are_left_as_they_are(kept: str) -> None:
    assert to_markdown(f"*see* {kept} *now*") == f"**see** {kept} **now**"


def test_styling_around_code_and_links_is_still_read() -> None:
    assert to_markdown("*read <https://x.example|the docs>*") == (
        "**read <https://x.example|the docs>**"
    )
    assert to_markdown("_run `make` first_") == "_run `make` first_"


@pytest.mark.parametrize(
    ("slack", "markdown"),
    [
        (":tada:", "🎉"),
        (":+1:", "👍"),
        (":white_check_mark: done", "✅ done"),
        ("thanks :pray::skin-tone-3:", "thanks 🙏🏼"),
        (":+1::skin-tone-6:", "👍🏿"),
        (":man-facepalming::skin-tone-2:", "🤦🏻\u200d♂️"),
        (":point_up::skin-tone-4:", "☝🏽"),
        (":flag-fi: :flag-ir:", "🇫🇮 🇮🇷"),
        (":tada::tada:", "🎉🎉"),
        ("done:tada:", "done:tada:"),
        ("(:tada:)", "(🎉)"),
        (":100: at 10:100:1", "💯 at 10:100:1"),
        # a workspace's own emoji stays as typed, and so does its name's underscore
        (":party_parrot: :my__emoji:", ":party_parrot: :my__emoji:"),
        (":party_parrot::tada:", ":party_parrot:🎉"),
        # not emoji codes where Slack shows none
        ("a:b:c", "a:b:c"),
        ("std::one::two", "std::one::two"),
        ("at 12:30:45", "at 12:30:45"),
        (":Tada:", ":Tada:"),
    ],
)
def test_emoji_codes_become_emoji(slack: str, markdown: str) -> None:
    assert to_markdown(slack) == markdown


def test_emoji_names_slack_writes_its_own_way() -> None:
    assert emoji_of("heavy_check_mark") == "✔️"
    assert emoji_of("woman-shrugging") == "🤷\u200d♀️"
    assert emoji_of("skin-tone-2") == "\U0001f3fb"
    assert emoji_of("flag-zz") is None  # two letters no country has
    assert emoji_of("party_parrot") is None


def test_text_with_private_use_characters_is_left_alone() -> None:
    """The translation marks what it keeps with private-use characters: text that already
    holds some (nobody types them) comes back as it was, not mixed up."""

    odd = "*bold* \U000f0000 :tada:"
    assert to_markdown(odd) == odd


@pytest.mark.parametrize(
    ("markdown", "slack"),
    [
        ("**bold**", "*bold*"),
        ("__bold__", "*bold*"),
        ("*italic* and _italic_", "_italic_ and _italic_"),
        ("~~struck~~", "~struck~"),
        ("**helper:** Try the reset link.", "*helper:* Try the reset link."),
        ("# Resetting\n## Step one ##", "*Resetting*\n*Step one*"),
        ("- one\n* two\n  + three", "• one\n• two\n  • three"),
        ("[the docs](https://x.example/a?b=1&c=2)", "<https://x.example/a?b=1&amp;c=2|the docs>"),
        ("![diagram](https://x.example/d.png)", "<https://x.example/d.png|diagram>"),
        ("[a|b](https://x.example)", "<https://x.example|a/b>"),
        ("<https://x.example/a_b_>", "<https://x.example/a_b_>"),
        ("2\\*3\\*4 and \\_\\_init\\_\\_", "2*3*4 and __init__"),
        ("2*3*4 and snake_case", "2*3*4 and snake_case"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("`**x** & <y>`", "`**x** &amp; &lt;y&gt;`"),
        (
            "```\n# not a heading\n- nor a list **x**\n```",
            "```\n# not a heading\n- nor a list **x**\n```",
        ),
        ("see https://x.example/*a*_b_", "see https://x.example/*a*_b_"),
        ("[`code` here](https://x.example)", "<https://x.example|`code` here>"),
    ],
)
def test_markdown_is_shown_in_slack_as_mrkdwn(markdown: str, slack: str) -> None:
    assert from_markdown(markdown) == slack


@pytest.mark.parametrize(
    "slack",
    [
        "Click *Save*, then _wait_ and ~skip~ this.",
        "snake_case_names, 2*3*4 and __init__",
        "`code *x*` and ```\nblock _y_\n```",
        "*_both_* at once",
    ],
)
def test_slack_text_comes_back_as_it_was_typed(slack: str) -> None:
    """An article written in Slack reads in Slack as it was written."""

    assert from_markdown(to_markdown(slack)) == slack
