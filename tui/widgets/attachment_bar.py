"""The chips above the input: what is attached to the next message, each removable.

Attaching starts the encoder in a thread worker (a photo is described, a voice note transcribed) and the
chip shows its progress; removing a chip cancels that work. Nothing here blocks typing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Click
from textual.message import Message
from textual.widgets import Label

from assistant.media import AttachmentProcessor, PreparedAttachment, attachment_kind
from modalities.errors import MediaError
from tui.threads import from_thread


@dataclass
class AttachmentJob:
    path: Path
    kind: str
    cancel: threading.Event = field(default_factory=threading.Event)
    prepared: PreparedAttachment | None = None


class RemoveButton(Label):
    """A one-cell ✕ (a Button needs three rows to look like one)."""

    class Pressed(Message):
        pass

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(self.Pressed())


class AttachmentChip(Horizontal):
    """One attachment: its name, its state, and a ✕ that removes it."""

    DEFAULT_CSS = """
    AttachmentChip { width: auto; height: 1; margin: 0 1 0 0; background: $boost; }
    AttachmentChip > Label { width: auto; padding: 0 1; }
    AttachmentChip > RemoveButton { width: 3; height: 1; color: $text-muted; }
    AttachmentChip > RemoveButton:hover { color: $error; text-style: bold; }
    AttachmentChip.ready > Label { color: $success; }
    """

    def __init__(self, job: AttachmentJob) -> None:
        super().__init__()
        self.job = job
        icon = "🎤" if job.kind == "audio" else "🖼"
        self._label = Label(f"{icon} {job.path.name} …")

    def compose(self) -> ComposeResult:
        yield self._label
        remove = RemoveButton("✕")
        remove.tooltip = f"remove {self.job.path.name}"
        yield remove

    def show(self, text: str) -> None:
        self._label.update(text)

    def on_remove_button_pressed(self, event: RemoveButton.Pressed) -> None:
        event.stop()
        self.job.cancel.set()
        self.post_message(AttachmentBar.Removed(self.job))
        self.remove()


class AttachmentBar(Horizontal):
    """Holds the attachments of the message being written; hidden when there are none."""

    DEFAULT_CSS = """
    AttachmentBar { height: 1; margin: 0 1; display: none; }
    AttachmentBar.-has-chips { display: block; }
    """

    @dataclass
    class Transcribed(Message):
        """A voice note's transcript is ready: the chat puts it in the input, to edit before sending."""

        transcript: str

    @dataclass
    class Removed(Message):
        job: AttachmentJob

    @dataclass
    class Failed(Message):
        reason: str

    def __init__(self, processor: AttachmentProcessor, user: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.processor = processor
        self.user = user
        self.jobs: list[AttachmentJob] = []

    def attach(self, path: Path) -> str | None:
        """Start attaching ``path``; the reason it cannot be attached, or ``None``."""
        try:
            kind = attachment_kind(path)
        except MediaError as error:
            return str(error)
        if not path.is_file():
            return f"{path}: no such file."
        if any(job.path == path for job in self.jobs):
            return f"{path.name} is already attached."
        job = AttachmentJob(path, kind)
        self.jobs.append(job)
        self.mount(AttachmentChip(job))
        self.set_class(True, "-has-chips")
        self._prepare(job)
        return None

    @property
    def busy(self) -> list[str]:
        """Names of attachments still being read."""
        return [job.path.name for job in self.jobs if job.prepared is None]

    def ready(self) -> list[PreparedAttachment]:
        return [job.prepared for job in self.jobs if job.prepared is not None]

    def clear_all(self) -> None:
        for job in self.jobs:
            job.cancel.set()
        self.jobs.clear()
        self.remove_children()
        self.set_class(False, "-has-chips")

    def on_attachment_bar_removed(self, event: AttachmentBar.Removed) -> None:
        if event.job in self.jobs:
            self.jobs.remove(event.job)
        self.set_class(bool(self.jobs), "-has-chips")

    def _chip(self, job: AttachmentJob) -> AttachmentChip | None:
        return next((chip for chip in self.query(AttachmentChip) if chip.job is job), None)

    @work(thread=True, group="attachments", exit_on_error=False)
    def _prepare(self, job: AttachmentJob) -> None:
        def progress(fraction: float) -> None:
            from_thread(self, self._progress, job, fraction)

        try:
            prepared = self.processor.prepare(job.path, self.user, progress=progress, cancel=job.cancel)
        except MediaError as error:
            from_thread(self, self._failed, job, str(error))
            return
        except Exception as error:  # noqa: BLE001 - cancelled or a crash in an encoder: reported, never fatal
            if not job.cancel.is_set():
                from_thread(self, self._failed, job, f"{job.path.name}: {type(error).__name__}: {error}")
            return
        if not job.cancel.is_set():
            from_thread(self, self._ready, job, prepared)

    def _progress(self, job: AttachmentJob, fraction: float) -> None:
        chip = self._chip(job)
        if chip is not None:
            chip.show(f"🎤 {job.path.name} transcribing {fraction:.0%}")

    def _ready(self, job: AttachmentJob, prepared: PreparedAttachment) -> None:
        if job not in self.jobs:
            return
        job.prepared = prepared
        chip = self._chip(job)
        if chip is not None:
            recognised = f" · {prepared.recognised}" if prepared.recognised else ""
            chip.show(f"{prepared.chip()}{recognised}")
            chip.add_class("ready")
        if prepared.transcript:
            self.post_message(self.Transcribed(prepared.transcript))

    def _failed(self, job: AttachmentJob, reason: str) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
        chip = self._chip(job)
        if chip is not None:
            chip.remove()
        self.set_class(bool(self.jobs), "-has-chips")
        self.post_message(self.Failed(reason))
