"""The chat: messages, the input, the model's loading progress and the status line."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, ProgressBar

from assistant.chat_commands import CommandOutcome, describe_report, is_command, run_command
from assistant.conversation import Conversation, ReplyResult, clean_user_text
from assistant.factory import Assistant
from assistant.history_records import StoredMessage
from assistant.media import PreparedAttachment
from assistant.models import CancelToken, LoadProgress, ModelError
from assistant.turn import TurnOutcome, run_turn
from tui.screens.chat_attachments import AttachmentActions
from tui.threads import from_thread
from tui.widgets.attachment_bar import AttachmentBar
from tui.widgets.memory_notice import MemoryNotice
from tui.widgets.message_view import MessageView
from tui.widgets.prompt_input import PromptInput
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from memory.writer import WriteReport

UI_FLUSH_INTERVAL_S = 0.1
MAX_RECALLED_PHOTOS = 2
MEMORIES_TIP = "See, search and correct what mnemo remembers about you"
WHY_TIP = "Which memories and profile entries the last reply was written from"


@dataclass
class PendingMessage:
    """A sent message waiting for (or getting) its reply."""

    text: str
    typed: str  # exactly what was in the input, given back if the message is not sent
    user_view: MessageView
    reply_view: MessageView
    cancel: CancelToken
    attachments: list[PreparedAttachment]


class ChatScreen(AttachmentActions, Screen[None]):
    """One conversation at a time; the app swaps sessions and users in and out."""

    AUTO_FOCUS = "PromptInput"  # focus before the history loads, so early typing is not lost

    BINDINGS = [
        Binding("f1", "app.help", "Help", priority=True),
        Binding("escape", "cancel_reply", "Cancel reply"),
        Binding("ctrl+c", "cancel_reply", "Cancel reply", show=False, priority=True),
        Binding("f5", "app.memories", "Memories", tooltip=MEMORIES_TIP, priority=True),
        Binding("f4", "app.why", "Why?", tooltip=WHY_TIP, priority=True),
        # Shown in the memory screen's footer (and in help): the chat's footer has no room for them at 80 columns.
        Binding("f6", "app.profile", "Profile", show=False, priority=True),
        Binding("f7", "app.concepts", "Things in photos", show=False, priority=True),
        Binding("f8", "app.rate_good", "Good reply 👍", show=False),  # `mnemo adapt` learns from rated replies
        Binding("f9", "app.rate_bad", "Not like that 👎", show=False),
        Binding("ctrl+o", "attach", "Attach"),
        Binding("f2", "app.sessions", "Sessions"),
        Binding("f3", "app.switch_user", "Users", tooltip="Switch to another user or create one"),
        Binding("ctrl+n", "app.new_chat", "New chat"),
    ]

    def __init__(self, assistant: Assistant, conversation: Conversation) -> None:
        super().__init__()
        self.assistant = assistant
        self.conversation = conversation
        self._queue: deque[PendingMessage] = deque()
        self._current: PendingMessage | None = None
        self.model_error: str | None = None
        self.last_memory_report: WriteReport | None = None

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="messages")
        with Horizontal(id="model-progress"):
            yield Label("Preparing the model…", id="model-progress-label")
            yield ProgressBar(id="model-progress-bar", show_eta=False)
        yield AttachmentBar(self.assistant.attachments, self.conversation.user, id="attachments")
        yield PromptInput(id="prompt", sent_history=self._input_history())
        yield StatusLine(id="status")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        status = self.query_one(StatusLine)
        status.model_name = self.assistant.model.label
        status.model_state = "ready" if self.assistant.model.loaded else "loading"
        self.query_one("#model-progress").display = self.assistant.model.loaded is None
        self.query_one(PromptInput).focus()
        await self.show_conversation(self.conversation)
        self.post_message(self.Mounted())

    class Mounted(Message):
        """The chat is on screen and can show the model's progress."""

    # -- attributes set by the app -------------------------------------------------------------------
    def show_model_progress(self, progress: LoadProgress) -> None:
        self.query_one("#model-progress").display = True
        self.query_one("#model-progress-label", Label).update(progress.stage[:1].upper() + progress.stage[1:])
        bar = self.query_one(ProgressBar)
        if progress.total:
            bar.update(total=progress.total, progress=progress.done)
        else:
            bar.update(total=None)

    def hide_progress(self) -> None:
        self.query_one("#model-progress").display = False

    def model_ready(self, label: str) -> None:
        self.model_error = None
        self.query_one("#model-progress").display = False
        status = self.query_one(StatusLine)
        status.model_name, status.model_state = label, "ready"

    def model_failed(self, error: str) -> None:
        self.model_error = error
        self.query_one("#model-progress").display = False
        self.query_one(StatusLine).model_state = "unavailable"

    async def show_conversation(self, conversation: Conversation) -> None:
        """Display ``conversation`` (a resumed session, another user's chat, or a new one)."""
        self._cancel_all()
        self.conversation = conversation
        messages = self.query_one("#messages", VerticalScroll)
        await messages.remove_children()
        views = [self._view_for(message) for message in conversation.history()]
        if views:
            await messages.mount_all(views)
        messages.scroll_end(animate=False)
        status = self.query_one(StatusLine)
        status.user, status.session_title = conversation.user, conversation.session.title
        status.tokens_per_s = None
        self.query_one(PromptInput).sent_history = self._input_history()
        bar = self.query_one(AttachmentBar)
        if bar.user != conversation.user:
            bar.clear_all()
            bar.user = conversation.user

    def _view_for(self, message: StoredMessage) -> MessageView:
        attachments = self.assistant.store.message_attachments(message.id) if message.role == "user" else []
        return MessageView.from_stored(message, attachments)

    def _input_history(self) -> list[str]:
        return self.assistant.store.recent_user_messages(self.conversation.user)

    # -- sending and streaming -------------------------------------------------------------------------
    async def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        if self.model_error is not None and not is_command(event.text.strip()):
            event.prompt_input.restore(event.text)
            self.notify(self.model_error, title="The model is unavailable", severity="error", timeout=10)
            return
        text = clean_user_text(event.text)
        bar = self.query_one(AttachmentBar)
        if text.split(maxsplit=1)[:1] == ["/attach"]:
            self._attach_typed(text.removeprefix("/attach").strip())
            return
        if not text and not bar.ready():
            return
        if is_command(text):
            await self._start_command(text)
            return
        if bar.busy:
            event.prompt_input.restore(event.text)
            self.notify(f"Still reading {', '.join(bar.busy)}; send when its chip is ready.", timeout=5)
            return
        attachments = bar.ready()
        bar.clear_all()
        text = text or "(sent " + ", ".join(item.name for item in attachments) + ")"
        messages = self.query_one("#messages", VerticalScroll)
        labels = [(item.chip(), item.stored.path if item.kind == "image" else None) for item in attachments]
        user_view = MessageView("user", text, attachments=labels)
        waiting = "" if self.assistant.model.loaded else "waiting for the model to load…"
        reply_view = MessageView("assistant", footer=waiting or "thinking…")
        await messages.mount_all([user_view, reply_view])
        messages.scroll_end(animate=False)
        self._queue.append(PendingMessage(text, event.text, user_view, reply_view, CancelToken(), attachments))
        self._start_next()

    def _start_next(self) -> None:
        if self._current is None and self._queue:
            self._current = self._queue.popleft()
            self._generate(self._current, self.conversation)

    @work(thread=True, group="reply", exit_on_error=False)
    def _generate(self, pending: PendingMessage, conversation: Conversation) -> None:
        try:
            self._take_turn(pending, conversation)
        except Exception as error:  # noqa: BLE001 - whatever happened, the queue must move on
            from_thread(self, self._warn, f"The reply stopped: {type(error).__name__}: {error}")
            from_thread(self, self._done, pending)

    def _take_turn(self, pending: PendingMessage, conversation: Conversation) -> None:
        try:
            self.assistant.model.get()
        except ModelError as error:
            from_thread(self, self._refused, pending, f"The model could not be loaded: {error}")
            return
        if pending.cancel.cancelled:
            from_thread(self, self._refused, pending, None)
            return
        from_thread(self, pending.reply_view.set_footer, "")
        # Redrawing Markdown for every token competes with generation for the two cores (it halved the
        # decode speed): hand the UI what arrived at most ten times a second.
        buffered: list[str] = []
        last_flush = 0.0

        def on_piece(piece: str) -> None:
            nonlocal last_flush
            buffered.append(piece)
            if time.monotonic() - last_flush >= UI_FLUSH_INTERVAL_S:
                from_thread(self, self._append, pending, "".join(buffered))
                buffered.clear()
                last_flush = time.monotonic()

        def on_reply(reply: ReplyResult) -> None:
            if buffered:
                from_thread(self, self._append, pending, "".join(buffered))
            from_thread(self, self._finished, pending, reply)
            self._show_recalled_photos(conversation)

        # The reply is shown first; then (same thread, so replies never compete with it) the turn is remembered.
        contexts = [item.context() for item in pending.attachments]
        turn = run_turn(
            conversation,
            pending.text,
            cancel=pending.cancel,
            attachments=contexts,
            on_piece=on_piece,
            on_reply=on_reply,
        )
        if turn.outcome == TurnOutcome.REFUSED:
            from_thread(self, self._refused, pending, turn.reason or None)
            return
        if turn.memory_error:
            from_thread(self, self._warn, f"Could not update memory: {turn.memory_error}")
        from_thread(self, self._remembered, pending, turn.memory)

    def _show_recalled_photos(self, conversation: Conversation) -> None:
        """ "Show me the photo of the receipt": the photos among the recalled memories are shown with the reply."""
        try:
            stored = conversation.recalled_photos()[:MAX_RECALLED_PHOTOS]
        except Exception:  # noqa: BLE001 - showing a photo is a nicety; the reply is already there
            return
        if stored:
            labels = [(f"🖼 {item.original_name}", item.path if item.path.exists() else None) for item in stored]
            from_thread(self, self._show_photos, labels)

    async def _show_photos(self, labels: list[tuple[str, Path | None]]) -> None:
        messages = self.query_one("#messages", VerticalScroll)
        await messages.mount(MessageView("notice", "", header="photos from memory", attachments=labels))
        messages.scroll_end(animate=False)

    async def _append(self, pending: PendingMessage, piece: str) -> None:
        if pending.reply_view.is_attached:
            await pending.reply_view.append(piece)
            self.query_one("#messages", VerticalScroll).scroll_end(animate=False)

    async def _finished(self, pending: PendingMessage, result: ReplyResult) -> None:
        if pending.reply_view.is_attached:
            if result.status == "error":
                text, footer = f"⚠ {result.error}", "this reply failed; your message is kept"
                self.notify(result.error or "generation failed", title="Generation failed", severity="error")
            else:
                text = result.text or "*(no reply)*"
                footer = "cancelled" if result.status == "cancelled" else ""
            pending.reply_view.message_id = result.assistant_message_id
            await pending.reply_view.finish(text, status=result.status, footer=footer)
            messages = self.query_one("#messages", VerticalScroll)
            if result.unavailable:  # the reply came without memory: say so, and why
                trouble = MessageView("notice error", "\n\n".join(result.unavailable), header="memory")
                await messages.mount(trouble, after=pending.reply_view)
            if result.notices:  # shown whatever the model wrote: a small model may ignore an allergy
                warning = MessageView("notice warning", "\n\n".join(result.notices), header="from your memory")
                await messages.mount(warning, after=pending.reply_view)
            messages.scroll_end(animate=False)
            status = self.query_one(StatusLine)
            status.tokens_per_s = result.decode_tokens_per_s
            status.session_title = self.conversation.session.title

    async def _remembered(self, pending: PendingMessage, report: WriteReport | None) -> None:
        """Show what the exchange taught mnemo, with Accept / Edit / Undo."""
        lines = [*describe_report(report), *report.notes] if report is not None else []
        if lines and report is not None:
            self.last_memory_report = report
            messages = self.query_one("#messages", VerticalScroll)
            await messages.mount(MemoryNotice("\n\n".join(f"🧠 {line}" for line in lines), report))
            messages.scroll_end(animate=False)
        self._done(pending)

    def settle_notice(self, report: WriteReport, outcome: str) -> None:
        """The notice of ``report`` (if still shown) says what became of it."""
        for notice in self.query(MemoryNotice):
            if notice.report is report:
                notice.settle(outcome)

    def replies(self) -> list[tuple[int, str]]:
        """(message id, text) of every saved reply on screen, oldest first."""
        return [
            (view.message_id, view.text)
            for view in self.query(MessageView)
            if view.role == "assistant" and view.message_id is not None
        ]

    def show_message(self, message_id: int | None) -> None:
        """Scroll to a message and mark it, as when a memory's source is opened."""
        for view in self.query(MessageView):
            view.remove_class("jumped")
            if message_id is not None and view.message_id == message_id:
                view.add_class("jumped")
                view.scroll_visible(animate=False, top=True)

    def _warn(self, message: str) -> None:
        self.notify(message, severity="warning", timeout=8)

    async def _show_notice(self, text: str, *, error: bool = False) -> None:
        messages = self.query_one("#messages", VerticalScroll)
        await messages.mount(MessageView("notice error" if error else "notice", text, header="memory"))
        messages.scroll_end(animate=False)

    async def _start_command(self, text: str) -> None:
        messages = self.query_one("#messages", VerticalScroll)
        await messages.mount(MessageView("user", text))
        messages.scroll_end(animate=False)
        self._run_command(text)

    @work(thread=True, group="command", exit_on_error=False)
    def _run_command(self, text: str) -> None:
        try:
            outcome = run_command(
                self.assistant.memory,
                self.conversation.user,
                text,
                concepts=self.assistant.concepts,
                now=datetime.now().astimezone(),
                session_id=self.conversation.session.id,
                last=self.last_memory_report,
            )
        except Exception as error:  # noqa: BLE001 - a failed command is reported, never fatal
            outcome = CommandOutcome(f"⚠ {type(error).__name__}: {error}", error=True)
        from_thread(self, self._command_done, text, outcome)

    async def _command_done(self, text: str, outcome: CommandOutcome) -> None:
        if text.lower().startswith("/undo") and not outcome.error:
            if self.last_memory_report is not None:
                self.settle_notice(self.last_memory_report, "↩ undone")
            self.last_memory_report = None
        elif outcome.report is not None:
            self.last_memory_report = outcome.report
        await self._show_notice(outcome.text, error=outcome.error)

    async def _refused(self, pending: PendingMessage, reason: str | None) -> None:
        """The message was never sent: take its bubbles away and give the text back."""
        await pending.user_view.remove()
        await pending.reply_view.remove()
        prompt = self.query_one(PromptInput)
        if not prompt.text.strip():
            prompt.restore(pending.typed)
        if reason:
            self.notify(reason, title="Message not sent", severity="error", timeout=10)
        self._done(pending)

    def _done(self, pending: PendingMessage) -> None:
        if self._current is pending:
            self._current = None
        self._start_next()

    # -- actions -----------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_reply":  # in the footer only while a reply is being written
            return self._current is not None or bool(self._queue)
        return True

    def action_cancel_reply(self) -> None:
        for pending in self._queue:
            pending.cancel.cancel()
        if self._current is not None:
            self._current.cancel.cancel()
            self.notify("Reply cancelled", timeout=2)

    def _cancel_all(self) -> None:
        for pending in [*self._queue, *([self._current] if self._current else [])]:
            pending.cancel.cancel()
        self._queue.clear()
