"""Slack payloads -> the plain values the core understands.

Pure functions over the JSON Slack sends (Events API events, slash command fields, view
state), so they are tested on recorded payloads without a server. Platform ids become core ids
here and nowhere else: a Slack `ts` is only unique inside its channel, so messages are
`"<channel>:<ts>"` and a question thread is `ThreadRef("slack", "<channel>:<thread_ts>")`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack import ids
from bot.model import MemberRef, Period, ThreadRef
from bot.text import with_attachments

PLATFORM = "slack"

# Message subtypes that still carry a member's own words. Everything else (joins, edits,
# deletions, channel topic changes, bot posts) is not a question or an answer; an edit
# (`message_changed`) is read by `classify_edit`, a deletion by `classify_deletion`.
_QUESTION_SUBTYPES: frozenset[str | None] = frozenset({None, "file_share"})
_REPLY_SUBTYPES: frozenset[str | None] = frozenset({None, "file_share", "thread_broadcast"})

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_BARE_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_PERMALINK = re.compile(
    r"https?://[^/\s>]+/archives/([CGD][A-Z0-9]+)/p(\d{10})(\d{6})(?:\?([^\s>|]*))?"
)
_QUESTION_NUMBER = re.compile(r"^#?(\d{1,12})$")
_ANGLE = re.compile(r"<([^<>]*)>")
_BARE_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


def message_id(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def thread_ref(channel: str, thread_ts: str) -> ThreadRef:
    return ThreadRef(PLATFORM, message_id(channel, thread_ts))


def split_message_id(value: str | None) -> tuple[str, str] | None:
    """`"C1:1700.0001"` -> `("C1", "1700.0001")`; None for anything else (e.g. other platforms)."""

    if not value or ":" not in value:
        return None
    channel, _, ts = value.partition(":")
    return (channel, ts) if channel and ts else None


def interaction_id(kind: str, *candidates: object) -> str | None:
    """A stable event id for an interaction (Slack sends no `event_id` for those): the first
    present candidate, e.g. the payload's `trigger_id`, prefixed by what it came from. None
    when the payload has none, so the core doesn't treat unrelated requests as repeats."""

    for value in candidates:
        if value:
            return f"{kind}:{value}"
    return None


def member_ref(community: str, user_id: str) -> MemberRef:
    return MemberRef(PLATFORM, community, user_id)


def team_id_of(body: Mapping[str, Any]) -> str | None:
    """The workspace a request came from (events and commands: `team_id`; interactions:
    `team.id`)."""

    team = body.get("team_id")
    if isinstance(team, str) and team:
        return team
    team_obj = body.get("team")
    if isinstance(team_obj, Mapping) and team_obj.get("id"):
        return str(team_obj["id"])
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("team_id"):
        return str(user["team_id"])
    return None


# -- messages ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewQuestion:
    """A top-level message in a help channel; `private` when that channel is a private one
    (Slack's `channel_type` "group"), whose questions stay out of search."""

    channel: str
    ts: str
    user: str
    text: str
    private: bool = False


@dataclass(frozen=True, slots=True)
class ThreadReply:
    """A message inside a thread (maybe a question thread; the core decides)."""

    channel: str
    thread_ts: str
    ts: str
    user: str
    text: str


def classify_message(
    event: Mapping[str, Any], help_channel_ids: Collection[str]
) -> NewQuestion | ThreadReply | None:
    """What a `message` event means to the bot, or None when it means nothing.

    With help channels configured only they are watched; with none configured thread replies
    anywhere are offered to the core (questions then come from `/ask`).
    """

    subtype = event.get("subtype")
    if event.get("bot_id") or subtype == "bot_message":
        return None
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not (isinstance(user, str) and isinstance(channel, str) and isinstance(ts, str)):
        return None
    if event.get("channel_type") in ("im", "mpim"):
        return None
    if help_channel_ids and channel not in help_channel_ids:
        return None
    text = with_files(str(event.get("text") or ""), event.get("files"))
    thread_ts = event.get("thread_ts")
    if isinstance(thread_ts, str) and thread_ts and thread_ts != ts:
        if subtype not in _REPLY_SUBTYPES:
            return None
        return ThreadReply(channel, thread_ts, ts, user, text)
    if subtype not in _QUESTION_SUBTYPES or not help_channel_ids:
        return None
    return NewQuestion(channel, ts, user, text, private=event.get("channel_type") == "group")


