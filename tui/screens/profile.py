"""The user's profile, as mnemo tells it to the model: read it, correct it, lock it, and undo what was done here.

Every store read and write runs in a thread worker (opening memory may load Chroma); the results come back to
the UI thread. Changes made on this screen are kept on an undo stack holding the entries exactly as they were.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from assistant.factory import Assistant
from memory.profile import ProfileEntry, ProfileSection, ProfileStore, normalise_key
from memory.records import Memory, MemoryStatus
from tui.memory_keys import MEMORY_SCREEN_KEYS
from tui.profile_changes import ProfileChange, add_entry, delete_entry, edit_value, entry_title, toggle_lock
from tui.screens.edit_text import EditTextScreen
from tui.screens.pick_section import SECTION_HINTS, PickSectionScreen, section_label
from tui.threads import from_thread

MAX_KEY_CHARS = 80
MAX_VALUE_CHARS = 300
KEY_COLUMN_MAX = 18
LOCKED = "locked: your edit; mnemo will not change it — press l to let it"
AUTOMATIC = "automatic: mnemo updates it as you chat — press l to lock it"
EMPTY = (
    "Nothing here yet. Your profile fills in as you chat: what you tell mnemo about yourself, the people "
    "and pets in your life, what you like and how you want answers. Press a to add an entry yourself."
)

EntryKey = tuple[ProfileSection, str]


def key_of(entry: ProfileEntry) -> EntryKey:
    return entry.section, entry.key


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def length_problem(what: str, text: str, most: int) -> str | None:
    """The sentence EditTextScreen shows when ``text`` is too long (it already refuses empty text)."""
    return f"{what} can be at most {most} characters; this one has {len(text)}." if len(text) > most else None


class ProfileScreen(Screen[None]):
    """The profile of ``user``: a table of entries by section and, under it, the highlighted entry in full."""

    DEFAULT_CSS = """
    ProfileScreen { layout: vertical; }
    ProfileScreen #profile-title { height: 1; width: 1fr; padding: 0 1; text-style: bold; background: $panel; }
    ProfileScreen #profile-table { height: 1fr; }
    ProfileScreen #profile-empty { height: 1fr; padding: 1 2; color: $text-muted; }
    ProfileScreen #profile-detail {
        height: auto; max-height: 9; padding: 0 1; border-top: solid $primary; scrollbar-size-vertical: 1;
    }
    """
    AUTO_FOCUS = "#profile-table"
    BINDINGS = [
        Binding("e", "edit", "Edit"),
        Binding("a", "add", "Add"),
        Binding("d", "delete", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("l", "toggle_lock", "Lock/unlock", tooltip="Let mnemo update the entry, or keep it as you wrote it"),
        Binding("k", "links", "Links", tooltip="Who and what your memories say together"),
        Binding("escape", "close", "Close"),
        *MEMORY_SCREEN_KEYS,
    ]

    def __init__(self, assistant: Assistant, user: str) -> None:
        super().__init__()
        self.assistant = assistant
        self.user = user
        self.entries: list[ProfileEntry] = []
        """What the table shows, in table order."""
        self.loaded = False
        self._undo_stack: list[ProfileChange] = []
        self._memories: dict[str, Memory | None] = {}
        """Supporting memories read so far; None for an id that is no longer stored."""
        self._write_lock = threading.Lock()  # writes from quick key presses run one after the other

    # -- layout ----------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Label(f"Profile of {self.user} — what mnemo tells the model about you", id="profile-title")
        table: DataTable[str | Text] = DataTable(id="profile-table", cursor_type="row", zebra_stripes=True)
        for name in ("Section", "Key", "Value", "Conf", "By"):
            table.add_column(name, key=name.lower())
        yield table
        yield Static(EMPTY, id="profile-empty")
        with VerticalScroll(id="profile-detail"):
            yield Static("Loading the profile…", id="profile-detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#profile-empty").display = False
        self._load_entries(None)

    def on_resize(self, _: Resize) -> None:
        if self.loaded:
            self._fill_table(self.highlighted_key())

    # -- what is shown -----------------------------------------------------------------------------------------
    def highlighted(self) -> ProfileEntry | None:
        if not self.entries:
            return None
        table = self.query_one("#profile-table", DataTable)
        return self.entries[table.cursor_row] if table.is_valid_row_index(table.cursor_row) else None

    def highlighted_key(self) -> EntryKey | None:
        entry = self.highlighted()
        return key_of(entry) if entry is not None else None

    def _show_entries(self, entries: list[ProfileEntry], select: EntryKey | None) -> None:
        self.loaded = True
        self._memories.clear()  # statuses may have changed since: read them again
        self.entries = entries
        empty = not entries
        self.query_one("#profile-empty").display = empty
        self.query_one("#profile-table").display = not empty
        self.query_one("#profile-detail").display = not empty
        self._fill_table(select)
        self.refresh_bindings()

    def _fill_table(self, select: EntryKey | None) -> None:
        table = self.query_one("#profile-table", DataTable)
        table.clear()
        key_width = min(max((len(entry.key) for entry in self.entries), default=3), KEY_COLUMN_MAX)
        # section 8 + conf 4 + by 4, two cells of padding per column, and the scrollbar
        value_width = max(self.size.width - key_width - 29, 16)
        previous: ProfileSection | None = None
        for entry in self.entries:
            label = Text(section_label(entry.section), style="bold") if entry.section != previous else Text("")
            previous = entry.section
            table.add_row(
                label,
                Text(shorten(entry.key, key_width)),
                Text(shorten(entry.value, value_width)),
                f"{round(entry.confidence * 100)}%",
                "you" if entry.manual else "auto",
                key=f"{entry.section.value}/{entry.key}",
            )
        keys = [key_of(entry) for entry in self.entries]
        if select in keys:
            table.move_cursor(row=keys.index(select), animate=False)
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        entry = self.highlighted()
        if entry is None:
            return
        missing = [source for source in entry.sources if source not in self._memories]
        self._render_detail(entry, "loading" if missing else "loaded")
        if missing:
            self._load_memories(entry, missing)

    def _render_detail(self, entry: ProfileEntry, memories: Literal["loading", "loaded", "unreadable"]) -> None:
        when = entry.updated_at.astimezone().strftime("%Y-%m-%d")
        detail = Text.assemble(
            (entry_title(entry), "bold"),
            "\n",
            entry.value,
            "\n",
            (f"{round(entry.confidence * 100)}% sure · updated {when} · ", "dim"),
            (LOCKED if entry.manual else AUTOMATIC, "bold" if entry.manual else ""),
            "\n",
        )
        if not entry.sources:
            detail.append("No supporting memories: " + ("you set it." if entry.manual else "none left."), "dim")
        elif memories != "loaded":
            detail.append(f"Supporting memories: {'loading…' if memories == 'loading' else 'could not be read'}", "dim")
        else:
            detail.append(f"Supporting memories ({len(entry.sources)}):", "dim")
            for memory_id in entry.sources:
                memory = self._memories.get(memory_id)
                if memory is None:
                    detail.append(f"\n  • ({memory_id}, no longer stored)", "dim")
                    continue
                detail.append(f"\n  • {memory.text} ")
                status = "" if memory.status == MemoryStatus.ACTIVE else f", {memory.status.value}"
                detail.append(f"({memory.id}{status})", "dim")
        self.query_one("#profile-detail-text", Static).update(detail)

    def _memories_loaded(self, entry: ProfileEntry, found: dict[str, Memory | None]) -> None:
        self._memories.update(found)
        if self.highlighted() == entry:
            self._render_detail(entry, "loaded")

    def _memories_failed(self, entry: ProfileEntry, error: Exception) -> None:
        if self.highlighted() == entry:
            self._render_detail(entry, "unreadable")
        self._failed("Could not read the supporting memories", error)

    # -- actions ---------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete", "toggle_lock") and self.highlighted() is None:
            return None  # shown dimmed: nothing to act on
        if action == "undo" and not self._undo_stack:
            return None
        return True

    def action_links(self) -> None:
        from tui.screens.links import LinksScreen

        self.app.push_screen(LinksScreen(self.assistant, self.user))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        entry = self.highlighted()
        if entry is None:
            return

        def save(value: str | None) -> None:
            if value is not None and (value != entry.value or not entry.manual):
                self._change(lambda store: edit_value(store, self.user, entry, value), key_of(entry))

        dialog = EditTextScreen(
            f"{entry_title(entry)}: new value",
            entry.value,
            hint="Enter saves it as your edit (locked) · Escape cancels",
            check=lambda value: length_problem("A value", value, MAX_VALUE_CHARS),
        )
        self.app.push_screen(dialog, save)

    def action_add(self) -> None:
        self.app.push_screen(PickSectionScreen(), self._ask_key)

    def _ask_key(self, section: ProfileSection | None) -> None:
        if section is None:
            return
        _, key_example, _ = SECTION_HINTS[section]
        taken = {entry.key for entry in self.entries if entry.section == section}

        def check(key: str) -> str | None:
            if normalise_key(key) in taken:
                return f"{section_label(section)} already has {normalise_key(key)!r}: pick it and press e to edit it."
            return length_problem("A key", key, MAX_KEY_CHARS)

        dialog = EditTextScreen(f"New entry in {section_label(section)}: its key", placeholder=key_example, check=check)
        self.app.push_screen(dialog, lambda key: self._ask_value(section, key))

    def _ask_value(self, section: ProfileSection, key: str | None) -> None:
        if key is None:
            return
        _, _, value_example = SECTION_HINTS[section]

        def save(value: str | None) -> None:
            if value is not None:
                self._change(
                    lambda store: add_entry(store, self.user, section, key, value), (section, normalise_key(key))
                )

        dialog = EditTextScreen(
            f"{section_label(section)} › {normalise_key(key)}: its value",
            placeholder=value_example,
            check=lambda value: length_problem("A value", value, MAX_VALUE_CHARS),
        )
        self.app.push_screen(dialog, save)

    def action_delete(self) -> None:
        entry = self.highlighted()
        if entry is not None:
            self._change(lambda store: delete_entry(store, self.user, entry), self._neighbour_key(entry))

    def action_toggle_lock(self) -> None:
        entry = self.highlighted()
        if entry is not None:
            self._change(lambda store: toggle_lock(store, self.user, entry), key_of(entry))

    def action_undo(self) -> None:
        if not self._undo_stack:
            return
        change = self._undo_stack.pop()
        self.refresh_bindings()
        shown = change.before or change.after
        self._change(change.undo, key_of(shown) if shown is not None else None, undoing=change)

    def _neighbour_key(self, entry: ProfileEntry) -> EntryKey | None:
        """Where the cursor goes once ``entry`` is deleted: the next row, or the one before at the end."""
        position = self.entries.index(entry)
        rest = self.entries[position + 1 :] or self.entries[:position][-1:]
        return key_of(rest[0]) if rest else None

    # -- workers ---------------------------------------------------------------------------------------------
    def _store(self) -> ProfileStore:
        return self.assistant.memory.get().profile

    @work(thread=True, group="profile-read", exit_on_error=False)
    def _load_entries(self, select: EntryKey | None) -> None:
        try:
            entries = self._store().entries(self.user)
        except Exception as error:  # noqa: BLE001 - shown; the screen stays usable
            from_thread(self, self._failed, "Could not read the profile", error)
            return
        from_thread(self, self._show_entries, entries, select)

    @work(thread=True, group="profile-memories", exit_on_error=False)
    def _load_memories(self, entry: ProfileEntry, memory_ids: list[str]) -> None:
        try:
            memories = self.assistant.memory.get().memories.store.get_many(self.user, memory_ids)
        except Exception as error:  # noqa: BLE001 - shown; the rest of the entry is still there
            from_thread(self, self._memories_failed, entry, error)
            return
        found: dict[str, Memory | None] = dict.fromkeys(memory_ids)
        found.update({memory.id: memory for memory in memories})
        from_thread(self, self._memories_loaded, entry, found)

    @work(thread=True, group="profile-write", exit_on_error=False)
    def _change(
        self,
        make: Callable[[ProfileStore], ProfileChange | None],
        select: EntryKey | None,
        *,
        undoing: ProfileChange | None = None,
    ) -> None:
        """Run ``make`` (a change for the undo stack, or ``undoing.undo``) and show the profile it leaves."""
        try:
            with self._write_lock:
                store = self._store()
                change = make(store)
                entries = store.entries(self.user)
        except Exception as error:  # noqa: BLE001 - shown; nothing half-done goes on the undo stack
            from_thread(self, self._change_failed, error, undoing)
            return
        from_thread(self, self._changed, change, undoing, entries, select)

    # -- results, on the UI thread -----------------------------------------------------------------------------
    def _changed(
        self,
        change: ProfileChange | None,
        undone: ProfileChange | None,
        entries: list[ProfileEntry],
        select: EntryKey | None,
    ) -> None:
        if change is not None:
            self._undo_stack.append(change)
            self.notify(f"{change.done} — u undoes it", timeout=4)
        if undone is not None:
            self.notify(f"Undone: {undone.done}", timeout=4)
        self._show_entries(entries, select)

    def _change_failed(self, error: Exception, undoing: ProfileChange | None) -> None:
        if undoing is not None:
            self._undo_stack.append(undoing)  # still undoable
        self._failed("Could not undo" if undoing else "Could not change the profile", error)
        self._load_entries(self.highlighted_key())  # show what the store holds now

    def _failed(self, what: str, error: Exception) -> None:
        self.notify(f"{what}: {error}", title="Profile", severity="error", timeout=10)
        if not self.loaded:
            self.query_one("#profile-detail-text", Static).update(f"{what}. Press Escape to go back.")
