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
