"""Console commands for thanks, reports and moderation: `/thanks`, `/report`, `/notduplicate`
and `/mod ...`. Same contract as the rest of the console adapter: parse the typed words into
a core command, call the core, print the result. Messages the core pushes later (a note to
a thanked or warned member, a report in the moderators' channel) come through the console's
Outbox sender.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot import commands as c
from bot import events as ev
from bot.durations import parse_since
from bot.model import REPORT_OUTCOMES, MemberRef, ThreadRef
from bot.moderation_presenter import ModerationPresenter
from bot.text import parse_number

if TYPE_CHECKING:
    from bot.presenters import Presenter
    from bot.service import CommunityBot

# name -> (usage, min args, max args); merged into the console's command table.
MODERATION_USAGE: dict[str, tuple[str, int, int | None]] = {
    "thanks": ("/thanks <member>", 1, 1),
    "report": ("/report <message number> <reason>", 2, None),
    "notduplicate": ("/notduplicate", 0, 0),
    "mod": ("/mod <command> ... (/mod help lists them)", 1, None),
}

_MENTION = re.compile(r"(?<![\w@])@([\w.-]+)")


def _question_number(word: str) -> int | None:
    word = word.strip()
    return parse_number(word[1:], "") if word.startswith("#") else None


class ModerationCommands:
    """Mixed into ConsoleAdapter; relies on its attributes (bot, present, thread, ...)."""

    bot: CommunityBot
    present: Presenter
    thread: ThreadRef | None
    community: str
    messages: dict[int, Any]

    # provided by ConsoleAdapter
    def actor(self, name: str | None = None) -> Any: ...
    def ref(self, name: str) -> MemberRef: ...
    def private(self, *lines: str) -> None: ...
    def usage(self, usage: str) -> None: ...
    def bot_says(self, *lines: str) -> None: ...
    def say(self, line: str) -> None: ...
    def _event(self) -> str: ...
    def message_arg(self, arg: str, usage: str) -> Any | None: ...

    @property
    def mod_present(self) -> ModerationPresenter:
        return ModerationPresenter(self.present)

    # -- thanks ------------------------------------------------------------------------
    def mentions(self, text: str) -> tuple[MemberRef, ...]:
        return tuple(dict.fromkeys(self.ref(name) for name in _MENTION.findall(text)))

    def _number_of(self, message_id: str) -> int | None:
        return next((n for n, m in self.messages.items() if m.platform_id == message_id), None)

    def show_thanks(self, results: tuple[ev.ThanksGiven, ...]) -> None:
        for thanks in results:
            self.private(self.mod_present.thanks(thanks))
            if thanks.offer_solution is not None:
                number = self._number_of(thanks.offer_solution.message_id)
                how = (
                    self.present.t("thanks.offer_console", number=number)
                    if number
                    else "/solved " + thanks.receiver.ref.id
                )
                offer = self.mod_present.offer(thanks, how)
                if offer:
                    self.private(offer)

    async def _cmd_thanks(self, args: list[str], rest: str) -> None:
        result = await self.bot.handle(
            c.ThankMember(self.actor(), self.ref(args[0]), self.thread, event_id=self._event())
        )
        assert isinstance(result, ev.ThanksGiven)
        self.show_thanks((result,))

    # -- reports -----------------------------------------------------------------------
    async def _cmd_report(self, args: list[str], rest: str) -> None:
        message = self.message_arg(args[0], MODERATION_USAGE["report"][0])
        if message is None:
            return
        reason = rest.split(None, 1)[1]
        author = self.actor(message.author)
        thread = ThreadRef("console", message.thread_id) if message.thread_id else None
        result = await self.bot.handle(
            c.ReportMessage(
                self.actor(), "help", message.platform_id, reason, author=author,
                excerpt=getattr(message, "text", ""), thread=thread, event_id=self._event(),
            )
        )  # fmt: skip
        assert isinstance(result, ev.ReportFiled)
        self.private(self.mod_present.report_filed(result))

    async def _cmd_notduplicate(self, args: list[str], rest: str) -> None:
        if self.thread is None:
            self.private(self.present.t("console.not_in_thread"))
            return
        result = await self.bot.handle(
            c.NotDuplicate(self.actor(), self.thread, event_id=self._event())
        )
        assert isinstance(result, ev.QuestionModerated)
        self.bot_says(self.mod_present.question(result))

    # -- /mod --------------------------------------------------------------------------
    async def _cmd_mod(self, args: list[str], rest: str) -> None:
        sub, tail = args[0].lower(), args[1:]
        after = rest.split(None, 1)[1] if len(args) > 1 else ""
        if sub == "help":
            await self._mod_help()
        elif sub in ("lock", "unlock", "reopen", "close", "delete", "restore", "duplicate"):
            await self._mod_question(sub, tail, after)
        elif sub == "rep":
            await self._mod_rep(tail, after)
        elif sub == "helpban":
            await self._mod_helpban(tail)
        elif sub == "warn":
            if len(tail) < 2:
                return self.usage("/mod warn <member> <reason>")
            reason = after.split(None, 1)[1]
            result = await self.bot.handle(
                c.WarnMember(self.actor(), self.ref(tail[0]), reason, event_id=self._event())
            )
            assert isinstance(result, ev.MemberWarned)
            self.private(self.mod_present.warned(result))
        elif sub == "audit":
            await self._mod_audit(tail)
        elif sub == "reports":
            result = await self.bot.handle(c.ListReports(self.actor()))
            assert isinstance(result, ev.ReportsListed)
            self.private(*self.mod_present.reports(result))
        elif sub == "report":
            await self._mod_report(tail)
        else:
            await self._mod_help()

    async def _mod_help(self) -> None:
        # The core decides who may see the list, and audits a member who may not.
        shown = await self.bot.handle(c.ShowModeratorHelp(self.actor()))
        assert isinstance(shown, ev.ModeratorHelpShown)
        self.private(self.present.t("moderation.help"))

    async def _mod_question(self, sub: str, tail: list[str], after: str) -> None:
        question_id = None
        target = None
        if sub == "duplicate":
            if not tail:
                return self.usage("/mod duplicate <#question | article> [#in question]")
            target, tail = tail[0], tail[1:]
        if tail and _question_number(tail[0]) is not None:
            question_id, tail = _question_number(tail[0]), tail[1:]
        if question_id is None and self.thread is None:
            self.private(self.present.t("console.not_in_thread"))
            return
        reason = " ".join(tail) or None
        result = await self.bot.handle(
            c.ModerateQuestion(
                self.actor(), c.QuestionAction(sub),
                thread=self.thread if question_id is None else None,
                question_id=question_id, reason=reason, duplicate_of=target,
                event_id=self._event(),
            )
        )  # fmt: skip
        assert isinstance(result, ev.QuestionModerated)
        self.bot_says(self.mod_present.question(result))

    async def _mod_rep(self, tail: list[str], after: str) -> None:
        usage = "/mod rep add|remove <member> <points> <reason> | revert ... | suspicious"
        if not tail:
            return self.usage(usage)
        what = tail[0].lower()
        if what == "suspicious":
            shown = await self.bot.handle(c.ShowSuspiciousPairs(self.actor()))
            assert isinstance(shown, ev.SuspiciousPairsShown)
            self.private(*self.mod_present.suspicious(shown))
            return
        result: Any
        if what in ("add", "remove") and len(tail) >= 4:
            try:
                points = int(tail[2].lstrip("+"))
            except ValueError:
                return self.usage(usage)
            if points < 0:  # a typo, not `rep remove <member> <n>` (as on Slack)
                return self.usage(usage)
            points = -points if what == "remove" else points
            reason = " ".join(tail[3:])
            result = await self.bot.handle(
                c.AdjustReputation(
                    self.actor(), self.ref(tail[1]), points, reason, event_id=self._event()
                )
            )
        elif (
            what == "revert" and len(tail) >= 2 and (entry_id := parse_number(tail[1])) is not None
        ):
            # `#12` as /rep shows it to moderators, or `12`.
            reason = " ".join(tail[2:]) or None
            result = await self.bot.handle(
                c.RevertLedgerEntry(self.actor(), entry_id, reason, event_id=self._event())
            )
        elif what == "revert" and len(tail) >= 4:
            now = self.bot.clock.now()
            try:
                direction = c.FlowDirection(tail[2].lower())
            except ValueError:
                return self.usage("/mod rep revert <member> given|received|both <since> [until]")
            since = parse_since(tail[3], now)
            until = parse_since(tail[4], now) if len(tail) > 4 else None
            if since is None or (len(tail) > 4 and until is None):
                return self.usage("/mod rep revert <member> given|received|both <since> [until]")
            result = await self.bot.handle(
                c.RevertPeriod(
                    self.actor(), self.ref(tail[1]), direction, since, until,
                    event_id=self._event(),
                )
            )  # fmt: skip
        else:
            return self.usage(usage)
        assert isinstance(result, ev.PointsChanged)
        self.private(*self.mod_present.points(result))

    async def _mod_helpban(self, tail: list[str]) -> None:
        usage = "/mod helpban <member> <duration, e.g. 7d> [reason]"
        if len(tail) < 2:
            return self.usage(usage)
        result = await self.bot.handle(
            c.HelpBanMember(
                self.actor(), self.ref(tail[0]), tail[1], " ".join(tail[2:]) or None,
                event_id=self._event(),
            )
        )  # fmt: skip
        assert isinstance(result, ev.MemberHelpBanned)
        self.private(self.mod_present.helpbanned(result))

    async def _mod_audit(self, tail: list[str]) -> None:
        member, question_id = None, None
        if tail:
            question_id = parse_number(tail[0])
            if question_id is None:
                member = self.ref(tail[0])
        result = await self.bot.handle(c.ShowAudit(self.actor(), member, question_id))
        assert isinstance(result, ev.AuditShown)
        self.private(*self.mod_present.audit(result))

    async def _mod_report(self, tail: list[str]) -> None:
        usage = "/mod report <id> dismiss|delete|warn [reason]"
        report_id = parse_number(tail[0]) if tail else None
        if report_id is None or len(tail) < 2 or tail[1] not in REPORT_OUTCOMES:
            return self.usage(usage)
        result = await self.bot.handle(
            c.ResolveReport(
                self.actor(), report_id, REPORT_OUTCOMES[tail[1]],
                " ".join(tail[2:]) or None, event_id=self._event(),
            )
        )  # fmt: skip
        assert isinstance(result, ev.ReportResolved)
        self.private(*self.mod_present.report_resolved_lines(result))
        if result.delete_message is not None:
            number = self._number_of(result.delete_message[1])
            self.say(f"(message [{number}] deleted)" if number else "(message deleted)")
