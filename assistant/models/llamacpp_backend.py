"""The packaged GGUF models through llama-cpp-python: the faster local option (an optional extra, built once
per machine by ``make llamacpp``; see README)."""

from __future__ import annotations

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
from assistant.models.model_cache import ModelSource

PROMPT_BATCH = 512  # tokens read per step when reading a prompt (measured in README, "Speed")
MESSAGE_FRAME_TOKENS = 5  # <|im_start|>role\n … <|im_end|>\n, roughly, for the chat templates we ship


class LlamaCppChatModel:
    """A GGUF model run by llama.cpp on the CPU."""

    accepts_images = False
    continues_replies = True

    def __init__(self, llama: Any, name: str, context_window: int) -> None:
        self._llama = llama
        self.name = name
        self.context_window = context_window
        self.last_reused_tokens = 0
        """How many tokens of the last prompt came from the key/value cache of the one before."""

    def close(self) -> None:
        self._llama.close()

    def clear_cache(self) -> None:
        """Forget the key/value cache of the last prompt (llama.cpp reuses a shared prefix on its own)."""
        self._llama.reset()

    def tokens_in(self, text: str) -> int:
        """How many tokens ``text`` is, on its own (no chat template)."""
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        tokenize = self._llama.tokenize
        return (
            sum(
                len(tokenize(message.content.encode("utf-8"), add_bos=False, special=False)) + MESSAGE_FRAME_TOKENS
                for message in messages
            )
            + 2
        )

    def stream(self, messages: Sequence[ChatMessage], options: GenerationOptions, cancel: CancelToken) -> Iterator[str]:
        before: list[int] | None = list(self._llama.input_ids)
        earlier, opening = reply_opening(messages)
        try:
            if opening:  # the app wrote the reply's first words: go on from them, after the model's own template
                prompt, stop = self._render(earlier)
                chunks = self._llama.create_completion(
                    prompt=prompt + opening, stop=stop, stream=True, **self._sampling(options)
                )
            else:
                chunks = self._llama.create_chat_completion(
                    messages=_as_dicts(messages),
                    stream=True,
                    **self._sampling(options),
                )
            for chunk in chunks:
                if cancel.cancelled:
                    chunks.close()  # stops llama.cpp generating
                    return
                choice = chunk["choices"][0]
                piece = choice.get("text") if opening else choice["delta"].get("content")
                if piece:
                    if before is not None:  # the prompt is read now: how much of it was there already
                        self.last_reused_tokens, before = common_prefix(before, self._llama.input_ids), None
                    yield piece
        except (RuntimeError, ValueError) as error:
            raise ModelError(f"llama.cpp failed: {error}") from error

    @staticmethod
    def _sampling(options: GenerationOptions) -> dict[str, Any]:
        return {
            "max_tokens": options.max_new_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
            "repeat_penalty": options.repetition_penalty,
        }

    def _render(self, messages: Sequence[ChatMessage]) -> tuple[str, list[str]]:
        """The prompt for ``messages`` up to the reply, by the GGUF's own chat template, and its stop strings."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = self._llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError("llama.cpp cannot go on from the reply's first words: the model has no chat template")

        def text_of(token: int) -> str:
            return self._llama.detokenize([token], special=True).decode("utf-8", errors="ignore")

        formatter = Jinja2ChatFormatter(template, text_of(self._llama.token_eos()), text_of(self._llama.token_bos()))
        rendered = formatter(messages=_as_dicts(messages))
        stop = rendered.stop if isinstance(rendered.stop, list) else [rendered.stop] if rendered.stop else []
        return rendered.prompt, stop


def _as_dicts(messages: Sequence[ChatMessage]) -> list[Any]:
    """Messages as llama-cpp-python takes them."""
    return [{"role": message.role, "content": message.content} for message in messages]


def gguf_for(source: ModelSource, cache_dir: Path, progress: ProgressCallback) -> Path:
    """The GGUF file of a packaged profile (assembled from its parts and hash-checked once) or the user's."""
    if source.packaged is not None:
        from assistant.models.packaged import assemble_gguf

        return assemble_gguf(source.packaged, cache_dir, progress)
    assert source.path is not None
    if source.path.suffix.lower() != ".gguf":
        raise ModelError(f"The llamacpp backend needs a .gguf file; {source.path} is not one.")
    return source.path


def load_llamacpp_model(
    source: ModelSource,
    cache_dir: Path,
    *,
    threads: int = 0,
    context_window: int = 4096,
    progress: ProgressCallback = ignore_progress,
) -> LlamaCppChatModel:
    try:
        from llama_cpp import Llama
    except ImportError as error:
        raise ModelError(
            "The llamacpp backend needs llama-cpp-python, an optional extra: run `make llamacpp` "
            '(builds it once for this CPU, about 10 minutes), or use model.backend = "transformers".'
        ) from error
    import os

    path = gguf_for(source, cache_dir, progress)
    progress(LoadProgress(f"loading {source.label} with llama.cpp"))
    try:
        cores = threads or os.cpu_count() or 2
        # llama-cpp-python decodes on half the cores unless told; every core is faster on 2-core machines.
        llama = Llama(
            model_path=str(path),
            n_ctx=context_window,
            n_threads=cores,
            n_threads_batch=cores,
            n_batch=PROMPT_BATCH,
            n_ubatch=PROMPT_BATCH,
            flash_attn=True,  # reads prompts ~20% faster on CPU (README, "Speed")
            verbose=False,
        )
    except (ValueError, RuntimeError) as error:
        raise ModelError(f"llama.cpp could not load {path}: {error}") from error
    window = min(context_window, int(llama.n_ctx()))
    return LlamaCppChatModel(llama, source.label, window)
