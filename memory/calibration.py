"""Meaning scores on a common scale: how far a text's similarity to the query stands above a random text's.

Raw cosine similarities differ by query and by collection (a short query is "close" to everything), so the
retriever scores a text by its z-score against the user's collection: the mean and covariance of a sample of
stored vectors give, for any query q, the mean q·μ and the variance qᵀΣq of a random text's similarity.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

from memory.records import Memory
from memory.store import MemoryStore

DENSE_SCALE = 3.0
"""A meaning score is the z-score over this: a memory three deviations above a random one scores 1."""


@dataclass(frozen=True)
class Scale:
    """A random text's similarity to one query: its mean and standard deviation."""

    mean: float = 0.25
    deviation: float = 0.1
    """Uncalibrated (too few texts to sample): 0.25 counts as random and 0.1 as one deviation."""

    def score(self, similarity: float) -> float:
        return max((similarity - self.mean) / self.deviation, 0.0) / DENSE_SCALE


@dataclass
class _Calibration:
    """How similar a random stored vector is to a query: mean q·μ and variance qᵀΣq, from a sample."""

    count: int
    mean: Any = field(repr=False)
    covariance: Any = field(repr=False)

    def for_query(self, query: list[float]) -> Scale:
        import numpy as np

        vector = np.asarray(query, dtype=np.float64)
        variance = float(vector @ self.covariance @ vector)
        return Scale(float(vector @ self.mean), math.sqrt(max(variance, 1e-6)))


class Calibrations:
    """Each user's collections' calibrations (per tier and embedder), resampled when one has grown by a fifth."""

    def __init__(self, sample_size: int) -> None:
        self.sample_size = sample_size
        self._calibrations: dict[tuple[str, str], _Calibration] = {}
        self._lock = threading.Lock()

    def forget_user(self, user: str) -> None:
        """Drop the user's calibrations (their collections are being deleted)."""
        with self._lock:
            for key in [key for key in self._calibrations if key[0] == user]:
                del self._calibrations[key]

    def scale(self, user: str, store: MemoryStore, count: int, query: list[float]) -> Scale:
        """The scale of ``query``'s similarities in the user's collection of ``count`` texts."""
        calibration = self._calibration(user, store, count)
        return calibration.for_query(query) if calibration else Scale()

    def _calibration(self, user: str, store: MemoryStore, count: int) -> _Calibration | None:
        key = (user, f"{store.tier}-{store.embedder.key}")
        with self._lock:
            cached = self._calibrations.get(key)
            if cached is not None and count <= cached.count * 1.2 + 5:
                return cached
        sample = store.sample_embeddings(user, self.sample_size)
        if len(sample) < 5:
            return None
        import numpy as np

        matrix = np.asarray(sample, dtype=np.float64)
        calibration = _Calibration(count, matrix.mean(axis=0), np.cov(matrix, rowvar=False))
        with self._lock:
            self._calibrations[key] = calibration
        return calibration


def dense_scores(
    user: str, store: MemoryStore, query: list[float], memory_ids: list[str], scale: Scale
) -> list[tuple[Memory, float]]:
    """The meaning scores of texts outside the nearest few, from their stored vectors (active ones only)."""
    with_vectors = [pair for pair in store.get_with_vectors(user, memory_ids) if pair[0].is_active]
    if not with_vectors:
        return []
    import numpy as np

    similarities = np.asarray([stored for _, stored in with_vectors]) @ np.asarray(query)
    return [
        (memory, scale.score(similarity))
        for (memory, _), similarity in zip(with_vectors, similarities.tolist(), strict=True)
    ]
