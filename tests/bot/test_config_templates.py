"""A community's own greeting comes from the config file: it may name {member} and {channel},
nothing else, and it is never given to str.format (which reads attributes and items)."""

import pytest

from bot.config import ConfigError, parse_config
from bot.events import Welcome
from bot.i18n import Catalog
from bot.model import Member, MemberRef
from bot.presenters import Presenter


def _welcome_config(message: str) -> dict:
    return {"communities": {"default": {"lifecycle": {"onboarding": {"welcome_message": message}}}}}


def _greeting(message: str) -> str:
    member = Member(1, MemberRef("console", "default", "ann"), "Ann")
    first, *_ = Presenter(Catalog()).welcome(Welcome(member, "", None, message=message), "help")
    return first


@pytest.mark.parametrize(
    "message",
    [
        "Hi {member.__class__}",
        "Hi {member.__class__.__init__.__globals__}",
        "Hi {member[0]}",
        "Hi {nonexistent}",
        "Hi {0}",
        "Hi {}",
        "Hi {member:>20}",
        "Hi {member!r}",
        "Hi {member",
        "Hi }",
    ],
)
def test_a_welcome_message_with_anything_but_the_plain_placeholders_is_refused(
    message: str,
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_welcome_config(message))
    text = str(caught.value)
    assert "communities.default.lifecycle.onboarding.welcome_message:" in text
    assert "{member}, {channel}" in text


def test_a_welcome_message_with_the_documented_placeholders_is_valid() -> None:
    message = "Hi {member}, welcome to #{channel}! Code goes in {{braces}}."
    config = parse_config(_welcome_config(message))
    assert config.communities["default"].lifecycle.onboarding.welcome_message == message
    assert _greeting(message) == "Hi Ann, welcome to #help! Code goes in {braces}."


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("Hi {member.__class__}", "Hi {member.__class__}"),
        ("Hi {member[0]} {0} {nonexistent}", "Hi {member[0]} {0} {nonexistent}"),
        ("Hi {member!r:>9} in {channel}", "Hi {member!r:>9} in help"),
        ("Hi {member", "Hi {member"),
    ],
)
def test_the_greeting_fills_in_only_the_plain_placeholders(message: str, shown: str) -> None:
    """Even a greeting that did not pass through the config's checks never reaches into the
    values: what is not a plain {member} or {channel} is shown as written."""

    assert _greeting(message) == shown
