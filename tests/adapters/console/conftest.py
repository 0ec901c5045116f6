"""The console fixture: a person at the terminal (tests.helpers.Terminal)."""

from __future__ import annotations

import pytest

from bot.bootstrap import App
from tests.helpers import Terminal


@pytest.fixture
def term(app: App) -> Terminal:
    return Terminal(app)
