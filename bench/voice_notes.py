"""Voice notes end to end: spoken facts go in as voice notes, questions about them are answered from memory.

    python bench/voice_notes.py --data ../shared/data/speech/espeak_locomo_conv26          # all 30 notes
    python bench/voice_notes.py --data DIR --limit 3 --speech tiny.en --profile tiny         # smoke

Each clip of ``manifest.json`` goes through the app's own attachment path (decode with pydub/ffmpeg,
Whisper transcription) and into one user's memory with its speaker and the date of its session; then each
question is asked in a fresh chat, answered by the local model with what the app recalls. An answer
"contains the fact" when it holds every number of the reference answer and at least half of its other
words (months may be spelt or numbered). One JSON object on stdout; progress on stderr.

Output keys: notes, questions, answers_with_fact, answer_rate, evidence_recalled, transcript_wer,
transcribe_s, answer_s, per_question.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script
from speech import normalise, word_errors  # noqa: E402 - bench/speech.py

MONTHS = "january february march april may june july august september october november december".split()
STOP = {"a", "an", "the", "and", "of", "in", "on", "at", "to", "for", "her", "his", "their", "with", "was", "is"}
USER = "voice"


def fact_words(answer: str) -> tuple[set[str], set[str]]:
    words = set(normalise(str(answer))) - STOP
    numbers = {word for word in words if word.isdigit()}
    return numbers, words - numbers


DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+),?\s+(\d{4})\b|\b([A-Za-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,\s*(\d{4})\b"
)
RELATIVE = re.compile(r"(?i)\b(?:the\s+)?(\w+\s+)?(?:before|of)\s+(\d{1,2}\s+[A-Za-z]+,?\s+\d{4})")


def dates_in(text: str) -> list[date]:
    found = []
    for match in DATE.finditer(text):
        day, month, year = (match[1], match[2], match[3]) if match[1] else (match[5], match[4], match[6])
        if month.lower() in MONTHS:
            try:
                found.append(date(int(year), MONTHS.index(month.lower()) + 1, int(day)))
            except ValueError:
                continue
    return found


def within_relative_answer(reply: str, answer: str) -> bool:
    """ "The Friday before 14 August 2023", "the week of 23 August 2023": a date in the reply in that span."""
    match = RELATIVE.search(answer)
    anchors = dates_in(match[2]) if match else []
    if not anchors:
        return False
    anchor = anchors[0]
    span = (
        (anchor - timedelta(days=7), anchor + timedelta(days=7))
        if " of " in match[0]
        else (anchor - timedelta(days=15), anchor - timedelta(days=1))
    )
    return any(span[0] <= said <= span[1] for said in dates_in(reply))


def contains_fact(reply: str, answer: str) -> bool:
    said = set(normalise(reply))
    said |= {str(MONTHS.index(word) + 1) for word in said if word in MONTHS}
    said |= {re.sub(r"(st|nd|rd|th)$", "", word) for word in said}
    numbers, words = fact_words(answer)
    numbers = {str(int(number)) if number.isdigit() else number for number in numbers}
    if not numbers <= said:
        return False
    return not words or len(words & said) * 2 >= len(words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/speech/espeak_locomo_conv26")
    parser.add_argument("--limit", type=int, default=0, help="only the first N notes and their questions")
    parser.add_argument("--speech", default="base", choices=["base", "tiny.en"])
    parser.add_argument("--profile", default="default", choices=["default", "tiny", "large"])
    args = parser.parse_args(argv)

    from assistant.factory import build_assistant
    from assistant.recall import message_source
    from assistant.settings import load_settings
    from assistant.turn import run_turn
    from memory.episodes import Turn
    from memory.timeparse import parse_session_datetime

    manifest = json.loads((args.data / "manifest.json").read_text())
    clips = manifest["clips"][: args.limit or None]
    wanted = {clip["dia_id"] for clip in clips}
    questions = [item for item in manifest["questions"] if set(item["evidence"]) & wanted]
    with tempfile.TemporaryDirectory(prefix="mnemo-voice-") as data_dir:
        settings = load_settings(
            data_dir=Path(data_dir),
            speech={"model": args.speech},
            model={"profile": args.profile, "temperature": 0.0, "max_new_tokens": 64},
        )
        assistant = build_assistant(settings)
        try:
            started = time.perf_counter()
            errors = reference_words = 0
            by_source: dict[str, str] = {}
            for number, clip in enumerate(clips, start=1):
                prepared = assistant.attachments.prepare(args.data / clip["audio"], USER)
                said_at = parse_session_datetime(clip["session_date_time"])
                source = message_source(number)
                by_source[source] = clip["dia_id"]
                turn = Turn(prepared.transcript, said_at, source, clip["speaker"])
                assistant.memory.get().writer.observe(USER, turn)
                reference = normalise(clip["text"])
                errors += word_errors(reference, normalise(prepared.transcript))
                reference_words += len(reference)
                print(f"[{number}/{len(clips)}] {clip['dia_id']}: {prepared.transcript[:70]}", file=sys.stderr)
            transcribe_s = time.perf_counter() - started
            assistant.model.get()
            started = time.perf_counter()
            rows: list[dict[str, Any]] = []
            for item in questions:
                conversation = assistant.conversation(USER)
                reply = run_turn(conversation, item["question"], remember=False).reply.text
                recalled = [ref for part in conversation.last_reply.prompt_parts for ref in part.references]
                evidence_found = _evidence_recalled(assistant, recalled, by_source, set(item["evidence"]))
                rows.append(
                    {
                        "question": item["question"],
                        "answer": item["answer"],
                        "reply": reply.strip(),
                        "contains_fact": contains_fact(reply, str(item["answer"])),
                        "date_in_span": within_relative_answer(reply, str(item["answer"])),
                        "evidence_recalled": evidence_found,
                    }
                )
                print(
                    f"{'✓' if rows[-1]['contains_fact'] else '✗'} {item['question']} → {reply[:80]!r}", file=sys.stderr
                )
            answer_s = time.perf_counter() - started
        finally:
            assistant.close()
    hits = sum(row["contains_fact"] for row in rows)
    result = {
        "benchmark": "voice_notes",
        "notes": len(clips),
        "questions": len(rows),
        "answers_with_fact": hits,
        "answer_rate": round(hits / len(rows), 3) if rows else None,
        "answers_with_fact_or_date_in_span": sum(row["contains_fact"] or row["date_in_span"] for row in rows),
        "evidence_recalled": round(sum(row["evidence_recalled"] for row in rows) / len(rows), 3) if rows else None,
        "transcript_wer": round(errors / max(reference_words, 1), 4),
        "transcribe_s": round(transcribe_s, 1),
        "answer_s": round(answer_s, 1),
        "speech_model": args.speech,
        "chat_profile": args.profile,
        "per_question": rows,
        "machine": describe_machine(),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _evidence_recalled(assistant: Any, recalled: list[str], by_source: dict[str, str], evidence: set[str]) -> bool:
    """Whether an item in the prompt came from one of the evidence notes (through its provenance)."""
    store = assistant.memory.get()
    for reference in recalled:
        for tier in (store.memories.store, store.episodes.store):
            try:
                memory = tier.get(USER, reference)
            except LookupError:
                continue
            if any(by_source.get(source) in evidence for source in memory.sources):
                return True
    return False


if __name__ == "__main__":
    raise SystemExit(main())
