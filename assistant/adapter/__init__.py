"""The memory adapter: a LoRA adapter that teaches the packaged default model to answer from memory.

Built by ``make adapter`` (:mod:`assistant.adapter.pipeline`); applied by the OpenVINO backend. This module
stays light: it only says which adapter a setting names.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED_ADAPTER = Path(__file__).parent / "weights" / "memory"
SHIPPED_EXTRACTION_ADAPTER = Path(__file__).parent / "weights" / "extraction"
ADAPTER_FILE = "adapter_model.safetensors"


def adapter_for(setting: str, profile: str, model_path: Path | None) -> Path | None:
    """The adapter folder ``model.adapter`` names, or None. The shipped one ("memory") was trained on the
    packaged default model and is only applied to it; a path is applied to whatever model is configured."""
    return _named_adapter(setting, "memory", SHIPPED_ADAPTER, profile, model_path)


def extraction_adapter_for(setting: str, profile: str, model_path: Path | None) -> Path | None:
    """The adapter folder ``model.extraction_adapter`` names, or None: "extraction" is the shipped one (trained on
    the packaged default model, applied to it only)."""
    return _named_adapter(setting, "extraction", SHIPPED_EXTRACTION_ADAPTER, profile, model_path)


def _named_adapter(
    setting: str, shipped_name: str, shipped: Path, profile: str, model_path: Path | None
) -> Path | None:
    value = setting.strip()
    if value.lower() in ("", "none"):
        return None
    if value == shipped_name:
        fits = profile == "default" and model_path is None and (shipped / ADAPTER_FILE).is_file()
        return shipped if fits else None
    folder = Path(value).expanduser()
    return folder.parent if folder.name == ADAPTER_FILE else folder


USER_ADAPTERS = "adapters"
"""Folder of the data dir that holds each user's own adapter (``mnemo adapt``), one folder per user."""
PARTIAL = ".partial"
"""Suffix of a user's adapter folder while it is trained (renamed into place when done)."""
TRAINED_ON = "trained_on.json"
"""Beside a user's adapter: the fingerprint of the memory adapter it was trained on top of."""


def user_adapter_dir(data_dir: Path, user: str) -> Path:
    return data_dir / USER_ADAPTERS / user


def fingerprint(adapter: Path | None) -> str:
    """The sha256 of an adapter's weights ("" for none): a user's adapter fits only the model it was trained on."""
    import hashlib

    if adapter is None:
        return ""
    digest = hashlib.sha256()
    with (adapter / ADAPTER_FILE).open("rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def user_adapters(data_dir: Path, memory_adapter: Path | None) -> dict[str, Path]:
    """Each user's own adapter that was trained on top of ``memory_adapter`` (others no longer fit: after a new
    memory adapter, ``mnemo adapt`` trains them again)."""
    import json

    folder = data_dir / USER_ADAPTERS
    if not folder.is_dir():
        return {}
    expected = fingerprint(memory_adapter)
    found = {}
    for user_dir in sorted(folder.iterdir()):
        stamp = user_dir / TRAINED_ON
        if user_dir.suffix != PARTIAL and (user_dir / ADAPTER_FILE).is_file() and stamp.is_file():
            try:
                fits = json.loads(stamp.read_text()).get("memory_adapter") == expected
            except (OSError, ValueError):
                fits = False
            if fits:
                found[user_dir.name] = user_dir
    return found
