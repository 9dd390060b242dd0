"""Why did it say that? The memories and profile entries that were in a reply's prompt, as they were then."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown

if TYPE_CHECKING:
    from assistant.factory import Assistant
    from assistant.prompt import PromptPart

NOT_KEPT = (
    "This reply was written before mnemo kept what went into each prompt, so it cannot say. "
    "Replies from now on can be explained."
)


def explain(assistant: Assistant, user: str, parts: list[PromptPart] | None, reply: str = "") -> str:
    """Markdown: each memory and profile part of the prompt, and what has become of its memories since."""
    if parts is None:
        return NOT_KEPT
    memory_parts = [part for part in parts if part.source == "memory"]
    notes = [part for part in parts if part.source in NOTE_SOURCES]
    other = [part.title for part in parts if part.source not in ("memory", "", *NOTE_SOURCES) and part.title.strip()]
    lines: list[str] = []
    if not memory_parts:
        lines.append("No memories or profile entries were in its prompt: it answered from the chat alone.")
    # A profile entry and a recalled memory often rest on the same memory: look each one up once.
    ids = list(dict.fromkeys(ref.removeprefix("profile:") for part in memory_parts for ref in part.references))
    current = {}
    if ids and assistant.memory.enabled:
        current = {memory.id: memory for memory in assistant.memory.get().memories.store.get_many(user, ids)}
    for part in memory_parts:
        lines.append(f"**{part.title}**")
        lines.append("")
        lines.extend(f"> {line}" for line in part.text.splitlines() if line.strip())
        lines.append("")
        changed = []
        for ref in part.references:
            memory = current.get(ref.removeprefix("profile:"))
            if memory is None:
                continue
            if not memory.is_active:
                changed.append(f"- `{memory.id}` is now **{memory.status.value}**: *{memory.text}*")
        if changed:
            lines.append("Since then:")
            lines.extend(changed)
            lines.append("")
    for part in notes:
        lines.extend(_note_lines(part, reply))
    if other:
        lines.append("Also in the prompt: " + ", ".join(other) + ".")
    lines.append("")
    lines.append("*F5 opens your memories, where any of these can be corrected or deleted.*")
    return "\n".join(lines)


NOTE_SOURCES = ("constraint", "kin", "time", "unknown", "style", "acknowledge")


def _note_lines(part: PromptPart, reply: str) -> list[str]:
    """A constraint note (with the warning shown under the reply and its memory, and the reply's first words when
    the app wrote them), a "who is who" note, a note worked out from dates, the answer style (and what of it the
    app kept itself) or a "not in memory" note."""
    if part.source == "constraint":
        lines = ["**Constraints that bear on this message** (the warning under the reply)", ""]
        lines += [f"- {notice} `{ref}`" for notice, ref in zip(part.notices, part.references, strict=False)]
        if part.opening and reply.startswith(part.opening):
            lines += ["", f"The reply's first words are mnemo's, and the model went on from them: “{part.opening}”"]
        return [*lines, ""]
    if part.source == "kin":
        return ["**Who is who** (people and pets the message names, spelled out)", "", f"> {part.text}", ""]
    if part.source == "time":
        lines = ["**Worked out from the dates in memory**", "", f"> {part.text}"]
        if part.opening and reply.startswith(part.opening):
            lines += ["", f"The reply's first words are mnemo's, and the model went on from them: “{part.opening}”"]
        return [*lines, ""]
    if part.source == "style":
        lines = ["**How you want answers**", "", f"> {part.text}"]
        if part.rules:
            lines += ["", f"mnemo kept these on the reply itself, whatever the model wrote: {', '.join(part.rules)}."]
        if part.opening and reply.startswith(part.opening):
            lines += ["", f"The reply's first words are mnemo's, and the model went on from them: “{part.opening}”"]
        return [*lines, ""]
    if part.source == "acknowledge":
        return [
            "**News about you** (mnemo answered itself with what it will remember; the model was not asked)",
            "",
            f"> {part.reply}",
            "",
        ]
    return ["**Not in memory**", "", f"> {part.text}", ""]


class WhyScreen(ModalScreen[None]):
    """Shows what a reply was written from; Left/Right step to earlier and later replies."""

    BINDINGS = [
        Binding("escape,q,f4", "dismiss(None)", "Close"),
        Binding("left", "step(-1)", "Earlier reply"),
        Binding("right", "step(1)", "Later reply"),
    ]

    def __init__(self, assistant: Assistant, user: str, replies: list[tuple[int, str]]) -> None:
        super().__init__()
        self.assistant = assistant
        self.user = user
        self.replies = replies
        self.index = len(replies) - 1

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Why did it say that?  (← → other replies · Escape closes)", classes="dialog-title")
            yield Label("", id="why-reply", markup=False)
            with VerticalScroll(id="why-body"):
                yield Markdown("Looking it up…", id="why-text")

    def on_mount(self) -> None:
        self._show()

    def action_step(self, delta: int) -> None:
        index = self.index + delta
        if 0 <= index < len(self.replies):
            self.index = index
            self._show()

    def _show(self) -> None:
        message_id, reply = self.replies[self.index]
        excerpt = " ".join(reply.split())
        excerpt = excerpt if len(excerpt) <= 44 else excerpt[:43] + "…"
        position = f"reply {self.index + 1} of {len(self.replies)}"
        self.query_one("#why-reply", Label).update(f"{position}: “{excerpt}”")
        self._load(message_id, reply)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self, message_id: int, reply: str) -> None:
        from assistant.prompt import parts_from_json

        try:
            stored = self.assistant.store.reply_context(message_id)
            parts = None if stored is None else parts_from_json(stored)
            text = explain(self.assistant, self.user, parts, reply)
        except Exception as error:  # noqa: BLE001 - shown in the dialog
            text = f"Could not look it up: {error}"
        self.app.call_from_thread(self.query_one("#why-text", Markdown).update, text)
