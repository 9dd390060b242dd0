"""Streaming text out of a transformers ``generate`` call, for the text and the vision backends alike."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from assistant.models.base import CancelToken, GenerationOptions, ModelError


def stream_generation(
    model: Any,
    tokenizer: Any,
    inputs: dict[str, Any],
    options: GenerationOptions,
    cancel: CancelToken,
    *,
    on_output: Callable[[Any], None] | None = None,
    on_failure: Callable[[], None] | None = None,
) -> Iterator[str]:
    """Run ``model.generate`` on ``inputs`` in a thread and yield the text as it comes; stop on ``cancel``.

    ``on_output`` gets what ``generate`` returned; ``on_failure`` runs when it raised (the error is then
    raised here as a :class:`ModelError`). Callers hold their model's lock around this.
    """
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    abandoned = threading.Event()  # the caller stopped reading: let generate() finish quickly

    class StopWhenCancelled(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            stop = cancel.cancelled or abandoned.is_set()
            return torch.full((input_ids.shape[0],), stop, dtype=torch.bool)

    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    sampling = options.temperature > 0
    generate_kwargs: dict[str, Any] = {
        **inputs,
        "max_new_tokens": options.max_new_tokens,
        "do_sample": sampling,
        "repetition_penalty": options.repetition_penalty,
        "streamer": streamer,
        "stopping_criteria": StoppingCriteriaList([StopWhenCancelled()]),
        "pad_token_id": tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
    }
    if sampling:
        generate_kwargs.update(temperature=options.temperature, top_p=options.top_p)
    else:
        generate_kwargs.update(temperature=None, top_p=None, top_k=None)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with torch.inference_mode():
                output = model.generate(**generate_kwargs)
            if on_output is not None:
                on_output(output)
        except BaseException as error:  # re-raised in the caller's thread below
            if on_failure is not None:
                on_failure()
            failure.append(error)
            streamer.end()

    worker = threading.Thread(target=run, name="mnemo-generate", daemon=True)
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
