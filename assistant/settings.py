"""The one settings model for mnemo.

Layers, lowest first: the documented defaults in ``config/default.toml``, the user's own file
(``$XDG_CONFIG_HOME/mnemo/config.toml`` or ``MNEMO_CONFIG``), then ``MNEMO_…`` environment variables
(``__`` separates nested sections: ``MNEMO_MODEL__PROFILE=tiny``), then explicit keyword arguments.
Nothing is read at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from memory.users import validate_user_name

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "default.toml"

_config_files: ContextVar[tuple[Path, ...]] = ContextVar("mnemo_config_files", default=())


def _xdg_dir(variable: str, fallback: str) -> Path:
    base = os.environ.get(variable) or str(Path.home() / fallback)
    return Path(base) / "mnemo"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/mnemo`` (``~/.local/share/mnemo``)."""
    return _xdg_dir("XDG_DATA_HOME", ".local/share")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mnemo`` (``~/.cache/mnemo``): assembled and converted model files."""
    return _xdg_dir("XDG_CACHE_HOME", ".cache")


def default_user_config_file() -> Path:
    """``MNEMO_CONFIG`` if set, else ``$XDG_CONFIG_HOME/mnemo/config.toml``."""
    explicit = os.environ.get("MNEMO_CONFIG")
    if explicit:
        return Path(explicit)
    return _xdg_dir("XDG_CONFIG_HOME", ".config") / "config.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class ModelSettings(_Section):
    """Which language model answers, and how it generates."""

    backend: Literal["auto", "openvino", "llamacpp", "transformers", "openai", "fake"] = Field(
        "auto",
        description="'auto' runs the local model on OpenVINO where it is installed (`make openvino`; the fastest), "
        "else on llama.cpp where it is built (`make llamacpp`), else on transformers, and a Hugging Face folder "
        "on transformers; 'openvino', 'llamacpp' and 'transformers' pick one; "
        "'openai' talks to an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio) at base_url; "
        "'fake' is a scripted test model.",
    )
    base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="The OpenAI-compatible server's API root (backend 'openai')."
    )
    server_model: str = Field(
        "", description="The model name on the server; empty takes the first one the server lists."
    )
    api_key: SecretStr | None = Field(
        None, description="Sent as a bearer token; prefer the MNEMO_MODEL__API_KEY environment variable."
    )
    server_accepts_images: bool = Field(
        False, description="The server model takes images: photos go to it as images, not as text descriptions."
    )
    timeout_s: float = Field(120.0, gt=0, le=3600, description="Longest wait for the server to answer.")
    retries: int = Field(3, ge=0, le=10, description="Retries (with backoff) when the server cannot be reached.")
    profile: Literal["default", "tiny", "large"] = Field(
        "default",
        description="Packaged model: default (Qwen2.5 0.5B), tiny (SmolLM2 135M), large (Qwen2.5 1.5B).",
    )
    path: Path | None = Field(
        None, description="A Hugging Face model folder or a .gguf file of your own; overrides profile."
    )
    threads: int = Field(0, ge=0, le=256, description="CPU threads for generation; 0 uses every core.")
    quantize: Literal["none", "int8"] = Field(
        "int8",
        description="'int8' quantizes linear layers per channel (2-3x faster decoding on CPU); 'none' keeps fp32.",
    )
    openvino_weights: Literal["int4", "int8"] = Field(
        "int4",
        description="Weight format of the OpenVINO export: 'int4' (smallest, fastest) or 'int8' (closer to fp32).",
    )
    adapter: str = Field(
        "memory",
        description="LoRA adapter applied to the packaged model on OpenVINO: 'memory' (shipped: trained by "
        "`make adapter` to answer from memory, heed constraints and say \"I don't know yet\"), 'none', or "
        "the path of a PEFT adapter folder.",
    )
    extraction_adapter: str = Field(
        "extraction",
        description="LoRA adapter for memory extraction on OpenVINO, used when memory.extractor = 'llm': "
        "'extraction' (shipped: trained by `make extraction-adapter` to list what a message states as JSON), "
        "'none', or the path of a PEFT adapter folder.",
    )
    user_adapters: bool = Field(
        True,
        description="Stack each user's own adapter (trained by `mnemo adapt` on the replies they rated) on the "
        "memory adapter for their replies (OpenVINO).",
    )
    context_window: int = Field(
        4096, ge=256, description="Most tokens one prompt plus its reply may use (capped at the model's own)."
    )
    max_new_tokens: int = Field(512, ge=1, le=8192, description="Longest reply, in tokens.")
    temperature: float = Field(0.7, ge=0.0, le=2.0, description="Sampling temperature; 0 is greedy.")
    top_p: float = Field(0.9, gt=0.0, le=1.0, description="Nucleus sampling threshold.")
    repetition_penalty: float = Field(1.1, ge=1.0, le=2.0, description="Penalty for repeating tokens.")

    @field_validator("path")
    @classmethod
    def _path_exists(cls, value: Path | None) -> Path | None:
        if value is not None:
            value = value.expanduser()
            if not value.exists():
                raise ValueError(f"{value} does not exist")
        return value


class ChatSettings(_Section):
    """How the assistant talks."""

    persona: str = Field(
        "You are mnemo, a private assistant running on the user's own computer. "
        "Answer clearly and concisely. If you do not know something, say so.",
        min_length=1,
        description="The first part of every system prompt.",
    )


class MemorySettings(_Section):
    """Where long-term memory lives."""

    chroma_url: str | None = Field(
        None, description="A Chroma server URL (http://host:port); unset keeps memory embedded on disk."
    )
    chroma_token: SecretStr | None = Field(
        None,
        description="Sent as 'Authorization: Bearer …' to a Chroma server behind an authenticating proxy "
        "(Chroma 1.x has no authentication of its own). Prefer MNEMO_MEMORY__CHROMA_TOKEN to a file.",
    )
    enabled: bool = Field(True, description="Remember what the user says and recall it in later chats.")
    recall_k: int = Field(8, ge=0, le=50, description="At most this many memories and past turns in each prompt.")
    token_budget: int = Field(
        600, ge=0, le=8000, description="At most this many prompt tokens for recalled memories and the profile."
    )
    layout: Literal["beside", "system"] = Field(
        "beside",
        description="Where recalled memories and notes go: 'beside' the user's message (small models read them "
        "there, and the system prompt's cache survives a new recall) or in the 'system' prompt.",
    )
    notes: bool = Field(
        True,
        description="Add notes to each turn: the user's constraints that bear on the message (also shown under "
        "the reply), 'not in memory' when they ask about their own life and nothing was recalled, and for a message "
        "that asks nothing only the memories that share a word with it.",
    )
    acknowledge: bool = Field(
        True,
        description="When a message only tells mnemo a lasting fact about you (no question, no feeling), the app "
        "replies itself with what it will remember ('Got it: I'll remember that your cousin Farid lives in Oslo.'); "
        "the small packaged models restate older memories instead. Off: the model replies to everything.",
    )
    embedder: Literal["nomic", "minilm"] = Field(
        "nomic",
        description="Sentence embedder for memory search: 'nomic' (nomic-embed-text-v1.5, finds far more of what "
        "matters) or 'minilm' (all-MiniLM-L6-v2, smaller and faster). Changing it re-indexes memory in the "
        "background; the old index answers meanwhile.",
    )
    extractor: Literal["rules", "llm"] = Field(
        "rules",
        description="How memories are extracted from the user's words: 'rules' (fast, precise) or 'llm' "
        "(the local model asked for JSON, checked against the user's words, rules as fallback).",
    )


class SpeechSettings(_Section):
    """How voice notes become text (Whisper through faster-whisper, on this machine)."""

    model: Literal["base", "tiny.en"] = Field(
        "base", description="Packaged Whisper model: 'base' (multilingual, accurate) or 'tiny.en' (English, fast)."
    )
    threads: int = Field(2, ge=1, le=256, description="CPU threads for transcription.")


class VisionSettings(_Section):
    """How photos are described to a model that cannot see them, and how your own things are recognised."""

    classifier: Literal["lite0", "lite2"] = Field(
        "lite0", description="Packaged ImageNet classifier for image descriptions: EfficientNet 'lite0' or 'lite2'."
    )
    ocr: bool = Field(True, description="Read the text in photos (receipts, notes, signs) with RapidOCR.")
    max_megapixels: float = Field(50.0, gt=0, le=1000, description="Larger images are refused.")


class TuiSettings(_Section):
    """The terminal app."""

    theme: str = Field("textual-dark", description="Textual theme name, e.g. textual-dark or textual-light.")


class Settings(BaseSettings):
    """Everything mnemo can be told. Every field is documented in config/default.toml."""

    model_config = SettingsConfigDict(
        env_prefix="MNEMO_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(
        default_factory=default_data_dir, description="Where users, chats and attachments are stored."
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir, description="Where assembled and converted model files are cached."
    )
    user: str = Field("me", description="The user when --user is not given.")
    model: ModelSettings = Field(default_factory=ModelSettings, description=ModelSettings.__doc__)
    chat: ChatSettings = Field(default_factory=ChatSettings, description=ChatSettings.__doc__)
    memory: MemorySettings = Field(default_factory=MemorySettings, description=MemorySettings.__doc__)
    speech: SpeechSettings = Field(default_factory=SpeechSettings, description=SpeechSettings.__doc__)
    vision: VisionSettings = Field(default_factory=VisionSettings, description=VisionSettings.__doc__)
    tui: TuiSettings = Field(default_factory=TuiSettings, description=TuiSettings.__doc__)

    @field_validator("user")
    @classmethod
    def _valid_user(cls, value: str) -> str:
        return validate_user_name(value)

    @field_validator("data_dir", "cache_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: arguments, environment, then config files from most to least specific.
        files = [TomlConfigSettingsSource(settings_cls, toml_file=path) for path in reversed(_config_files.get())]
        return (init_settings, env_settings, *files)


class SettingsError(Exception):
    """Settings could not be loaded; the message names each bad field and why."""


def config_files(user_file: Path | None = None) -> tuple[Path, ...]:
    """The config files that apply, lowest priority first (missing user files are skipped)."""
    user_file = user_file or default_user_config_file()
    files = [DEFAULT_CONFIG_FILE] if DEFAULT_CONFIG_FILE.exists() else []
    if user_file.exists():
        files.append(user_file)
    return tuple(files)


def load_settings(user_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings from every layer; raise :class:`SettingsError` with readable reasons."""
    files = config_files(user_file)
    token = _config_files.set(files)
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error, files)) from None
    except (OSError, ValueError) as error:  # unreadable or malformed TOML
        raise SettingsError(f"could not read settings: {error}") from None
    finally:
        _config_files.reset(token)


def describe_validation_error(error: ValidationError, files: tuple[Path, ...]) -> str:
    lines = ["invalid settings:"]
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        env_name = "MNEMO_" + "__".join(str(part).upper() for part in problem["loc"])
        lines.append(f"  {field}: {problem['msg']} (got {problem.get('input')!r}; env {env_name})")
    lines.append("  config files read: " + (", ".join(str(path) for path in files) or "none"))
    return "\n".join(lines)
