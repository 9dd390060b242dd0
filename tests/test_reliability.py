"""The reliability benchmark's smoke run: real SIGKILLs mid-write, fuzzed parsers, a wipe and a short soak.

Losing an acknowledged message or memory, a crash on hostile input and a leftover byte of a deleted user are
bugs on any machine, so the smoke run must report none; the soak's slopes are figures for the benchmark."""

from __future__ import annotations

from tests.test_bench_smoke import run_benchmark


def test_the_reliability_smoke_run_loses_nothing_crashes_never_and_leaves_no_byte() -> None:
    report = run_benchmark("reliability.py", "--smoke", timeout=900)
    assert report["kills"] == 3 and report["failed_starts"] == 0
    assert report["lost_messages"] == 0 and report["lost_memories"] == 0
    assert report["fuzz_cases"] >= 6 * 30 and report["crashes"] == 0 and report["unclear_refusals"] == 0
    assert report["planted_in_files"] > 0 and report["wipe_leftover_hits"] == 0
    soak = report["soak"]
    assert soak["turns"] == 150 and isinstance(soak["rss_slope_mb_per_100_turns"], float)
    assert isinstance(soak["rss_anonymous_slope_mb_per_100_turns"], float)
    assert {"threads_leaked", "file_handles_leaked", "file_handles_opened_on", "recall_ms_slope_per_100_turns"} <= set(
        soak
    )


def test_fuzzing_every_parser_finds_no_crash() -> None:
    report = run_benchmark("fuzz.py", "--cases", "40", timeout=600)
    assert set(report["parsers"]) == {"import", "config", "commands", "user_names", "media", "messages"}
    assert report["crashes"] == 0 and report["unclear_refusals"] == 0, report["parsers"]


def test_a_file_name_with_control_characters_cannot_break_a_refusal_onto_two_lines() -> None:
    from assistant.media import resolve_attachment_path
    from modalities.errors import MediaError

    try:
        resolve_attachment_path("evil\r\nname\x1b[2J.jpg")
    except MediaError as error:
        assert str(error) == "evil??name?[2J.jpg: no such file."
    else:
        raise AssertionError("a missing file was accepted")
