"""A small dialog that edits one piece of text (a memory, a profile value, a name) and returns it."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class EditTextScreen(ModalScreen[str | None]):
    """Returns the edited text (stripped, never empty), or None when cancelled.

    ``check`` may refuse a value by returning a sentence that says why; the dialog then stays open.
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self,
        title: str,
        text: str = "",
        *,
        placeholder: str = "",
        hint: str = "Enter saves · Escape cancels",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.placeholder = placeholder
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.initial, placeholder=self.placeholder, id="edit-text")
            yield Label("", id="edit-error")
            with Horizontal(id="edit-buttons"):
                yield Label(self.hint, id="edit-hint")
                yield Button("Save", variant="primary", id="edit-save", compact=True)
                yield Button("Cancel", id="edit-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "edit-save":
            self._save()
        else:
            self.dismiss(None)

    def _save(self) -> None:
        value = " ".join(self.query_one(Input).value.split())
        problem = "Type something, or press Escape to cancel." if not value else None
        if problem is None and self.check is not None:
            problem = self.check(value)
        if problem:
            self.query_one("#edit-error", Label).update(problem)
            return
        self.dismiss(value)
