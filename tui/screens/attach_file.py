"""Pick a photo or voice note to attach: a folder tree showing only what mnemo can attach, or a typed path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label

from assistant.media import ATTACHABLE_SUFFIXES


class AttachableTree(DirectoryTree):
    """Folders, photos and voice notes; hidden files left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith(".") and (path.is_dir() or path.suffix.lower() in ATTACHABLE_SUFFIXES)
        ]


class AttachFileScreen(ModalScreen[Path | None]):
    """Returns the chosen file, or None when dismissed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    DEFAULT_CSS = """
    AttachFileScreen #dialog { width: 90%; height: 80%; }
    AttachFileScreen AttachableTree { height: 1fr; }
    """

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                "Attach a photo or voice note: pick one, or type its path and press Enter", classes="dialog-title"
            )
            yield Input(placeholder=f"{self.start}/…", id="attach-path")
            yield AttachableTree(self.start, id="attach-tree")
            yield Label("", id="attach-error")

    def on_mount(self) -> None:
        self.query_one(AttachableTree).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip().strip("'\"")).expanduser()
        if not path.is_absolute():
            path = self.start / path
        if path.is_dir():
            self.query_one(AttachableTree).path = path
            return
        if not path.is_file():
            self.query_one("#attach-error", Label).update(f"{path}: no such file")
            return
        self.dismiss(path)
