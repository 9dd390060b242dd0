"""The benchmarks run in smoke mode and keep their output contract (other tools read the JSON)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_benchmark(script: str, *arguments: str | Path, timeout: int = 600) -> dict:
    """Run ``bench/<script>`` as a user would and return the one JSON object it prints."""
    command = [sys.executable, REPO / "bench" / script, *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    return json.loads(result.stdout)


@pytest.mark.real_model
def test_chat_benchmark_prints_one_json_object_with_the_agreed_keys(shared_model_cache: Path) -> None:
    report = run_benchmark("chat.py", "--profile", "tiny", "--smoke")
    assert {"profile", "load_s", "ttft_s", "decode_tok_s", "peak_rss_mb"} <= set(report)
    assert report["profile"] == "tiny" and report["smoke"] is True
    assert report["load_s"] > 0 and report["ttft_s"] > 0 and report["peak_rss_mb"] > 0
    assert report["followup_reused_tokens"] > 0


@pytest.mark.real_model
def test_chat_benchmark_times_an_eight_turn_chat_with_memory_and_compares_runtimes(shared_model_cache: Path) -> None:
    report = run_benchmark("chat.py", "--profile", "tiny", "--smoke", "--compare", "--conversation")
    assert "transformers" in report["runs"]
    for backend, run in report["runs"].items():
        assert "error" not in run, (backend, run)
        assert run["mode"] == "conversation" and len(run["turns"]) == 8 and run["memories_seeded"] >= 8
        assert run["recalled_total"] >= 8 and run["median_first_token_after_first_s"] > 0
        assert all(turn["finished"] for turn in run["turns"])
        ratios = run.get("ratios_to_transformers")
        assert (ratios is None) if backend == "transformers" else "median_decode_tok_s" in ratios


def test_startup_benchmark_reports_seconds_to_an_interactive_app() -> None:
    report = run_benchmark("startup.py", "1", timeout=120)
    assert len(report["startup_s"]) == 1 and 0 < report["median_s"] < 30


def test_memory_scale_benchmark_reports_each_size_with_the_agreed_keys() -> None:
    report = run_benchmark("memory_scale.py", "--smoke")
    (size,) = [key for key in report if key.isdigit()]
    measured = report[size]
    assert {
        "add_per_s",
        "search_ms_p50",
        "search_ms_p95",
        "dense_ms_p50",
        "lexical_ms_p50",
        "disk_mb",
        "rss_mb",
    } <= set(measured)
    assert measured["add_per_s"] > 0 and 0 < measured["search_ms_p50"] <= measured["search_ms_p95"]
    assert measured["disk_mb"] > 0 and measured["rss_mb"] > 0 and measured["user_isolation_ok"] is True
    assert report["settings"]["smoke"] is True and report["machine"]["cpus"] >= 1


def test_extraction_benchmark_scores_the_scripted_conversation() -> None:
    report = run_benchmark("extraction.py", "--smoke")
    keys = {"precision", "recall", "duplicates", "junk", "misattributed", "stored", "expected", "ms_per_turn"}
    assert keys <= set(report)
    assert report["smoke"] is True and report["stored"] > 0
    assert 0 <= report["precision"] <= 1 and 0 <= report["recall"] <= 1
    assert report["misattributed"] == 0  # the assistant's claims in those turns never become memories


def test_locomo_benchmark_reports_recall_per_category_in_the_agreed_shape() -> None:
    data = REPO.parent / "shared" / "data" / "locomo" / "locomo_dev.json"
    report = run_benchmark("locomo.py", "--data", data, "--fast", "--limit", "1", timeout=900)
    for table in ("recall_any", "recall_all"):
        assert set(report[table]) == {"1", "5", "10", "20"}
        assert 0 <= report[table]["1"] <= report[table]["10"] <= report[table]["20"] <= 1
    assert set(report["by_category"]) == {"1", "2", "3", "4"}
    assert report["recall_any"]["10"] > 0.5  # far above chance (10 of ~400 turns)
    assert report["context_tokens_at_10"] > 0 and report["ingest_turns_per_s"] > 0
    assert 0 < report["search_ms_p50"] <= report["search_ms_p95"]


def test_speech_benchmark_reports_wer_and_real_time_factor() -> None:
    report = run_benchmark("speech.py", "--data", REPO.parent / "shared" / "data" / "speech", "--smoke")
    assert {"wer", "rtf", "load_s", "per_clip"} <= set(report)
    # WER is a quality figure (int8 kernels differ per CPU): the benchmark reports it; the smoke test checks its shape.
    assert 0 <= report["wer"] <= 1 and report["rtf"] > 0 and report["per_clip"][0]["text"]


def test_voice_notes_benchmark_answers_from_transcribed_notes(shared_model_cache: Path) -> None:
    data = REPO.parent / "shared" / "data" / "speech" / "espeak_locomo_conv26"
    report = run_benchmark("voice_notes.py", "--data", data, "--limit", "1", "--speech", "tiny.en", "--profile", "tiny")
    assert report["notes"] == 1 and report["questions"] >= 1 and report["evidence_recalled"] == 1.0
    # The transcript's WER differs per CPU (int8 Whisper kernels: 0.38 with AVX-512/VNNI, lower with AVX2 only).
    assert 0 <= report["transcript_wer"] <= 1 and 0 <= report["answer_rate"] <= 1


def test_concepts_benchmark_reports_identification_and_verification() -> None:
    data = REPO.parent / "shared" / "data"
    report = run_benchmark(
        "concepts.py", "--concepts", data / "concepts", "--negatives", data / "concepts_negatives", "--smoke"
    )
    assert set(report["identification_acc"]) == {"1", "4"}
    assert 0 <= report["verification_balanced_acc"] <= 1 and 0 <= report["false_positive_rate"] <= 1
    assert report["per_concept"]


def test_personal_qa_benchmark_reports_accuracy_recall_and_categories_with_the_fake_model() -> None:
    report = run_benchmark("personal_qa.py", "--smoke")
    assert {"accuracy", "recalled", "used_when_recalled", "by_category", "constraints_with_warning"} <= set(report)
    assert {"reply_s_p50", "reply_s_p95", "other_user", "rows"} <= set(report)
    assert report["settings"]["smoke"] is True and report["questions"] == len(report["rows"]) > 0
    assert 0 <= report["accuracy"] <= 1 and 0 <= report["recalled"] <= 1
    row = report["rows"][0]
    assert {"id", "category", "reply", "right", "recalled", "miss", "warnings"} <= set(row)
    assert report["other_user"]["questions"] > 0 and report["other_user"]["clean"] == 1.0  # never another's memory


def test_constraint_finder_benchmark_reports_precision_and_recall_on_the_labelled_pairs() -> None:
    report = run_benchmark("constraints.py", "--smoke")
    assert report["pairs"] == 20 and report["related"] + report["unrelated"] == 20
    assert 0 <= report["precision"] <= 1 and 0 <= report["recall"] <= 1 and report["smoke"] is True


@pytest.mark.real_model
def test_user_adapter_benchmark_rates_replies_trains_and_asks_again(shared_model_cache: Path) -> None:
    report = run_benchmark("user_adapter.py", "--smoke", timeout=900)
    assert report["rated"] == 6 and report["held_out_pairs"] <= 1 and report["user_adapter_applied"] is True
    assert report["training"]["steps"] >= 5 and len(report["replies_after"]) == report["unseen_questions"] == 2
    assert report["knowledge_questions"] == 3
    for key in ("style_before", "style_after", "knowledge_before", "knowledge_after"):
        assert 0 <= report[key] <= 1
    for key in ("held_out_preferred_before", "held_out_preferred_after"):  # None: no pair was held out
        assert report[key] is None or 0 <= report[key] <= 1
