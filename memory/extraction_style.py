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
            r"\b(?:in|to|within|under|at most)\s+(?P<count>one|a single|two|three|2-3|1|2|3)\s+sentences?\b"
            r"|\b(?P<words>under|at most|less than|fewer than|max(?:imum)?)\s+(?P<number>\d{2,3})\s+words\b",
            "length",
            "{limit}",
            "I want answers of {limit}",
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
            r"^(?!.*\b(?:don't|do not|never|no|stop|without|fewer|less|quit)\b).*\b(?:answer|reply|respond|use"
            r"|give me|write|format|keep doing|keep using|stick to|stick with)\b[\w\s]{0,20}\bbullet(?:s|\s+points"
            r"|\s+lists)\b|^(?!.*\b(?:don't|do not|never|no|stop|without|fewer|less|quit)\b)\s*(?:\w+\s+){0,6}?bullet"
            r"(?:s|\s+points)\s+(?:please|pls|plz|are great|are perfect|work best|are best)\b"
            r"|^(?!.*\b(?:don't|do not|never|no|stop|without|fewer|less|quit)\b).*\b(?:answers?|replies|responses?"
            r"|things)\s+(?:in|as)\s+bullet(?:s|\s+points|\s+lists)\b",
            "format",
            "bullet points",
            "I want answers in bullet points",
        ),
        (
            r"\bmetric(?:\s+units)?\b(?!\s+(?:ton|system\s+of))",
            "units",
            "metric units",
            "I want metric units",
        ),
        (
            r"\b(?:stop|quit)\s+(?:using|with)\s+(?:so\s+many\s+|all\s+the\s+|the\s+)?exclamation\s+(?:marks|points)"
            r"|\b(?:no|fewer|less|don't use|do not use)\s+(?:\w+\s+)?exclamation\s+(?:marks|points)",
            "exclamation",
            "no exclamation marks",
            "I don't want exclamation marks in answers",
        ),
        (
            r"\b(?:use|using|write in|stick to|prefer)\s+(?P<spelling>british|uk|american|us|australian|canadian)\s+"
            r"(?:english\s+)?spellings?\b",
            "spelling",
            "{spelling} spelling",
            "I want {spelling} spelling",
        ),
        (
            r"\b(?:prices?|costs?|amounts?|budgets?)\s+in\s+(?P<currency>shillings|euros?|dollars|pounds|rupees|yen|pesos"
            r"|reais|rand|naira|dirhams|francs|krona|kronor|kroner|zloty|lira|baht|ringgit|dong|won|yuan|rubles)\b",
            "currency",
            "prices in {currency}",
            "I want prices in {currency}",
        ),
        (
            r"\bbe\s+(?:more\s+)?(?P<tone>casual|formal|friendly|direct|blunt)\b",
            "tone",
            "{tone}",
            "I want a {tone} tone",
        ),
        (
            rf"(?:^|\b(?:please|always|can you|could you|would you)\s+(?:please\s+|always\s+|only\s+)*)(?:answer|reply"
            rf"|respond|write|talk|speak)(?:\s+(?:to\s+)?me)?(?:\s+back)?(?:\s+only)?\s+in\s+(?P<language>{LANGUAGES})\b"
            rf"|\b{ANSWERS}\s+in\s+(?P<language2>{LANGUAGES})\b"
            rf"|\b(?:switch|go|change)\s+(?:back\s+)?to\s+(?P<language3>{LANGUAGES})\b",
            "language",
            "{language}",
            "I want answers in {language}",
        ),
    )
)


def _limit(groups: dict[str, str]) -> str:
    """ "one sentence", "2-3 sentences", "under 50 words"."""
    if count := groups.get("count"):
        count = "one" if count in ("a single", "1") else count
        return f"{count} sentence" + ("" if count == "one" else "s")
    if number := groups.get("number"):
        return f"at most {number} words"
    return ""


NICKNAME = re.compile(
    r"\b(?i:call|calling)\s+me\s+(?!(?:Maybe|Later|Back|Tomorrow|Tonight|Now|Soon|Please|When|If|Anytime|Whenever)\b)"
    r"(?P<name>[A-Z][\w'-]+)"
)


def read_style(sentence: str) -> list[Candidate]:
    """How the user wants answers, from an instruction that is otherwise a request ("keep it short")."""
    found = []
    introduction = re.match(r"^(?:you can |please |just )?call me\s+\w+[.!]?$", sentence.strip(), re.IGNORECASE)
    if not introduction and (match := NICKNAME.search(sentence)):  # "so you may as well call me Doc too"
        found.append(
            Candidate(
                text=f"Call me {match['name']}",
                kind=MemoryKind.PREFERENCE,
                key="style.address",
                importance=0.9,
                confidence=0.9,
                profile=(STYLE, "address me as", match["name"]),
            )
        )
    for pattern, key, value, text in STYLE_RULES:
        if match := pattern.search(sentence):
            groups = {name: value for name, value in match.groupdict().items() if value}
            words = {"tone": groups.get("tone", "").lower()}
            language = groups.get("language") or groups.get("language2") or groups.get("language3") or ""
            words["language"] = name_case(language.lower())
            words["limit"] = _limit(groups)
            words["currency"] = groups.get("currency", "").lower()
            spelling = groups.get("spelling", "").lower()
            words["spelling"] = spelling.upper() if spelling in ("uk", "us") else name_case(spelling)
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
