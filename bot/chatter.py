"""Top-level messages in a help channel that ask nothing: "ok", "+1", "👍", "thanks @bob!".

In a text help channel (Discord) or a Slack help channel every top-level message becomes a
question with its own thread, reminders and an escalation to the helpers. Members also
write there what belonged in a thread: a thank-you, an "ok", a "+1". Tracking those pings
helpers about nothing, so the adapters leave them alone (`is_chatter`). A forum post, and
`/ask`, are deliberate questions and are never judged.

Deliberately conservative, as thanks detection is (`bot.thanks`): a question mark in any
script makes it a question, and so does anything but a thanks with a few letters around it
or a message of one or two letters. Pure: no I/O.
"""

from __future__ import annotations

from bot.thanks import MENTION, detect, normalise

# "?" in Latin, full-width (CJK), Arabic and Persian (؟), and the reversed one.
QUESTION_MARKS = frozenset("?？؟⸮")
# "ok", "+1", "k", an emoji: fewer letters or digits than this is no question.
MIN_ALNUM = 3
# A thanks with at most this many letters or digits besides its thanks words ("thanks so
# much", "ok thanks man", "ขอบคุณครับ") is a thank-you, not a question that ends in one.
MAX_ALNUM_BESIDE_THANKS = 10


def is_chatter(text: str) -> bool:
    """True when a top-level help-channel message asks nothing: a bare thank-you, or one or
    two letters or symbols. Mentions are no words; code is (a pasted traceback asks)."""

    if any(mark in text for mark in QUESTION_MARKS):
        return False
    if _alnum(MENTION.sub(" ", text)) < MIN_ALNUM:  # (code counts: a traceback asks)
        return True
    thanks = detect(text)
    if thanks is None:
        return False
    beside = normalise(text).replace(thanks.matched, " ", 1)
    return _alnum(beside) <= MAX_ALNUM_BESIDE_THANKS


def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)
