"""Lifecycle settings are validated at start-up with messages that name the bad key."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_config


def _lifecycle(**values: object) -> dict[str, object]:
    return {"communities": {"default": {"lifecycle": values}}}


def test_unknown_time_zone_names_the_key() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(_lifecycle(support_hours={"timezone": "Mars/Olympus"}))
    message = str(exc.value)
    assert "communities.default.lifecycle.support_hours" in message
    assert "Mars/Olympus" in message and "tzdata" in message


def test_bad_values_are_refused() -> None:
    with pytest.raises(ConfigError, match="remind_after_hours"):
        parse_config(_lifecycle(remind_after_hours=-1))
    with pytest.raises(ConfigError, match="days"):
        parse_config(_lifecycle(support_hours={"timezone": "UTC", "days": ["someday"]}))
    with pytest.raises(ConfigError, match="escalation.helper_role_ids.teams"):
        parse_config(_lifecycle(escalation={"helper_role_ids": {"teams": ["x"]}}))
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config(_lifecycle(remind_after=3))


def test_defaults() -> None:
    lifecycle = parse_config({}).communities["default"].lifecycle
    assert (lifecycle.remind_after_hours, lifecycle.close_after_hours) == (24, 72)
    assert (lifecycle.close_solved_after_hours, lifecycle.escalate_after_minutes) == (24, 60)
    assert lifecycle.anonymous_questions is False and lifecycle.support_hours is None
