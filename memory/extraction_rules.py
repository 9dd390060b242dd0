"""The rule extractor: first-person self-disclosure and stable facts, read with plain patterns.

Each reader knows one way people tell things about themselves ("I live in …", "I'm allergic to …",
"every morning I …") and writes the memory as a clean statement in the user's voice with a key for its
slot. What no reader recognises is not stored: a missed fact costs less than junk, and the episode of the
turn keeps every word anyway.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import ValidationError

from memory.extraction import Candidate, ExtractionContext, fact
from memory.extraction_habits import read_changed_schedule, read_hobby, read_routine
from memory.extraction_health import read_constraint_statement, read_diet_and_allergy
from memory.extraction_identity import read_identity
from memory.extraction_likes import read_like
from memory.extraction_passing import (
    as_their_news,
    in_passing,
    introductions,
    name_fix,
    where_visited,
    with_area_kept,
    with_there_named,
)
from memory.extraction_people import People, read_person
from memory.extraction_style import read_style
from memory.extraction_text import NEGATION, QUOTE, clauses, clean, is_skipped, sentences, with_implied_i, without_emoji
from memory.extraction_words import (
    PETS,
    PROFESSIONS,
    object_phrase,
    slug,
    when,
    with_absolute_time,
)
from memory.profile import ProfileSection
from memory.records import MemoryKind

IDENTITY = ProfileSection.IDENTITY


def read_health_and_taste(clause: str) -> Candidate | None:
    """Diet, allergies, likes and dislikes, favourites and preferences (negations allowed here)."""
    if found := read_diet_and_allergy(clause):
        return found
    if match := re.match(
        r"^(?:(?P<whose>my|our)\s+|own\s+)(?:own\s+)?(?P<day>(?:wedding\s+)?anniversary|birthday)(?:\s+is|'s|(?=\s+"
        r"(?:on\s+|the\s+)?(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))\s+(?:on\s+)?"
        r"(?:the\s+)?"
        r"(?P<rest>.+)$",
        clause,
        re.I,
    ):
        day = object_phrase(re.split(r"\s+(?:and|but|so)\s+", match["rest"], maxsplit=1)[0])
        if day:
            what = match["day"].lower()
            whose = match["whose"] or "my"
            return fact(f"{whose} {what} is on {day}", f"user.{slug(what)}", (IDENTITY, what, day))
    if match := re.match(
        rf"^(?:i|we)\s+(?:have|'ve got|have got|own)\s+(?P<count>two|three|four|five|\d)\s+(?P<pets>{PETS})s?"
        r"\s*(?:,|:|called|named)\s*(?P<names>[A-Z]\w*(?:,\s*[A-Z]\w*)*\s+and\s+[A-Z]\w*)$",
        clause,
        re.I,
    ):
        pets = match["pets"].lower()
        return fact(
            f"I have {match['count']} {pets}s called {match['names']}",
            f"pets.{slug(pets)}",
            (ProfileSection.PETS, f"{pets}s", match["names"]),
            kind=MemoryKind.PET,
            importance=0.8,
        )
    if match := re.match(
        r"^my\s+(?:all[- ]time\s+)?favou?rite\s+(?P<what>[\w\s]+?)\s+(?:is|are)\s+(?P<rest>.+)$", clause, re.I
    ):
        liked = object_phrase(match["rest"])
        if liked:
            what = match["what"].lower()
            return fact(
                f"My favourite {what} is {liked}",
                f"likes.favourite_{slug(what)}",
                (ProfileSection.LIKES, f"favourite {what}", liked),
                kind=MemoryKind.PREFERENCE,
                importance=0.7,
            )
    if match := re.match(r"^i\s+(?:much\s+|really\s+|generally\s+|usually\s+)?prefer\s+(?P<rest>.+)$", clause, re.I):
        preferred = object_phrase(match["rest"])
        if preferred:
            first = re.split(r"\s+(?:over|to|than|instead of|rather than)\s+", preferred, maxsplit=1)[0]
            return fact(
                f"I prefer {preferred}",
                f"prefers.{slug(first)}",
                (ProfileSection.LIKES, first.lower(), f"prefers {preferred}"),
                kind=MemoryKind.PREFERENCE,
                importance=0.6,
            )
    return read_like(clause)


WE = r"(?:i|we|\w+\s+and\s+i|me\s+and\s+\w+|\w+\s+and\s+me)"
PLAN = re.compile(
    rf"^{WE}(?:\s+am|'m|\s+are|'re)\s+(?P<verb>\w+ing)\b"
    rf"|^{WE}(?:\s+will|'ll|\s+have|'ve got|\s+have got|\s+plan to|'m planning to|\s+am planning to)\s",
    re.IGNORECASE,
)
EVENT = re.compile(
    rf"^{WE}\s+(?:just\s+|finally\s+|recently\s+)?(?:went|visited|had|started|finished|got|met|saw|ran|did"
    r"|adopted|bought|watched|tried|attended|took|passed|won|lost|completed|celebrated|flew|drove|graduated"
    r"|joined|quit|booked|climbed|hiked|swam|played|spent|came|returned|broke|signed|moved)\b",
    re.IGNORECASE,
)
MY_DATED = re.compile(
    r"^(?:my|our)\s+(?:[\w-]+\s+){0,3}?(?:test|exam|interview|appointment|surgery|operation|wedding|flight|trip"
    r"|holiday|party|race|marathon|gig|concert|scan|deadline|viva|move|graduation|due date)\s+(?:is|'s)\s+",
    re.IGNORECASE,
)
""" "My driving test is on May 14th": a dated plan of the user's, said without a verb of theirs."""
# Present-tense states that pass with the day ("I'm feeling tired today"): never memories.
TRANSIENT = frozenset("feeling thinking wondering sitting waiting looking trying sleeping chilling relaxing".split())


