"""The benchmarks run in smoke mode and keep their output contract (other tools read the JSON)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.real_model
def test_chat_benchmark_prints_one_json_object_with_the_agreed_keys(shared_model_cache: Path) -> None:
    result = subprocess.run(
        [sys.executable, REPO / "bench" / "chat.py", "--profile", "tiny", "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    report = json.loads(result.stdout)
    assert {"profile", "load_s", "ttft_s", "decode_tok_s", "peak_rss_mb"} <= set(report)
    assert report["profile"] == "tiny" and report["smoke"] is True
    assert report["load_s"] > 0 and report["ttft_s"] > 0 and report["peak_rss_mb"] > 0
    assert report["followup_reused_tokens"] > 0


def test_startup_benchmark_reports_seconds_to_an_interactive_app() -> None:
    result = subprocess.run(
        [sys.executable, REPO / "bench" / "startup.py", "1"], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(result.stdout)
    assert len(report["startup_s"]) == 1 and 0 < report["median_s"] < 30
