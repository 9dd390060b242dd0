"""A small colour preview of a photo in any terminal: two pixels per cell with the upper half block."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

PREVIEW_COLUMNS = 24
PREVIEW_ROWS = 8


def render_preview(path: Path, columns: int = PREVIEW_COLUMNS, rows: int = PREVIEW_ROWS) -> Text:
    """The photo as ``rows`` lines of ``▀`` cells (foreground = upper pixel, background = lower one)."""
    from PIL import Image

    with Image.open(path) as image:
        image.draft("RGB", (columns * 4, rows * 8))  # JPEGs decode at a fraction of their size: fast
        rgb = image.convert("RGB")
    # Terminal cells are about twice as tall as wide, and each holds two pixels: keep the aspect ratio.
    scale = min(columns / rgb.width, (rows * 2) / rgb.height)
    width, height = max(1, round(rgb.width * scale)), max(2, round(rgb.height * scale))
    small = rgb.resize((width, height + height % 2), Image.Resampling.LANCZOS)
    pixels = small.load()
    assert pixels is not None
    text = Text()
    for y in range(0, small.height, 2):
        for x in range(small.width):
            top, bottom = pixels[x, y], pixels[x, y + 1]
            text.append("▀", Style(color=f"rgb{tuple(top)}", bgcolor=f"rgb{tuple(bottom)}"))  # type: ignore[arg-type]
        if y + 2 < small.height:
            text.append("\n")
    return text


class ImagePreview(Static):
    """Shows a stored photo; an unreadable file shows its name instead of failing."""

    DEFAULT_CSS = """
    ImagePreview { width: auto; height: auto; margin: 0 0 0 0; }
    """

    def __init__(self, path: Path, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id)
        self.path = path

    def on_mount(self) -> None:
        try:
            self.update(render_preview(self.path))
        except Exception:  # noqa: BLE001 - a preview is a nicety; the chip still names the file
            self.update(f"[the stored copy {self.path.name[:12]}… cannot be read: damaged or missing]")
