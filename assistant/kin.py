"""The user's people as memory's texts name them, and kin said in two steps ("my brother Pedro" and "Pedro's
wife Itziar") read as said in one (the sister-in-law). :func:`kin_in` and :func:`chained_kin_in` find them for the
note that spells them out beside the question; :mod:`assistant.asked_detail` reads the same people to tell whether
a text gives the name or age a question asks for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from memory.extraction_words import PETS, RELATIONS

NOT_A_NAME = frozenset(
    """I I'm I've I'd My The A An And But So We Our He She They It His Her Their Monday Tuesday Wednesday Thursday
    Friday Saturday Sunday January February March April May June July August September October November December
    Today Yesterday Tomorrow Christmas Easter What Who Where When Which How That This""".split()
)
SAID_ON = re.compile(r"\((?:about )?(\d{1,2} [A-Z][a-z]{2} \d{4})[,)]")
RELATION_WORD = rf"(?P<rel>{RELATIONS}|{PETS}|hubby|wifey)"
PERSON_PATTERNS = (
    re.compile(
        rf"\b(?:[Mm]y|[Tt]he|[Oo]ur)\s+{RELATION_WORD}\s+(?:is\s+(?:called\s+|named\s+)?)?(?P<name>[A-Z][\w-]+)"
    ),
    re.compile(rf"(?P<name>[A-Z][\w-]+)\s+\((?:my\s+|the\s+)?{RELATION_WORD}\b"),
    re.compile(rf"(?P<name>[A-Z][\w-]+)\s+is\s+my\s+{RELATION_WORD}\b"),
    re.compile(rf"(?:^|[.,;!?-]\s+)(?i:{RELATION_WORD})\s+is\s+(?:called\s+|named\s+)?(?P<name>[A-Z][\w-]+)"),
)
POSSESSIVE_NAME = re.compile(r"\b([A-Z][\w-]+)'s\b")

SPOUSE = r"(?:husband|wife|partner|spouse|fianc[ée]e?|fiance)"
KIN = [
    (rf"{SPOUSE}'s (?:sister)|brother's (?:wife|partner|fianc[ée]e?)", "sister-in-law"),
    (rf"{SPOUSE}'s (?:brother)|sister's (?:husband|partner|fianc[ée]e?)", "brother-in-law"),
    (rf"{SPOUSE}'s (?:mother|mum|mom)", "mother-in-law"),
    (rf"{SPOUSE}'s (?:father|dad)", "father-in-law"),
    (r"(?:brother|sister)'s (?:daughter|(?:little |baby )?girl)", "niece"),
    (r"(?:brother|sister)'s (?:son|(?:little |baby )?boy)", "nephew"),
    (r"(?:son|daughter)'s (?:daughter|(?:little |baby )?girl)", "granddaughter"),
    (r"(?:son|daughter)'s (?:son|(?:little |baby )?boy)", "grandson"),
    (r"(?:mother|mum|mom|father|dad)'s sister", "aunt"),
    (r"(?:mother|mum|mom|father|dad)'s brother", "uncle"),
]
KIN_PATTERNS = [(re.compile(rf"\b(?:{phrase})\b", re.I), kin) for phrase, kin in KIN]


def spelled_kin(text: str) -> str:
    """The text with kin said in two steps also said in one: "my husband's sister Aoife" also reads "my
    sister-in-law Aoife", so a question about the sister-in-law finds her."""
    for pattern, kin in KIN_PATTERNS:
        text = pattern.sub(rf"\g<0> {kin}", text)
    return text


def kin_named(text: str) -> str:
    """The text with kin said in two steps said in one instead: "my brother's little girl" → "my niece"."""
    for pattern, kin in KIN_PATTERNS:
        text = pattern.sub(kin, text)
    return text


@dataclass(frozen=True)
class Kin:
    """One of the user's people that memory names only in two steps: the sister-in-law is "Pedro's wife Itziar"."""

    kin: str
    name: str
    via: str
    """How memory says it, from the user: "my brother Pedro's wife"."""


