"""Recognising a thank-you in a thread message, in the languages our communities write in.

Detection is deliberately conservative: a missed thanks costs someone two points, a false one
hands out points nobody meant to give. So a message counts only when it contains a thanks
word AND none of the patterns that turn it around: sarcasm ("thanks for nothing"), a polite
refusal ("no thanks"), thanks for help not yet given ("thanks in advance", or an in-advance
word anywhere after the thanks), a request ("I'd appreciate it if...", "ممنون میشم"), or
thanks followed by "but it still doesn't work". Thai is written without spaces between
words, so Thai patterns match anywhere; the other languages match on word boundaries.

Pure functions only: no I/O, so the table test can run thousands of rows in milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Zero-width characters (ZWNJ is part of Persian spelling, but never changes a thanks word),
# directional marks and Arabic diacritics (tanwin in شكراً, shadda, ...): all dropped.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u064b-\u065f\u0670]")
_FOLD = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh -> Persian yeh: both spellings of مرسی are common
        "ى": "ی",
        "ك": "ک",  # Arabic kaf -> Persian keheh
        "ـ": "",  # tatweel (kashida), stretches a word without changing it
        "’": "'",
        "‘": "'",
    }
)
# Code is quoted text, not the writer speaking: `thanks` in a snippet is not gratitude.
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
# A mention is a name, not the writer speaking: adapters store mentions as "@name", and a
# member called "ty" or "Thx" is asked about ("ask @ty"), not thanked. A mentioned member's
# whole name goes when the caller knows it (`names`: "@Mr Thanks"); otherwise its first word
# only. (An e-mail is no mention.)
MENTION = re.compile(r"(?<![\w@])@[^\s@]+")


def normalise(text: str, names: Sequence[str] = ()) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _CODE.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    for name in sorted(names, key=len, reverse=True):  # ("@Ann Lee" before "@Ann")
        name = _INVISIBLE.sub("", unicodedata.normalize("NFKC", name)).strip()  # (as the text)
        if name:
            mention = r"(?<![\w@])@" + re.escape(name) + r"(?!\w)"
            text = re.sub(mention, " ", text, flags=re.IGNORECASE)
    text = MENTION.sub(" ", text)
    return text.translate(_FOLD).casefold()


def _words(*alternatives: str) -> str:
    return r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"


# After `normalise`, Arabic letters are folded to their Persian shapes (ک, ی), so Arabic
# patterns are written with those.
THANKS: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        _words(
            r"thanks?(?:\s+(?:you|u|ya|a\s+(?:lot|ton|bunch)|so\s+much|heaps))?",
            r"thank\s*(?:you|u|ya)",
            r"thx",
            r"thnx",
            r"thanx",
            r"tks",
            r"ty(?:sm|vm)?",
            r"many\s+thanks",
            r"much\s+appreciated",
            r"appreciate\s+(?:it|that|you|the\s+help)",
        )
    ),
    "fa": re.compile(
        _words(r"مرسی", r"ممنون\w*", r"سپاس\w*", r"متشکر\w*", r"تشکر\w*", r"دمت\s+گرم")
    ),
    "ar": re.compile(
        _words(r"شکرا", r"شکرًا", r"مشکور\w*", r"یعطیک\s+العافیه", r"جزاک\s+الله\s+خیرا?")
    ),
    "tr": re.compile(
        _words(
            r"te[şs]ekk[üu]r(?:ler|ederim|ederiz|\s+ederim|\s+ederiz|\s+ediyorum)?",
            r"sa[ğg]\s*ol(?:un|asın|asin)?",
            r"eyvallah",
            r"minnettar[ıi]m",
        )
    ),
    "fi": re.compile(_words(r"kiitos\w*", r"kiitti", r"kiitoksia", r"kiitän")),
    # No word boundaries in Thai script.
    "th": re.compile(r"ขอบคุณ|ขอบใจ"),
}

# Anything here anywhere in the message means "this is not gratitude for help received".
NOT_THANKS: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        _words(
            r"thanks?\s+(?:you\s+)?for\s+(?:nothing|wasting|not|absolutely\s+nothing|no\s+help)",
            r"thanks?\s+a\s+lot\s+for\s+(?:nothing|wasting|breaking)",
            r"no,?\s+thanks?(?:\s+you)?",
            r"no\s+thx",
            r"thanks?\s+but\s+no\s+thanks",
            r"thanks?\s+(?:you\s+)?(?:anyway|anyways)",
            # A request, not gratitude: "I'd appreciate it if ...", "any help would be
            # much appreciated" (the thanks word comes after "would"/"'d", or "if" after it).
            r"(?:would|will|wd|shall|\w+'d|\w+'ll)\s+(?:\w+\s+)?"
            r"(?:appreciate|be\s+(?:\w+\s+)?appreciated)",
            r"appreciate\s+(?:it|that|you|the\s+help)\s+if",
            r"(?:don'?t|do\s+not|no\s+need\s+to|why\s+would\s+i)\s+thank",
            r"thanks?\s+to\s+(?:you|u)\s+(?:i|it|we|everything)\s+\w*\s*(?:broke|lost|crash)\w*",
            r"yeah,?\s+thanks?\s+(?:a\s+lot|for\s+that)\s*(?:\.\.\.|/s)",
        )
    ),
    "fa": re.compile(
        _words(
            r"نه\s+(?:مرسی|ممنون\w*)",
            r"(?:مرسی|ممنون\w*)\s+(?:بابت|از|برای)\s+هیچ\w*",
            r"پیشاپیش",
            # "I'll be grateful (if ...)": ممنون میشم / می‌شوم / خواهم شد, a request.
            r"(?:ممنون\w*|متشکر\w*|سپاسگزار\w*)\s+(?:می\s*ش(?:م|وم|یم|ویم)|خواهم\s+(?:شد|بود))",
        )
    ),
    "ar": re.compile(
        _words(r"لا\s+شکرا", r"شکرا\s+(?:علی|عل)\s+(?:لا\s+شیء|ولا\s+شی)", r"مقدما|مسبقا")
    ),
    "tr": re.compile(
        _words(
            r"(?:hay[ıi]r|yok|gerek\s+yok),?\s+te[şs]ekk[üu]r\w*",
            r"hi[çc]bir\s+[şs]ey\s+i[çc]in\s+te[şs]ekk[üu]r\w*",
            r"(?:[şs]imdiden|pe[şs]inen)\s+te[şs]ekk[üu]r\w*",
            r"yine\s+de\s+te[şs]ekk[üu]r\w*",
        )
    ),
    "fi": re.compile(
        _words(
            r"ei\s+kiitos",
            r"kiitos\s+(?:ei|tyhjästä|turhasta|ei\s+mistään)",
            r"kiitos\s+silti",
        )
    ),
    "th": re.compile(r"ไม่\s*(?:เป็นไร)?\s*(?:ครับ|ค่ะ|คะ)?\s*ขอบคุณ|ขอบคุณ\S*ที่ไม่ช่วย"),
}

# Thanks for help not yet given: an in-advance word after the thanks, in the same sentence
# ("thank u in advance", "much appreciated in advance", "kiitti etukäteen", "teşekkürler
# şimdiden"; not "thanks, works now. I should have read the docs beforehand").
_SENTENCE_END = re.compile(r"[.!?؟。\n]")
# (Before it, the languages that put it there have their own pattern above.)
_IN_ADVANCE = re.compile(
    _words(
        r"in\s+advance",
        r"ahead\s+of\s+time",
        r"beforehand",
        r"پیشاپیش",
        r"مقدما",
        r"مسبقا",
        r"سلفا",
        r"[şs]imdiden",
        r"pe[şs]inen",
        r"etuk[äa]teen",
    )
    + r"|ล่วงหน้า"
)

# "thanks, but it still doesn't work": a contrast after the thanks, then a failure word.
_CONTRAST = re.compile(
    r"(?<!\w)(?:but|however|though|ولی|اما|ولکن|لکن|بس|ama|fakat|ancak|mutta|vaan|tosin)(?!\w)|แต่"
)
_FAILURE = re.compile(
    r"n't|(?<!\w)(?:not|no|never|still|nothing|nope|same\s+(?:error|problem|issue)"
    r"|نه|نشد|نکرد|نمی\w*|هنوز|لم|لا|ما|مش|مو|لیس|لسه|مازال"
    r"|değil|degil|olmadı|olmadi|yaramadı|yaramadi|çalışmadı|calismadi|hala|hâlâ|yok"
    r"|ei|en|eikä|vieläkään|edelleen)(?!\w)|ไม่|ยัง"
)


@dataclass(frozen=True, slots=True)
class Detected:
    language: str
    matched: str


def detect(text: str, names: Sequence[str] = ()) -> Detected | None:
    """The thanks in `text`, or None when there is none (or it is sarcasm or a refusal).
    `names`: the display names of the members it mentions, whose words are no thanks."""

    norm = normalise(text, names)
    if not norm.strip():
        return None
    found: tuple[str, re.Match[str]] | None = None
    for language, pattern in THANKS.items():
        match = pattern.search(norm)
        if match and (found is None or match.start() < found[1].start()):
            found = (language, match)
    if found is None:
        return None
    if any(p.search(norm) for p in NOT_THANKS.values()):
        return None
    language, match = found
    after = norm[match.end() :]
    sentence = next((s for s in _SENTENCE_END.split(after) if s.strip()), "")
    if _IN_ADVANCE.search(sentence):  # (in the thanks' own sentence: "Thanks! In advance.")
        return None
    contrast = _CONTRAST.search(after)
    if contrast and _FAILURE.search(after[contrast.end() :]):
        return None
    return Detected(language, match.group(0))


def is_thanks(text: str) -> bool:
    return detect(text) is not None
