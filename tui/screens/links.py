"""Who and what mnemo has linked: the people, pets, places and things said together in a memory.

A question about one of them also recalls what mnemo knows of the others, one hop ("where do Tom's kids
live?" reaches "Lena lives in Bergen" through "Lena and Max are Tom's kids"). A link lasts as long as the
memory that says it: edit or delete that memory (F5) to change it.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from assistant.factory import Assistant
from tui.threads import from_thread

EMPTY = (
    "No links yet. When a memory names two people, pets, places or things together (\"Lena and Max are Tom's "
    'kids", "my sister Ana lives in Porto"), they are linked here, and a question about one recalls the other.'
)
HINT = (
    "A link lasts as long as the memory or chat message that says it: edit or delete that memory in F5 "
    "(or /forget what was said) to change it."
)


def link_rows(pairs: list[tuple[str, str, str]], texts: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """``(one, other, memory text, memory id)`` for each link, by name, each pair once per memory."""
    rows = {
        (min(one, other, key=str.lower), max(one, other, key=str.lower), texts[memory_id], memory_id)
        for one, other, memory_id in pairs
        if memory_id in texts
    }
    return sorted(rows, key=lambda row: (row[0].lower(), row[1].lower(), row[3]))


class LinksScreen(ModalScreen[None]):
    """The links among the names in ``user``'s memories and in their own words in chats."""

    DEFAULT_CSS = """
    LinksScreen { align: center middle; }
    LinksScreen #links-box { width: 90%; height: 80%; border: thick $primary; background: $surface; }
    LinksScreen #links-title { height: 1; width: 1fr; padding: 0 1; text-style: bold; background: $panel; }
    LinksScreen #links-table { height: 1fr; }
    LinksScreen #links-empty, LinksScreen #links-hint { padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, assistant: Assistant, user: str) -> None:
        super().__init__()
        self.assistant = assistant
        self.user = user

    def compose(self) -> ComposeResult:
        with Vertical(id="links-box"):
            yield Label("Links — who and what you mentioned together", id="links-title")
            table: DataTable[str | Text] = DataTable(id="links-table", cursor_type="row", zebra_stripes=True)
            for name in ("Name", "Linked to", "Said in"):
                table.add_column(name, key=name.lower())
            yield table
            yield Static("Loading the links…", id="links-empty")
            yield Static(HINT, id="links-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#links-table").display = False
        self._load()

    @work(thread=True, group="links-read", exit_on_error=False)
    def _load(self) -> None:
        try:
            system = self.assistant.memory.get()
            pairs: list[tuple[str, str, str]] = []
            texts: dict[str, str] = {}
            tiers = ((system.memories.store, system.memories.lexical), (system.episodes.store, system.episodes.lexical))
            for store, lexical in tiers:
                found = lexical.links(self.user)
                stored = store.get_many(self.user, sorted({memory_id for _, _, memory_id in found}))
                texts.update((memory.id, memory.text) for memory in stored if memory.is_active)
                pairs += found
            rows = link_rows(pairs, texts)
        except Exception as error:  # noqa: BLE001 - shown; Escape still closes
            from_thread(self, self._failed, error)
            return
        from_thread(self, self._show, rows)

    def _show(self, rows: list[tuple[str, str, str, str]]) -> None:
        table = self.query_one("#links-table", DataTable)
        empty = self.query_one("#links-empty", Static)
        if not rows:
            empty.update(EMPTY)
            return
        empty.display = False
        table.display = True
        previous = ""
        for one, other, text, memory_id in rows:
            label = Text(one, style="bold") if one != previous else Text("")
            previous = one
            table.add_row(label, Text(other), Text.assemble(text, (f"  ({memory_id})", "dim")))
        table.focus()

    def _failed(self, error: Exception) -> None:
        self.query_one("#links-empty", Static).update(f"Could not read the links: {error}. Press Escape to go back.")
