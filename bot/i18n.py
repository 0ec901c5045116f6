"""The message catalog: every piece of text the bot says, by key, per locale.

English is the reference catalog. Other locales may be partial; a missing key falls back to
English so a half-translated locale never shows a raw key to a member. Code that sends text
asks for a key and parameters and never builds sentences itself.

Counted words follow the locale's plural rules (CLDR, through Babel): a template writes
`{points:points}`, and the catalog's `[plural.points]` table gives the phrase per plural
category, e.g. `one = "{n} point"`, `other = "{n} points"`. Arabic has six categories,
Persian, Turkish and Finnish two, Thai one; a missing category falls back to `other`. So a
sentence may hold several counts, and translators decide each one's forms.
"""

from __future__ import annotations

import logging
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from bot.text import isolate_direction

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).with_name("locales")
DEFAULT_LOCALE = "en"


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = str(value)
    return flat


@cache
def _load(locale: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{locale}.toml"
    if not path.exists():
        return {}
    return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))


@cache
def _plural_rule(locale: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(locale.replace("-", "_")).plural_form
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE).plural_form


def plural_category(locale: str, count: Any) -> str:
    """CLDR plural category ("zero", "one", "two", "few", "many" or "other") of `count`."""

    try:
        return str(_plural_rule(locale)(abs(count)))
    except (TypeError, ValueError):
        return "other"


class _Formatter(string.Formatter):
    """str.format, where a format spec naming a `plural.*` table picks the counted phrase."""

    def __init__(self, catalog: Catalog, locale: str) -> None:
        self.catalog = catalog
        self.locale = locale

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec == "duration" and isinstance(value, int | float):
            return self._duration(int(value))
        if format_spec and not format_spec[0].isdigit() and format_spec.isidentifier():
            phrase = self.catalog.plural_phrase(format_spec, value, self.locale)
            if phrase is not None:
                return phrase
        if isinstance(value, str):  # (members' words: names, ids, reasons, excerpts)
            value = isolate_direction(value)
        return super().format_field(value, format_spec)

    def _duration(self, minutes: int) -> str:
        """`{x:duration}` of a number of minutes, in the largest whole units that read well:
        "45 minutes", "2 hours 30 minutes", "19 hours", "3 days 4 hours" (never "1140
        minutes"); each unit a `plural.*` phrase, so counted words follow the locale."""

        days, rest = divmod(max(minutes, 0), 24 * 60)
        hours, mins = divmod(rest, 60)
        if days >= 2:
            parts = [("days", days), ("hours", hours)]
        elif days or hours:
            parts = [("hours", days * 24 + hours), ("minutes", mins)]
        else:
            parts = [("minutes", mins)]
        counted = [(unit, n) for unit, n in parts if n] or parts[:1]
        return " ".join(
            self.catalog.plural_phrase(unit, n, self.locale) or str(n) for unit, n in counted
        )


class Catalog:
    def __init__(self, default_locale: str = DEFAULT_LOCALE) -> None:
        self.default_locale = default_locale

    def keys(self, locale: str = DEFAULT_LOCALE) -> set[str]:
        return set(_load(locale))

    def has(self, key: str) -> bool:
        return key in _load(DEFAULT_LOCALE)

    def t(self, key: str, locale: str | None = None, /, **params: Any) -> str:
        locale = locale or self.default_locale
        template = _load(locale).get(key) or _load(DEFAULT_LOCALE).get(key)
        if template is None:
            log.error("message catalog has no key %r", key)
            return key
        try:
            return _Formatter(self, locale).format(template, **params)
        except (KeyError, IndexError, ValueError) as exc:
            log.error("message %r could not be filled with %r: %s", key, sorted(params), exc)
            return template

    def plural_phrase(self, name: str, count: Any, locale: str) -> str | None:
        """`plural.<name>` for `count` in `locale` (None when there is no such table)."""

        category = plural_category(locale, count)
        for loc in dict.fromkeys((locale, DEFAULT_LOCALE)):
            table = _load(loc)
            template = table.get(f"plural.{name}.{category}") or table.get(f"plural.{name}.other")
            if template is not None:
                return template.format(n=count)
        return None

    @staticmethod
    def placeholders(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
