"""The core imports no platform SDK and no ORM: dependencies point inward."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import bot

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION_ROOT = {"bot.bootstrap", "bot.cli", "bot.__main__", "bot.kb_cli"}
FORBIDDEN = (
    "discord",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "alembic",
    "storage",
    "adapters",
    "knowledge",
)


def test_core_modules_load_no_platform_or_orm_code() -> None:
    modules = [
        f"bot.{m.name}"
        for m in pkgutil.iter_modules(bot.__path__)
        if f"bot.{m.name}" not in COMPOSITION_ROOT
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"core imported: {out.stdout.strip()}"
    assert len(modules) >= 10


def test_core_modules_import_no_platform_or_orm_code_even_lazily() -> None:
    # The test above sees what importing a module loads; an import inside a function body
    # would only load when called, so read the source too.
    found = []
    for path in sorted((ROOT / "bot").glob("*.py")):
        if f"bot.{path.stem}" in COMPOSITION_ROOT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert found == []
