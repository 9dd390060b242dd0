"""Attachments: a photo or voice note goes from a path to what the model is told about it.

The file is stored once (by sha256) in the history store; a photo is described by the packaged image
tools (ImageNet labels, OCR, EXIF date) and matched against the user's registered concepts; a voice note
is decoded and transcribed locally. Every encoder loads on first use, so the app starts as fast as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.history import HistoryStore
from assistant.history_records import StoredAttachment
from assistant.prompt import AttachmentContext
from assistant.settings import Settings
from modalities.errors import MediaError

if TYPE_CHECKING:
    from PIL.Image import Image

    from modalities.concept_features import ConceptFeatureExtractor
    from modalities.speech import WhisperTranscriber
    from modalities.vision import ImageDescriber

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".flac", ".webm", ".mp4"})
ATTACHABLE_SUFFIXES = IMAGE_SUFFIXES | AUDIO_SUFFIXES


def attachment_kind(path: Path) -> str:
    """``"image"`` or ``"audio"`` by the file name; a clear error for anything else."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in {".heic", ".heif"}:
        raise MediaError(f"{path.name}: HEIC photos are not supported; export it as JPEG first.")
    raise MediaError(
        f"{path.name}: mnemo can attach photos ({', '.join(sorted(IMAGE_SUFFIXES))}) and voice notes "
        f"({', '.join(sorted(AUDIO_SUFFIXES))})."
    )


def resolve_attachment_path(text: str) -> Path:
    """A path the user typed or pasted: quotes, ``~`` and ``file://`` are accepted."""
    cleaned = text.strip().strip("'\"")
    if cleaned.startswith("file://"):
        from urllib.parse import unquote, urlparse

        cleaned = unquote(urlparse(cleaned).path)
    path = Path(cleaned.replace("\\ ", " ")).expanduser()
    if not path.exists():
        raise MediaError(f"{cleaned}: no such file.")
    if not path.is_file():
        raise MediaError(f"{cleaned}: not a file.")
    return path.resolve()


@dataclass(frozen=True)
class PreparedAttachment:
    """A stored attachment and what the encoders made of it."""

    stored: StoredAttachment
    kind: str
    report: str = ""
    """The image tool's report for the model (photos)."""
    transcript: str = ""
    """What the voice note says (voice notes)."""
    language: str = ""
    duration_s: float = 0.0
    recognised: str = ""
    """The registered concept this photo likely shows, as told to the model ("Bo, your dog")."""
    match: float = 0.0
    """How sure the recogniser is of ``recognised`` (above the calibrated threshold)."""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.stored.original_name

    @property
    def sha256(self) -> str:
        return self.stored.sha256

    def context(self) -> AttachmentContext:
        description = self.report
        if self.kind == "audio":
            description = f"a {self.duration_s:.0f}-second voice note; its transcript is in the user's message"
        return AttachmentContext(
            self.sha256,
            self.kind,
            self.name,
            description,
            path=str(self.stored.path),
            recognised=self.recognised,
            match=self.match,
        )

    def chip(self) -> str:
        """A short label for the UI: "🖼 chelsea.png" or "🎤 note.ogg 0:12"."""
        if self.kind == "audio":
            minutes, seconds = divmod(round(self.duration_s), 60)
            return f"🎤 {self.name} {minutes}:{seconds:02d}"
        return f"🖼 {self.name}"


class MediaEncoders:
    """The image describer, the speech transcriber and the concept feature extractor, each built once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._describer: ImageDescriber | None = None
        self._transcriber: WhisperTranscriber | None = None
        self._concept_features: ConceptFeatureExtractor | None = None

    def describer(self) -> ImageDescriber:
        with self._lock:
            if self._describer is None:
                from modalities.efficientnet import EfficientNetEncoder
                from modalities.vision import ImageDescriber

                encoder = EfficientNetEncoder(self.settings.vision.classifier)
                self._describer = ImageDescriber(encoder, ocr=self.settings.vision.ocr)
            return self._describer

    def transcriber(self) -> WhisperTranscriber:
        with self._lock:
            if self._transcriber is None:
                from modalities.speech import WhisperTranscriber

                speech = self.settings.speech
                self._transcriber = WhisperTranscriber(
                    speech.model, cache_dir=self.settings.cache_dir, threads=speech.threads
                )
            return self._transcriber

    def concept_features(self) -> ConceptFeatureExtractor:
        with self._lock:
            if self._concept_features is None:
                from modalities.concept_features import ConceptFeatureExtractor

                self._concept_features = ConceptFeatureExtractor()
            return self._concept_features


ProgressCallback = Callable[[float], None]


class Recognition(Protocol):
    @property
    def told(self) -> str:
        """How the model is told ("Bo, your dog")."""
        ...

    @property
    def score(self) -> float: ...


class Recogniser(Protocol):
    """Names the user's own thing a photo shows (``assistant.concepts.ConceptService``)."""

    def recognise(self, user: str, image: Image) -> Recognition | None: ...


class AttachmentProcessor:
    """Turns a path into a :class:`PreparedAttachment` for one user (blocking: call it from a worker)."""

    def __init__(
        self, settings: Settings, store: HistoryStore, encoders: MediaEncoders, concepts: Recogniser | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.encoders = encoders
        self.concepts = concepts

    def prepare(
        self,
        path: Path,
        user: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> PreparedAttachment:
        """Check, store and encode ``path``; raises :class:`MediaError` with a message for the user."""
        import time

        started = time.perf_counter()
        kind = attachment_kind(path)
        if not path.is_file():
            raise MediaError(f"{path.name}: no such file.")
        if kind == "image":
            prepared = self._prepare_image(path, user)
        else:
            prepared = self._prepare_audio(path, progress, cancel)
        return PreparedAttachment(**{**prepared.__dict__, "seconds": time.perf_counter() - started})

    def _prepare_image(self, path: Path, user: str) -> PreparedAttachment:
        from modalities.images import open_image

        loaded = open_image(path, max_pixels=int(self.settings.vision.max_megapixels * 1_000_000))
        stored = self.store.store_attachment(path, "image")
        description = self.encoders.describer().describe(loaded)
        recognised, score = "", 0.0
        if self.concepts is not None:
            match = self.concepts.recognise(user, loaded.image)
            if match is not None:
                recognised, score = match.told, match.score
        report = description.tool_report()
        self.store.describe_attachment(stored.sha256, report)
        return PreparedAttachment(
            stored,
            "image",
            report=report,
            recognised=recognised,
            match=score,
            extra={"embedding": description.embedding},
        )

    def _prepare_audio(
        self, path: Path, progress: ProgressCallback | None, cancel: threading.Event | None
    ) -> PreparedAttachment:
        from modalities.audio import decode_voice_note

        note = decode_voice_note(path)
        stored = self.store.store_attachment(path, "audio")
        transcript = self.encoders.transcriber().transcribe(
            note, progress=progress, cancel=cancel.is_set if cancel is not None else None
        )
        self.store.describe_attachment(stored.sha256, transcript.text)
        return PreparedAttachment(
            stored,
            "audio",
            transcript=transcript.text.strip(),
            language=transcript.language,
            duration_s=note.duration_s,
        )


def compose_message(text: str, prepared: list[PreparedAttachment]) -> str:
    """The message as sent: what the user typed, then each voice note's transcript not already in it."""
    parts = [text.strip()] if text.strip() else []
    for attachment in prepared:
        if attachment.transcript and attachment.transcript not in text:
            parts.append(attachment.transcript)
    return "\n\n".join(parts)
