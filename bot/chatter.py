"""Top-level messages in a help channel that ask nothing: "ok", "+1", "👍", "thanks @bob!".

In a text help channel (Discord) or a Slack help channel every top-level message becomes a
question with its own thread, reminders and an escalation to the helpers. Members also
write there what belonged in a thread: a thank-you, an "ok", a "+1". Tracking those pings
helpers about nothing, so the adapters leave them alone (`is_chatter`). A forum post, and
`/ask`, are deliberate questions and are never judged.

Deliberately conservative, as thanks detection is (`bot.thanks`): a question mark in any
script makes it a question, and so does anything but a thanks among a few filler words
("so much", "guys", "paljon"), a message of one or two letters, or one of a few words that
only acknowledge ("ok", "got it", "bump", "lol"). Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text import is_blank
from bot.thanks import MENTION, detect, normalise

# "?" in Latin, full-width (CJK), Arabic and Persian (؟), and the reversed one.
QUESTION_MARKS = frozenset("?？؟⸮")
# "ok", "+1", "k", an emoji: fewer letters or digits than this is no question (in scripts
# whose one character is no word: a Chinese or Japanese character can be).
MIN_ALNUM = 3
# Words that may stand beside a thanks in a bare thank-you ("thanks so much guys", "ok
# thanks", "kiitos paljon", "çok teşekkürler", "خیلی ممنون", "ขอบคุณครับ"). Anything else
# beside it ("pip broken, thanks", "ei toimi, kiitos") may be the problem: a question.
FILLERS = frozenset(
    """ok okay k so very much a lot lots all you guys everyone folks man mate again
    great awesome cool nice perfect got it that this worked works work fixed solved now and for
    the help your again once more really too as always
    paljon kovasti taas nyt
    çok cok da de hepinize herkese
    خیلی زیاد بسیار از همه دمت گرم
    جزيلا جزیلا كثيرا کثیرا لكم لکم للجميع
    ครับ ค่ะ คะ นะ มาก มากๆ""".split()
)
# Whole messages that only acknowledge ("ok", "got it", "lol", "bump", "nvm"): made of these
# words alone, a message asks nothing. ("same here" may be a problem report: a question.)
ACKNOWLEDGEMENTS = frozenset(
    """ok okay okey okk kk k got it lol lmao haha hahaha bump nvm nevermind never mind noted
    sure yes yep yeah no nope np cool nice great
    joo okei selvä jep
    tamam anladım anladim olur
    باشه اوکی حله
    حسنا تمام
    โอเค""".split()
)
_WORD = re.compile(r"\w+")
_IDEOGRAPHIC = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Thai runs words together: its polite particles and "very" are split off its words.
_THAI_FILLER = re.compile(r"ครับ|ค่ะ|คะ|นะ|มากๆ|มาก")


def is_chatter(text: str) -> bool:
    """True when a top-level help-channel message asks nothing: a bare thank-you, or one or
    two letters or symbols. Mentions are no words; code is (a pasted traceback asks)."""

    if is_blank(text) or any(mark in text for mark in QUESTION_MARKS):
        return False  # (a blank one is an empty question: the core says so)
    bare = MENTION.sub(" ", text)
    if _alnum(bare) < MIN_ALNUM and not _IDEOGRAPHIC.search(bare):  # (code counts)
        return True
    thanks = detect(text)
    if thanks is None:
        words = _WORD.findall(unicodedata.normalize("NFKC", bare).casefold())  # (code counts)
        return bool(words) and all(word in ACKNOWLEDGEMENTS for word in words)
    beside = normalise(text).replace(thanks.matched, " ", 1)
    beside = _THAI_FILLER.sub(" ", beside)
    return all(word in FILLERS for word in _WORD.findall(beside))


def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)
