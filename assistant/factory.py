"""The composition root: builds the assistant from settings. The CLI, the TUI and the tests all use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.acknowledgement import AcknowledgementNote
from assistant.closing_notes import KinNote, NotInMemoryNote, TimeNote
from assistant.concepts import ConceptService
from assistant.conversation import Conversation
from assistant.history import HistoryStore
from assistant.media import AttachmentProcessor, MediaEncoders
from assistant.models import CancelToken, ChatMessage, ChatModel, GenerationOptions
from assistant.models.handle import ModelHandle
from assistant.prompt import (
    AttachmentProvider,
    ClosingNote,
    ContextProvider,
    DateProvider,
    PersonaProvider,
    PromptBuilder,
)
from assistant.recall import MemoryAccess, MemoryProvider
from assistant.settings import ModelSettings, Settings


@dataclass
class Assistant:
    """Everything a front end needs: settings, the history store, the prompt builder and the model."""

    settings: Settings
    store: HistoryStore
    prompt_builder: PromptBuilder
    model: ModelHandle
    memory: MemoryAccess
    media: MediaEncoders
    attachments: AttachmentProcessor
    concepts: ConceptService
    options: GenerationOptions = field(default_factory=GenerationOptions)

    def conversation(self, user: str, session_id: str | None = None) -> Conversation:
        """Open the user's session ``session_id`` (or a new one). The model loads on the first message."""
        if session_id:
            session = self.store.get_session(user, session_id)
        else:
            session = self.store.latest_empty_session(user) or self.store.create_session(user)
        return Conversation(
            self.store, self.model, self.prompt_builder, self.options, session, self.memory, self.concepts
        )

    def close(self) -> None:
        self.memory.close()
        self.store.close()


def own_adapters(settings: Settings) -> dict[str, Path]:
    """The users' own adapters that fit the configured model (none when model.user_adapters is off)."""
    from assistant.adapter import adapter_for, user_adapters

    model = settings.model
    if not model.user_adapters:
        return {}
    return user_adapters(settings.data_dir, adapter_for(model.adapter, model.profile, model.path))


def loaded_model_settings(settings: Settings) -> ModelSettings:
    """The model settings the model loads with: the extraction adapter is registered only where the model
    extracts memories (OpenVINO loads every adapter at once)."""
    extracting = settings.memory.enabled and settings.memory.extractor == "llm"
    return settings.model if extracting else settings.model.model_copy(update={"extraction_adapter": "none"})


def build_assistant(settings: Settings, model: ChatModel | None = None) -> Assistant:
    """Wire the assistant. ``model`` replaces the configured one (tests pass a scripted model)."""
    model_settings = settings.model
    options = GenerationOptions(
        max_new_tokens=model_settings.max_new_tokens,
        temperature=model_settings.temperature,
        top_p=model_settings.top_p,
        repetition_penalty=model_settings.repetition_penalty,
    )
    handle = ModelHandle(loaded_model_settings(settings), settings.cache_dir, model, lambda: own_adapters(settings))
    memory = MemoryAccess(settings, complete=lambda prompt: complete_once(handle, prompt))
    providers: list[ContextProvider] = [PersonaProvider(settings.chat.persona), DateProvider(), AttachmentProvider()]
    closing: list[ClosingNote] = []
    if settings.memory.enabled:
        providers.append(MemoryProvider(memory))
        closing += [KinNote(memory), TimeNote(memory), NotInMemoryNote(memory), AcknowledgementNote(memory)]
    store = HistoryStore(settings.data_dir)
    media = MediaEncoders(settings)
    concepts = ConceptService(memory, media, store)
    attachments = AttachmentProcessor(settings, store, media, concepts)
    return Assistant(
        settings=settings,
        store=store,
        prompt_builder=PromptBuilder(providers, closing),
        model=handle,
        memory=memory,
        media=media,
        attachments=attachments,
        concepts=concepts,
        options=options,
    )


def complete_once(handle: ModelHandle, prompt: str) -> str:
    """One short, deterministic completion (memory extraction asks the model for JSON this way)."""
    messages = [ChatMessage("user", prompt)]
    options = GenerationOptions(max_new_tokens=256, temperature=0.0, repetition_penalty=1.0, purpose="extraction")
    return "".join(handle.get().stream(messages, options, CancelToken()))
