"""Knowledge-base articles as the core sees them, and the ids search results carry.

An article's text fields (`ArticleContent`) are what every version snapshots, so an edit can
be undone by writing an older snapshot back. Search results name what they found with one
string id: `a:<article id>` for an article, `q<number>` for a solved question (the form the
adapters already use for questions; `q:<number>`, `#<number>` and a bare number are read too).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.text import MAX_NUMBER_DIGITS, clean

ARTICLE_PREFIX = "a:"
MAX_ID_CHARS = 96  # "a:" + id stays within Discord's 100-character choice values
MAX_TITLE_CHARS = 400
MAX_BODY_CHARS = 100_000
MAX_TAGS = 20
MAX_TAG_CHARS = 64
MAX_LANG_CHARS = 16

_QUESTION_REF = re.compile(rf"(?:[qQ]:?|#)?(\d{{1,{MAX_NUMBER_DIGITS}}})")
_SLUG_DROP = re.compile(r"[^\w]+")


class ArticleSource(enum.StrEnum):
    MANUAL = "manual"
    IMPORT = "import"
    PROMOTED = "promoted"


class ArticleAction(enum.StrEnum):
    CREATE = "create"
    EDIT = "edit"
    REMOVE = "remove"
    RESTORE = "restore"


@dataclass(frozen=True, slots=True)
class ArticleContent:
    """The versioned part of an article."""

    title: str
    body: str
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    lang: str | None = None

    def content_hash(self) -> str:
        """Stable fingerprint: an unchanged re-import is recognised by it."""
        data = [self.title, self.body, list(self.tags), list(self.aliases), self.lang]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    community: str
    id: str
    content: ArticleContent
    source: ArticleSource
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: int | None = None
    source_question_id: int | None = None
    deleted_at: datetime | None = None

    @property
    def title(self) -> str:
        return self.content.title

    @property
    def body(self) -> str:
        return self.content.body

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def doc_id(self) -> str:
        return article_doc_id(self.id)


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """One change: the article as it was right after it (a full snapshot)."""

    version: int
    action: ArticleAction
    content: ArticleContent
    deleted: bool
    actor_id: int | None
    actor_name: str | None
    at: datetime
    restored_from: int | None = None


def article_doc_id(article_id: str) -> str:
    return f"{ARTICLE_PREFIX}{article_id}"


def question_doc_id(question_id: int) -> str:
    return f"q{question_id}"


def parse_doc_id(doc_id: str) -> tuple[str, str | int] | None:
    """The inverse of `article_doc_id` / `question_doc_id`: `("article", id)`,
    `("question", number)`, or None for anything else."""

    if doc_id.startswith(ARTICLE_PREFIX):
        return "article", doc_id[len(ARTICLE_PREFIX) :]
    if doc_id[:1] == "q" and doc_id[1:].isdecimal():
        return "question", int(doc_id[1:])
    return None


def parse_item(item: str) -> tuple[str, str | int] | None:
    """`("article", id)` or `("question", number)` for what `/kb show` was given."""

    item = item.strip()
    if not item:
        return None
    if item.startswith(ARTICLE_PREFIX):
        article_id = item[len(ARTICLE_PREFIX) :].strip()
        return ("article", article_id) if article_id else None
    match = _QUESTION_REF.fullmatch(item)
    if match:
        return "question", int(match.group(1))
    return "article", item


def clean_article_id(raw: object) -> str | None:
    """An article id as stored: trimmed, single-line, at most MAX_ID_CHARS; None if unusable."""

    if isinstance(raw, bool) or raw is None:
        return None
    text = str(raw).strip()
    if not text or len(text) > MAX_ID_CHARS:
        return None
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text):
        return None
    return text


def slugify(title: str) -> str:
    """A readable id from a title ("How do I reset my password?" -> "how-do-i-reset-my-password")."""

    text = unicodedata.normalize("NFKC", title).casefold()
    slug = _SLUG_DROP.sub("-", text).strip("-_")
    slug = slug[:60].rstrip("-_")
    if not slug or _QUESTION_REF.fullmatch(slug):
        slug = f"kb-{slug}" if slug else "kb"
    return slug


def clean_list(
    values: object, *, limit: int = MAX_TAGS, chars: int = MAX_TAG_CHARS
) -> tuple[str, ...]:
    """Tags and aliases: cleaned like all member text, single-spaced, non-empty, unique, in
    order."""

    if values is None:
        return ()
    if isinstance(values, str):
        values = [v for v in values.split(",")]
    if not isinstance(values, list | tuple):
        raise ValueError("expected a list of strings")
    out: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("expected a list of strings")
        text = " ".join(clean(str(value)).split())[:chars]
        if text:
            out[text] = None
    return tuple(out)[:limit]
