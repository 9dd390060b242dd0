"""The one-line status under the input: model (and its loading progress), user, session, speed."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    """Shows what mnemo is running; parents set the attributes."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    model_name: reactive[str] = reactive("")
    model_state: reactive[str] = reactive("not loaded")
    user: reactive[str] = reactive("")
    session_title: reactive[str] = reactive("")
    tokens_per_s: reactive[float | None] = reactive(None)

    def render(self) -> Text:
        state = "" if self.model_state == "ready" else f" [{self.model_state}]"
        speed = f" · {self.tokens_per_s:.1f} tok/s" if self.tokens_per_s else ""
        title = self.session_title or "new chat"
        # Text, not markup: titles and states contain brackets.
        return Text(f"model: {self.model_name}{state} · user: {self.user}{speed} · {title}", no_wrap=True, end="")
