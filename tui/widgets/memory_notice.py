"""What one exchange taught mnemo, shown under the reply with Accept / Edit / Undo, so junk is caught at birth."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button

from tui.widgets.message_view import MessageView

if TYPE_CHECKING:
    from memory.writer import WriteReport

ACCEPT_TIP = "Right: keep it, fully sure"


class MemoryNotice(MessageView):
    """A notice bubble with the lines of a write report and three buttons; the chat does the work and calls
    :meth:`settle`, which puts what became of it in the bubble's footer."""

    DEFAULT_CSS = """
    MemoryNotice > Horizontal { height: auto; }
    MemoryNotice Button { margin-right: 2; }
    MemoryNotice.settled > Horizontal { display: none; }
    """

    class Action(Message):
        """The user pressed one of the buttons: ``action`` is "accept", "edit" or "undo"."""

        def __init__(self, notice: MemoryNotice, action: str) -> None:
            super().__init__()
            self.notice = notice
            self.action = action

    def __init__(self, text: str, report: WriteReport) -> None:
        super().__init__("notice", text, header="memory")
        self.report = report

    @property
    def memory_ids(self) -> list[str]:
        return [memory.id for memory in self.report.remembered]

    def compose(self) -> ComposeResult:
        yield from super().compose()
        if self.report.changes:
            with Horizontal():
                if self.memory_ids:
                    yield Button("✓ Accept", id="accept", variant="success", compact=True, tooltip=ACCEPT_TIP)
                    yield Button("✎ Edit", id="edit", compact=True, tooltip="Correct what was remembered")
                yield Button("↩ Undo", id="undo", variant="warning", compact=True, tooltip="Take it back")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id:
            self.post_message(self.Action(self, event.button.id))

    def settle(self, outcome: str) -> None:
        """The action is done: the buttons go, and the footer says what happened."""
        self.add_class("settled")
        self.set_footer(outcome)
