"""Pure pieces of adapters/slack/knowledge.py."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack.knowledge import article_blocks, split_bar
from adapters.slack.texts import SlackPresenter
from bot.articles import Article, ArticleAction, ArticleContent, ArticleSource, ArticleVersion
from bot.i18n import Catalog
from bot.knowledge_base import ArticleShown


def test_split_bar_splits_at_the_first_bar_outside_a_link() -> None:
    """`/kb add <title> | <text>`: a link's `|` (Slack's `<url|label>`) is no separator."""

    link = "<https://pip.example/pin|the docs>"
    assert split_bar(f"Pin with {link} | Use {link} | twice") == (
        f"Pin with {link} ",
        True,
        f" Use {link} | twice",
    )
    assert split_bar(f"Only {link}") == (f"Only {link}", False, "")


def test_an_article_is_its_words_escaped_around_its_text_as_mrkdwn() -> None:
    """The catalog's lines (title, tags, history, with names a member chose) are escaped;
    the article's Markdown becomes mrkdwn, between the head and the history."""

    at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    content = ArticleContent("Reset <VPN>", "Use **sudo** & wait", tags=("vpn",))
    article = Article("c1", "reset-vpn", content, ArticleSource.MANUAL, 2, at, at)
    history = (ArticleVersion(2, ArticleAction.EDIT, content, False, 1, "<!here> & co", at),)

    text, _ = article_blocks(SlackPresenter(Catalog()), ArticleShown(article, history))

    assert text.splitlines() == [
        "Reset &lt;VPN&gt; · a:reset-vpn (version 2)",
        "Tags: vpn",
        "Use *sudo* &amp; wait",
        "History:",
        "  v2 edit by &lt;!here&gt; &amp; co, 2026-01-02 03:04 UTC",
    ]
