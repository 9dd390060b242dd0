"""How OpenVINO applies the memory adapter, measured: each of its adapter modes against the model alone.

    python bench/adapter_modes.py                    # none, AUTO, STATIC, DYNAMIC, STATIC_RANK; one JSON object
    python bench/adapter_modes.py --modes none STATIC

Each mode runs in its own process (peak memory is per process): load, a ~1,400-token prompt read, 128 greedy
tokens decoded. The app registers the adapter as ``MODE_STATIC`` when every call applies the same adapters, and
``MODE_AUTO`` (switchable per call) when users' own adapters or the extraction adapter are loaded too
(:class:`assistant.models.openvino_backend.AdapterChoice`). Output keys per mode: load_s, prompt_tokens, ttft_s,
prefill_tok_s, decode_tok_s, peak_rss_mb; and the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import describe_machine  # noqa: E402 - bench/machine.py, beside this script

MODES = ("none", "AUTO", "STATIC", "DYNAMIC", "STATIC_RANK")
FACTS = " ".join(
    f"Fact {i}: my friend number {i} likes the colour {colour} and lives in town {i * 7}."
    for i, colour in zip(range(60), ["red", "blue", "green"] * 20, strict=True)
)
PROMPT = FACTS + "\nQuestion: which colour does friend 17 like, and where do they live? Answer fully."


def one_mode(mode: str) -> dict[str, object]:
    import openvino_genai

    from assistant.adapter import ADAPTER_FILE, SHIPPED_ADAPTER
    from assistant.models.model_cache import ModelSource
    from assistant.models.openvino_export import export_for_openvino, exported_group_size
    from assistant.settings import load_settings

    settings = load_settings()
    folder = export_for_openvino(ModelSource.from_settings("default", None), settings.cache_dir, "int4")
    properties = {"INFERENCE_NUM_THREADS": 2, "DYNAMIC_QUANTIZATION_GROUP_SIZE": exported_group_size(folder)}
    started = time.perf_counter()
    adapters = None
    if mode != "none":
        adapter = openvino_genai.Adapter(str(SHIPPED_ADAPTER / ADAPTER_FILE))
        chosen = getattr(openvino_genai.AdapterConfig.Mode, f"MODE_{mode}")
        adapters = openvino_genai.AdapterConfig(adapter, 1.0, chosen)
        pipeline = openvino_genai.LLMPipeline(str(folder), "CPU", adapters=adapters, **properties)
    else:
        pipeline = openvino_genai.LLMPipeline(str(folder), "CPU", **properties)
    load_s = time.perf_counter() - started

    def generate(prompt: str, tokens: int) -> tuple[float, list[float]]:
        config = openvino_genai.GenerationConfig(max_new_tokens=tokens, do_sample=False, ignore_eos=True)
        if adapters is not None:
            config.adapters = adapters
        times: list[float] = []

        def streamer(_: str) -> object:
            times.append(time.perf_counter())
            return openvino_genai.StreamingStatus.RUNNING

        begun = time.perf_counter()
        pipeline.generate(prompt, config, streamer)
        return begun, times

    generate("hello", 4)  # warm
    begun, times = generate(PROMPT, 128)
    prompt_tokens = int(pipeline.get_tokenizer().encode(PROMPT).input_ids.shape[1])
    ttft = times[0] - begun
    return {
        "load_s": round(load_s, 2),
        "prompt_tokens": prompt_tokens,
        "ttft_s": round(ttft, 3),
        "prefill_tok_s": round(prompt_tokens / ttft),
        "decode_tok_s": round((len(times) - 1) / (times[-1] - times[0]), 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_mode(args.one)))
        return
    runs = {}
    for mode in args.modes:
        done = subprocess.run([sys.executable, __file__, "--one", mode], capture_output=True, text=True, check=False)
        lines = done.stdout.strip().splitlines()
        runs[mode] = json.loads(lines[-1]) if done.returncode == 0 and lines else {"error": done.stderr[-400:]}
    print(json.dumps({"runs": runs, "machine": describe_machine()}, indent=2))


if __name__ == "__main__":
    main()