@dataclass(frozen=True, slots=True)
class MessageEdit:
    """A member's edit of their message in a help channel or a thread: `thread_ts` is the
    thread's root, `ts` itself for a top-level message (a question's own message)."""

    channel: str
    thread_ts: str
    ts: str
    user: str
    text: str  # as `classify_message` builds it on arrival (files named), still Slack markup


def classify_edit(
    event: Mapping[str, Any], help_channel_ids: Collection[str]
) -> MessageEdit | None:
    """What a `message_changed` event means to the bot, or None when it means nothing.

    The same messages count as in `classify_message` (the new `message` judged as that
    would be on arrival). A change that leaves the text as it was (Slack sends one when it
    adds link previews) is none, and so is an edit by anyone but the message's author.
    """

    if event.get("subtype") != "message_changed":
        return None
    message, previous = event.get("message"), event.get("previous_message")
    channel = event.get("channel")
    if not (isinstance(message, Mapping) and isinstance(channel, str) and channel):
        return None
    # The new message judged as it would be on arrival, by the one rule for that.
    as_new = {**message, "channel": channel, "channel_type": event.get("channel_type")}
    what = classify_message(as_new, help_channel_ids)
    if what is None:
        return None
    edited = message.get("edited")
    if isinstance(edited, Mapping) and edited.get("user") not in (None, what.user):
        return None
    if isinstance(previous, Mapping) and what.text == with_files(
        str(previous.get("text") or ""), previous.get("files")
    ):
        return None
    thread_ts = what.thread_ts if isinstance(what, ThreadReply) else what.ts
    return MessageEdit(what.channel, thread_ts, what.ts, what.user, what.text)


@dataclass(frozen=True, slots=True)
class MessageDeletion:
    """A message deleted in a help channel or a thread there: which one, not by whom (Slack
    does not say)."""

    channel: str
    ts: str


def is_tombstone(event: Mapping[str, Any]) -> bool:
    """Whether a `message_changed` is Slack deleting a thread's parent that has replies: the
    parent stays, as a hidden `tombstone` ("This message was deleted."), for the replies to
    hang from. A deletion, never an edit."""

    message = event.get("message")
    return (
        event.get("subtype") == "message_changed"
        and isinstance(message, Mapping)
        and message.get("subtype") == "tombstone"
    )


def classify_deletion(
    event: Mapping[str, Any], help_channel_ids: Collection[str]
) -> MessageDeletion | None:
    """What a deletion means to the bot, or None when it means nothing: `message_deleted`
    (`deleted_ts`) or a tombstone (`message.ts`, see `is_tombstone`) in a channel where
    `classify_message` would have taken the message, whoever's it was (the bot's post of an
    /ask question is one). Whether the bot kept that message is the core's to say."""

    channel = event.get("channel")
    if not (isinstance(channel, str) and channel):
        return None
    if event.get("channel_type") in ("im", "mpim"):
        return None
    if help_channel_ids and channel not in help_channel_ids:
        return None
    if event.get("subtype") == "message_deleted":
        ts = event.get("deleted_ts")
    elif is_tombstone(event):
        ts = event["message"].get("ts")
    else:
        return None
    return MessageDeletion(channel, ts) if isinstance(ts, str) and ts else None


def with_files(text: str, files: Any) -> str:
    """Uploaded files named in the text, as Discord keeps attachments (`[a.png, b.log]`), so a
    file with no caption is still a question or an answer. Names are escaped: the text is
    still Slack markup."""

    return with_attachments(text, [html.escape(name, quote=False) for name in file_names(files)])


