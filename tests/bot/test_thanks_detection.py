"""Thanks detection on real-looking thread messages, six languages, sarcasm and refusals."""

from __future__ import annotations

import pytest

from bot.thanks import detect, is_thanks

# (message, counts as thanks?) — written the way people actually type in help threads.
TABLE: list[tuple[str, bool]] = [
    # English
    ("thanks @bob, that fixed it!", True),
    ("Thanks!", True),
    ("thx", True),
    ("ty, works now", True),
    ("Thank you so much, the reset link worked", True),
    ("tysm 🙏", True),
    ("much appreciated", True),
    ("ok that did it, thanks a lot", True),
    ("THANK YOU!!!", True),
    ("thanks for nothing", False),
    ("Thanks for nothing, I'll ask somewhere else", False),
    ("no thanks", False),
    ("No, thanks, I'll keep the old version", False),
    ("thanks but it didn't work", False),
    ("Thanks, but I still get the same error", False),
    ("thanks in advance!", False),
    ("Thanks anyway", False),
    ("I tried `thanks()` in the REPL and it crashed", False),
    ("How do I reset my password?", False),
    ("the thx file is missing", True),  # word match: we accept the rare false positive
    ("they said Anthony typed it", False),
    # a mention is a name (adapters store "@name"): members called "ty" or "Thx" are not thanks
    ("ask @ty about the config", False),
    ("@Thx can you look at this?", False),
    ("@ty thanks, that was it", True),
    ("thanks, but could you also explain why?", True),
    # thanks for help not yet given: an in-advance word anywhere after the thanks, and the
    # conditional or future "would appreciate" (a request, not gratitude)
    ("thank u in advance", False),
    ("Thanks!! In advance.", False),
    # An in-advance word in a later sentence is not about the thanks.
    ("thanks, works now. I should have read the docs beforehand", True),
    ("kiitos, toimii nyt! Olisi pitänyt lukea ohjeet etukäteen", True),
    ("thank ya in advance", False),
    ("Much appreciated in advance", False),
    ("Thank you very much in advance for any help", False),
    ("thanks so much, in advance!", False),
    ("thanks ahead of time", False),
    ("I would appreciate it if you could explain that part", False),
    ("I'd really appreciate it if someone could check", False),
    ("will appreciate any pointers, thanks", False),
    ("I'd appreciate that", False),
    ("we’ll appreciate that a lot", False),
    ("any help would be much appreciated", False),
    ("I appreciate it, that fixed it", True),
    ("much appreciated, works now", True),
    ("thanks, will do", True),
    ("thanks! I'll know to check the logs next time", True),
    ("thanks, that advanced the build past the error", True),
    # Persian
    ("مرسی، درست شد", True),
    ("ممنونم از راهنمایی‌ت", True),
    ("خیلی ممنون @bob", True),
    ("سپاس فراوان", True),
    ("متشکرم، حل شد", True),
    ("نه مرسی", False),
    ("مرسی ولی کار نکرد", False),
    ("ممنون بابت هیچی", False),
    ("پیشاپیش ممنون", False),
    ("ممنون میشم اگه کمک کنید", False),
    ("خیلی ممنون می‌شم راهنمایی کنید", False),
    ("ممنونت میشم", False),
    ("متشکر خواهم شد اگر جواب بدید", False),
    ("مرسی پیشاپیش", False),
    ("ممنون، میشه یه سوال دیگه هم بپرسم؟", True),
    ("خیلی ممنون، مشکلم حل شد", True),
    # Arabic
    ("شكرا جزيلا", True),
    ("شكراً، اشتغلت", True),
    ("مشكور يا غالي", True),
    ("شكرًا لك", True),
    ("لا شكرا", False),
    ("شكرا بس ما اشتغل", False),
    ("شكرا على لا شيء", False),
    ("شكرا مقدما", False),
    ("شكرا مسبقا", False),
    ("شكراً سلفاً على المساعدة", False),
    ("شكرا، اشتغل الآن", True),
    # Turkish
    ("teşekkürler, oldu", True),
    ("Teşekkür ederim hocam", True),
    ("sağ ol, çalıştı", True),
    ("tesekkurler", True),
    ("hayır teşekkürler", False),
    ("teşekkürler ama işe yaramadı", False),
    ("hiçbir şey için teşekkürler", False),
    ("şimdiden teşekkürler", False),
    ("teşekkürler şimdiden", False),
    ("teşekkür ederim şimdiden", False),
    ("peşinen teşekkürler", False),
    ("teşekkürler, şimdi çalıştı", True),
    # Finnish
    ("kiitos, toimii!", True),
    ("Kiitti @bob", True),
    ("kiitoksia paljon", True),
    ("ei kiitos", False),
    ("kiitos mutta ei toiminut", False),
    ("kiitos jo etukäteen", False),
    ("kiitos tyhjästä", False),
    ("kiitti etukäteen", False),
    ("kiitos paljon etukäteen", False),
    ("kiitos avusta, nyt toimii", True),
    # Thai (no spaces between words)
    ("ขอบคุณครับ ใช้ได้แล้ว", True),
    ("ขอบคุณมากค่ะ", True),
    ("โอเคขอบใจนะ", True),
    ("ไม่เป็นไรครับ ขอบคุณ", False),
    ("ขอบคุณครับแต่ยังไม่ได้", False),
    ("ขอบคุณล่วงหน้าครับ", False),
    ("ขอบคุณครับ ล่วงหน้านะครับ", False),
    ("ขอบคุณครับ ตอนนี้ใช้ได้แล้ว", True),
    ("ติดตั้งยังไงครับ", False),
]


def test_table_is_large_and_covers_six_languages() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize(("message", "expected"), TABLE)
def test_detects_thanks(message: str, expected: bool) -> None:
    assert is_thanks(message) is expected, detect(message)


def test_reports_the_language() -> None:
    assert detect("kiitos!") is not None and detect("kiitos!").language == "fi"  # type: ignore[union-attr]
    assert detect("ขอบคุณครับ").language == "th"  # type: ignore[union-attr]
    assert detect("شكراً").language == "ar"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "name",
    [
        "Mr Thanks",
        "Dev 👩\u200d💻 Thanks",  # (a zero-width joiner inside an emoji, dropped from the text)
        "\u200fMr Thanks",  # (a directional mark, as some clients prefix names)
    ],
)
def test_a_mentioned_members_whole_name_is_no_thanks(name: str) -> None:
    """The name is matched in the text as the text is read: invisible characters dropped
    from both, or the name is missed and its last word taken for the writer's thanks."""

    assert detect(f"@{name} could you look at the logs?", [name]) is None
    assert detect(f"@{name} thanks, that fixed it!", [name]) is not None
