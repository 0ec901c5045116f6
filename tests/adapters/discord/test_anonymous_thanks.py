"""An anonymous asker thanking a helper in their thread is not pointed at (Discord, end to
end): the quiet "Did Bob's answer solve it?" offer, which only the asker's thanks gets, is
not posted under their message for an anonymous question. A named asker still gets it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.discord.conftest import Harness
from tests.adapters.discord.test_hidden_asks import ask


@pytest.fixture
def community_settings() -> dict[str, Any]:
    return {"lifecycle": {"anonymous_questions": True}}


async def offers_after(h: Harness, thread_id: int, before: int) -> list[str]:
    await h.settled()
    return [m["content"] for m in h.bot_messages(thread_id)[before:] if "solve it?" in m["content"]]


@pytest.mark.parametrize("anonymous", [True, False])
async def test_the_askers_thanks_gets_a_public_offer_only_when_named(
    h: Harness, anonymous: bool
) -> None:
    thread_id = await ask(h, h.w.text, "Why does my script crash on import?", anonymous=anonymous)
    await h.answer(thread_id, h.w.bob, "Reinstall the package")
    before = len(h.bot_messages(thread_id))

    await h.fake.post_message(thread_id, h.w.alice, f"thanks <@{h.w.bob.id}>, that fixed it!")

    offers = await offers_after(h, thread_id, before)
    assert len(offers) == (0 if anonymous else 1), offers
    # Bob is thanked either way, and the asker is not named to him when anonymous.
    thanked = [t for t in h.fake.dm_texts(h.w.bob) if "thanked you" in t]
    assert len(thanked) == 1 and (not anonymous or thanked[0].startswith("The asker of #"))
