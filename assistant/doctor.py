"""``mnemo doctor``: what is installed, verified, cached and how fast it loads; where data lives."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant import __version__
from assistant.models.base import ModelError
from assistant.models.model_cache import ModelSource, cached_model_dir
from assistant.models.openvino_export import exported_model
from assistant.models.packaged import (
    PACKAGED_MODELS,
    PackagedModel,
    assembled_path,
    describe_packages,
    sha256_of_file,
)
from assistant.models.quantization import quantized_cache_path
from assistant.models.runtime import choose_runtime, llamacpp_kernels
from assistant.settings import Settings, config_files, default_user_config_file

LOCAL_BACKENDS = ("auto", "openvino", "llamacpp", "transformers")


@dataclass
class ModelReport:
    profile: str
    name: str
    installed: bool
    missing_packages: list[str]
    assembled: bool
    hash_verified: bool | None
    cached: bool
    int8_cached: bool
    openvino_exported: bool
    load_s: float | None
    active: bool
    problem: str | None
    fix: str | None


def check_model(model: PackagedModel, settings: Settings, *, time_load: bool) -> ModelReport:
    missing = model.missing_distributions()
    report = ModelReport(
        profile=model.profile,
        name=model.display_name,
        installed=not missing,
        missing_packages=missing,
        assembled=False,
        hash_verified=None,
        cached=False,
        int8_cached=False,
        openvino_exported=False,
        load_s=None,
        active=settings.model.backend in LOCAL_BACKENDS
        and settings.model.path is None
        and settings.model.profile == model.profile,
        problem=None,
        fix=None,
    )
    if missing:
        report.problem = f"not installed: {describe_packages(missing)}"
        report.fix = model.install_command
        return report
    gguf = assembled_path(model, settings.cache_dir) if len(model.parts) > 1 else model.parts[0].locate()
    report.assembled = gguf is not None and gguf.exists()
    if report.assembled and gguf is not None:
        report.hash_verified = sha256_of_file(gguf) == model.sha256
        if not report.hash_verified:
            report.problem = "the model file does not match its sha256"
            report.fix = f"rm {gguf}; {model.reinstall_command}"
    folder = cached_model_dir(ModelSource.from_settings(model.profile, None), settings.cache_dir)
    report.cached = folder is not None
    report.int8_cached = folder is not None and quantized_cache_path(folder, settings.cache_dir).exists()
    source = ModelSource.from_settings(model.profile, None)
    exported = exported_model(source, settings.cache_dir, settings.model.openvino_weights)
    report.openvino_exported = exported is not None
    backend = choose_runtime(settings.model).backend
    if backend not in LOCAL_BACKENDS:
        backend = "transformers"
    # llama.cpp reads the GGUF as it is; OpenVINO needs its export, transformers its converted folder
    ready = {"llamacpp": report.assembled, "openvino": report.openvino_exported}.get(backend, report.cached)
    if not ready and report.problem is None:
        report.fix = f"mnemo prepare --profile {model.profile}  (or just start mnemo; the first start does it)"
    if ready and time_load and report.problem is None:
        report.load_s = _time_load(settings, model.profile, backend)
    return report


def _time_load(settings: Settings, profile: str, backend: str) -> float | None:
    """Seconds to load the packaged ``profile`` on the local ``backend`` (openvino, llamacpp or transformers)."""
    from assistant.models import load_chat_model

    local = settings.model.model_copy(update={"profile": profile, "path": None, "backend": backend})
    started = time.perf_counter()
    try:
        model = load_chat_model(local, settings.cache_dir)
    except ModelError:
        return None
    elapsed = round(time.perf_counter() - started, 2)
    close = getattr(model, "close", None)
    if close is not None:
        close()
    return elapsed


def collect_report(settings: Settings, *, time_loads: bool) -> dict[str, object]:
    models = [check_model(model, settings, time_load=time_loads) for model in PACKAGED_MODELS.values()]
    token = "token set (hidden)" if settings.memory.chroma_token else "no token"
    chroma = (
        f"server at {settings.memory.chroma_url} ({token})"
        if settings.memory.chroma_url
        else f"embedded on disk at {settings.data_dir / 'chroma'}"
    )
    user_file = default_user_config_file()
    return {
        "version": __version__,
        "data_dir": str(settings.data_dir),
        "cache_dir": str(settings.cache_dir),
        "config_files": [str(path) for path in config_files()],
        "user_config_file": f"{user_file} ({'found' if user_file.exists() else 'not created'})",
        "chroma": chroma,
        "active_model": _active_model(settings),
        "embedder": _embedder_state(settings),
        "adapter": _adapter_state(settings),
        "user_adapters": _user_adapters_state(settings),
        "extraction": _extraction_state(settings),
        "openvino": _openvino_state(),
        "llamacpp": _llamacpp_state(),
        "models": [asdict(report) for report in models],
        "media": media_report(settings),
        "server": server_report(settings) if settings.model.backend == "openai" else None,
    }


def server_report(settings: Settings) -> dict[str, object]:
    """The OpenAI-compatible server: reachable, the models it offers; the API key only as "set"."""
    from assistant.models.openai_backend import OpenAIChatModel

    model = settings.model
    report: dict[str, object] = {
        "url": model.base_url,
        "model": model.server_model or "(the first the server lists)",
        "api_key": "set (hidden)" if model.api_key else "not set",
        "images": "sent as images" if model.server_accepts_images else "described as text",
    }
    client = OpenAIChatModel.from_settings(model, timeout_s=min(model.timeout_s, 10.0), retries=0)
    try:
        offered = client.available_models()
        report["offers"] = offered
        client.check(offered)
        report["problem"] = None
    except ModelError as error:
        report["problem"] = str(error)
    finally:
        client.close()
    return report


def media_report(settings: Settings) -> dict[str, str]:
    """What photos and voice notes need: ffmpeg, the Whisper and EfficientNet weights, the OCR models."""
    from importlib.util import find_spec

    from modalities.audio import find_ffmpeg
    from modalities.efficientnet import weights_path
    from modalities.errors import MediaError
    from modalities.speech import missing_distributions

    report: dict[str, str] = {}
    try:
        report["ffmpeg"] = str(find_ffmpeg().ffmpeg)
    except MediaError as error:
        report["ffmpeg"] = f"missing: {error}"
    for name in ("base", "tiny.en"):
        missing = missing_distributions(name)
        active = " (active)" if settings.speech.model == name else ""
        report[f"whisper {name}"] = (f"missing {', '.join(missing)}" if missing else "installed") + active
    for variant in ("lite0", "lite2"):
        try:
            weights_path(variant)
            state = "installed"
        except MediaError as error:
            state = f"missing: {error}"
        report[f"efficientnet {variant}"] = state + (" (active)" if settings.vision.classifier == variant else "")
    report["ocr"] = "installed" if find_spec("rapidocr_onnxruntime") else "missing rapidocr-onnxruntime"
    return report


def _embedder_state(settings: Settings) -> str:
    """The memory embedder in use, whether its weights are installed and unpacked, and the index's state."""
    from memory.migration import indexed_embedder
    from memory.system import embedder_key

    key = embedder_key(settings.memory.embedder)
    indexed = indexed_embedder(settings.data_dir)
    index = (
        "index not made yet"
        if indexed is None
        else "index complete"
        if indexed == key
        else f"index still {indexed}: re-indexed in the background on the next start, or by 'mnemo memory reindex'"
    )
    if settings.memory.embedder == "minilm":
        return f"all-MiniLM-L6-v2, 384-d; {index}"
    from memory.nomic_embedder import SIZE_BYTES, cached_gguf, install_hint, installed
    from memory.nomic_runtime import openvino_available

    if not installed():
        return f"missing: {install_hint()}"
    unpacked = cached_gguf(settings.cache_dir)
    ready = unpacked.exists() and unpacked.stat().st_size == SIZE_BYTES
    state = "unpacked, sha256 verified" if ready else "installed (unpacked on first use, ~3 s)"
    runtime = "OpenVINO" if openvino_available() else "torch"
    return f"nomic-embed-text-v1.5, {key.removeprefix('nomic')}-d on {runtime}; {state}; {index}"


