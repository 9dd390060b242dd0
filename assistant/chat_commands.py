"""Slash commands typed in the chat: /remember, /forget, /memories, /profile, /undo, /help.

They act on long-term memory at once, without the model, and answer in Markdown. They block (the memory
layer may still be opening), so front ends run them off the UI thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from assistant.command_table import COMMANDS, CommandOutcome
from assistant.recall import MemoryAccess, session_source

if TYPE_CHECKING:
    from assistant.concepts import ConceptService
    from memory.records import Memory
    from memory.writer import WriteReport

__all__ = ["COMMANDS", "CommandOutcome", "describe_report", "is_command", "run_command"]


def is_command(text: str) -> bool:
    return text.split(maxsplit=1)[0].lower() in COMMANDS if text.startswith("/") and text.strip() else False


def describe_report(report: WriteReport) -> list[str]:
    """One line per change, as the user should see it: what was remembered, updated or replaced."""
    from memory.journal import ChangeAction

    lines = []
    superseded = {
        change.after.replaced_by: change.before
        for change in report.changes
        if change.action == ChangeAction.SUPERSEDE and change.after is not None and change.after.replaced_by
    }
    for change in report.changes:
        after = change.after
        if after is None:
            continue
        old = superseded.get(after.id)
        if change.action == ChangeAction.ADD and old is not None:
            lines.append(f"remembered **{after.text}** (replaces *{old.text}*) `{after.id}`")
        elif change.action == ChangeAction.ADD:
            lines.append(f"remembered **{after.text}** `{after.id}`")
        elif change.action == ChangeAction.UPDATE:
            lines.append(f"updated **{after.text}** `{after.id}`")
        elif change.action == ChangeAction.DELETE:
            lines.append(f"forgot *{after.text}* `{after.id}`")
    return lines


def _memory_line(memory: Memory) -> str:
    pin = " ★" if memory.pinned else ""
    return f"- `{memory.id}` {memory.text} — *{memory.kind.value}, {memory.said_at:%d %b %Y}*{pin}"


def run_command(
    memory: MemoryAccess,
    user: str,
    text: str,
    *,
    now: datetime,
    session_id: str = "",
    last: WriteReport | None = None,
    concepts: ConceptService | None = None,
) -> CommandOutcome:
    """Run one slash command for ``user``; ``last`` is what /undo takes back."""
    name, _, argument = text.strip().partition(" ")
    name, argument = name.lower(), argument.strip()
    if name == "/help":
        return CommandOutcome("**Commands**\n\n" + "\n".join(f"- {usage}" for usage in COMMANDS.values()))
    if name == "/concept":
        from assistant.concept_commands import run_concept_command

        if concepts is None:
            return CommandOutcome("Concepts are not available here.", error=True)
        return run_concept_command(concepts, user, argument)
    if not memory.enabled:
        return CommandOutcome("Long-term memory is off (`memory.enabled = false`).", error=True)
    system = memory.get()
    if name == "/remember":
        if not argument:
            return CommandOutcome("Usage: " + COMMANDS["/remember"], error=True)
        sources = [session_source(session_id)] if session_id else []
        report = system.writer.remember(user, argument, sources=sources, said_at=now)
        lines = describe_report(report) or [f"already known: *{argument}*"]
        return CommandOutcome("\n\n".join(f"🧠 {line}" for line in lines), report if report.changes else None)
    if name == "/forget":
        if not argument:
            return CommandOutcome("Usage: " + COMMANDS["/forget"], error=True)
        from memory.writer import WriteReport

        changes = system.writer.forget(user, argument)
        if not changes:
            return CommandOutcome(
                f"Nothing clearly matches *{argument}*; see `/memories {argument}` and forget it by id.", error=True
            )
        report = WriteReport(changes)
        return CommandOutcome("\n".join(f"🗑 {line}" for line in describe_report(report)), report)
    if name == "/memories":
        if argument:
            found = [item.memory for item in memory.retriever.retrieve(user, argument, now=now, k=10)]
            title = f"**What mnemo recalls for** *{argument}*"
        else:
            found = system.memories.store.all(user)[-30:]
            title = f"**Your memories** ({len(found)} most recent; `mnemo memory list` shows all)"
        if not found:
            return CommandOutcome("Nothing remembered yet." if not argument else f"Nothing found for *{argument}*.")
        return CommandOutcome(title + "\n\n" + "\n".join(_memory_line(memory) for memory in found))
    if name == "/profile":
        profile, _ = system.profile.render(user)
        return CommandOutcome(
            f"**Your profile**\n\n{profile}" if profile else "No profile yet: tell me about yourself, or `/remember`."
        )
    if name == "/undo":
        if last is None or not last.changes:
            return CommandOutcome("Nothing to undo.", error=True)
        system.writer.undo(user, last)
        return CommandOutcome("↩ undone: " + "; ".join(describe_report(last)))
    return CommandOutcome(f"Unknown command {name}. Try /help.", error=True)
