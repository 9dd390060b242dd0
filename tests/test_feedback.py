"""Rated replies (F8 👍, F9 👎 with the reply the user wanted) kept as preference pairs with the exact prompt the
model read; `mnemo adapt` refuses with a sentence until there are enough; users' adapters fit only their model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input

from assistant.adapter import TRAINED_ON, fingerprint, user_adapter_dir, user_adapters
from assistant.adapter.preference import held_out
from assistant.factory import Assistant, build_assistant
from assistant.feedback import PreferencePair, last_reply_id, preference_pairs, rate
from assistant.models.fake import FakeChatModel
from assistant.settings import Settings
from assistant.turn import run_turn
from tests.test_cli import run_mnemo
from tui.app import MnemoApp
from tui.screens.rate_reply import RateReplyScreen

from .pilot_waits import settle
from .test_tui import SIZE, type_and_send


def chat(assistant: Assistant, *messages: str) -> str:
    conversation = assistant.conversation("ana")
    for message in messages:
        run_turn(conversation, message)
    return conversation.session.id


def test_a_rated_reply_keeps_the_prompt_the_model_read(assistant: Assistant, fake_model: FakeChatModel) -> None:
    session = chat(assistant, "I'm allergic to peanuts.", "What should I cook tonight?")
    seen = fake_model.received[-1]
    reply = last_reply_id(assistant.store, session)
    rate(assistant.store, reply, "bad", "Something without peanuts: a tomato and basil pasta.", "forgot my allergy")
    (pair,) = preference_pairs(assistant.store, "ana")
    assert pair.system == seen[0].content and pair.prompt == seen[-1].content  # what the model read, exactly
    assert pair.rejected == assistant.store.get_message(reply).content
    assert pair.chosen.startswith("Something without peanuts") and pair.note == "forgot my allergy"
    assert pair.is_pair


def test_a_thumb_alone_keeps_one_side_and_a_later_verdict_replaces_it(assistant: Assistant) -> None:
    session = chat(assistant, "Tell me a joke.")
    reply = last_reply_id(assistant.store, session)
    rate(assistant.store, reply, "good")
    assert [(p.chosen != "", p.rejected != "") for p in preference_pairs(assistant.store, "ana")] == [(True, False)]
    rate(assistant.store, reply, "bad", better=assistant.store.get_message(reply).content)  # left as it was
    assert [(p.chosen != "", p.rejected != "") for p in preference_pairs(assistant.store, "ana")] == [(False, True)]
    assert preference_pairs(assistant.store, "someone else") == []


def test_rating_refuses_what_is_not_a_reply(assistant: Assistant) -> None:
    fresh = assistant.conversation("ana")
    with pytest.raises(LookupError, match="no reply to rate"):
        last_reply_id(assistant.store, fresh.session.id)
    session = chat(assistant, "Hello there.")
    asked = assistant.store.messages(session)[0].id
    with pytest.raises(LookupError, match="not a reply"):
        rate(assistant.store, asked, "good")
    with pytest.raises(ValueError, match="'good' or 'bad'"):
        rate(assistant.store, last_reply_id(assistant.store, session), "meh")


def test_one_pair_in_five_is_held_out_for_the_report() -> None:
    pairs = [PreferencePair(i, "s", "p", f"c{i}", f"r{i}" if i % 3 else "") for i in range(15)]
    training, evaluation = held_out(pairs)
    assert all(pair.is_pair for pair in evaluation) and len(evaluation) == 2
    assert {p.message_id for p in training}.isdisjoint({p.message_id for p in evaluation})
    assert len(training) + len(evaluation) == len(pairs)


async def test_f8_and_f9_rate_the_last_reply_in_the_chat(settings: Settings) -> None:
    assistant = build_assistant(settings, model=FakeChatModel(lambda _: "Here is a long paragraph."))
    app = MnemoApp(assistant, user="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")  # nothing to rate yet: a notice, no crash
        await type_and_send(pilot, "Ideas for a rainy day?")
        await settle(pilot)
        await pilot.press("f8")
        assert [p.chosen for p in preference_pairs(assistant.store, "ana")] == ["Here is a long paragraph."]
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, RateReplyScreen)
        await pilot.press("enter", *"- bake bread", "tab", *"bullets")  # typed after the reply; Tab: the note
        assert app.screen.query_one(Input).value == "bullets"
        await pilot.press("ctrl+s")
        await pilot.pause()
        (pair,) = preference_pairs(assistant.store, "ana")
        assert (pair.chosen, pair.rejected, pair.note) == (
            "Here is a long paragraph.\n- bake bread",
            "Here is a long paragraph.",
            "bullets",
        )
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("ctrl+l", *"Sunny ideas", "ctrl+s")  # Ctrl+L: write the wanted reply from scratch
        await pilot.pause()
        assert preference_pairs(assistant.store, "ana")[0].chosen == "Sunny ideas"
    assistant.close()


def test_the_conversation_tells_the_model_whose_reply_it_writes(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    chat(assistant, "Hi!")
    assert fake_model.last_options is not None and fake_model.last_options.user == "ana"


def test_adapt_says_how_many_rated_replies_it_needs(settings: Settings) -> None:
    result = run_mnemo("adapt", "--user", "ana", MNEMO_MODEL__BACKEND="transformers")
    assert result.returncode == 2
    assert "ana has rated 0 replies; rate at least 4" in result.stderr and "Traceback" not in result.stderr
    server = run_mnemo("adapt", "--user", "ana", MNEMO_MODEL__BACKEND="openai")
    assert server.returncode == 2 and "packaged model" in server.stderr


def test_a_users_adapter_applies_only_on_the_model_it_was_trained_on(tmp_path: Path) -> None:
    memory = tmp_path / "memory"
    memory.mkdir()
    (memory / "adapter_model.safetensors").write_bytes(b"memory adapter v1")
    for user, trained_on in (("ana", fingerprint(memory)), ("bo", "another memory adapter")):
        folder = user_adapter_dir(tmp_path, user)
        folder.mkdir(parents=True)
        (folder / "adapter_model.safetensors").write_bytes(b"lora")
        (folder / TRAINED_ON).write_text(json.dumps({"memory_adapter": trained_on}))
    half = tmp_path / "adapters" / "cy.partial"  # an interrupted `mnemo adapt`
    half.mkdir()
    (half / "adapter_model.safetensors").write_bytes(b"lora")
    (half / TRAINED_ON).write_text(json.dumps({"memory_adapter": fingerprint(memory)}))
    assert user_adapters(tmp_path, memory) == {"ana": user_adapter_dir(tmp_path, "ana")}
    assert user_adapters(tmp_path, None) == {}
