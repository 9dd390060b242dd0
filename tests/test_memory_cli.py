"""``mnemo memory …`` and ``mnemo profile …`` as a user types them (in-process, real Chroma and SQLite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from memory.profile import ProfileSection, ProfileStore


@pytest.fixture(autouse=True)
def shared_embedder(monkeypatch: pytest.MonkeyPatch, embedder) -> None:
    """Each command opens memory afresh; they share the session's loaded model instead of loading it again."""
    monkeypatch.setattr("memory.system.MiniLMEmbedder", lambda: embedder)
    monkeypatch.setenv("COLUMNS", "100")


def mnemo(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def mnemo_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    code, out, err = mnemo(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def add(capsys: pytest.CaptureFixture[str], text: str, *options: str, user: str = "alice") -> str:
    memory = mnemo_json(capsys, "memory", "add", text, "--user", user, *options)
    assert isinstance(memory, dict)
    return str(memory["id"])


def test_add_list_edit_pin_and_history_read_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = mnemo(capsys, "memory", "add", "My", "sister", "Ana", "lives", "in", "Lisbon", "--kind", "person")
    assert code == 0 and out.startswith("remembered m") and out.rstrip().endswith(": My sister Ana lives in Lisbon")
    sister = out.split()[1].rstrip(":")
    peanuts = add(
        capsys, "I am allergic to peanuts " + "and to tree nuts " * 10, "--pin", "--importance", "0.9", user="me"
    )

    code, out, _ = mnemo(capsys, "--user", "alice", "memory", "list")  # --user before the command works too
    assert out.startswith("no active memories for alice")
    code, out, _ = mnemo(capsys, "memory", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "KIND", "SAID", "★", "STATUS", "TEXT"]
    assert lines[1].startswith(sister) and "person" in lines[1] and "My sister Ana lives in Lisbon" in lines[1]
    assert "★" in lines[2] and lines[2].endswith("…") and all(len(line) <= 100 for line in lines)
    assert lines[1].index("active") == lines[2].index("active")  # aligned columns

    edited = mnemo_json(capsys, "memory", "edit", sister, "My sister Ana lives in Porto")
    assert isinstance(edited, dict) and edited["text"] == "My sister Ana lives in Porto"
    assert mnemo(capsys, "memory", "pin", sister)[1].startswith(f"pinned {sister} ★")
    unpinned = mnemo_json(capsys, "memory", "unpin", peanuts)
    assert isinstance(unpinned, dict) and unpinned["pinned"] is False

    code, out, _ = mnemo(capsys, "memory", "history", sister)
    rows = [line.split()[:2] for line in out.splitlines()[1:]]
    assert [action for _, action in rows] == ["add", "update", "update"]
    assert "pinned by the user" in out and "Lisbon" in out.splitlines()[1]
    history = mnemo_json(capsys, "memory", "history", sister)
    assert isinstance(history, list) and [change["after"]["pinned"] for change in history] == [False, False, True]


def test_rm_tells_how_to_undo_and_undo_brings_it_back(capsys: pytest.CaptureFixture[str]) -> None:
    cat = add(capsys, "My cat is called Miso", user="me")
    code, out, _ = mnemo(capsys, "memory", "rm", cat)
    assert code == 0
    undo_command = out.splitlines()[-1].removeprefix("undo with: ")
    assert undo_command.startswith("mnemo memory undo ")
    assert mnemo_json(capsys, "memory", "list") == []
    deleted = mnemo_json(capsys, "memory", "list", "--status", "deleted")
    assert isinstance(deleted, list) and [memory["id"] for memory in deleted] == [cat]
    assert mnemo(capsys, "memory", "rm", cat)[0] == 1  # already deleted

    code, out, _ = mnemo(capsys, *undo_command.split()[1:])
    assert code == 0 and f"{cat} is active" in out
    found = mnemo_json(capsys, "memory", "search", "what is my pet's name?", "-k", "1")
    assert isinstance(found, list) and found[0]["memory"]["id"] == cat and found[0]["meaning"] > 0


def test_search_list_filters_and_reindex(capsys: pytest.CaptureFixture[str]) -> None:
    add(capsys, "I work as a nurse at the city hospital", "--kind", "fact")
    add(capsys, "I love hiking in the Alps", "--kind", "preference")
    code, out, _ = mnemo(capsys, "memory", "search", "which", "mountains", "do", "I", "like?", "--user", "alice")
    assert code == 0 and "I love hiking in the Alps" in out.splitlines()[1]
    assert out.splitlines()[0].split() == ["ID", "KIND", "SAID", "★", "FOUND", "BY", "TEXT"]
    assert "no memories of carol match 'Alps'" in mnemo(capsys, "memory", "search", "Alps", "--user", "carol")[1]
    preferences = mnemo_json(capsys, "memory", "list", "--kind", "preference", "--user", "alice")
    assert isinstance(preferences, list) and [m["text"] for m in preferences] == ["I love hiking in the Alps"]
    rebuilt = mnemo_json(capsys, "memory", "reindex", "--user", "alice")
    assert rebuilt == {"alice": {"memories": 2, "active": 2, "turns": 0}}
    assert "reindexed alice: 2 memories (2 active)" in mnemo(capsys, "memory", "reindex", "--user", "alice")[1]


def test_unknown_ids_name_the_id_and_the_user(capsys: pytest.CaptureFixture[str]) -> None:
    for action in (
        ("edit", "mnope", "text"),
        ("rm", "mnope"),
        ("pin", "mnope"),
        ("unpin", "mnope"),
        ("history", "mnope"),
    ):
        code, out, err = mnemo(capsys, "memory", *action, "--user", "alice")
        assert (code, out) == (1, ""), action
        assert err.strip() == "mnemo: no memory 'mnope' for user 'alice'"
    code, _, err = mnemo(capsys, "memory", "undo", "999", "--user", "alice")
    assert code == 1 and "no change 999 for user 'alice'" in err
    code, _, err = mnemo(capsys, "memory", "add", "   ")
    assert code == 1 and "text" in err and "Traceback" not in err


def test_a_second_user_sees_none_of_the_first_users_memories(capsys: pytest.CaptureFixture[str]) -> None:
    secret = add(capsys, "My bank PIN hint is the cat's birthday")
    assert mnemo_json(capsys, "memory", "list", "--status", "all", "--user", "bob") == []
    assert mnemo_json(capsys, "memory", "search", "bank PIN", "--user", "bob") == []
    assert mnemo(capsys, "memory", "history", secret, "--user", "bob")[0] == 1
    assert mnemo(capsys, "memory", "rm", secret, "--user", "bob")[0] == 1
    exported = mnemo(capsys, "memory", "export", "--user", "bob")[1]
    assert exported == ""
    assert len(mnemo_json(capsys, "memory", "list", "--user", "alice")) == 1


def test_export_and_import_through_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = add(capsys, "My sister Ana lives in Lisbon")
    gone = add(capsys, "I like olives")
    mnemo(capsys, "memory", "rm", gone, "--user", "alice")
    mnemo(capsys, "profile", "set", "identity", "name", "Alice", "--user", "alice")
    code, out, err = mnemo(capsys, "memory", "export", "--user", "alice")
    assert code == 0 and [json.loads(line)["type"] for line in out.splitlines()] == ["memory", "memory", "profile"]
    assert "exported 2 memories and 1 profile entries of alice to stdout" in err
    file = tmp_path / "alice.jsonl"
    summary = mnemo_json(capsys, "memory", "export", str(file), "--user", "alice")
    assert summary == {"memories": 2, "profile_entries": 1, "file": str(file)}

    monkeypatch.setenv("MNEMO_DATA_DIR", str(tmp_path / "elsewhere"))
    code, out, _ = mnemo(capsys, "memory", "import", str(file), "--as-user", "sam")
    assert (code, out.strip()) == (0, "imported 3 records, 0 bad lines")
    again = mnemo_json(capsys, "memory", "import", str(file), "--as-user", "sam")
    assert again == {"imported": 0, "skipped": 3, "bad": []}
    moved = mnemo_json(capsys, "memory", "list", "--status", "all", "--user", "sam")
    assert isinstance(moved, list) and {(m["id"], m["status"]) for m in moved} == {(kept, "active"), (gone, "deleted")}
    actions = [change["action"] for change in mnemo_json(capsys, "memory", "history", gone, "--user", "sam")]
    assert actions == ["add", "delete", "import"]
    assert "Name: Alice." in mnemo(capsys, "profile", "show", "--user", "sam")[1]

    file.write_text(file.read_text() + "{broken\n")
    code, out, _ = mnemo(capsys, "memory", "import", str(file), "--as-user", "sam", "--replace")
    assert code == 1 and "imported 3 records" in out and "line 4: not JSON" in out
    code, _, err = mnemo(capsys, "memory", "import", str(tmp_path / "missing.jsonl"))
    assert code == 1 and "missing.jsonl" in err


def test_profile_show_set_unset(capsys: pytest.CaptureFixture[str], isolated_environment: Path) -> None:
    assert "no profile yet for me" in mnemo(capsys, "profile", "show")[1]
    code, out, _ = mnemo(capsys, "profile", "set", "people", "Ana", "sister,", "lives", "in", "Porto")
    assert (code, out.strip()) == (0, "me: people / ana = sister, lives in Porto")
    mnemo(capsys, "profile", "set", "answer_style", "length", "short")
    code, out, _ = mnemo(capsys, "profile", "show")
    assert out.splitlines()[0].split() == ["SECTION", "KEY", "FROM", "CONF", "VALUE"]
    assert out.splitlines()[-1] == "in the prompt: People: Ana (sister, lives in Porto). Answers: short."
    shown = mnemo_json(capsys, "profile", "show")
    assert isinstance(shown, dict) and [entry["manual"] for entry in shown["entries"]] == [True, True]

    assert mnemo(capsys, "profile", "unset", "people", "ana")[0] == 0
    code, _, err = mnemo(capsys, "profile", "unset", "people", "ana")
    assert code == 1 and "no profile entry people / 'ana' for user 'me'" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["profile", "set", "hobbies", "music", "jazz"])
    assert exit_info.value.code == 2
    valid = "valid sections: identity, health, people, pets, likes, dislikes, routines, answer_style"
    assert valid in capsys.readouterr().err


def test_deleting_a_memory_drops_the_profile_entries_resting_only_on_it(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    cat = add(capsys, "My cat is called Miso", user="me")
    profile = ProfileStore(isolated_environment / "data")
    profile.apply_automatic("me", ProfileSection.PETS, "miso", "cat", source=cat, confidence=0.9)
    profile.close()
    assert "Pets: Miso (cat)." in mnemo(capsys, "profile", "show")[1]
    mnemo(capsys, "memory", "rm", cat)
    assert "no profile yet" in mnemo(capsys, "profile", "show")[1]


def test_the_memory_commands_load_no_chroma_or_torch_until_they_run() -> None:
    code = (
        "import sys, assistant.cli; assistant.cli.build_parser(); "
        "print(sorted({'chromadb', 'torch'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