def file_names(files: Any) -> list[str]:
    """The names of a message's `files` as Slack sends them (`name`, else `title`, else
    "file": a file Slack hides from the app has neither), as plain words."""

    if not isinstance(files, list):
        return []
    return [str(f.get("name") or f.get("title") or "file") for f in files if isinstance(f, Mapping)]


def plain_text(
    text: str, names: Mapping[str, str] | None = None, *, with_urls: bool = False
) -> str:
    """Slack's message markup -> readable plain text for the core (titles, excerpts, search).

    `<@U1|ada>` -> `@ada`, `<#C1|help>` -> `#help`, `<https://x|docs>` -> `docs`,
    `<!here>` -> `@here`, and the three escaped entities back to characters. A mention
    without a label (the Events API sends `<@U1>`) takes its name from `names` (user id ->
    display name, see `bare_mentions`), or stays `@U1`.

    `with_urls` keeps a labelled link's address, `docs (https://x)`, for text that is read
    elsewhere (a knowledge-base article): there the label alone would lose where it led.
    """

    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            label = label or (names or {}).get(target[1:], "")
            return f"@{label}" if label else target
        if target.startswith("#"):
            return f"#{label}" if label else target
        if target.startswith("!"):
            if label:
                return label
            return "@" + target[1:].split("^")[0]
        if with_urls and label and not names_itself(target, label):
            return f"{label} ({target})"
        return label or target

    return html.unescape(_ANGLE.sub(one, text)).strip()


def names_itself(url: str, label: str) -> bool:
    """Whether a link's label is its address as typed: Slack links `example.com` as
    `<http://example.com|example.com>` and an address as `<mailto:a@b.org|a@b.org>`."""

    bare = re.sub(r"^(?:[a-z][a-z0-9+.-]*:)(?://)?", "", url, flags=re.IGNORECASE)
    return label in (url, bare, bare.rstrip("/"))


# -- command arguments -------------------------------------------------------------------------


def split_subcommand(text: str) -> tuple[str, str]:
    """`"search how to x"` -> `("search", "how to x")`; the sub-command is lower-cased."""

    head, _, rest = text.strip().partition(" ")
    return head.lower(), rest.strip()


def parse_user(text: str) -> str | None:
    """A user id from a mention (`<@U123|ada>`, `<@U123>`) or a bare id; None otherwise.

    A plain `@ada` cannot be resolved without listing every member; the manifest turns on
    `should_escape` so Slack sends mentions as `<@U123|ada>`.
    """

    text = text.strip()
    found = _MENTION.match(text)
    if found:
        return found.group(1)
    if _BARE_USER_ID.match(text):
        return text
    return None


def parse_question(text: str) -> int | ThreadRef | None:
    """A question number (`12`, `#12`) or a message link (permalink) to its thread."""

    text = text.strip().strip("<>").split("|")[0]
    number = _QUESTION_NUMBER.match(text)
    if number:
        return int(number.group(1))
    link = _PERMALINK.search(text)
    if link:
        channel, seconds, micros, query = link.groups()
        root = f"{seconds}.{micros}"
        for part in (query or "").split("&"):
            key, _, value = part.partition("=")
            if key == "thread_ts" and value:
                root = value
        return thread_ref(channel, root)
    return None


def parse_period(text: str) -> Period | None:
    """`week|month|all` (empty means all time); None when it is none of those."""

    value = text.strip().lower()
    if not value:
        return Period.ALL
    try:
        return Period(value)
    except ValueError:
        return None


# -- the /solved modal -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SolvedSubmission:
    question_id: int | None
    helpers: tuple[str, ...]  # Slack user ids ticked in the modal
    helpers_offered: bool  # the modal listed helpers for the chosen question
    channel: str | None  # where /solved was run, for the private confirmation


