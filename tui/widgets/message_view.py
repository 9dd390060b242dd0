"""One chat message: who said it, and its Markdown body (streamed in for replies)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Markdown
from textual.widgets.markdown import MarkdownStream

from assistant.history_records import StoredAttachment, StoredMessage
from tui.widgets.image_preview import ImagePreview

MAX_PREVIEWS = 3


class MessageView(Vertical):
    """A message bubble. Replies grow piece by piece through :meth:`append`."""

    DEFAULT_CSS = """
    MessageView {
        height: auto;
        margin: 0 1 1 1;
        padding: 0 1;
        border-left: thick $primary;
    }
    MessageView.user { border-left: thick $accent; background: $boost; }
    MessageView.notice { border-left: thick $success; margin: 0 1 1 3; }
    MessageView.error { border-left: thick $error; }
    MessageView.warning { border-left: thick $warning; }
    MessageView.cancelled { border-left: thick $warning; }
    MessageView.jumped { background: $warning 15%; }
    MessageView > .message-header { color: $text-muted; text-style: bold; }
    MessageView > .message-footer { color: $text-muted; }
    MessageView > .message-attachments { color: $text-muted; }
    MessageView > Markdown { margin: 0; padding: 0; }
    MessageView > Markdown > * { margin-bottom: 0; }
    """

    def __init__(
        self,
        role: str,
        text: str = "",
        *,
        header: str | None = None,
        footer: str = "",
        attachments: Sequence[tuple[str, Path | None]] = (),
        message_id: int | None = None,
    ) -> None:
        super().__init__(classes=role)
        self.role = role
        self.message_id = message_id
        """The stored message it shows (None until a streamed reply is saved)."""
        self.text = text
        self.attachments = list(attachments)
        """(label, photo to preview or None) for each attachment of the message."""
        self._header = header or ("You" if role == "user" else "mnemo")
        self._footer = footer
        self._stream: MarkdownStream | None = None

    @classmethod
    def from_stored(cls, message: StoredMessage, attachments: Sequence[StoredAttachment] = ()) -> MessageView:
        """The bubble of a message from the history (a failed or cancelled reply says so)."""
        if message.role == "user":
            labels = [
                (
                    ("🖼 " if item.kind == "image" else "🎤 ") + item.original_name,
                    item.path if item.kind == "image" and item.path.exists() else None,
                )
                for item in attachments
            ]
            return cls("user", message.content, attachments=labels, message_id=message.id)
        if message.status == "error":
            return cls("assistant", f"⚠ {message.content}".strip(), footer="this reply failed", message_id=message.id)
        footer = "cancelled" if message.status == "cancelled" else ""
        view = cls("assistant", message.content, footer=footer, message_id=message.id)
        if message.status == "cancelled":
            view.add_class("cancelled")
        return view

    def compose(self) -> ComposeResult:
        yield Label(self._header, classes="message-header")
        yield Markdown(self.text)
        if self.attachments:
            yield Label("  ".join(label for label, _ in self.attachments), classes="message-attachments")
            for _, photo in [item for item in self.attachments if item[1] is not None][:MAX_PREVIEWS]:
                assert photo is not None
                yield ImagePreview(photo)
        yield Label(self._footer, classes="message-footer", id="footer")

    def on_mount(self) -> None:
        self.query_one("#footer", Label).display = bool(self._footer)

    @property
    def body(self) -> Markdown:
        return self.query_one(Markdown)

    async def append(self, piece: str) -> None:
        """Add streamed text; the Markdown stream batches fast updates."""
        if self._stream is None:
            self._stream = Markdown.get_stream(self.body)
        self.text += piece
        await self._stream.write(piece)

    async def finish(self, text: str, *, status: str = "complete", footer: str = "") -> None:
        """Settle the final text (stripped) and mark the outcome."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        self.text = text
        await self.body.update(text)
        if status != "complete":
            self.add_class(status)
        self.set_footer(footer)

    def set_footer(self, footer: str) -> None:
        label = self.query_one("#footer", Label)
        label.update(footer)
        label.display = bool(footer)
