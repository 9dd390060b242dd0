"""The memory adapter: a LoRA adapter that teaches the packaged default model to answer from memory.

Built by ``make adapter`` (:mod:`assistant.adapter.pipeline`); applied by the OpenVINO backend. This module
stays light: it only says which adapter a setting names.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED_ADAPTER = Path(__file__).parent / "weights" / "memory"
ADAPTER_FILE = "adapter_model.safetensors"


def adapter_for(setting: str, profile: str, model_path: Path | None) -> Path | None:
    """The adapter folder ``model.adapter`` names, or None. The shipped one ("memory") was trained on the
    packaged default model and is only applied to it; a path is applied to whatever model is configured."""
    value = setting.strip()
    if value.lower() in ("", "none"):
        return None
    if value == "memory":
        shipped = SHIPPED_ADAPTER / ADAPTER_FILE
        return SHIPPED_ADAPTER if profile == "default" and model_path is None and shipped.is_file() else None
    folder = Path(value).expanduser()
    return folder.parent if folder.name == ADAPTER_FILE else folder
