"""Typed domain errors.

Each error carries a message-catalog key and its parameters, so every adapter can turn it
into a friendly, private reply in exactly one place without knowing the rule behind it.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user caused and can fix; rendered privately, never logged as a crash."""

    key = "error.generic"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class DuplicateEvent(DomainError):
    """The platform delivered an event we already processed (retry or replay)."""

    key = "error.duplicate_event"


class NotAQuestionThread(DomainError):
    key = "error.not_a_question_thread"


class QuestionNotFound(DomainError):
    key = "error.question_not_found"


class NotTheAsker(DomainError):
    key = "error.not_the_asker"


class NotModerator(DomainError):
    key = "error.not_moderator"


class SelfAccept(DomainError):
    key = "error.self_accept"


class AskerNotCredited(DomainError):
    """A moderator named the question's asker in `/solved`: askers earn no answer's points in
    their own question (their "/solved @me" marks it solved alone)."""

    key = "error.asker_not_credited"


class NotAnAnswer(DomainError):
    key = "error.not_an_answer"


class AlreadyAccepted(DomainError):
    key = "error.already_accepted"


class AlreadySolved(DomainError):
    key = "error.already_solved"


class NotSolved(DomainError):
    key = "error.not_solved"


class NotAccepted(DomainError):
    key = "error.not_accepted"


class AlreadyClosed(DomainError):
    key = "error.already_closed"


class NoAnswerFromMember(DomainError):
    key = "error.no_answer_from_member"


class DuplicateHelper(DomainError):
    """The same helper named twice in one `/solved`: credited (or refused) once."""

    key = "error.duplicate_helper"


class EmptyQuestion(DomainError):
    key = "error.empty_question"


class BotsCannot(DomainError):
    key = "error.bots_cannot"


class UnknownMember(DomainError):
    """No member by that name or id; an empty one (a pick left blank, a bare "@") is asked
    for rather than echoed as "a member called ."."""

    key = "error.unknown_member"

    def __init__(self, *, name: str) -> None:
        if not name.strip():
            self.key = "error.member_not_named"
        super().__init__(name=name)


class InvalidArgument(DomainError):
    """A command's argument that cannot work; each kind has its own catalog text."""

    key = "error.invalid_argument"


class DuplicateTargetMissing(InvalidArgument):
    key = "error.duplicate_target_missing"


class AlreadyLocked(DomainError):
    key = "error.already_locked"


class NotLocked(DomainError):
    key = "error.not_locked"


class QuestionDeleted(DomainError):
    """A moderator names a deleted question for anything but `restore`."""

    key = "error.question_deleted"


class NotDeleted(DomainError):
    key = "error.not_deleted"


class NotRestorable(DomainError):
    key = "error.not_restorable"


class DuplicateOfItself(InvalidArgument):
    key = "error.duplicate_of_itself"


class OriginalOfDuplicates(InvalidArgument):
    """The question to close as a duplicate is the original others point at: closing it too
    would leave them pointing at a duplicate."""

    key = "error.original_of_duplicates"


class DuplicateOfADuplicate(InvalidArgument):
    """The named original is itself closed as a duplicate (of `target`): name that one, so
    two questions never point at each other and nobody follows a chain."""

    key = "error.duplicate_of_a_duplicate"


class PeriodOrder(InvalidArgument):
    key = "error.period_order"


class ReportOutcomeMissing(InvalidArgument):
    key = "error.report_outcome_missing"


class OwnMessageReport(DomainError):
    key = "error.own_message_report"


class AnonymousDisabled(DomainError):
    key = "error.anonymous_disabled"


class NotAnonymous(DomainError):
    key = "error.not_anonymous"


class StorageUnavailable(DomainError):
    """The database could not be reached even after retrying; nothing was written."""

    key = "error.storage_unavailable"


class TransientStorageError(Exception):
    """Raised by storage when the database is briefly unavailable (locked, restarting,
    connection dropped). The service retries the whole unit of work; nothing half-written
    survives because the transaction was rolled back."""


# -- thanks, reports and moderation ----------------------------------------------------


class ArticleNotFound(DomainError):
    key = "kb.error_not_found"


class SelfThanks(DomainError):
    key = "error.self_thanks"


class AlreadyThanked(DomainError):
    key = "error.already_thanked"


class HelpBanned(DomainError):
    """The member is help-banned until `until` (an ISO date-time, for the message)."""

    key = "error.helpbanned"


class ThreadLocked(DomainError):
    key = "error.thread_locked"


class ClosedByModerator(DomainError):
    """A moderator closed the question (or as a duplicate): only a moderator changes it now."""

    key = "error.closed_by_moderator"


class SelfModeration(DomainError):
    key = "error.self_moderation"


class NotClosed(DomainError):
    key = "error.not_closed"


class NotADuplicate(DomainError):
    key = "error.not_a_duplicate"


class LedgerEntryNotFound(DomainError):
    key = "error.ledger_entry_not_found"


class AlreadyReverted(DomainError):
    key = "error.already_reverted"


class ReportLimit(DomainError):
    key = "error.report_limit"


class AlreadyReported(DomainError):
    key = "error.already_reported"


class ReportNotFound(DomainError):
    key = "error.report_not_found"


class AlreadyResolved(DomainError):
    key = "error.already_resolved"


class ReportAuthorUnknown(DomainError):
    """A report on a message whose author was never known (a platform that did not say,
    or a message the bot never saw) cannot be resolved by warning."""

    key = "error.report_author_unknown"


class ReasonRequired(DomainError):
    key = "error.reason_required"


class BadPoints(DomainError):
    key = "error.bad_points"


class BadDuration(DomainError):
    key = "error.bad_duration"


# -- start-up ---------------------------------------------------------------------------


class CannotStart(Exception):
    """An adapter cannot start for a reason the person running the bot must fix: a token the
    platform refused, a permission not granted, a port in use. The message says what to
    change; `community-bot run` prints it as one line, without a traceback."""
