"""The packaged models through OpenVINO GenAI: the default local runtime where it is installed (``make openvino``).

OpenVINO picks the CPU's kernels when it loads (AVX2, AVX-512, VNNI, AMX), reads prompts with int8 matrix
kernels and decodes int4 weights; measured against transformers int8 and llama.cpp in README, "Speed". Like
llama.cpp it keeps the key/value cache of the last prompt and its reply, and reads only what follows the part
a new prompt shares with them.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
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
from assistant.models.model_cache import ModelSource

_DONE = object()


class OpenVINOChatModel:
    """A model exported to OpenVINO's format, run on the CPU."""

    accepts_images = False
    continues_replies = True

    def __init__(self, pipeline: Any, name: str, context_window: int, adapters: AdapterChoice | None = None) -> None:
        self._pipeline = pipeline
        self._tokenizer = pipeline.get_tokenizer()
        self.name = name
        self.context_window = context_window
        self._adapters = adapters
        self._adapters_of = ""  # whose adapters the key/value cache was computed with
        self._cached_tokens: list[int] = []
        self.last_reused_tokens = 0
        """How many tokens of the last prompt were already in the key/value cache (the shared prefix)."""

    def close(self) -> None:
        self._pipeline = None

    def clear_cache(self) -> None:
        """Replace the key/value cache with a one-token prompt, so the next prompt is read in full."""
        import openvino_genai

        config = openvino_genai.GenerationConfig()
        config.max_new_tokens = 1
        config.apply_chat_template = False
        self._pipeline.generate("\n", config)
        self._cached_tokens = []

    def _token_ids(self, text: str) -> list[int]:
        encoded = self._tokenizer.encode(text, add_special_tokens=False)
        return [int(token) for token in encoded.input_ids.data[0]]

    def tokens_in(self, text: str) -> int:
        """How many tokens ``text`` is, on its own (no chat template)."""
        return len(self._token_ids(text))

    def _render(self, messages: Sequence[ChatMessage]) -> str:
        before, opening = reply_opening(messages)
        history = [{"role": message.role, "content": message.content} for message in before]
        return str(self._tokenizer.apply_chat_template(history, add_generation_prompt=True)) + opening

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return len(self._token_ids(self._render(messages)))

    def stream(self, messages: Sequence[ChatMessage], options: GenerationOptions, cancel: CancelToken) -> Iterator[str]:
        import openvino_genai

        prompt = self._render(messages)
        prompt_tokens = self._token_ids(prompt)
        if self._adapters is not None and self._adapters.key(options) != self._adapters_of:
            # another user's own adapter, or extraction's: the cached keys and values were computed with other weights
            if self._cached_tokens:
                self.clear_cache()
            self._adapters_of = self._adapters.key(options)
        config = openvino_genai.GenerationConfig()
        if self._adapters is not None:
            config.adapters = self._adapters.config_for(options)
        self.last_reused_tokens = common_prefix(self._cached_tokens, prompt_tokens)
        config.apply_chat_template = False  # rendered above, with the model's own template
        config.max_new_tokens = options.max_new_tokens
        config.repetition_penalty = options.repetition_penalty
        if options.temperature > 0:
            config.do_sample = True
            config.temperature = options.temperature
            config.top_p = options.top_p
        pieces: queue.Queue[object] = queue.Queue()
        stopped = threading.Event()

        def on_text(text: str) -> Any:
            pieces.put(text)
            halt = stopped.is_set() or cancel.cancelled
            return openvino_genai.StreamingStatus.STOP if halt else openvino_genai.StreamingStatus.RUNNING

        def generate() -> None:
            try:
                streamer = openvino_genai.TextStreamer(self._tokenizer, on_text)
                self._pipeline.generate(prompt, config, streamer)
            except Exception as error:  # OpenVINO raises RuntimeError and others; the reader reports it
                pieces.put(error)
            finally:
                pieces.put(_DONE)

        worker = threading.Thread(target=generate, name="openvino-generate", daemon=True)
        worker.start()
        reply: list[str] = []
        try:
            while (piece := pieces.get()) is not _DONE:
                if isinstance(piece, Exception):
                    raise ModelError(f"OpenVINO failed: {piece}") from piece
                if cancel.cancelled:
                    return
                assert isinstance(piece, str)
                if piece:
                    reply.append(piece)
                    yield piece
        finally:
            stopped.set()
            worker.join()
            self._cached_tokens = prompt_tokens + self._token_ids("".join(reply))


