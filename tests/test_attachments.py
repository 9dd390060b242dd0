"""Photos and voice notes through the assistant: stored once, described or transcribed, told to the model,
remembered, and found again. Real encoders (EfficientNet-Lite0, RapidOCR, Whisper tiny.en) on real files."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from assistant.cli import main
from assistant.factory import Assistant
from assistant.media import compose_message
from assistant.models.fake import FakeChatModel
from memory.records import MemoryKind
from modalities.audio import find_ffmpeg
from modalities.errors import MediaError
from modalities.speech import TranscriptionCancelled
from tests.conftest import SHARED_DATA

IMAGES = SHARED_DATA / "images"
SPEECH = SHARED_DATA / "speech"
pytestmark = pytest.mark.skipif(not IMAGES.is_dir(), reason="needs ../shared/data (images, speech)")


def system_prompt(model: FakeChatModel) -> str:
    return model.received[-1][0].content


def make_receipt(path: Path) -> Path:
    image = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for row, line in enumerate(["HARDWARE STORE", "RECEIPT", "TOTAL 23.50"]):
        draw.text((40, 30 + row * 100), line, fill="black", font=font)
    image.save(path)
    return path


def test_a_photo_is_described_to_the_model_stored_once_and_remembered(
    assistant: Assistant, fake_model: FakeChatModel, tmp_path: Path
) -> None:
    photo = shutil.copy(IMAGES / "chelsea.png", tmp_path / "chelsea.png")
    prepared = assistant.attachments.prepare(Path(photo), "sam")
    again = assistant.attachments.prepare(Path(photo), "sam")
    assert prepared.sha256 == again.sha256 and prepared.stored.path.is_file()
    assert len(list((assistant.settings.data_dir / "attachments").rglob("*.png"))) == 1
    assert "cat" in prepared.report and "chelsea.png" == prepared.name

    conversation = assistant.conversation("sam")
    list(conversation.send("What is this?", attachments=[prepared.context()]))
    prompt, sent = system_prompt(fake_model), fake_model.received[-1][-1].content
    assert "You cannot see images directly" in prompt
    assert sent.startswith("What is this?\n[photo chelsea.png — the image tool says: most likely: tabby cat (")

    report = conversation.remember_last_turn()
    assert report is not None
    [photo_memory] = [memory for memory in report.remembered if memory.kind == MemoryKind.IMAGE]
    assert f"attachment:{prepared.sha256}" in photo_memory.sources and "cat" in photo_memory.text
    assert conversation.store.message_attachments(conversation.last_reply.user_message_id or 0)[0].description

    list(conversation.send("What colour is its fur?"))  # the next turn still knows what the photo showed
    earlier = [message.content for message in fake_model.received[-1] if message.role == "user"]
    assert any("[photo chelsea.png — the image tool says: most likely: tabby cat" in content for content in earlier)


def test_show_me_the_photo_of_the_receipt_finds_it(assistant: Assistant, tmp_path: Path) -> None:
    receipt = assistant.attachments.prepare(make_receipt(tmp_path / "IMG_2041.png"), "sam")
    assert "TOTAL" in receipt.report
    cat = assistant.attachments.prepare(IMAGES / "chelsea.png", "sam")
    conversation = assistant.conversation("sam")
    list(conversation.send("Keep this for my records", attachments=[receipt.context()]))
    conversation.remember_last_turn()
    list(conversation.send("Look at her!", attachments=[cat.context()]))
    conversation.remember_last_turn()

    found = assistant.memory.retriever.retrieve(
        "sam", "show me the photo of the receipt", now=datetime.now(UTC), k=3, turns=False
    )
    assert found[0].memory.kind == MemoryKind.IMAGE and f"attachment:{receipt.sha256}" in found[0].memory.sources
    assert assistant.store.get_attachment(receipt.sha256).path.is_file()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", "png", "really a PNG"),
        ("notes.png", "text", "photo"),
        ("cut.png", "truncated", "cut"),
        ("missing.png", None, "no such file"),
        ("slides.pdf", "text", "can attach photos"),
    ],
)
def test_bad_files_get_a_clear_error_and_nothing_is_stored(
    assistant: Assistant, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    source = (IMAGES / "chelsea.png").read_bytes()
    if content == "png":
        path.write_bytes(source)
    elif content == "text":
        path.write_text("hello, not an image\n" * 20)
    elif content == "truncated":
        path.write_bytes(source[: len(source) // 2])
    with pytest.raises(MediaError) as raised:
        assistant.attachments.prepare(path, "sam")
    assert name in str(raised.value)
    assert not (assistant.settings.data_dir / "attachments").exists() or not any(
        (assistant.settings.data_dir / "attachments").rglob("*.*")
    )


@pytest.fixture(scope="module")
def jfk_notes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The jfk clip as the voice notes phones make: ogg/opus and m4a/aac."""
    folder = tmp_path_factory.mktemp("notes")
    ffmpeg = find_ffmpeg().ffmpeg
    notes = {}
    for suffix, codec in (("ogg", "libopus"), ("m4a", "aac")):
        target = folder / f"jfk.{suffix}"
        subprocess.run(
            [ffmpeg, "-v", "error", "-i", SPEECH / "jfk.flac", "-c:a", codec, "-b:a", "48k", target], check=True
        )
        notes[suffix] = target
    return notes


