"""``make extraction-adapter``: the extraction adapter's data, training, evaluation and shipped weights.

The adapter teaches the packaged default model to answer the app's extraction prompt (:data:`memory.extraction.PROMPT`)
with the facts a message states, as JSON. It applies to extraction calls only (``memory.extractor = "llm"``);
replies keep the memory adapter. Each step is skipped when its output is already in the work folder.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from assistant.adapter.extraction_cases import examples
from assistant.adapter.pipeline import _bar, _converted_default, ship
from assistant.adapter.train import TrainConfig, save_metrics, train

SHIPPED = Path(__file__).parent / "weights" / "extraction"
RECIPE_VERSION = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.adapter.extraction_pipeline", description=__doc__)
    parser.add_argument("--work", type=Path, default=Path(".cache/extraction-adapter-work"))
    parser.add_argument("--cache-dir", type=Path, default=None, help="mnemo's model cache (default: the app's)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--size", type=int, default=1000, help="training messages")
    parser.add_argument("--eval-size", type=int, default=100, help="evaluation messages (held-out words)")
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--model-dir", type=Path, default=None, help="fp32 model folder (default: the converted one)")
    parser.add_argument("--no-ship", action="store_true", help="leave the shipped adapter as it is")
    parser.add_argument("--skip-eval", action="store_true")
    args = parser.parse_args(argv)
    from assistant.settings import Settings

    cache_dir = args.cache_dir or Settings().cache_dir
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    train_set = examples(args.seed, args.size, held_out=False)
    eval_set = examples(args.seed + 1, args.eval_size, held_out=True)
    for name, items in (("train", train_set), ("eval", eval_set)):
        (work / f"{name}.jsonl").write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items))
    config = TrainConfig(seed=args.seed, learning_rate=args.learning_rate, max_tokens=640)
    metrics_path = work / "train_metrics.json"
    if not (work / "adapter" / "adapter_model.safetensors").exists():
        model_dir = args.model_dir or _converted_default(cache_dir)
        metrics = train(
            model_dir, train_set, work, config, lambda d, n, loss: _bar("training", d, n, f"loss {loss:.3f}")
        )
        save_metrics(metrics_path, metrics)
    report: dict[str, Any] = {"training": json.loads(metrics_path.read_text())}
    evaluated = work / "eval_metrics.json"
    if evaluated.exists():
        report["evaluation"] = json.loads(evaluated.read_text())
    elif not args.skip_eval:
        from assistant.adapter.extraction_eval import evaluate_extraction

        report["evaluation"] = evaluate_extraction(
            eval_set, work / "adapter", cache_dir, lambda d, n: _bar("evaluating", d, n)
        )
        save_metrics(evaluated, report["evaluation"])
    report["pipeline_wall_s"] = round(time.monotonic() - started, 1)
    recipe = {
        "version": RECIPE_VERSION,
        "seed": args.seed,
        "size": args.size,
        "eval_size": args.eval_size,
        "learning_rate": args.learning_rate,
        "train_examples": len(train_set),
        "base_model": "default",
        "rebuild": "make extraction-adapter",
    }
    if not args.no_ship:
        print(f"shipped to {ship(work, recipe, report, SHIPPED)}")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
