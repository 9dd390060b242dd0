"""The chat's slash commands (name → usage) and what running one gives back; shared by every command module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memory.writer import WriteReport

COMMANDS = {
    "/remember": "/remember TEXT — remember this, as written",
    "/forget": "/forget ID or WORDS — forget that memory (the best clear match)",
    "/memories": "/memories [WORDS] — what mnemo remembers (about WORDS)",
    "/profile": "/profile — your profile, as the model sees it",
    "/undo": "/undo — take back what was just remembered or forgotten",
    "/attach": "/attach [PATH] — attach a photo or voice note (Tab completes; no path opens a picker)",
    "/concept": '/concept add NAME ["description"] FILES… · list · show NAME · rm NAME — your things in photos',
    "/help": "/help — these commands",
}


@dataclass
class CommandOutcome:
    text: str
    """Markdown to show in the chat."""
    report: WriteReport | None = None
    """What changed, when /undo can take it back."""
    error: bool = False
