"""The knowledge base in the core: search and show for members; add, edit, remove, undo and
promote for moderators.

Every moderator change writes the article's new version (a full snapshot, who and when) and
an audit row in the same transaction; a refused attempt raises `NotModerator`, which the
service audits in a transaction of its own. The search index is updated after the commit by
the service (`search_change`, which also decides what other processes are told), so a change
that rolled back is never findable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import errors
from bot.articles import (
    MAX_BODY_CHARS,
    MAX_LANG_CHARS,
    MAX_TITLE_CHARS,
    Article,
    ArticleAction,
    ArticleContent,
    ArticleSource,
    ArticleVersion,
    clean_article_id,
    clean_list,
    parse_item,
    question_doc_id,
    slugify,
)
from bot.audit import audit
from bot.commands import QuestionAction, ShowQuestion
from bot.errors import ArticleNotFound, DomainError
from bot.events import (
    AnswerAccepted,
    AnswerUnaccepted,
    DeletedOnPlatform,
    MessageEdited,
    QuestionModerated,
    QuestionReopened,
    QuestionShown,
    ReportResolved,
    SolvedWithoutHelper,
)
from bot.model import (
    Acceptance,
    Actor,
    Answer,
    Member,
    Question,
    QuestionStatus,
    Suggestion,
    ThreadRef,
)
from bot.moderation import clean_reason, require_moderator
from bot.ports import KnowledgeSearch, UnitOfWork
from bot.questions import Context, show_question
from bot.text import clean, is_blank, split_title, truncate

MAX_RESULTS = 25
QUERY_ECHO_CHARS = 200
HISTORY_SHOWN = 5

# -- errors (and ArticleNotFound, which moderation raises too) -------------------------


class ArticleExists(DomainError):
    key = "kb.error_exists"


class InvalidArticle(DomainError):
    key = "kb.error_invalid"


class NothingChanged(DomainError):
    key = "kb.error_unchanged"


class NothingToUndo(DomainError):
    key = "kb.error_nothing_to_undo"


class AlreadyPromoted(DomainError):
    key = "kb.error_already_promoted"


class NotSolvedYet(DomainError):
    key = "kb.error_not_solved"


class PrivateQuestion(DomainError):
    """Asked in a private channel: an article would show its answers to everyone."""

    key = "kb.error_private_question"


class NothingToPromote(DomainError):
    """Solved with no accepted answer (its asker solved it alone): the article would be the
    question and nothing else."""

    key = "kb.error_no_accepted_answer"


# -- commands --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchKnowledge:
    """`/kb search <text>`: articles and solved questions above the confidence threshold."""

    actor: Actor
    text: str
    limit: int = 5


@dataclass(frozen=True, slots=True)
class ShowKnowledge:
    """`/kb show <id>`: "a:<article id>" (or a bare article id), "q12" / "#12" / "12"."""

    actor: Actor
    item: str


@dataclass(frozen=True, slots=True)
class AddArticle:
    actor: Actor
    title: str
    body: str
    article_id: str | None = None  # None: made from the title
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    lang: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class EditArticle:
    """Fields left None keep their value."""

    actor: Actor
    article_id: str
    title: str | None = None
    body: str | None = None
    tags: tuple[str, ...] | None = None
    aliases: tuple[str, ...] | None = None
    lang: str | None = None
    reason: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class RemoveArticle:
    actor: Actor
    article_id: str
    reason: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class UndoArticleChange:
    """Put back the version before the last change (repeatable: each undo goes one further)."""

    actor: Actor
    article_id: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class PromoteQuestion:
    """Turn a solved thread (question plus accepted answers) into an article.

    `answer_texts`: (message id, text) of the accepted answers as they read on the platform
    now, when the adapter could fetch them. The bot keeps only a short excerpt of each message
    (`bot.questions.EXCERPT_CHARS`), which is what an answer it was not given shows; a
    how-to cut after 300 characters is no article.

    `question_text`: the question's text as it reads on the platform now, in the article's
    Markdown, when the adapter could fetch it; the stored `Question.body` is what the bot
    was given when it was asked, which may keep a platform's own markup (Slack's `*bold*`
    and `:emoji:` codes) and has lost a link's address. Its first line is the article's
    title, as the stored one is the stored body's. Blank: the stored body and title are used.
    """

    actor: Actor
    question_id: int | None = None
    thread: ThreadRef | None = None
    article_id: str | None = None
    title: str | None = None
    event_id: str | None = None
    answer_texts: tuple[tuple[str, str], ...] = ()
    question_text: str | None = None


# -- events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnowledgeFound:
    query: str
    results: tuple[Suggestion, ...]


@dataclass(frozen=True, slots=True)
class ArticleShown:
    article: Article
    # The latest versions, for moderators (empty for members).
    history: tuple[ArticleVersion, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleChanged:
    """`action`: add, edit, remove, undo or promote. `credited`: the answerers' names a
    promoted article credits."""

    article: Article
    action: str
    credited: tuple[str, ...] = ()


# -- helpers ---------------------------------------------------------------------------


def _article_id(raw: str) -> str:
    found = parse_item(raw)
    if found is None or found[0] != "article":
        raise ArticleNotFound(id=truncate(clean(raw), 100))
    return str(found[1])


def _title(text: str) -> str:
    title = " ".join(clean(text).split())
    if is_blank(title):
        raise InvalidArticle(detail="the title is empty")
    return truncate(title, MAX_TITLE_CHARS)


def _body(text: str) -> str:
    body = clean(text)
    if len(body) > MAX_BODY_CHARS:
        raise InvalidArticle(detail=f"the text is longer than {MAX_BODY_CHARS} characters")
    return body


def _lang(text: str | None) -> str | None:
    lang = clean(text or "").lower()
    return lang[:MAX_LANG_CHARS] or None


def article_content(
    title: str, body: str, tags: object, aliases: object, lang: str | None
) -> ArticleContent:
    try:
        return ArticleContent(
            title=_title(title),
            body=_body(body),
            tags=clean_list(tags),
            aliases=clean_list(aliases, chars=MAX_TITLE_CHARS),
            lang=_lang(lang),
        )
    except ValueError as exc:
        raise InvalidArticle(detail=str(exc)) from None


async def _audit(
    uow: UnitOfWork,
    ctx: Context,
    actor: Member,
    action: str,
    article: Article,
    *,
    question: Question | None = None,
    reason: str | None = None,
    extra: str = "",
) -> None:
    detail = truncate(f"{article.doc_id} v{article.version}{extra}", 400)
    await audit(uow, ctx, actor, action, question=question, reason=reason, detail=detail)


async def _free_id(uow: UnitOfWork, community: str, base: str) -> str:
    taken = await uow.knowledge.article_ids(community, base)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def _new_id(uow: UnitOfWork, community: str, wanted: str | None, title: str) -> str:
    if wanted:
        article_id = clean_article_id(wanted.removeprefix("a:"))
        if article_id is None or parse_item(article_id) != ("article", article_id):
            raise InvalidArticle(detail="an id is one word without spaces, and not a number")
        if await uow.knowledge.article(community, article_id) is not None:
            raise ArticleExists(id=article_id)
        return article_id
    return await _free_id(uow, community, slugify(title))


async def _editable(uow: UnitOfWork, community: str, raw_id: str) -> Article:
    article_id = _article_id(raw_id)
    article = await uow.knowledge.article(community, article_id, for_update=True)
    if article is None:
        raise ArticleNotFound(id=article_id)
    return article


# -- reads -----------------------------------------------------------------------------


async def search(cmd: SearchKnowledge, uow: UnitOfWork, ctx: Context) -> KnowledgeFound:
    query = truncate(" ".join(clean(cmd.text[: QUERY_ECHO_CHARS * 4]).split()), QUERY_ECHO_CHARS)
    if ctx.knowledge is None or is_blank(cmd.text):
        return KnowledgeFound(query, ())
    limit = max(1, min(cmd.limit, MAX_RESULTS))
    found = await ctx.knowledge.similar(cmd.actor.ref.community, cmd.text, limit=limit)
    return KnowledgeFound(query, tuple(found))


async def show(cmd: ShowKnowledge, uow: UnitOfWork, ctx: Context) -> ArticleShown | QuestionShown:
    found = parse_item(cmd.item)
    if found is None:
        raise ArticleNotFound(id="")
    kind, key = found
    if kind == "question":
        assert isinstance(key, int)
        return await show_question(ShowQuestion(cmd.actor, question_id=key), uow, ctx)
    assert isinstance(key, str)
    article = await uow.knowledge.article(cmd.actor.ref.community, key)
    if article is None or (article.is_deleted and not cmd.actor.moderates):
        raise ArticleNotFound(id=truncate(key, 100))
    history: tuple[ArticleVersion, ...] = ()
    if cmd.actor.moderates:
        versions = await uow.knowledge.versions(article.community, article.id)
        history = tuple(versions[:HISTORY_SHOWN])
    return ArticleShown(article, history)


# -- moderator writes ------------------------------------------------------------------


async def add(cmd: AddArticle, uow: UnitOfWork, ctx: Context) -> ArticleChanged:
    require_moderator(cmd.actor)
    content = article_content(cmd.title, cmd.body, cmd.tags, cmd.aliases, cmd.lang)
    actor = await uow.members.upsert(cmd.actor)
    community = actor.ref.community
    article_id = await _new_id(uow, community, cmd.article_id, content.title)
    article = await uow.knowledge.save(
        community, article_id, content, action=ArticleAction.CREATE, actor_id=actor.id,
        at=ctx.clock.now(), source=ArticleSource.MANUAL,
    )  # fmt: skip
    await _audit(uow, ctx, actor, "add_article", article)
    return ArticleChanged(article, "add")


async def edit(cmd: EditArticle, uow: UnitOfWork, ctx: Context) -> ArticleChanged:
    require_moderator(cmd.actor)
    actor = await uow.members.upsert(cmd.actor)
    article = await _editable(uow, actor.ref.community, cmd.article_id)
    if article.is_deleted:
        raise ArticleNotFound(id=article.id)
    old = article.content
    content = article_content(
        cmd.title if cmd.title is not None else old.title,
        cmd.body if cmd.body is not None else old.body,
        cmd.tags if cmd.tags is not None else old.tags,
        cmd.aliases if cmd.aliases is not None else old.aliases,
        cmd.lang if cmd.lang is not None else old.lang,
    )
    if content == old:
        raise NothingChanged()
    article = await uow.knowledge.save(
        article.community, article.id, content, action=ArticleAction.EDIT, actor_id=actor.id,
        at=ctx.clock.now(),
    )  # fmt: skip
    await _audit(uow, ctx, actor, "edit_article", article, reason=clean_reason(cmd.reason))
    return ArticleChanged(article, "edit")


async def remove(cmd: RemoveArticle, uow: UnitOfWork, ctx: Context) -> ArticleChanged:
    require_moderator(cmd.actor)
    actor = await uow.members.upsert(cmd.actor)
    article = await _editable(uow, actor.ref.community, cmd.article_id)
    if article.is_deleted:
        raise ArticleNotFound(id=article.id)
    article = await uow.knowledge.save(
        article.community, article.id, article.content, action=ArticleAction.REMOVE,
        actor_id=actor.id, at=ctx.clock.now(), deleted=True,
    )  # fmt: skip
    await _audit(uow, ctx, actor, "remove_article", article, reason=clean_reason(cmd.reason))
    return ArticleChanged(article, "remove")


async def undo(cmd: UndoArticleChange, uow: UnitOfWork, ctx: Context) -> ArticleChanged:
    require_moderator(cmd.actor)
    actor = await uow.members.upsert(cmd.actor)
    article = await _editable(uow, actor.ref.community, cmd.article_id)
    versions = {v.version: v for v in await uow.knowledge.versions(article.community, article.id)}
    latest = versions[article.version]
    # An undo writes version N+1 as a copy of an older one; undoing again steps further back
    # from the version it copied, not back and forth between the last two.
    target = (latest.restored_from or latest.version) - 1
    if target < 1 or target not in versions:
        if article.is_deleted or article.version != 1:
            raise NothingToUndo()
        # Undoing the creation removes the article.
        article = await uow.knowledge.save(
            article.community, article.id, article.content, action=ArticleAction.REMOVE,
            actor_id=actor.id, at=ctx.clock.now(), deleted=True,
        )  # fmt: skip
    else:
        old = versions[target]
        article = await uow.knowledge.save(
            article.community, article.id, old.content, action=ArticleAction.RESTORE,
            actor_id=actor.id, at=ctx.clock.now(), deleted=old.deleted, restored_from=target,
        )  # fmt: skip
    await _audit(uow, ctx, actor, "undo_article_change", article, extra=f" (as v{target})")
    return ArticleChanged(article, "undo")


def _fair_shares(lengths: list[int], room: int) -> list[int]:
    """Cut `lengths` to fit `room` in all: short ones whole, long ones an equal share."""

    shares = [0] * len(lengths)
    left = max(0, room)
    for n, i in enumerate(sorted(range(len(lengths)), key=lengths.__getitem__)):
        shares[i] = min(lengths[i], left // (len(lengths) - n))
        left -= shares[i]
    return shares


def _promoted_body(
    question: Question,
    accepted: list[Acceptance],
    texts: dict[str, str],
    credited: tuple[str, ...],
    question_text: str | None = None,
) -> str:
    """The thread as an article: the question (as the adapter read it back, else as stored),
    then each accepted answer under its author's name (so the answerers stay credited
    wherever the article is shown), in its full text if the adapter fetched it, and the
    credits. Within the article limit: the answers are what it is for, so a long question
    gives way first (down to a quarter of the room). `question_text`: as `_read_back`."""

    labels = [f"**{a.answer.author.display_name}:** " for a in accepted]
    answers = []
    for acceptance in accepted:
        fetched = clean(texts.get(acceptance.answer.message_id, "")).strip()
        answers.append(acceptance.answer.excerpt if is_blank(fetched) else fetched)
    footer = ["— " + ", ".join(credited)] if credited else []
    head = question_text or question.body.strip() or question.title
    fixed = sum(map(len, labels)) + sum(map(len, footer)) + 2 * (len(answers) + len(footer))
    room = MAX_BODY_CHARS - fixed
    head = truncate(head, max(room // 4, room - sum(map(len, answers))))
    shares = _fair_shares([len(a) for a in answers], room - len(head))
    parts = [head]
    parts += [label + truncate(a, n) for label, a, n in zip(labels, answers, shares, strict=True)]
    return "\n\n".join(parts + footer)


def _promoted_title(question: Question, question_text: str | None) -> str:
    """The article's title: the first line of the question's text as the adapter read it
    back, as `ask` took the question's title from its text's first line, so that what
    makes the body readable (names for Discord's `<@id>`, emoji for Slack's codes) makes
    the title readable too. (A forum post's title is that first line in both.) Else the
    stored title. `question_text`: as `_read_back`."""

    return split_title(question_text)[0] if question_text else question.title


def _read_back(question_text: str | None) -> str | None:
    """The question's text the adapter read back, cleaned; None when it gave none, or
    only spaces and invisible characters: the stored body and title are used."""

    text = clean(question_text or "").strip()
    return None if is_blank(text) else text


async def promote(cmd: PromoteQuestion, uow: UnitOfWork, ctx: Context) -> ArticleChanged:
    require_moderator(cmd.actor)
    actor = await uow.members.upsert(cmd.actor)
    community = actor.ref.community
    if cmd.question_id is not None:
        question = await uow.questions.get(cmd.question_id)
    elif cmd.thread is not None:
        question = await uow.questions.by_thread(cmd.thread)
    else:
        raise errors.NotAQuestionThread()
    if question is None or question.community != community or question.is_deleted:
        raise errors.QuestionNotFound()
    if question.status is not QuestionStatus.SOLVED:
        raise NotSolvedYet()
    if question.private:
        raise PrivateQuestion(question=question.id)
    existing = await uow.knowledge.promoted_from(community, question.id)
    if existing is not None:
        raise AlreadyPromoted(id=existing.id, question=question.id)
    # (a message deleted through a report has no active acceptance: see moderation)
    accepted = await uow.questions.active_acceptances(question.id)
    if not accepted:
        raise NothingToPromote(question=question.id)
    credited = tuple(dict.fromkeys(a.answer.author.display_name for a in accepted))
    question_text = _read_back(cmd.question_text)
    body = _promoted_body(question, accepted, dict(cmd.answer_texts), credited, question_text)
    title = cmd.title or _promoted_title(question, question_text)
    content = article_content(title, body, (), (), None)
    article_id = await _new_id(uow, community, cmd.article_id, content.title)
    article = await uow.knowledge.save(
        community, article_id, content, action=ArticleAction.CREATE, actor_id=actor.id,
        at=ctx.clock.now(), source=ArticleSource.PROMOTED, source_question_id=question.id,
    )  # fmt: skip
    await _audit(
        uow, ctx, actor, "promote_question", article, question=question,
        extra=f" credits {', '.join(credited) or '-'}",
    )  # fmt: skip
    return ArticleChanged(article, "promote", credited)


@dataclass(frozen=True, slots=True)
class SearchChange:
    """One search document a committed result changes: an article (added, edited or
    removed), or a question made findable (`answers` set: it is solved now) or taken out
    (`answers` None: reopened, or deleted by a moderator or a report)."""

    document: Article | Question
    answers: tuple[Answer, ...] | None = None

    @property
    def community(self) -> str:
        return self.document.community

    @property
    def doc_id(self) -> str:
        if isinstance(self.document, Article):
            return self.document.doc_id
        return question_doc_id(self.document.id)

    async def apply(self, knowledge: KnowledgeSearch) -> None:
        """Apply the change to this process's index."""
        if isinstance(self.document, Article):
            await knowledge.article_changed(self.document)
        elif self.answers is not None:
            await knowledge.question_solved(self.document, self.answers)
        else:
            await knowledge.question_withdrawn(self.document)


def search_change(result: Any) -> SearchChange | None:
    """What a committed result changes in search, if anything. The one list of these cases:
    the service applies it to this process's index after the commit, and `after_write`
    appends it, in the same transaction, to the feed other processes follow."""

    if isinstance(result, ArticleChanged):
        return SearchChange(result.article)
    if isinstance(result, AnswerAccepted):  # a later accept adds its answer's words too
        return SearchChange(result.question, result.accepted_answers)
    if isinstance(result, SolvedWithoutHelper):
        return SearchChange(result.question, ())
    if isinstance(result, MessageEdited) and result.question is not None:
        # A solved question is found by its text and its accepted answers' words.
        q, answer = result.question, result.answer
        if q.status is QuestionStatus.SOLVED and (
            answer is None or any(a.id == answer.id for a in result.accepted)
        ):
            return SearchChange(q, result.accepted)
    if isinstance(result, AnswerUnaccepted):  # found by the answers still accepted, if any
        if result.reopened:
            return SearchChange(result.question)
        return SearchChange(result.question, result.accepted)
    if isinstance(result, QuestionReopened) or (
        isinstance(result, QuestionModerated) and result.question.is_deleted
    ):
        return SearchChange(result.question)
    if isinstance(result, QuestionModerated) and result.action == QuestionAction.RESTORE:
        if result.question.status is QuestionStatus.SOLVED:  # found again, as it was
            return SearchChange(result.question, result.accepted)
    if isinstance(result, ReportResolved | DeletedOnPlatform) and result.question is not None:
        return SearchChange(result.question)  # the question was deleted
    if isinstance(result, ReportResolved | DeletedOnPlatform) and result.withdrawn is not None:
        # An accepted answer was deleted: the question is found without its words now.
        withdrawn = result.withdrawn
        if withdrawn.question.status is QuestionStatus.SOLVED:
            return SearchChange(withdrawn.question, withdrawn.accepted)
        return SearchChange(withdrawn.question)
    return None


async def after_write(command: Any, result: Any, uow: UnitOfWork, ctx: Context) -> Any:
    """Append the search-affecting change to the feed other bot processes follow."""

    change = search_change(result)
    if change is not None:
        await uow.knowledge.record_changes(change.community, [change.doc_id], ctx.clock.now())
    return result


READS = {
    SearchKnowledge: search,
    ShowKnowledge: show,
}
WRITES = {
    AddArticle: add,
    EditArticle: edit,
    RemoveArticle: remove,
    UndoArticleChange: undo,
    PromoteQuestion: promote,
}
AFTER_WRITE = after_write
