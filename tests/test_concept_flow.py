"""'This is my dog Bo' with photos registers Bo; a later photo of Bo is recognised by name (real encoders)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.factory import Assistant
from assistant.models.fake import FakeChatModel
from tests.conftest import SHARED_DATA

BO = SHARED_DATA / "concepts" / "bo"
CAT = SHARED_DATA / "images" / "chelsea.png"
pytestmark = pytest.mark.skipif(not BO.is_dir(), reason="needs ../shared/data/concepts")


def test_this_is_my_dog_bo_then_bo_is_recognised(assistant: Assistant, fake_model: FakeChatModel) -> None:
    conversation = assistant.conversation("sam")
    photos = [assistant.attachments.prepare(BO / name, "sam") for name in ("0.jpg", "1.jpg")]
    assert all(not photo.recognised for photo in photos)  # no concepts yet: nothing claimed
    list(conversation.send("This is my dog Bo", attachments=[photo.context() for photo in photos]))
    report = conversation.remember_last_turn()
    assert report is not None and report.notes == ["I'll recognise Bo (your dog) now (2 photos)"]

    third = assistant.attachments.prepare(BO / "2.jpg", "sam")
    assert third.recognised == "Bo, your dog" and third.match >= 0.5
    list(conversation.send("Who is this?", attachments=[third.context()]))
    assert "[photo 2.jpg — this is Bo, your dog (the image tool's match: " in fake_model.received[-1][-1].content
    remembered = conversation.remember_last_turn()
    assert remembered is not None and any("Bo, your dog" in memory.text for memory in remembered.remembered)

    assert assistant.attachments.prepare(CAT, "sam").recognised == ""  # not a dog at all
    assert assistant.attachments.prepare(BO / "2.jpg", "kim").recognised == ""  # kim has no Bo

    list(
        conversation.send(
            "Here is Bo again", attachments=[assistant.attachments.prepare(BO / "3.jpg", "sam").context()]
        )
    )
    again = conversation.remember_last_turn()
    assert again is not None and again.notes == ["added 1 photo of Bo"]
    assert len(assistant.memory.get().concepts.require("sam", "Bo").photos) == 3


def test_concept_commands_in_the_cli(isolated_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["concept", "add", "Bo", str(BO / "0.jpg"), str(BO / "1.jpg"), "--kind", "dog", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["name"] == "Bo" and added["kind"] == "dog" and added["added"] == 2 and len(added["photos"]) == 2
    assert main(["concept", "list"]) == 0
    assert "Bo (your dog): 2 photos" in capsys.readouterr().out
    assert main(["concept", "rename", "Bo", "Bobo"]) == 0
    assert main(["concept", "show", "Bobo", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert main(["concept", "rm", "Bobo", "--photo", shown["photos"][0]["sha256"][:12]]) == 0
    assert main(["concept", "rm", "Bobo"]) == 0
    assert main(["concept", "show", "Bobo"]) == 1
    assert "No concept called 'Bobo'" in capsys.readouterr().err
    assert main(["concept", "add", "Mia", str(CAT.with_suffix(".nope"))]) == 1


def test_concept_command_in_the_chat(assistant: Assistant) -> None:
    from datetime import datetime

    from assistant.chat_commands import run_command

    now = datetime.now().astimezone()
    outcome = run_command(
        assistant.memory,
        "sam",
        f'/concept add Bo "my dog" {BO / "0.jpg"} {BO / "1.jpg"}',
        now=now,
        concepts=assistant.concepts,
    )
    assert not outcome.error and "**Bo**: 2 new photos" in outcome.text
    listed = run_command(assistant.memory, "sam", "/concept list", now=now, concepts=assistant.concepts)
    assert "**Bo** (dog, 2 photos) — my dog" in listed.text
    removed = run_command(assistant.memory, "sam", "/concept rm Bo", now=now, concepts=assistant.concepts)
    assert "deleted concept **Bo**" in removed.text


LOOKALIKES = SHARED_DATA / "concepts_negatives" / "bo"


def test_thats_not_bo_keeps_the_photo_apart(assistant: Assistant) -> None:
    """A look-alike claimed as Bo is corrected; it (and the next look-alikes, less often) is not claimed again."""
    conversation = assistant.conversation("sam")
    photos = [assistant.attachments.prepare(BO / name, "sam").context() for name in ("0.jpg", "1.jpg")]
    list(conversation.send("This is my dog Bo", attachments=photos))
    conversation.remember_last_turn()
    claimed = [
        path for path in sorted(LOOKALIKES.glob("*.jpg"))[:12] if assistant.attachments.prepare(path, "sam").recognised
    ]
    assert claimed, "no look-alike is claimed any more: this test needs one that is"
    wrong = assistant.attachments.prepare(claimed[0], "sam")
    list(conversation.send("Who is this?", attachments=[wrong.context()]))
    conversation.remember_last_turn()

    list(conversation.send("That's not Bo."))  # about the photo of the message before
    report = conversation.remember_last_turn()
    assert report is not None and report.notes == ["noted: this photo is not Bo (1 kept apart from Bo)"]
    assert assistant.attachments.prepare(claimed[0], "sam").recognised == ""
    assert assistant.attachments.prepare(BO / "2.jpg", "sam").recognised == "Bo, your dog"
    assert len(assistant.memory.get().concepts.require("sam", "Bo").photos) == 2  # references untouched


def test_a_person_introduced_with_a_photo_is_a_person_memory_and_a_concept(assistant: Assistant) -> None:
    conversation = assistant.conversation("sam")
    photo = assistant.attachments.prepare(SHARED_DATA / "images" / "grace_hopper.jpg", "sam")
    list(conversation.send("This is my grandmother Grace", attachments=[photo.context()]))
    report = conversation.remember_last_turn()
    assert report is not None and report.notes == ["I'll recognise Grace (your grandmother) now (1 photo)"]
    assert "My grandmother is called Grace" in [memory.text for memory in report.remembered]
    assert "Grace (grandmother)" in assistant.memory.get().profile.render("sam")[0]
