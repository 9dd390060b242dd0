"""Constraints: what the user's health, diet and firm "never"s rule out, and which of them bear on a message.

A constraint is a memory of its own kind (``MemoryKind.CONSTRAINT``): an allergy or intolerance, a diet, a
condition, a medication, or something the user never wants. Every message is checked against all of the
user's constraints, not only the recalled ones, because a small model ignores an allergy it was told about
and the user must still see the warning. :class:`ConstraintFinder` decides by words, in order:

1. the message names what the constraint is about ("peanut sauce" and "allergic to peanuts");
2. it names something known to clash with it (:data:`memory.constraint_terms.TRIGGERS`: "satay");
3. it is an open request in the constraint's domain and names no specific food or drug ("what should I cook
   tonight?" matters to every food allergy; "how long do I boil an egg?" does not matter to peanuts).

``bench/constraints.py`` measures it on a labelled set of related and unrelated message/constraint pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from memory.constraint_terms import CONDITION_AVOIDS, CONSTRAINT_DOMAINS, DOMAIN_REQUESTS, EXTRA_DOMAINS, TRIGGERS
from memory.records import Memory, MemoryKind
from memory.voice import second_person


class ConstraintKind(StrEnum):
    ALLERGY = "allergy"
    INTOLERANCE = "intolerance"
    DIET = "diet"
    CONDITION = "condition"
    MEDICATION = "medication"
    NEVER = "never"


DIETS = (
    r"vegetarian|vegan|pescatarian|pescetarian|halal|kosher|keto|teetotal|plant[- ]based|mediterranean|paleo"
    r"|low[- ]carb|low[- ]fodmap"
)
CONDITIONS = (
    r"(?:type\s+[12]\s+)?diabetes|diabetic|pregnant|coeliac|celiac|coeliac disease|celiac disease|epilepsy"
    r"|epileptic|asthma|asthmatic|gout|ibs|acid reflux|reflux|high blood pressure|hypertension|migraines?"
    r"|kidney disease|crohn's|a heart condition|high cholesterol|a bad knee|bad knees|a bad back|vertigo"
    r"|breastfeeding|nursing|fructose intolerance|lactose intolerance|back problems|back pain|knee problems"
    r"|arthritis|anaemia|anemia|sleep apnoea|sleep apnea"
)
CONSTRAINT_PATTERNS: tuple[tuple[ConstraintKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (ConstraintKind.ALLERGY, r"\ballergic\s+to\s+(?P<subject>[\w\s'-]+)"),
        (ConstraintKind.ALLERGY, r"\b(?:an?\s+)?(?:severe\s+|bad\s+|mild\s+)?(?P<subject>[\w-]+(?:\s+nut)?)\s+allergy"),
        (ConstraintKind.INTOLERANCE, r"\b(?P<subject>[\w]+)[- ](?:intolerant|intolerance|sensitivity|free)\b"),
        (ConstraintKind.INTOLERANCE, r"\bintolerant\s+to\s+(?P<subject>[\w\s]+)"),
        (ConstraintKind.INTOLERANCE, r"\bcan(?:'t|not)\s+(?:eat|digest|have|tolerate)\s+(?P<subject>[\w\s]+)"),
        (
            ConstraintKind.CONDITION,
            r"(?:\b(?:i'm|i am|i have|i've got|i got|i've been diagnosed with|i get|i've had|i have had)"
            r"|^(?:got|have|been diagnosed with))"
            rf"\s+(?:an?\s+)?"
            r"(?:[\w-]+\s+)?"
            rf"(?P<subject>{CONDITIONS})\b",
        ),
        (
            ConstraintKind.DIET,
            r"(?:^been|^(?:i'm\s+|i am\s+)?going|^gone|\b(?:i'm|i am|i've been|i have been|i went|i keep|i eat"
            r"|i only eat|i eat only|i've gone|i have gone|i switched to|i've switched to|i'm doing|i'm on"
            r"|i've been doing|i've been on|i have been doing|^doing|we(?:'re| are| only| keep| eat| only eat)+))"
            r"\s+(?:more\s+of\s+)?(?:an?\s+)?"
            rf"(?:strict\s+|fully\s+|mostly\s+)?(?P<subject>{DIETS})\b",
        ),
        (ConstraintKind.DIET, r"\bi\s+(?:don't|do not|never|no longer|can't)\s+eat\s+(?P<subject>[\w\s]+)"),
        (
            ConstraintKind.MEDICATION,
            r"(?:^been on|\b(?:i take|i'm taking|i am taking|i'm on|i am on|i've been on|i have been on"
            r"|i've been taking|i (?:always\s+)?(?:carry|use) my|i was prescribed"
            r"|(?:started|put|switched|moved|changed)\s+me\s+(?:from\s+[\w-]+\s+)?(?:on|onto|to)"
            r"|i've been prescribed|i have been prescribed|i started taking|i'm now on))\s+(?P<subject>[\w\s'-]+)",
        ),
        (
            ConstraintKind.CONDITION,
            r"\bmy\s+(?P<subject>(?:blood pressure|cholesterol|blood sugar)\s+is\s+(?:too\s+|very\s+|really\s+)?high)",
        ),
        (ConstraintKind.NEVER, r"\bi\s+(?:don't|do not|never)\s+drink(?P<subject>\s+alcohol)?\b"),
        (
            ConstraintKind.NEVER,
            r"\b(?:never|don't ever|do not ever)\s+(?:want\s+to\s+|suggest\s+|recommend\s+|book\s+|plan\s+|give\s+"
            r"|offer\s+|send\s+|eat\s+|drink\s+)(?:me\s+)?(?:any\s+)?(?P<subject>[\w\s'-]+)",
        ),
        (ConstraintKind.NEVER, r"\b(?:terrified|scared|afraid)\s+of\s+(?P<subject>[\w\s'-]+)"),
        (ConstraintKind.NEVER, r"\bi\s+can(?:'t|not)\s+(?P<subject>drive|swim|ride a bike|cycle|ski)\b"),
        (
            ConstraintKind.NEVER,
            r"\bi(?:'ve|\s+have)?\s+never\s+(?:even\s+)?"
            r"(?P<subject>driven|flown|learn(?:ed|t) to drive|had a licen[cs]e)",
        ),
        (ConstraintKind.NEVER, r"^no\s+(?P<subject>[\w\s'-]+?)\s+(?:ever|please|for me|at all)\b"),
        (ConstraintKind.CONDITION, r"^(?P<subject>(?:type\s+[12]\s+)?diabetic|coeliac|celiac|pregnant)\b"),
        (
            ConstraintKind.CONDITION,
            r"\bi\s+get\s+(?:\w+\s+)?(?P<subject>seasick|carsick|airsick|motion sickness|migraines)",
        ),
        (ConstraintKind.NEVER, r"\b(?:no|nothing\s+with)\s+(?P<subject>[\w\s'-]+?)\s+for\s+me\b"),
    )
)
MEDICATION_WORDS = re.compile(
    r"blood thinners?|anticoagulants?|antidepressants?|insulin|inhalers?|medication|statins?|ssris?"
    r"|\b\w+(?:arin|pril|olol"
    r"|statin|xetine|pram|line|oxetine|azole|formin|ium|roxine|trexate|ban|zine|pine|done|lam|tine|xine|mab|nib"
    r"|cillin|mycin|cycline|sone|lone|dol|sartan|dipine|prazole)\b",
    re.IGNORECASE,
)
SUBJECT_END = re.compile(
    r"\s+(?:and|but|so|since|because|which|when|if|for|as|every|each|daily|twice|once|now|at|in|to|after|before"
    r"|anywhere|anymore|ever|again|please)\b.*$|,.*$",
    re.IGNORECASE,
)
FILLER = frozenset("a an the some any all really very severely deathly quite also too".split())


@dataclass(frozen=True)
class Constraint:
    """One of the user's constraints, from the memory that states it."""

    memory_id: str
    kind: ConstraintKind
    subject: str
    """What it is about, as the user said it: "peanuts", "type 2 diabetes", "warfarin", "fly"."""
    text: str
    """The memory's text, in the user's voice."""
    said_at: datetime

    @property
    def warning(self) -> str:
        """The line shown under a reply: ``⚠ You told me you're allergic to peanuts (12 Nov)``; a "never" in the
        user's own words: ``⚠ You told me: “Never suggest flying to me” (7 Sep)``."""
        return f"⚠ You told me{self._what_you_said()} ({self.said_at:%-d %b})"

    @property
    def reminder(self) -> str:
        """What the user said, for the start of a reply: ``you're allergic to peanuts``, ``: “Never suggest
        flying to me”``."""
        return self._what_you_said().lstrip(" ")

    @property
    def avoids(self) -> str:
        """What heeding a condition steers clear of ("gluten" for coeliac disease); "" when the table does not say."""
        lowered = f"{self.subject} {self.text}".lower()
        return next((avoid for stem, avoid in CONDITION_AVOIDS.items() if re.search(rf"\b{stem}", lowered)), "")

    def _what_you_said(self) -> str:
        subject = self.subject.lower()
        if self.kind == ConstraintKind.ALLERGY:
            return f" you're allergic to {subject}"
        if self.kind == ConstraintKind.MEDICATION:
            return f" you take {subject}"
        if self.kind == ConstraintKind.DIET:
            return f" you only eat {subject}" if subject in ("halal", "kosher") else f" you're {subject}"
        if re.match(r"^(?:never|no|nothing|don't|do not)\b", self.text, re.IGNORECASE):
            return f": “{self.text.rstrip('.')}”"
        said = second_person(self.text).rstrip(".")
        return f" {said[:1].lower()}{said[1:]}"


