"""Nothing lost, nothing leaked: crash safety, hostile input, user deletion and a long soak, in one JSON report.

1. **Kills.** ``bench/reliability_worker.py`` runs mnemo (the real turn runner with a fake model, real memory,
   F5 edits, imports, reindexes) and is killed with SIGKILL at a random moment, again and again. Each new life
   starts as the app does (the start-up check, the memory backlog) and counts what an earlier life acknowledged
   and is missing: lost_messages, lost_memories (journal, Chroma and word index must agree).
2. **Fuzz.** ``bench/fuzz.py``: every parser of user input, ``--cases`` each: crashes and unclear refusals.
3. **Wipe.** A unique string planted in a user's chats, memories and profile; ``delete_user``; every byte of the
   data dir is scanned for it.
4. **Soak.** ``--soak`` turns with memory on: RSS and recall latency slopes, threads and file handles leaked.

    python bench/reliability.py [--kills 50] [--cases 2000] [--soak 1000] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script

WORKER = Path(__file__).resolve().parent / "reliability_worker.py"


def worker_env(root: Path) -> dict[str, str]:
    home = root / "home"
    home.mkdir(exist_ok=True)
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "MNEMO_CACHE_DIR": str(root / "cache"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_VERBOSITY": "error",
    }


def crash_run(kills: int, seed: int, root: Path) -> dict[str, Any]:
    """Kill the worker ``kills`` times at random moments; a last life only checks."""
    rng = random.Random(seed)
    data, acks, env = root / "data", root / "acks.jsonl", worker_env(root)
    lives: list[dict[str, Any]] = []
    for life in range(kills + 1):
        last = life == kills
        command = [sys.executable, str(WORKER), str(data), str(acks), str(seed + life)]
        process = subprocess.Popen(
            [*command, "--verify-only"] if last else command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            process.wait()
            lives.append({"crashed_at_start": True})
            continue
        lives.append(json.loads(line))
        process.stdout.readline()  # "ready": it is working now
        if last:
            process.wait(timeout=120)
            break
        time.sleep(rng.uniform(0.2, 4.0))
        process.kill()
        process.wait()
        print(f"kill {life + 1}/{kills}: {lives[-1]}", file=sys.stderr)
    final = lives[-1]
    return {
        "kills": kills,
        "acknowledged": final.get("acks", 0),
        "lost_messages": max(life.get("lost_messages", 0) for life in lives),
        "lost_memories": max(life.get("lost_memories", 0) for life in lives),
        "drift_repaired": sum(life.get("drift_repaired", 0) for life in lives),
        "backlog_caught_up": sum(life.get("backlog_caught_up", 0) for life in lives),
        "failed_starts": sum(1 for life in lives if life.get("crashed_at_start")),
    }


def wipe_run(root: Path) -> dict[str, Any]:
    """Plant a unique string, delete the user, scan every byte of the data dir for it."""
    from assistant.chat_commands import run_command
    from assistant.factory import build_assistant
    from assistant.models.fake import FakeChatModel
    from assistant.settings import load_settings
    from assistant.turn import run_turn
    from assistant.user_admin import delete_user

    plant = "zq" + secrets.token_hex(10)
    os.environ["MNEMO_DATA_DIR"] = str(root / "wipe")
    assistant = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel())
    conversation = assistant.conversation("zed")
    for text in (f"My name is Zed and my cat is called {plant}.", f"My sister Ana lives in {plant}ville."):
        run_turn(conversation, text)
    run_command(assistant.memory, "zed", f"/remember my locker code is {plant}", now=datetime.now(UTC))
    run_turn(assistant.conversation("kim"), "My dog is called Pepper.")
    planted = len(hits(root / "wipe", plant))
    delete_user(assistant, "zed")
    assistant.close()
    return {"planted_in_files": planted, "wipe_leftover_hits": len(hits(root / "wipe", plant))}


def hits(folder: Path, plant: str) -> list[Path]:
    needle = plant[:12].encode()
    return [path for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()]


def soak_run(turns: int, root: Path) -> dict[str, Any]:
    """``turns`` turns with memory on; RSS (MB) and recall latency (ms) every 50 turns, and their slopes."""
    from assistant.factory import build_assistant
    from assistant.models.fake import FakeChatModel
    from assistant.settings import load_settings
    from assistant.turn import run_turn

    os.environ["MNEMO_DATA_DIR"] = str(root / "soak")
    assistant = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel())
    rng = random.Random(7)
    conversation = assistant.conversation("soak")
    samples: list[tuple[int, float, float]] = []
    anonymous: list[tuple[float, float]] = []  # (turn, MB of RSS not backed by a file: what a leak grows)
    baseline: tuple[int, Counter[str]] | None = None
    for number in range(1, turns + 1):
        city = rng.choice(["Oslo", "Lima", "Porto", "Accra"])
        text = f"My friend number {number} lives in {city} and likes {rng.random():.4f}."
        run_turn(conversation, text)
        if number % 25 == 0:  # a new chat now and then, as people do
            conversation = assistant.conversation("soak", assistant.store.create_session("soak").id)
        if number == 100:  # after warm-up: Chroma and SQLite open their files lazily, once
            baseline = (threading.active_count(), open_files())
        if number % 50 == 0:
            started = time.perf_counter()
            assistant.memory.recall("soak", "where does my friend live?", datetime.now(UTC))
            samples.append((number, rss_mb(), (time.perf_counter() - started) * 1000))
            anonymous.append((number, rss_anonymous_mb()))
    threads, files = threading.active_count(), open_files()
    assistant.close()
    opened = files - baseline[1] if baseline else Counter()
    after_warm_up = [sample for sample in samples if sample[0] >= 100] or samples
    return {
        "turns": turns,
        "rss_mb_first_last": [round(samples[0][1], 1), round(samples[-1][1], 1)] if samples else None,
        "rss_slope_mb_per_100_turns": round(100 * slope([(n, rss) for n, rss, _ in after_warm_up]), 2),
        # Writes fill caches and the indexes grow with what is remembered: the growth slows as it goes, so the
        # second half says more about a leak than the whole run does.
        "rss_slope_second_half": round(100 * slope([(n, rss) for n, rss, _ in samples if n > turns // 2]), 2),
        # RSS also counts pages of the shared libraries (torch, Chroma) as code paths first touch them: bounded
        # by the libraries' size, shared and reclaimable. Anonymous memory is where a leak would show.
        "rss_anonymous_slope_mb_per_100_turns": round(100 * slope([p for p in anonymous if p[0] >= 100]), 2),
        "recall_ms_first_last": [round(samples[0][2], 1), round(samples[-1][2], 1)] if samples else None,
        "recall_ms_slope_per_100_turns": round(100 * slope([(n, ms) for n, _, ms in after_warm_up]), 3),
        "threads_leaked": threads - baseline[0] if baseline else None,
        "file_handles_leaked": files.total() - baseline[1].total() if baseline else None,
        # Which files the extra handles are open on: Chroma's SQLite pool (sqlx) opens another connection to
        # chroma.sqlite3 whenever its tasks overlap, up to 10, and keeps it (still 10 after 12 idle minutes).
        "file_handles_opened_on": dict(opened),
    }


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def rss_anonymous_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_files() -> Counter[str]:
    """The process's open file descriptors, counted by the name of what each is open on."""
    names: Counter[str] = Counter()
    for fd in os.listdir("/proc/self/fd"):
        try:
            names[Path(os.readlink(f"/proc/self/fd/{fd}")).name] += 1
        except OSError:  # closed while listing (the listing's own descriptor)
            continue
    return names


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y on x (0 for fewer than two points)."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--cases", type=int, default=2000, help="fuzz cases per parser")
    parser.add_argument("--soak", type=int, default=1000, help="turns in the soak")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="3 kills, 30 cases, 150 turns (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.kills, args.cases, args.soak = 3, 30, 150
    from fuzz import fuzz_all  # bench/fuzz.py, beside this script

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.environ.update(
            {
                key: value
                for key, value in worker_env(root).items()
                if key not in os.environ or key in ("HOME", "XDG_CONFIG_HOME", "MNEMO_CACHE_DIR")
            }
        )
        crashes = crash_run(args.kills, args.seed, root)
        (root / "fuzz").mkdir()
        fuzz = fuzz_all(args.cases, ["import", "config", "commands", "user_names", "media", "messages"], root / "fuzz")
        wipe = wipe_run(root)
        soak = soak_run(args.soak, root)
    report = {
        "machine": describe_machine(),
        **crashes,
        "fuzz_cases": sum(result["cases"] for result in fuzz.values()),
        "crashes": sum(result["crashes"] for result in fuzz.values()),
        "unclear_refusals": sum(result["unclear_refusals"] for result in fuzz.values()),
        "fuzz": fuzz,
        **wipe,
        "soak": soak,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
