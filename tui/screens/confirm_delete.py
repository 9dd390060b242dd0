"""Deleting a user cannot be undone: the name must be typed to confirm."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class ConfirmDeleteUserScreen(ModalScreen[bool]):
    """True once the user's name is typed; False when dismissed."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Keep")]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.user_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                f"Delete {self.user_name} and all their chats, memories, profile, concepts and photos for good? "
                f"This cannot be undone ('mnemo memory export' keeps a copy). Type {self.user_name} to confirm, "
                "Escape to keep them.",
                classes="dialog-title",
            )
            yield Input(placeholder=self.user_name, id="confirm-name")
            yield Label("", id="confirm-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.user_name:
            self.dismiss(True)
        else:
            self.query_one("#confirm-error", Label).update(f"That is not {self.user_name}; nothing deleted.")
