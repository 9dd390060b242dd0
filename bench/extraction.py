"""Memory write-path benchmark: precision and recall of what mnemo remembers from a scripted conversation.

    python bench/extraction.py                  # rules only: one JSON object on stdout
    python bench/extraction.py --llm            # rules plus the packaged local model (slow)
    python bench/extraction.py --data bench/data/extraction_heldout.json   # the second user
    python bench/extraction.py --smoke          # the first turns only, for CI

The conversation (bench/data/extraction_conversation.json) goes through MemoryWriter in a temporary data
dir: user turns via ``observe``; assistant turns never reach extraction (some of them claim things the user
never said). The active memories at the end are scored against the expected facts:

    precision     active memories matching a current expected fact / active memories
    recall        current expected facts matched by an active memory / current expected facts
    duplicates    active memories that only repeat facts an earlier memory already covers
    junk          active memories matching no expected fact (stale ones included)
    stale         active memories matching only a fact the user later corrected
    misattributed memories (any status) matching a claim only the assistant made
    superseded_kept  corrected facts still held as superseded memories / corrected facts
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memory.episodes import Turn  # noqa: E402
from memory.extraction import Extractor, LLMExtractor  # noqa: E402
from memory.extraction_rules import RuleExtractor  # noqa: E402
from memory.records import Memory, MemoryStatus  # noqa: E402
from memory.system import open_memory  # noqa: E402
from memory.writer import MemoryWriter  # noqa: E402

DATA = ROOT / "bench" / "data" / "extraction_conversation.json"
USER = "priya"


def mentions(text: str, keywords: list[str]) -> bool:
    """Every keyword appears as a word (with a common ending: "lives", "flying", "swimming", "3rd"; a number with
    its unit: "36mg", "12h") in ``text``."""
    lowered = text.lower()
    return all(
        re.search(
            rf"\b{re.escape(keyword)}(?:{re.escape(keyword[-1:])}?(?:ing|ed)|s|es|'s|d|st|nd|rd|th"
            rf"{'|mg|mcg|ml|g|kg|km|h|am|pm' if keyword.isdigit() else ''})?\b",
            lowered,
        )
        for keyword in keywords
    )


def score(memories: list[Memory], data: dict) -> dict:
    """The scores of the module docstring, with the texts behind junk and the facts missed."""
    facts = data["expected"]
    current = [fact for fact in facts if not fact.get("superseded_by")]
    corrected = [fact for fact in facts if fact.get("superseded_by")]
    active = [memory for memory in memories if memory.status == MemoryStatus.ACTIVE]
    covered: set[str] = set()
    correct = stale = 0
    junk: list[str] = []
    repeated: list[str] = []
    for memory in active:
        hits = {fact["id"] for fact in current if mentions(memory.text, fact["all_of"])}
        if hits:
            correct += 1
            if hits <= covered:
                repeated.append(memory.text)
            covered |= hits
        else:
            stale += any(mentions(memory.text, fact["all_of"]) for fact in corrected)
            junk.append(memory.text)
    superseded = [memory for memory in memories if memory.status == MemoryStatus.SUPERSEDED]
    kept = [fact for fact in corrected if any(mentions(memory.text, fact["all_of"]) for memory in superseded)]
    misattributed = [
        memory.text for memory in memories if any(mentions(memory.text, claim) for claim in data["claims_not_user"])
    ]
    return {
        "precision": round(correct / len(active), 3) if active else 0.0,
        "recall": round(len(covered) / len(current), 3),
        "duplicates": len(repeated),
        "junk": len(junk),
        "stale": stale,
        "misattributed": len(misattributed),
        "superseded_kept": round(len(kept) / len(corrected), 3) if corrected else 1.0,
        "stored": len(active),
        "expected": len(current),
        "missed": sorted({fact["id"] for fact in current} - covered),
        "junk_memories": junk,
        "duplicate_memories": repeated,
        "misattributed_memories": misattributed,
    }


def packaged_model_completion() -> Callable[[str], str]:
    """The assistant's configured local model as a prompt → text function (greedy, short answers)."""
    from assistant.models import CancelToken, ChatMessage, GenerationOptions, load_chat_model
    from assistant.settings import load_settings

    settings = load_settings()
    model = load_chat_model(settings.model, settings.cache_dir)
    options = GenerationOptions(max_new_tokens=256, temperature=0.0, repetition_penalty=1.0, purpose="extraction")

    def complete(prompt: str) -> str:
        return "".join(model.stream([ChatMessage("user", prompt)], options, CancelToken()))

    return complete


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="the scripted conversation and its expected facts")
    parser.add_argument("--llm", action="store_true", help="also ask the packaged local model (slow)")
    parser.add_argument("--smoke", action="store_true", help="only the first 15 turns (CI): scores are partial")
    args = parser.parse_args()
    data = json.loads(args.data.read_text())
    start = datetime.fromisoformat(data["start"])

    extractor: Extractor = RuleExtractor()
    if args.llm:
        extractor = LLMExtractor(packaged_model_completion(), RuleExtractor())
    with tempfile.TemporaryDirectory(prefix="mnemo-bench-") as data_dir:
        system = open_memory(Path(data_dir))
        writer = MemoryWriter(system.memories, system.episodes, extractor, system.retriever, system.profile)
        system.embedder.embed(["warm up"])  # model loading is not write time
        user_turns = 0
        started = time.perf_counter()
        turns = data["turns"][:15] if args.smoke else data["turns"]
        for number, turn in enumerate(turns, start=1):
            if turn["role"] != "user":
                continue  # the assistant's words are never read for memories
            said_at = start + timedelta(days=turn["day"], minutes=number)
            writer.observe(USER, Turn(turn["text"], said_at, f"message:{number}", speaker="user"))
            user_turns += 1
        elapsed = time.perf_counter() - started
        memories = system.memories.store.all(USER, status=None)
        system.close()
    result = score(memories, data)
    result |= {
        "extractor": "rules+llm" if args.llm else "rules",
        "smoke": args.smoke,
        "user_turns": user_turns,
        "ms_per_turn": round(1000 * elapsed / max(1, user_turns), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
