"""The message catalog: every piece of text the bot says, by key, per locale.

English is the reference catalog. Other locales may be partial; a missing key falls back to
English so a half-translated locale never shows a raw key to a member. Code that sends text
asks for a key and parameters and never builds sentences itself.
"""

from __future__ import annotations

import logging
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

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
            return template.format(**params)
        except (KeyError, IndexError, ValueError) as exc:
            log.error("message %r could not be filled with %r: %s", key, sorted(params), exc)
            return template

    @staticmethod
    def placeholders(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
