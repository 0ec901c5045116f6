"""Pure pieces of adapters/slack/knowledge.py."""

from __future__ import annotations

from adapters.slack.knowledge import split_bar


def test_split_bar_splits_at_the_first_bar_outside_a_link() -> None:
    """`/kb add <title> | <text>`: a link's `|` (Slack's `<url|label>`) is no separator."""

    link = "<https://pip.example/pin|the docs>"
    assert split_bar(f"Pin with {link} | Use {link} | twice") == (
        f"Pin with {link} ",
        True,
        f" Use {link} | twice",
    )
    assert split_bar(f"Only {link}") == (f"Only {link}", False, "")
