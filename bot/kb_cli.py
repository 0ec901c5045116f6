"""`community-bot kb ...`: knowledge-base commands (filled in by the knowledge-base work)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.config import Config


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    kb = sub.add_parser("kb", help="knowledge base: search, import, export")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="ACTION")
    search = kb_sub.add_parser("search", help="search articles and solved questions")
    search.add_argument("text", nargs="?", help="what to search for")
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--json", action="store_true", help="print JSON")
    common(search)


async def run(args: argparse.Namespace, config: Config) -> int:
    print("the knowledge-base commands are not available yet")
    return 2
