"""`community-bot kb import|export|search`: file formats, bad input, JSON output, and the same
results on every database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import kb_cli
from bot.cli import build_parser
from storage.models import ArticleRow, ArticleVersionRow
from tests.conftest import DatabaseTarget, make_config

ROOT = Path(__file__).resolve().parents[2]

ARTICLES = [
    {"id": "reset-password", "title": "How do I reset my password?",
     "body": "Open Settings > Security and choose Reset.", "tags": ["account"],
     "aliases": ["forgot password"], "lang": "en"},
    {"id": "invoice-pdf", "title": "Download an invoice as PDF", "body": "Billing > Invoices."},
    {"id": "fa-password", "title": "چگونه رمز عبور را تغییر دهم؟", "body": "از تنظیمات", "lang": "fa"},
    {"id": "tr-sikayet", "title": "Şikayet nasıl yapılır?", "body": "Destek sayfasından.", "lang": "tr"},
    {"id": "42", "title": "Numeric ids from a data set work", "body": "Yes."},
]  # fmt: skip


async def kb(target: DatabaseTarget, *argv: str, semantic: bool = False) -> tuple[int, str]:
    args = build_parser().parse_args(["kb", *argv])
    config = make_config(target.url, knowledge={"semantic": semantic})
    out = io.StringIO()
    code = await kb_cli.run(args, config, out=out, database_options=target.options)
    return code, out.getvalue()


def write_jsonl(path: Path, rows: list[object], extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines[2:2] = extra_lines
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def counts(target: DatabaseTarget) -> tuple[int, int]:
    from bot.clock import FakeClock
    from storage.database import Database

    db = Database(target.url, clock=FakeClock(), **target.options)
    try:
        async with db.connect() as conn:
            articles = (await conn.execute(select(func.count()).select_from(ArticleRow))).scalar()
            versions = (
                await conn.execute(select(func.count()).select_from(ArticleVersionRow))
            ).scalar()
        return int(articles or 0), int(versions or 0)
    finally:
        await db.dispose()


async def remove_article(target: DatabaseTarget, article_id: str) -> None:
    from bot.bootstrap import bootstrap
    from bot.clock import FakeClock
    from bot.knowledge_base import RemoveArticle
    from tests.helpers import actor

    app = await bootstrap(
        make_config(target.url), clock=FakeClock(), database_options=target.options
    )
    try:
        await app.bot.handle(
            RemoveArticle(actor("mod", mod=True), article_id, event_id=f"rm-{article_id}")
        )
    finally:
        await app.close()


async def test_jsonl_import_reports_bad_lines_and_reimport_changes_nothing(
    db_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(
        tmp_path / "kb.jsonl", ARTICLES,
        ('{"id": "broken", "title": ', '["not", "an object"]', '{"id": "no title"}'),
    )  # fmt: skip
    code, out = await kb(db_target, "import", str(source))
    err = capsys.readouterr().err
    assert code == 1  # something was skipped; the rest is in
    assert "kb.jsonl:3: not valid JSON" in err
    assert "kb.jsonl:4: expected a JSON object" in err
    assert "kb.jsonl:5: 'id' is missing" in err
    assert "5 new, 0 changed, 0 unchanged, skipped lines: 3" in out
    assert await counts(db_target) == (5, 5)

    code, out = await kb(db_target, "import", str(source))
    assert "0 new, 0 changed, 5 unchanged" in out
    assert await counts(db_target) == (5, 5)  # no new versions either


async def test_export_then_import_round_trip_changes_nothing(
    db_target: DatabaseTarget, tmp_path: Path
) -> None:
    await kb(db_target, "import", str(write_jsonl(tmp_path / "kb.jsonl", ARTICLES)))
    code, out = await kb(db_target, "export", str(tmp_path / "out"))
    assert code == 0 and "exported 5 articles" in out
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["42.md", "fa-password.md", "invoice-pdf.md", "reset-password.md",
                     "tr-sikayet.md"]  # fmt: skip
    text = (tmp_path / "out" / "reset-password.md").read_text(encoding="utf-8")
    assert text == (
        '---\nid: "reset-password"\ntitle: "How do I reset my password?"\n'
        'tags: ["account"]\naliases: ["forgot password"]\nlanguage: "en"\n---\n'
        "Open Settings > Security and choose Reset.\n"
    )
    code, out = await kb(db_target, "import", str(tmp_path / "out"))
    assert code == 0 and "0 new, 0 changed, 5 unchanged" in out
    assert await counts(db_target) == (5, 5)

    # a hand edit in plain YAML style is picked up as one change
    (tmp_path / "out" / "invoice-pdf.md").write_text(
        "---\nid: invoice-pdf\ntitle: 'Download an invoice as a PDF'\ntags:\n  - billing\n"
        "---\nBilling > Invoices > Download.\n",
        encoding="utf-8",
    )
    code, out = await kb(db_target, "import", str(tmp_path / "out"))
    assert "0 new, 1 changed, 4 unchanged" in out
    code, out = await kb(db_target, "search", "invoice pdf", "--json")
    assert json.loads(out)[0]["title"] == "Download an invoice as a PDF"


async def test_export_mirrors_removals_and_leaves_other_files_alone(
    db_target: DatabaseTarget, tmp_path: Path
) -> None:
    await kb(db_target, "import", str(write_jsonl(tmp_path / "kb.jsonl", ARTICLES)))
    out_dir = tmp_path / "out"
    await kb(db_target, "export", str(out_dir))
    (out_dir / "README.md").write_text("# Our help articles\n", encoding="utf-8")
    (out_dir / "notes.md").write_text("---\ntitle: a draft without an id\n---\nx\n", "utf-8")
    await remove_article(db_target, "invoice-pdf")

    code, out = await kb(db_target, "export", str(out_dir))
    assert code == 0 and "exported 4 articles to" in out
    assert "deleted 1 file of an article removed from the knowledge base: invoice-pdf.md" in out
    assert "left alone 2 other files" in out and "README.md, notes.md" in out
    names = sorted(p.name for p in out_dir.iterdir())
    assert "invoice-pdf.md" not in names and {"README.md", "notes.md"} <= set(names)
    # so importing the folder back does not bring the removed article back
    for name in ("README.md", "notes.md"):
        (out_dir / name).unlink()
    code, out = await kb(db_target, "import", str(out_dir))
    assert code == 0 and "0 new, 0 changed, 4 unchanged" in out


@pytest.mark.parametrize(
    "broken",
    [
        "no front matter at all\n",
        "---\nid: x\ntitle: never closed\n",
        '---\nid: x\ntitle: "unterminated\n---\nbody\n',
        "---\nid: x\n  title: indented\n---\n",
        "---\nid: x\ntitle: fine\ntags: [a, b\n---\n",
        "---\nid: has space\ntitle: t\n---\n",
        "---\nid: x\n---\nno title\n",
    ],
)
async def test_broken_front_matter_is_named_and_nothing_is_written(
    sqlite_target: DatabaseTarget,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    broken: str,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text('---\nid: good\ntitle: "Good"\n---\nFine.\n', "utf-8")
    (folder / "bad-one.md").write_text(broken, encoding="utf-8")
    code, out = await kb(sqlite_target, "import", str(folder))
    err = capsys.readouterr().err
    assert code == 1 and "bad-one.md" in err and "good.md" not in err
    assert await counts(sqlite_target) == (0, 0)


async def test_search_json_formats_and_bad_queries(
    db_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await kb(db_target, "import", str(write_jsonl(tmp_path / "kb.jsonl", ARTICLES)))
    code, out = await kb(db_target, "search", "reset my pasword", "--json", "--limit", "2")
    rows = json.loads(out)
    assert code == 0 and rows[0]["id"] == "reset-password"
    assert set(rows[0]) == {"id", "title", "score", "kind"} and rows[0]["kind"] == "article"
    assert 0 < rows[0]["score"] <= 1 and len(rows) <= 2

    code, out = await kb(db_target, "search", "reset my pasword")
    assert "reset-password  How do I reset my password?" in out
    code, out = await kb(db_target, "search", "zzzz qqqq", "--json")
    assert json.loads(out) == []
    code, out = await kb(db_target, "search", "", "--json")
    assert json.loads(out) == []
    code, out = await kb(db_target, "search", "password " * 12_000, "--json")  # ~100 KB
    assert code == 0 and json.loads(out)[0]["id"] == "reset-password"

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "q1", "text": "şikayet nasil yapilir"}\n'
        '{"id": 2, "text": "رمز عبور تغییر"}\n'
        "not json\n"
        '{"id": 3, "text": ""}\n'
        '{"id": 4, "text": "invoice"}\n',
        encoding="utf-8",
    )
    code, out = await kb(db_target, "search", "--queries", str(queries), "--json", "--limit", "3")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and "q.jsonl:3:" in capsys.readouterr().err
    assert [line["id"] for line in lines] == ["q1", 2, 3, 4]
    assert lines[0]["results"][0]["id"] == "tr-sikayet"
    assert lines[1]["results"][0]["id"] == "fa-password"
    assert lines[2]["results"] == []
    assert all(set(r) == {"id", "score"} for line in lines for r in line["results"])
    assert all(len(line["results"]) <= 3 for line in lines)


async def test_half_an_emoji_in_imports_and_queries(
    db_target: DatabaseTarget, tmp_path: Path
) -> None:
    # JSON escapes can carry a lone surrogate (half an emoji), which no database stores: the
    # import used to stop with a traceback and import nothing.
    source = tmp_path / "kb.jsonl"
    source.write_text(
        '{"id": "half", "title": "Printer \\ud83d offline", "tags": ["x\\udcff"]}\n'
        + json.dumps(ARTICLES[1]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    code, out = await kb(db_target, "import", str(source))
    assert code == 0 and "2 new, 0 changed" in out
    code, out = await kb(db_target, "search", "printer offline", "--json")
    assert json.loads(out)[0]["title"] == "Printer \ufffd offline"

    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "q\\ud800", "text": "printer \\udc00 offline"}\n')
    code, out = await kb(db_target, "search", "--queries", str(queries), "--json")
    out.encode("utf-8")  # printable: the id is written back as the escape it came as
    line = json.loads(out)
    assert code == 0 and line["id"] == "q\ud800" and line["results"][0]["id"] == "half"


async def test_same_results_on_every_database(
    db_target: DatabaseTarget, sqlite_target: DatabaseTarget, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "kb.jsonl", ARTICLES)
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps({"id": i, "text": t})
            for i, t in enumerate(["password", "invoice pdf", "رمز", "sikayet", "numeric ids"])
        ),
        encoding="utf-8",
    )
    outputs = []
    for target in (sqlite_target, db_target):
        await kb(target, "import", str(source))
        outputs.append((await kb(target, "search", "--queries", str(queries), "--json"))[1])
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 5


def test_the_command_line_entry_point(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "kb.jsonl", ARTICLES)
    db = f"sqlite:///{tmp_path}/cli.db"
    run = [sys.executable, "-m", "bot", "kb"]
    done = subprocess.run(
        [*run, "import", str(source), "--database", db], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    found = subprocess.run(
        [*run, "search", "invoice", "--json", "--database", db],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert json.loads(found.stdout)[0]["id"] == "invoice-pdf"


async def test_a_file_without_an_id_is_named_by_its_path(
    sqlite_target: DatabaseTarget, tmp_path: Path
) -> None:
    """Articles written by hand need no `id`: the path in the folder is used, and the export
    of what was imported imports back unchanged."""

    folder = tmp_path / "docs"
    (folder / "guides").mkdir(parents=True)
    (folder / "install.md").write_text('---\ntitle: "Install"\n---\nRun the installer.\n', "utf-8")
    (folder / "guides" / "Set Up Mail.md").write_text("---\ntitle: Mail\n---\nSMTP.\n", "utf-8")
    code, out = await kb(sqlite_target, "import", str(folder))
    assert code == 0 and "2 new" in out
    code, out = await kb(sqlite_target, "search", "installer", "--json")
    assert json.loads(out)[0]["id"] == "install"
    code, out = await kb(sqlite_target, "search", "SMTP mail", "--json")
    assert json.loads(out)[0]["id"] == "guides/set-up-mail"
    exported = tmp_path / "exported"
    await kb(sqlite_target, "export", str(exported))
    code, out = await kb(sqlite_target, "import", str(exported))
    assert code == 0 and "0 new, 0 changed, 2 unchanged" in out


async def test_a_bom_and_carriage_returns_in_json_lines(
    sqlite_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON Lines file saved with a BOM (Notepad, Excel) imports its first line, and a lone
    CR in a body is a line break, not dropped."""

    source = tmp_path / "kb.jsonl"
    source.write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps({"id": "cr", "title": "CR", "body": "windows line\rcr only\r\nnext"}).encode()
        + b"\n"
    )
    code, out = await kb(sqlite_target, "import", str(source))
    assert code == 0 and "1 new" in out, capsys.readouterr().err
    code, out = await kb(sqlite_target, "export", str(tmp_path / "out"))
    assert out == f"exported 1 article to {tmp_path / 'out'}\n"  # not "1 articles"
    text = (tmp_path / "out" / "cr.md").read_text(encoding="utf-8")
    assert text.endswith("---\nwindows line\ncr only\nnext\n")

    queries = tmp_path / "q.jsonl"
    queries.write_bytes(b'\xef\xbb\xbf{"id": 1, "text": "windows line"}\n')
    code, out = await kb(sqlite_target, "search", "--queries", str(queries), "--json")
    assert code == 0 and json.loads(out)["results"][0]["id"] == "cr"