def read_constraint(text: str) -> tuple[ConstraintKind, str] | None:
    """The kind and subject of a constraint the text states, or None: ``"I'm allergic to peanuts"`` →
    ``(ALLERGY, "peanuts")``."""
    for kind, pattern in CONSTRAINT_PATTERNS:
        match = pattern.search(text.replace("’", "'"))
        if match is None:
            continue
        subject = SUBJECT_END.sub("", (match["subject"] or "alcohol").strip()).strip(" .!")
        words = [word for word in subject.split() if word.lower() not in FILLER]
        subject = " ".join(words[:4])
        if not subject:
            continue
        if kind == ConstraintKind.MEDICATION and not MEDICATION_WORDS.search(subject):
            continue  # "I'm on holiday" is no medication
        if (
            kind == ConstraintKind.INTOLERANCE
            and pattern.pattern.startswith(r"\b(?P<subject>[\w]+)[- ]")
            and (
                subject.lower() not in ("lactose", "gluten", "dairy", "nut", "sugar", "wheat", "egg", "soy", "fructose")
            )
        ):
            continue  # "stress-free", "hands-free"
        return kind, subject
    return None


def constraint_of(memory: Memory) -> Constraint | None:
    """The constraint a memory states, if it is one (by kind, or by what it says for older memories)."""
    if memory.kind not in (MemoryKind.CONSTRAINT, MemoryKind.FACT, MemoryKind.PREFERENCE):
        return None
    found = read_constraint(memory.text)
    if found is None:
        return None
    kind, subject = found
    return Constraint(memory.id, kind, subject, memory.text, memory.said_at)


