"""Every key binding, generated from the bindings that are active where help was opened."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Markdown

INPUT_NOTES = """\
**Enter** sends, **Shift+Enter** or **Ctrl+J** adds a line, **Up**/**Down** recall what you sent.
A message sent while the model loads is answered when it is ready.
"""


class HelpScreen(ModalScreen[None]):
    """Shows ``(keys, description)`` rows handed over by the app."""

    BINDINGS = [Binding("escape,f1,q", "dismiss(None)", "Close help")]

    def __init__(self, rows: list[tuple[str, str]], *, chat: bool = True) -> None:
        super().__init__()
        self.rows = rows
        self.chat = chat
        """Opened from the chat: the notes on typing messages belong."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("mnemo — keys (Escape closes)", classes="dialog-title")
            if self.chat:
                yield Markdown(INPUT_NOTES)
            table: DataTable[str] = DataTable(id="bindings", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action")
            for keys, description in self.rows:
                table.add_row(keys, description)
            yield table
