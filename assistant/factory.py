"""The composition root: builds the assistant from settings. The CLI, the TUI and the tests all use it."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.conversation import Conversation
from assistant.history import HistoryStore
from assistant.models import ChatModel, GenerationOptions
from assistant.models.handle import ModelHandle
from assistant.prompt import AttachmentProvider, DateProvider, PersonaProvider, PromptBuilder
from assistant.settings import Settings


@dataclass
class Assistant:
    """Everything a front end needs: settings, the history store, the prompt builder and the model."""

    settings: Settings
    store: HistoryStore
    prompt_builder: PromptBuilder
    model: ModelHandle
    options: GenerationOptions = field(default_factory=GenerationOptions)

    def conversation(self, user: str, session_id: str | None = None) -> Conversation:
        """Open the user's session ``session_id`` (or a new one). The model loads on the first message."""
        if session_id:
            session = self.store.get_session(user, session_id)
        else:
            session = self.store.latest_empty_session(user) or self.store.create_session(user)
        return Conversation(self.store, self.model, self.prompt_builder, self.options, session)

    def close(self) -> None:
        self.store.close()


def build_assistant(settings: Settings, model: ChatModel | None = None) -> Assistant:
    """Wire the assistant. ``model`` replaces the configured one (tests pass a scripted model)."""
    model_settings = settings.model
    options = GenerationOptions(
        max_new_tokens=model_settings.max_new_tokens,
        temperature=model_settings.temperature,
        top_p=model_settings.top_p,
        repetition_penalty=model_settings.repetition_penalty,
    )
    prompt_builder = PromptBuilder([PersonaProvider(settings.chat.persona), DateProvider(), AttachmentProvider()])
    return Assistant(
        settings=settings,
        store=HistoryStore(settings.data_dir),
        prompt_builder=prompt_builder,
        model=ModelHandle(settings.model, settings.cache_dir, model),
        options=options,
    )
