"""`community-bot kb export|import|search`: the knowledge base as files, and search from a shell.

Part of the composition root (it opens the database and builds the search index directly).

Files: one Markdown file per article, with a front matter block of `key: value` lines:

    ---
    id: "reset-password"
    title: "How do I reset my password?"
    tags: ["account", "password"]
    aliases: ["forgot password"]
    language: "en"
    ---
    The article text...

A file whose front matter has no `id` gets its path in the folder, without `.md`; a single
`.md`/`.markdown` file given as the path is one article. An export writes each article back
to the file it was read from (keeping that file's other front matter keys), or else to the
path an import would name it by (`guides/install` -> `guides/install.md`), or a flat safe
name; it deletes only files whose front matter id names an article that was removed.
Values are written as JSON strings and lists, which YAML reads the same way, so the files
open in any front-matter tool; on import plain and single-quoted scalars and `- item`
lists are read too (a small YAML subset: no anchors, tags or nested maps, nothing that can
run code). A whole folder is checked before anything is written: one broken file, or one id
given by two files, stops the import and is named. A JSON Lines file is imported line by
line: a bad line is reported with its number and skipped (an id on two lines skips both).
Re-importing what was exported changes nothing (content hashes).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.articles import ARTICLE_PREFIX, Article, ArticleContent, clean_article_id, slugify
from bot.config import Config
from bot.errors import DomainError
from bot.text import scrub

DEFAULT_LIMIT = 5
WRITE_CHUNK = 5_000
_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?")
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


class ImportProblem(Exception):
    """One input (a file, or a JSONL line) that cannot be imported, said for a person."""


# -- parsing -------------------------------------------------------------------------------


def _scalar(raw: str, where: str) -> str | None:
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise ImportProblem(f"{where}: unterminated or invalid double-quoted text") from None
        if not isinstance(value, str):
            raise ImportProblem(f"{where}: expected text")
        return value
    if raw.startswith("'"):
        if len(raw) < 2 or not raw.endswith("'"):
            raise ImportProblem(f"{where}: unterminated single-quoted text")
        return raw[1:-1].replace("''", "'")
    raw = re.sub(r"\s+#.*$", "", raw)
    if raw in ("", "~", "null"):
        return None
    if raw[0] in "[]{}&*!|>%@`":
        raise ImportProblem(f"{where}: unsupported YAML value {raw[:30]!r}")
    return raw


def _flow_list(raw: str, where: str) -> list[str]:
    if not raw.endswith("]"):
        raise ImportProblem(f"{where}: a list must end with ']'")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        inner = raw[1:-1].strip()
        items = [] if not inner else [_scalar(p, where) for p in inner.split(",")]
        return [i for i in items if i is not None]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ImportProblem(f"{where}: expected a list of text")
    return [str(v) for v in value]


def parse_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """`(fields, body)` of a Markdown file with a `---` front matter block."""

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise ImportProblem(f"{name}: does not start with a '---' front matter block")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise ImportProblem(f"{name}: the front matter block is not closed with '---'")
    fields: dict[str, Any] = {}
    key: str | None = None
    for number, line in enumerate(lines[1:end], start=2):
        where = f"{name}, line {number}"
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped == "-" or stripped.startswith("- "):
            if key is None or not isinstance(fields.get(key), list):
                raise ImportProblem(f"{where}: a '- item' line outside a list")
            item = _scalar(stripped[1:], where)
            if item is not None:
                fields[key].append(item)
            continue
        match = _KEY_LINE.fullmatch(line)
        if match is None or line[:1].isspace():
            raise ImportProblem(f"{where}: expected 'key: value', got {stripped[:40]!r}")
        key, raw = match.group(1).lower(), (match.group(2) or "").strip()
        if key in fields:
            raise ImportProblem(f"{where}: '{key}' appears twice")
        if not raw:
            fields[key] = []  # a block list may follow
        elif raw.startswith("["):
            fields[key] = _flow_list(raw, where)
        else:
            fields[key] = _scalar(raw, where)
    return fields, "\n".join(lines[end + 1 :])


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


_WRITTEN_KEYS = frozenset({"id", "title", "tags", "aliases", "language", "lang"})


def render_article(article: Article, extra: tuple[str, ...] = ()) -> str:
    """The Markdown file of an article; `extra` front matter lines (other tools' keys, as
    `sidebar_position: 2`, kept from the file written over) go before the closing `---`."""

    c = article.content
    lines = [
        "---",
        f"id: {_quote(article.id)}",
        f"title: {_quote(c.title)}",
        f"tags: {json.dumps(list(c.tags), ensure_ascii=False)}",
        f"aliases: {json.dumps(list(c.aliases), ensure_ascii=False)}",
    ]
    if c.lang:
        lines.append(f"language: {_quote(c.lang)}")
    lines += [*extra, "---", c.body, ""]
    return "\n".join(lines)


def other_front_matter(text: str) -> tuple[str, ...]:
    """The front matter lines of `text` that an export does not write (other tools' keys,
    with their `- item` lines, and comments), so writing an article over its file keeps them."""

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    kept: list[str] = []
    keep = True
    for line in lines[1:end]:
        match = None if line[:1].isspace() else _KEY_LINE.fullmatch(line)
        if match is not None:
            keep = match.group(1).lower() not in _WRITTEN_KEYS
        if keep:
            kept.append(line)
    return tuple(kept)


def safe_part(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text).strip("._")[:80]


def natural_path(article_id: str) -> Path | None:
    """The path an import names `article_id` by (`guides/install` -> `guides/install.md`),
    when every part of the id is a plain, portable file name (no `..`, no leading `/`, no
    `\\`, no spaces); None otherwise."""

    parts = article_id.split("/")
    if any(safe_part(part) != part for part in parts):
        return None
    relative = Path(*parts[:-1], parts[-1] + ".md")
    return relative if id_from_path(relative) == article_id else None


def file_names(article_id: str) -> Iterator[Path]:
    """Where an article's file may go, best first: its natural path, then a flat name made
    safe, with a digest of the id (unique even on case-insensitive disks)."""

    natural = natural_path(article_id)
    if natural is not None:
        yield natural
    safe = safe_part(article_id) or "article"
    digest = hashlib.sha1(article_id.encode()).hexdigest()[:8]
    yield Path(f"{safe}-{digest}.md")
    number = 2
    while True:
        yield Path(f"{safe}-{digest}-{number}.md")
        number += 1


@dataclass(frozen=True)
class Item:
    id: str
    content: ArticleContent
    source: str  # file name or "FILE:LINE", for messages


def _item(data: dict[str, Any], where: str, *, lang_key: str) -> Item:
    from bot.knowledge_base import article_content

    raw_id = data.get("id")
    if raw_id is not None and (
        isinstance(raw_id, bool) or not isinstance(raw_id, str | int | float)
    ):
        raise ImportProblem(f"{where}: 'id' must be text")
    article_id = clean_article_id(raw_id)
    if article_id is None:
        raise ImportProblem(
            f"{where}: 'id' is missing, empty, longer than 96 characters, or has spaces or"
            " invisible characters"
        )
    title = data.get("title")
    body = data.get("body", "")
    if title is not None and not isinstance(title, str):
        raise ImportProblem(f"{where}: 'title' must be text")
    if not title or not title.strip():
        raise ImportProblem(f"{where}: 'title' is missing or empty")
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise ImportProblem(f"{where}: 'body' must be text")
    body = body.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR is a line break too
    lang = data.get(lang_key, data.get("lang"))
    if lang is not None and not isinstance(lang, str):
        raise ImportProblem(f"{where}: '{lang_key}' must be text")
    for key in ("tags", "aliases"):
        value = data.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        ):
            raise ImportProblem(f"{where}: '{key}' must be a list of text")
    try:
        content = article_content(title, body, data.get("tags"), data.get("aliases"), lang)
    except DomainError as exc:
        raise ImportProblem(f"{where}: {exc.params.get('detail', exc.key)}") from None
    return Item(article_id, content, where)


def id_from_path(relative: Path) -> str:
    """The article id of a file whose front matter names none: its path in the folder
    without `.md` (`guides/install.md` -> `guides/install`), made id-safe if need be."""

    parts = relative.with_suffix("").parts
    candidate = "/".join(parts)
    return clean_article_id(candidate) or "/".join(slugify(part) for part in parts)


def read_markdown(path: Path, name: str, relative: Path) -> Item:
    """One Markdown article; `relative` names it when its front matter has no `id`."""

    try:
        fields, body = parse_front_matter(path.read_text(encoding="utf-8"), name)
    except UnicodeDecodeError:
        raise ImportProblem(f"{name}: not UTF-8 text") from None
    fields["body"] = body
    for key in ("id", "title", "language", "lang"):
        if fields.get(key) == []:  # `title:` with nothing after it is YAML's null
            fields[key] = None
    if fields.get("id") in (None, ""):
        fields["id"] = id_from_path(relative)
    return _item(fields, name, lang_key="language")


def read_folder(folder: Path) -> list[Item]:
    """Every `*.md` file under `folder`; raises ImportProblem naming each broken file."""

    problems: list[str] = []
    items: list[Item] = []
    for path in sorted(folder.rglob("*.md")):
        relative = path.relative_to(folder)
        try:
            items.append(read_markdown(path, str(relative), relative))
        except ImportProblem as exc:
            problems.append(str(exc))
    sources: dict[str, list[str]] = {}
    for item in items:
        sources.setdefault(item.id, []).append(item.source)
    for article_id, names in sources.items():
        if len(names) > 1:  # which one is meant? Not for the order of the files to decide
            problems.append(
                f"{' and '.join(names)}: {'both' if len(names) == 2 else 'all'} give the id"
                f" {article_id!r}; keep one of them"
            )
    if problems:
        raise ImportProblem("\n".join(problems))
    return items


def read_jsonl(path: Path, report: Callable[[str], None]) -> list[Item]:
    """Valid lines of a JSON Lines file; each bad line is reported with its number."""

    items: list[Item] = []
    with path.open(encoding="utf-8-sig", errors="replace") as lines:  # a BOM is fine
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                report(f"{where}: not valid JSON ({exc.msg}); line skipped")
                continue
            if not isinstance(data, dict):
                report(f"{where}: expected a JSON object; line skipped")
                continue
            try:
                items.append(_item(data, where, lang_key="lang"))
            except ImportProblem as exc:
                report(f"{exc}; line skipped")
    return items


MARKDOWN_SUFFIXES = (".md", ".markdown")


def kind_of(path: Path) -> str | None:
    """What is at `path` ("a file", "a named pipe (FIFO)", ...), None when nothing is."""

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_input(path: Path, report: Callable[[str], None]) -> list[Item]:
    if path.is_dir():
        return read_folder(path)
    if path.is_file():
        if path.suffix.lower() in MARKDOWN_SUFFIXES:  # one article
            return [read_markdown(path, path.name, Path(path.stem))]
        return read_jsonl(path, report)
    kind = kind_of(path)
    if kind is None:
        raise ImportProblem(f"{path}: no such file or folder")
    raise ImportProblem(f"{path}: is {kind}, not a file or folder")


@dataclass
class Written:
    """What an export did to the files already in its folder."""

    deleted: list[str]  # files of articles the knowledge base held and has removed since
    copies: list[str]  # files that repeated, word for word, an article written elsewhere
    left_alone: list[str]  # every other `.md` file it did not write
    same_id: list[str]  # left alone, but an import will refuse them: another file has the id


@dataclass(frozen=True)
class Existing:
    """An `.md` file already in the export folder, as an import would read it."""

    path: Path  # relative to the folder
    id: str | None  # the article it holds (front matter id, or else its path); None: unreadable
    explicit: bool  # the id is in its front matter
    text: str


def existing_files(directory: Path) -> list[Existing]:
    found: list[Existing] = []
    for path in sorted(directory.rglob("*.md")):
        if not path.is_file():
            continue
        relative = path.relative_to(directory)
        try:
            text = path.read_text(encoding="utf-8")
            fields, _ = parse_front_matter(text, str(relative))
        except (ImportProblem, UnicodeDecodeError, OSError):
            found.append(Existing(relative, None, False, ""))  # never written over or deleted
            continue
        raw = fields.get("id")
        if raw in (None, "", []):
            found.append(Existing(relative, id_from_path(relative), False, text))
        else:
            given = clean_article_id(raw) if isinstance(raw, str) else None
            found.append(Existing(relative, given, given is not None, text))
    return found


def write_files(directory: Path, articles: list[Article], removed: set[str]) -> Written:
    """Write one file per article, and delete the files of articles that were removed, so
    the folder mirrors the knowledge base (a later import must not bring a removed article
    back).

    An article goes back to the file an import read it from (the file whose front matter id,
    or else whose path, names it), keeping that file's other front matter keys; a new one
    goes to its natural path (`guides/install` -> `guides/install.md`) or a flat safe name.
    A file that can't be read, or names another article, is never written over.

    Only a `*.md` file whose front matter `id` names an article in `removed` (held once,
    removed since, not added back) is deleted, and a file that repeats word for word an
    article written to another file; any other file is left alone."""

    directory.mkdir(parents=True, exist_ok=True)
    existing = existing_files(directory)
    holder: dict[str, str | None] = {e.path.as_posix().casefold(): e.id for e in existing}
    files_of: dict[str, list[Existing]] = {}
    for e in existing:
        if e.id is not None:
            files_of.setdefault(e.id, []).append(e)
    used: set[str] = set()

    def free(relative: Path, article_id: str) -> bool:
        key = relative.as_posix().casefold()
        if key in used or holder.get(key, article_id) != article_id:
            return False
        parents = [directory / p for p in relative.parents if p != Path(".")]
        if (directory / relative).is_dir():
            return False
        return all(not p.exists() or p.is_dir() for p in parents)

    written: dict[Path, str] = {}  # relative path -> the text written
    for article in articles:
        own = files_of.get(article.id, [])
        natural = natural_path(article.id)
        ordered = sorted(own, key=lambda e: e.path != natural)  # its natural path first
        target = next((e for e in ordered if free(e.path, article.id)), None)
        if target is not None:
            relative, extra = target.path, other_front_matter(target.text)
        else:
            relative = next(r for r in file_names(article.id) if free(r, article.id))
            extra = ()
        used.add(relative.as_posix().casefold())
        text = render_article(article, extra)
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        written[relative] = text

    live = {article.id: article for article in articles}
    result = Written([], [], [], [])
    for e in existing:
        if e.path in written:
            continue
        name = e.path.as_posix()
        if e.explicit and e.id in removed and e.id not in live:
            (directory / e.path).unlink()
            result.deleted.append(name)
        elif e.explicit and e.id in live and e.text == render_article(live[e.id]):
            (directory / e.path).unlink()  # an old export's copy: nothing in it is lost
            result.copies.append(name)
        elif e.id in live:
            result.same_id.append(name)
        else:
            result.left_alone.append(name)
    return result


def _names(names: list[str], shown: int = 10) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


# -- commands ------------------------------------------------------------------------------

EXIT_CODES = (
    "exit status: 0 when every input line was used; 1 on an error, or when any input line"
    " was skipped (each is reported on stderr, the rest is still done); 2 on a usage error."
)


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 <= value <= 1.0:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {text!r}")
    return value


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    kb = sub.add_parser("kb", help="knowledge base: search, import, export")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="ACTION")

    def community(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--community", default=None, help="community key (default: the console's community)"
        )
        common(parser)

    search = kb_sub.add_parser(
        "search", help="search articles and solved questions", epilog=EXIT_CODES
    )
    search.add_argument("text", nargs="?", help="what to search for")
    search.add_argument(
        "--limit", type=_limit, default=DEFAULT_LIMIT, help="results per query (at least 1)"
    )
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument(
        "--queries",
        type=Path,
        metavar="FILE.jsonl",
        help='answer many: each line {"id", "text"} gives one output line '
        '{"id", "results": [{"id", "score"}, ...]}',
    )
    search.add_argument(
        "--min-score",
        type=_score,
        default=None,
        help="drop results below this score, from 0 to 1 (default: the configured threshold for one "
        "search, 0 with --queries so every query gets a full ranking)",
    )
    community(search)

    export = kb_sub.add_parser("export", help="write one Markdown file per article into DIR")
    export.add_argument("directory", type=Path, metavar="DIR")
    community(export)

    imp = kb_sub.add_parser(
        "import",
        help="import a folder of Markdown articles, one Markdown file, or a JSON Lines file",
        epilog=EXIT_CODES,
    )
    imp.add_argument("path", type=Path, metavar="PATH")
    imp.add_argument("--quiet", action="store_true", help="no progress bars")
    community(imp)


def _community(args: argparse.Namespace, config: Config) -> str:
    name = args.community or config.console.community
    if name not in config.communities:
        raise ImportProblem(
            f"--community: {name!r} is not one of {', '.join(sorted(config.communities))}"
        )
    return name


async def run(
    args: argparse.Namespace,
    config: Config,
    out: TextIO | None = None,
    database_options: dict[str, Any] | None = None,
) -> int:
    out = out or sys.stdout
    action = getattr(args, "kb_command", None)
    if action is None:
        print("usage: community-bot kb {search,import,export} ... (see --help)", file=sys.stderr)
        return 2
    from bot.cli import database_used
    from bot.clock import SystemClock
    from storage.database import Database

    with database_used(config):
        database = Database(config.database.url, clock=SystemClock(), **(database_options or {}))
    try:
        community = _community(args, config)
        with database_used(config):
            await database.upgrade()
        if action == "export":
            return await export_articles(database, community, args.directory, out)
        if action == "import":
            return await import_articles(database, config, community, args.path, out, args.quiet)
        return await search(database, config, community, args, out)
    except ImportProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or folder that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()


def _count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 article`, `2 articles`."""
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"


