"""The pieces of the "your things" screen: the list of concepts, and one concept's details with its reference
photos as half-block thumbnails. These only show what they are given; the screen reads the store in threads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ItemGrid, VerticalScroll
from textual.events import Click
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from memory.concepts import Concept, ConceptPhoto
from tui.widgets.image_preview import render_preview

THUMBNAIL_COLUMNS, THUMBNAIL_ROWS = 16, 6


def added_on(stamp: str, *, with_year: bool = False) -> str:
    """A stored UTC timestamp as a local date: "14 May" (or "14 May 2025")."""
    try:
        when = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp[:10]
    return f"{when.day} {when:%b %Y}" if with_year else f"{when.day} {when:%b}"


def plural(count: int, word: str = "photo") -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def placeholder(message: str) -> Text:
    """A thumbnail-sized box with ``message`` in it, for a photo that is loading or cannot be shown."""
    inner = THUMBNAIL_COLUMNS - 2
    rows = ["┌" + "─" * inner + "┐"]
    rows += ["│" + (message if row == 1 else "").center(inner)[:inner] + "│" for row in range(THUMBNAIL_ROWS - 2)]
    rows.append("└" + "─" * inner + "┘")
    return Text("\n".join(rows), style="dim")


def thumbnail(path: Path) -> Text:
    """The photo at ``path`` as a thumbnail; slow (it decodes the photo), so call it in a thread."""
    try:
        return render_preview(path, THUMBNAIL_COLUMNS, THUMBNAIL_ROWS)
    except Exception:  # noqa: BLE001 - a missing or unreadable photo shows a placeholder, never an error
        return placeholder("photo missing" if not path.is_file() else "unreadable")


class ConceptTable(DataTable[str]):
    """The concepts, one row each; left and right choose a photo of the highlighted one."""

    BINDINGS = [
        Binding("left", "screen.select_photo(-1)", "Previous photo", show=False),
        Binding("right", "screen.select_photo(1)", "Next photo", show=False),
    ]


class PhotoTile(Widget):
    """One reference photo: a half-block thumbnail over its short sha and the day it was added."""

    DEFAULT_CSS = f"""
    PhotoTile {{ width: {THUMBNAIL_COLUMNS}; height: {THUMBNAIL_ROWS + 1}; }}
    """

    class Selected(Message):
        """The tile was clicked."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, index: int, photo: ConceptPhoto, preview: Text | None, *, selected: bool) -> None:
        super().__init__()
        self.index = index
        self.photo = photo
        self.preview = preview  # None while the thumbnail is being made
        self.selected = selected

    def show(self, *, preview: Text | None = None, selected: bool | None = None) -> None:
        if preview is not None:
            self.preview = preview
        if selected is not None:
            self.selected = selected
        self.refresh()

    def render(self) -> Text:
        caption = f"{self.photo.sha256[:7]} {added_on(self.photo.added_at)}"
        style = "bold reverse" if self.selected else "dim"
        lines = (self.preview or placeholder("…")).split("\n")
        for line in lines:  # a portrait photo is narrower than the tile: centre it
            line.pad_left((THUMBNAIL_COLUMNS - line.cell_len) // 2)
        return Text("\n").join([*lines, Text(f" {caption} ".center(THUMBNAIL_COLUMNS), style)])

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(self.Selected(self.index))


class ConceptDetail(VerticalScroll, can_focus=False):
    """One concept: its name and kind, when it was registered, its description, its reference photos as tiles
    (one of them selected) and a line about the selected photo."""

    DEFAULT_CSS = """
    #concept-heading { text-style: bold; }
    #concept-meta, #photo-selection { color: $text-muted; }
    #concept-description { margin-bottom: 1; }
    #concept-photos { grid-gutter: 1 1; margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="concept-heading")
        yield Static("", id="concept-meta")
        yield Static("", id="concept-description")
        yield ItemGrid(id="concept-photos", min_column_width=THUMBNAIL_COLUMNS)
        yield Static("", id="photo-selection")

    def show_nothing(self, message: str) -> None:
        """No concept: ``message`` instead of the details."""
        self.query_one("#concept-photos", ItemGrid).remove_children()
        self.query_one("#concept-heading", Static).update(Text(message, style="not bold"))
        for name in ("#concept-meta", "#concept-description", "#photo-selection"):
            self.query_one(name, Static).update("")

    def show_concept(self, concept: Concept, selected: int, thumbnails: Mapping[str, Text]) -> None:
        """Show ``concept`` with photo ``selected`` chosen; a photo not in ``thumbnails`` shows a placeholder."""
        grid = self.query_one("#concept-photos", ItemGrid)
        grid.remove_children()
        self.query_one("#concept-heading", Static).update(
            Text.assemble(concept.name, (f" — your {concept.kind}" if concept.kind else "", "not bold"))
        )
        registered = added_on(concept.created_at, with_year=True)
        self.query_one("#concept-meta", Static).update(
            f"{plural(len(concept.photos), 'reference photo')} · registered {registered}"
        )
        self.query_one("#concept-description", Static).update(
            concept.description or Text("No description.", style="dim italic")
        )
        grid.mount_all(
            PhotoTile(index, photo, thumbnails.get(photo.path), selected=index == selected)
            for index, photo in enumerate(concept.photos)
        )
        self.show_selection(concept, selected)

    def show_selection(self, concept: Concept | None, selected: int) -> None:
        """Mark photo ``selected`` of ``concept`` (the one shown) and describe it under the photos."""
        selection = self.query_one("#photo-selection", Static)
        if concept is None or not concept.photos:
            selection.update("No photos: press a to add some." if concept else "")
            return
        for tile in self.query(PhotoTile):
            tile.show(selected=tile.index == selected)
            if tile.selected:
                tile.scroll_visible(animate=False)
        photo = concept.photos[selected]
        selection.update(
            f"Photo {selected + 1} of {len(concept.photos)} · {photo.sha256[:12]} · added "
            f"{added_on(photo.added_at, with_year=True)}\n←/→ or a click chooses a photo; x removes it."
        )

    def thumbnail_ready(self, path: str, preview: Text) -> None:
        """The thumbnail of the photo at ``path`` has been made: show it."""
        for tile in self.query(PhotoTile):
            if tile.photo.path == path:
                tile.show(preview=preview)
