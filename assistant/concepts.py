"""The user's personal visual concepts: register "my dog Bo" from photos, and recognise Bo in new ones.

Registration keeps several augmented feature views of each reference photo (memory/concepts.py); a
recogniser over all of the user's concepts is rebuilt only when they change. A match is named to the
model only above the calibrated threshold; below it, nothing is claimed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.history import HistoryStore
from assistant.prompt import AttachmentContext
from assistant.recall import MemoryAccess

if TYPE_CHECKING:
    from PIL.Image import Image

    from assistant.media import MediaEncoders
    from memory.concepts import Concept
    from memory.writer import WriteReport

_NAME = r"(?P<name>[A-Z][\w'-]*(?: [A-Z][\w'-]*)?)"
_KIND = r"(?P<kind>[a-z][a-z -]{1,30}?)"
_SHOWING = r"^(?:this is|that's|that is|here's|here is|meet)\s+"
INTRODUCTIONS = (
    # "this is my dog Bo", "meet my dog Bo", "here's my cat called Mia"
    re.compile(rf"{_SHOWING}(?:my|our)\s+{_KIND}\s+(?:called |named )?{_NAME}\b"),
    # "this is Bo, my dog", "meet Bo, our cat"
    re.compile(rf"{_SHOWING}{_NAME},?\s+(?:my|our)\s+{_KIND}\s*(?:[.!]|$)"),
    # "this is my mug" (the kind is the name)
    re.compile(rf"{_SHOWING}(?:my|our)\s+{_KIND}\s*(?:[.!]|$)"),
)
_PHOTO_OF = r"another (?:photo|picture) of\s+"
MORE_PHOTOS = re.compile(
    rf"^(?:(?:here's|here is|this is|that's|that is)\s+(?:{_PHOTO_OF})?|{_PHOTO_OF}|more of\s+){_NAME}\b"
)

# "that's not Bo", "no, this isn't Bo", "it is not Bo", "not Bo!"
REJECTION = re.compile(
    rf"^(?:no[,.!]?\s+)?(?:(?:that|this|it)(?:'s|s| is)\s+not\s+|(?:that|this|it)\s+isn't\s+|not\s+){_NAME}\b"
)


@dataclass(frozen=True)
class Introduction:
    """What "this is my dog Bo" says: the concept's name and kind."""

    name: str
    kind: str


def _opening(text: str) -> str:
    """The message's first line, its first letter lower-cased, as the phrase patterns expect it."""
    first = text.strip().split("\n")[0]
    return first[:1].lower() + first[1:]


def _known_name(pattern: re.Pattern[str], text: str, known: Sequence[str]) -> str | None:
    """The known concept ``pattern`` names at the start of ``text`` (compared case-insensitively), or ``None``."""
    found = pattern.match(_opening(text))
    if found:
        wanted = found.group("name").casefold()
        return next((name for name in known if name.casefold() == wanted), None)
    return None


def find_introduction(text: str) -> Introduction | None:
    """The concept a message introduces ("this is my dog Bo" → Bo, dog), or ``None``."""
    opening = _opening(text)
    for pattern in INTRODUCTIONS:
        found = pattern.match(opening)
        if found:
            kind = " ".join(found.group("kind").split())
            name = found.groupdict().get("name") or kind
            return Introduction(name, kind)
    return None


def find_more_photos(text: str, known: Sequence[str]) -> str | None:
    """The known concept a message shows again ("here's Bo again"), or ``None``."""
    return _known_name(MORE_PHOTOS, text, known)


def find_rejection(text: str, known: Sequence[str]) -> str | None:
    """The known concept a message says a photo is *not* ("that's not Bo"), or ``None``."""
    return _known_name(REJECTION, text, known)


@dataclass(frozen=True)
class Recognition:
    """The best concept for a photo, above the threshold."""

    name: str
    kind: str
    score: float

    @property
    def told(self) -> str:
        """Who it is, as the model is told: "Bo, your dog"."""
        return f"{self.name}, your {self.kind}" if self.kind and self.kind != self.name else f"your {self.name}"


