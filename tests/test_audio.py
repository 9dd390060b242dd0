"""Voice notes: every common format decodes to 16 kHz mono, silent ends are trimmed, bad files say why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from modalities.audio import SAMPLE_RATE, decode_voice_note, find_ffmpeg
from modalities.errors import MediaError

SPEECH_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
JFK = SPEECH_DATA / "jfk.flac"
JFK_SECONDS = 11.0

pytestmark = pytest.mark.skipif(not JFK.is_file(), reason=f"shared speech data missing: no {JFK}")


def ffmpeg(*arguments: str | Path) -> None:
    subprocess.run([find_ffmpeg().ffmpeg, "-nostdin", "-v", "error", "-y", *map(str, arguments)], check=True)


# suffix -> (ffmpeg output options, codec the decoder should report)
ENCODINGS = {
    "ogg": (["-c:a", "libopus", "-b:a", "24k"], "opus"),
    "m4a": (["-c:a", "aac", "-b:a", "64k"], "aac"),
    "mp3": (["-c:a", "libmp3lame", "-q:a", "5"], "mp3"),
    "webm": (["-c:a", "libopus", "-b:a", "32k"], "opus"),
    "wav": (["-c:a", "pcm_s16le"], "pcm_s16le"),
}


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """jfk in every voice-note format, padded and silent clips, and some files that are not audio."""
    folder = tmp_path_factory.mktemp("media")
    for suffix, (options, _) in ENCODINGS.items():
        ffmpeg("-i", JFK, *options, folder / f"jfk.{suffix}")
    ffmpeg("-i", JFK, "-af", "adelay=3000:all=1,apad=pad_dur=4", folder / "padded-with-silence.wav")
    noise = "anoisesrc=d=3:c=pink:a=0.002,aformat=sample_rates=44100:channel_layouts=stereo"
    ffmpeg(
        *("-f", "lavfi", "-i", noise, "-i", JFK, "-f", "lavfi", "-i", noise),
        *("-filter_complex", "[0:a][1:a][2:a]concat=n=3:v=0:a=1", folder / "padded-with-room-noise.m4a"),
    )
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "2", folder / "silence.ogg")
    (folder / "random.ogg").write_bytes(np.random.default_rng(7).bytes(40_000))
    Image.new("RGB", (32, 24), "teal").save(folder / "photo.m4a", format="PNG")
    (folder / "notes.mp3").write_text("Buy milk, call Anna about the weekend.\n" * 20)
    (folder / "empty.wav").write_bytes(b"")
    (folder / "cut-short.ogg").write_bytes((folder / "jfk.ogg").read_bytes()[:3000])
    return folder


@pytest.mark.parametrize("suffix", [*ENCODINGS, "flac"])
def test_every_common_format_decodes_to_16khz_mono_of_the_right_length(media: Path, suffix: str) -> None:
    path = JFK if suffix == "flac" else media / f"jfk.{suffix}"
    note = decode_voice_note(path)

    assert note.sample_rate == SAMPLE_RATE
    assert note.samples.dtype == np.float32 and note.samples.ndim == 1
    assert note.duration_s == pytest.approx(len(note.samples) / SAMPLE_RATE)
    assert note.original_duration_s == pytest.approx(JFK_SECONDS, abs=0.15)
    assert JFK_SECONDS - 1.0 < note.duration_s <= note.original_duration_s
    assert 0.05 < float(np.abs(note.samples).max()) <= 1.0  # real audio, not silence
    expected_codec = ENCODINGS[suffix][1] if suffix in ENCODINGS else "flac"
    assert expected_codec in note.source_format


@pytest.mark.parametrize("name", ["padded-with-silence.wav", "padded-with-room-noise.m4a"])
def test_quiet_ends_are_trimmed_and_the_speech_kept(media: Path, name: str) -> None:
    plain = decode_voice_note(JFK)
    padded = decode_voice_note(media / name)

    assert padded.original_duration_s > JFK_SECONDS + 5
    assert padded.duration_s == pytest.approx(plain.duration_s, abs=0.5)
    # The loudest moment of the speech survives the trim.
    assert float(np.abs(padded.samples).max()) == pytest.approx(float(np.abs(plain.samples).max()), rel=0.1)


def test_a_silent_clip_is_not_trimmed_to_nothing(media: Path) -> None:
    note = decode_voice_note(media / "silence.ogg")

    assert note.duration_s == pytest.approx(2.0, abs=0.05)
    assert note.duration_s == note.original_duration_s


@pytest.mark.parametrize(
    "name", ["random.ogg", "photo.m4a", "notes.mp3", "empty.wav", "cut-short.ogg", "does-not-exist.ogg"]
)
def test_a_file_that_is_not_usable_audio_gives_a_clear_error_naming_it(media: Path, name: str) -> None:
    with pytest.raises(MediaError) as caught:
        decode_voice_note(media / name)

    message = str(caught.value)
    assert name in message
    assert "Traceback" not in message and "returned non-zero" not in message


def test_a_photo_renamed_as_audio_is_reported_as_having_no_audio(media: Path) -> None:
    with pytest.raises(MediaError, match="no audio"):
        decode_voice_note(media / "photo.m4a")


def test_a_note_over_the_length_limit_is_refused(media: Path) -> None:
    with pytest.raises(MediaError, match=r"jfk\.ogg .*at most 5 seconds"):
        decode_voice_note(media / "jfk.ogg", max_seconds=5)


def test_importing_the_module_loads_neither_pydub_nor_numpy() -> None:
    code = "import sys, modalities.audio; print(sorted({'pydub', 'numpy'} & set(sys.modules)))"
    repo = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