def parse_solved_submission(view: Mapping[str, Any]) -> SolvedSubmission:
    values: Mapping[str, Any] = (view.get("state") or {}).get("values") or {}
    question_id: int | None = None
    chosen = (values.get(ids.SOLVED_QUESTION_BLOCK) or {}).get(ids.SOLVED_QUESTION_ACTION) or {}
    option = chosen.get("selected_option") or {}
    try:
        question_id = int(option.get("value"))
    except (TypeError, ValueError):
        question_id = None
    helpers: tuple[str, ...] = ()
    offered = False
    if question_id is not None:
        block = ids.helpers_block(question_id)
        offered = any(b.get("block_id") == block for b in view.get("blocks") or ())
        state = (values.get(block) or {}).get(ids.SOLVED_HELPERS_ACTION) or {}
        helpers = tuple(
            str(o["value"]) for o in state.get("selected_options") or () if o.get("value")
        )
    return SolvedSubmission(question_id, helpers, offered, private_channel(view))


def private_channel(view: Mapping[str, Any]) -> str | None:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    channel = meta.get("channel") if isinstance(meta, dict) else None
    return channel if isinstance(channel, str) and channel else None


def suggestion_button_value(value: str) -> tuple[int, str] | None:
    """`"12|q7"` (question 12, suggestion q7) from a "This solved it" button."""

    question, _, suggestion = value.partition("|")
    try:
        return int(question), suggestion
    except ValueError:
        return None


# -- anonymous asks ----------------------------------------------------------------------------

_ANONYMOUS_FLAGS = ("--anonymous", "anonymous:true")


def split_anonymous(text: str) -> tuple[bool, str]:
    """`/ask --anonymous How do I ...` -> `(True, "How do I ...")`."""

    stripped = text.strip()
    for flag in _ANONYMOUS_FLAGS:
        head, _, rest = stripped.partition(" ")
        if head.lower() == flag:
            return True, rest.strip()
    return False, stripped


@dataclass(frozen=True, slots=True)
class AskSubmission:
    text: str  # as typed in the modal: plain text, not yet escaped for mrkdwn
    anonymous: bool
    channel: str | None  # where /ask was run


def parse_ask_submission(view: Mapping[str, Any]) -> AskSubmission:
    values: Mapping[str, Any] = (view.get("state") or {}).get("values") or {}
    typed = (values.get(ids.ASK_TEXT_BLOCK) or {}).get(ids.ASK_TEXT_ACTION) or {}
    ticked = (values.get(ids.ASK_ANONYMOUS_BLOCK) or {}).get(ids.ASK_ANONYMOUS_ACTION) or {}
    anonymous = any(
        o.get("value") == ids.ASK_ANONYMOUS_VALUE for o in ticked.get("selected_options") or ()
    )
    return AskSubmission(str(typed.get("value") or "").strip(), anonymous, private_channel(view))


# -- mentions and arguments --------------------------------------------------------------------

_ANY_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_WORD = re.compile(r"<[^>]*>|\S+")


def mentioned_users(text: str) -> tuple[str, ...]:
    """User ids @-mentioned in a message's raw text (`<@U1>`, `<@U1|ada>`), first seen first."""

    return tuple(dict.fromkeys(_ANY_MENTION.findall(text or "")))


def bare_mentions(text: str) -> tuple[str, ...]:
    """User ids mentioned without a name (`<@U1>`, as message text in events, shortcuts and
    message links has them), first seen first: what `plain_text` needs `names` for."""

    return tuple(dict.fromkeys(_BARE_MENTION.findall(text or "")))


def words(text: str) -> list[str]:
    """Command arguments split on spaces, keeping a `<@U1|ada lovelace>` or a link whole."""

    return _WORD.findall(text or "")


def after_words(text: str, n: int) -> str:
    """`text` after its first `n` words (as `words` splits it) as it was typed, its lines
    and spaces kept: the free text that ends a command, such as a reason."""

    for index, found in enumerate(_WORD.finditer(text or "")):
        if index == n:
            return text[found.start() :].rstrip()
    return ""


def where_clicked(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The channel and thread of the message whose button was clicked."""

    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    message = body.get("message") or {}
    return channel, message.get("thread_ts") or message.get("ts")
