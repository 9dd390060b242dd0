"""The reply to a message that only tells mnemo about the user: the app's own "Got it: I'll remember that your
cousin Farid lives in Oslo.", written from what memory will keep of it.

Told "My cousin Farid lives in Oslo." in a new chat, the small packaged model replied "Hi! How can I assist you
today?", or restated older memories ("Hi! I'm Marta. I'm allergic to peanuts …"), or invented ("You live in Oslo
now. Your cousin Farid lives in Seville."); a note asking for a short acknowledgement and an opening ("Got it")
made it restate more. The app knows what it will remember, so it says that, at once and without the model.

Only where it is sure that the message is news and not talk: nothing in it asks or requests, what memory keeps of
it is a lasting fact (a person, a pet, a health fact, a job, a habit; not an event of the day, which may want a
word of sympathy), and it carries no feeling ("my sister Noor is driving me nuts" is venting, not news). Anything
else goes to the model as before; ``memory.acknowledge = false`` sends everything there (a larger model on a
server answers news well).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.prompt import PromptPart, PromptRequest
from memory.extraction_text import tells_only
from memory.records import MemoryKind
from memory.voice import second_person

if TYPE_CHECKING:
    from assistant.recall import MemoryAccess
    from memory.extraction import Candidate

LASTING = frozenset(
    {
        MemoryKind.FACT,
        MemoryKind.PREFERENCE,
        MemoryKind.PERSON,
        MemoryKind.PET,
        MemoryKind.THING,
        MemoryKind.ROUTINE,
        MemoryKind.CONSTRAINT,
    }
)
FEELING = re.compile(
    r"\b(?:ugh|argh|sigh|damn|sad|upset|angry|annoyed|annoying|furious|cross|tired|exhausted|stressed|stressful"
    r"|worried|worry|anxious|scared|afraid|nervous|lonely|miss(?:es|ed|ing)?|hate[sd]?|cry(?:ing)?|cried|hurts?"
    r"|sick|ill|awful|terrible|horrible|rough|hard|tough|bad|worse|worst|nuts|crazy|mad|sorry|unfortunately"
    r"|died|dead|passed away|lost|grief|grieving|broke up|divorc\w*|fired|laid off|heartbroken|depressed|low"
    r"|excited|exciting|thrilled|delighted|proud|happy|happier|love|lovely|amazing|wonderful|congrat\w*|yay|woo+"
    r"|omg|scary|insane|sadly|big news|sh+)\b|!!|[:;]-?[()DP]|<3",
    re.IGNORECASE,
)
"""Words of feeling, glad or sad: such a message wants an answer in kind, which the model writes."""


def acknowledgement(text: str, candidates: Sequence[Candidate]) -> str:
    """ "Got it: I'll remember that your cousin Farid lives in Oslo." for a message that only tells lasting facts,
    each said back to the user as "you"; "" when the model should answer."""
    if not candidates or not tells_only(text) or FEELING.search(text):
        return ""
    if any(candidate.kind not in LASTING for candidate in candidates):
        return ""
    clauses = [second_person(candidate.text.rstrip(". ")) for candidate in candidates]
    clauses = [clause for clause in dict.fromkeys(clauses) if re.match(r"you\b|your\b|you're\b", clause)]
    if not clauses:  # "Nothing with Nutella for you" does not read after "I'll remember that"
        return ""
    said = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
    return f"Got it: I'll remember that {said}."


class AcknowledgementNote:
    """The app's own reply to news about the user (see the module's docs); nothing when memory will not keep the
    message, when memory extracts with the model (previewing it would cost a second model call), or when off."""

    name = "acknowledge"

    def __init__(self, access: MemoryAccess) -> None:
        self.access = access

    def note(self, request: PromptRequest, parts: Sequence[PromptPart]) -> PromptPart | None:
        settings = self.access.settings.memory
        if not (self.access.enabled and settings.acknowledge and settings.extractor == "rules"):
            return None
        if not request.remembered or request.attachments or any(part.reply for part in parts):
            return None
        if not tells_only(request.text) or FEELING.search(request.text):
            return None  # before the extraction: most messages end here
        try:
            candidates = self.access.preview(request.user, request.text, request.now)
        except Exception:  # noqa: BLE001 - the model replies instead; the memory write reports its own trouble
            return None
        reply = acknowledgement(request.text, candidates)
        if not reply:
            return None
        return PromptPart("", "", order=97, source="acknowledge", placement="turn", reply=reply)