def load_openvino_model(
    source: ModelSource,
    cache_dir: Path,
    *,
    threads: int = 0,
    context_window: int = 4096,
    weights: str = "int4",
    adapter: Path | None = None,
    user_adapters: Mapping[str, Path] | None = None,
    extraction_adapter: Path | None = None,
    progress: ProgressCallback = ignore_progress,
) -> OpenVINOChatModel:
    """The model exported for OpenVINO, with ``adapter`` (a PEFT LoRA folder) applied beside its int4 weights in
    full precision (OpenVINO cannot fuse an adapter into int4 weights: MODE_FUSE fails on them). Each user's own
    adapter in ``user_adapters`` is stacked on it for that user's replies only (chosen per reply), and
    ``extraction_adapter`` replaces them all for memory extraction's calls."""
    try:
        import openvino_genai
    except ImportError as error:
        raise ModelError(
            "The openvino backend needs OpenVINO GenAI: run `make openvino` (prebuilt, about a minute), "
            'or use model.backend = "llamacpp" or "transformers".'
        ) from error
    from assistant.models.openvino_export import export_for_openvino, exported_group_size

    folder = export_for_openvino(source, cache_dir, weights, progress)
    progress(LoadProgress(f"loading {source.label} with OpenVINO"))
    properties: dict[str, int] = {"INFERENCE_NUM_THREADS": threads or os.cpu_count() or 2}
    if group_size := exported_group_size(folder):
        # Prompts are read with int8 activations quantized in groups; groups the size of the int4 weights' own
        # read a 1,000-token prompt in 1.25 s instead of 1.62 s (the default, 32); decoding is unchanged.
        properties["DYNAMIC_QUANTIZATION_GROUP_SIZE"] = group_size
    options: dict[str, Any] = dict(properties)
    label = source.label
    choice = None
    if adapter is not None or user_adapters or extraction_adapter is not None:
        choice = AdapterChoice(openvino_genai, adapter, user_adapters or {}, extraction_adapter)
        options["adapters"] = choice.every
    if adapter is not None:
        label = f"{source.label} + {adapter.name} adapter"
    try:
        pipeline = openvino_genai.LLMPipeline(str(folder), "CPU", **options)
    except RuntimeError as error:
        raise ModelError(
            f"OpenVINO could not load {folder}: {error}. Delete that folder to export the model again."
        ) from error
    return OpenVINOChatModel(pipeline, label, context_window, choice)


class AdapterChoice:
    """The adapters registered with the pipeline (OpenVINO needs them all at load) and, per call, the ones that
    apply: the memory adapter for everyone, and the user's own on top of it; for extraction, its own alone.

    When every call applies the same adapters (the memory adapter alone: no user has one of their own and the
    model does not extract), they are registered as constants of the model (``MODE_STATIC``), which OpenVINO
    optimises with the weights: on a 2-core Intel Xeon with AVX-512 a 1,400-token prompt was read at 421 tok/s instead
    of 144, decoding ran at 20.8 tok/s instead of 17.2 and the peak was 1.0 GB instead of 2.5 (the model alone:
    434 tok/s, 23.7 tok/s, 0.93 GB). Otherwise they stay switchable per call (``MODE_AUTO``)."""

    def __init__(
        self, openvino_genai: Any, memory: Path | None, users: Mapping[str, Path], extraction: Path | None = None
    ) -> None:
        self._genai = openvino_genai
        self._memory = None if memory is None else _adapter(openvino_genai, memory)
        self._users = {user: _adapter(openvino_genai, folder) for user, folder in users.items()}
        self._extraction = None if extraction is None else _adapter(openvino_genai, extraction)
        registered = [a for a in (self._memory, *self._users.values(), self._extraction) if a is not None]
        self.static = not self._users and self._extraction is None
        """Whether the same adapters apply to every call (fixed at load, the fastest way OpenVINO runs them)."""
        mode = self._genai.AdapterConfig.Mode
        self.every = self._config(registered, mode.MODE_STATIC if self.static else mode.MODE_AUTO)

    def _config(self, adapters: list[Any], mode: Any = None) -> Any:
        config = self._genai.AdapterConfig() if mode is None else self._genai.AdapterConfig(mode)
        for adapter in adapters:
            config.add(adapter, 1.0)
        return config

    def _extracting(self, options: GenerationOptions) -> bool:
        return options.purpose == "extraction" and self._extraction is not None

    def key(self, options: GenerationOptions) -> str:
        """Which weights a call runs with: calls with the same key share the key/value cache."""
        if self._extracting(options):
            return "extraction"
        return options.user if options.user in self._users else ""

    def config_for(self, options: GenerationOptions) -> Any:
        if self.static:
            return self.every
        if self._extracting(options):
            return self._config([self._extraction])
        own = self._users.get(options.user)
        return self._config([a for a in (self._memory, own) if a is not None])

    @property
    def users(self) -> list[str]:
        return sorted(self._users)


def _adapter(openvino_genai: Any, adapter: Path) -> Any:
    from assistant.adapter import ADAPTER_FILE

    weights = adapter / ADAPTER_FILE
    try:
        return openvino_genai.Adapter(str(weights))
    except RuntimeError as error:
        reason = " ".join(str(error).split())[-160:]  # OpenVINO's message spans lines; its end says why
        raise ModelError(
            f'the adapter {weights} could not be read ({reason}). Set model.adapter = "none" to run without it, '
            "or rebuild it with `make adapter`."
        ) from error


def openvino_kernels() -> str:
    """What OpenVINO's CPU plugin runs on here: the CPU and the precisions it offers."""
    try:
        import openvino
    except ImportError:
        return "not installed"
    core = openvino.Core()
    offered = core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    precisions = " + ".join(name for name in ("INT8", "BF16", "FP16") if name in offered) or "FP32"
    version = openvino.__version__.split("-")[0]
    return f"OpenVINO {version}, {precisions} on {core.get_property('CPU', 'FULL_DEVICE_NAME')}"
