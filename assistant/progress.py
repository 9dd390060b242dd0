"""Progress reports on stderr for command-line use (the TUI shows its own progress bar)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from assistant.models.base import LoadProgress


class StderrProgress:
    """Prints model preparation progress: one updating line on a terminal, a line per stage otherwise."""

    def __init__(self, stream: TextIO | None = None, interval_s: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.interval_s = interval_s
        self._last_stage = ""
        self._last_print = 0.0
        self._interactive = self.stream.isatty()

    def __call__(self, progress: LoadProgress) -> None:
        now = time.monotonic()
        new_stage = progress.stage != self._last_stage
        finished = progress.fraction == 1.0
        if not new_stage and not finished and now - self._last_print < self.interval_s:
            return
        if not self._interactive and not new_stage and not finished:
            return
        percent = f" {progress.fraction * 100:5.1f}%" if progress.fraction is not None else ""
        line = f"mnemo: {progress.stage}{percent}"
        if self._interactive:
            end = "\n" if finished else ""
            self.stream.write(f"\r\033[K{line}{end}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._last_stage, self._last_print = progress.stage, now
