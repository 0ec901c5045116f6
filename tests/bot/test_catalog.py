"""Every message key the code uses exists in the English catalog, with matching placeholders."""

import re
from pathlib import Path

from bot import errors
from bot.i18n import Catalog

ROOT = Path(__file__).resolve().parents[2]
KEY_CALL = re.compile(r"""\.t\(\s*["']([a-z_]+\.[a-z_]+)["']""")


def test_all_literal_keys_exist() -> None:
    catalog = Catalog()
    missing = []
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("adapters/**/*.py")]:
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if not catalog.has(key):
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing


def test_keys_built_from_enum_values_exist() -> None:
    # `self.t(f"close.reason_{q.close_reason}")` and the like escape the literal-key check:
    # a question closed as a duplicate showed "close.reason_duplicate" as its status.
    from bot.commands import QuestionAction
    from bot.model import (
        REPORT_OUTCOMES,
        AuditOutcome,
        CloseReason,
        LedgerReason,
        Period,
        QuestionStatus,
    )

    catalog = Catalog()
    built = {
        "close.reason_": list(CloseReason),
        "rep.reason_": list(LedgerReason),
        "leaderboard.header_": list(Period),
        "question.status_": list(QuestionStatus),
        "moderation.audit_": list(AuditOutcome),
        "moderation.question_": list(QuestionAction),
        "report.resolved_": list(REPORT_OUTCOMES.values()),
    }
    missing = [
        p + v.value for p, values in built.items() for v in values if not catalog.has(p + v.value)
    ]
    assert not missing
    # and keys picked from a table, out of the literal check's sight
    from bot.moderation import _REPORT_POST

    assert [key for key in _REPORT_POST.values() if not catalog.has(key)] == []


def test_every_error_has_a_message() -> None:
    catalog = Catalog()
    for obj in vars(errors).values():
        if isinstance(obj, type) and issubclass(obj, errors.DomainError):
            assert catalog.has(obj.key), obj


def test_missing_parameter_does_not_crash(caplog) -> None:  # noqa: ANN001
    # A template filled with too few parameters comes back unfilled (and is logged),
    # rather than raising in the middle of answering a member.
    template = Catalog().t("accept.points", delta=1, member="x")
    text = Catalog().t("accept.points", delta=1)
    assert "{member}" in text and text != template
    assert "could not be filled" in caplog.text


def test_unknown_locale_falls_back_to_english() -> None:
    assert Catalog().t("error.not_the_asker", "fi") == Catalog().t("error.not_the_asker")


def test_counted_phrases_follow_the_plural_rules() -> None:
    catalog = Catalog()
    one = catalog.t("rep.summary", member="bob", points=1, rank=1, accepted=1)
    many = catalog.t("rep.summary", member="bob", points=15, rank=2, accepted=3)
    assert one == "bob: 1 point, rank 1, 1 accepted answer."
    assert many == "bob: 15 points, rank 2, 3 accepted answers."
    assert "0 points" in catalog.t("rep.summary", member="x", points=0, rank=9, accepted=0)
    assert "-1 point," in catalog.t("rep.summary", member="x", points=-1, rank=9, accepted=0)


def test_durations_read_in_the_largest_units_that_read_well() -> None:
    """`{x:duration}` of minutes: an escalation after 19 hours says so, not "1140 minutes"."""

    catalog = Catalog()
    shown = [
        catalog.t("lifecycle.escalated", id=1, minutes=m).split(" for ")[1].split(".")[0]
        for m in (0, 1, 45, 60, 61, 150, 1140, 1440, 2880, 3000, 4320 + 59)
    ]
    assert shown == [
        "0 minutes", "1 minute", "45 minutes", "1 hour", "1 hour 1 minute",
        "2 hours 30 minutes", "19 hours", "24 hours", "2 days", "2 days 2 hours", "3 days",
    ]  # fmt: skip


def test_plural_categories_come_from_cldr() -> None:
    from bot.i18n import plural_category

    assert [plural_category("ar", n) for n in (0, 1, 2, 3, 11, 100)] == [
        "zero", "one", "two", "few", "many", "other",
    ]  # fmt: skip
    assert {plural_category("th", n) for n in (0, 1, 2)} == {"other"}
    assert plural_category("tr", 1) == "one" and plural_category("fi", 2) == "other"
    assert plural_category("xx-unknown", 1) == "one"  # English rules for an unknown locale


def test_every_counted_phrase_used_exists_with_an_other_form() -> None:
    import string

    from bot.i18n import _load

    catalog = Catalog()
    used: set[str] = set()
    for template in _load("en").values():
        for _, field, spec, _ in string.Formatter().parse(template):
            if field and spec and spec.isidentifier() and spec != "duration":
                used.add(spec)
    assert {"points", "hours", "accepted_answers"} <= used
    for name in used:
        assert catalog.has(f"plural.{name}.other"), name


def test_a_direction_override_in_a_member_s_words_ends_with_them() -> None:
    """An RLO in an echoed id would reverse the rest of the reply; it is isolated (FSI..PDI).
    Text without explicit direction controls, Persian included, is left as it is."""

    text = Catalog().t("kb.error_not_found", id="\u202eabc")
    assert text == "I can't find the article “\u2068\u202eabc\u2069”. Try /kb search <words>."
    persian = "سلام\u200cدنیا"  # (a ZWNJ is not a direction control)
    assert Catalog().t("kb.error_not_found", id=persian).count(persian) == 1
    assert "\u2068" not in Catalog().t("kb.error_not_found", id=persian)
    closed = "\u202babc\u202c and \u2067x\u2069"  # (what is closed cannot leak)
    assert Catalog().t("kb.error_not_found", id=closed).count(closed) == 1
    assert "\u2068" not in Catalog().t("kb.error_not_found", id=closed)


def test_suggestion_lines_name_the_kind_in_the_catalogs_words() -> None:
    # The engine's kind ids ("question", "article") are not words: the line shown when a
    # question opens said "(question, 72% match)" where /kb search said "solved question",
    # and would stay English in every other language.
    from bot.model import Suggestion
    from bot.presenters import Presenter

    present = Presenter(Catalog())
    for kind, key in (("question", "kb.kind_question"), ("article", "kb.kind_article")):
        line = present.suggestion(
            Suggestion(id="q1", title="Reset a router", kind=kind, score=0.72)
        )
        assert line == f"Reset a router ({present.t(key)}, 72% match)"
