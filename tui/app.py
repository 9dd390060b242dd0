"""The mnemo Textual app: loads the model in the background and hosts the chat screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from assistant.factory import Assistant
from assistant.history_records import UnknownSessionError
from assistant.models import LoadProgress, ModelError
from tui.screens.chat import ChatScreen
from tui.screens.help import HelpScreen
from tui.screens.memories import JumpTo
from tui.screens.sessions import NEW_CHAT, SessionsScreen
from tui.screens.switch_user import SwitchUserScreen
from tui.threads import from_thread
from tui.widgets.memory_notice import MemoryNotice
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
        if self.assistant.store.damage_notice:
            self.notify(self.assistant.store.damage_notice, title="History file damaged", severity="error", timeout=60)

    def on_chat_screen_mounted(self, _: ChatScreen.Mounted) -> None:
        if self.assistant.model.loaded is None:
            self.load_model()

    # -- the model loads in a thread; the chat screen shows progress ---------------------------------------
    @work(thread=True, group="model", exclusive=True, exit_on_error=False)
    def load_model(self) -> None:
        def report(progress: LoadProgress) -> None:
            from_thread(self, self.chat.show_model_progress, progress)

        try:
            self.assistant.model.get(report)
        except ModelError as error:
            from_thread(self, self._model_failed, str(error))
            return
        from_thread(self, self.chat.model_ready, self.assistant.model.label)
        self.warm_up_memory()

    @work(thread=True, group="memory-warm-up", exclusive=True, exit_on_error=False)
    def warm_up_memory(self) -> None:
        """Open long-term memory and load its embedding model now, not on the first message."""
        if not self.assistant.memory.enabled:
            return
        try:
            repaired = self.assistant.memory.warm_up()
        except Exception as error:  # noqa: BLE001 - shown, never fatal: chat works without memory
            from_thread(self, self._memory_unavailable, self.assistant.memory.trouble(error))
            return
        if repaired:
            from_thread(self, self._memory_repaired, repaired)
        self._migrate_memory()

    def _migrate_memory(self) -> None:
        """Re-index memory for a newly configured embedder, with progress; chat and search go on meanwhile."""
        described = self.assistant.memory.pending_migration()
        if described is None:
            return
        stage = described[:1].upper() + described[1:]

        def report(done: int, total: int) -> None:
            from_thread(self, self.chat.show_model_progress, LoadProgress(stage, done, total))

        from_thread(self, self._memory_note, f"{stage}. Chat and search work meanwhile.", False)
        try:
            self.assistant.memory.migrate(report)
        except Exception as error:  # noqa: BLE001 - the old index keeps serving; the next start resumes
            said = f"Re-indexing memory stopped ({error}); the old index keeps serving and the next start resumes it."
            from_thread(self, self._memory_note, said, True)
        else:
            from_thread(self, self._memory_note, "Memory now searches with the new embedder.", False)
        finally:
            from_thread(self, self.chat.hide_progress)

    def _memory_note(self, said: str, warning: bool) -> None:
        self.notify(
            said, title="Memory", severity="warning" if warning else "information", timeout=15 if warning else 8
        )

    def _memory_repaired(self, said: str) -> None:
        self.notify(said, title="Memory repaired", timeout=8)

    def _memory_unavailable(self, error: str) -> None:
        self.notify(f"Long-term memory is unavailable: {error}", severity="warning", timeout=15)

    def _error(self, message: str) -> None:
        self.notify(message, severity="error", timeout=10)

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
        users = self.assistant.store.list_users()
        self.push_screen(SwitchUserScreen(self.user, users, self._delete_user), self._switch_user)

    def _delete_user(self, name: str) -> str:
        """Erase ``name`` for good (from a worker of the users screen); one line saying what went."""
        from assistant.user_admin import delete_user

        deletion = delete_user(self.assistant, name)
        said = f"Deleted {name}: {deletion.memory_rows} memory records and {deletion.files_removed} files."
        return f"{said} {deletion.server_note[:1].upper()}{deletion.server_note[1:]}." if deletion.server_note else said

    async def _switch_user(self, name: str | None) -> None:
        if not name or name == self.user:
            return
        self.assistant.store.ensure_user(name)
        self.user = name
        latest = self.assistant.store.list_sessions(name, limit=1)
        await self.chat.show_conversation(self.assistant.conversation(name, latest[0].id if latest else None))
        self.notify(f"Now chatting as {name}", timeout=3)

    # -- what the user thinks of a reply: kept for `mnemo adapt` ----------------------------------------------
    def _rated_reply(self) -> int | None:
        from assistant.feedback import last_reply_id

        try:
            return last_reply_id(self.assistant.store, self.chat.conversation.session.id)
        except LookupError:
            self.notify("No reply to rate yet.", timeout=3)
            return None

    def action_rate_good(self) -> None:
        from assistant.feedback import rate

        if (reply_id := self._rated_reply()) is not None:
            rate(self.assistant.store, reply_id, "good")
            self.notify("👍 Kept. `mnemo adapt` learns from the replies you rate.", timeout=4)

    def action_rate_bad(self) -> None:
        from tui.screens.rate_reply import RateReplyScreen, Verdict

        if (reply_id := self._rated_reply()) is None:
            return

        def keep(verdict: Verdict | None) -> None:
            from assistant.feedback import rate

            if verdict is not None:
                rate(self.assistant.store, reply_id, "bad", verdict.better, verdict.note)
                self.notify("👎 Kept. `mnemo adapt` learns from the replies you rate.", timeout=4)

        reply = self.assistant.store.get_message(reply_id).content
        self.push_screen(RateReplyScreen(reply), keep)

    # -- what mnemo remembers: the memory, profile and concept screens, notices, "why?" ----------------
    def action_memories(self, only_ids: tuple[str, ...] = ()) -> None:
        from tui.screens.memories import MemoriesScreen

        if self._memory_available():
            self._open_memory_screen(MemoriesScreen(self.assistant, self.user, only_ids=only_ids), self._jump)

    def _open_memory_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> None:
        """Memories, profile and things replace one another (F5/F6/F7), so Escape always leads back to the chat."""
        from tui.screens.concepts import ConceptsScreen
        from tui.screens.memories import MemoriesScreen
        from tui.screens.profile import ProfileScreen

        if isinstance(self.screen, (MemoriesScreen, ProfileScreen, ConceptsScreen)):
            if type(self.screen) is type(screen):
                return
            self.pop_screen()
        self.push_screen(screen, callback)

    async def _jump(self, target: JumpTo | None) -> None:
        """Open the chat a memory came from, at the message it came from."""
        if target is None:
            return
        if target.session_id != self.chat.conversation.session.id:
            await self.chat.show_conversation(self.assistant.conversation(self.user, target.session_id))
        self.chat.show_message(target.message_id)

    def action_profile(self) -> None:
        from tui.screens.profile import ProfileScreen

        if self._memory_available():
            self._open_memory_screen(ProfileScreen(self.assistant, self.user))

    def action_concepts(self) -> None:
        from tui.screens.concepts import ConceptsScreen

        if self._memory_available():
            self._open_memory_screen(ConceptsScreen(self.assistant, self.user))

    def action_why(self) -> None:
        from tui.screens.why import WhyScreen

        replies = self.chat.replies()
        if not replies:
            self.notify("No reply to explain yet.", timeout=3)
            return
        self.push_screen(WhyScreen(self.assistant, self.user, replies))

    def _memory_available(self) -> bool:
        if not self.assistant.memory.enabled:
            self.notify("Long-term memory is off (memory.enabled = false).", severity="warning")
        return self.assistant.memory.enabled

    def on_memory_notice_action(self, event: MemoryNotice.Action) -> None:
        notice, ids = event.notice, event.notice.memory_ids
        if event.action == "edit" and len(ids) == 1:
            self._edit_remembered(notice, ids[0])
        elif event.action == "edit":
            self.action_memories(tuple(ids))
        else:
            self._settle_notice(notice, event.action)

    def _edit_remembered(self, notice: MemoryNotice, memory_id: str) -> None:
        from tui.screens.edit_text import EditTextScreen

        memory = next(memory for memory in notice.report.remembered if memory.id == memory_id)

        def save(text: str | None) -> None:
            if text and text != memory.text:
                self._settle_notice(notice, "edit", text)

        self.push_screen(EditTextScreen("Correct what was remembered", memory.text), save)

    @work(thread=True, group="memory-notice", exit_on_error=False)
    def _settle_notice(self, notice: MemoryNotice, action: str, text: str = "") -> None:
        from memory.editing import MemoryEditor

        editor = MemoryEditor(self.assistant.memory.get().writer)
        try:
            if action == "accept":
                editor.confirm(self.user, notice.memory_ids)
                outcome = "✓ accepted"
            elif action == "undo":
                editor.undo(self.user, notice.report)
                outcome = "↩ undone"
            else:
                editor.edit(self.user, notice.memory_ids[0], text)
                outcome = f"✎ now reads: {text}"
        except Exception as error:  # noqa: BLE001 - shown; the chat goes on
            from_thread(self, self._error, f"Could not {action}: {error}")
            return
        from_thread(self, self._notice_settled, notice, action, outcome)

    def _notice_settled(self, notice: MemoryNotice, action: str, outcome: str) -> None:
        """On the UI thread: the notice says what became of it, /undo forgets an undone report, typing resumes."""
        notice.settle(outcome)
        if action == "undo" and self.chat.last_memory_report is notice.report:
            self.chat.last_memory_report = None
        if self.screen is self.chat:
            self.chat.query_one(PromptInput).focus()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.binding_rows(), chat=isinstance(self.screen, ChatScreen)))

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
            # Widgets' own keys (the input's cursor moves, a table's scrolling…) would drown the list; of
            # those only the chat input's own (send, new line, history) are mnemo's.
            widget_key = not isinstance(active.node, (Screen, App)) and binding.action not in INPUT_ACTIONS
            if binding.description and not widget_key:
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
        yield SystemCommand("Memories", "See, search and correct what mnemo remembers", self.action_memories)
        yield SystemCommand("Profile", "Your profile as the model sees it; edit it", self.action_profile)
        yield SystemCommand("Things in your photos", "Registered people, pets and things", self.action_concepts)
        yield SystemCommand("Why did it say that?", "What the last replies were written from", self.action_why)
        yield SystemCommand(
            "Good reply 👍", "Rate the last reply good (mnemo adapt learns from it)", self.action_rate_good
        )
        yield SystemCommand("Not like that 👎", "Rate the last reply; write the one you wanted", self.action_rate_bad)
        yield SystemCommand("Help", "Show every key binding", self.action_help)
        yield SystemCommand("Cancel reply", "Stop the reply being written", self.chat.action_cancel_reply)
        yield SystemCommand("Light/dark theme", "Toggle the colour theme", self.action_toggle_theme)
        if not isinstance(screen, ChatScreen):  # the open screen's own actions (edit, delete, pin…)
            for binding in type(screen).BINDINGS:
                if isinstance(binding, Binding) and binding.description and not binding.action.startswith("app."):
                    run = partial(screen.run_action, binding.action)
                    yield SystemCommand(binding.description, f"{self.get_key_display(binding)} on this screen", run)
        yield from super().get_system_commands(screen)