def read_event(clause: str, said_at: datetime) -> Candidate | None:
    """A dated plan or event: "I'm flying to Tokyo next Friday", "last weekend we went hiking"."""
    first = when(clause, said_at)
    body = clause
    if first and clause.lower().startswith(first.phrase.lower()):  # "Last weekend we went …"
        body = clause[len(first.phrase) :].lstrip(" ,")
    plan, event = PLAN.match(body) or MY_DATED.match(body), EVENT.match(body)
    if plan is None and event is None:
        return None
    if event and re.match(r"^\s+(?:it|that|this|them)\b(?!\s+\w)", body[event.end() :], re.IGNORECASE):
        return None  # "i took it 🎉 starting 1st may": what "it" was is in another message
    if plan and plan.groupdict().get("verb") and plan["verb"].lower() in TRANSIENT:
        return None
    ref = when(clause, said_at, future=plan is not None)
    if ref is None or (plan and ref.phrase.lower() in ("today", "tonight", "now")):
        return None
    kind = MemoryKind.PLAN if ref.start > said_at else MemoryKind.EVENT
    return fact(with_absolute_time(clause, ref), None, kind=kind, refers_to=ref.moment, importance=0.6, confidence=0.8)


GREETING_NAME = re.compile(
    r"^(?P<said>(?:hi|hello|hey|hiya|heya)(?:\s+there)?[!,.\s]+(?:i'm|i am|im|my name is|my name's|it's)\s+)"
    r"(?P<name>[a-zà-ÿ][\w'-]+)(?=\s*[,.!]|\s+(?:and|here)\b)",
    re.IGNORECASE,
)
""" "hi! i'm olu, i teach chemistry": typed in lower case, the name after a greeting is still a name."""


