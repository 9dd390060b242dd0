"""Memory at scale: add throughput, hybrid search latency, disk and memory for 10k and 100k memories.

    python bench/memory_scale.py                      # 10k and 100k memories over 10 users: one JSON object
    python bench/memory_scale.py --sizes 10000        # one size only
    python bench/memory_scale.py --smoke              # a tiny run for CI
    python bench/memory_scale.py --chroma-url http://127.0.0.1:8000   # a Chroma server instead of embedded
    python bench/memory_scale.py --chroma-url URL --concurrent-users 20 --duration 60   # many users at once

The output is keyed by size (the total across all users). Each size has add_per_s (memories per second
through ``Memories.add_many``, embedding included), search_ms_p50/p95 (the ``Retriever`` the prompt uses, k=10),
dense_ms_p50, embed_ms_p50 and lexical_ms_p50 (its parts timed alone), disk_mb (the data dir), rss_mb (peak
RSS of the process that ran that size) and user_isolation_ok. A Chroma server's own disk and memory are in
neither.
With ``--concurrent-users N`` (a Chroma server only) it instead runs N simulated users adding and searching at
once for ``--duration`` seconds (bench/concurrent_users.py) and reports lost writes (acknowledged but not found
afterwards), results from another user, errors and search/add p50/p95 under ``concurrent``.
Goal: search p95 <= 50 ms at 100k on 2 cores. Each size runs in a fresh process on a fresh data dir, so
sizes do not share caches or memory peaks. The memories are synthetic but deterministic (``--seed``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script

from memory.records import Memory, MemoryKind  # noqa: E402
from memory.retrieval import Recalled  # noqa: E402

Result = TypeVar("Result")

NAMES = (
    "Ana Ben Carla Dmitri Elif Farah Gustav Hana Ivo Jonas Kemal Lena Mateo Nadia Omar Priya Quentin Rosa Sven "
    "Tomas Uma Viktor Wen Ximena Yusuf Zara Aiko Bruno Chiara Diego Esther Felix Greta Hugo Ines Jakob Kofi Lucia "
    "Marek Nora Oskar Paula Rafael Sofia Theo Ursula Vera Wilhelm Yara Amir Beatriz Cyril Dalia Emil Fatima "
    "Giorgio Helga Ingrid Joao Katya Leon Maren Nils Olga Pedro Rania Stefan Tove Ugo Valeria Yannick Zeynep"
).split()
SURNAMES = (
    "Almeida Berger Costa Dubois Eriksen Fischer Garcia Horvat Ivanova Jensen Kowalski Larsen Moreau Novak "
    "Okafor Petrov Quist Rossi Schmidt Tanaka Urban Varga Weber Yilmaz Zhang Lindqvist Haddad Mendes Nakamura"
).split()
CITIES = (
    "Lisbon Porto Madrid Valencia Lyon Marseille Leeds York Bristol Glasgow Dublin Cork Oslo Bergen Stockholm "
    "Gothenburg Copenhagen Aarhus Hamburg Munich Leipzig Vienna Graz Zurich Basel Milan Turin Naples Bologna "
    "Krakow Gdansk Prague Brno Budapest Ljubljana Zagreb Athens Thessaloniki Istanbul Izmir Tunis Rabat Nairobi "
    "Accra Lagos Kyoto Osaka Seoul Busan Hanoi Bangkok Montreal Toronto Halifax Boston Denver Seattle Lima Quito"
).split()
FOODS = (
    "ramen sushi lasagne paella falafel hummus pho kimchi tacos burritos risotto gnocchi moussaka baklava "
    "croissants pancakes curry dumplings couscous tagine goulash pierogi halloumi tiramisu churros ceviche "
    "olives mushrooms aubergine coriander peanuts shellfish anchovies liquorice oysters blue-cheese okra"
).split()
HOBBIES = (
    "bouldering|pottery|chess|sailing|knitting|salsa dancing|birdwatching|photography|woodworking|baking|running|"
    "cycling|swimming|rowing|fencing|archery|origami|calligraphy|gardening|beekeeping|astronomy|the cello|"
    "the violin|the ukulele|the piano|jazz guitar|watercolour painting|scuba diving|kayaking|judo"
).split("|")
SPECIES = ("cat", "dog", "rabbit", "parrot", "tortoise", "hamster", "goldfish", "ferret", "guinea pig", "gecko")
PET_NAMES = (
    "Miso Pepper Biscuit Luna Mochi Ziggy Noodle Pickles Tofu Basil Clementine Waffles Juniper Pixel Sushi Olive "
    "Banjo Peanut Cosmo Figaro Maple Nacho Pumpkin Sprout Truffle Wasabi Ginger Bramble Domino Poppy"
).split()
RELATIONS = (
    "sister brother mother father cousin aunt uncle niece nephew grandmother grandfather friend colleague "
    "neighbour boss partner flatmate godson goddaughter"
).split()
JOBS = (
    "nurse architect baker teacher plumber pilot dentist journalist electrician pharmacist librarian chef "
    "translator vet accountant firefighter carpenter lawyer physiotherapist engineer"
).split()
COLORS = "red blue green yellow black white silver orange purple grey teal maroon".split()
CARS = "Fiat Panda|Toyota Yaris|Volvo V60|Renault Clio|Skoda Octavia|VW Golf|Mazda 3|Kia Niro".split("|")
THINGS = "bicycle|kettle|raincoat|camera|tent|guitar|lamp|backpack|sofa|laptop|umbrella|blender|telescope".split("|")
HOME_SPOTS = (
    "blue jar on the shelf|drawer under the oven|shoebox in the hall|glovebox|toolbox in the shed|coat pocket".split(
        "|"
    )
)
DRINKS = "espresso|green tea|oat latte|black coffee|chai|hot chocolate|mint tea|orange juice".split("|")
MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

# (kind, statement, question): the statement is stored, the question (with fresh slot values) is searched.
TEMPLATES: tuple[tuple[MemoryKind, str, str], ...] = (
    (MemoryKind.FACT, "I live in {city} on {street} Street, flat {number}", "where do I live in {city}?"),
    (MemoryKind.FACT, "My {relation} {name} works as a {job} in {city}", "what does my {relation} {name} do?"),
    (MemoryKind.FACT, "I was born on {month} {day}, {year}", "when is my birthday?"),
    (MemoryKind.FACT, "I drive a {color} {car}, plate {plate}", "what car do I drive?"),
    (MemoryKind.FACT, "I am allergic to {food}", "am I allergic to {food}?"),
    (MemoryKind.FACT, "My passport expires in {month} {year}", "when does my passport expire?"),
    (MemoryKind.PREFERENCE, "I love {food} but I can't stand {food2}", "what food do I like?"),
    (MemoryKind.PREFERENCE, "I drink {drink} every morning, never {drink2}", "what do I drink in the morning?"),
    (MemoryKind.PREFERENCE, "My favourite colour is {color}", "what is my favourite colour?"),
    (MemoryKind.PREFERENCE, "I enjoy {hobby} on {weekday} evenings", "what do I do on {weekday} evenings?"),
    (MemoryKind.PERSON, "{name} {surname} is my {relation}; they live in {city}", "who is {name} {surname}?"),
    (MemoryKind.PERSON, "My {relation} {name} is {age} and loves {hobby}", "how old is my {relation}?"),
    (MemoryKind.PERSON, "{name} recommended the {food} at a place called {surname}'s", "who recommended {food}?"),
    (MemoryKind.PET, "My {species} {pet} is {small} years old and eats {food}", "what does {pet} eat?"),
    (MemoryKind.PET, "{pet} the {species} sees the vet on {weekday} at {time}", "when is {pet}'s vet visit?"),
    (MemoryKind.PLAN, "I plan to visit {city} in {month} with {name}", "when am I going to {city}?"),
    (MemoryKind.PLAN, "I want to learn {hobby} before {year}", "what do I want to learn?"),
    (MemoryKind.PLAN, "Next {weekday} I have dinner with {name} at {time}", "what am I doing next {weekday}?"),
    (MemoryKind.EVENT, "{name}'s wedding is on {month} {day} in {city}", "when is {name}'s wedding?"),
    (MemoryKind.EVENT, "I ran {small}0 km in {city} in {minutes} minutes", "how fast was my race in {city}?"),
    (MemoryKind.EVENT, "I met {name} {surname} at a {hobby} class in {city}", "where did I meet {name}?"),
    (MemoryKind.ROUTINE, "I go to the gym at {time} every {weekday}", "when do I go to the gym?"),
    (MemoryKind.ROUTINE, "I call my {relation} {name} every {weekday}", "when do I call {name}?"),
    (MemoryKind.THING, "The spare key for the {thing} is in the {spot}", "where is the {thing} key?"),
    (MemoryKind.THING, "I bought a {color} {thing} for {number} euros in {city}", "how much was the {thing}?"),
)


def slot_values(rng: random.Random) -> dict[str, str]:
    """A fresh value for every slot a template may use (always drawn in the same order: deterministic)."""
    return {
        "name": rng.choice(NAMES),
        "surname": rng.choice(SURNAMES),
        "city": rng.choice(CITIES),
        "street": rng.choice(SURNAMES),
        "number": str(rng.randint(2, 480)),
        "relation": rng.choice(RELATIONS),
        "job": rng.choice(JOBS),
        "month": rng.choice(MONTHS),
        "day": str(rng.randint(1, 28)),
        "year": str(rng.randint(1950, 2031)),
        "color": rng.choice(COLORS),
        "car": rng.choice(CARS),
        "plate": f"{rng.choice('ABCDEFGHKLMNPRSTVWXYZ')}{rng.randint(10, 99)}-{rng.randint(100, 999)}",
        "food": rng.choice(FOODS),
        "food2": rng.choice(FOODS),
        "drink": rng.choice(DRINKS),
        "drink2": rng.choice(DRINKS),
        "hobby": rng.choice(HOBBIES),
        "weekday": rng.choice(WEEKDAYS),
        "age": str(rng.randint(3, 95)),
        "small": str(rng.randint(1, 19)),
        "species": rng.choice(SPECIES),
        "pet": rng.choice(PET_NAMES),
        "time": f"{rng.randint(6, 21)}:{rng.choice(('00', '15', '30', '45'))}",
        "minutes": str(rng.randint(25, 300)),
        "thing": rng.choice(THINGS),
        "spot": rng.choice(HOME_SPOTS),
    }


def synthetic_memories(user: str, count: int, rng: random.Random, start: int) -> list[Memory]:
    """``count`` varied memories for ``user``, said over the last two years; ids ``m<start>``, ``m<start+1>``…"""
    epoch = datetime(2025, 1, 1, tzinfo=UTC)
    memories = []
    for index in range(start, start + count):
        kind, statement, _ = rng.choice(TEMPLATES)
        memories.append(
            Memory(
                id=f"m{index:08d}",
                user=user,
                text=statement.format(**slot_values(rng)),
                kind=kind,
                said_at=epoch - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)),
                sources=[f"bench:{index}"],
                importance=round(rng.random(), 2),
            )
        )
    return memories


def synthetic_query(rng: random.Random) -> str:
    """A question in the words a user would use, about any template, with its own slot values."""
    _, _, question = rng.choice(TEMPLATES)
    return question.format(**slot_values(rng))


@dataclass(frozen=True)
class SizeRun:
    size: int
    users: int
    queries: int
    batch: int
    seed: int
    data_dir: Path
    chroma_url: str | None
    embedder: str = "minilm"
    cache_dir: Path | None = None


def percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def timed_ms(function: Callable[..., Result], *arguments: object) -> tuple[float, Result]:
    """Milliseconds ``function(*arguments)`` took, and what it returned."""
    started = time.perf_counter()
    result = function(*arguments)
    return (time.perf_counter() - started) * 1000, result


def directory_mb(path: Path) -> float:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file()) / 2**20


def measure_size(run: SizeRun) -> dict[str, object]:
    """Add ``run.size`` memories, then time searches; runs in its own process (a clean RSS peak)."""
    from memory.system import open_memory

    def progress(message: str) -> None:
        print(f"[{run.size}] {message}", file=sys.stderr, flush=True)

    system = open_memory(run.data_dir, run.chroma_url, embedder_key=run.embedder, cache_dir=run.cache_dir)
    memories = system.memories
    # A run tag keeps a shared Chroma server's collections of other runs (and real users) untouched.
    tag = secrets.token_hex(3)
    users = [f"bench-{tag}-{number:02d}" for number in range(run.users)]
    system.embedder.embed(["load the model before the clock starts"])

    rng = random.Random(run.seed)
    owner: dict[str, str] = {}
    added = 0
    started = time.perf_counter()
    for number, user in enumerate(users):
        share = run.size // run.users + (1 if number < run.size % run.users else 0)
        for offset in range(0, share, run.batch):
            batch = synthetic_memories(user, min(run.batch, share - offset), rng, start=added)
            memories.add_many(batch, reason="benchmark")
            owner.update((memory.id, user) for memory in batch)
            added += len(batch)
        progress(f"added {added}/{run.size} ({added / (time.perf_counter() - started):.0f}/s)")
    add_seconds = time.perf_counter() - started

    queries = [(rng.choice(users), synthetic_query(rng)) for _ in range(run.queries)]

    def search(user: str, query: str) -> list[Recalled]:
        """What the prompt recalls: the Retriever over memories and turns, k=10."""
        return system.retriever.retrieve(user, query, now=datetime.now(UTC), k=10)

    for user in users:  # each collection is loaded into memory on its first query, as at session start
        for _ in range(2):
            search(user, synthetic_query(rng))
    search_ms, isolated = [], True
    for user, query in queries:
        elapsed, found = timed_ms(search, user, query)
        search_ms.append(elapsed)
        isolated = isolated and all(item.memory.user == user == owner.get(item.memory.id) for item in found)
    dense_ms = [timed_ms(memories.store.search, user, query, 30)[0] for user, query in queries]
    lexical_ms = [timed_ms(memories.lexical.search, user, query, 30)[0] for user, query in queries]
    embed_ms = [timed_ms(system.embedder.embed_queries, [query])[0] for _, query in queries]
    progress(f"search p50 {statistics.median(search_ms):.1f} ms, p95 {percentile(search_ms, 95):.1f} ms")

    result: dict[str, object] = {
        "add_per_s": round(run.size / add_seconds, 1),
        "add_s": round(add_seconds, 1),
        "search_ms_p50": round(statistics.median(search_ms), 2),
        "search_ms_p95": round(percentile(search_ms, 95), 2),
        "dense_ms_p50": round(statistics.median(dense_ms), 2),
        "embed_ms_p50": round(statistics.median(embed_ms), 2),
        "lexical_ms_p50": round(statistics.median(lexical_ms), 2),
        "lexical_ms_p95": round(percentile(lexical_ms, 95), 2),
        "disk_mb": round(directory_mb(run.data_dir), 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "user_isolation_ok": isolated,
        "queries": len(queries),
    }
    if run.chroma_url:
        for user in users:
            memories.store.drop_user(user)
    system.close()
    return result


def concurrent_report(args: argparse.Namespace) -> dict[str, object]:
    from concurrent_users import run_concurrent_users  # bench/concurrent_users.py, beside this script

    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mnemo-concurrent-") as root:
        result = run_concurrent_users(args.chroma_url, Path(root), args.concurrent_users, args.duration, args.seed)
    return {
        "concurrent": result,
        "settings": {"chroma": "server", "k": 10, "seed": args.seed},
        "machine": {**describe_machine(), "load_avg_1m": [round(load_at_start, 2), round(os.getloadavg()[0], 2)]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="total memories across all users, comma-separated")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--queries", type=int, default=200, help="timed searches per size")
    parser.add_argument("--batch", type=int, default=256, help="memories per add_many call")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chroma-url", default=None, help="a Chroma server (http://host:port) instead of embedded")
    parser.add_argument("--data-dir", type=Path, default=None, help="kept afterwards (default: a temp dir, removed)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run for CI: 300 memories, 20 queries")
    parser.add_argument("--concurrent-users", type=int, default=0, help="simulate this many users at once")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of concurrent load")
    parser.add_argument(
        "--embedder", choices=["minilm", "nomic", "nomic768", "nomic512", "nomic256"], help="default: the app's"
    )
    args = parser.parse_args()
    from assistant.settings import load_settings
    from memory.system import embedder_key

    settings = load_settings()
    embedder = embedder_key(args.embedder or settings.memory.embedder)
    if args.concurrent_users:
        if not args.chroma_url:
            parser.error("--concurrent-users needs --chroma-url (a Chroma server shared by the users)")
        print(json.dumps(concurrent_report(args)))
        return
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    if args.smoke:
        sizes, args.queries = [300], 20

    load_at_start = os.getloadavg()[0]
    root = args.data_dir or Path(tempfile.mkdtemp(prefix="mnemo-memory-scale-"))
    report: dict[str, object] = {}
    try:
        for size in sizes:
            data_dir = root / f"size-{size}"
            if data_dir.exists() and any(data_dir.iterdir()):
                parser.error(f"{data_dir} is not empty: pass a fresh --data-dir")
            run = SizeRun(
                size, args.users, args.queries, args.batch, args.seed, data_dir, args.chroma_url, embedder,
                settings.cache_dir,
            )  # fmt: skip
            # A fresh process per size: its own RSS peak, no Chroma caches carried over from a smaller size.
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                report[str(size)] = pool.submit(measure_size, run).result()
    finally:
        if args.data_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    report["settings"] = {
        "users": args.users,
        "queries": args.queries,
        "batch": args.batch,
        "seed": args.seed,
        "k": 10,
        "chroma": "server" if args.chroma_url else "embedded",
        "embedder": embedder,
        "smoke": args.smoke,
    }
    report["machine"] = {
        **describe_machine(),
        # Other work on the machine slows embedding a lot (torch's threads wait for each other): say how busy it was.
        "load_avg_1m": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
