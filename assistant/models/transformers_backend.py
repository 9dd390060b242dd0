"""A local model run by Hugging Face transformers on the CPU."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.models.base import (
    CancelToken,
    ChatMessage,
    GenerationOptions,
    LoadProgress,
    ModelError,
    ProgressCallback,
    common_prefix,
    ignore_progress,
    reply_opening,
)
from assistant.models.generation import stream_generation
from assistant.models.model_cache import ModelSource, prepare_model_dir, quiet_transformers
from assistant.models.quantization import load_int8_model
from assistant.models.vision_backend import TransformersVisionChatModel, is_vision_folder, load_vision_model


class TransformersChatModel:
    """A causal LM from a Hugging Face folder, with the tokenizer's own chat template."""

    accepts_images = False
    continues_replies = True

    def __init__(self, name: str, model: Any, tokenizer: Any, context_window: int) -> None:
        self.name = name
        self._model = model
        self._tokenizer = tokenizer
        self.context_window = context_window
        self._lock = threading.Lock()  # one generation at a time per loaded model
        self.prefix_cache = PrefixCache()
        self.last_reused_tokens = 0

    def _encode(self, messages: Sequence[ChatMessage]) -> list[int]:
        before, opening = reply_opening(messages)
        encoded = self._tokenizer.apply_chat_template(
            [{"role": message.role, "content": message.content} for message in before],
            add_generation_prompt=True,
            tokenize=True,
        )
        if hasattr(encoded, "keys"):  # BatchEncoding in newer transformers
            encoded = encoded["input_ids"]
        return [*encoded, *(self._tokenizer.encode(opening, add_special_tokens=False) if opening else [])]

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return len(self._encode(messages))

    def stream(self, messages: Sequence[ChatMessage], options: GenerationOptions, cancel: CancelToken) -> Iterator[str]:
        import torch

        token_ids = self._encode(messages)
        input_ids = torch.tensor([token_ids])
        inputs = {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids), "return_dict_in_generate": True}
        with self._lock:
            cache, self.last_reused_tokens = self.prefix_cache.take(token_ids, self._model.config)
            yield from stream_generation(
                self._model,
                self._tokenizer,
                {**inputs, "cache": cache},
                options,
                cancel,
                on_output=lambda output: self.prefix_cache.remember(output.sequences[0].tolist()),
                on_failure=self.prefix_cache.clear,
            )


class PrefixCache:
    """The key/value cache of the previous prompt and reply, reused when the next prompt starts the same way.

    A chat grows by appending turns, so the next prompt usually repeats the last one: only the new tokens
    need a forward pass, which turns seconds of prompt processing into a fraction of a second.
    """

    MIN_REUSE = 8

    def __init__(self) -> None:
        self._cache: Any = None
        self._token_ids: list[int] = []

    def take(self, token_ids: list[int], config: Any) -> tuple[Any, int]:
        """A cache for ``token_ids`` (the shared prefix already filled in) and how many tokens it covers."""
        from transformers import DynamicCache

        common = min(common_prefix(self._token_ids, token_ids), max(len(token_ids) - 1, 0))  # one left to compute
        if self._cache is None or common < self.MIN_REUSE:
            self._cache, common = DynamicCache(config=config), 0
        elif (surplus := self._cache.get_seq_length() - common) > 0:
            self._cache.crop(-surplus)
        self._token_ids = []  # unknown until the generation that fills the cache ends
        return self._cache, common

    def remember(self, sequence: list[int]) -> None:
        """Record which tokens the cache now holds: the prompt and all but the last generated token."""
        if self._cache is not None:
            self._token_ids = sequence[: self._cache.get_seq_length()]

    def clear(self) -> None:
        self._cache, self._token_ids = None, []


def load_transformers_model(
    source: ModelSource,
    cache_dir: Path,
    *,
    threads: int = 0,
    quantize: str = "none",
    context_window: int = 4096,
    progress: ProgressCallback = ignore_progress,
) -> TransformersChatModel | TransformersVisionChatModel:
    """Prepare (first start only) and load a model; report each stage through ``progress``.

    A folder holding a vision-language model loads with its processor, and then accepts images."""
    quiet_transformers()
    folder = prepare_model_dir(source, cache_dir, progress)
    if is_vision_folder(folder):
        progress(LoadProgress(f"loading {source.label} (vision)", 0, 1))
        return load_vision_model(folder, source.label, context_window)
    quantized = quantize == "int8"
    stage = f"loading {source.label}" + (" (int8)" if quantized else "")
    progress(LoadProgress(stage, 0, 2))
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if threads:
        torch.set_num_threads(threads)

    def load_fp32() -> Any:
        return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        progress(LoadProgress(stage, 1, 2))
        model = load_int8_model(folder, cache_dir, load_fp32, progress) if quantized else load_fp32()
    except Exception as error:
        raise ModelError(f"could not load {source.label} from {folder}: {error}") from error
    progress(LoadProgress(stage, 2, 2))
    model_limit = getattr(model.config, "max_position_embeddings", None) or context_window
    return TransformersChatModel(source.label, model, tokenizer, min(context_window, model_limit))
