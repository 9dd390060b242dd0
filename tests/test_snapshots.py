"""How the app looks at 80x24, with fixed data (update with: pytest tests/test_snapshots.py --snapshot-update)."""

from __future__ import annotations

from assistant.factory import Assistant
from assistant.models.fake import FakeChatModel
from tui.app import MnemoApp

from .pilot_waits import steady

SIZE = (80, 24)
REPLY = """Here is what I found:

- **Paris** is the capital of France.
- It lies on the *Seine*.

```python
print("bonjour")
```"""


def app_with_a_past_chat(assistant: Assistant) -> MnemoApp:
    assistant.model.get().script = lambda _: REPLY  # type: ignore[attr-defined]
    conversation = assistant.conversation("alice")
    list(conversation.send("What is the capital of France?"))
    return MnemoApp(assistant, user="alice", session_id=conversation.session.id)


def test_chat_with_a_markdown_reply(snap_compare, assistant: Assistant) -> None:
    assert snap_compare(app_with_a_past_chat(assistant), terminal_size=SIZE, run_before=steady)


def test_help_screen(snap_compare, assistant: Assistant) -> None:
    assert snap_compare(app_with_a_past_chat(assistant), terminal_size=SIZE, press=["f1"], run_before=steady)


def test_empty_chat_with_a_draft(snap_compare, assistant: Assistant, fake_model: FakeChatModel) -> None:
    app = MnemoApp(assistant, user="bob")
    assert snap_compare(app, terminal_size=SIZE, press=[*"Hello", "ctrl+j", *"second line"], run_before=steady)
