"""A person at the console: typed lines in, the printed lines that followed them out."""

from __future__ import annotations

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.bootstrap import App


class Terminal:
    def __init__(self, app: App) -> None:
        self.lines: list[str] = []
        self.adapter = ConsoleAdapter(app.bot, out=self.lines.append)

    async def type(self, *typed: str) -> str:
        """Type each line in turn; what was printed meanwhile, one line per output line."""

        start = len(self.lines)
        for line in typed:
            await self.adapter.handle_line(line)
        return "\n".join(self.lines[start:])


@pytest.fixture
def term(app: App) -> Terminal:
    return Terminal(app)
