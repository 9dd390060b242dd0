"""The chat's attachment actions: Ctrl+O and /attach, pasted paths, and what the encoders report back.

A mixin of :class:`tui.screens.chat.ChatScreen` (not a screen of its own): it works on the chat's attachment
bar and input.
"""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from assistant.media import resolve_attachment_path
from modalities.errors import MediaError
from tui.screens.attach_file import AttachFileScreen
from tui.widgets.attachment_bar import AttachmentBar
from tui.widgets.prompt_input import PromptInput


class AttachmentActions(Screen[None]):
    def action_attach(self) -> None:
        self.app.push_screen(AttachFileScreen(Path.cwd()), self._attach_chosen)

    def _attach_chosen(self, path: Path | None) -> None:
        if path is not None:
            self.attach(path)

    def attach(self, path: Path) -> None:
        reason = self.query_one(AttachmentBar).attach(path)
        if reason:
            self.notify(reason, title="Not attached", severity="error", timeout=8)

    def _attach_typed(self, argument: str) -> None:
        if not argument:
            self.action_attach()
            return
        try:
            self.attach(resolve_attachment_path(argument))
        except MediaError as error:
            self.query_one(PromptInput).restore(f"/attach {argument}")
            self.notify(str(error), title="Not attached", severity="error", timeout=8)

    def on_prompt_input_paths_pasted(self, event: PromptInput.PathsPasted) -> None:
        for path in event.paths:
            self.attach(path)

    def on_attachment_bar_transcribed(self, event: AttachmentBar.Transcribed) -> None:
        """The transcript goes into the input, to be read and corrected before sending."""
        prompt = self.query_one(PromptInput)
        prompt.restore(f"{prompt.text.rstrip()}\n{event.transcript}".strip())

    def on_attachment_bar_failed(self, event: AttachmentBar.Failed) -> None:
        self.notify(event.reason, title="Not attached", severity="error", timeout=10)
