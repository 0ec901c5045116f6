"""The shipped manifest declares what the adapter registers (commands, shortcut, events)."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.slack import ids
from bot.config import SlackCommandNames

MANIFEST = Path(__file__).parents[3] / "slack-manifest.yml"


def test_manifest_declares_every_command_shortcut_scope_and_event() -> None:
    text = MANIFEST.read_text()

    declared = set(re.findall(r"- command: (/\S+)", text))
    assert declared == set(SlackCommandNames().model_dump().values())
    assert f"callback_id: {ids.MARK_SOLUTION}" in text
    assert f"callback_id: {ids.REPORT_SHORTCUT}" in text
    for event in (
        "app_home_opened", "message.channels", "message.groups", "reaction_added",
        "reaction_removed", "channel_deleted", "group_deleted",
    ):  # fmt: skip
        assert f"- {event}\n" in text, event
    for scope in (
        "chat:write", "commands", "reactions:read", "reactions:write", "channels:history",
        "groups:history", "users:read", "usergroups:read", "im:write", "channels:join",
        "channels:read", "groups:read",
    ):  # fmt: skip
        assert re.search(rf"- {re.escape(scope)}\s", text), scope
    assert "socket_mode_enabled: true" in text
    assert "home_tab_enabled: true" in text
