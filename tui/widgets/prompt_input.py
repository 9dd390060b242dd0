"""The multi-line message input: Enter sends, Shift+Enter or Ctrl+J adds a line, Up/Down recall history."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from assistant.media import ATTACHABLE_SUFFIXES


def pasted_paths(text: str) -> list[Path]:
    """The files a paste names, when it is nothing but paths of photos or voice notes (a terminal drop)."""
    text = text.strip()
    if not text or len(text) > 4096:
        return []
    try:
        words = shlex.split(text)  # handles quotes and backslash-escaped spaces
    except ValueError:
        return []
    paths = []
    for word in words:
        word = word.removeprefix("file://")
        path = Path(word).expanduser()
        if path.suffix.lower() not in ATTACHABLE_SUFFIXES or not path.is_file():
            return []
        paths.append(path.resolve())
    return paths


def complete_path(typed: str) -> tuple[str, list[str]]:
    """The longest unambiguous completion of ``typed`` and the entries it could still become."""
    expanded = os.path.expanduser(typed) if typed else "./"
    folder, prefix = os.path.split(expanded)
    try:
        names = sorted(
            name for name in os.listdir(folder or ".") if name.startswith(prefix) and not name.startswith(".")
        )
    except OSError:
        return typed, []
    choices = [name + "/" if os.path.isdir(os.path.join(folder or ".", name)) else name for name in names]
    if not choices:
        return typed, []
    common = os.path.commonprefix(choices)
    if len(common) <= len(prefix):
        return typed, choices
    head = typed[: len(typed) - len(prefix)] if prefix else typed
    return head + common, choices


class PromptInput(TextArea):
    """Posts :class:`PromptInput.Submitted` with the text when the user presses Enter."""

    DEFAULT_CSS = """
    PromptInput { height: auto; min-height: 3; max-height: 10; }
    """

    BINDINGS = [
        # Enter is handled in _on_key, in order with the typed characters: a priority binding would run
        # ahead of characters still queued (a fast paste would be cut). These rows are for footer and help.
        Binding("enter", "submit", "Send", show=False),
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

    @dataclass
    class PathsPasted(Message):
        """The user pasted (or dropped) the paths of files to attach, not text."""

        prompt_input: PromptInput
        paths: list[Path]

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

    async def _on_paste(self, event: events.Paste) -> None:
        paths = pasted_paths(event.text)
        if paths:
            event.stop()
            event.prevent_default()
            self.post_message(self.PathsPasted(self, paths))
            return
        await super()._on_paste(event)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab" and self.text.startswith("/attach "):
            event.stop()
            event.prevent_default()
            self.complete_path()
            return
        if event.key in ("enter", "shift+enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            self.action_submit() if event.key == "enter" else self.action_newline()
            return
        await super()._on_key(event)

    def complete_path(self) -> None:
        """Tab after ``/attach``: complete the path as far as it is unambiguous; list the choices otherwise."""
        typed = self.text.removeprefix("/attach ")
        completed, choices = complete_path(typed)
        if completed != typed:
            self.text = f"/attach {completed}"
            self.move_cursor(self.document.end)
        elif len(choices) > 1:
            self.notify("  ".join(choices[:12]) + ("  …" if len(choices) > 12 else ""), timeout=6)

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