async def export_articles(database: Any, community: str, directory: Path, out: TextIO) -> int:
    kind = kind_of(directory)
    if kind not in (None, "a folder"):
        raise ImportProblem(f"{directory}: is {kind}, not a folder (export writes into a folder)")
    async with database.uow(write=False) as uow:
        articles = await uow.knowledge.live_articles(community)
        states = await uow.knowledge.article_states(community)
    removed = {article_id for article_id, state in states.items() if state.deleted}
    done = write_files(directory, articles, removed)
    print(f"exported {_count(len(articles), 'article')} to {directory}", file=out)
    if done.deleted:
        of = "an article" if len(done.deleted) == 1 else "articles"
        print(
            f"deleted {_count(len(done.deleted), 'file')} of {of} removed from the knowledge"
            f" base: {_names(done.deleted)}",
            file=out,
        )
    if done.copies:
        of = "an article" if len(done.copies) == 1 else "articles"
        print(
            f"deleted {_count(len(done.copies), 'old copy', 'old copies')} of {of}"
            f" written to another file: {_names(done.copies)}",
            file=out,
        )
    if done.left_alone:
        print(
            f"left alone {_count(len(done.left_alone), 'other file')} (not of an article"
            f" the knowledge base removed): {_names(done.left_alone)}",
            file=out,
        )
    if done.same_id:
        print(
            f"warning: left alone {_count(len(done.same_id), 'file')} holding an article"
            f" exported to another file: {_names(done.same_id)}; an import refuses an id"
            " given twice, so delete or rename one",
            file=sys.stderr,
        )
    return 0