@pytest.mark.parametrize("suffix", ["ogg", "m4a"])
def test_a_voice_note_is_transcribed_sent_and_remembered(
    assistant: Assistant, fake_model: FakeChatModel, jfk_notes: dict[str, Path], suffix: str
) -> None:
    progress: list[float] = []
    prepared = assistant.attachments.prepare(jfk_notes[suffix], "sam", progress=progress.append)
    assert "ask not what your country can do for you" in prepared.transcript.lower()
    assert prepared.language == "en" and 10 < prepared.duration_s < 12 and progress and progress[-1] > 0.9
    assert prepared.chip().startswith("🎤 jfk.") and assistant.store.get_attachment(prepared.sha256).description

    conversation = assistant.conversation("sam")
    text = compose_message("A quote I love:", [prepared])
    list(conversation.send(text, attachments=[prepared.context()]))
    assert "ask not what your country" in fake_model.received[-1][-1].content
    conversation.remember_last_turn()
    recalled = assistant.memory.recall("sam", "what quote do I love about my country?", conversation.last_reply.said_at)
    assert any("ask not" in item.memory.text for item in recalled) or recalled == []  # own session is excluded
    found = assistant.memory.get().episodes.store.all("sam")
    [episode] = [episode for episode in found if "ask not what your country" in episode.text]
    assert f"attachment:{prepared.sha256}" in episode.sources  # the words link back to the stored note


def test_a_cancelled_voice_note_stops(assistant: Assistant, jfk_notes: dict[str, Path]) -> None:
    import threading

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TranscriptionCancelled):
        assistant.attachments.prepare(jfk_notes["ogg"], "sam", cancel=cancel)


def test_ask_with_an_image_and_a_voice_note(
    monkeypatch: pytest.MonkeyPatch, jfk_notes: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MNEMO_MODEL__BACKEND", "fake")
    code = main(
        ["ask", "What is in the photo?", "--image", str(IMAGES / "chelsea.png"), "--audio", str(jfk_notes["ogg"])]
        + ["--json"]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    photo, note = result["attachments"]
    assert photo["kind"] == "image" and "cat" in photo["report"]
    assert note["kind"] == "audio" and "ask not" in note["transcript"].lower()
    assert "ask not" in result["reply"].lower()  # the fake model echoes the message: the transcript is in it


def test_ask_with_a_bad_attachment_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MNEMO_MODEL__BACKEND", "fake")
    bad = tmp_path / "x.ogg"
    bad.write_bytes(b"\x00" * 100)
    assert main(["ask", "hi", "--audio", str(bad)]) == 2
    assert "x.ogg" in capsys.readouterr().err