async def test_one_markdown_file_imports_as_one_article(
    sqlite_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_id = tmp_path / "intro.md"
    with_id.write_text("\ufeff---\nid: welcome\ntitle: Welcome\n---\nHello there.\n", "utf-8")
    without = tmp_path / "Set Up Mail.markdown"
    without.write_text("---\ntitle: Mail\n---\nSMTP settings.\n", "utf-8")
    for path in (with_id, without):
        code, out = await kb(sqlite_target, "import", str(path))
        assert code == 0 and "1 new, 0 changed" in out, capsys.readouterr().err
    code, out = await kb(sqlite_target, "search", "smtp settings", "--json")
    assert json.loads(out)[0]["id"] == "set-up-mail"
    code, out = await kb(sqlite_target, "search", "hello there", "--json")
    assert json.loads(out)[0]["id"] == "welcome"

    broken = tmp_path / "broken.md"
    broken.write_text("no front matter\n", "utf-8")
    code, _ = await kb(sqlite_target, "import", str(broken))
    assert code == 1 and "broken.md: does not start with" in capsys.readouterr().err


async def test_paths_of_the_wrong_kind_are_named(
    sqlite_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", "utf-8")
    code, _ = await kb(sqlite_target, "export", str(afile))
    err = capsys.readouterr().err
    assert code == 1 and "afile: is a file, not a folder" in err
    assert afile.read_text("utf-8") == "x"
    code, _ = await kb(sqlite_target, "import", "/dev/null")
    assert code == 1 and "/dev/null: is a device, not a file or folder" in capsys.readouterr().err
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _ = await kb(sqlite_target, "import", str(fifo))
    assert code == 1 and "pipe: is a named pipe (FIFO)" in capsys.readouterr().err
    code, _ = await kb(sqlite_target, "import", str(tmp_path / "missing"))
    assert code == 1 and "missing: no such file or folder" in capsys.readouterr().err


async def test_a_field_of_the_wrong_type_is_named_as_such(
    sqlite_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "a", "title": ["x"]},
        {"id": ["a"], "title": "x"},
        {"id": "c", "title": "x", "body": 3},
        {"id": "d", "title": "x", "tags": 5},
        {"id": "e", "title": "x", "aliases": {"a": 1}},
        {"id": "f", "title": "x", "lang": 7},
        {"id": "g", "title": "  "},
        {"id": "h", "title": "fine", "body": None, "tags": "a, b", "aliases": ["x", 2]},
    ]
    code, out = await kb(sqlite_target, "import", str(write_jsonl(tmp_path / "t.jsonl", rows)))
    err = capsys.readouterr().err
    assert code == 1 and "1 new" in out
    assert "t.jsonl:1: 'title' must be text" in err
    assert "t.jsonl:2: 'id' must be text" in err
    assert "t.jsonl:3: 'body' must be text" in err
    assert "t.jsonl:4: 'tags' must be a list of text" in err
    assert "t.jsonl:5: 'aliases' must be a list of text" in err
    assert "t.jsonl:6: 'lang' must be text" in err
    assert "t.jsonl:7: 'title' is missing or empty" in err

    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntitle: [x]\n---\n", "utf-8")
    (folder / "b.md").write_text("---\ntitle:\n---\n", "utf-8")
    code, _ = await kb(sqlite_target, "import", str(folder))
    err = capsys.readouterr().err
    assert code == 1 and "a.md: 'title' must be text" in err
    assert "b.md: 'title' is missing or empty" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--limit", "0"],
        ["--limit", "-1"],
        ["--limit", "two"],
        ["--min-score", "5"],
        ["--min-score", "-0.1"],
        ["--min-score", "nan"],
        ["--min-score", "inf"],
    ],
)
def test_search_refuses_out_of_range_options(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["kb", "search", "x", *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"argument {argv[0]}:" in err


def test_search_accepts_the_edges_of_the_ranges() -> None:
    args = build_parser().parse_args(["kb", "search", "x", "--limit", "1", "--min-score", "0"])
    assert (args.limit, args.min_score) == (1, 0.0)
    args = build_parser().parse_args(["kb", "search", "x", "--min-score", "1"])
    assert args.min_score == 1.0


@pytest.mark.parametrize("action", ["import", "search"])
def test_help_says_a_skipped_line_exits_1(action: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["kb", action, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "1 on an error, or when any input line was skipped" in help_text


async def test_export_deletes_only_files_of_removed_articles(
    sqlite_target: DatabaseTarget, tmp_path: Path
) -> None:
    """Files the knowledge base never held are never deleted (a Docusaurus folder exported
    into from an empty knowledge base lost every page), nor files that can't be read; a file
    of an article removed and then added back is kept."""

    docs = tmp_path / "docs"
    (docs / "guides").mkdir(parents=True)
    pages = {
        "intro.md": "---\nid: intro\nsidebar_position: 1\n---\n# Hello\n",
        "faq.md": "---\nid: faq\ntitle: FAQ\n---\nQ and A\n",
        "guides/setup.md": "---\nid: setup\ntitle: Setup\n---\nx\n",
        "broken.md": "---\nid: gone\ntitle: never closed\n",
    }
    for name, text in pages.items():
        (docs / name).write_text(text, "utf-8")
    code, out = await kb(sqlite_target, "export", str(docs))
    assert code == 0 and "deleted" not in out
    assert "left alone 4 other files" in out and "intro.md" in out
    assert {n: (docs / n).read_text("utf-8") for n in pages} == pages

    rows = [{"id": i, "title": i, "body": f"{i} text"} for i in ("gone", "back", "old")]
    await kb(sqlite_target, "import", str(write_jsonl(tmp_path / "kb.jsonl", rows)))
    await kb(sqlite_target, "export", str(tmp_path / "out"))
    for article_id in ("gone", "back", "old"):
        await remove_article(sqlite_target, article_id)
    await kb(sqlite_target, "import", str(write_jsonl(tmp_path / "back.jsonl", rows[1:2])))
    (tmp_path / "out" / "sub").mkdir()
    (tmp_path / "out" / "old.md").rename(tmp_path / "out" / "sub" / "old.md")
    code, out = await kb(sqlite_target, "export", str(docs))  # broken.md names 'gone'
    assert "deleted" not in out and (docs / "broken.md").exists()
    code, out = await kb(sqlite_target, "export", str(tmp_path / "out"))
    assert "deleted 2 files of articles removed from the knowledge base: gone.md, sub/old.md" in out
    assert sorted(p.name for p in (tmp_path / "out").glob("*.md")) == ["back.md"]


async def test_export_writes_an_article_back_to_the_file_it_came_from(
    sqlite_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Export, edit, import keeps the edit: the article goes back to its own file (it used
    to be exported again as a flat copy, and the import let the stale copy win)."""

    hw = tmp_path / "hw"
    (hw / "guides").mkdir(parents=True)
    (hw / "docs").mkdir()
    install = hw / "guides" / "install.md"
    install.write_text(
        "---\ntitle: Install\nsidebar_position: 2\ntags:\n  - setup\n---\nRun it.\n", "utf-8"
    )
    (hw / "docs" / "intro.md").write_text("---\nid: intro\ntitle: Intro\n---\nHi.\n", "utf-8")
    code, out = await kb(sqlite_target, "import", str(hw))
    assert code == 0 and "2 new" in out
    old_copy = hw / "guides_install-969ecc43.md"  # what an export wrote before
    old_copy.write_text(
        '---\nid: "guides/install"\ntitle: "Install"\ntags: ["setup"]\naliases: []\n---\nRun it.\n',
        "utf-8",
    )

    code, out = await kb(sqlite_target, "export", str(hw))
    assert code == 0 and "exported 2 articles" in out
    assert "deleted 1 old copy of an article written to another file: guides_" in out
    files = sorted(p.relative_to(hw).as_posix() for p in hw.rglob("*") if p.is_file())
    assert files == ["docs/intro.md", "guides/install.md"]
    assert install.read_text("utf-8") == (
        '---\nid: "guides/install"\ntitle: "Install"\ntags: ["setup"]\naliases: []\n'
        "sidebar_position: 2\n---\nRun it.\n"  # another tool's key is kept
    )
    install.write_text(install.read_text("utf-8").replace("Run it.", "Run setup.exe."), "utf-8")
    code, out = await kb(sqlite_target, "import", str(hw))
    assert code == 0 and "0 new, 1 changed, 1 unchanged" in out
    code, out = await kb(sqlite_target, "search", "setup.exe", "--json")
    assert json.loads(out)[0]["id"] == "guides/install"

    # an id given twice is refused whole, naming both files: no file order decides
    (hw / "copy.md").write_text("---\nid: guides/install\ntitle: Old\n---\nOld.\n", "utf-8")
    code, out = await kb(sqlite_target, "import", str(hw))
    err = capsys.readouterr().err
    assert code == 1 and "copy.md and guides/install.md: both give the id 'guides/install'" in err
    code, out = await kb(sqlite_target, "export", str(hw))
    assert (hw / "copy.md").exists() and "copy.md; an import refuses" in capsys.readouterr().err
    code, out = await kb(sqlite_target, "search", "setup.exe", "--json")
    assert json.loads(out)[0]["id"] == "guides/install"


async def test_a_repeated_id_in_json_lines_skips_every_line_with_it(
    sqlite_target: DatabaseTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "a", "title": "First"},
        {"id": "b", "title": "B"},
        {"id": "a", "title": "Second"},
    ]
    code, out = await kb(sqlite_target, "import", str(write_jsonl(tmp_path / "kb.jsonl", rows)))
    err = capsys.readouterr().err
    assert code == 1 and "kb.jsonl:3: id 'a' is also on line 1; every line with it" in err
    assert "1 new, 0 changed, 0 unchanged, skipped lines: 2" in out


async def test_export_file_names_stay_in_the_folder_and_off_other_files(
    sqlite_target: DatabaseTarget, tmp_path: Path
) -> None:
    rows = [
        {"id": i, "title": "t"}
        for i in ("../escape", "/abs", "a/../b", "guides/ok", "faq", ".hidden", "C:x")
    ]
    await kb(sqlite_target, "import", str(write_jsonl(tmp_path / "kb.jsonl", rows)))
    out_dir = tmp_path / "box" / "out"
    out_dir.mkdir(parents=True)
    foreign = "---\nid: something-else\ntitle: Mine\n---\nmine\n"
    (out_dir / "faq.md").write_text(foreign, "utf-8")
    (out_dir / "guides").write_text("a file where a folder would go", "utf-8")
    code, out = await kb(sqlite_target, "export", str(out_dir))
    assert code == 0 and "exported 7 articles" in out
    assert (out_dir / "faq.md").read_text("utf-8") == foreign
    assert sorted(p.name for p in (tmp_path / "box").iterdir()) == ["out"]
    files = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*.md"))
    assert len(files) == 8 and all("/" not in f for f in files)  # all flat here
    code, out = await kb(sqlite_target, "import", str(out_dir))
    assert "1 new, 0 changed, 7 unchanged" in out  # faq.md's own article is new
