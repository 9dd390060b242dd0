"""Hostile input, fuzzed: every parser a user's input reaches gets random and half-valid cases (hypothesis).

A case passes when the parser accepts it or refuses it with one clear sentence (its own error type, one line,
no traceback); any other exception is a crash. Parsers: import lines, config TOML, chat commands (/forget,
/remember, /concept, /attach and the rest), user names, random bytes named .jpg/.png/.ogg/.wav, and messages
(a 1 MB paste, control characters, odd Unicode) through the real turn runner.

    python bench/fuzz.py [--cases 2000] [--parsers import,config,...]

Prints JSON: cases and crashes per parser, and the first few crashes with their input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

COMMANDS = ["/forget", "/remember", "/memories", "/profile", "/undo", "/help", "/concept", "/attach", "/nope"]
CONCEPT_ACTIONS = ["add", "list", "show", "rm", "remove", ""]
SETTING_KEYS = [
    "model.backend",
    "model.temperature",
    "model.profile",
    "memory.recall_k",
    "memory.chroma_url",
    "memory.layout",
    "user",
    "data_dir",
    "speech.model",
    "model.context_window",
    "chat.persona",
]
HOSTILE_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x1b[2J",
        "../../etc/passwd",
        '"',
        "'",
        "\\",
        "~",
        "file:///dev/zero",
        "NaN",
        "1e999",
        "{}",
        "[",
        "<|im_start|>",
        "😀" * 50,
        "\u202e",
        "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    ]
)


class Refusal:
    """Counts cases, crashes and refusals that are not one clear sentence."""

    def __init__(self, name: str) -> None:
        self.name, self.cases, self.crashes, self.unclear = name, 0, 0, 0
        self.examples: list[dict[str, str]] = []

    def run(
        self,
        target: Callable[[Any], None],
        case: Any,
        refusals: tuple[type[BaseException], ...],
        clear: Callable[[str], bool] | None = None,
    ) -> None:
        self.cases += 1
        try:
            target(case)
        except refusals as error:
            if not (clear or one_sentence)(str(error)):
                self.unclear += 1
                self._example(case, f"unclear refusal: {error!r}")
        except Exception as error:  # noqa: BLE001 - the point: any other exception is a crash
            self.crashes += 1
            self._example(case, "".join(traceback.format_exception_only(error)).strip())

    def _example(self, case: Any, what: str) -> None:
        if len(self.examples) < 5:
            self.examples.append({"input": repr(case)[:300], "what": what[:500]})

    def report(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "crashes": self.crashes,
            "unclear_refusals": self.unclear,
            "examples": self.examples,
        }


def one_sentence(message: str) -> bool:
    """One clear sentence: said at all, on one line, short, and no traceback."""
    return bool(message.strip()) and "\n" not in message.strip() and len(message) <= 600 and "Traceback" not in message


def field_by_field(message: str) -> bool:
    """Settings refuse with a header line and one line per bad field (``model.backend: Input should be …``)."""
    header, *fields = message.strip().splitlines()
    return header == "invalid settings:" and all(0 < len(line.strip()) <= 600 for line in fields)


def fuzz_all(cases: int, parsers: list[str], work: Path) -> dict[str, Any]:
    from assistant.factory import build_assistant
    from assistant.models.fake import FakeChatModel
    from assistant.settings import load_settings

    os.environ["MNEMO_DATA_DIR"] = str(work / "data")
    assistant = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel())
    runners = {
        "import": lambda: fuzz_import_lines(cases, assistant),
        "config": lambda: fuzz_config(cases, work),
        "commands": lambda: fuzz_commands(cases, assistant),
        "user_names": lambda: fuzz_user_names(cases, assistant),
        "media": lambda: fuzz_media(cases, assistant, work),
        "messages": lambda: fuzz_messages(cases, assistant),
    }
    results = {name: runners[name]().report() for name in parsers}
    assistant.close()
    return results


def _settings(cases: int) -> Any:
    return settings(max_examples=cases, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def fuzz_import_lines(cases: int, assistant: Any) -> Refusal:
    from memory.transfer import import_memories, parse_line

    tally = Refusal("import")
    system = assistant.memory.get()
    memory_line = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["memory", "profile", "nope", ""]),
            "format": st.integers(-1, 3) | st.text(max_size=3),
            "memory": st.dictionaries(
                st.sampled_from(["id", "user", "text", "kind", "status", "said_at", "key"]),
                HOSTILE_TEXT | st.integers() | st.none(),
                max_size=7,
            ),
            "history": st.lists(
                st.dictionaries(st.sampled_from(["action", "at", "after", "before"]), HOSTILE_TEXT, max_size=4),
                max_size=2,
            ),
        }
    )
    line = HOSTILE_TEXT | memory_line.map(json.dumps)

    @given(line)
    @_settings(cases)
    def check(text: str) -> None:
        def target(case: str) -> None:
            try:
                parse_line(case)
            except ValueError:
                report = import_memories(system, [case], as_user="fuzz")
                for _, reason in report.bad:
                    if not one_sentence(reason):
                        raise ValueError(f"unclear: {reason}\nsecond line") from None
                return

        tally.run(target, text, (ValueError,))

    check()
    return tally


def fuzz_config(cases: int, work: Path) -> Refusal:
    from assistant.settings import SettingsError, load_settings

    tally = Refusal("config")
    value = st.integers() | st.floats(allow_nan=True) | st.booleans() | HOSTILE_TEXT.map(json.dumps) | HOSTILE_TEXT
    structured = st.lists(st.tuples(st.sampled_from(SETTING_KEYS), value), max_size=5).map(
        lambda pairs: "\n".join(f"{key} = {val}" for key, val in pairs)
    )
    path = work / "config.toml"

    @given(structured | HOSTILE_TEXT)
    @_settings(cases)
    def check(text: str) -> None:
        def target(case: str) -> None:
            path.write_text(case, encoding="utf-8", errors="replace")
            load_settings(path)

        tally.run(target, text, (SettingsError,), lambda message: one_sentence(message) or field_by_field(message))

    check()
    return tally


def fuzz_commands(cases: int, assistant: Any) -> Refusal:
    from assistant.chat_commands import run_command
    from assistant.media import resolve_attachment_path
    from modalities.errors import MediaError

    tally = Refusal("commands")
    command = st.tuples(st.sampled_from(COMMANDS), st.sampled_from(CONCEPT_ACTIONS), HOSTILE_TEXT).map(
        lambda parts: f"{parts[0]} {parts[1] if parts[0] == '/concept' else ''} {parts[2]}"
    )

    @given(command)
    @_settings(cases)
    def check(text: str) -> None:
        def target(case: str) -> None:
            if case.startswith("/attach"):
                resolve_attachment_path(case.removeprefix("/attach"))
                return
            outcome = run_command(assistant.memory, "fuzz", case, now=datetime.now(UTC), concepts=assistant.concepts)
            if outcome.error and not one_sentence(outcome.text.split("\n\n")[0]):
                raise MediaError(f"unclear command error: {outcome.text!r}\n")

        tally.run(target, text, (MediaError,))

    check()
    return tally


def fuzz_user_names(cases: int, assistant: Any) -> Refusal:
    tally = Refusal("user_names")

    @given(HOSTILE_TEXT)
    @_settings(cases)
    def check(text: str) -> None:
        tally.run(assistant.store.ensure_user, text, (ValueError,))

    check()
    return tally


def fuzz_media(cases: int, assistant: Any, work: Path) -> Refusal:
    from modalities.errors import MediaError

    tally = Refusal("media")
    folder = work / "media"
    folder.mkdir(exist_ok=True)

    @given(st.binary(max_size=4096), st.sampled_from([".jpg", ".png", ".ogg", ".wav", ".mp3", ".txt"]))
    @_settings(cases)
    def check(data: bytes, suffix: str) -> None:
        path = folder / f"random{suffix}"
        path.write_bytes(data)
        tally.run(lambda case: assistant.attachments.prepare(case, "fuzz"), path, (MediaError,))

    check()
    return tally


def fuzz_messages(cases: int, assistant: Any) -> Refusal:
    from assistant.turn import TurnOutcome, run_turn

    tally = Refusal("messages")
    conversation = assistant.conversation("fuzz")
    paste = st.sampled_from(["x" * 1_000_000, "word " * 200_000, "\x00\x01\x02" * 1000, "\r\n" * 5000])

    @given(HOSTILE_TEXT | paste)
    @_settings(cases)
    def check(text: str) -> None:
        def target(case: str) -> None:
            turn = run_turn(conversation, case)
            if turn.outcome == TurnOutcome.REFUSED and turn.reason and not one_sentence(turn.reason):
                raise ValueError(f"unclear refusal: {turn.reason}\n")
            if turn.outcome == TurnOutcome.FAILED:
                raise RuntimeError(f"the turn failed: {turn.reason}")

        tally.run(target, text, ())

    check()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000, help="cases per parser")
    parser.add_argument("--parsers", default="import,config,commands,user_names,media,messages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        results = fuzz_all(args.cases, args.parsers.split(","), Path(work))
    print(
        json.dumps(
            {
                "cases_per_parser": args.cases,
                "parsers": results,
                "fuzz_cases": sum(r["cases"] for r in results.values()),
                "crashes": sum(r["crashes"] for r in results.values()),
                "unclear_refusals": sum(r["unclear_refusals"] for r in results.values()),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
