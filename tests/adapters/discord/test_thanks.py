"""Thanks on Discord: in thread messages (with and without a mention, in several languages,
not for sarcasm), `/thanks`, the quiet "Mark as solution" offer, and the receiver's one DM."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model import QuestionStatus
from tests.adapters.discord.conftest import Harness, custom_ids
from tests.helpers import eventually

EPHEMERAL = 1 << 6
THANKS_POINTS = 2


def thanked_dms(h: Harness, user: Any) -> list[str]:
    return [t for t in h.fake.dm_texts(user) if "thanked you" in t]


def offers(h: Harness, thread_id: int) -> list[dict[str, Any]]:
    return [
        m
        for m in h.bot_messages(thread_id)
        if any(cid.startswith("cb:accept:") for cid in custom_ids(m))
    ]


async def settle(h: Harness, thread_id: int, user: Any, text: str) -> None:
    """Post a message and wait until the core has recorded it (thanks and all)."""

    message = await h.fake.post_message(thread_id, user, text)

    async def recorded() -> bool:
        async with h.app.bot.uow_factory(write=False) as uow:
            return await uow.questions.message("discord", message["id"]) is not None

    await eventually(recorded)


async def test_thanks_with_a_mention_credits_that_member_and_offers_the_solution(
    h: Harness, kind: str
) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.answer(thread_id, h.w.carol, "or try orjson")
    await h.fake.post_message(thread_id, h.w.alice, f"thanks <@{h.w.bob.id}>, that did it!")
    await eventually(lambda: thanked_dms(h, h.w.bob))
    assert await h.points(h.w.bob) == THANKS_POINTS and await h.points(h.w.carol) == 0
    assert thanked_dms(h, h.w.carol) == []

    # One quiet line with a button in the thread: nobody pinged.
    offer = (await eventually(lambda: offers(h, thread_id)))[0]
    assert "Mark it as the solution" in offer["content"] and f"<@{h.w.bob.id}>" in offer["content"]
    assert custom_ids(offer) == [f"cb:accept:{answer}"]
    post = h.fake.last_call("POST", f"/channels/{thread_id}/messages")
    assert post.json["allowed_mentions"]["parse"] == []

    # Only the asker can use it.
    refused = await h.fake.interact(
        h.fake.component(int(offer["id"]), f"cb:accept:{answer}", user=h.w.carol)
    )
    assert "Only the person who asked" in await h.done(refused)
    accepted = await h.fake.interact(
        h.fake.component(int(offer["id"]), f"cb:accept:{answer}", user=h.w.alice)
    )
    assert "Marked" in await h.done(accepted)
    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.SOLVED
    assert await h.points(h.w.bob) == THANKS_POINTS + 15
    await eventually(lambda: custom_ids(h.fake.find_message(int(offer["id"])) or {}) == [])
    # Told once, privately.
    assert len(thanked_dms(h, h.w.bob)) == 1


async def test_thanks_without_a_mention_credits_the_only_other_participant(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.fake.post_message(thread_id, h.w.alice, "thank you so much!")
    await eventually(lambda: thanked_dms(h, h.w.bob))
    assert await h.points(h.w.bob) == THANKS_POINTS
    # Thanking again in the same question earns nothing and tells nobody again.
    await settle(h, thread_id, h.w.alice, "thx again")
    assert await h.points(h.w.bob) == THANKS_POINTS
    assert len(thanked_dms(h, h.w.bob)) == 1


async def test_thanks_without_a_mention_among_several_helpers_credits_nobody(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.answer(thread_id, h.w.carol, "or try orjson")
    await settle(h, thread_id, h.w.alice, "thanks everyone")
    assert await h.points(h.w.bob) == 0 and await h.points(h.w.carol) == 0
    assert offers(h, thread_id) == []


@pytest.mark.parametrize(
    "text",
    ["ممنون، درست شد", "شكراً جزيلاً", "teşekkürler, oldu!", "kiitos paljon!", "ขอบคุณครับ ได้แล้ว"],
)
async def test_multilingual_thanks(h: Harness, text: str) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.fake.post_message(thread_id, h.w.alice, text)
    await eventually(lambda: thanked_dms(h, h.w.bob))
    assert await h.points(h.w.bob) == THANKS_POINTS


@pytest.mark.parametrize(
    "text", ["thanks for nothing", "no thanks", "thanks in advance", "thanks but it still fails"]
)
async def test_sarcasm_and_refusals_are_not_credited(h: Harness, text: str) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await settle(h, thread_id, h.w.alice, f"{text} <@{h.w.bob.id}>")
    assert await h.points(h.w.bob) == 0
    assert thanked_dms(h, h.w.bob) == [] and offers(h, thread_id) == []


async def test_a_helper_thanking_gets_no_offer(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.answer(thread_id, h.w.carol, f"thanks <@{h.w.bob.id}>, I learned something")
    await eventually(lambda: thanked_dms(h, h.w.bob))
    assert offers(h, thread_id) == []


async def test_thanks_command_is_private_and_offers_the_solution(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    handle = await h.command("thanks", h.w.alice, thread_id, options={"member": h.w.bob})
    text = await h.done(handle)
    assert f"<@{h.w.bob.id}> was thanked (+2)" in text and "Mark it as the solution" in text
    original = handle.record.original
    assert original is not None and original["flags"] & EPHEMERAL
    assert custom_ids(original) == [f"cb:accept:{answer}"]
    await eventually(lambda: thanked_dms(h, h.w.bob))
    assert "for your help with #" in thanked_dms(h, h.w.bob)[0]

    click = await h.fake.interact(
        h.component(handle, f"cb:accept:{answer}", h.w.alice, component_type=2)
    )
    assert "Marked" in await h.done(click)
    assert await h.points(h.w.bob) == THANKS_POINTS + 15

    again = await h.command("thanks", h.w.alice, thread_id, options={"member": h.w.bob})
    assert "already thanked" in await h.done(again)


async def test_thanks_command_refusals(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    own = await h.command("thanks", h.w.alice, thread_id, options={"member": h.w.alice})
    assert "can't thank yourself" in await h.done(own)
    # Someone the bot has never seen can be thanked explicitly: they are stored, not refused;
    # they did not answer in this question, though, so they earn nothing for it.
    stranger = await h.command("thanks", h.w.alice, thread_id, options={"member": h.w.carol})
    text = await h.done(stranger)
    assert "hasn't taken part" not in text and "haven't answered in this question" in text
    assert await h.points(h.w.carol) == 0
    # Outside a question thread a thanks is still given, tied to no question, without offer.
    outside = await h.command("thanks", h.w.alice, h.w.other, options={"member": h.w.bob})
    text = await h.done(outside)
    assert "was thanked (+2)" in text and "solution" not in text
    await eventually(
        lambda: any(t.endswith("thanked you: +2 points.") for t in thanked_dms(h, h.w.bob))
    )
