"""Recognising registered personal concepts in a new photo, from a few reference photos each (pure numpy).

A concept is a set of reference photos, each given as a few L2-normalised view vectors (see
``modalities.concept_features``). Two cues make the calibrated score of concept *c* for a query *q*:

* **typicality**: the cosine of *q* to the concept's prototype (mean of its views) against the similarity the
  concept's own reference photos have to each other (leave-one-out): a photo of *c* should be about as close
  to the prototype as the references are to each other. ``sigmoid((s - tau) / SPREAD + TYPICALITY_Z)``;
  0.5 means "``TYPICALITY_Z`` spreads below the references' own mutual similarity". With one reference photo
  ``tau`` is borrowed from the concepts that have several, else ``DEFAULT_SAME_SIMILARITY``.
* **competition**: a softmax over all concepts (and optional background vectors) of cosines in a space
  PCA-whitened on the registered references, so that what all concepts share (a kitchen, a sofa) counts less,
  plus, when the photos carry patch rows, **patch evidence** (naive-Bayes nearest neighbour): each query patch
  votes for the concept owning its nearest reference patch, by its margin over the best other concept; a
  concept's evidence is the mean of its ``PATCH_TOP`` largest margins. Patches are centred on the mean of the
  registered reference patches and signed-square-rooted. The two logits are added before the softmax
  (background vectors have no patches and compete on the whitened cosine only).

Row layout of a photo's array: the first ``GLOBAL_VIEWS`` rows are global unit vectors (views of the whole
photo); any further rows are raw patch descriptors. An array with at most ``GLOBAL_VIEWS`` rows has no patches;
patch evidence is used only when every concept and the query have patches.

score = typicality x share, in [0, 1]; ``best`` answers only above ``MATCH_THRESHOLD``. No training loop:
registering is an SVD of the reference matrix (milliseconds), deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

MATCH_THRESHOLD = 0.5
GLOBAL_VIEWS = 2  # leading rows of a photo's array that are global views; the rest are patch descriptors
PATCH_TOP = 5  # the query patches with the largest margins that make a concept's patch evidence
PATCH_TEMPERATURE = 0.01  # of the patch margins (cosine units); picked from {0.01, 0.02, 0.05} on bench/concepts.py
TYPICALITY_Z = 1.0  # accept down to one spread below the references' mutual similarity (~84% of positives)
SPREAD = 0.04  # cosine spread of same-object similarities
DEFAULT_SAME_SIMILARITY = 0.75  # same-object prototype cosine when no concept has two photos yet
SHARE_TEMPERATURE = 0.05
WHITEN_SHRINK = 0.5  # singular values are regularised by this share of their mean


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class ConceptExamples:
    """A registered concept: its name and, per reference photo, an (n_views, d) array of view vectors."""

    name: str
    photos: Sequence[np.ndarray] = field(default_factory=list)

    def matrix(self) -> np.ndarray:
        """The global views of all reference photos, stacked."""
        return np.concatenate([_global_rows(p) for p in self.photos]).astype(np.float32)

    def patches(self) -> np.ndarray:
        """The patch descriptors of all reference photos, stacked (possibly none)."""
        return np.concatenate([_patch_rows(p) for p in self.photos]).astype(np.float32)


def _global_rows(photo: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.asarray(photo, dtype=np.float32))[:GLOBAL_VIEWS]


def _patch_rows(photo: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.asarray(photo, dtype=np.float32))[GLOBAL_VIEWS:]


@dataclass(frozen=True)
class ConceptMatch:
    name: str
    score: float


class ConceptRecognizer:
    """Scores query photos against registered concepts; build a new one when the concepts change."""

    def __init__(
        self,
        concepts: Sequence[ConceptExamples],
        background: np.ndarray | None = None,
        counter_examples: Mapping[str, Sequence[np.ndarray]] | None = None,
    ) -> None:
        """``counter_examples``: per concept name, photos the user said are *not* that concept; they
        become a hidden competitor ("not Bo") in the share, never a name of its own."""
        concepts = [c for c in concepts if len(c.photos)]
        self.names = [c.name for c in concepts]
        if not concepts:
            self._prototypes = np.zeros((0, 0), np.float32)
            return
        counter_examples = counter_examples or {}
        hidden = [
            ConceptExamples(f"not {c.name}", list(counter_examples[c.name]))
            for c in concepts
            if len(counter_examples.get(c.name, ()))
        ]
        competitors = [*concepts, *hidden]
        matrices = [c.matrix() for c in competitors]
        self._prototypes = _unit(np.stack([m.mean(0) for m in matrices[: len(concepts)]]))
        self._tau = self._same_similarity(concepts)
        background_rows = np.zeros((0, matrices[0].shape[1]), np.float32)
        if background is not None and len(background):
            background_rows = _unit(np.atleast_2d(background))
        data = np.concatenate([*matrices, background_rows])
        self._mean = data.mean(0)
        _, singular, basis = np.linalg.svd(data - self._mean, full_matrices=False)
        keep = singular > 1e-6 * max(float(singular[0]), 1e-12)
        self._basis = basis[keep]
        self._scale = singular[keep] + WHITEN_SHRINK * float(singular[keep].mean()) if keep.any() else singular[:0]
        self._white_prototypes = _unit(np.stack([self._whiten(m).mean(0) for m in matrices]))
        self._white_background = self._whiten(background_rows) if len(background_rows) else None
        self._patch_matrix: np.ndarray | None = None
        patches = [c.patches() for c in competitors]
        if all(len(p) for p in patches):
            self._patch_mean = np.concatenate(patches).mean(0)
            self._patch_matrix = np.concatenate([self._patch_unit(p) for p in patches])
            self._patch_starts = np.cumsum([0] + [len(p) for p in patches[:-1]])

    def _patch_unit(self, patches: np.ndarray) -> np.ndarray:
        centred = patches - self._patch_mean
        return _unit(np.sign(centred) * np.sqrt(np.abs(centred)))

    def _patch_evidence(self, query_patches: np.ndarray) -> np.ndarray | None:
        """Per concept: mean of the PATCH_TOP largest margins (nearest own patch minus nearest other concept's)."""
        if self._patch_matrix is None or not len(query_patches) or len(self._patch_starts) < 2:
            return None
        similarity = self._patch_unit(query_patches) @ self._patch_matrix.T
        nearest = np.maximum.reduceat(similarity, self._patch_starts, axis=1)  # per concept (contiguous rows)
        ordered = np.sort(nearest, axis=1)
        best, second = ordered[:, -1:], ordered[:, -2:-1]
        margins = nearest - np.where(nearest >= best, second, best)
        top = min(PATCH_TOP, len(margins))
        return np.sort(margins, axis=0)[-top:].mean(0)

    @staticmethod
    def _same_similarity(concepts: Sequence[ConceptExamples]) -> np.ndarray:
        """Per concept: mean leave-one-out cosine of a reference photo to the prototype of the others."""
        tau = np.full(len(concepts), np.nan, np.float32)
        for i, concept in enumerate(concepts):
            photos = [_global_rows(p) for p in concept.photos]
            if len(photos) < 2:
                continue
            sims = []
            for j, photo in enumerate(photos):
                rest = np.concatenate(photos[:j] + photos[j + 1 :]).mean(0)
                sims.append(float(_unit(photo.mean(0)) @ _unit(rest)))
            tau[i] = np.mean(sims)
        known = tau[~np.isnan(tau)]
        fallback = float(known.mean()) if len(known) else DEFAULT_SAME_SIMILARITY
        return np.where(np.isnan(tau), fallback, tau).astype(np.float32)

    def _whiten(self, x: np.ndarray) -> np.ndarray:
        return _unit(((np.atleast_2d(x) - self._mean) @ self._basis.T) / self._scale)

    def scores(self, query_vectors: np.ndarray) -> np.ndarray:
        """Calibrated scores in [0, 1], one per concept in ``self.names`` order."""
        if not self.names:
            return np.zeros(0, np.float32)
        rows = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
        query, query_patches = _global_rows(rows), _patch_rows(rows)
        similarity = self._prototypes @ _unit(query.mean(0))
        typicality = 1.0 / (1.0 + np.exp(-((similarity - self._tau) / SPREAD + TYPICALITY_Z)))
        white = _unit(self._whiten(query).mean(0))
        logits = (self._white_prototypes @ white) / SHARE_TEMPERATURE
        evidence = self._patch_evidence(query_patches)
        if evidence is not None:
            logits = logits + evidence / PATCH_TEMPERATURE
        if self._white_background is not None:
            logits = np.concatenate([logits, (self._white_background @ white) / SHARE_TEMPERATURE])
        exp = np.exp(logits - logits.max())
        share = exp[: len(self.names)] / exp.sum()
        return (typicality * share).astype(np.float32)

    def match(self, query_vectors: np.ndarray) -> list[ConceptMatch]:
        """Every concept with its score, best first."""
        scores = self.scores(query_vectors)
        order = np.argsort(-scores, kind="stable")
        return [ConceptMatch(self.names[i], float(scores[i])) for i in order]

    def best(self, query_vectors: np.ndarray) -> ConceptMatch | None:
        """The best concept if its score reaches ``MATCH_THRESHOLD``."""
        matches = self.match(query_vectors)
        return matches[0] if matches and matches[0].score >= MATCH_THRESHOLD else None
