"""Many users at once on one Chroma server: each adds and searches memories for a fixed time; afterwards
every acknowledged memory must be found, and no search may have returned another user's memory.

Used by ``bench/memory_scale.py --chroma-url URL --concurrent-users 20 --duration 60``. Each simulated user is
its own mnemo (its own data dir: journal and word index) sharing the server, as a household's laptops would;
they share one embedding model to keep the run light.
"""

from __future__ import annotations

import random
import secrets
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from memory.records import Memory, MemoryKind

SEARCH_K = 10
SUBJECTS = ("sister", "brother", "friend", "neighbour", "colleague", "cousin", "aunt", "teacher")
CITIES = ("Lisbon", "Porto", "Oslo", "Bergen", "Lyon", "Graz", "Cork", "Turin", "Brno", "Izmir", "Rabat")


@dataclass
class UserLog:
    user: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # memory id -> its unique token
    add_ms: list[float] = field(default_factory=list)
    search_ms: list[float] = field(default_factory=list)
    foreign_results: int = 0
    errors: list[str] = field(default_factory=list)


def _simulate(system: Any, log: UserLog, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        token = f"t{secrets.token_hex(4)}"
        text = f"My {rng.choice(SUBJECTS)} {token} lives in {rng.choice(CITIES)}"
        memory = Memory(user=log.user, text=text, kind=MemoryKind.FACT, said_at=datetime.now(UTC))
        try:
            started = time.perf_counter()
            system.memories.add(memory, reason="load test")
            log.add_ms.append((time.perf_counter() - started) * 1000)
            log.acknowledged[memory.id] = token
            query = rng.choice(list(log.acknowledged.values()))
            started = time.perf_counter()
            found = system.retriever.retrieve(log.user, f"where does my {query} live", now=now(), k=SEARCH_K)
            log.search_ms.append((time.perf_counter() - started) * 1000)
            log.foreign_results += sum(1 for item in found if item.memory.user != log.user)
        except Exception as error:  # noqa: BLE001 - counted and reported; the run goes on
            log.errors.append(f"{type(error).__name__}: {error}")


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def run_concurrent_users(
    chroma_url: str, root: Path, users: int, duration_s: float, seed: int = 7
) -> dict[str, object]:
    """Run ``users`` simulated users for ``duration_s`` seconds against the server at ``chroma_url``."""
    from memory.embeddings import MiniLMEmbedder
    from memory.system import open_memory

    embedder = MiniLMEmbedder()
    embedder.embed(["warm up"])
    run_id = secrets.token_hex(3)
    systems = [open_memory(root / f"user-{index}", chroma_url, embedder=embedder) for index in range(users)]
    logs = [UserLog(f"load-{run_id}-{index:02d}") for index in range(users)]
    deadline = time.monotonic() + duration_s
    threads = [
        threading.Thread(target=_simulate, args=(system, log, deadline, seed + index), daemon=True)
        for index, (system, log) in enumerate(zip(systems, logs, strict=True))
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    # Afterwards, through a fresh client: every acknowledged memory is there, under its own user only.
    checker = open_memory(root / "checker", chroma_url, embedder=embedder)
    lost, misfiled = 0, 0
    for log in logs:
        stored = {memory.id: memory for memory in checker.memories.store.get_many(log.user, list(log.acknowledged))}
        lost += sum(1 for memory_id in log.acknowledged if memory_id not in stored)
        misfiled += sum(1 for memory in stored.values() if memory.user != log.user)
    for log in logs:
        checker.memories.store.drop_user(log.user)
    for system in [*systems, checker]:
        system.close()

    searches = [value for log in logs for value in log.search_ms]
    adds = [value for log in logs for value in log.add_ms]
    errors = [error for log in logs for error in log.errors]
    return {
        "users": users,
        "duration_s": round(elapsed, 1),
        "writes_acknowledged": sum(len(log.acknowledged) for log in logs),
        "searches": len(searches),
        "lost_writes": lost,
        "misfiled_writes": misfiled,
        "foreign_results": sum(log.foreign_results for log in logs),
        "errors": len(errors),
        "first_errors": errors[:5],
        "search_ms_p50": _percentile(searches, 0.5),
        "search_ms_p95": _percentile(searches, 0.95),
        "add_ms_p50": _percentile(adds, 0.5),
        "add_ms_p95": _percentile(adds, 0.95),
        "search_ms_mean": round(statistics.fmean(searches), 1) if searches else None,
    }


def now() -> datetime:
    return datetime.now(UTC)
