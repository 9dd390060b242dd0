"""The mnemo Textual app: loads the model in the background and hosts the chat screen."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import TextArea

from assistant.factory import Assistant
from assistant.history import UnknownSessionError
from assistant.models import LoadProgress, ModelError
from tui.screens.chat import ChatScreen
from tui.screens.help import HelpScreen
from tui.screens.sessions import NEW_CHAT, SessionsScreen
from tui.screens.switch_user import SwitchUserScreen
from tui.widgets.prompt_input import PromptInput

INPUT_ACTIONS = {binding.action for binding in PromptInput.BINDINGS if isinstance(binding, Binding)}


class MnemoApp(App[None]):
    """A private assistant that remembers, in the terminal."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "mnemo"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
    ]

    def __init__(self, assistant: Assistant, *, user: str, session_id: str | None = None) -> None:
        super().__init__()
        self.assistant = assistant
        self.user = user
        self.initial_session_id = session_id
        self.theme = assistant.settings.tui.theme

    @property
    def chat(self) -> ChatScreen:
        return next(screen for screen in self.screen_stack if isinstance(screen, ChatScreen))

    def on_mount(self) -> None:
        try:
            conversation = self.assistant.conversation(self.user, self.initial_session_id)
        except UnknownSessionError as error:
            self.notify(f"{error}; starting a new chat", severity="warning")
            conversation = self.assistant.conversation(self.user)
        self.push_screen(ChatScreen(self.assistant, conversation))

    def on_chat_screen_mounted(self, _: ChatScreen.Mounted) -> None:
        if self.assistant.model.loaded is None:
            self.load_model()

    # -- the model loads in a thread; the chat screen shows progress ---------------------------------------
    @work(thread=True, group="model", exclusive=True, exit_on_error=False)
    def load_model(self) -> None:
        def report(progress: LoadProgress) -> None:
            self._from_thread(self.chat.show_model_progress, progress)

        try:
            self.assistant.model.get(report)
        except ModelError as error:
            self._from_thread(self._model_failed, str(error))
            return
        self._from_thread(self.chat.model_ready, self.assistant.model.label)
        self.warm_up_memory()

    @work(thread=True, group="memory-warm-up", exclusive=True, exit_on_error=False)
    def warm_up_memory(self) -> None:
        """Open long-term memory and load its embedding model now, not on the first message."""
        if not self.assistant.memory.enabled:
            return
        try:
            self.assistant.memory.warm_up()
        except Exception as error:  # noqa: BLE001 - shown, never fatal: chat works without memory
            self._from_thread(self._memory_unavailable, str(error))

    def _memory_unavailable(self, error: str) -> None:
        self.notify(f"Long-term memory is unavailable: {error}", severity="warning", timeout=15)

    def _from_thread(self, callback: object, *args: object) -> None:
        try:
            self.call_from_thread(callback, *args)  # type: ignore[arg-type]
        except RuntimeError:  # shutting down
            pass

    def _model_failed(self, error: str) -> None:
        self.chat.model_failed(error)
        self.notify(
            f"{error}\nRun 'mnemo doctor' for details.",
            title="Model unavailable",
            severity="error",
            timeout=30,
        )

    # -- actions (also in the command palette) -------------------------------------------------------------
    async def action_new_chat(self) -> None:
        await self.chat.show_conversation(self.assistant.conversation(self.user))
        self.notify("New chat", timeout=2)

    def action_sessions(self) -> None:
        sessions = self.assistant.store.list_sessions(self.user)
        current = self.chat.conversation.session.id
        self.push_screen(SessionsScreen(self.user, sessions, current), self._open_session)

    async def _open_session(self, choice: str | None) -> None:
        if choice is None or choice == self.chat.conversation.session.id:
            return
        if choice == NEW_CHAT:
            await self.action_new_chat()
            return
        await self.chat.show_conversation(self.assistant.conversation(self.user, choice))

    def action_switch_user(self) -> None:
        self.push_screen(SwitchUserScreen(self.user, self.assistant.store.list_users()), self._switch_user)

    async def _switch_user(self, name: str | None) -> None:
        if not name or name == self.user:
            return
        self.assistant.store.ensure_user(name)
        self.user = name
        latest = self.assistant.store.list_sessions(name, limit=1)
        await self.chat.show_conversation(self.assistant.conversation(name, latest[0].id if latest else None))
        self.notify(f"Now chatting as {name}", timeout=3)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.binding_rows()))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def binding_rows(self) -> list[tuple[str, str]]:
        """(keys, description) for every described binding active on the current screen."""
        rows: dict[str, tuple[str, str]] = {}

        def add(binding: Binding) -> None:
            display = self.get_key_display(binding)
            if binding.description in rows:
                display = f"{rows[binding.description][0]}, {display}"
            description = "Command palette" if binding.description == "palette" else binding.description
            rows[binding.description] = (display, description)

        for active in self.screen.active_bindings.values():
            binding = active.binding
            # The input's inherited editing keys (cursor moves, selection…) would drown the list.
            inherited_editing_key = isinstance(active.node, TextArea) and binding.action not in INPUT_ACTIONS
            if binding.description and not inherited_editing_key:
                add(binding)
        # Bindings hidden right now (cancel only shows while a reply is written) still belong in help.
        for declared in type(self.screen).BINDINGS:
            if isinstance(declared, Binding) and declared.description and declared.description not in rows:
                for key in declared.key.split(","):
                    add(Binding(key.strip(), declared.action, declared.description))
        return list(rows.values())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("New chat", "Start a new conversation", self.action_new_chat)
        yield SystemCommand("Sessions", "Resume an earlier conversation", self.action_sessions)
        yield SystemCommand("Switch user", "Chat as someone else, or create a user", self.action_switch_user)
        yield SystemCommand("Help", "Show every key binding", self.action_help)
        yield SystemCommand("Cancel reply", "Stop the reply being written", self.chat.action_cancel_reply)
        yield SystemCommand("Light/dark theme", "Toggle the colour theme", self.action_toggle_theme)
        yield from super().get_system_commands(screen)
