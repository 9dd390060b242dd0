"""``make adapter``: replay answers, datasets, training, evaluation, and the shipped adapter, one step after another.

Every step writes its result into the work folder and is skipped when that result is already there, so an
interrupted run (or a rerun after a change to one step) starts where it has to. The adapter that ships with
mnemo, its recipe and its figures land in ``assistant/adapter/weights/memory``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from assistant.adapter.dataset import build
from assistant.adapter.train import TrainConfig, save_metrics, train

SHIPPED = Path(__file__).parent / "weights" / "memory"
RECIPE_VERSION = 2
KNOWLEDGE = Path(__file__).parents[2] / "bench" / "data" / "general_knowledge.json"


def _bar(label: str, done: int, total: int, extra: str = "") -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {extra}   ")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def replay_step(work: Path, cache_dir: Path, prompts: int, seed: int, fresh: bool = False) -> dict[str, str]:
    from assistant.adapter.base_model import answerer, plain_messages
    from assistant.adapter.replay import base_answers, general_prompts, load_replay
    from assistant.settings import ModelSettings

    wanted = general_prompts(seed, prompts)
    path = work / "replay.jsonl"
    shipped = SHIPPED / "replay.jsonl"
    if not path.exists() and shipped.exists() and not fresh:
        # the shipped answers: the base model's int8/int4 kernels answer a little differently on each CPU, and
        # the same answers give the same training set everywhere
        shutil.copy(shipped, path)
    known = load_replay(path)
    if set(wanted) <= known.keys():
        return {prompt: known[prompt] for prompt in wanted}
    ask = answerer(ModelSettings(adapter=""), cache_dir)
    return base_answers(
        wanted, path, lambda prompt: ask(plain_messages(prompt)), lambda d, n: _bar("base answers", d, n)
    )


def data_step(work: Path, replay: dict[str, str], seed: int, size: int, eval_size: int) -> tuple[list[Any], list[Any]]:
    prompts = sorted(replay)
    held = set(prompts[::5])  # the evaluation's everyday prompts are never trained on
    train_set = build(seed, size, False, {p: a for p, a in replay.items() if p not in held})
    eval_set = build(seed + 1, eval_size, True, {p: a for p, a in replay.items() if p in held})
    for name, examples in (("train", train_set), ("eval", eval_set)):
        (work / f"{name}.jsonl").write_text("".join(json.dumps(e.to_json()) + "\n" for e in examples))
    return [e.to_json() for e in train_set], [e.to_json() for e in eval_set]


def ship(work: Path, recipe: dict[str, Any], metrics: dict[str, Any], shipped: Path = SHIPPED, *also: str) -> Path:
    """The trained adapter in fp16 (half the size; OpenVINO reads it either way) with its recipe and figures, and
    the work folder's files named in ``also``."""
    import torch
    from safetensors.torch import load_file, save_file

    shipped.mkdir(parents=True, exist_ok=True)
    tensors = load_file(str(work / "adapter" / "adapter_model.safetensors"))
    save_file(
        {name: tensor.to(torch.float16).contiguous() for name, tensor in tensors.items()},
        str(shipped / "adapter_model.safetensors"),
    )
    shutil.copy(work / "adapter" / "adapter_config.json", shipped / "adapter_config.json")
    for name in also:
        shutil.copy(work / name, shipped / name)
    (shipped / "recipe.json").write_text(json.dumps(recipe, indent=2) + "\n")
    save_metrics(shipped / "metrics.json", metrics)
    return shipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.adapter", description=__doc__)
    parser.add_argument("--work", type=Path, default=Path(".cache/adapter-work"), help="where each step's output goes")
    parser.add_argument("--cache-dir", type=Path, default=None, help="mnemo's model cache (default: the app's)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=80, help="training set size in units of 20 cases (80: 1,600)")
    parser.add_argument("--eval-size", type=int, default=5, help="evaluation set size in units of 20 cases")
    parser.add_argument("--replay-prompts", type=int, default=200)
    parser.add_argument(
        "--model-dir", type=Path, default=None, help="fp32 model folder (default: the converted default)"
    )
    parser.add_argument("--fresh-replay", action="store_true", help="ask the base model anew")
    parser.add_argument("--no-ship", action="store_true", help="leave the shipped adapter as it is")
    parser.add_argument("--skip-eval", action="store_true")
    args = parser.parse_args(argv)
    from assistant.settings import Settings

    settings = Settings()
    cache_dir = args.cache_dir or settings.cache_dir
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    replay = replay_step(work, cache_dir, args.replay_prompts, args.seed, args.fresh_replay)
    train_set, eval_set = data_step(work, replay, args.seed, args.size, args.eval_size)
    model_dir = args.model_dir or _converted_default(cache_dir)
    config = TrainConfig(seed=args.seed)
    metrics_path = work / "train_metrics.json"
    if not (work / "adapter" / "adapter_model.safetensors").exists():
        metrics = train(
            model_dir, train_set, work, config, lambda d, n, loss: _bar("training", d, n, f"loss {loss:.3f}")
        )
        save_metrics(metrics_path, metrics)
    metrics = json.loads(metrics_path.read_text())
    recipe = {
        "version": RECIPE_VERSION,
        "seed": args.seed,
        "size": args.size,
        "eval_size": args.eval_size,
        "replay_prompts": args.replay_prompts,
        "train_examples": len(train_set),
        "eval_examples": len(eval_set),
        "base_model": "default",
        "rebuild": "make adapter",
    }
    report: dict[str, Any] = {"training": metrics}
    if not args.skip_eval:
        from assistant.adapter.evaluate import evaluate_adapter, knowledge_cases

        report["evaluation"] = evaluate_adapter(
            eval_set,
            work / "adapter",
            cache_dir,
            lambda d, n: _bar("evaluating", d, n),
            knowledge_cases(KNOWLEDGE),
        )
        save_metrics(work / "eval_metrics.json", report["evaluation"])
    report["pipeline_wall_s"] = round(time.monotonic() - started, 1)
    if not args.no_ship:
        print(f"shipped to {ship(work, recipe, report, SHIPPED, 'replay.jsonl')}")
    print(json.dumps(report, indent=2))
    return 0


def _converted_default(cache_dir: Path) -> Path:
    from assistant.models.model_cache import ModelSource, prepare_model_dir

    return prepare_model_dir(ModelSource.from_settings("default", None), cache_dir)