def _openvino_state() -> str:
    from assistant.models.openvino_backend import openvino_kernels
    from assistant.models.openvino_export import exporter_path

    kernels = openvino_kernels()
    if kernels == "not installed":
        return "not installed (`make openvino`: prebuilt, about a minute; llama.cpp or transformers runs meanwhile)"
    if exporter_path() is None:
        return f"{kernels}; its exporter is not installed (`make openvino`)"
    from assistant.models.cpu_features import cpu_flags
    from assistant.models.cpu_features import kernels as offered

    return f"{kernels}; its kernels for this CPU ({offered(cpu_flags())}) are picked when a model loads"


def _llamacpp_state() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from assistant.models.cpu_features import cpu_flags, kernels

    offered = kernels(cpu_flags())
    try:
        installed = f"llama-cpp-python {version('llama-cpp-python')}"
    except PackageNotFoundError:
        return f"not installed (`make llamacpp` builds it for this CPU: {offered}; transformers runs meanwhile)"
    built = llamacpp_kernels()
    state = f"{installed}, CPU kernels {built} (this CPU offers {offered})"
    if "AVX-512" in offered and "AVX512" not in built:
        state += "; built for a narrower CPU: `make llamacpp` rebuilds it for this one"
    return state


def _active_model(settings: Settings) -> str:
    model = settings.model
    if model.backend == "fake":
        return "fake (scripted test model)"
    if model.backend == "openai":
        return f"OpenAI-compatible server at {model.base_url} (model: {model.server_model or 'the first listed'})"
    if model.path is not None:
        return f"your model at {model.path}"
    choice = choose_runtime(model)
    engine = {"llamacpp": "llama.cpp", "openvino": f"OpenVINO, {model.openvino_weights}"}.get(
        choice.backend, f"transformers, quantize={model.quantize}"
    )
    return f"profile {model.profile} ({PACKAGED_MODELS[model.profile].display_name}), {engine} ({choice.reason})"