def _stems(subject: str) -> list[str]:
    """The TRIGGERS entries a subject names: "peanuts" → ["peanut", "nut"]; "type 2 diabetes" → ["diabet"]."""
    lowered = subject.lower()
    return [stem for stem in TRIGGERS if re.search(rf"\b{re.escape(stem)}", lowered)]


@lru_cache(maxsize=4096)
def _term_pattern(terms: str) -> re.Pattern[str] | None:
    """One pattern for a space-separated list of terms; multi-word terms from the table are kept whole."""
    words = sorted(set(_split_terms(terms)), key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?:s|es|'s)?(?![\w-])", re.IGNORECASE)


def _split_terms(terms: str) -> list[str]:
    return [word.replace("_", " ").lower() for word in terms.split() if len(word) > 1]


ALL_FOODS = " ".join(value for key, value in TRIGGERS.items() if key not in ("fly", "flight", "plane", "horror"))
SAFE_FOODS = (
    "rice salad soup egg eggs chicken potato potatoes vegetables veg fruit apple banana oats porridge toast pasta "
    "lentils beans tofu avocado tomato tomatoes carrot carrots broccoli spinach mushroom mushrooms quinoa steak "
    "salmon roast tea coffee water"
)
# A named dish or ingredient, not the open words of a request ("a dessert", "a treat", "drinks").
SPECIFIC_THINGS = _term_pattern(
    " ".join(
        sorted(
            set(f"{ALL_FOODS} {SAFE_FOODS}".split())
            - set(DOMAIN_REQUESTS["food"].split())
            - set(DOMAIN_REQUESTS["drink"].split())
        )
    )
)
GROUND_TRAVEL = _term_pattern("train trains rail railway bus coach drive driving car cycle cycling walk walking")


class ConstraintFinder:
    """Which of the user's constraints bear on a message (see the module docstring)."""

    def bearing_on(self, message: str, constraints: Iterable[Constraint]) -> list[Constraint]:
        return [constraint for constraint in constraints if self.bears_on(message, constraint)]

    def bears_on(self, message: str, constraint: Constraint) -> bool:
        text = message.replace("’", "'")
        stems = _stems(f"{constraint.subject} {constraint.text}")
        own = _term_pattern(" ".join([*stems, *_content_words(constraint.subject)]))
        if own is not None and own.search(text):
            return True
        triggers = _term_pattern(" ".join(TRIGGERS[stem] for stem in stems))
        if triggers is not None and triggers.search(text):
            return True
        return any(self._open_request(text, domain) for domain in _domains(constraint, stems))

    @staticmethod
    def _open_request(text: str, domain: str) -> bool:
        request = _term_pattern(DOMAIN_REQUESTS[domain])
        if request is None or not request.search(text):
            return False
        if domain == "food" and SPECIFIC_THINGS is not None and SPECIFIC_THINGS.search(text):
            return False  # a named food is judged by its name alone
        if domain == "travel" and GROUND_TRAVEL is not None and GROUND_TRAVEL.search(text):
            return False  # "a day trip by train" is judged by the train
        return True


def _domains(constraint: Constraint, stems: Sequence[str]) -> tuple[str, ...]:
    for stem in stems:
        if stem in EXTRA_DOMAINS:
            return EXTRA_DOMAINS[stem]
    return CONSTRAINT_DOMAINS[constraint.kind.value]


CONTENT_STOP = frozenset("to of in on at for with and or me my i type".split())


def _content_words(subject: str) -> list[str]:
    return [word for word in re.findall(r"[a-z][a-z'-]+", subject.lower()) if word not in CONTENT_STOP]
