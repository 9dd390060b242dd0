"""Damaged files: the app still opens and answers, names the file and the fix, and loses nothing else."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from assistant.factory import build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import load_settings
from assistant.turn import run_turn
from tests.conftest import SHARED_DATA
from tests.test_cli import run_mnemo

FAKE = {"MNEMO_MODEL__BACKEND": "fake"}


def data_dir() -> Path:
    return Path(os.environ["MNEMO_DATA_DIR"])


def garble(path: Path, keep: int = 0) -> None:
    """Keep the first ``keep`` bytes (a truncated file) and write garbage after them."""
    head = path.read_bytes()[:keep]
    path.write_bytes(head + b"\x8f garbage \x00\xff" * 200)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def test_a_garbage_history_file_is_set_aside_and_memories_still_answer() -> None:
    assert run_mnemo("ask", "My cat is called Miso.", **FAKE).returncode == 0
    garble(data_dir() / "mnemo.sqlite3")
    result = run_mnemo("ask", "--json", "What is my cat called?", **FAKE)
    assert result.returncode == 0, result.stderr
    assert "mnemo.sqlite3 was damaged" in result.stderr and ".recover" in result.stderr
    assert any(path.name.startswith("mnemo.sqlite3.damaged-") for path in data_dir().iterdir())
    reply = json.loads(result.stdout)
    assert reply["recalled"] and not reply["unavailable"]  # the memory of Miso is untouched
    again = run_mnemo("ask", "Hello again", **FAKE)
    assert "damaged" not in again.stderr  # said once; the new file is healthy


def test_a_truncated_memory_file_names_itself_and_the_fix_and_the_chat_goes_on() -> None:
    assert run_mnemo("ask", "My cat is called Miso.", **FAKE).returncode == 0
    garble(data_dir() / "memory.sqlite3", keep=1024)
    result = run_mnemo("ask", "--json", "What is my cat called?", **FAKE)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["reply"] == "You said: What is my cat called?"
    [notice] = reply["unavailable"]
    assert "memory.sqlite3 is damaged" in notice and "mnemo memory import" in notice
    sessions = json.loads(run_mnemo("sessions", "--json", **FAKE).stdout)
    assert sum(session["message_count"] for session in sessions) == 4  # both chats kept


def test_a_damaged_chroma_index_is_rebuilt_by_reindex_from_the_journal_and_the_history() -> None:
    assert run_mnemo("ask", "My cat is called Miso.", **FAKE).returncode == 0
    garble(data_dir() / "chroma" / "chroma.sqlite3")
    broken = json.loads(run_mnemo("ask", "--json", "What is my cat called?", **FAKE).stdout)
    assert "mnemo memory reindex --all" in broken["unavailable"][0]
    repaired = run_mnemo("memory", "reindex", "--all", **FAKE)
    assert repaired.returncode == 0, repaired.stderr
    assert "set aside" in repaired.stderr and "reindexed me: 1 memories" in repaired.stdout
    fixed = json.loads(run_mnemo("ask", "--json", "What is my cat called?", **FAKE).stdout)
    assert not fixed["unavailable"] and fixed["recalled"]


async def test_a_half_written_photo_shows_its_name_and_the_rest_of_the_chat(tmp_path: Path) -> None:
    from textual.widgets import Static

    from tui.app import MnemoApp
    from tui.widgets.image_preview import ImagePreview

    assistant = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel())
    photo = tmp_path / "beach.png"
    shutil.copyfile(SHARED_DATA / "images" / "coffee.png", photo)
    prepared = assistant.attachments.prepare(photo, "me")
    conversation = assistant.conversation("me")
    run_turn(conversation, "Look at this", attachments=[prepared.context()])
    stored = prepared.stored.path
    stored.write_bytes(stored.read_bytes()[:200])  # a crash mid-copy, or a bad disk
    app = MnemoApp(assistant, user="me", session_id=conversation.session.id)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        [preview] = app.screen.query(ImagePreview)
        assert "cannot be read: damaged or missing" in str(Static.render(preview))
        labels = [str(Static.render(label)) for label in app.screen.query(".message-attachments")]
        assert any("beach.png" in label for label in labels)  # the chip still names the file
    assistant.close()
