"""Personal concept recognition benchmark: identify and verify registered concepts in held-out photos.

    python bench/concepts.py --concepts ../shared/data/concepts --negatives ../shared/data/concepts_negatives
    python bench/concepts.py --concepts ... --smoke          # 3 concepts, 1 seed

Layout: ``<concepts>/<name>/*.jpg`` (one folder per concept) and optionally ``<negatives>/<name>/*.jpg`` (hard
negatives: look-alikes of that concept, never used for registering or calibration). For each k in --shots and
each seed, k photos per concept are registered and the rest are queries. ``identification_acc[k]`` is the share
of queries whose best-scoring concept is right. Verification (at the largest k, 4 by default) uses the fixed
``MATCH_THRESHOLD``: for each concept, positives are its held-out photos, negatives its hard negatives plus the
other concepts' held-out photos; ``verification_balanced_acc`` is the mean over concepts of (TPR + TNR) / 2.
``corrections`` (per concept with hard negatives): registered alone from its first two photos, then corrected
with "that's not <name>" on n of the negatives it claimed; recall on its other photos and the share of the
remaining negatives still claimed, per n. Each photo's features are extracted once per run. One JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script

from memory.concept_recognition import MATCH_THRESHOLD, ConceptExamples, ConceptRecognizer  # noqa: E402
from modalities.concept_features import ConceptFeatureExtractor  # noqa: E402

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def photos_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES) if folder.is_dir() else []


class FeatureCache:
    """Reference and query views of each photo, extracted once; times each extraction."""

    def __init__(self, extractor: ConceptFeatureExtractor) -> None:
        self.extractor = extractor
        self._cache: dict[Path, tuple[np.ndarray, np.ndarray]] = {}
        self.reference_seconds: list[float] = []
        self.query_seconds: list[float] = []

    def get(self, path: Path) -> tuple[np.ndarray, np.ndarray]:
        if path not in self._cache:
            from PIL import Image

            with Image.open(path) as opened:
                image = opened.convert("RGB")
            started = time.perf_counter()
            reference = self.extractor.reference_vectors(image)
            middle = time.perf_counter()
            query = self.extractor.query_vectors(image)
            self.reference_seconds.append(middle - started)
            self.query_seconds.append(time.perf_counter() - middle)
            self._cache[path] = (reference, query)
        return self._cache[path]

    def reference(self, path: Path) -> np.ndarray:
        return self.get(path)[0]

    def query(self, path: Path) -> np.ndarray:
        return self.get(path)[1]


def run_split(
    features: FeatureCache,
    concepts: dict[str, list[Path]],
    negatives: dict[str, list[Path]],
    shots: int,
    seed: int,
    verify: bool,
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    references, queries = {}, {}
    for name, paths in concepts.items():
        order = rng.permutation(len(paths))
        references[name] = [paths[i] for i in order[:shots]]
        queries[name] = [paths[i] for i in order[shots:]]
    examples = [ConceptExamples(name, [features.reference(p) for p in refs]) for name, refs in references.items()]
    started = time.perf_counter()
    recognizer = ConceptRecognizer(examples)
    build_s = time.perf_counter() - started
    names = recognizer.names
    match_seconds: list[float] = []

    def score(path: Path) -> np.ndarray:
        vectors = features.query(path)
        begun = time.perf_counter()
        result = recognizer.scores(vectors)
        recognizer.match(vectors)
        match_seconds.append(time.perf_counter() - begun)
        return result

    query_scores = {name: [score(p) for p in paths] for name, paths in queries.items()}
    correct = {name: [int(np.argmax(s)) == names.index(name) for s in scored] for name, scored in query_scores.items()}
    result: dict[str, object] = {"correct": correct, "build_s": build_s, "match_s": match_seconds}
    if verify:
        per_concept: dict[str, dict[str, float]] = {}
        for i, name in enumerate(names):
            positives = np.array([s[i] for s in query_scores[name]])
            others = np.array([s[i] for other, scored in query_scores.items() if other != name for s in scored])
            hard = np.array([score(p)[i] for p in negatives.get(name, [])])
            negative_scores = np.concatenate([others, hard])
            tpr = float((positives >= MATCH_THRESHOLD).mean()) if len(positives) else float("nan")
            fpr = float((negative_scores >= MATCH_THRESHOLD).mean()) if len(negative_scores) else 0.0
            entry = {"tpr": tpr, "fpr": fpr, "balanced_acc": (tpr + 1.0 - fpr) / 2.0}
            if len(hard):
                entry["hard_negative_fpr"] = float((hard >= MATCH_THRESHOLD).mean())
            per_concept[name] = entry
        result["verification"] = per_concept
    return result


CORRECTIONS = (0, 1, 2, 4, 8)
CORRECTION_SHOTS = 2


def run_corrections(
    features: FeatureCache, name: str, photos: list[Path], negatives: list[Path], seeds: int
) -> dict[str, dict[str, float]]:
    """The app's situation: ``name`` registered alone from its first two photos; then the user says "that's not
    <name>" about n photos it wrongly claimed (counter-examples). Per n: recall on its other photos, and the
    share of the remaining hard negatives still claimed."""
    references = [ConceptExamples(name, [features.reference(p) for p in photos[:CORRECTION_SHOTS]])]
    positives = [features.query(p) for p in photos[CORRECTION_SHOTS:]]
    claimed_before = [p for p in negatives if ConceptRecognizer(references).best(features.query(p)) is not None]
    rows: dict[str, dict[str, float]] = {}
    for corrections in CORRECTIONS:
        recall, claimed = [], []
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            picked = [claimed_before[i] for i in rng.permutation(len(claimed_before))[:corrections]]
            counter = {name: [features.reference(p) for p in picked]}
            recognizer = ConceptRecognizer(references, counter_examples=counter)
            recall.append(mean([float(recognizer.best(q) is not None) for q in positives]))
            rest = [p for p in negatives if p not in picked]
            claimed.append(mean([float(recognizer.best(features.query(p)) is not None) for p in rest]))
        rows[str(corrections)] = {"recall": mean(recall), "hard_negatives_claimed": mean(claimed)}
    return rows


def mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concepts", type=Path, required=True, help="folder of <name>/*.jpg concept folders")
    parser.add_argument("--negatives", type=Path, default=None, help="folder of <name>/*.jpg hard negatives")
    parser.add_argument("--shots", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="a quick run: 3 concepts, 1 seed, 30 negatives each")
    args = parser.parse_args()

    concepts = {d.name: photos_in(d) for d in sorted(args.concepts.iterdir()) if d.is_dir()}
    concepts = {name: paths for name, paths in concepts.items() if len(paths) > max(args.shots)}
    if args.smoke:
        concepts = dict(list(concepts.items())[:3])
        args.seeds = 1
    negatives = {name: photos_in(args.negatives / name) for name in concepts} if args.negatives else {}
    negatives = {name: paths[: 30 if args.smoke else None] for name, paths in negatives.items() if paths}

    extractor = ConceptFeatureExtractor(threads=args.threads)
    started = time.perf_counter()
    extractor.warm_up()
    load_s = time.perf_counter() - started
    features = FeatureCache(extractor)
    verify_shots = max(args.shots)
    identification: dict[str, float] = {}
    per_concept_ident: dict[str, list[bool]] = {name: [] for name in concepts}
    verification: dict[str, list[dict[str, float]]] = {name: [] for name in concepts}
    build_seconds: list[float] = []
    match_seconds: list[float] = []
    for shots in args.shots:
        hits: list[bool] = []
        for seed in range(args.seeds):
            split = run_split(features, concepts, negatives, shots, seed, verify=shots == verify_shots)
            build_seconds.append(float(split["build_s"]))  # type: ignore[arg-type]
            match_seconds.extend(split["match_s"])  # type: ignore[arg-type]
            for name, correct in split["correct"].items():  # type: ignore[attr-defined]
                hits.extend(correct)
                if shots == verify_shots:
                    per_concept_ident[name].extend(correct)
            for name, entry in split.get("verification", {}).items():  # type: ignore[attr-defined]
                verification[name].append(entry)
        identification[str(shots)] = mean([float(h) for h in hits])

    per_concept = {}
    for name in concepts:
        entries = verification[name]
        row = {"identification": mean([float(h) for h in per_concept_ident[name]])}
        for key in ("balanced_acc", "tpr", "fpr", "hard_negative_fpr"):
            values = [e[key] for e in entries if key in e]
            if values:
                row[key] = mean(values)
        per_concept[name] = row
    corrections = {
        name: run_corrections(features, name, concepts[name], paths, args.seeds) for name, paths in negatives.items()
    }
    extraction_s = mean(features.reference_seconds)
    build_s = mean(build_seconds)
    result = {
        "concepts": len(concepts),
        "photos": sum(len(p) for p in concepts.values()),
        "hard_negatives": {name: len(paths) for name, paths in negatives.items()},
        "seeds": args.seeds,
        "shots": args.shots,
        "identification_acc": identification,
        "verification_shots": verify_shots,
        "verification_balanced_acc": mean([r["balanced_acc"] for r in per_concept.values() if "balanced_acc" in r]),
        "false_positive_rate": mean([r["fpr"] for r in per_concept.values() if "fpr" in r]),
        "hard_negative_fpr": mean([r["hard_negative_fpr"] for r in per_concept.values() if "hard_negative_fpr" in r]),
        "match_threshold": MATCH_THRESHOLD,
        "per_concept": per_concept,
        "corrections": corrections,
        "timings": {
            "model_load_s": round(load_s, 3),
            "reference_extraction_s_per_photo": extraction_s,
            "query_extraction_s_per_photo": mean(features.query_seconds),
            "recognizer_build_s_all_concepts": build_s,
            "registration_s_per_concept": round(verify_shots * extraction_s + build_s, 4),
            "match_s_per_query": mean(match_seconds),
            "query_total_s": round(mean(features.query_seconds) + mean(match_seconds), 4),
        },
        "method": "lite0 320px whole photo + flip, GeM + 2x2-cell patches; typicality (LOO) x softmax share (whitened"
        " cosine + patch NBNN margin)",
        "machine": describe_machine(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
