"""Pick a past chat to resume, or start a new one."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from assistant.history_records import SessionInfo

NEW_CHAT = "__new__"


class SessionsScreen(ModalScreen[str | None]):
    """Returns a session id, :data:`NEW_CHAT`, or None when dismissed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, user: str, sessions: list[SessionInfo], current_id: str | None) -> None:
        super().__init__()
        self.user = user
        self.sessions = sessions
        self.current_id = current_id

    def compose(self) -> ComposeResult:
        options = [Option("＋ New chat", id=NEW_CHAT)]
        for session in self.sessions:
            marker = "● " if session.id == self.current_id else "  "
            when = datetime.fromisoformat(session.updated_at).astimezone().strftime("%Y-%m-%d %H:%M")
            title = session.title or "(empty chat)"
            options.append(Option(f"{marker}{title}  [dim]{when} · {session.message_count} messages[/]", id=session.id))
        with Vertical(id="dialog"):
            yield Label(f"Chats of {self.user} — Enter opens, Escape closes", classes="dialog-title")
            yield OptionList(*options, id="session-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
