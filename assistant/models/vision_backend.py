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
        from assistant.models.generation import stream_generation

        with self._lock:
            yield from stream_generation(
                self._model, self._processor.tokenizer, dict(self._inputs(messages)), options, cancel
            )


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
