"""A vision-language model from a Hugging Face folder the user has (LLaVA, SmolVLM, Qwen2-VL, …).

Photos reach it as images through the model's own processor instead of as the offline tool report.
No such model ships in a package, so this runs only when ``model.path`` names a folder whose config has
a ``vision_config``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.models.base import CancelToken, ChatMessage, GenerationOptions, ModelError


def is_vision_folder(folder: Path) -> bool:
    """Whether ``folder`` holds an image-text-to-text model (its config has a vision part)."""
    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and "vision_config" in config


def chat_content(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """Messages in the processor's format: text parts, and an image part for each attached photo."""
    conversation = []
    for message in messages:
        parts: list[dict[str, Any]] = [{"type": "image", "path": image} for image in message.images]
        parts.append({"type": "text", "text": message.content})
        conversation.append({"role": message.role, "content": parts})
    return conversation


class TransformersVisionChatModel:
    """Chats with images: the processor's chat template and image processor prepare every prompt."""

    accepts_images = True

    def __init__(self, name: str, model: Any, processor: Any, context_window: int) -> None:
        self.name = name
        self._model = model
        self._processor = processor
        self.context_window = context_window
        self._lock = threading.Lock()

    def _inputs(self, messages: Sequence[ChatMessage]) -> Any:
        return self._processor.apply_chat_template(
            chat_content(messages), add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
        )

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return int(self._inputs(messages)["input_ids"].shape[-1])

    def stream(self, messages: Sequence[ChatMessage], options: GenerationOptions, cancel: CancelToken) -> Iterator[str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        abandoned = threading.Event()

        class StopWhenCancelled(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                return torch.full((input_ids.shape[0],), cancel.cancelled or abandoned.is_set(), dtype=torch.bool)

        tokenizer = self._processor.tokenizer
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        sampling = options.temperature > 0
        generate_kwargs: dict[str, Any] = {
            **self._inputs(messages),
            "max_new_tokens": options.max_new_tokens,
            "do_sample": sampling,
            "repetition_penalty": options.repetition_penalty,
            "streamer": streamer,
            "stopping_criteria": StoppingCriteriaList([StopWhenCancelled()]),
            "pad_token_id": tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
        }
        if sampling:
            generate_kwargs.update(temperature=options.temperature, top_p=options.top_p)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    self._model.generate(**generate_kwargs)
            except BaseException as error:  # re-raised in the caller's thread below
                failure.append(error)
                streamer.end()

        with self._lock:
            worker = threading.Thread(target=run, name="mnemo-generate-vision", daemon=True)
            worker.start()
            try:
                for piece in streamer:
                    if piece:
                        yield piece
            finally:
                abandoned.set()
                worker.join()
        if failure:
            raise ModelError(f"generation failed: {type(failure[0]).__name__}: {failure[0]}") from failure[0]


def load_vision_model(folder: Path, label: str, context_window: int) -> TransformersVisionChatModel:
    """Load the processor and the model (fp32, CPU) from ``folder``."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    try:
        processor = AutoProcessor.from_pretrained(folder)
        model = AutoModelForImageTextToText.from_pretrained(folder, dtype=torch.float32).eval()
    except Exception as error:
        raise ModelError(f"could not load the vision model {label} from {folder}: {error}") from error
    text_config = getattr(model.config, "text_config", model.config)
    limit = getattr(text_config, "max_position_embeddings", None) or context_window
    return TransformersVisionChatModel(label, model, processor, min(context_window, limit))
