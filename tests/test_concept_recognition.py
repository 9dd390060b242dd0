"""The concept recogniser on synthetic vectors, and once on real photos of the dog Bo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from memory.concept_recognition import (
    GLOBAL_VIEWS,
    MATCH_THRESHOLD,
    ConceptExamples,
    ConceptMatch,
    ConceptRecognizer,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DIMENSION = 64


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def synthetic_concepts(rng: np.random.Generator, count: int = 5, photos: int = 4, noise: float = 0.1):
    """Concept centres in a shared 'scene' direction (like real photos: everything is somewhat alike)."""
    scene = unit(rng.normal(size=DIMENSION))
    centres = unit(scene + 0.8 * unit(rng.normal(size=(count, DIMENSION))))
    concepts = []
    for i, centre in enumerate(centres):
        views = [unit(centre + noise * rng.normal(size=(2, DIMENSION)) / np.sqrt(DIMENSION)) for _ in range(photos)]
        concepts.append(ConceptExamples(f"concept{i}", views))
    return concepts, centres, scene


def test_match_is_sorted_and_identifies_the_right_concept() -> None:
    rng = np.random.default_rng(0)
    concepts, centres, _ = synthetic_concepts(rng)
    recognizer = ConceptRecognizer(concepts)
    for i, centre in enumerate(centres):
        query = unit(centre + 0.1 * rng.normal(size=(2, DIMENSION)) / np.sqrt(DIMENSION))
        matches = recognizer.match(query)
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
        assert all(0.0 <= m.score <= 1.0 for m in matches)
        assert matches[0].name == f"concept{i}"
        best = recognizer.best(query)
        assert isinstance(best, ConceptMatch) and best.name == f"concept{i}" and best.score >= MATCH_THRESHOLD


def test_unrelated_query_is_rejected() -> None:
    rng = np.random.default_rng(1)
    concepts, _, scene = synthetic_concepts(rng)
    recognizer = ConceptRecognizer(concepts)
    stranger = unit(scene + 0.8 * unit(rng.normal(size=DIMENSION)))  # same kind of scene, another object
    assert recognizer.best(stranger[None]) is None
    assert max(m.score for m in recognizer.match(stranger[None])) < MATCH_THRESHOLD


def test_single_reference_photo_and_background_work() -> None:
    rng = np.random.default_rng(2)
    concepts, centres, scene = synthetic_concepts(rng, photos=1)
    background = unit(scene + 0.8 * unit(rng.normal(size=(20, DIMENSION))))
    recognizer = ConceptRecognizer(concepts, background=background)
    assert recognizer.match(centres[3][None])[0].name == "concept3"
    assert recognizer.best(background[0][None]) is None


def test_deterministic_and_empty() -> None:
    rng = np.random.default_rng(3)
    concepts, centres, _ = synthetic_concepts(rng)
    first = ConceptRecognizer(concepts).scores(centres[0][None])
    second = ConceptRecognizer(concepts).scores(centres[0][None])
    np.testing.assert_array_equal(first, second)
    empty = ConceptRecognizer([])
    assert empty.match(centres[0][None]) == [] and empty.best(centres[0][None]) is None


def test_patch_rows_decide_between_globally_identical_concepts() -> None:
    """Two concepts with the same global views differ only in a local part: the patch evidence decides."""
    rng = np.random.default_rng(4)
    scene = unit(rng.normal(size=DIMENSION))
    parts = np.abs(rng.normal(size=(2, DIMENSION)))  # a distinctive local part per concept
    clutter = np.abs(rng.normal(size=(8, DIMENSION)))  # patches both concepts' photos share

    def photo(part: int) -> np.ndarray:
        views = unit(scene + 0.01 * rng.normal(size=(GLOBAL_VIEWS, DIMENSION)))
        patches = np.concatenate([clutter, parts[part][None] + 0.05 * rng.normal(size=(2, DIMENSION))])
        return np.concatenate([views, patches])

    recognizer = ConceptRecognizer([ConceptExamples(f"c{i}", [photo(i), photo(i)]) for i in range(2)])
    for i in range(2):
        scores = recognizer.scores(photo(i))
        assert scores[i] >= MATCH_THRESHOLD and scores[1 - i] < 0.01


@pytest.fixture(scope="module")
def bo_photos():
    """A recogniser with bo (2 photos) and 3 other concepts, plus a bo photo and a look-alike dog to query."""
    bo = SHARED_DATA / "concepts" / "bo"
    lookalikes = SHARED_DATA / "concepts_negatives" / "bo"
    if not bo.is_dir() or not lookalikes.is_dir():
        pytest.skip(f"the concept photos are not here ({SHARED_DATA})")
    from PIL import Image

    from modalities.concept_features import ConceptFeatureExtractor

    extractor = ConceptFeatureExtractor(threads=2)

    def load(path: Path) -> Image.Image:
        with Image.open(path) as image:
            return image.convert("RGB")

    photos = sorted(bo.glob("*.jpg"))
    concepts = [ConceptExamples("bo", [extractor.reference_vectors(load(p)) for p in photos[:2]])]
    others = [d for d in sorted((SHARED_DATA / "concepts").iterdir()) if d.is_dir() and d.name != "bo"][:3]
    for folder in others:
        references = [extractor.reference_vectors(load(p)) for p in sorted(folder.glob("*.jpg"))[:2]]
        concepts.append(ConceptExamples(folder.name, references))
    bo_query = extractor.query_vectors(load(photos[2]))
    lookalike = extractor.query_vectors(load(sorted(lookalikes.glob("*.jpg"))[0]))
    return ConceptRecognizer(concepts), bo_query, lookalike


@pytest.mark.real_model
def test_bo_is_recognised_from_two_photos(bo_photos) -> None:
    recognizer, bo_query, _ = bo_photos
    match = recognizer.best(bo_query)
    assert match is not None and match.name == "bo"


@pytest.mark.real_model
@pytest.mark.xfail(
    reason="known limit: at 2-4 reference photos about 40-70% of look-alike Shiba Inus still pass the threshold "
    "(bench/concepts.py hard_negative_fpr); patch evidence helps identification, not this",
    strict=False,
)
def test_a_lookalike_dog_is_not_bo(bo_photos) -> None:
    recognizer, _, lookalike = bo_photos
    match = recognizer.best(lookalike)
    assert match is None or match.name != "bo"