def _adapter_state(settings: Settings) -> str:
    """Which LoRA adapter the model runs with, and why none when none does."""
    from assistant.adapter import ADAPTER_FILE, SHIPPED_ADAPTER, adapter_for

    model = settings.model
    if model.adapter.strip().lower() in ("", "none"):
        return 'none (model.adapter = "none")'
    if model.backend in ("fake", "openai") or choose_runtime(model).backend != "openvino":
        return "not applied: adapters run on the OpenVINO backend only"
    folder = adapter_for(model.adapter, model.profile, model.path)
    if folder is None:
        return "not applied: the shipped memory adapter fits the packaged default model only"
    if not (folder / ADAPTER_FILE).is_file():
        return f"missing: {folder} has no {ADAPTER_FILE}"
    name = "memory (shipped, `make adapter` rebuilds it)" if folder == SHIPPED_ADAPTER else str(folder)
    from assistant.adapter import extraction_adapter_for
    from assistant.factory import loaded_model_settings, own_adapters

    extraction = extraction_adapter_for(loaded_model_settings(settings).extraction_adapter, model.profile, model.path)
    if own_adapters(settings) or extraction is not None:  # as AdapterChoice.static decides
        return f"{name}, applied on OpenVINO, switched per reply (users' own adapters or extraction's)"
    return f"{name}, applied on OpenVINO, fixed in the model at load (its fastest)"


def _extraction_state(settings: Settings) -> str:
    """How memories are extracted: the rules alone, or the model too, and with which adapter."""
    from assistant.adapter import ADAPTER_FILE, SHIPPED_EXTRACTION_ADAPTER, extraction_adapter_for

    model = settings.model
    if settings.memory.extractor == "rules":
        return 'rules (memory.extractor = "rules")'
    if model.backend in ("fake", "openai") or choose_runtime(model).backend != "openvino":
        return "rules and the model, bare (the extraction adapter runs on the OpenVINO backend only)"
    folder = extraction_adapter_for(model.extraction_adapter, model.profile, model.path)
    if folder is None:
        return "rules and the model, bare (no extraction adapter for this model)"
    if not (folder / ADAPTER_FILE).is_file():
        return f"rules and the model; adapter missing: {folder} has no {ADAPTER_FILE}"
    name = "shipped, `make extraction-adapter` rebuilds it" if folder == SHIPPED_EXTRACTION_ADAPTER else str(folder)
    return f"rules and the model with the extraction adapter ({name})"


