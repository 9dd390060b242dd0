"""Every key binding, generated from the bindings that are active where help was opened."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Markdown

INPUT_NOTES = """\
Type a message and press **Enter** to send it. **Shift+Enter** or **Ctrl+J** starts a new line.
**Up** on the first line and **Down** on the last line step through the messages you sent before.
A message sent while the model is still loading waits and is answered when it is ready.
The input has the usual editing keys too: arrows, Home/End, Ctrl+Z undo, Ctrl+A/Ctrl+E line start/end.
"""


class HelpScreen(ModalScreen[None]):
    """Shows ``(keys, description)`` rows handed over by the app."""

    BINDINGS = [Binding("escape,f1,q", "dismiss(None)", "Close help")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("mnemo — keys (Escape closes)", classes="dialog-title")
            yield Markdown(INPUT_NOTES)
            table: DataTable[str] = DataTable(id="bindings", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action")
            for keys, description in self.rows:
                table.add_row(keys, description)
            yield table