def _progress(total: int, desc: str, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=" articles", file=sys.stderr, disable=quiet)


async def import_articles(
    database: Any, config: Config, community: str, path: Path, out: TextIO, quiet: bool = False
) -> int:
    problems: list[str] = []
    items = read_input(path, problems.append)  # a broken file raises before any write
    first_line: dict[str, str] = {}
    repeated: set[str] = set()
    for item in items:  # from a JSON Lines file (a folder refuses a repeated id whole)
        if item.id in first_line:
            problems.append(
                f"{item.source}: id {item.id!r} is also on line"
                f" {first_line[item.id].rpartition(':')[2]}; every line with it is skipped"
            )
            repeated.add(item.id)
        else:
            first_line[item.id] = item.source
    unique = {item.id: item for item in items if item.id not in repeated}
    for problem in problems:
        print(problem, file=sys.stderr)

    from bot.audit import audit_by_bot

    now = database.clock.now()
    async with database.uow() as uow:
        states = await uow.knowledge.article_states(community)
        changed = [
            (i.id, i.content)
            for i in unique.values()
            if (s := states.get(i.id)) is None
            or s.deleted
            or s.content_hash != i.content.content_hash()
        ]
        created = sum(1 for article_id, _ in changed if article_id not in states)
        with _progress(len(changed), "importing", quiet or not changed) as bar:
            for start in range(0, len(changed), WRITE_CHUNK):
                chunk = changed[start : start + WRITE_CHUNK]
                await uow.knowledge.import_articles(community, chunk, states, now)
                bar.update(len(chunk))
        if changed:
            await audit_by_bot(
                uow, community, now, "import_articles",
                detail=f"{path.name}: {created} new, {len(changed) - created} changed",
            )  # fmt: skip
        await uow.commit()
    print(
        f"imported into {community}: {created} new, {len(changed) - created} changed, "
        f"{len(unique) - len(changed)} unchanged"
        + (f", skipped lines: {len(problems) + len(repeated)}" if problems else ""),
        file=out,
    )
    if config.knowledge.semantic:
        await _embed(database, community, quiet)
    return 1 if problems else 0


