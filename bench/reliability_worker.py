"""One life of mnemo in the crash harness (``bench/reliability.py`` kills it with SIGKILL at a random moment).

At start it does what the app does at start — the start-up check, catching up the memory backlog — then checks
that everything an earlier life acknowledged is there, prints one JSON line and ``ready``, and then works until
it is killed: chat turns (the real turn runner, fake model, real memory), memory edits as F5 makes them, imports
and reindexes. Every acknowledged result is appended to the ack log and fsynced before the next step.

    python bench/reliability_worker.py DATA_DIR ACK_LOG SEED [--verify-only]
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.factory import Assistant, build_assistant  # noqa: E402
from assistant.models.fake import FakeChatModel  # noqa: E402
from assistant.repair import rebuild_indexes  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.turn import run_turn  # noqa: E402
from memory.consistency import check_and_repair  # noqa: E402
from memory.editing import MemoryEditor  # noqa: E402
from memory.records import Memory  # noqa: E402
from memory.transfer import export_memories, import_memories  # noqa: E402

USER = "me"
CITIES = "Porto Oslo Lima Quito Accra Hanoi Perth Turin Cork Bergen Leeds Graz".split()
PEOPLE = "Ana Leo Ines Omar Tariq Mei Noor Ivo Zara Finn Lena Raj".split()


class AckLog:
    def __init__(self, path: Path) -> None:
        self.handle = path.open("a", encoding="utf-8")

    def ack(self, **entry: Any) -> None:
        self.handle.write(json.dumps(entry) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())


def read_acks(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # a line cut by the kill was never acknowledged
    return entries


def verify(assistant: Assistant, acks: list[dict[str, Any]]) -> dict[str, int]:
    """Start as the app starts, then count what an earlier life acknowledged and is missing now."""
    system = assistant.memory.get()
    with system.writer.lock:
        drift = check_and_repair(system.memories)
    caught_up = assistant.conversation(USER).catch_up_memory()
    said = {
        message.content
        for session in assistant.store.list_sessions(USER, limit=1_000_000)
        for message in assistant.store.messages(session.id)
        if message.role == "user"
    }
    lost_messages = sum(1 for entry in acks if entry["kind"] == "message" and entry["text"] not in said)
    lost_memories = 0
    indexed = {memory.id: memory for memory in system.memories.store.all(USER, status=None)}
    words = dict(system.memories.lexical.entries(USER))
    for entry in acks:
        if entry["kind"] != "memory":
            continue
        texts = {change.after.text for change in system.memories.history(USER, entry["id"]) if change.after}
        latest = system.memories.journal.history(USER, entry["id"])
        current = latest[-1].after if latest else None
        in_step = current is not None and current.id in indexed and indexed[current.id].text == current.text
        words_ok = current is not None and (words.get(current.id) == current.text or not current.is_active)
        if entry["text"] not in texts or not in_step or not words_ok:
            lost_memories += 1
    return {
        "lost_messages": lost_messages,
        "lost_memories": lost_memories,
        "drift_repaired": sum(line.repaired + line.removed for line in drift),
        "backlog_caught_up": len(caught_up.changes) if caught_up is not None else 0,
        "acks": len(acks),
    }


def work(assistant: Assistant, log: AckLog, rng: random.Random) -> None:
    """Until killed: turns, F5 edits, imports and reindexes, each acknowledged once it returned."""
    system = assistant.memory.get()
    editor = MemoryEditor(system.writer)
    conversation = assistant.conversation(USER)
    step = 0
    while True:
        step += 1
        roll = rng.random()
        if roll < 0.55:
            text = f"My friend {rng.choice(PEOPLE)} lives in {rng.choice(CITIES)}. (note {rng.randrange(10**9)})"
            turn = run_turn(conversation, text)
            log.ack(kind="message", text=text)
            for memory in turn.memory.remembered if turn.memory else []:
                log.ack(kind="memory", id=memory.id, text=memory.text)
            if step % 7 == 0:
                conversation = assistant.conversation(USER, assistant.store.create_session(USER).id)
        elif roll < 0.75:
            active = system.memories.store.all(USER)
            if active:
                memory = rng.choice(active)
                text = f"{memory.text.split(' (edited')[0]} (edited {rng.randrange(10**6)})"
                report = editor.edit(USER, memory.id, text)
                for change in report.changes:
                    if change.after is not None:
                        log.ack(kind="memory", id=change.after.id, text=change.after.text)
        elif roll < 0.9:
            imported = _import_batch(system, rng)
            for memory in imported:
                log.ack(kind="memory", id=memory.id, text=memory.text)
        else:
            rebuild_indexes(system, assistant.store, [USER])


def _import_batch(system: Any, rng: random.Random) -> list[Memory]:
    """Five new memories of another user, exported and imported as this one (the import path end to end)."""
    source = "src"
    batch = [Memory(user=source, text=f"I collect {rng.choice(CITIES)} stamps, album {rng.randrange(10**6)}")]
    batch += [Memory(user=source, text=f"{name} gave me a {rng.choice(CITIES)} postcard") for name in PEOPLE[:4]]
    system.memories.add_many(batch, reason="harness source")
    out = io.StringIO()
    export_memories(system, source, out)
    import_memories(system, out.getvalue().splitlines(), as_user=USER)
    return [memory.model_copy(update={"user": USER}) for memory in batch]


def main() -> None:
    data_dir, ack_path, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    os.environ["MNEMO_DATA_DIR"] = str(data_dir)
    assistant = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel())
    result = verify(assistant, read_acks(ack_path))
    print(json.dumps(result), flush=True)
    print("ready", flush=True)
    if "--verify-only" in sys.argv:
        assistant.close()
        return
    work(assistant, AckLog(ack_path), random.Random(seed))


if __name__ == "__main__":
    main()
