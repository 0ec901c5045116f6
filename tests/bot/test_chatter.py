"""Top-level help-channel messages that ask nothing are not tracked as questions."""

from __future__ import annotations

import pytest

from bot.chatter import is_chatter

CHATTER = [
    "ok", "+1", "k", "👍", "🙏🙏", "thanks!", "thanks @bob", "Thank you so much @Carol!",
    "ok thanks man", "ty", "kiitos!", "kiitos paljon", "teşekkürler", "çok teşekkürler",
    "ممنون", "مرسی!", "شكرا جزيلا", "ขอบคุณครับ", "@bob @carol", "thanks\u200b!",
    "thanks, that worked", "خیلی ممنون", "ขอบคุณมากครับ", "thanks again guys!",
    # QA's: acknowledgements without a thanks, and a thanks after "got it".
    "got it, thanks", "Got it!", "okay", "OK!", "lol", "bump", "nvm", "never mind", "yes",
    "joo", "okei", "tamam", "باشه", "حسنا", "โอเค",
]  # fmt: skip
QUESTIONS = [
    "npm?", "why؟", "help?", "Printer broken", "same here", "pip install fails with exit 1",
    "thanks in advance, my build fails", "thanks, but it still doesn't work",
    "Thanks! Another thing: the export button is gone since the update",
    "```Traceback: KeyError 'x'```", "ติดตั้งโปรแกรมไม่ได้ครับ ขอบคุณครับ",
    "نصب برنامه خطا میدهد ممنون", "thanks for nothing",
    "", " \u200b\u200f ",  # (blank: the core answers "your question is empty")
    # The reviewer's: short problem reports that end in a thanks, and CJK words.
    "help pls thx", "not working thx", "pip broken, thanks", "any ideas, thanks",
    "doesn't work, thanks", "build fails ty", "error 500 thanks", "ei toimi, kiitos",
    "apua kiitos", "çalışmıyor, teşekkürler", "نصب نمیشه ممنون", "کار نمیکنه ممنون",
    "لا يعمل شكرا", "ساعدوني شكرا", "ใช้ไม่ได้ ขอบคุณครับ", "帮忙", "报错",
    # Acknowledgement words beside anything else, or beside code, still ask.
    "ok so how do I install it", "bump `ImportError: no module x`", "lol my build broke",
    "yes but the export fails", "tamam ama çalışmıyor", "got it working but now it crashes",
]  # fmt: skip


@pytest.mark.parametrize("text", CHATTER)
def test_chatter(text: str) -> None:
    assert is_chatter(text)


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions(text: str) -> None:
    assert not is_chatter(text)
