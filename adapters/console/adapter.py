"""The console adapter: the whole bot in a terminal, with a #help channel and many members.

It implements the same contract as the Discord and Slack adapters (guard, translate to a core
command, call the core, render the result), so it doubles as the in-process backend for
end-to-end tests: typed lines in, printed lines out.
"""

from __future__ import annotations

import asyncio
import logging
import math
import shlex
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from adapters.console.knowledge import KB_USAGE, KnowledgeCommands
from adapters.console.moderation import MODERATION_USAGE, ModerationCommands
from adapters.console.sender import ConsoleSender
from bot import commands as c
from bot import events as ev
from bot.chatter import is_chatter
from bot.errors import DomainError, DuplicateEvent
from bot.model import Actor, MemberRef, Period, ThreadRef
from bot.presenters import Presenter
from bot.scheduler import Scheduler
from bot.service import CommunityBot
from bot.text import parse_number

log = logging.getLogger(__name__)

PLATFORM = "console"
MAX_LINE_CHARS = 200_000
MAX_TICK_HOURS = 24 * 366 * 10  # /tick moves the demo clock forward, up to ten years


@dataclass
class _Message:
    number: int
    platform_id: str
    author: str
    thread_id: str | None
    text: str = ""  # what was typed, for /kb promote (the bot keeps an excerpt)
    anonymous: bool = False  # the bot's post of an anonymous question (nobody edits it)


@dataclass(frozen=True)
class _Usage:
    usage: str
    min_args: int = 0
    max_args: int | None = 0


_COMMANDS: dict[str, _Usage] = {
    "help": _Usage("/help"),
    "as": _Usage("/as <name> [mod]", 1, 2),
    "ask": _Usage("/ask <text>", 1, None),
    "open": _Usage("/open <question number>", 1, 1),
    "back": _Usage("/back"),
    "accept": _Usage("/accept <message number>", 1, 1),
    "unaccept": _Usage("/unaccept <message number>", 1, 1),
    "edit": _Usage("/edit <message number> <new text>", 2, None),
    "delete": _Usage("/delete <message number>", 1, 1),
    "solved": _Usage("/solved [member]", 0, 1),
    "unsolve": _Usage("/unsolve"),
    "close": _Usage("/close [reason]", 0, None),
    "rep": _Usage("/rep [member]", 0, 1),
    "leaderboard": _Usage("/leaderboard [week|month|all]", 0, 1),
    "questions": _Usage("/questions"),
    "guidelines": _Usage("/guidelines"),
    "reveal": _Usage("/reveal <question number> [reason]", 1, None),
    "tick": _Usage("/tick [hours]", 0, 1),
    "quit": _Usage("/quit"),
}
_COMMANDS.update({name: _Usage(*spec) for name, spec in MODERATION_USAGE.items()})
_COMMANDS.update({name: _Usage(*spec) for name, spec in KB_USAGE.items()})