class ConceptService:
    """Registers concepts from photo files and recognises them, per user (thread-safe)."""

    def __init__(self, memory: MemoryAccess, encoders: MediaEncoders, store: HistoryStore) -> None:
        self.memory = memory
        self.encoders = encoders
        self.store = store
        self._lock = threading.Lock()
        self._recognisers: dict[str, tuple[int, Any]] = {}

    def register(
        self, user: str, name: str, paths: Sequence[Path], *, kind: str = "", description: str = ""
    ) -> tuple[Concept, int]:
        """Create the concept if new, then add the photos; returns it and how many photos were new."""
        concepts = self.memory.get().concepts
        if concepts.get(user, name) is None:
            concepts.create(user, name, kind, description)
        elif kind or description:
            concepts.update(user, name, kind=kind or None, description=description or None)
        added = self.add_photos(user, name, paths)
        return concepts.require(user, name), added

    def add_photos(self, user: str, name: str, paths: Sequence[Path]) -> int:
        from modalities.images import open_image

        concepts = self.memory.get().concepts
        concepts.require(user, name)
        added = 0
        features = self.encoders.concept_features()
        for path in paths:
            loaded = open_image(path)
            stored = self.store.store_attachment(path, "image")
            vectors = features.reference_vectors(loaded.image)
            added += concepts.add_photo(user, name, stored.sha256, str(stored.path), vectors)
        return added

    def learn_from_turn(self, user: str, text: str, photos: Sequence[AttachmentContext]) -> WriteReport:
        """ "This is my dog Bo" with photos registers Bo; "here's Bo again" adds the photos to Bo."""
        from memory.writer import WriteReport

        paths = [Path(photo.path) for photo in photos if photo.path]
        if not paths:
            return WriteReport()
        known = [concept.name for concept in self.memory.get().concepts.list(user)]
        introduction = find_introduction(text)
        if introduction is not None:
            concept, added = self.register(user, introduction.name, paths, kind=introduction.kind)
            plural = "photo" if len(concept.photos) == 1 else "photos"
            return WriteReport(notes=[f"I'll recognise {concept.label()} now ({len(concept.photos)} {plural})"])
        again = find_more_photos(text, known)
        if again is not None:
            added = self.add_photos(user, again, paths)
            if added:
                return WriteReport(notes=[f"added {added} photo{'s' if added > 1 else ''} of {again}"])
        return self.learn_from_correction(user, text, paths)

    def learn_from_correction(self, user: str, text: str, paths: Sequence[Path]) -> WriteReport:
        """ "That's not Bo" about photos (this message's, or the ones just before it): kept as counter-examples,
        so Bo is not claimed for them, nor as readily for look-alikes."""
        from memory.writer import WriteReport

        if not paths:
            return WriteReport()
        concepts = self.memory.get().concepts
        rejected = find_rejection(text, [concept.name for concept in concepts.list(user)])
        if rejected is None:
            return WriteReport()
        added = self.reject(user, rejected, paths)
        total = len(concepts.counter_examples(user).get(rejected, []))
        photos = "this photo" if len(paths) == 1 else f"these {len(paths)} photos"
        note = f"noted: {photos} {'is' if len(paths) == 1 else 'are'} not {rejected}"
        return WriteReport(notes=[f"{note} ({total} kept apart from {rejected})"] if added else [])

    def reject(self, user: str, name: str, paths: Sequence[Path]) -> int:
        """Keep photos the user said are not ``name``; returns how many were new."""
        from modalities.images import open_image

        concepts = self.memory.get().concepts
        concepts.require(user, name)
        features = self.encoders.concept_features()
        added = 0
        for path in paths:
            loaded = open_image(path)
            stored = self.store.store_attachment(path, "image")
            vectors = features.reference_vectors(loaded.image)
            added += concepts.add_counter_example(user, name, stored.sha256, str(stored.path), vectors)
        return added

    def recognise(self, user: str, image: Image) -> Recognition | None:
        """The registered concept ``image`` most likely shows, if any clears the threshold."""
        recogniser = self._recogniser(user)
        if recogniser is None:
            return None
        best = recogniser.best(self.encoders.concept_features().query_vectors(image))
        if best is None:
            return None
        concept = self.memory.get().concepts.get(user, best.name)
        return Recognition(best.name, concept.kind if concept else "", float(best.score))

    def _recogniser(self, user: str) -> Any:
        concepts = self.memory.get().concepts
        version = concepts.version(user)
        with self._lock:
            cached = self._recognisers.get(user)
            if cached is not None and cached[0] == version:
                return cached[1]
            examples = concepts.examples(user)
            recogniser = None
            if examples:
                from memory.concept_recognition import ConceptExamples, ConceptRecognizer

                references = [ConceptExamples(name, vectors) for name, vectors in examples]
                recogniser = ConceptRecognizer(
                    references, background=self._background(), counter_examples=concepts.counter_examples(user)
                )
            self._recognisers[user] = (version, recogniser)
            return recogniser

    def _background(self) -> Any:
        features = self.encoders.concept_features()
        background = getattr(features, "background_vectors", None)
        return background() if callable(background) else None
