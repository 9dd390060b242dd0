"""Everything mnemo remembers about the user: search, filter, sort, see where each memory came from, fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from assistant.memory_browser import (
    STATUS_LABELS,
    MemoryQuery,
    SortOrder,
    describe_change,
    find_memories,
    short_date,
)
from assistant.provenance import Provenance, trace_sources
from tui.memory_keys import MEMORY_SCREEN_KEYS
from tui.screens.edit_text import EditTextScreen

if TYPE_CHECKING:
    from assistant.factory import Assistant
    from memory.editing import MemoryEditor
    from memory.records import Memory
    from memory.writer import WriteReport

SEARCH_DELAY_S = 0.25
KINDS = ("fact", "preference", "person", "pet", "thing", "event", "plan", "routine", "image")
SORTS = list(SortOrder)


@dataclass(frozen=True)
class JumpTo:
    """Where the user asked to go: a chat, and the message in it."""

    session_id: str
    message_id: int | None


class MemoriesScreen(Screen["JumpTo | None"]):
    """A table of the user's memories with a detail pane; dismissed with a place to jump to, or None."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("slash", "search", "Search"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("p", "pin", "Pin"),
        Binding("a", "add", "Add"),
        Binding("g", "go_to_source", "Go to chat"),
        Binding("space", "mark", "Mark", tooltip="Mark a memory, then press m on its duplicate to merge them"),
        Binding("m", "merge", "Merge"),
        Binding("r", "restore", "Restore"),
        Binding("s", "sort", "Sort"),
        *MEMORY_SCREEN_KEYS,
    ]

    def __init__(self, assistant: Assistant, user: str, *, only_ids: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.assistant = assistant
        self.user = user
        self.query_state = MemoryQuery(only_ids=only_ids)
        self.rows: list[Memory] = []
        self.marked: str | None = None
        self.undo_stack: list[tuple[str, WriteReport]] = []
        self._search_timer: Timer | None = None
        self._sources: list[Provenance] = []
        self.loaded = False

    # -- layout --------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Label(f"What mnemo remembers about {escape(self.user)}", id="memories-title")
        with Horizontal(id="memory-filters"):
            yield Input(placeholder="/ search — as the assistant recalls", id="memory-search")
            yield Select([(kind, kind) for kind in KINDS], prompt="any kind", id="memory-kind")
            yield Select(
                [("active", "active"), ("replaced", "superseded"), ("deleted", "deleted")],
                prompt="any status",
                value="active",
                id="memory-status",
            )
        table: DataTable[str] = DataTable(id="memory-table", cursor_type="row", zebra_stripes=True)
        yield table
        with VerticalScroll(id="memory-detail"):
            yield Static("", id="memory-detail-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("kind", key="kind", width=10)
        table.add_column("memory", key="text")
        table.add_column("said", key="said", width=6)
        table.add_column("used", key="used", width=6)
        table.add_column("sure", key="conf", width=4)
        table.add_column("📌", key="pin", width=2)
        table.add_column("state", key="status", width=8)
        table.focus()
        self.reload()

    def on_resize(self) -> None:
        self._fit_text_column()

    def _fit_text_column(self) -> None:
        table = self.query_one(DataTable)
        text = next(column for key, column in table.columns.items() if key.value == "text")
        others = sum(column.width for column in table.columns.values() if column is not text)
        spacing = 2 * len(table.columns) + 1
        text.width, text.auto_width = max(20, self.size.width - others - spacing - 2), False
        table.refresh()

    # -- loading -------------------------------------------------------------------------------------------
    def reload(self, keep_cursor: bool = True) -> None:
        self._load(self.query_state, keep_cursor)

    @work(thread=True, group="memories-load", exclusive=True, exit_on_error=False)
    def _load(self, query: MemoryQuery, keep_cursor: bool) -> None:
        try:
            found = find_memories(self.assistant.memory, self.user, query, datetime.now().astimezone())
        except Exception as error:  # noqa: BLE001 - shown; the screen stays usable
            self.app.call_from_thread(self.notify, f"Could not read memories: {error}", severity="error")
            return
        self.app.call_from_thread(self._show_rows, found, keep_cursor)

    def _show_rows(self, found: list[Memory], keep_cursor: bool) -> None:
        table = self.query_one(DataTable)
        current = self.current.id if keep_cursor and self.current is not None else None
        self.rows, self.loaded = found, True
        table.clear()
        now = datetime.now().astimezone()
        for memory in found:
            marked = "● " if memory.id == self.marked else ""
            table.add_row(
                memory.kind.value,
                marked + memory.text,
                short_date(memory.said_at, now),
                short_date(memory.last_used_at, now),
                f"{memory.confidence:.0%}".rjust(4),
                "📌" if memory.pinned else "",
                "" if memory.is_active else STATUS_LABELS.get(memory.status.value, memory.status.value),
                key=memory.id,
            )
        self._fit_text_column()
        ids = [memory.id for memory in found]
        if current in ids:
            table.move_cursor(row=ids.index(current))
        self._show_detail()
        self.sub_title = f"{len(found)} shown"

    @property
    def current(self) -> Memory | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        memory = self.current
        detail = self.query_one("#memory-detail-text", Static)
        if memory is None:
            empty = "No memory matches." if self.query_state.text else "Nothing remembered yet: chat, or press a."
            empty = empty if self.loaded else "Loading your memories…"
            detail.update(empty)
            self._sources = []
            return
        detail.update(escape(memory.text) + "\n[dim]loading where it came from…[/]")
        self._load_detail(memory)

    @work(thread=True, group="memory-detail", exclusive=True, exit_on_error=False)
    def _load_detail(self, memory: Memory) -> None:
        try:
            sources = trace_sources(self.assistant.store, self.user, memory.sources)
            history = self.assistant.memory.get().memories.history(self.user, memory.id)
        except Exception as error:  # noqa: BLE001
            self.app.call_from_thread(self.notify, f"Could not read its history: {error}", severity="error")
            return
        lines = [f"[b]{escape(memory.text)}[/]"]
        facts = [memory.kind.value, f"said {memory.said_at.astimezone():%d %b %Y}"]
        facts.append(f"used in {memory.use_count} replies" if memory.use_count else "not used yet")
        facts.append(f"{memory.confidence:.0%} sure")
        if memory.pinned:
            facts.append("pinned: always in the prompt")
        if memory.replaced_by:
            facts.append(f"replaced by {memory.replaced_by}")
        lines.append("[dim]" + escape(" · ".join(facts)) + f" · id {memory.id}[/]")
        lines.append("[b]From[/] [dim](g opens the chat)[/]")
        for source in sources:
            excerpt = f": “{escape(source.excerpt)}”" if source.excerpt else ""
            lines.append(f"  • {escape(source.label)}{excerpt}")
        lines.append("[b]History[/]")
        lines.extend(f"  • {escape(describe_change(change))}" for change in history)
        self.app.call_from_thread(self._detail_loaded, memory.id, "\n".join(lines), sources)

    def _detail_loaded(self, memory_id: str, text: str, sources: list[Provenance]) -> None:
        if self.current is not None and self.current.id == memory_id:
            self.query_one("#memory-detail-text", Static).update(text)
            self._sources = sources

    # -- search, filters, sort -----------------------------------------------------------------------------
    @on(Input.Changed, "#memory-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value
        self._search_timer = self.set_timer(SEARCH_DELAY_S, lambda: self._search(text))

    def _search(self, text: str) -> None:
        sort = SortOrder.RELEVANCE if text.strip() else SortOrder.NEWEST
        self.query_state = replace(self.query_state, text=text, sort=sort, only_ids=())
        self.reload(keep_cursor=False)

    @on(Input.Submitted, "#memory-search")
    def _search_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.BLANK else str(event.value)
        if event.select.id == "memory-kind":
            self.query_state = replace(self.query_state, only_ids=(), kind=value)
        else:
            self.query_state = replace(self.query_state, only_ids=(), status=value)
        self.reload(keep_cursor=False)

    def action_search(self) -> None:
        self.query_one("#memory-search", Input).focus()

    def action_sort(self) -> None:
        order = SORTS[(SORTS.index(self.query_state.sort) + 1) % len(SORTS)]
        if order == SortOrder.RELEVANCE and not self.query_state.text.strip():
            order = SORTS[(SORTS.index(order) + 1) % len(SORTS)]
        self.query_state = replace(self.query_state, sort=order)
        self.notify(f"Sorted by {order.value}", timeout=2)
        self.reload()

    def action_close(self) -> None:
        """Escape clears a search first (showing every memory again), then closes."""
        search = self.query_one("#memory-search", Input)
        if search.value:
            search.value = ""
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

    # -- changes -------------------------------------------------------------------------------------------
    @property
    def editor(self) -> MemoryEditor:
        from memory.editing import MemoryEditor

        return MemoryEditor(self.assistant.memory.get().writer)

    def _selected(self) -> Memory | None:
        memory = self.current
        if memory is None:
            self.notify("No memory selected.", timeout=3)
        return memory

    @work(thread=True, group="memory-change", exit_on_error=False)
    def _change(self, description: str, change: Callable[..., WriteReport], *args: object, done: str = "") -> None:
        try:
            report = change(*args)
        except Exception as error:  # noqa: BLE001 - shown; nothing else is lost
            self.app.call_from_thread(self.notify, f"Could not {description}: {error}", severity="error")
            return
        if report.changes:
            self.undo_stack.append((description, report))
            if done:
                self.app.call_from_thread(self.notify, f"{done} Press u to undo.", timeout=5)
        self.app.call_from_thread(self.reload)

    def action_edit(self) -> None:
        memory = self._selected()
        if memory is None:
            return

        def save(text: str | None) -> None:
            if text and text != memory.text:
                self._change(
                    "edit it", self.editor.edit, self.user, memory.id, text, done=f"Edited: now reads “{text}”."
                )

        self.app.push_screen(EditTextScreen("Edit the memory", memory.text), save)

    def action_delete(self) -> None:
        memory = self._selected()
        if memory is not None:
            self._change("delete it", self.editor.delete, self.user, [memory.id], done=f"Deleted “{memory.text}”.")

    def action_pin(self) -> None:
        memory = self._selected()
        if memory is not None:
            self._change("pin it", self.editor.pin, self.user, memory.id, not memory.pinned)

    def action_restore(self) -> None:
        memory = self._selected()
        if memory is None:
            return
        if memory.is_active:
            self.notify("It is already active; restore works on replaced or deleted memories.", timeout=4)
            return
        self._change("restore it", self.editor.restore, self.user, memory.id, done=f"Restored “{memory.text}”.")

    def action_add(self) -> None:
        def save(text: str | None) -> None:
            if text:
                self._change("remember it", self.editor.add, self.user, text, done=f"Remembered “{text}”.")

        self.app.push_screen(
            EditTextScreen("Remember this (as you type it)", placeholder="I am allergic to peanuts"), save
        )

    def action_mark(self) -> None:
        memory = self._selected()
        if memory is None:
            return
        self.marked = None if self.marked == memory.id else memory.id
        if self.marked:
            self.notify("Marked. Move to its duplicate and press m to merge.", timeout=4)
        self.reload()

    def action_merge(self) -> None:
        memory = self._selected()
        if memory is None:
            return
        other = next((row for row in self.rows if row.id == self.marked), None)
        if other is None or other.id == memory.id:
            self.notify("First mark one memory with Space, then press m on the one to merge it into.", timeout=5)
            return
        text = max((memory.text, other.text), key=len)

        def save(merged: str | None) -> None:
            if merged:
                self.marked = None
                self._change("merge them", self.editor.merge, self.user, memory.id, other.id, merged, done="Merged.")

        self.app.push_screen(EditTextScreen("Merge into one memory that reads:", text), save)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo here.", timeout=3)
            return
        description, report = self.undo_stack.pop()
        self._undo(description, report)

    @work(thread=True, group="memory-change", exit_on_error=False)
    def _undo(self, description: str, report: WriteReport) -> None:
        try:
            self.editor.undo(self.user, report)
        except Exception as error:  # noqa: BLE001
            self.app.call_from_thread(self.notify, f"Could not undo: {error}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Undone ({description.removesuffix(' it')}).", timeout=3)
        self.app.call_from_thread(self.reload)

    def action_go_to_source(self) -> None:
        target = next((source for source in self._sources if source.session_id), None)
        if target is None or target.session_id is None:
            self.notify("This memory has no chat to go back to.", timeout=4)
            return
        self.dismiss(JumpTo(target.session_id, target.message_id))
