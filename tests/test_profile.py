"""The profile: manual and automatic entries, their evidence, and the text the prompt gets (real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from memory.profile import ProfileSection, ProfileStore


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[ProfileStore]:
    store = ProfileStore(tmp_path)
    yield store
    store.close()


def test_a_manual_entry_survives_automatic_extraction(profile: ProfileStore) -> None:
    profile.set("sam", ProfileSection.IDENTITY, "Home", "Porto")
    assert (
        profile.apply_automatic("sam", ProfileSection.IDENTITY, "home", "Lisbon", source="m1", confidence=0.9) is None
    )
    entry = profile.get("sam", ProfileSection.IDENTITY, " HOME ")
    assert entry is not None and (entry.value, entry.manual) == ("Porto", True)


def test_the_same_value_again_accumulates_evidence_and_a_new_value_replaces_it(profile: ProfileStore) -> None:
    profile.apply_automatic("sam", ProfileSection.LIKES, "music", "jazz", source="m1", confidence=0.6)
    again = profile.apply_automatic("sam", ProfileSection.LIKES, "music", "Jazz", source="m2", confidence=0.9)
    assert again is not None
    assert (again.value, again.sources, again.confidence, again.manual) == ("jazz", ["m1", "m2"], 0.9, False)
    lower = profile.apply_automatic("sam", ProfileSection.LIKES, "music", "jazz", source="m3", confidence=0.5)
    assert lower is not None and lower.confidence == 0.9  # the strongest evidence counts
    changed = profile.apply_automatic("sam", ProfileSection.LIKES, "music", "fado", source="m4", confidence=0.7)
    assert changed is not None and (changed.value, changed.sources, changed.confidence) == ("fado", ["m4"], 0.7)


def test_forgetting_a_memory_drops_automatic_entries_that_rested_only_on_it(profile: ProfileStore) -> None:
    profile.apply_automatic("sam", ProfileSection.PETS, "miso", "cat", source="m1", confidence=0.8)
    profile.apply_automatic("sam", ProfileSection.PETS, "miso", "cat", source="m2", confidence=0.8)
    profile.apply_automatic("sam", ProfileSection.LIKES, "food", "Thai food", source="m1", confidence=0.8)
    profile.set("sam", ProfileSection.IDENTITY, "name", "Sam", sources=["m1"])
    profile.forget_source("sam", "m1")
    entries = {(entry.section, entry.key): entry for entry in profile.entries("sam")}
    assert entries[(ProfileSection.PETS, "miso")].sources == ["m2"]
    assert (ProfileSection.LIKES, "food") not in entries
    assert entries[(ProfileSection.IDENTITY, "name")].sources == []  # manual: the user's word is enough


def test_render_reads_like_a_sentence_and_names_its_sources(profile: ProfileStore) -> None:
    profile.apply_automatic("sam", ProfileSection.ANSWER_STYLE, "language", "English", source="m5", confidence=1)
    profile.apply_automatic("sam", ProfileSection.PEOPLE, "ana", "sister, lives in Porto", source="m2", confidence=1)
    profile.apply_automatic("sam", ProfileSection.LIKES, "music", "jazz", source="m3", confidence=1)
    profile.apply_automatic("sam", ProfileSection.LIKES, "food", "Thai food", source="m4", confidence=1)
    profile.set("sam", ProfileSection.ANSWER_STYLE, "length", "short")
    profile.set("sam", ProfileSection.IDENTITY, "job", "nurse.")
    profile.set("sam", ProfileSection.IDENTITY, "name", "Sam", sources=["m1"])
    text, sources = profile.render("sam")
    assert text == (
        "Name: Sam. Job: nurse. People: Ana (sister, lives in Porto). Likes: Thai food, jazz. "
        "Answers: short, in English."
    )
    assert sorted(sources) == ["m1", "m2", "m3", "m4", "m5"]
    assert profile.render("nobody") == ("", ())


def test_render_stays_within_its_budget_and_cites_only_what_made_it_in(profile: ProfileStore) -> None:
    profile.set("sam", ProfileSection.IDENTITY, "name", "Sam", sources=["m1"])
    for number in range(20):
        profile.apply_automatic(
            "sam",
            ProfileSection.LIKES,
            f"thing {number:02d}",
            f"liked thing {number}",
            source=f"m{number + 10}",
            confidence=1,
        )
    text, sources = profile.render("sam", max_chars=80)
    assert len(text) <= 80
    assert text.startswith("Name: Sam. Likes: liked thing 0, ")
    assert text.endswith(".")
    shown = [number for number in range(20) if f"liked thing {number}," in text or f"liked thing {number}." in text]
    assert 0 < len(shown) < 20
    assert set(sources) == {"m1", *(f"m{number + 10}" for number in shown)}


def test_users_never_see_each_others_profile(profile: ProfileStore) -> None:
    profile.set("alice", ProfileSection.IDENTITY, "name", "Alice")
    profile.set("bob", ProfileSection.IDENTITY, "name", "Bob")
    assert [entry.value for entry in profile.entries("bob")] == ["Bob"]
    assert profile.unset("bob", ProfileSection.IDENTITY, "name") is True
    assert profile.unset("bob", ProfileSection.IDENTITY, "name") is False
    assert profile.get("alice", ProfileSection.IDENTITY, "name") is not None
    with pytest.raises(ValueError, match="invalid user name"):
        profile.entries("../alice")


def test_entries_persist_across_reopening_and_are_ordered_by_section(tmp_path: Path) -> None:
    first = ProfileStore(tmp_path)
    first.set("sam", ProfileSection.ANSWER_STYLE, "tone", "friendly")
    first.set("sam", ProfileSection.PEOPLE, "rui", "brother")
    first.set("sam", ProfileSection.IDENTITY, "name", "Sam", sources=["m1"], confidence=0.7)
    saved = first.entries("sam")
    first.close()
    reopened = ProfileStore(tmp_path)
    assert reopened.entries("sam") == saved
    assert [entry.section for entry in saved] == [
        ProfileSection.IDENTITY,
        ProfileSection.PEOPLE,
        ProfileSection.ANSWER_STYLE,
    ]
    assert reopened.entries("sam", ProfileSection.PEOPLE)[0].value == "brother"
    reopened.close()


def test_keys_and_values_are_checked(profile: ProfileStore) -> None:
    with pytest.raises(ValidationError):
        profile.set("sam", ProfileSection.LIKES, "   ", "jazz")
    with pytest.raises(ValidationError):
        profile.set("sam", ProfileSection.LIKES, "music", "x" * 301)
    with pytest.raises(ValueError):
        profile.set("sam", "hobbies", "music", "jazz")
