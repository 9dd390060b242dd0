"""``mnemo ask``: one message, the reply streamed to stdout (or one JSON object)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.chat_commands import describe_report
from assistant.factory import Assistant, build_assistant
from assistant.history_records import UnknownSessionError
from assistant.media import PreparedAttachment, attachment_kind, compose_message
from assistant.models import ModelError
from assistant.progress import StderrProgress
from assistant.settings import Settings
from assistant.turn import TurnOutcome, run_turn
from modalities.errors import MediaError


def run_ask(
    settings: Settings,
    user: str,
    session_id: str | None,
    question: str,
    *,
    as_json: bool,
    images: Sequence[Path] = (),
    audio: Sequence[Path] = (),
) -> int:
    assistant = build_assistant(settings)
    if assistant.store.damage_notice:
        print(f"mnemo: {assistant.store.damage_notice}", file=sys.stderr)
    try:
        try:
            prepared = [_prepare(assistant, path, user) for path in [*images, *audio]]
        except MediaError as error:
            print(f"mnemo: {error}", file=sys.stderr)
            return 2
        question = compose_message(question, prepared)
        if not question:
            question = "What is in this attachment?" if prepared else question
        try:
            conversation = assistant.conversation(user, session_id)
        except UnknownSessionError as error:
            print(f"mnemo: {error}; see 'mnemo sessions --user {user}'", file=sys.stderr)
            return 2
        started = time.perf_counter()
        try:
            assistant.model.get(StderrProgress())
        except ModelError as error:
            print(f"mnemo: {error}", file=sys.stderr)
            return 1
        load_s = time.perf_counter() - started

        def write(piece: str) -> None:
            if not as_json:
                sys.stdout.write(piece)
                sys.stdout.flush()

        turn = run_turn(conversation, question, attachments=[item.context() for item in prepared], on_piece=write)
        if turn.outcome == TurnOutcome.REFUSED:
            print(f"mnemo: {turn.reason or 'the message is empty'}", file=sys.stderr)
            return 2
        reply = turn.reply
        remembered = [] if turn.memory is None else [_plain(line) for line in describe_report(turn.memory)]
        if as_json:
            print(
                json.dumps(
                    {
                        "reply": reply.text,
                        "status": reply.status,
                        "error": reply.error,
                        "user": user,
                        "session_id": conversation.session.id,
                        "model": conversation.model.name,
                        "timings": {
                            "load_s": round(load_s, 3),
                            "ttft_s": _round(reply.time_to_first_token_s),
                            "total_s": round(reply.total_s, 3),
                            "decode_tok_s": _round(reply.decode_tokens_per_s),
                        },
                        "tokens": {"prompt": reply.prompt_tokens, "completion": reply.completion_tokens},
                        "dropped_history_messages": reply.dropped_messages,
                        "warnings": reply.notices,
                        "unavailable": reply.unavailable,
                        "memory_error": turn.memory_error or None,
                        "remembered": remembered,
                        "attachments": [_attachment_json(item) for item in prepared],
                        "recalled": [
                            ref for part in reply.prompt_parts if part.source == "memory" for ref in part.references
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print()
            for notice in turn.notices:
                print(notice, file=sys.stderr)
            print(f"[session {conversation.session.id}]", file=sys.stderr)
            for line in remembered:
                print(f"[memory] {line}", file=sys.stderr)
        if reply.status == "error":
            print(f"mnemo: {reply.error}", file=sys.stderr)
            return 1
        return 0
    finally:
        assistant.close()


def _plain(line: str) -> str:
    return line.replace("**", "").replace("*", "")


def _prepare(assistant: Assistant, path: Path, user: str) -> PreparedAttachment:
    """Check and encode one attachment, with progress on stderr for long voice notes."""
    kind = attachment_kind(path)
    print(f"mnemo: reading {path.name}…", file=sys.stderr)

    def progress(fraction: float) -> None:
        sys.stderr.write(f"\rmnemo: transcribing {path.name} {fraction:4.0%}")
        sys.stderr.flush()

    prepared = assistant.attachments.prepare(path, user, progress=progress if kind == "audio" else None)
    if kind == "audio":
        sys.stderr.write("\n")
    return prepared


def _attachment_json(item: PreparedAttachment) -> dict[str, object]:
    return {
        "name": item.name,
        "kind": item.kind,
        "sha256": item.sha256,
        "report": item.report,
        "transcript": item.transcript,
        "language": item.language,
        "recognised": item.recognised,
        "seconds": round(item.seconds, 3),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
