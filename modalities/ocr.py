"""Reading text in images with RapidOCR (PP-OCRv4 ONNX models shipped inside the wheel; nothing is downloaded).

RapidOCR and onnxruntime are imported on first use.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from modalities.errors import MediaError

if TYPE_CHECKING:
    from PIL.Image import Image

# Chosen on the shared sample photos (7 scikit-image photos, 176 concept photos): rendered notes read at 0.95+,
# real text in photos (a name tag, book spines, labels) mostly at 0.85+, and the spurious reads above 0.8 are
# one or two characters ("M", "二", "5c"), which MIN_WORD_CHARACTERS drops.
DEFAULT_MIN_CONFIDENCE = 0.8
MIN_WORD_CHARACTERS = 3
# RapidOCR shrinks anything larger to this longest side anyway; doing it first spares a full-size array copy.
MAX_SIDE = 2000
RAPIDOCR_LOGGERS = ("RapidOCR", "OrtInferSession")


@dataclass(frozen=True)
class OcrLine:
    """One line of text found in an image, with the recogniser's confidence (0–1)."""

    text: str
    confidence: float


@dataclass(frozen=True)
class OcrResult:
    """The confident lines, top to bottom, and how long reading took."""

    lines: tuple[OcrLine, ...]
    seconds: float

    @property
    def text(self) -> str:
        """The lines joined with newlines ("" when the image has no readable text)."""
        return "\n".join(line.text for line in self.lines)


class TextReader:
    """Finds and reads lines of text in an image; loads on first use; one read at a time; CPU only."""

    def __init__(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE, threads: int = 2) -> None:
        self.min_confidence = min_confidence
        self.threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        """The RapidOCR engine (created the first time)."""
        with self._lock:
            return self._load_locked()

    def read(self, image: Image) -> OcrResult:
        """The confident lines of text in ``image`` (an empty result when there is none)."""
        started = time.perf_counter()
        pixels = _as_bgr_array(image)
        with self._lock:
            engine = self._load_locked()
            found, _ = engine(pixels)
        lines = tuple(
            OcrLine(text=str(text).strip(), confidence=float(score))
            for _, text, score in found or []
            if float(score) >= self.min_confidence and _has_words(str(text))
        )
        return OcrResult(lines=lines, seconds=time.perf_counter() - started)

    def _load_locked(self) -> Any:
        if self._engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as error:
                raise MediaError("Text reading needs rapidocr-onnxruntime; run `make setup`.") from error
            # RapidOCR passes these to every onnxruntime session (detector, angle classifier, recogniser).
            self._engine = RapidOCR(
                intra_op_num_threads=self.threads,
                inter_op_num_threads=1,
                text_score=self.min_confidence,
            )
            # Its loggers are set to DEBUG with their own handler; only problems should reach the terminal.
            for name in RAPIDOCR_LOGGERS:
                logging.getLogger(name).setLevel(logging.WARNING)
        return self._engine


def _as_bgr_array(image: Image) -> Any:
    """A contiguous BGR uint8 array (OpenCV's order, what RapidOCR expects), at most MAX_SIDE on its longest side."""
    import numpy as np
    from PIL import Image as PILImage

    rgb = image.convert("RGB")
    if max(rgb.size) > MAX_SIDE:
        scale = MAX_SIDE / max(rgb.size)
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, PILImage.Resampling.LANCZOS)
    return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])


def _has_words(text: str) -> bool:
    """Enough letters or digits to mean something: drops lone glyphs and symbol noise ("#★", "5c")."""
    return sum(character.isalnum() for character in text) >= MIN_WORD_CHARACTERS
