"""Pure translation from Discord's shapes (ids, role lists, emoji, custom ids) to core values.

Nothing here touches the network or discord.py state, so each rule of the mapping can be
tested on recorded gateway payloads. Listeners pull the few fields they need off discord.py
objects and hand them to these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.config import RewardRole
from bot.model import Actor, MemberRef, Period, ThreadRef
from bot.text import clean, is_blank, title_line, truncate

PLATFORM = "discord"
MAX_THREAD_NAME = 100
SOLVED_EMOJI = "\N{WHITE HEAVY CHECK MARK}"
MANAGE_THREADS = 1 << 34
CUSTOM_ID_PREFIX = "cb"

# Discord message types that a member typed (DEFAULT and REPLY); joins, pins, thread
# notices and the like never become questions or answers.
USER_MESSAGE_TYPES = frozenset({0, 19})


def member_ref(community: str, user_id: int | str) -> MemberRef:
    return MemberRef(PLATFORM, community, str(user_id))


def thread_ref(thread_id: int | str) -> ThreadRef:
    return ThreadRef(PLATFORM, str(thread_id))


def mentions(
    community: str, users: Iterable[tuple[int | str, bool]], author_id: int | str
) -> tuple[MemberRef, ...]:
    """The members a message @-mentions (`users`: id and is-bot pairs, in message order),
    without bots, the author, or repeats."""

    seen: dict[str, MemberRef] = {}
    for user_id, bot in users:
        if bot or str(user_id) == str(author_id):
            continue
        seen.setdefault(str(user_id), member_ref(community, user_id))
    return tuple(seen.values())


def is_moderator(
    role_ids: Iterable[int | str], permissions: int, moderator_role_ids: Sequence[str]
) -> bool:
    """A moderator has one of the configured roles or the Manage Threads permission
    (`permissions`: server-wide, never one channel's)."""

    if permissions & MANAGE_THREADS:
        return True
    wanted = {str(r) for r in moderator_role_ids}
    return any(str(r) in wanted for r in role_ids)


def actor(
    community: str,
    *,
    user_id: int | str,
    display_name: str,
    role_ids: Iterable[int | str] = (),
    permissions: int = 0,
    is_bot: bool = False,
    moderator_role_ids: Sequence[str] = (),
) -> Actor:
    return Actor(
        ref=member_ref(community, user_id),
        display_name=display_name,
        is_moderator=is_moderator(role_ids, permissions, moderator_role_ids),
        is_bot=is_bot,
    )


# Event ids: one namespace per kind of inbound event so a message and an interaction can
# never collide, and so a replayed gateway event maps to the same id. A reaction has no id
# of its own: see `cogs.solving` for why ✅ commands carry none.
def message_event(message_id: int | str) -> str:
    return f"msg:{message_id}"


def interaction_event(interaction_id: int | str) -> str:
    return f"ia:{interaction_id}"


def is_help_channel(channel_id: int | str | None, help_channel_ids: Sequence[str]) -> bool:
    return channel_id is not None and str(channel_id) in {str(c) for c in help_channel_ids}


def is_user_message(message_type: int, author_is_bot: bool) -> bool:
    return not author_is_bot and message_type in USER_MESSAGE_TYPES


def is_solved_reaction(emoji_name: str | None, emoji_id: int | None) -> bool:
    # ✅ with or without the emoji variation selector; custom emoji never count.
    return emoji_id is None and (emoji_name or "").replace("\ufe0f", "") == SOLVED_EMOJI


def thread_name(text: str, fallback: str, solved_prefix: str = SOLVED_EMOJI + " ") -> str:
    """A thread name from the line the core titles the question by (`title_line`: the first
    visible line outside code blocks, so never a bare "```python"), cut to Discord's 100
    chars. A ✅ (the solved prefix) the line starts with is left out: on an open question it
    would read as solved, and `unsolved_name` would take it off as the bot's own mark."""

    first = _without_solved_mark(title_line(text), solved_prefix)
    first = first or _without_solved_mark(clean(fallback), solved_prefix) or "?"
    return truncate(first, MAX_THREAD_NAME)


def _without_solved_mark(name: str, solved_prefix: str) -> str:
    mark = solved_prefix.strip()
    name = name.strip()
    while mark and name.startswith(mark):
        name = name[len(mark) :].lstrip("\ufe0f").strip()
    return name


def forum_question_text(title: str, content: str) -> str:
    """A forum post is a title plus a starter message: the title becomes the question title."""

    content = content or ""
    if is_blank(content):
        return title
    return f"{title}\n{content}"


def solved_name(name: str, prefix: str) -> str:
    if name.startswith(prefix.strip()):
        return name
    return truncate(prefix + name, MAX_THREAD_NAME)


def unsolved_name(name: str, prefix: str) -> str:
    if name.startswith(prefix):
        return name[len(prefix) :] or name
    stripped = prefix.strip()
    if stripped and name.startswith(stripped):
        return name[len(stripped) :].lstrip() or name
    return name


def archived_for_inactivity(
    archived_at: datetime | None, last_activity: Iterable[datetime | None], minutes: int
) -> bool:
    """Whether Discord archived a thread by itself: `minutes` (its auto-archive duration)
    or more passed between its last activity (a message, its creation, being unarchived)
    and the archive. A member or moderator closing it does so sooner."""

    times = [t for t in last_activity if t is not None]
    if archived_at is None or not times:
        return False
    return archived_at - max(times) >= timedelta(minutes=minutes)


def tags_with(applied: Sequence[int], tag_id: int, limit: int = 5) -> list[int] | None:
    """`applied` plus a tag; None when Discord's limit of 5 applied tags leaves no room. No
    tag is dropped to make room: a forum post's tags are its member's, and a dropped one
    could not be put back (`/unsolve`) after a restart."""

    if tag_id in applied:
        return list(applied)
    if len(applied) >= limit:
        return None
    return [*applied, tag_id]


def tags_without(applied: Sequence[int], tag_id: int) -> list[int]:
    return [t for t in applied if t != tag_id]


@dataclass(frozen=True, slots=True)
class RoleChanges:
    add: tuple[str, ...]
    remove: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


def reward_role_changes(
    before: int, after: int, rewards: Sequence[RewardRole], current_role_ids: Iterable[int | str]
) -> RoleChanges:
    """Roles for a member whose total went from `before` to `after`: each threshold `after`
    reaches adds its role; a role is removed only when the total dropped below a threshold
    that `before` had reached (a reversal of points that earned it). A reward role the member
    holds without having reached it (given by hand) is left alone, on a gain or a loss."""

    current = {str(r) for r in current_role_ids}
    return RoleChanges(
        tuple(sorted({r.role_id for r in rewards if after >= r.points} - current)),
        tuple(sorted({r.role_id for r in rewards if after < r.points <= before} & current)),
    )


def reward_roles_at_stake(before: int, after: int, rewards: Sequence[RewardRole]) -> bool:
    """Whether `reward_role_changes` could change anything (else the member is not looked
    up): a threshold reached, or one crossed on the way down."""

    return any(after >= r.points or after < r.points <= before for r in rewards)


def period(value: str | None) -> Period:
    try:
        return Period((value or "all").lower())
    except ValueError:
        return Period.ALL


# Component custom ids: "cb:<action>:<arg>" (Discord allows 100 chars). Parsed by the cogs'
# listeners, each for its own actions (FeatureCog.COMPONENTS), so the buttons keep working
# after a restart (no in-memory views); the client answers any other action.
def custom_id(action: str, *args: object) -> str:
    return ":".join([CUSTOM_ID_PREFIX, action, *(str(a) for a in args)])


def parse_custom_id(value: str) -> tuple[str, list[str]] | None:
    parts = value.split(":")
    if len(parts) < 2 or parts[0] != CUSTOM_ID_PREFIX:
        return None
    return parts[1], parts[2:]


# -- slash command options ----------------------------------------------------------------

SUBCOMMAND, SUBCOMMAND_GROUP, INTEGER, NUMBER = 1, 2, 4, 10


def leaf_options(options: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The options of the command actually invoked, below any group and subcommand."""

    current = list(options)
    while current and current[0].get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP):
        current = list(current[0].get("options") or ())
    return current


def mistyped_options(
    options: Sequence[Mapping[str, Any]], expected: Mapping[str, int]
) -> list[str]:
    """Names of sent options whose type is not the one the command declares now (a client
    that loaded the command before an option changed type). An integer where a number is
    expected still fits."""

    wrong = []
    for option in leaf_options(options):
        name, sent = str(option.get("name")), option.get("type")
        want = expected.get(name)
        if want is None or sent == want or (want == NUMBER and sent == INTEGER):
            continue
        wrong.append(name)
    return wrong


# -- moderation ---------------------------------------------------------------------------


def modal_values(data: Mapping[str, Any]) -> dict[str, str]:
    """Text inputs of a submitted modal by custom id: action rows (type 1) of inputs, or
    labels (type 18) wrapping one component, as Discord sends them."""

    values: dict[str, str] = {}

    def take(component: Mapping[str, Any]) -> None:
        if "custom_id" in component:
            value = component.get("value")
            if value is None and component.get("values"):
                value = " ".join(str(v) for v in component["values"])
            values[str(component["custom_id"])] = str(value or "")

    for top in data.get("components") or ():
        if top.get("type") == 18 and isinstance(top.get("component"), Mapping):
            take(top["component"])
        for child in top.get("components") or ():
            take(child)
    return values
