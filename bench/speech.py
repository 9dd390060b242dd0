"""Voice-note transcription quality and speed: word error rate and real-time factor on real speech.

    python bench/speech.py --data ../shared/data/speech                  # Whisper base, every clip
    python bench/speech.py --data ../shared/data/speech --model tiny.en
    python bench/speech.py --data ../shared/data/speech --smoke          # tiny.en, one clip (CI)

Clips: the LibriSpeech test-clean files under the data folder (references from ``*.trans.txt``) and
``jfk.flac``. Each goes through the real path (decode_voice_note, then the transcriber). Texts are compared
lowercased, without punctuation, numbers as written. One JSON object on stdout.

Output keys: wer (word errors / reference words, over all clips), rtf (transcription wall time / audio
seconds), load_s (model load, after any first-run assembly), per_clip [{clip, wer, rtf, seconds, duration_s,
text}], model, threads, beam_size, machine, smoke; and, because the machine may be shared, cpu_rtf (process
CPU seconds / audio seconds; about rtf × threads when nothing else runs) and load_average (1 minute, at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script

from assistant.settings import load_settings  # noqa: E402
from modalities.audio import decode_voice_note  # noqa: E402
from modalities.speech import DEFAULT_BEAM_SIZE, WHISPER_MODELS, WhisperTranscriber, model_folder  # noqa: E402

JFK_REFERENCE = (
    "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
)


def normalise(text: str) -> list[str]:
    """Lowercase words without punctuation (apostrophes inside words kept: "don't")."""
    text = re.sub(r"[^\w\s']", " ", text.lower())
    return [word.strip("'") for word in text.split() if word.strip("'")]


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Substitutions + deletions + insertions turning ``reference`` into ``hypothesis`` (Levenshtein on words)."""
    previous = list(range(len(hypothesis) + 1))
    for row, ref_word in enumerate(reference, start=1):
        current = [row]
        for column, hyp_word in enumerate(hypothesis, start=1):
            current.append(
                min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (ref_word != hyp_word))
            )
        previous = current
    return previous[-1]


def find_clips(data: Path) -> list[tuple[Path, str]]:
    """(audio file, reference text) for every LibriSpeech utterance under ``data``, then jfk.flac."""
    clips = []
    for transcript_file in sorted(data.rglob("*.trans.txt")):
        for line in transcript_file.read_text().splitlines():
            if line.strip():
                utterance, text = line.split(" ", 1)
                audio = transcript_file.parent / f"{utterance}.flac"
                if audio.is_file():
                    clips.append((audio, text))
    if (data / "jfk.flac").is_file():
        clips.append((data / "jfk.flac", JFK_REFERENCE))
    return clips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "speech")
    parser.add_argument("--model", choices=sorted(WHISPER_MODELS), default=None, help="default: base")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam-size", type=int, default=DEFAULT_BEAM_SIZE)
    parser.add_argument("--smoke", action="store_true", help="a short run (CI): tiny.en on one clip")
    args = parser.parse_args()
    model = args.model or ("tiny.en" if args.smoke else "base")

    clips = find_clips(args.data)
    if not clips:
        parser.error(f"no LibriSpeech clips or jfk.flac under {args.data}")
    if args.smoke:
        clips = clips[-1:]

    cache_dir = load_settings().cache_dir
    model_folder(model, cache_dir)  # first run only: join and hash "base" (not timed)
    transcriber = WhisperTranscriber(model, cache_dir=cache_dir, threads=args.threads, beam_size=args.beam_size)
    import faster_whisper  # noqa: F401 - import cost is not load cost

    started = time.perf_counter()
    transcriber.load()
    load_s = time.perf_counter() - started
    transcriber.transcribe(decode_voice_note(clips[0][0]))  # warm-up, not measured

    per_clip = []
    errors = words = 0
    seconds = audio_seconds = cpu_seconds = 0.0
    for audio, reference_text in clips:
        note = decode_voice_note(audio)
        cpu_started = time.process_time()
        transcript = transcriber.transcribe(note)
        cpu_seconds += time.process_time() - cpu_started
        reference = normalise(reference_text)
        clip_errors = word_errors(reference, normalise(transcript.text))
        errors, words = errors + clip_errors, words + len(reference)
        seconds, audio_seconds = seconds + transcript.seconds, audio_seconds + note.original_duration_s
        per_clip.append(
            {
                "clip": audio.name,
                "wer": round(clip_errors / len(reference), 4),
                "rtf": round(transcript.seconds / note.original_duration_s, 4),
                "seconds": round(transcript.seconds, 3),
                "duration_s": round(note.original_duration_s, 2),
                "text": transcript.text,
            }
        )

    result = {
        "model": model,
        "wer": round(errors / words, 4),
        "rtf": round(seconds / audio_seconds, 4),
        "cpu_rtf": round(cpu_seconds / audio_seconds, 4),
        "load_s": round(load_s, 2),
        "clips": len(per_clip),
        "reference_words": words,
        "per_clip": per_clip,
        "threads": args.threads,
        "beam_size": args.beam_size,
        "machine": describe_machine(),
        "load_average": round(os.getloadavg()[0], 2),
        "smoke": args.smoke,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
