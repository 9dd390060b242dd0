from collections.abc import Sequence

import pytest

from assistant.conversation import MessageTooLongError, clean_user_text
from assistant.factory import Assistant, build_assistant
from assistant.models import CancelToken, ChatMessage
from assistant.models.fake import FakeChatModel
from assistant.prompt import AttachmentContext, PromptPart, PromptRequest
from assistant.settings import Settings

from .conftest import SHARED_DATA


def test_reply_streams_in_pieces_and_both_messages_are_stored(assistant: Assistant) -> None:
    conversation = assistant.conversation("alice")
    pieces = list(conversation.send("hello there"))
    assert len(pieces) > 1
    assert "".join(pieces) == "You said: hello there"
    stored = conversation.history()
    assert [(m.role, m.content) for m in stored] == [("user", "hello there"), ("assistant", "You said: hello there")]
    assert conversation.last_reply.status == "complete"
    assert conversation.last_reply.completion_tokens > 0
    assert conversation.session.title == "hello there"


def test_system_prompt_has_persona_and_date_but_not_the_user_id(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    list(assistant.conversation("alice").send("hi"))
    system = fake_model.received[-1][0]
    assert system.role == "system"
    assert system.content.startswith(assistant.settings.chat.persona)
    # The user id is a login name ("me" by default), not how to address them: the profile says their name.
    assert "Today is" in system.content and "alice" not in system.content


def test_history_reaches_the_model_on_the_next_turn_and_on_resume(assistant: Assistant, fake_model) -> None:
    conversation = assistant.conversation("alice")
    list(conversation.send("my cat is Miso"))
    resumed = assistant.conversation("alice", conversation.session.id)
    list(resumed.send("what is my cat called?"))
    contents = [m.content for m in fake_model.received[-1]]
    assert "my cat is Miso" in contents
    assert contents[-1] == "what is my cat called?"


def test_long_history_drops_the_oldest_turns_to_fit(settings: Settings) -> None:
    model = FakeChatModel(context_window=300)
    assistant = build_assistant(settings.model_copy(update={"model": settings.model.model_copy()}), model=model)
    assistant.options = assistant.options.__class__(max_new_tokens=50)
    conversation = assistant.conversation("alice")
    for index in range(30):
        list(conversation.send(f"message number {index} " + "word " * 10))
    sent = model.received[-1]
    assert model.count_tokens(sent) <= 300 - 50
    assert sent[-1].content.startswith("message number 29")
    assert all("message number 0 " not in m.content for m in sent)
    assert sent[1].role == "user"  # never starts mid-exchange
    assert conversation.last_reply.dropped_messages > 0


def test_a_full_window_drops_a_block_of_turns_so_the_prompt_keeps_its_start(settings: Settings) -> None:
    """Dropping one exchange a turn would change the prompt right after the system prompt at every turn, and the
    model would read the whole chat again each time; dropping a block keeps the start for the next turns."""
    model = FakeChatModel(context_window=400)
    assistant = build_assistant(settings, model=model)
    assistant.options = assistant.options.__class__(max_new_tokens=50)
    conversation = assistant.conversation("alice")
    starts = []
    for index in range(40):
        list(conversation.send(f"message number {index} " + "word " * 10))
        sent = model.received[-1]
        assert model.count_tokens(sent) <= 400 - 50 and sent[-1].content.startswith(f"message number {index} ")
        starts.append(sent[1].content if len(sent) > 2 else "")
    changes = sum(1 for before, after in zip(starts, starts[1:], strict=False) if before != after)
    assert 1 <= changes <= 40 // 4  # the start moves now and then, not at every turn


def test_over_long_message_is_refused_and_not_stored(settings: Settings) -> None:
    assistant = build_assistant(settings, model=FakeChatModel(context_window=600))
    conversation = assistant.conversation("alice")
    with pytest.raises(MessageTooLongError, match="too long"):
        list(conversation.send("word " * 1000))
    assert conversation.history() == []


def test_empty_message_is_ignored(assistant: Assistant) -> None:
    conversation = assistant.conversation("alice")
    with pytest.raises(ValueError):
        list(conversation.send("   \n\t "))
    assert conversation.history() == []


def test_cancel_mid_stream_keeps_the_partial_reply_marked_cancelled(settings: Settings) -> None:
    model = FakeChatModel(lambda _: "one two three four five six seven eight")
    conversation = build_assistant(settings, model=model).conversation("alice")
    cancel = CancelToken()
    received = []
    for piece in conversation.send("count", cancel):
        received.append(piece)
        if len(received) == 3:
            cancel.cancel()
    assert "".join(received) == "one two three"
    reply = conversation.history()[-1]
    assert (reply.role, reply.content, reply.status) == ("assistant", "one two three", "cancelled")
    assert conversation.last_reply.status == "cancelled"


def test_model_failure_keeps_the_users_message_and_the_session(settings: Settings) -> None:
    model = FakeChatModel(fail_after=2)
    conversation = build_assistant(settings, model=model).conversation("alice")
    list(conversation.send("please fail"))
    assert conversation.last_reply.status == "error"
    assert "failed on purpose" in (conversation.last_reply.error or "")
    history = conversation.history()
    assert history[0].content == "please fail"
    assert history[-1].status == "error"
    model.fail_after = None
    list(conversation.send("and now?"))
    assert conversation.last_reply.status == "complete"
    # the failed reply is not fed back to the model
    assert all(m.content != "You said:" for m in model.received[-1])


def test_unexpected_exception_in_a_model_is_an_error_reply_not_a_crash(settings: Settings) -> None:
    class Exploding(FakeChatModel):
        def stream(self, messages, options, cancel):
            yield "half"
            raise RuntimeError("segfault-ish")

    conversation = build_assistant(settings, model=Exploding()).conversation("alice")
    assert list(conversation.send("go")) == ["half"]
    assert conversation.last_reply.status == "error"
    assert "segfault-ish" in (conversation.last_reply.error or "")


def test_pasted_binary_and_invalid_utf8_are_cleaned() -> None:
    assert clean_user_text(b"caf\xc3\xa9 \xff\xfe ok") == "café �� ok"
    assert clean_user_text("a\x00b\x1bc\r\nnext\tline\ud800") == "a b c\nnext\tline?"
    assert clean_user_text("\x00\x01") == ""


def test_users_do_not_see_each_others_sessions(assistant: Assistant) -> None:
    alice = assistant.conversation("alice")
    list(alice.send("secret of alice"))
    bob = assistant.conversation("bob")
    assert bob.history() == []
    assert [s.id for s in assistant.store.list_sessions("bob")] == [bob.session.id]


class FavouriteColourProvider:
    """A stand-in for the memory layer: providers plug in without touching the engine."""

    name = "memories"

    def parts(self, request: PromptRequest) -> Sequence[PromptPart]:
        return [PromptPart("What you remember", "- The user's favourite colour is teal.", order=60, references=("m1",))]


def test_context_providers_plug_into_the_system_prompt(assistant: Assistant, fake_model: FakeChatModel) -> None:
    assistant.prompt_builder.add_provider(FavouriteColourProvider())
    conversation = assistant.conversation("alice")
    list(conversation.send("what is my favourite colour?"))
    system = fake_model.received[-1][0].content
    assert "## What you remember\n- The user's favourite colour is teal." in system
    assert conversation.last_reply.prompt_parts[-1].references == ("m1",)


def test_attachment_descriptions_are_a_tool_report(assistant: Assistant, fake_model: FakeChatModel) -> None:
    stored = assistant.store.store_attachment(SHARED_DATA / "images" / "chelsea.png", "image")
    attachment = AttachmentContext(stored.sha256, "image", "chelsea.png", "top labels: tabby cat 0.81")
    conversation = assistant.conversation("alice")
    list(conversation.send("what is this?", attachments=[attachment]))
    assert [a.sha256 for a in assistant.store.message_attachments(conversation.history()[0].id)] == [stored.sha256]
    system, sent = fake_model.received[-1][0].content, fake_model.received[-1][-1].content
    assert "You cannot see images directly; an image tool describes each photo" in system
    assert sent == "what is this?\n[photo chelsea.png — the image tool says: top labels: tabby cat 0.81]"
    assert assistant.store.messages(conversation.session.id)[0].content == "what is this?"  # stored as typed


def test_chat_message_roles_reach_the_model_in_order(assistant: Assistant, fake_model: FakeChatModel) -> None:
    conversation = assistant.conversation("alice")
    list(conversation.send("a"))
    list(conversation.send("b"))
    assert [m.role for m in fake_model.received[-1]] == ["system", "user", "assistant", "user"]
    assert isinstance(fake_model.received[-1][0], ChatMessage)
