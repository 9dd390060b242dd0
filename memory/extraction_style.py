"""How the user wants answers: "keep it short", "answer in Portuguese", "no emojis", "stop with the lists".

These are requests to the assistant, which extraction otherwise skips, so each sentence is read for them
first and whole (a question like "can you stop with the bullet lists?" still says what the user wants).
"""

from __future__ import annotations

import re

from memory.extraction import Candidate
from memory.extraction_words import LANGUAGES, name_case
from memory.profile import ProfileSection
from memory.records import MemoryKind

STYLE = ProfileSection.ANSWER_STYLE
ANSWERS = r"(?:answers?|replies|reply|responses?|messages)"

# (pattern over the whole sentence, profile key, value, the memory's text)
STYLE_RULES: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key, value, text)
    for pattern, key, value, text in (
        (
            rf"\b(?:keep|make)\s+(?:your\s+|the\s+|my\s+)?(?:{ANSWERS}|it|them|things)\s+(?:short|brief|concise)"
            rf"|\bbe\s+(?:more\s+)?(?:brief|concise)\b|\b(?:short|shorter|brief|concise)\s+{ANSWERS}",
            "length",
            "short",
            "I want short answers",
        ),
        (
            rf"\b(?:longer|more detailed|detailed|in-depth|thorough)\s+(?:{ANSWERS}|explanations)",
            "length",
            "detailed",
            "I want detailed answers",
        ),
        (
            r"\b(?:don't|do not|never|no|stop|without|quit)\b[\w\s]{0,20}\bemojis?\b",
            "emojis",
            "no emojis",
            "I don't want emojis in answers",
        ),
        (
            r"\b(?:don't|do not|never|no|stop|without|fewer|less|quit)\b[\w\s]{0,25}\b(?:bullet(?:s|\s+points|"
            r"\s+lists)?|lists)\b",
            "lists",
            "no bullet lists",
            "I don't want bullet lists in answers",
        ),
        (
            r"\bbe\s+(?:more\s+)?(?P<tone>casual|formal|friendly|direct|blunt)\b",
            "tone",
            "{tone}",
            "I want a {tone} tone",
        ),
        (
            rf"^(?:please\s+|always\s+|(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:answer|reply|respond|write|talk"
            rf"|speak)(?:\s+to\s+me)?(?:\s+back)?(?:\s+only)?\s+in\s+(?P<language>{LANGUAGES})\b"
            rf"|\b{ANSWERS}\s+in\s+(?P<language2>{LANGUAGES})\b"
            rf"|\b(?:switch|go|change)\s+(?:back\s+)?to\s+(?P<language3>{LANGUAGES})\b",
            "language",
            "{language}",
            "I want answers in {language}",
        ),
    )
)


def read_style(sentence: str) -> list[Candidate]:
    """How the user wants answers, from an instruction that is otherwise a request ("keep it short")."""
    found = []
    for pattern, key, value, text in STYLE_RULES:
        if match := pattern.search(sentence):
            groups = {name: value for name, value in match.groupdict().items() if value}
            words = {"tone": groups.get("tone", "").lower()}
            language = groups.get("language") or groups.get("language2") or groups.get("language3") or ""
            words["language"] = name_case(language.lower())
            found.append(
                Candidate(
                    text=text.format(**words),
                    kind=MemoryKind.PREFERENCE,
                    key=f"style.{key}",
                    importance=0.9,
                    confidence=0.9,
                    profile=(STYLE, key, value.format(**words)),
                )
            )
    return found
