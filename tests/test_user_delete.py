"""Deleting a user for real: a unique string planted in their chats, memories, profile, concepts and file names
is nowhere in the data dir afterwards (nor in a Chroma server's files once vacuumed); other users keep theirs."""

from __future__ import annotations

import json
import secrets
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.adapter import user_adapter_dir
from assistant.chat_commands import run_command
from assistant.cli import main
from assistant.factory import Assistant, build_assistant
from assistant.feedback import last_reply_id, rate
from assistant.models.fake import FakeChatModel
from assistant.settings import load_settings
from assistant.turn import TurnOutcome, run_turn
from assistant.user_admin import delete_user
from tests.conftest import SHARED_DATA, ChromaServer
from tests.test_cli import run_mnemo

PHOTO = SHARED_DATA / "images" / "chelsea.png"


def plant_everywhere(assistant: Assistant, user: str, plant: str, tmp_path: Path) -> None:
    """The string in a message, a memory, the profile, /remember, a concept, an attachment's file name, a rated
    reply and the user's own adapter."""
    conversation = assistant.conversation(user)
    for text in (f"My name is Zed and my cat is called {plant}.", f"My sister Ana lives in {plant}ville."):
        assert run_turn(conversation, text).outcome == TurnOutcome.FINISHED
    now = datetime.now(UTC)
    run_command(assistant.memory, user, f"/remember my locker code is {plant}", now=now)
    photo = tmp_path / f"{plant}.png"
    shutil.copyfile(PHOTO, photo)
    prepared = assistant.attachments.prepare(photo, user)
    run_turn(conversation, f"Here is {plant} on the sofa", attachments=[prepared.context()])
    outcome = run_command(
        assistant.memory, user, f'/concept add Tabby "{plant} the cat" {photo}', now=now, concepts=assistant.concepts
    )
    assert not outcome.error, outcome.text
    # A rated reply (with the reply they wanted) and their own adapter (mnemo adapt), as files of theirs.
    rate(assistant.store, last_reply_id(assistant.store, conversation.session.id), "bad", f"Say {plant} instead.")
    own = user_adapter_dir(assistant.settings.data_dir, user)
    own.mkdir(parents=True)
    (own / "trained_on.json").write_text(json.dumps({"note": plant}))


def hits(folder: Path, plant: str) -> list[str]:
    """Every file under ``folder`` whose bytes or name hold ``plant`` (or its first 12 characters: a stem)."""
    needle = plant[:12].encode()
    return [
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if needle.decode() in path.name or (path.is_file() and needle in path.read_bytes())
    ]


def test_deleting_a_user_leaves_no_byte_of_theirs_and_keeps_the_others(tmp_path: Path) -> None:
    plant = "zq" + secrets.token_hex(10)
    settings = load_settings(model={"backend": "fake"})
    assistant = build_assistant(settings, model=FakeChatModel())
    plant_everywhere(assistant, "zed", plant, tmp_path)
    kept = assistant.conversation("kim")
    run_turn(kept, "My dog is called Pepper.")
    shared = assistant.attachments.prepare(PHOTO, "kim")  # the same photo bytes as zed's: one stored file
    run_turn(kept, "Look at this", attachments=[shared.context()])
    assert hits(settings.data_dir, plant)  # planted

    deletion = delete_user(assistant, "zed")
    assert deletion.memory_rows > 0 and deletion.server_note == ""
    assert assistant.store.list_users() == ["kim"]
    memories = [memory.text for memory in assistant.memory.get().memories.store.all("kim")]
    assert any("Pepper" in text for text in memories)
    assert assistant.memory.get().memories.store.all("zed") == []
    assert shared.stored.path.is_file()  # kim still uses that file
    assistant.close()
    assert hits(settings.data_dir, plant) == []


def test_delete_on_a_chroma_server_then_chroma_vacuum_leaves_nothing(
    tmp_path: Path, stoppable_chroma_server: ChromaServer
) -> None:
    plant = "zq" + secrets.token_hex(10)
    settings = load_settings(model={"backend": "fake"}, memory={"chroma_url": stoppable_chroma_server.url})
    assistant = build_assistant(settings, model=FakeChatModel())
    run_turn(assistant.conversation("zed"), f"My cat is called {plant}.")
    assert hits(stoppable_chroma_server.path, plant)
    deletion = delete_user(assistant, "zed")
    assert "chroma vacuum" in deletion.server_note
    assistant.close()
    stoppable_chroma_server.stop()
    chroma = Path(sys.executable).parent / "chroma"
    vacuum = [chroma, "vacuum", "--path", str(stoppable_chroma_server.path), "--force"]
    subprocess.run(vacuum, check=True, capture_output=True, timeout=120)
    # chroma vacuum leaves the deleted collections' folders, whose HNSW files can hold stale bytes of the
    # server's memory (once: the planted text, in length.bin): the documented next step removes them.
    assert main(["user", "scrub-chroma", str(stoppable_chroma_server.path)]) == 0
    assert not [path for path in stoppable_chroma_server.path.iterdir() if path.is_dir()]
    assert hits(stoppable_chroma_server.path, plant) == []
    assert hits(settings.data_dir, plant) == []


def test_user_delete_on_the_command_line_asks_first_and_keeps_files_private(tmp_path: Path) -> None:
    env = {"MNEMO_MODEL__BACKEND": "fake"}
    assert run_mnemo("ask", "--user", "zed", "My cat is called Miso.", **env).returncode == 0
    data_dir = Path(load_settings().data_dir)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    loose = [path for path in data_dir.rglob("*") if path.is_file() and stat.S_IMODE(path.stat().st_mode) & 0o077]
    assert loose == []
    refused = run_mnemo("user", "delete", "zed", **env)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert json.loads(run_mnemo("user", "list", "--json", **env).stdout) == ["zed"]
    done = run_mnemo("user", "delete", "zed", "--yes", "--json", **env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["user"] == "zed"
    assert json.loads(run_mnemo("user", "list", "--json", **env).stdout) == []
    missing = run_mnemo("user", "delete", "nobody", "--yes", **env)
    assert missing.returncode == 2 and "no user named 'nobody'" in missing.stderr


async def test_f3_deletes_another_user_after_their_name_is_typed(tmp_path: Path) -> None:
    from textual.widgets import Label, OptionList

    from tui.app import MnemoApp

    assistant = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel())
    run_turn(assistant.conversation("bob"), "My cat is called Miso.")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        users = app.screen.query_one("#user-list", OptionList)
        users.focus()
        users.highlighted = [option.id for option in users.options].index("alice")
        await pilot.press("f8")
        await pilot.pause()
        assert "switch to another user" in str(app.screen.query_one("#user-error", Label).render())
        users.highlighted = [option.id for option in users.options].index("bob")
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press(*"bo", "enter")  # not the name: nothing happens
        await pilot.pause()
        assert "nothing deleted" in str(app.screen.query_one("#confirm-error", Label).render())
        await pilot.press("b", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [option.id for option in app.screen.query_one("#user-list", OptionList).options] == ["alice"]
    assert assistant.store.list_users() == ["alice"]
    assert assistant.memory.get().memories.store.all("bob") == []
    assistant.close()


def test_scrub_chroma_refuses_a_folder_that_is_not_a_chroma_persist_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep").mkdir()
    assert main(["user", "scrub-chroma", str(tmp_path)]) == 2
    assert "not a Chroma persist dir" in capsys.readouterr().err
    assert (tmp_path / "keep").is_dir()  # nothing removed
