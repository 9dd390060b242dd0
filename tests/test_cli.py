"""The mnemo command as a user runs it: a subprocess with its own environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

MNEMO = str(Path(sys.executable).parent / "mnemo")


def run_mnemo(
    *args: str, input: str | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MNEMO, *args], capture_output=True, text=True, input=input, env={**os.environ, **env}, timeout=timeout
    )


def test_version() -> None:
    result = run_mnemo("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("mnemo ")


def test_help_lists_the_commands() -> None:
    result = run_mnemo("--help")
    for command in ("ask", "doctor", "prepare", "sessions"):
        assert command in result.stdout


def test_bad_setting_stops_start_up_with_field_and_reason() -> None:
    result = run_mnemo("ask", "hi", MNEMO_MODEL__TEMPERATURE="hot")
    assert result.returncode == 2
    assert "model.temperature" in result.stderr
    assert "valid number" in result.stderr


def test_invalid_user_name_is_refused() -> None:
    result = run_mnemo("--user", "../root", "sessions")
    assert result.returncode == 2
    assert "invalid user name" in result.stderr


def test_ask_streams_the_reply_and_can_continue_a_session() -> None:
    first = run_mnemo("ask", "--user", "alice", "hello", "there", MNEMO_MODEL__BACKEND="fake")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "You said: hello there"
    session_id = first.stderr.strip().splitlines()[-1].removeprefix("[session ").rstrip("]")
    again = run_mnemo("ask", "--user", "alice", "--session", session_id, "--json", "again", MNEMO_MODEL__BACKEND="fake")
    reply = json.loads(again.stdout)
    assert reply["session_id"] == session_id
    assert reply["reply"] == "You said: again"
    assert set(reply["timings"]) == {"load_s", "ttft_s", "total_s", "decode_tok_s"}
    assert reply["tokens"]["prompt"] > reply["tokens"]["completion"] > 0
    listed = run_mnemo("sessions", "--user", "alice", "--json")
    assert json.loads(listed.stdout)[0]["message_count"] == 4


def test_ask_reads_stdin_with_dash() -> None:
    result = run_mnemo("ask", "-", input="from a pipe\n", MNEMO_MODEL__BACKEND="fake")
    assert result.stdout.strip() == "You said: from a pipe"


def test_ask_in_another_users_session_is_refused() -> None:
    first = run_mnemo("ask", "--user", "alice", "--json", "private", MNEMO_MODEL__BACKEND="fake")
    session_id = json.loads(first.stdout)["session_id"]
    result = run_mnemo("ask", "--user", "bob", "--session", session_id, "peek", MNEMO_MODEL__BACKEND="fake")
    assert result.returncode == 2
    assert "no session" in result.stderr


def test_empty_question_is_refused_without_a_traceback() -> None:
    result = run_mnemo("ask", "   ", MNEMO_MODEL__BACKEND="fake")
    assert result.returncode == 2
    assert "empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_models_data_dir_and_chroma_mode(isolated_environment: Path) -> None:
    result = run_mnemo("doctor", "--json", "--no-load")
    report = json.loads(result.stdout)
    assert report["data_dir"] == str(isolated_environment / "data")
    assert report["chroma"].startswith("embedded on disk")
    models = {model["profile"]: model for model in report["models"]}
    assert models["default"]["installed"] and models["default"]["active"]
    assert models["tiny"]["installed"]
    assert models["default"]["cached"] is False  # fresh cache dir
    assert "mnemo prepare --profile default" in models["default"]["fix"]  # nothing assembled yet, either
    assert "CPU kernels" in report["llamacpp"] or "make llamacpp" in report["llamacpp"]
    assert any(runtime in report["active_model"] for runtime in ("OpenVINO", "llama.cpp", "transformers"))
    assert "OpenVINO 2026" in report["openvino"] or "make openvino" in report["openvino"]
    assert report["extraction"] == 'rules (memory.extractor = "rules")'
    by_model = run_mnemo("doctor", "--json", "--no-load", MNEMO_MEMORY__EXTRACTOR="llm")
    assert json.loads(by_model.stdout)["extraction"].startswith("rules and the model")
    server = run_mnemo("doctor", "--json", "--no-load", MNEMO_MEMORY__CHROMA_URL="http://127.0.0.1:8000")
    assert json.loads(server.stdout)["chroma"] == "server at http://127.0.0.1:8000 (no token)"


def test_doctor_says_which_package_is_missing_and_how_to_install_it(monkeypatch, capsys) -> None:
    from dataclasses import replace

    from assistant.doctor import run_doctor
    from assistant.models.packaged import PACKAGED_MODELS, PackagedFile
    from assistant.settings import load_settings

    missing_parts = tuple(PackagedFile(f"weights-part{index}", "x.bin") for index in range(1, 23))
    monkeypatch.setitem(PACKAGED_MODELS, "large", replace(PACKAGED_MODELS["large"], parts=missing_parts))
    code = run_doctor(load_settings(model={"profile": "large"}), as_json=False, time_loads=False)
    printed = capsys.readouterr().out
    assert "not installed: weights-part1 … weights-part22 (22 packages)" in printed
    assert "make large-model" in printed
    assert code == 1  # the active model cannot run


def test_ask_remembers_what_the_user_said_and_recalls_it_in_a_new_session() -> None:
    told = run_mnemo("ask", "--user", "alice", "--json", "My dog Bo loves the beach.", MNEMO_MODEL__BACKEND="fake")
    assert told.returncode == 0, told.stderr
    remembered = json.loads(told.stdout)["remembered"]
    assert remembered and "Bo" in remembered[0]
    asked = run_mnemo("ask", "--user", "alice", "--json", "What is my dog called?", MNEMO_MODEL__BACKEND="fake")
    reply = json.loads(asked.stdout)
    assert reply["recalled"] and reply["remembered"] == []
    other = run_mnemo("ask", "--user", "bob", "--json", "What is my dog called?", MNEMO_MODEL__BACKEND="fake")
    assert json.loads(other.stdout)["recalled"] == []
