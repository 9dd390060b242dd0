"""Export a model to OpenVINO's format with int4 weights, once per model (about a minute for the default).

The exporter (optimum-intel and nncf) lives in its own virtual environment, ``.venv-export`` beside the app's
``.venv``: optimum-intel caps transformers below the version mnemo uses. ``make openvino`` builds it. The
export reads the fp32 folder mnemo already converts from the GGUF (``model_cache``) and writes the model, its
tokenizer and detokenizer as OpenVINO files; a ``mnemo-cache.json`` written last marks a finished export, so an
interrupted one is redone rather than trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from assistant.models.base import LoadProgress, ModelError, ProgressCallback, ignore_progress
from assistant.models.model_cache import CACHE_MARKER, ModelSource, prepare_model_dir

EXPORT_FORMAT = 1
WEIGHTS = ("int4", "int8")  # int4: in groups (below); int8: per output channel
GROUP_SIZES = (128, 64, 32)  # int4 weights in groups (the largest that divides every layer), asymmetric;
# the embeddings and output layer stay int8 (nncf's default)
EXPECTED_EXPORT_S = 60.0  # for the progress bar: 46 s measured for the default model on 2 cores
EXPORTER_ENV = "MNEMO_OPENVINO_EXPORTER"


def exporter_path() -> Path | None:
    """optimum-cli in the exporter's own environment, if it is installed (``make openvino``)."""
    configured = os.environ.get(EXPORTER_ENV)
    candidate = Path(configured) if configured else Path(sys.prefix).parent / ".venv-export" / "bin" / "optimum-cli"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def export_key(source: ModelSource) -> str:
    if source.packaged is not None:
        return f"{source.packaged.profile}-{source.packaged.sha256[:12]}"
    assert source.path is not None
    return "user-" + hashlib.sha256(str(source.path.resolve()).encode()).hexdigest()[:12]


def export_dir(source: ModelSource, cache_dir: Path, weights: str) -> Path:
    return cache_dir / "openvino" / f"{export_key(source)}-{weights}"


def group_size_for(model_folder: Path) -> int:
    """The largest int4 group that divides the model's layer widths (SmolLM2's 576 does not take 128)."""
    try:
        config = json.loads((model_folder / "config.json").read_text())
    except (OSError, ValueError) as error:
        raise ModelError(f"{model_folder} has no readable config.json: {error}") from error
    widths = [int(config.get(name) or 0) for name in ("hidden_size", "intermediate_size")]
    return next((size for size in GROUP_SIZES if all(width % size == 0 for width in widths)), GROUP_SIZES[-1])


def exported_model(source: ModelSource, cache_dir: Path, weights: str) -> Path | None:
    """The finished export for ``source`` if it is already in the cache (no work done)."""
    folder = export_dir(source, cache_dir, weights)
    return folder if (folder / CACHE_MARKER).exists() else None


def exported_group_size(folder: Path) -> int:
    """The int4 group size an export was made with (from its marker); 0 for int8 weights (per channel)."""
    try:
        return int(json.loads((folder / CACHE_MARKER).read_text())["group_size"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def export_for_openvino(
    source: ModelSource, cache_dir: Path, weights: str, progress: ProgressCallback = ignore_progress
) -> Path:
    """Return the OpenVINO folder for ``source`` with ``weights`` (int4 or int8), converting and exporting it first
    if needed."""
    if weights not in WEIGHTS:
        raise ModelError(f"OpenVINO weights must be one of {', '.join(WEIGHTS)}, not {weights!r}")
    finished = exported_model(source, cache_dir, weights)
    if finished is not None:
        return finished
    exporter = exporter_path()
    if exporter is None:
        raise ModelError(
            "The OpenVINO exporter is not installed: run `make openvino` (about a minute), "
            'or use model.backend = "llamacpp" or "transformers".'
        )
    model_folder = prepare_model_dir(source, cache_dir, progress)
    target = export_dir(source, cache_dir, weights)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    log_path = target.with_name(target.name + ".log")
    group_size = group_size_for(model_folder) if weights == "int4" else 0
    command = [
        str(exporter), "export", "openvino", "--model", str(model_folder), "--task", "text-generation-with-past",
        "--weight-format", weights, *(["--group-size", str(group_size), "--ratio", "1.0"] if group_size else []),
        str(partial),
    ]  # fmt: skip
    _run_with_progress(command, log_path, f"optimising {source.label} for OpenVINO once (about a minute)", progress)
    if not (partial / "openvino_model.xml").exists() or not (partial / "openvino_tokenizer.xml").exists():
        raise ModelError(f"the OpenVINO export of {source.label} is incomplete; see {log_path}")
    (partial / CACHE_MARKER).write_text(
        json.dumps(
            {"format": EXPORT_FORMAT, "source": str(model_folder), "weights": weights, "group_size": group_size},
            indent=2,
        )
    )
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
    return target


def _run_with_progress(command: list[str], log_path: Path, stage: str, progress: ProgressCallback) -> None:
    """Run the exporter, its output to ``log_path``; the bar creeps towards the expected time meanwhile."""
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    environment.pop("PYTHONPATH", None)  # the exporter must see only its own environment's packages
    started = time.monotonic()
    finished = threading.Event()

    def tick() -> None:
        while not finished.wait(1.0):
            elapsed = time.monotonic() - started
            progress(LoadProgress(stage, min(elapsed, EXPECTED_EXPORT_S * 0.95), EXPECTED_EXPORT_S))

    progress(LoadProgress(stage, 0, EXPECTED_EXPORT_S))
    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        with log_path.open("w") as log:
            result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=environment, check=False)
    except OSError as error:
        raise ModelError(f"could not run the OpenVINO exporter {command[0]}: {error}") from error
    finally:
        finished.set()
        ticker.join()
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace").strip().splitlines()[-3:]
        raise ModelError(f"the OpenVINO export failed (exit {result.returncode}): {' / '.join(tail)}; see {log_path}")
    progress(LoadProgress(stage, EXPECTED_EXPORT_S, EXPECTED_EXPORT_S))
