"""The multi-line message input: Enter sends, Shift+Enter or Ctrl+J adds a line, Up/Down recall history."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    """Posts :class:`PromptInput.Submitted` with the text when the user presses Enter."""

    DEFAULT_CSS = """
    PromptInput { height: auto; min-height: 3; max-height: 10; }
    """

    BINDINGS = [
        # Enter is handled in _on_key, in order with the typed characters: a priority binding would run
        # ahead of characters still queued (a fast paste would be cut). These rows are for footer and help.
        Binding("enter", "submit", "Send"),
        Binding("shift+enter,ctrl+j", "newline", "New line", show=False),
    ]

    @dataclass
    class Submitted(Message):
        """The user sent ``text`` (already removed from the input)."""

        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt_input

    def __init__(self, *, sent_history: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", **kwargs)  # type: ignore[arg-type]
        self.sent_history: list[str] = list(sent_history or [])
        self._history_index: int | None = None
        self._draft = ""

    def action_submit(self) -> None:
        text = self.text
        if not text.strip():
            return
        self.remember(text)
        self.clear()
        self.post_message(self.Submitted(self, text))

    def action_newline(self) -> None:
        self.insert("\n")

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("enter", "shift+enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            self.action_submit() if event.key == "enter" else self.action_newline()
            return
        await super()._on_key(event)

    def remember(self, text: str) -> None:
        if not self.sent_history or self.sent_history[-1] != text:
            self.sent_history.append(text)
        self._history_index = None

    def restore(self, text: str) -> None:
        """Put text back (a refused or failed message), cursor at the end."""
        self.text = text
        self.move_cursor(self.document.end)
        self.focus()

    def action_cursor_up(self, select: bool = False) -> None:
        if not select and self.cursor_location[0] == 0 and self.sent_history:
            self._recall(-1)
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if not select and self._history_index is not None and self.cursor_at_last_line:
            self._recall(+1)
            return
        super().action_cursor_down(select)

    def _recall(self, step: int) -> None:
        if self._history_index is None:
            if step > 0:
                return
            self._draft = self.text
            index = len(self.sent_history) - 1
        else:
            index = self._history_index + step
        if index < 0:
            index = 0
        if index >= len(self.sent_history):
            self._history_index = None
            self.text = self._draft
        else:
            self._history_index = index
            self.text = self.sent_history[index]
        self.move_cursor(self.document.end)
