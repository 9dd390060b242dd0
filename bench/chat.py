"""Chat speed benchmark: load time from cache, time to first token, decode speed, peak memory.

    python bench/chat.py --profile default            # one JSON object on stdout
    python bench/chat.py --profile tiny --smoke       # quick run for CI
    python bench/chat.py --profile default --backend llamacpp   # the same model through llama-cpp-python
    python bench/chat.py --profile default --backend openvino   # through OpenVINO GenAI (int4 export)
    python bench/chat.py --conversation                # an 8-turn chat with memory, per-turn first token
    python bench/chat.py --compare [--conversation]    # every available backend, one process each, with ratios

Output keys: profile, backend, load_s, ttft_s (for a ~1,000-token prompt), prefill_tok_s, decode_tok_s,
peak_rss_mb, and the settings and machine they were measured with. Model preparation (first run only) is not
timed. ``--compare`` adds each backend's ratios to transformers int8 (above 1 is better).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script

from assistant.models import CancelToken, ChatMessage, GenerationOptions  # noqa: E402
from assistant.models.model_cache import ModelSource  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

FILLER = (
    "The harbour town wakes slowly. Fishing boats return with the tide, gulls argue over the nets, and the "
    "baker on the corner sets out bread that is still warm. Children run along the sea wall on their way to "
    "school while the old lighthouse keeper counts the ships he can see from his window. "
)


def long_prompt(model, target_tokens: int) -> list[ChatMessage]:
    """A chat whose prompt is about ``target_tokens`` long (a user message quoting a long text)."""
    system = ChatMessage("system", "You are a helpful assistant. Answer in plain prose.")
    text = ""
    while True:
        candidate = text + FILLER
        messages = [system, ChatMessage("user", f"Here are my notes:\n{candidate}\nSummarise them in detail.")]
        if model.count_tokens(messages) > target_tokens:
            break
        text = candidate
    return [system, ChatMessage("user", f"Here are my notes:\n{text}\nSummarise them in detail.")]


def timed_reply(model, messages: list[ChatMessage], new_tokens: int) -> tuple[float, float, int, str]:
    """(time to first piece, total time, completion tokens, text) for one greedy reply."""
    options = GenerationOptions(max_new_tokens=new_tokens, temperature=0.0, repetition_penalty=1.0)
    started = time.perf_counter()
    first = None
    pieces = []
    for piece in model.stream(messages, options, CancelToken()):
        if first is None:
            first = time.perf_counter() - started
        pieces.append(piece)
    total = time.perf_counter() - started
    text = "".join(pieces)
    if hasattr(model, "tokens_in"):  # llama.cpp, OpenVINO
        tokens = model.tokens_in(text)
    else:
        tokens = len(model._tokenizer(text, add_special_tokens=False)["input_ids"])
    return first or total, total, tokens, text


def load_transformers(source: ModelSource, cache_dir: Path, threads: int, quantize: str, profile: str):
    # First run only, in a child process so its time and memory peak are not measured here.
    subprocess.run(
        [sys.executable, "-m", "tui.main", "prepare", "--profile", profile],
        env={
            **os.environ,
            "MNEMO_MODEL__BACKEND": "transformers",
            "MNEMO_MODEL__QUANTIZE": quantize,
            "PYTHONPATH": str(ROOT),
        },
        check=True,
    )
    import torch  # import cost is not load cost
    import transformers  # noqa: F401

    from assistant.models.transformers_backend import load_transformers_model

    started = time.perf_counter()
    model = load_transformers_model(source, cache_dir, threads=threads, quantize=quantize)
    return model, time.perf_counter() - started, torch.get_num_threads()


def clear_prefix_cache(model) -> None:
    cache = getattr(model, "prefix_cache", None)
    if cache is not None:
        cache.clear()
    else:
        model.clear_cache()


BACKENDS = ("transformers", "openvino", "llamacpp")


def available_backends() -> list[str]:
    from assistant.models.runtime import llamacpp_installed, openvino_installed

    installed = {"transformers": True, "openvino": openvino_installed(), "llamacpp": llamacpp_installed()}
    return [name for name in BACKENDS if installed[name]]


def compare(args: argparse.Namespace) -> dict:
    """Each available backend in its own process (clean memory peaks), then each one's ratios to transformers."""
    runs = {}
    for backend in available_backends():
        command = [sys.executable, __file__, "--backend", backend, "--profile", args.profile]
        command += ["--prompt-tokens", str(args.prompt_tokens), "--new-tokens", str(args.new_tokens)]
        command += ["--conversation"] * args.conversation + ["--smoke"] * args.smoke
        if args.threads is not None:
            command += ["--threads", str(args.threads)]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            runs[backend] = {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        runs[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    base = runs.get("transformers", {})
    higher_is_better = ["decode_tok_s", "prefill_tok_s", "median_decode_tok_s"]
    lower_is_better = ["ttft_s", "load_s", "peak_rss_mb", "median_first_token_after_first_s"]
    for backend, run in runs.items():
        if backend == "transformers" or "error" in run or "error" in base:
            continue
        ratios = {key: round(run[key] / base[key], 2) for key in higher_is_better if run.get(key) and base.get(key)}
        ratios |= {key: round(base[key] / run[key], 2) for key in lower_is_better if run.get(key) and base.get(key)}
        run["ratios_to_transformers"] = ratios
    return {"mode": "compare", "profile": args.profile, "runs": runs, "machine": describe_machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="default", choices=["default", "tiny", "large"])
    parser.add_argument(
        "--backend", default=None, choices=BACKENDS, help="default: what the app runs ('auto' resolved)"
    )
    parser.add_argument("--threads", type=int, default=None, help="default: the 'model.threads' setting")
    parser.add_argument("--quantize", choices=["none", "int8"], default=None, help="default: the setting")
    parser.add_argument("--prompt-tokens", type=int, default=1000)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--conversation", action="store_true", help="an 8-turn chat with memory, as the app runs it")
    parser.add_argument("--compare", action="store_true", help="every available backend, each in its own process")
    parser.add_argument("--smoke", action="store_true", help="a short run (CI): 200-token prompt, 16 tokens")
    args = parser.parse_args()
    if args.smoke:
        args.prompt_tokens, args.new_tokens = 200, 16
    if args.compare:
        print(json.dumps(compare(args)))
        return
    if args.backend is None:
        from assistant.models.runtime import choose_runtime

        chosen = choose_runtime(load_settings().model).backend  # what the app would run ("auto" resolved)
        args.backend = chosen if chosen in BACKENDS else "transformers"
    if args.conversation:
        from chat_conversation import run_conversation

        result = run_conversation(args.backend, args.profile, args.threads, 64 if args.smoke else args.new_tokens)
        result |= {"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
        print(json.dumps(result | {"machine": describe_machine(), "smoke": args.smoke}))
        return

    settings = load_settings()
    threads = settings.model.threads if args.threads is None else args.threads
    quantize = settings.model.quantize if args.quantize is None else args.quantize
    source = ModelSource.from_settings(args.profile, None)
    if args.backend == "llamacpp":
        from assistant.models.llamacpp_backend import gguf_for, load_llamacpp_model

        gguf_for(source, settings.cache_dir, lambda _: None)  # assembled and hash-checked once, not timed
        started = time.perf_counter()
        model = load_llamacpp_model(source, settings.cache_dir, threads=threads, context_window=4096)
        load_s = time.perf_counter() - started
        threads_used = threads or os.cpu_count()
    elif args.backend == "openvino":
        from assistant.adapter import adapter_for
        from assistant.models.openvino_backend import load_openvino_model
        from assistant.models.openvino_export import export_for_openvino

        weights = settings.model.openvino_weights
        export_for_openvino(source, settings.cache_dir, weights)  # exported once, not timed
        started = time.perf_counter()
        adapter = adapter_for(settings.model.adapter, args.profile, None)
        model = load_openvino_model(
            source, settings.cache_dir, threads=threads, context_window=4096, weights=weights, adapter=adapter
        )
        load_s = time.perf_counter() - started
        threads_used = threads or os.cpu_count()
    else:
        model, load_s, threads_used = load_transformers(source, settings.cache_dir, threads, quantize, args.profile)

    warmup = [ChatMessage("user", "Say hello.")]
    timed_reply(model, warmup, 4)
    prompt = long_prompt(model, args.prompt_tokens)
    clear_prefix_cache(model)  # a cold prompt: nothing reused from the warm-up
    ttft_s, total_s, tokens, reply = timed_reply(model, prompt, args.new_tokens)
    # The next turn of the same chat: the previous prompt and reply are reused from the key/value cache.
    follow_up = [*prompt, ChatMessage("assistant", reply), ChatMessage("user", "Thanks. And in one sentence?")]
    followup_ttft_s, _, _, _ = timed_reply(model, follow_up, 4)
    reused_tokens = getattr(model, "last_reused_tokens", None)  # llama.cpp reuses its cache silently
    decode_tok_s = (tokens - 1) / (total_s - ttft_s) if tokens > 1 and total_s > ttft_s else None
    clear_prefix_cache(model)
    short_ttft_s, _, _, _ = timed_reply(model, warmup, 8)

    weights_label = settings.model.openvino_weights
    result = {
        "profile": args.profile,
        "backend": args.backend,
        "model": model.name,
        "load_s": round(load_s, 2),
        "ttft_s": round(ttft_s, 3),
        "short_prompt_ttft_s": round(short_ttft_s, 3),
        "followup_ttft_s": round(followup_ttft_s, 3),
        "followup_prompt_tokens": model.count_tokens(follow_up),
        "followup_reused_tokens": reused_tokens,
        "prompt_tokens": model.count_tokens(prompt),
        "prefill_tok_s": round(model.count_tokens(prompt) / ttft_s, 1),
        "decode_tok_s": None if decode_tok_s is None else round(decode_tok_s, 2),
        "completion_tokens": tokens,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "quantize": {"transformers": quantize, "openvino": f"{weights_label} export"}.get(
            args.backend, "gguf as packaged"
        ),
        "threads": threads_used,
        "machine": describe_machine(),
        "smoke": args.smoke,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
