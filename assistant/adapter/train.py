"""LoRA training on 2 CPU cores: the fp32 folder mnemo already converts, bf16 autocast, loss on the reply only.

Only the reply's positions go through the output layer (its 151,936 × 896 matrix is a third of the work when
every prompt token is scored). Checkpoints are written every ``checkpoint_every`` optimizer steps, with the
optimizer, the schedule and the position in the data, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class TrainConfig:
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    learning_rate: float = 2e-4
    accumulate: int = 8
    """Examples per optimizer step (each example is its own forward pass: no padding)."""
    warmup_steps: int = 5
    max_tokens: int = 768
    checkpoint_every: int = 10
    seed: int = 0


@dataclass
class Tokenized:
    input_ids: list[int]
    reply_start: int


def tokenize(tokenizer: Any, messages: Sequence[dict[str, str]], max_tokens: int) -> Tokenized | None:
    """The whole chat as the model's template renders it, and where the assistant's reply begins."""
    prompt = tokenizer.apply_chat_template(list(messages[:-1]), add_generation_prompt=True, tokenize=False)
    full = prompt + messages[-1]["content"] + "<|im_end|>\n"
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(full, add_special_tokens=False)["input_ids"]
    if len(full_ids) > max_tokens or full_ids[: len(prompt_ids)] != prompt_ids:
        return None
    return Tokenized(full_ids, len(prompt_ids))


def reply_log_likelihood(model: Any, example: Tokenized) -> tuple[Any, int]:
    """The summed log-likelihood of the reply's tokens and their count, scoring only the reply's positions with
    the output layer."""
    import torch

    ids = torch.tensor([example.input_ids])
    causal = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = causal.model(input_ids=ids).last_hidden_state[0]
    logits = causal.lm_head(hidden[example.reply_start - 1 : len(example.input_ids) - 1]).float()
    targets = ids[0, example.reply_start :]
    picked = torch.log_softmax(logits, dim=-1).gather(1, targets[:, None])
    return picked.sum(), int(targets.numel())


def reply_loss(model: Any, example: Tokenized) -> tuple[Any, int]:
    """Cross-entropy of the reply tokens (their mean negative log-likelihood) and their count."""
    total, count = reply_log_likelihood(model, example)
    return -total / count, count


def train(
    model_dir: Path,
    examples: Sequence[dict[str, Any]],
    out_dir: Path,
    config: TrainConfig,
    progress: Callable[[int, int, float], None],
    tokens_per_second: Callable[[float], None] = lambda _: None,
) -> dict[str, Any]:
    """Train the adapter on ``examples`` (rendered chats) and save it in ``out_dir / "adapter"``."""
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(config.seed)
    torch.set_num_threads(os.cpu_count() or 2)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    data = [found for item in examples if (found := tokenize(tokenizer, item["messages"], config.max_tokens))]
    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    checkpoint = out_dir / "checkpoint"
    state_file = checkpoint / "state.pt"
    if state_file.exists():
        model = PeftModel.from_pretrained(base, checkpoint, is_trainable=True)
    else:
        lora = LoraConfig(
            r=config.rank,
            lora_alpha=config.alpha,
            lora_dropout=config.dropout,
            target_modules=list(TARGET_MODULES),
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(base, lora)
    model.train()
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=0.0)
    total_steps = math.ceil(len(data) / config.accumulate)

    def schedule(step: int) -> float:
        if step < config.warmup_steps:
            return (step + 1) / config.warmup_steps
        return 0.5 * (1 + math.cos(math.pi * (step - config.warmup_steps) / max(total_steps - config.warmup_steps, 1)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    step, losses, elapsed, tokens_seen = 0, [], 0.0, 0
    if state_file.exists():
        state = torch.load(state_file, weights_only=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, losses, elapsed, tokens_seen = state["step"], state["losses"], state["elapsed"], state["tokens"]
    resumed_from = step
    started = time.monotonic() - elapsed
    while step < total_steps:
        batch = data[step * config.accumulate : (step + 1) * config.accumulate]
        optimizer.zero_grad()
        step_loss = 0.0
        for example in batch:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss, _ = reply_loss(model, example)
            (loss / len(batch)).backward()
            step_loss += loss.item() / len(batch)
            tokens_seen += len(example.input_ids)
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        step += 1
        losses.append(step_loss)
        progress(step, total_steps, step_loss)
        tokens_per_second(tokens_seen / max(time.monotonic() - started, 1e-9))
        if step % config.checkpoint_every == 0 or step == total_steps:
            model.save_pretrained(str(checkpoint))
            state = {
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "step": step,
                "losses": losses,
                "elapsed": time.monotonic() - started,
                "tokens": tokens_seen,
            }
            torch.save(state, state_file.with_suffix(".tmp"))
            os.replace(state_file.with_suffix(".tmp"), state_file)
    wall = time.monotonic() - started
    adapter_dir = out_dir / "adapter"
    model.save_pretrained(str(adapter_dir))
    return {
        "config": asdict(config),
        "examples": len(data),
        "skipped_too_long": len(examples) - len(data),
        "optimizer_steps": total_steps,
        "resumed_from_step": resumed_from,
        "wall_s": round(wall, 1),
        "steps_per_s": round(total_steps / wall, 4),
        "tokens_per_s": round(tokens_seen / wall, 1),
        "first_loss": round(sum(losses[:5]) / max(len(losses[:5]), 1), 4),
        "last_loss": round(sum(losses[-5:]) / max(len(losses[-5:]), 1), 4),
        "torch_threads": torch.get_num_threads(),
    }


def save_metrics(path: Path, metrics: dict[str, Any]) -> None:
    path.write_text(json.dumps(metrics, indent=2) + "\n")