class RuleExtractor:
    """Reads candidate memories from the user's own words with patterns (see the module docstring)."""

    def extract(self, text: str, said_at: datetime, context: ExtractionContext | None = None) -> list[Candidate]:
        context = context or ExtractionContext()
        people = People(dict(context.known_people), context.recent_person)
        text = without_emoji(text)
        text = with_there_named(GREETING_NAME.sub(lambda found: found["said"] + found["name"].capitalize(), text))
        text = with_area_kept(text)
        fixed = name_fix(text, people)  # before the clauses: "*Sjoerd sorry. he's a dentist" is about Sjoerd
        found: list[Candidate] = [fixed] if fixed else []
        for sentence in sentences(text):
            style = read_style(sentence)
            found.extend(style)
            if changed := read_changed_schedule(sentence):
                found.append(changed)
            if sentence.rstrip().endswith("?") and not QUOTE.search(sentence):
                found.extend(_named_in_question(sentence, people))
            for clause in (with_implied_i(as_their_news(clause)) for clause in clauses(sentence)):
                if style and read_style(clause):
                    continue  # "call me Rafa" is the answer style, already read, not a fact
                if (
                    found and found[-1].key == "user.name" and clause[:1].isdigit()
                ):  # "ernesto here. 71, bandoneon repairer"
                    for fragment in clause.split(","):
                        found.extend(self._read(_self_fragment(fragment.strip()), said_at, people))
                    continue
                found.extend(self._read(clause, said_at, people))
        found.extend(in_passing(without_emoji(text), people, found))
        for clause in where_visited(text):  # "back from Kochi visiting my mom": she lives there, less sure
            found.extend(
                candidate.model_copy(update={"confidence": 0.7}) for candidate in self._read(clause, said_at, people)
            )
        return _unique(found)

    def _read(self, clause: str, said_at: datetime, people: People) -> list[Candidate]:
        """The clause's own fact and the people it names in passing."""
        found: list[Candidate] = []
        try:
            if (candidate := self.read_clause(clause, said_at, people)) is not None:
                found.append(candidate)
            if not is_skipped(clause):  # "my friend Jake said I should…" is Jake's, not the user's
                found.extend(introductions(clause, people))
        except ValidationError:  # a rule produced something malformed: skip the clause, keep the rest
            pass
        # "… for Ingrid. she's a nurse"; "we finally got a dog! she's a rescue greyhound" is the dog, not the
        # cousin spoken of a message before (but "she has a cat. she's a vet" is still her)
        news_of_a_pet = A_PET.search(clause) and not re.match(r"(?:he|she|they)\b", clause, re.IGNORECASE)
        people.last = people.last_named_in(clause) or (None if news_of_a_pet else people.last)
        return found

    @staticmethod
    def read_clause(clause: str, said_at: datetime, people: People) -> Candidate | None:
        """One clause: skip requests and hypotheticals, then the readers that understand negation ("I don't
        like…"), then, for clauses that deny nothing, the rest."""
        if is_skipped(clause):
            return None
        found = (
            read_health_and_taste(clause) or read_constraint_statement(clause) or read_person(clause, said_at, people)
        )
        if found is not None:
            return found
        if NEGATION.search(clause):  # "born in ibadan, … kayode wasn't even born": the part before the "not" stands
            clause = re.split(r",|\s+but\s+", clause, maxsplit=1)[0]
            if NEGATION.search(clause):
                return None
        return (
            read_identity(clause, said_at) or read_routine(clause) or read_event(clause, said_at) or read_hobby(clause)
        )


A_PET = re.compile(rf"\b(?:a|an|the|our|my|new|little)\s+(?:\w+\s+)?(?:{PETS})\b", re.IGNORECASE)
"""A clause that speaks of a pet: a "she" after it is the pet, not the person spoken of before."""


def _named_in_question(sentence: str, people: People) -> list[Candidate]:
    """ "Can you help me write a birthday message for my brother Pedro?" names him; only a capitalised name counts
    in a question ("what is my dog called?" names nobody)."""
    named = introductions(clean(sentence), people)
    return [candidate for candidate in named if re.search(rf"\b{re.escape(candidate.text.split()[-1])}\b", sentence)]


def _self_fragment(fragment: str) -> str:
    """A piece of a self-introduction after the name: "71" is an age, "bandoneon repairer" a job."""
    if re.fullmatch(r"\d{2,3}(?:\s*(?:yo|yrs?|years? old))?", fragment):
        return f"I'm {fragment.split()[0]}"
    words = fragment.lower().split()
    if 1 <= len(words) <= 3 and words[-1] in PROFESSIONS:
        return f"I work as {'an' if fragment[:1].lower() in 'aeiou' else 'a'} {fragment}"
    return fragment


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    unique = []
    for candidate in candidates:
        marker = candidate.key or candidate.text.lower()
        if marker not in seen:
            seen.add(marker)
            unique.append(candidate)
    return unique
