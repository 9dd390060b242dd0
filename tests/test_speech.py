"""Speech to text with the packaged Whisper models: real transcripts, progress, cancelling, model assembly."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from modalities import speech
from modalities.audio import VoiceNote, decode_voice_note
from modalities.speech import (
    BASE_MODEL_BYTES,
    BASE_MODEL_SHA256,
    PackagedFile,
    SpeechModelError,
    Transcriber,
    TranscriptionCancelled,
    WhisperTranscriber,
    assemble_whisper_base,
)

SPEECH_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
JFK = SPEECH_DATA / "jfk.flac"
needs_jfk = pytest.mark.skipif(not JFK.is_file(), reason=f"shared speech data missing: no {JFK}")


def words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> WhisperTranscriber:
    transcriber = WhisperTranscriber("tiny.en", cache_dir=tmp_path_factory.mktemp("cache"), threads=2)
    transcriber.load()
    return transcriber


@pytest.fixture(scope="module")
def jfk() -> VoiceNote:
    if not JFK.is_file():
        pytest.skip(f"shared speech data missing: no {JFK}")
    return decode_voice_note(JFK)


def test_the_whisper_transcriber_is_a_transcriber(tiny: WhisperTranscriber) -> None:
    assert isinstance(tiny, Transcriber)


@needs_jfk
def test_tiny_en_transcribes_jfk_with_timed_segments(tiny: WhisperTranscriber, jfk: VoiceNote) -> None:
    transcript = tiny.transcribe(jfk)

    assert "ask not what your country can do for you" in words(transcript.text)
    assert transcript.language == "en"
    assert transcript.duration_s == pytest.approx(jfk.duration_s, abs=0.1)
    assert transcript.segments
    starts = [segment.start_s for segment in transcript.segments]
    assert starts == sorted(starts)
    for segment in transcript.segments:
        assert 0 <= segment.start_s < segment.end_s <= jfk.duration_s + 0.5
    assert words(" ".join(segment.text for segment in transcript.segments)) == words(transcript.text)


@needs_jfk
def test_progress_rises_to_one(tiny: WhisperTranscriber, jfk: VoiceNote) -> None:
    reported: list[float] = []
    tiny.transcribe(jfk, progress=reported.append)

    assert len(reported) >= 2
    assert reported == sorted(reported)
    assert all(0.0 <= value <= 1.0 for value in reported)
    assert reported[-1] == pytest.approx(1.0)


@needs_jfk
def test_cancelled_before_starting(tiny: WhisperTranscriber, jfk: VoiceNote) -> None:
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(TranscriptionCancelled):
        tiny.transcribe(jfk, cancel=cancelled.is_set)


@needs_jfk
def test_cancelling_mid_way_stops_after_the_current_segment(tiny: WhisperTranscriber, jfk: VoiceNote) -> None:
    # Over 30 seconds of varied speech, so there is a second window left to skip.
    clips = [decode_voice_note(path) for path in sorted(SPEECH_DATA.rglob("*.flac"))[:4]]
    samples = np.concatenate([jfk.samples, *(clip.samples for clip in clips)])
    if len(samples) < 31 * jfk.sample_rate:
        pytest.skip("not enough LibriSpeech clips in the shared data for a 30-second note")
    long_note = replace(jfk, samples=samples, duration_s=len(samples) / jfk.sample_rate)
    cancelled = threading.Event()
    reported: list[float] = []

    def cancel_on_first_segment(fraction: float) -> None:
        reported.append(fraction)
        cancelled.set()

    with pytest.raises(TranscriptionCancelled):
        tiny.transcribe(long_note, progress=cancel_on_first_segment, cancel=cancelled.is_set)
    assert len(reported) == 1 and reported[0] < 0.5


def test_an_unknown_model_name_lists_the_choices(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError, match=r"'large'.*base.*tiny\.en"):
        WhisperTranscriber("large", cache_dir=tmp_path)


def test_a_missing_weights_package_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech, "TINY_EN_FOLDER", PackagedFile("mnemo-weights-not-installed", "model"))

    with pytest.raises(SpeechModelError, match=r"mnemo-weights-not-installed.*make setup"):
        WhisperTranscriber("tiny.en", cache_dir=tmp_path).load()


def test_base_parts_that_do_not_match_the_pinned_hash_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tampered = []
    for index in (1, 2):
        part = tmp_path / f"model.bin.part{index}"
        part.write_bytes(b"not whisper weights" * 100)
        tampered.append(PackagedFile("pytest", str(part)))  # an absolute path wins over the package folder
    monkeypatch.setattr(speech, "BASE_PARTS", tuple(tampered))

    with pytest.raises(SpeechModelError, match="damaged"):
        assemble_whisper_base(tmp_path / "cache")
    assert not (tmp_path / "cache" / "whisper-base").exists()
    assert list((tmp_path / "cache").iterdir()) == []  # no half-built folder left behind


@pytest.mark.real_model
@needs_jfk
def test_base_is_joined_once_verified_reused_and_transcribes(tmp_path: Path, jfk: VoiceNote) -> None:
    cache = tmp_path / "cache"
    folder = assemble_whisper_base(cache)
    model_file = folder / "model.bin"
    assert model_file.stat().st_size == BASE_MODEL_BYTES
    assert BASE_MODEL_SHA256 in (folder / speech.VERIFIED_MARKER).read_text()
    first_build = model_file.stat()

    assert assemble_whisper_base(cache) == folder
    again = model_file.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first_build.st_ino, first_build.st_mtime_ns)  # reused, not rebuilt
    assert sorted(path.name for path in cache.iterdir()) == ["whisper-base"]

    transcript = WhisperTranscriber("base", cache_dir=cache).transcribe(jfk)
    assert "ask not what your country can do for you" in words(transcript.text)
    assert transcript.language == "en" and transcript.language_probability > 0.5


def test_the_encoder_window_is_cut_to_the_audio_plus_a_margin() -> None:
    import numpy as np

    from modalities.speech import trim_padding

    features = np.full((1, 80, 3000), -0.5, dtype=np.float32)
    features[0, :, :300] = np.random.default_rng(0).normal(size=(80, 300))  # 3 s of sound, then padding
    assert trim_padding(features).shape == (1, 80, 1000)  # never under 10 s
    features[0, :, :2500] = 1.0
    assert trim_padding(features).shape == (1, 80, 2700)  # the sound plus 2 s
    assert trim_padding(np.ones((1, 80, 3000), dtype=np.float32)).shape == (1, 80, 3000)  # a full window