NAMED_KIN = [
    (
        re.compile(
            rf"(?:\b(?P<via>[A-Z][\w-]+)'s\s+)?\b(?P<phrase>{phrase})\s+(?:is\s+|called\s+|named\s+)?(?P<name>[A-Z][\w-]+)"
        ),
        kin,
    )
    for phrase, kin in KIN
]


def kin_in(question: str, known: Sequence[str]) -> list[Kin]:
    """The kin the question asks about ("my sister-in-law") whom the known texts name only in two steps."""
    asked = re.sub(r"\b(\w+)[ -]in[ -]law\b", r"\1-in-law", question.lower())
    wanted = [(pattern, kin) for pattern, kin in NAMED_KIN if re.search(rf"\b{kin}\b", asked)]
    if not wanted:
        return []
    texts, people = read_people(known)
    found: dict[str, Kin] = {}
    for text in texts:
        resolved = with_relations(text, people)
        for pattern, kin in wanted:
            for match in pattern.finditer(resolved):
                if match["name"] in NOT_A_NAME or match["name"].lower() in found:
                    continue
                first, _, rest = match["phrase"].partition("'s ")
                via = f"my {first} {match['via']}'s {rest}" if match["via"] else f"my {match['phrase']}"
                found[match["name"].lower()] = Kin(kin, match["name"], via)
    return list(found.values())


CHAIN = re.compile(rf"\bmy\s+(?P<first>{RELATIONS})'s\s+(?P<second>{RELATIONS})\b", re.IGNORECASE)
""" "my best friend's fiancé": one of the user's people, and theirs."""


def chained_kin_in(question: str, known: Sequence[str]) -> list[Kin]:
    """ "What does my best friend's fiancé do?" when memory says "my best friend Solene" and "Solene's fiancé Theo"."""
    if (asked := CHAIN.search(question)) is None:
        return []
    first, second = asked["first"].lower(), asked["second"].lower()
    texts, people = read_people(known)
    found: dict[str, Kin] = {}
    for owner in (name for name, relation in people.items() if relation == first):
        theirs = re.compile(rf"\b{re.escape(owner)}'s\s+{re.escape(second)}\s+(?P<name>[A-Z][\w-]+)", re.IGNORECASE)
        for match in (match for text in texts for match in theirs.finditer(text)):
            if match["name"] not in NOT_A_NAME:
                via = f"my {first} {owner.title()}'s {second}"
                found.setdefault(match["name"].lower(), Kin(f"{first}'s {second}", match["name"], via))
    return list(found.values())


def kin_spelled_out(known: Sequence[str]) -> list[str]:
    """Each known text with the people it names by name also named by relation, and kin said in two steps also
    said in one ("Agnieszka's brother Marek" reads "Agnieszka's wife's brother brother-in-law Marek")."""
    _, people = read_people(known)
    return [spelled_kin(with_relations(text, people)) for text in known]


def read_people(known: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The known texts with a recalled part's lines grouped by day, and the people they name."""
    texts = [group for text in known for group in _said_together(text)]
    return texts, _people(texts)


def _said_together(text: str) -> list[str]:
    """A recalled part's lines grouped by the day they were said; any other text whole."""
    days: dict[str, list[str]] = {}
    for line in text.splitlines():
        day = SAID_ON.search(line)
        days.setdefault(day[1] if day else line, []).append(line)
    return [" ".join(lines) for lines in days.values()]


def _people(texts: Sequence[str]) -> dict[str, str]:
    """Who the texts name, lower-case name → relation ("the wife Rhian", "Rosa (mother", "Karim is my dad")."""
    found: dict[str, str] = {}
    for text in texts:
        for pattern in PERSON_PATTERNS:
            for match in pattern.finditer(text):
                if match["name"] not in NOT_A_NAME:
                    found[match["name"].lower()] = match["rel"].lower()
    return found


def with_relations(text: str, people: dict[str, str]) -> str:
    """ "Rhian's mum" → "Rhian's wife's mum" when Rhian is the user's wife."""

    def relation(match: re.Match[str]) -> str:
        known = people.get(match[1].lower())
        return f"{match[0]} {known}'s" if known else match[0]

    return POSSESSIVE_NAME.sub(relation, text)