async def _embed(database: Any, community: str, quiet: bool) -> None:
    from knowledge.service import embed_missing, load_embedder

    embedder = await asyncio.to_thread(load_embedder, True)
    if embedder is None:
        return  # logged: search stays lexical
    bar = None

    def progress(advance: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = _progress(total, "embedding", quiet or total == 0)
        bar.update(advance)

    try:
        await embed_missing(database, embedder, community, progress=progress)
    finally:
        if bar is not None:
            bar.close()


async def search(
    database: Any, config: Config, community: str, args: argparse.Namespace, out: TextIO
) -> int:
    from knowledge.service import EngineKnowledge, load_embedder

    if args.queries is None and (args.text is None):
        raise ImportProblem("give the text to search for, or --queries FILE.jsonl")
    limit = args.limit
    embedder = await asyncio.to_thread(load_embedder, config.knowledge.semantic)
    knowledge = EngineKnowledge(
        database, min_score=config.knowledge.min_score, embedder=embedder,
        embed_in_background=False,
    )  # fmt: skip
    await knowledge.load(community)
    if args.queries is not None:
        min_score = 0.0 if args.min_score is None else args.min_score
        return _batch(knowledge, community, args.queries, limit, min_score, out)
    hits = knowledge.search(community, args.text, limit=limit, min_score=args.min_score)
    rows = [
        {"id": _shown_id(h.id), "title": h.title, "score": round(h.score, 4), "kind": h.kind}
        for h in hits
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False), file=out)
    elif not rows:
        threshold = knowledge.min_score if args.min_score is None else args.min_score
        print(f"nothing found scoring at least {threshold:.2f}", file=out)
    else:
        for row in rows:
            print(f"{row['score']:.3f}  {row['kind']:<8}  {row['id']}  {row['title']}", file=out)
    return 0


