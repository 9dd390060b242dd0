"""Your things: the concepts mnemo recognises in photos — browse them, register new ones, add or remove
reference photos, rename and delete. Every store read and write, and all photo encoding, runs in a thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from assistant.factory import Assistant
from assistant.media import IMAGE_SUFFIXES
from memory.concepts import Concept, ConceptError, ConceptStore, concept_key, validate_concept_name
from modalities.errors import MediaError
from tui.memory_keys import MEMORY_SCREEN_KEYS
from tui.screens.attach_file import AttachFileScreen
from tui.screens.edit_text import EditTextScreen
from tui.threads import from_thread
from tui.widgets.concept_photos import ConceptDetail, ConceptTable, PhotoTile, plural, thumbnail

TITLE = "Your things — what mnemo recognises in your photos"
EMPTY = "Nothing registered yet. Say 'This is my dog Bo' with photos attached, or press n to register something."
NARROW_WIDTH = 70  # below this the list goes above the details
DELETE_CONFIRM_SECONDS = 5.0
NEEDS_A_CONCEPT = {"add_photos", "remove_photo", "rename", "delete_concept", "select_photo"}
CHANGES = {"new_concept", "add_photos", "remove_photo", "rename", "delete_concept"}


def split_kind_and_description(text: str) -> tuple[str, str]:
    """ "dog: a brown shiba" → ("dog", "a brown shiba"); "dog" → ("dog", ""); a longer text is a description."""
    kind, colon, description = text.partition(":")
    if colon:
        return kind.strip(), description.strip()
    return (text.strip(), "") if len(text.split()) <= 2 else ("", text.strip())


class ConceptsScreen(Screen[None]):
    """The user's registered concepts on the left (top when narrow); the highlighted one's details and
    reference photos on the right (below)."""

    BINDINGS = [
        Binding("n", "new_concept", "New"),
        Binding("a", "add_photos", "Add photos"),
        Binding("x", "remove_photo", "Remove photo"),
        Binding("r", "rename", "Rename"),
        Binding("d", "delete_concept", "Delete"),
        Binding("escape", "close", "Close"),
        Binding("left", "select_photo(-1)", "Previous photo", show=False),
        Binding("right", "select_photo(1)", "Next photo", show=False),
        *MEMORY_SCREEN_KEYS,
    ]

    DEFAULT_CSS = """
    ConceptsScreen { layout: vertical; }
    #concepts-title { width: 1fr; padding: 0 1; background: $panel; text-style: bold; }
    #concepts-body { height: 1fr; }
    #concept-table { width: 28; height: 1fr; }
    #concept-detail { width: 1fr; height: 1fr; padding: 0 0 0 1; scrollbar-size-vertical: 1; }
    #concept-progress { height: 1; padding: 0 1; background: $panel; display: none; }
    #concept-progress-label { width: 1fr; color: $text-warning; }
    #concept-progress-bar { width: 30; }
    ConceptsScreen.-narrow #concepts-body { layout: vertical; }
    ConceptsScreen.-narrow #concept-table { width: 1fr; height: auto; max-height: 7; }
    """

    def __init__(self, assistant: Assistant, user: str) -> None:
        super().__init__()
        self.assistant = assistant
        self.user = user
        self.concepts: list[Concept] = []
        self.current: Concept | None = None
        self.selected_photo = 0
        self.busy = False
        self.loaded = False
        self.photo_folder = Path.cwd()
        self._thumbnails: dict[str, Text] = {}
        self._delete_armed: tuple[str, float] | None = None

    def compose(self) -> ComposeResult:
        yield Label(TITLE, id="concepts-title")
        with Horizontal(id="concepts-body"):
            yield ConceptTable(id="concept-table", cursor_type="row", zebra_stripes=True)
            yield ConceptDetail(id="concept-detail")
        with Horizontal(id="concept-progress"):
            yield Label("", id="concept-progress-label")
            yield ProgressBar(id="concept-progress-bar", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ConceptTable)
        table.add_columns("Name", "Kind", "Photos")
        table.focus()
        self.load_concepts()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS_A_CONCEPT and self.current is None:
            return False
        if action in CHANGES and self.busy:
            return None  # shown, greyed out, while photos are being added
        return True

    # -- reading the store -----------------------------------------------------------------------------
    def _store(self) -> ConceptStore:
        return self.assistant.memory.get().concepts  # may open the memory layer: workers only

    @work(thread=True, group="concepts-read", exclusive=True, exit_on_error=False)
    def load_concepts(self, select: str | None = None) -> None:
        """Read the user's concepts and show them, highlighting ``select`` if given."""
        from_thread(self, self._show_concepts, self._store().list(self.user), select)

    def _show_concepts(self, concepts: list[Concept], select: str | None) -> None:
        if not self.is_attached:
            return
        table = self.query_one(ConceptTable)
        previous_row = table.cursor_row
        self.concepts, self.loaded = concepts, True
        table.clear()
        for concept in concepts:
            table.add_row(concept.name, concept.kind or "—", str(len(concept.photos)), key=concept_key(concept.name))
        if not concepts:
            self._show_detail(None)
            return
        keys = [concept_key(concept.name) for concept in concepts]
        wanted = select or (self.current.name if self.current else concepts[0].name)
        row = keys.index(concept_key(wanted)) if concept_key(wanted) in keys else min(previous_row, len(keys) - 1)
        table.move_cursor(row=row)
        self._show_detail(concepts[row])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        found = [concept for concept in self.concepts if concept_key(concept.name) == event.row_key.value]
        if found:
            self._show_detail(found[0])

    # -- the details pane -------------------------------------------------------------------------------
    def _show_detail(self, concept: Concept | None) -> None:
        if concept is not None and concept == self.current:
            return
        same = concept and self.current and concept_key(concept.name) == concept_key(self.current.name)
        self.current = concept
        self.refresh_bindings()
        detail = self.query_one(ConceptDetail)
        if concept is None:
            detail.show_nothing(EMPTY if self.loaded else "Loading…")
            return
        self.selected_photo = min(self.selected_photo, max(len(concept.photos) - 1, 0)) if same else 0
        detail.show_concept(concept, self.selected_photo, self._thumbnails)
        missing = [photo.path for photo in concept.photos if photo.path not in self._thumbnails]
        if missing:
            self._render_thumbnails(missing)

    def _show_selection(self) -> None:
        self.query_one(ConceptDetail).show_selection(self.current, self.selected_photo)

    def action_select_photo(self, step: int) -> None:
        if self.current is not None and self.current.photos:
            self.selected_photo = (self.selected_photo + step) % len(self.current.photos)
            self._show_selection()

    def on_photo_tile_selected(self, event: PhotoTile.Selected) -> None:
        self.selected_photo = event.index
        self._show_selection()

    @work(thread=True, group="concept-thumbnails", exclusive=True, exit_on_error=False)
    def _render_thumbnails(self, paths: list[str]) -> None:
        worker = get_current_worker()
        for path in paths:
            if worker.is_cancelled:
                return
            from_thread(self, self._thumbnail_ready, path, thumbnail(Path(path)))

    def _thumbnail_ready(self, path: str, preview: Text) -> None:
        self._thumbnails[path] = preview
        for detail in self.query(ConceptDetail):  # none once the screen has closed
            detail.thumbnail_ready(path, preview)

    # -- new concept, more photos ---------------------------------------------------------------------------
    def action_new_concept(self) -> None:
        self.app.push_screen(
            EditTextScreen(
                "Something new for mnemo to recognise: what is it called?",
                placeholder="e.g. Bo",
                check=self._name_problem,
            ),
            self._new_name_chosen,
        )

    def _new_name_chosen(self, name: str | None) -> None:
        if name is None:
            return
        name = validate_concept_name(name)  # the dialog's check already accepted it; this only tidies it

        def details_chosen(details: str | None) -> None:
            kind, description = split_kind_and_description(details or "")
            self._pick_photos(name, [], kind, description, new=True)

        self.app.push_screen(
            EditTextScreen(
                f"What is {name}? A kind and a few words, both optional",
                placeholder="dog: a brown shiba",
                hint="Enter saves · Escape skips",
            ),
            details_chosen,
        )

    def action_add_photos(self) -> None:
        if self.current is not None:
            self._pick_photos(self.current.name, [], new=False)

    def _pick_photos(self, name: str, chosen: list[Path], kind: str = "", description: str = "", *, new: bool) -> None:
        """Open the file picker again after each photo, until Escape; then encode them all."""
        if not chosen:
            self.notify(f"Choose photos of {name} one at a time (2-4 work best); Escape when done.", timeout=6)

        def picked(path: Path | None) -> None:
            if path is None:
                if chosen:
                    self._encode(name, chosen, new=new, kind=kind, description=description)
                elif new:
                    self.notify(f"No photos chosen, so {name} was not registered: mnemo needs at least one.")
                return
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                self.notify(f"{path.name} is not a photo.", severity="error")
            elif path not in chosen:
                chosen.append(path)
                self.photo_folder = path.parent
                self.notify(f"{plural(len(chosen))} of {name} chosen. Pick another, or press Escape to finish.")
            self._pick_photos(name, chosen, kind, description, new=new)

        self.app.push_screen(AttachFileScreen(self.photo_folder), picked)

    def register_concept(self, name: str, paths: Sequence[Path], kind: str = "", description: str = "") -> None:
        """Register ``name`` from ``paths`` in a thread (the picker ends here)."""
        self._encode(name, list(paths), new=True, kind=kind, description=description)

    def add_photos(self, paths: Sequence[Path], name: str | None = None) -> None:
        """Add ``paths`` to ``name`` (default: the highlighted concept) in a thread (the picker ends here)."""
        target = name or (self.current.name if self.current else None)
        if target is not None:
            self._encode(target, list(paths), new=False)

    def _encode(self, name: str, paths: list[Path], *, new: bool, kind: str = "", description: str = "") -> None:
        if self.busy:
            self.notify("Still adding photos; try again in a moment.", severity="warning")
            return
        self.busy = True
        self.refresh_bindings()
        self._show_progress(f"Reading {plural(len(paths))} of {name}…", 0, len(paths))
        self._encode_photos(name, paths, new, kind, description)

    @work(thread=True, group="concept-photos", exit_on_error=False)
    def _encode_photos(self, name: str, paths: list[Path], new: bool, kind: str, description: str) -> None:
        store = self._store()
        created, added, problems = False, 0, []
        try:
            if new:
                name = store.create(self.user, name, kind, description).name
                created = True
            for done, path in enumerate(paths):
                from_thread(self, self._show_progress, f"Reading {path.name} ({done + 1} of {len(paths)})…", done)
                try:
                    added += self.assistant.concepts.add_photos(self.user, name, [path])
                except MediaError as error:
                    problems.append(str(error))
        except ConceptError as error:
            problems.append(str(error))
        finally:
            if created and not added:  # a concept with no photo could never be recognised
                store.delete(self.user, name)
            from_thread(self, self._encoding_finished)
        if problems:
            not_registered = f"{name} was not registered.\n" if created and not added else ""
            from_thread(self, self.notify, not_registered + "\n".join(problems), severity="error", timeout=10)
        elif added:
            summary = f"{name} registered from {plural(added)}" if new else f"Added {plural(added)} to {name}"
            from_thread(self, self.notify, f"{summary}: mnemo will recognise it in your photos now.")
        else:
            nothing = "it needs at least one photo" if new else "it already has those photos"
            from_thread(self, self.notify, f"Nothing added to {name}: {nothing}.", severity="warning")
        from_thread(self, self._show_concepts, store.list(self.user), name)

    def _show_progress(self, text: str, done: int, total: int | None = None) -> None:
        if not self.is_attached:
            return
        self.query_one("#concept-progress").display = True
        self.query_one("#concept-progress-label", Label).update(text)
        bar = self.query_one(ProgressBar)
        if total is not None:
            bar.update(total=total)
        bar.update(progress=done)

    def _encoding_finished(self) -> None:
        self.busy = False
        if self.is_attached:
            self.query_one("#concept-progress").display = False
            self.refresh_bindings()

    # -- rename, remove a photo, delete ---------------------------------------------------------------------
    def action_rename(self) -> None:
        if self.current is None:
            return
        old = self.current.name
        self.app.push_screen(
            EditTextScreen(
                f"Rename {old}", old, placeholder="new name", check=lambda new: self._name_problem(new, old)
            ),
            lambda new: self.rename_concept(old, new) if new else None,
        )

    def rename_concept(self, old: str, new: str) -> None:
        """Rename ``old`` to ``new`` in a thread."""
        if new != old:
            self._change(lambda store: f"Renamed {old} to {store.update(self.user, old, new_name=new).name}.", new)

    def action_remove_photo(self) -> None:
        concept = self.current
        if concept is None or not concept.photos:
            return
        if len(concept.photos) == 1:
            self.notify(
                f"That is {concept.name}'s only photo, and mnemo needs one to recognise it. "
                f"Add another first (a), or delete {concept.name} (d).",
                severity="warning",
            )
            return
        self.remove_photo(concept.name, concept.photos[self.selected_photo].sha256)

    def remove_photo(self, name: str, sha256: str) -> None:
        """Remove one reference photo of ``name`` in a thread."""

        def remove(store: ConceptStore) -> str:
            removed = store.remove_photo(self.user, name, sha256)
            return f"Removed photo {sha256[:7]} from {name}." if removed else "That photo was already gone."

        self._change(remove, name)

    def action_delete_concept(self) -> None:
        concept = self.current
        if concept is None:
            return
        key, now = concept_key(concept.name), time.monotonic()
        if self._delete_armed and self._delete_armed[0] == key and now - self._delete_armed[1] < DELETE_CONFIRM_SECONDS:
            self._delete_armed = None
            self.delete_concept(concept.name)
            return
        self._delete_armed = (key, now)
        self.notify(
            f"Press d again to delete {concept.name} ({plural(len(concept.photos))}).",
            severity="warning",
            timeout=DELETE_CONFIRM_SECONDS,
        )

    def delete_concept(self, name: str) -> None:
        """Delete ``name`` and its reference photos in a thread."""
        self._change(lambda store: f"Deleted {store.delete(self.user, name).name}; mnemo no longer looks for it.", None)

    @work(thread=True, group="concept-changes", exit_on_error=False)
    def _change(self, change: Callable[[ConceptStore], str], select: str | None) -> None:
        store = self._store()
        try:
            from_thread(self, self.notify, change(store), timeout=4)
        except ConceptError as error:
            from_thread(self, self.notify, str(error), severity="error")
        from_thread(self, self._show_concepts, store.list(self.user), select)

    def _name_problem(self, value: str, keep: str | None = None) -> str | None:
        """Why ``value`` cannot name a concept (``keep`` is the one being renamed), or None."""
        try:
            name = validate_concept_name(value)
        except ConceptError as error:
            return str(error)
        taken = {concept_key(concept.name) for concept in self.concepts} - {concept_key(keep or "")}
        return f"You already have something called {name}; pick another name." if concept_key(name) in taken else None

    # -- plumbing ------------------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify(f"Something went wrong: {event.worker.error}", severity="error", timeout=10)
