"""The constraint finder on a labelled set: does the user's constraint bear on the message?

    python bench/constraints.py                  # bench/data/constraint_pairs.json, one JSON object on stdout
    python bench/constraints.py --smoke          # the first 20 pairs

Each pair is a constraint as the user said it ("I'm allergic to peanuts"), a later message, and whether the
constraint bears on it. The constraint is typed as mnemo types a stored memory (``read_constraint``); a
constraint it cannot type counts as "untyped" and finds nothing. Output: precision, recall, f1, counts,
``untyped`` and the misses (``false_negatives``, ``false_positives``) to read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memory.constraints import Constraint, ConstraintFinder, read_constraint  # noqa: E402

DATA = ROOT / "bench" / "data" / "constraint_pairs.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--smoke", action="store_true", help="the first 20 pairs only")
    arguments = parser.parse_args()
    pairs = json.loads(arguments.data.read_text())["pairs"]
    if arguments.smoke:
        pairs = pairs[:20]
    finder = ConstraintFinder()
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    untyped: set[str] = set()
    false_negatives, false_positives = [], []
    started = time.perf_counter()
    for pair in pairs:
        typed = read_constraint(pair["constraint"])
        found = False
        if typed is None:
            untyped.add(pair["constraint"])
        else:
            constraint = Constraint("m0", typed[0], typed[1], pair["constraint"], datetime.now(UTC))
            found = finder.bears_on(pair["message"], constraint)
        related = bool(pair["related"])
        counts[("t" if found == related else "f") + ("p" if found else "n")] += 1
        if related and not found:
            false_negatives.append([pair["constraint"], pair["message"]])
        elif found and not related:
            false_positives.append([pair["constraint"], pair["message"]])
    elapsed = time.perf_counter() - started
    precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    report = {
        "pairs": len(pairs),
        "related": counts["tp"] + counts["fn"],
        "unrelated": counts["tn"] + counts["fp"],
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "counts": counts,
        "untyped": sorted(untyped),
        "ms_per_pair": round(1000 * elapsed / max(1, len(pairs)), 3),
        "smoke": arguments.smoke,
        "false_negatives": false_negatives,
        "false_positives": false_positives,
    }
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
