"""Events: what happened (past tense, frozen). Handlers return them; adapters render them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import (
    Acceptance,
    Answer,
    LeaderboardRow,
    LedgerReason,
    Member,
    Period,
    Question,
    Standing,
    Suggestion,
)


@dataclass(frozen=True, slots=True)
class PointChange:
    member: Member
    delta: int
    reason: LedgerReason
    total: int
    entry_id: int


@dataclass(frozen=True, slots=True)
class QuestionOpened:
    question: Question
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageRecorded:
    """A message in a question thread; `answer` is set when it counts as an answer."""

    question: Question
    answer: Answer | None


@dataclass(frozen=True, slots=True)
class AnswerAccepted:
    question: Question
    acceptances: tuple[Acceptance, ...]
    points: tuple[PointChange, ...]
    newly_solved: bool


@dataclass(frozen=True, slots=True)
class SolvedWithoutHelper:
    """`/solved` when nobody else answered: solved, nobody credited."""

    question: Question


@dataclass(frozen=True, slots=True)
class HelperChoiceNeeded:
    """`/solved` with several helpers and none named: the adapter shows a picker."""

    question: Question
    candidates: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class QuestionReopened:
    question: Question
    points: tuple[PointChange, ...]


@dataclass(frozen=True, slots=True)
class QuestionClosed:
    question: Question
    reason: str


@dataclass(frozen=True, slots=True)
class ReputationShown:
    standing: Standing


@dataclass(frozen=True, slots=True)
class LeaderboardShown:
    period: Period
    rows: tuple[LeaderboardRow, ...]


@dataclass(frozen=True, slots=True)
class QuestionShown:
    question: Question
    answers: tuple[Answer, ...]
    accepted: tuple[Acceptance, ...]


@dataclass(frozen=True, slots=True)
class QuestionsListed:
    questions: tuple[Question, ...]


Result = (
    QuestionOpened
    | MessageRecorded
    | AnswerAccepted
    | SolvedWithoutHelper
    | HelperChoiceNeeded
    | QuestionReopened
    | QuestionClosed
    | ReputationShown
    | LeaderboardShown
    | QuestionsListed
    | QuestionShown
)
