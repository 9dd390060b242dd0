"""Personal concepts: the store, the phrases that register them, and the CLI over them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.concepts import Recognition, find_introduction, find_more_photos
from memory.concepts import ConceptError, ConceptStore


@pytest.fixture
def store(tmp_path: Path):
    concepts = ConceptStore(tmp_path / "data")
    yield concepts
    concepts.close()


def test_a_concept_keeps_its_photos_vectors_per_user(store: ConceptStore) -> None:
    store.create("sam", "Bo", "dog", "a corgi")
    version = store.version("sam")
    assert store.add_photo("sam", "bo", "a" * 64, "/x/a.jpg", np.ones((3, 4), dtype=np.float32))
    assert store.add_photo("sam", "Bo", "b" * 64, "/x/b.jpg", np.zeros(4, dtype=np.float32))
    assert not store.add_photo("sam", "Bo", "a" * 64, "/x/a.jpg", np.ones((3, 4)))  # same photo twice
    assert store.version("sam") > version
    [(name, photos)] = store.examples("sam")
    assert name == "Bo" and [vectors.shape for vectors in photos] == [(3, 4), (1, 4)]
    concept = store.require("sam", "BO")
    assert concept.label() == "Bo (your dog)" and [photo.path for photo in concept.photos] == ["/x/a.jpg", "/x/b.jpg"]
    assert store.list("kim") == [] and store.examples("kim") == []


def test_rename_remove_photo_and_delete(store: ConceptStore) -> None:
    store.create("sam", "Bo", "dog")
    store.add_photo("sam", "Bo", "a" * 64, "/a.jpg", np.ones(4))
    store.add_photo("sam", "Bo", "b" * 64, "/b.jpg", np.ones(4))
    store.update("sam", "Bo", new_name="Bobo")
    assert store.get("sam", "Bo") is None and len(store.require("sam", "Bobo").photos) == 2
    assert store.remove_photo("sam", "Bobo", "aaaa") == 1
    assert [photo.path for photo in store.require("sam", "Bobo").photos] == ["/b.jpg"]
    store.delete("sam", "Bobo")
    assert store.list("sam") == [] and store.examples("sam") == []


def test_clear_errors_for_duplicates_unknown_names_and_bad_names(store: ConceptStore) -> None:
    store.create("sam", "Bo", "dog")
    with pytest.raises(ConceptError, match="already"):
        store.create("sam", "bo")
    with pytest.raises(ConceptError, match="No concept called 'Mia'.*Bo"):
        store.require("sam", "Mia")
    with pytest.raises(ConceptError, match="cannot be a concept name"):
        store.create("sam", "../etc")


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("This is my dog Bo", "Bo", "dog"),
        ("this is Bo, my dog.", "Bo", "dog"),
        ("Meet my cat called Mia!", "Mia", "cat"),
        ("here's our robot vacuum Robbie", "Robbie", "robot vacuum"),
        ("this is my mug", "mug", "mug"),
    ],
)
def test_introductions_name_the_concept_and_its_kind(text: str, name: str, kind: str) -> None:
    found = find_introduction(text)
    assert found is not None and (found.name, found.kind) == (name, kind)


@pytest.mark.parametrize("text", ["What is this?", "this is a dog", "is this my dog?", "My dog Bo is sick"])
def test_other_messages_introduce_nothing(text: str) -> None:
    assert find_introduction(text) is None


def test_more_photos_of_a_known_concept() -> None:
    assert find_more_photos("Here is Bo again", ["Bo"]) == "Bo"
    assert find_more_photos("another photo of bo", ["Bo"]) is None  # names are capitalised in speech
    assert find_more_photos("another photo of Bo", ["Bo"]) == "Bo"
    assert find_more_photos("Here is Max", ["Bo"]) is None


def test_recognition_is_told_to_the_model_with_its_score() -> None:
    assert Recognition("Bo", "dog", 0.874).told == "Bo, your dog"
    assert Recognition("mug", "mug", 0.9).told == "your mug"


def test_rejections_name_a_known_concept() -> None:
    from assistant.concepts import find_rejection

    known = ["Bo", "Mia"]
    for text in ("That's not Bo", "no, this isn't Bo!", "It is not Bo.", "not Bo", "this is not Mia"):
        assert find_rejection(text, known) in ("Bo", "Mia"), text
    for text in ("That's not Rex", "I'm not sure about Bo", "That's Bo", "Bo's bowl is not here", "not Bo's"):
        assert find_rejection(text, known) is None, text