class ConsoleAdapter(ModerationCommands, KnowledgeCommands):
    def __init__(
        self,
        bot: CommunityBot,
        *,
        community: str | None = None,
        channel: str | None = None,
        moderators: list[str] | None = None,
        out: Callable[[str], None] = print,
        user: str = "alice",
    ) -> None:
        cfg = bot.config.console
        self.bot = bot
        self.community = community or cfg.community
        self.channel = channel or cfg.help_channel
        self.moderators = {
            m.lower() for m in (moderators if moderators is not None else cfg.moderators)
        }
        self.out = out
        self.user = user
        self.extra_moderators: set[str] = set()
        self.thread: ThreadRef | None = None
        self.thread_question: int | None = None
        self.messages: dict[int, _Message] = {}
        self.question_threads: dict[int, str] = {}
        self._counter = 0
        # Message ids must stay unique across runs on the same database.
        self._session = f"{int(time.time() * 1000):x}"
        locale = bot.config.communities[self.community].locale
        self.present = Presenter(bot.catalog, locale)
        self.done = False
        bot.outbox.register(ConsoleSender(self))

    # -- identity ----------------------------------------------------------------------
    def actor(self, name: str | None = None) -> Actor:
        name = name or self.user
        is_mod = name.lower() in self.moderators or name.lower() in self.extra_moderators
        return Actor(MemberRef(PLATFORM, self.community, name.lower()), name, is_moderator=is_mod)

    def ref(self, name: str) -> MemberRef:
        return MemberRef(PLATFORM, self.community, name.lstrip("@").lower())

    def message_arg(self, arg: str, usage: str) -> _Message | None:
        """The message a command names by its number ("2", "[2]", "#2"); None, with the
        usage or "no such message" said, when it names none."""

        number = parse_number(arg, "[]#")
        if number is None:
            self.usage(usage)
            return None
        message = self.messages.get(number)
        if message is None:
            self.private(self.present.t("console.no_such_message", number=number))
        return message

    def _next_id(self) -> tuple[int, str]:
        self._counter += 1
        return self._counter, f"{self._session}-{self._counter}"

    def say(self, line: str) -> None:
        self.out(line)

    def bot_says(self, *lines: str) -> None:
        for line in lines:
            self.out(f"bot: {line}")

    def private(self, *lines: str) -> None:
        for line in lines:
            self.out(f"bot (only you): {line}")

    def usage(self, usage: str) -> None:
        self.private(self.present.t("console.usage", usage=usage))

    @property
    def location(self) -> str:
        return (
            f"#{self.channel}"
            if self.thread is None
            else f"#{self.channel} > #{self.thread_question}"
        )

    def prompt(self) -> str:
        return f"{self.user}@{self.location}> "

    # -- main loop ---------------------------------------------------------------------
    async def run(self, lines: AsyncIterator[str]) -> None:
        self.say(self.present.t("console.welcome", member=self.user, channel=self.channel))
        async for line in lines:
            await self.handle_line(line)
            if self.done:
                break

    async def handle_line(self, line: str) -> None:
        """Process one typed line. Never raises: errors become replies."""

        line = line.rstrip("\r\n")
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS]
        if not line.strip():
            return
        try:
            if line.startswith("/"):
                await self._command(line)
            else:
                await self._message(line, typed=True)
        except DuplicateEvent:
            log.info("ignored a repeated event")
        except DomainError as exc:
            self.private(self.present.error(exc))
        except Exception:
            log.exception("console command failed: %r", line[:200])
            self.private(self.present.t("error.generic"))

    async def _message(self, text: str, *, anonymous: bool = False, typed: bool = False) -> None:
        """A message in the current channel or thread; `typed`: written there, not /ask."""

        number, platform_id = self._next_id()
        where = self.location
        # An anonymous question is posted by the bot, without the asker's name.
        author = self.present.t("question.anonymous_author") if anonymous else self.user
        self.say(f"[{number}] {author} in {where}: {text}")
        if self.thread is None and typed and is_chatter(text):
            return  # "thanks!", "ok", "+1" in #help: no question (as on Discord and Slack)
        if self.thread is None:
            self.messages[number] = _Message(
                number, platform_id, self.user, platform_id, text, anonymous=anonymous
            )
            result = await self.bot.handle(
                c.AskQuestion(
                    self.actor(), self.channel, platform_id, text,
                    event_id=platform_id, thread_id=platform_id, anonymous=anonymous,
                )
            )  # fmt: skip
            assert isinstance(result, ev.QuestionOpened)
            self._opened(result)
            self._welcome(result.welcome)
        else:
            self.messages[number] = _Message(number, platform_id, self.user, self.thread.id, text)
            recorded = await self.bot.handle(
                c.PostMessage(
                    self.actor(), self.thread, platform_id, text, event_id=platform_id,
                    mentions=self.mentions(text),
                )
            )  # fmt: skip
            assert isinstance(recorded, ev.MessageRecorded)
            self.show_thanks(recorded.thanks)
            # (not for an anonymous question: it would point at its asker's message)
            if recorded.reopened and not recorded.question.anonymous:
                self.bot_says(self.present.t("lifecycle.reopened", id=recorded.question.id))
            self._welcome(recorded.welcome)

    def _welcome(self, welcome: ev.Welcome | None) -> None:
        if welcome is not None:
            self.private(*self.present.welcome(welcome, self.channel))

    def _opened(self, result: ev.QuestionOpened) -> None:
        q = result.question
        if q.thread_id:
            self.question_threads[q.id] = q.thread_id
        self.bot_says(*self.present.opened(result, self.present.t("question.ways_console")))
        self.thread = ThreadRef(PLATFORM, q.thread_id or "")
        self.thread_question = q.id
        self.say(self.present.t("console.entered", id=q.id, title=q.title))

    async def _command(self, line: str) -> None:
        name, _, rest = line[1:].partition(" ")
        name = name.lower()
        spec = _COMMANDS.get(name)
        if spec is None:
            self.private(self.present.t("console.unknown_command", command=f"/{name}"))
            return
        try:
            args = shlex.split(rest) if spec.max_args != 0 or rest.strip() else []
        except ValueError:
            args = rest.split()
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            self.usage(spec.usage)
            return
        await getattr(self, f"_cmd_{name}")(args, rest.strip())

    def _event(self) -> str:
        return f"cmd-{self._next_id()[1]}"

    def _need_thread(self) -> ThreadRef | None:
        if self.thread is None:
            self.private(self.present.t("console.not_in_thread"))
        return self.thread

    async def _cmd_help(self, args: list[str], rest: str) -> None:
        self.say(self.present.t("console.help", channel=self.channel))

    async def _cmd_quit(self, args: list[str], rest: str) -> None:
        self.say(self.present.t("console.bye"))
        self.done = True

    async def _cmd_as(self, args: list[str], rest: str) -> None:
        if len(args) == 2 and args[1].lower() not in ("mod", "moderator"):
            self.usage(_COMMANDS["as"].usage)
            return
        self.user = args[0].lstrip("@")
        if len(args) == 2:
            self.extra_moderators.add(self.user.lower())
        role = self.present.t("console.role_moderator") if self.actor().is_moderator else ""
        self.say(self.present.t("console.now_as", member=self.user, role=role))

    async def _cmd_ask(self, args: list[str], rest: str) -> None:
        anonymous = args[0].lower() in ("--anonymous", "-a")  # (as on Slack: any case)
        if anonymous:
            rest = rest.split(None, 1)[1] if len(args) > 1 else ""
            if not rest.strip():
                self.usage("/ask --anonymous <text>")
                return
        saved, self.thread = self.thread, None
        try:
            await self._message(rest, anonymous=anonymous)
        except BaseException:
            self.thread = saved
            raise

    async def _cmd_open(self, args: list[str], rest: str) -> None:
        question_id = parse_number(args[0], "#")
        if question_id is None:
            self.usage(_COMMANDS["open"].usage)
            return
        result = await self.bot.handle(c.ShowQuestion(self.actor(), question_id))
        assert isinstance(result, ev.QuestionShown)
        q = result.question
        self.thread = ThreadRef(PLATFORM, q.thread_id or "")
        self.thread_question = q.id
        self.say(self.present.t("console.entered", id=q.id, title=q.title))
        self.say(f"  asked by {self.present.asker(q)}, {self.present.status(q)}")
        for answer in result.answers:
            number = next(
                (m.number for m in self.messages.values() if m.platform_id == answer.message_id),
                None,
            )
            label = f"[{number}]" if number else "[-]"
            self.say(f"  {label} {answer.author.display_name}: {answer.excerpt}")

    async def _cmd_back(self, args: list[str], rest: str) -> None:
        self.thread = None
        self.thread_question = None
        self.say(self.present.t("console.back", channel=self.channel))

    async def _cmd_accept(self, args: list[str], rest: str) -> None:
        message = self.message_arg(args[0], _COMMANDS["accept"].usage)
        if message is None:
            return
        result = await self.bot.handle(
            c.AcceptAnswer(self.actor(), message.platform_id, event_id=self._event())
        )
        assert isinstance(result, ev.AnswerAccepted)
        self._accepted(result)

    async def _cmd_unaccept(self, args: list[str], rest: str) -> None:
        """Take back a solution mark, as removing the ✅ does on Discord and Slack."""
        message = self.message_arg(args[0], _COMMANDS["unaccept"].usage)
        if message is None:
            return
        result = await self.bot.handle(
            c.UnacceptAnswer(self.actor(), message.platform_id, event_id=self._event())
        )
        assert isinstance(result, ev.AnswerUnaccepted)
        self.bot_says(self.present.unaccepted(result))

    async def _cmd_edit(self, args: list[str], rest: str) -> None:
        """Edit one of your messages, as a member edits theirs on Discord or Slack: the
        question's text, or an answer's, changes for the bot too."""

        text = rest.split(None, 1)[1].strip()
        message = self.message_arg(args[0], _COMMANDS["edit"].usage)
        if message is None:
            return
        number = message.number
        if message.author.lower() != self.user.lower():
            self.private(self.present.t("console.edit_not_yours", number=number))
            return
        if message.anonymous:  # (and saying "alice (edited)" would name the asker)
            self.private(self.present.t("console.edit_anonymous", number=number))
            return
        self.messages[number] = replace(message, text=text)
        self.say(self.present.t("console.edited", number=number, member=self.user, text=text))
        thread = ThreadRef(PLATFORM, message.thread_id) if message.thread_id else None
        await self.bot.handle(c.EditMessage(self.actor(), message.platform_id, text, thread=thread))

    async def _cmd_delete(self, args: list[str], rest: str) -> None:
        """Delete a message, as its author (or a moderator) deletes it on Discord or Slack:
        a question goes with its message, an answer is no answer any more (see
        `bot.deletions`)."""

        message = self.message_arg(args[0], _COMMANDS["delete"].usage)
        if message is None:
            return
        number, moderator = message.number, self.actor().moderates
        if message.anonymous and not moderator:  # the bot's post, as on the platforms
            self.private(self.present.t("console.delete_anonymous", number=number))
            return
        if message.author.lower() != self.user.lower() and not moderator:
            self.private(self.present.t("console.delete_not_yours", number=number))
            return
        del self.messages[number]
        self.say(self.present.t("console.deleted", number=number))
        result = await self.bot.handle(
            c.DeleteMessage(PLATFORM, self.community, message.platform_id)
        )
        assert isinstance(result, ev.DeletedOnPlatform)
        if result.withdrawn is not None:
            self.private(self.mod_present.withdrawn(result.withdrawn))
        if result.question is not None and self.thread_question == result.question.id:
            await self._cmd_back([], "")  # its thread is closed

    def _accepted(self, result: ev.AnswerAccepted) -> None:
        self.private(*self.present.accepted(result))
        self.bot_says(self.present.accepted_public(result))

    async def _cmd_solved(self, args: list[str], rest: str) -> None:
        thread = self._need_thread()
        if thread is None:
            return
        helpers = (self.ref(args[0]),) if args else ()
        result = await self.bot.handle(
            c.MarkSolved(self.actor(), thread, helpers, event_id=self._event())
        )
        if isinstance(result, ev.AnswerAccepted):
            self._accepted(result)
        elif isinstance(result, ev.HelperChoiceNeeded):
            self.private(self.present.choose_helper(result))
        elif isinstance(result, ev.SolvedWithoutHelper):
            self.bot_says(self.present.solved_alone(result))

    async def _cmd_unsolve(self, args: list[str], rest: str) -> None:
        thread = self._need_thread()
        if thread is None:
            return
        result = await self.bot.handle(c.Unsolve(self.actor(), thread, event_id=self._event()))
        assert isinstance(result, ev.QuestionReopened)
        self.bot_says(self.present.reopened(result))

    async def _cmd_close(self, args: list[str], rest: str) -> None:
        thread = self._need_thread()
        if thread is None:
            return
        result = await self.bot.handle(
            c.CloseQuestion(self.actor(), thread, rest or None, event_id=self._event())
        )
        assert isinstance(result, ev.QuestionClosed)
        self.bot_says(self.present.closed(result))

    async def _cmd_rep(self, args: list[str], rest: str) -> None:
        member = self.ref(args[0]) if args else None
        result = await self.bot.handle(c.ShowReputation(self.actor(), member))
        assert isinstance(result, ev.ReputationShown)
        self.private(*self.present.reputation(result))

    async def _cmd_leaderboard(self, args: list[str], rest: str) -> None:
        try:
            period = Period(args[0].lower()) if args else Period.ALL
        except ValueError:
            self.usage(_COMMANDS["leaderboard"].usage)
            return
        result = await self.bot.handle(c.ShowLeaderboard(self.actor(), period))
        assert isinstance(result, ev.LeaderboardShown)
        self.bot_says(*self.present.leaderboard(result))

    async def _cmd_questions(self, args: list[str], rest: str) -> None:
        result = await self.bot.handle(c.ListMyQuestions(self.actor()))
        assert isinstance(result, ev.QuestionsListed)
        self.private(*self.present.questions(result, link=lambda q: f"/open {q.id}"))

    async def _cmd_guidelines(self, args: list[str], rest: str) -> None:
        result = await self.bot.handle(c.ShowGuidelines(self.actor(), self.channel))
        assert isinstance(result, ev.GuidelinesShown)
        self.private(*self.present.guidelines(result, self.channel))

    async def _cmd_reveal(self, args: list[str], rest: str) -> None:
        question_id = parse_number(args[0], "#")
        if question_id is None:
            self.usage(_COMMANDS["reveal"].usage)
            return
        reason = rest.split(None, 1)[1] if len(args) > 1 else None
        result = await self.bot.handle(
            c.RevealAsker(self.actor(), question_id, reason, event_id=self._event())
        )
        assert isinstance(result, ev.AskerRevealed)
        self.private(self.present.revealed(result))

    async def _cmd_tick(self, args: list[str], rest: str) -> None:
        """Demo aid: move a demo clock forward, then run whatever reminders/closes are due."""
        if args:
            try:
                hours = float(args[0].rstrip("h"))
            except ValueError:
                hours = math.nan
            if not 0 <= hours <= MAX_TICK_HOURS:  # (also NaN): a clock cannot go that far
                self.usage(_COMMANDS["tick"].usage)
                return
            advance = getattr(self.bot.clock, "advance", None)
            if advance is None:
                self.private(self.present.t("lifecycle.tick_fixed_clock"))
            else:
                advance(hours=hours)
        count = await Scheduler(self.bot).run_due()
        now = self.bot.clock.now().strftime("%Y-%m-%d %H:%M UTC")
        self.private(self.present.t("lifecycle.ticked", count=count, now=now))


def tolerate_terminal_encoding() -> None:
    """Bytes the terminal's encoding cannot decode (a paste in another encoding) are read as
    U+FFFD, and characters it cannot show (an ASCII-only terminal) are written as "?",
    instead of ending the console or failing the command being answered."""

    for stream in (sys.stdin, sys.stdout):
        reconfigure = getattr(stream, "reconfigure", None)  # (not on a replaced stream)
        if reconfigure is not None:
            reconfigure(errors="replace")


async def stdin_lines(adapter: ConsoleAdapter) -> AsyncIterator[str]:
    """Read lines from the terminal without blocking the event loop; stops at EOF."""

    interactive = sys.stdin.isatty()
    while True:
        try:
            line = await asyncio.to_thread(input, adapter.prompt() if interactive else "")
        except EOFError:
            return
        yield line