def _user_adapters_state(settings: Settings) -> str:
    """Whose own adapter (mnemo adapt) applies, and whose no longer fits the model."""
    from assistant.adapter import PARTIAL, USER_ADAPTERS
    from assistant.factory import own_adapters

    folders = (settings.data_dir / USER_ADAPTERS).glob("*")
    trained = sorted(p.name for p in folders if p.is_dir() and p.suffix != PARTIAL)
    if not trained:
        return "none yet (rate replies with F8/F9, then `mnemo adapt`)"
    if not settings.model.user_adapters:
        return f"off (model.user_adapters = false): {', '.join(trained)}"
    fitting = own_adapters(settings)
    stale = [name for name in trained if name not in fitting]
    said = f"{', '.join(fitting) or 'nobody'} (stacked on the memory adapter on OpenVINO)"
    return f"{said}; trained for another model, run `mnemo adapt` again: {', '.join(stale)}" if stale else said


def _yes(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "-"}[value]


def print_report(report: dict[str, object]) -> None:
    print(f"mnemo {report['version']}")
    for key in (
        "data_dir", "cache_dir", "user_config_file", "chroma", "active_model", "embedder", "adapter",
        "user_adapters", "extraction", "openvino", "llamacpp",
    ):  # fmt: skip
        print(f"  {key.replace('_', ' '):<17} {report[key]}")
    print()
    columns = ("installed", "assembled", "sha256 ok")
    header = f"  {'profile':<8} {'model':<30} " + "".join(f"{c:<10} " for c in columns) + "cached  int8  ov    load"
    print(header)
    for model in report["models"]:  # type: ignore[attr-defined]
        load = f"{model['load_s']:.1f} s" if model["load_s"] is not None else "-"
        marker = "*" if model["active"] else " "
        print(
            f"{marker} {model['profile']:<8} {model['name']:<30} {_yes(model['installed']):<10} "
            f"{_yes(model['assembled']):<10} {_yes(model['hash_verified']):<10} {_yes(model['cached']):<7} "
            f"{_yes(model['int8_cached']):<5} {_yes(model['openvino_exported']):<5} {load}"
        )
        if model["problem"]:
            print(f"      problem: {model['problem']}")
        if model["fix"]:
            print(f"      fix:     {model['fix']}")
    print("\n  * = the model mnemo uses now\n\n  photos and voice notes")
    for name, state in report["media"].items():  # type: ignore[attr-defined]
        print(f"  {name:<19} {state}")
    if report.get("server"):
        print("\n  model server")
        for name, state in report["server"].items():  # type: ignore[attr-defined]
            if name == "problem":
                name, state = "status", state or "answers, and serves the model"
            print(f"  {name:<19} {state}")


def active_model_usable(settings: Settings, report: dict[str, object]) -> bool:
    if settings.model.backend == "openai":
        return report["server"]["problem"] is None  # type: ignore[index]
    if settings.model.backend == "llamacpp" and "not installed" in str(report["llamacpp"]):
        return False
    if settings.model.backend == "openvino" and "not installed" in str(report["openvino"]):
        return False
    if settings.model.backend not in LOCAL_BACKENDS or settings.model.path is not None:
        return settings.model.path is None or Path(settings.model.path).exists()
    active = next(m for m in report["models"] if m["active"])  # type: ignore[attr-defined]
    return bool(active["installed"]) and active["hash_verified"] is not False


def run_doctor(settings: Settings, *, as_json: bool, time_loads: bool) -> int:
    report = collect_report(settings, time_loads=time_loads)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0 if active_model_usable(settings, report) else 1
