"""A user's own adapter, trained on their verdicts (personalization by alignment): ``mnemo adapt --user NAME``.

The model it adapts is the one the app runs: the packaged model with the memory adapter merged in, so the user's
adapter stacks on the memory adapter. The loss is DPO's: the adapter raises the likelihood of the reply the user
wanted against the one they rejected, each measured against the model before adaptation. A 👍 alone (nothing
rejected) or a 👎 alone (nothing offered instead) is the same margin with the missing side left out. A small
likelihood term on the wanted reply keeps it fluent. The new adapter starts at zero, so the first scores of each
reply are the reference's, computed once.

One pair in five is held out; the report says how often the held-out pairs' wanted reply is the likelier one
(per token), before and after.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.adapter.train import TARGET_MODULES, Tokenized, reply_log_likelihood, tokenize
from assistant.feedback import PreferencePair

MIN_RATED = 4
"""Fewer rated replies than this teach nothing."""


@dataclass(frozen=True)
class PreferenceConfig:
    rank: int = 8
    alpha: int = 16
    learning_rate: float = 5e-4
    beta: float = 0.1
    """DPO's temperature: how far the adapter may move from the reference."""
    wanted_weight: float = 0.2
    """Weight of the likelihood of the wanted reply beside the preference loss."""
    epochs: int = 4
    max_tokens: int = 1024
    seed: int = 0


@dataclass
class Scored:
    """A rated reply's two sides, tokenized with their prompt, and the reference's log-likelihoods of each."""

    pair: PreferencePair
    chosen: Tokenized | None
    rejected: Tokenized | None
    chosen_reference: float = 0.0
    rejected_reference: float = 0.0


def held_out(pairs: Sequence[PreferencePair]) -> tuple[list[PreferencePair], list[PreferencePair]]:
    """(training, held-out): every fifth rated reply with both sides is held out for the report."""
    both = [pair for pair in pairs if pair.is_pair]
    held = {pair.message_id for pair in both[4::5]}
    return [p for p in pairs if p.message_id not in held], [p for p in pairs if p.message_id in held]


def preference_rate(model: Any, scored: Sequence[Scored]) -> float | None:
    """How often the wanted reply is the likelier one, per token (pairs with both sides only)."""
    import torch

    both = [item for item in scored if item.chosen is not None and item.rejected is not None]
    if not both:
        return None
    wins = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for item in both:
            assert item.chosen is not None and item.rejected is not None
            chosen, chosen_tokens = reply_log_likelihood(model, item.chosen)
            rejected, rejected_tokens = reply_log_likelihood(model, item.rejected)
            wins += float(chosen) / chosen_tokens > float(rejected) / rejected_tokens
    return round(wins / len(both), 4)


def load_policy(model_dir: Path, memory_adapter: Path | None, config: PreferenceConfig) -> tuple[Any, Any]:
    """The tokenizer, and the app's model (the memory adapter merged in) with a new, zero LoRA to train."""
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    if memory_adapter is not None:
        base = PeftModel.from_pretrained(base, memory_adapter).merge_and_unload()
    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=0.0, target_modules=list(TARGET_MODULES))
    return tokenizer, get_peft_model(base, lora)


def score(tokenizer: Any, model: Any, pairs: Sequence[PreferencePair], max_tokens: int) -> list[Scored]:
    import torch

    scored = []
    for pair in pairs:
        chosen = tokenize(tokenizer, pair.chat(pair.chosen), max_tokens) if pair.chosen else None
        rejected = tokenize(tokenizer, pair.chat(pair.rejected), max_tokens) if pair.rejected else None
        if chosen is None and rejected is None:
            continue
        item = Scored(pair, chosen, rejected)
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            if chosen is not None:
                item.chosen_reference = float(reply_log_likelihood(model, chosen)[0])
            if rejected is not None:
                item.rejected_reference = float(reply_log_likelihood(model, rejected)[0])
        scored.append(item)
    return scored


def preference_loss(model: Any, item: Scored, config: PreferenceConfig) -> Any:
    import torch

    margin = torch.zeros(())
    wanted = torch.zeros(())
    if item.chosen is not None:
        chosen, tokens = reply_log_likelihood(model, item.chosen)
        margin = margin + (chosen - item.chosen_reference)
        wanted = -chosen / tokens
    if item.rejected is not None:
        rejected, _ = reply_log_likelihood(model, item.rejected)
        margin = margin - (rejected - item.rejected_reference)
    return -torch.nn.functional.logsigmoid(config.beta * margin) + config.wanted_weight * wanted


def train_user_adapter(
    model_dir: Path,
    memory_adapter: Path | None,
    pairs: Sequence[PreferencePair],
    out_dir: Path,
    config: PreferenceConfig = PreferenceConfig(),
    progress: Callable[[int, int, float], None] = lambda done, total, loss: None,
) -> dict[str, Any]:
    """Train on ``pairs`` (held-out ones set aside), save the adapter in ``out_dir``; the figures."""
    import torch

    torch.manual_seed(config.seed)
    torch.set_num_threads(os.cpu_count() or 2)
    started = time.monotonic()
    training, evaluation = held_out(pairs)
    tokenizer, model = load_policy(model_dir, memory_adapter, config)
    model.eval()
    train_set = score(tokenizer, model, training, config.max_tokens)
    eval_set = score(tokenizer, model, evaluation, config.max_tokens)
    before = preference_rate(model, eval_set)
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=0.0)
    total = config.epochs * len(train_set)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total)))
    order = random.Random(config.seed)
    model.train()
    losses: list[float] = []
    for epoch in range(config.epochs):
        batch = list(train_set)
        order.shuffle(batch)
        for index, item in enumerate(batch):
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = preference_loss(model, item, config)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            progress(epoch * len(batch) + index + 1, total, losses[-1])
    model.eval()
    after = preference_rate(model, eval_set)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    return {
        "config": asdict(config),
        "rated": len(pairs),
        "trained_on": len(train_set),
        "held_out_pairs": sum(1 for item in eval_set if item.chosen is not None and item.rejected is not None),
        "held_out_preferred_before": before,
        "held_out_preferred_after": after,
        "steps": total,
        "first_loss": round(sum(losses[:5]) / max(len(losses[:5]), 1), 4),
        "last_loss": round(sum(losses[-5:]) / max(len(losses[-5:]), 1), 4),
        "wall_s": round(time.monotonic() - started, 1),
    }