def _shown_id(doc_id: str) -> str:
    """Articles by their own id (as imported), solved questions as q<number>."""
    return doc_id.removeprefix(ARTICLE_PREFIX)


def _json_line(value: object) -> str:
    """Non-ASCII text as it is, unless the value holds a lone surrogate (an id given as
    `"\\ud800"`): only an escape writes that back out unchanged."""
    line = json.dumps(value, ensure_ascii=False)
    return line if scrub(line) is line else json.dumps(value)


def _queries(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, line


def _batch(
    knowledge: Any, community: str, path: Path, limit: int, min_score: float, out: TextIO
) -> int:
    if not path.is_file():
        raise ImportProblem(f"{path}: no such file")
    bad = 0
    for number, line in _queries(path):
        try:
            data = json.loads(line)
            if (
                not isinstance(data, dict)
                or "id" not in data
                or not isinstance(data.get("text"), str)
            ):
                raise ValueError('expected {"id": ..., "text": "..."}')
        except ValueError as exc:
            print(f"{path.name}:{number}: {exc}; line skipped", file=sys.stderr)
            bad += 1
            continue
        hits = knowledge.search(community, data["text"], limit=limit, min_score=min_score)
        results = [{"id": _shown_id(h.id), "score": round(h.score, 4)} for h in hits]
        print(_json_line({"id": data["id"], "results": results}), file=out)
    return 1 if bad else 0
