"""👎 on a reply: the reply the user wanted instead (edit it in place) and what was wrong, both optional.

``mnemo adapt`` trains the user's own adapter on what is kept here (:mod:`assistant.feedback`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea


@dataclass(frozen=True)
class Verdict:
    better: str
    """The reply the user wanted; the same text as the reply when they left it alone."""
    note: str


class RateReplyScreen(ModalScreen[Verdict | None]):
    """Returns the user's verdict, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+l", "clear", "Clear the reply", priority=True),
    ]

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                "👎 Not like that. Edit the reply into the one you wanted (or leave it), and say what was wrong.",
                classes="dialog-title",
            )
            yield TextArea(self.reply, id="better-reply", soft_wrap=True, tab_behavior="focus")
            yield Input(placeholder="what was wrong (optional): too long, no bullet points…", id="what-was-wrong")
            with Horizontal(id="edit-buttons"):
                yield Label("Ctrl+L clears the reply · Tab: next box · Ctrl+S saves · Esc cancels", id="edit-hint")
                yield Button("Save", variant="primary", id="edit-save", compact=True)
                yield Button("Cancel", id="edit-cancel", compact=True)

    def on_mount(self) -> None:
        reply = self.query_one(TextArea)
        reply.move_cursor(reply.document.end)
        reply.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "edit-save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_clear(self) -> None:
        """Empty the reply, to write the wanted one from scratch."""
        reply = self.query_one(TextArea)
        reply.clear()
        reply.focus()

    def action_save(self) -> None:
        better = self.query_one(TextArea).text.strip() or self.reply
        self.dismiss(Verdict(better, self.query_one(Input).value.strip()))
