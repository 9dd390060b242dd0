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

from memory.extraction import Candidate, ExtractionContext
from memory.extraction_health import read_constraint_statement, read_diet_and_allergy
from memory.extraction_likes import read_like
from memory.extraction_people import People, introductions, read_person
from memory.extraction_style import read_style
from memory.extraction_text import NEGATION, QUOTE, clauses, clean, is_skipped, sentences, with_implied_i
from memory.extraction_words import (
    DETERMINERS,
    NOT_NAMES,
    PETS,
    PHRASE_STOP,
    PROFESSIONS,
    name_case,
    object_phrase,
    place_phrase,
    sentence_case,
    slug,
    when,
    with_absolute_time,
)
from memory.profile import ProfileSection
from memory.records import MemoryKind

I_AM = r"(?i:i'm|i am|im)"
IDENTITY = ProfileSection.IDENTITY
HEALTH = ProfileSection.HEALTH


def _fact(
    text: str,
    key: str | None,
    profile: tuple[ProfileSection, str, str] | None = None,
    *,
    kind: MemoryKind = MemoryKind.FACT,
    importance: float = 0.9,
    confidence: float = 0.9,
    refers_to: datetime | None = None,
) -> Candidate:
    return Candidate(
        text=sentence_case(text),
        kind=kind,
        key=key,
        importance=importance,
        confidence=confidence,
        refers_to=refers_to,
        profile=profile,
    )


def read_identity(clause: str, said_at: datetime) -> Candidate | None:
    """Name, age, home, origin, job, studies."""
    if match := re.match(
        r"^(?:my name is|my name's|name's|i'm called|i am called|(?:you can |please |just )?call me)\s+(?P<name>\w+)$",
        clause,
        re.IGNORECASE,
    ):
        name = name_case(match["name"])
        return _fact(f"My name is {name}", "user.name", (IDENTITY, "name", name))
    if (match := re.match(rf"^{I_AM}\s+(?P<name>[A-Z][a-zà-ÿ'-]+)$", clause)) and match[
        "name"
    ].lower() not in NOT_NAMES:
        return _fact(f"My name is {match['name']}", "user.name", (IDENTITY, "name", match["name"]))
    if match := re.match(
        rf"^(?:{I_AM}|i just turned|i turned)\s+(?P<age>\d{{1,3}})(?:\s+years?\s+old)?$", clause, re.I
    ):
        if 3 <= int(match["age"]) <= 120:
            return _fact(f"I am {match['age']} years old", "user.age", (IDENTITY, "age", match["age"]))
    if match := re.match(
        r"^(?:i|we)(?:'ve|'m|'re|\s+have|\s+am|\s+are)?(?:\s+(?:just|recently|finally|now|still|actually))?\s+"
        r"(?:live|moved|relocated|living|based)\s+"
        r"(?:back\s+)?(?:in|to)\s+(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    ):
        place = place_phrase(match["rest"])
        ref = when(match["rest"], said_at)
        if place:
            return _fact(
                f"I live in {place}", "user.home", (IDENTITY, "home", place), refers_to=ref.moment if ref else None
            )
    if match := re.match(
        rf"^(?:{I_AM}\s+(?:originally\s+)?from|i come from|i grew up in|(?:i|we)\s+(?:moved|came|emigrated)"
        rf"\s+(?:here\s+|over\s+)?from)\s+(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    ):
        careful_case = re.search(r"\bI\b", clause) and match["rest"][:1].islower()  # "I moved from trombone to tuba"
        if not careful_case and (place := place_phrase(match["rest"])):
            return _fact(f"I'm from {place}", "user.origin", (IDENTITY, "from", place))
    return read_work(clause, said_at)


def read_work(clause: str, said_at: datetime) -> Candidate | None:
    """Job, promotion, workplace, studies and what the user is learning."""
    job = None
    if match := re.match(
        r"^i(?:\s+work|\s*'m working|\s+am working|\s*'m starting|\s+am starting|\s+start|\s+started)"
        r"\s+as\s+(?:a|an)\s+(?P<job>.+)$",
        clause,
        re.I,
    ):
        job = match["job"]
    elif match := re.match(
        r"^i\s*(?:'ve|have)?\s+(?:just\s+)?(?:accepted|got|landed|started|taken|took)\s+(?:a\s+|the\s+)?(?:new\s+)?"
        r"(?:job|position|role)\s+as\s+(?:a|an)\s+(?P<job>.+)$",
        clause,
        re.I,
    ):
        job = match["job"]
    elif match := re.match(
        r"^i\s+(?:just\s+)?(?:got|was|have been|'ve been)\s+promoted\s+to\s+(?P<job>.+)$", clause, re.I
    ):
        job = re.sub(r"^(?:a|an|the)\s+", "", match["job"], flags=re.IGNORECASE)
    elif (match := re.match(rf"^{I_AM}\s+(?:now\s+)?(?:a|an)\s+(?P<job>.+)$", clause, re.I)) and _is_job(match["job"]):
        job = match["job"]
    elif (match := JOB_FRAGMENT.match(clause)) and (match["name"] or match["where"]) and _is_job(match["job"]):
        job = re.split(r"\s+from\s+", match["job"], maxsplit=1)[0]  # where they're from is not where they work
        job = job[:1].lower() + job[1:] if job[1:2].islower() else job  # "Electrician on …" began a sentence
    if job is not None:
        ref = when(job, said_at)
        job = re.sub(r"[^\w)]+$", "", job.replace(ref.phrase, "") if ref else job).strip()  # no "🎉" or "!"
        head = re.split(r"\s+(?:at|in|for|with|on|out\s+of)\s+", job, maxsplit=1)[0]
        article = "an" if job[:1].lower() in "aeiou" else "a"
        return _fact(
            f"I work as {article} {job}",
            "user.job",
            (IDENTITY, "job", head),
            refers_to=ref.moment if ref else None,
        )
    if match := re.match(r"^i\s+(?:teach|lecture|lecture in)\s+(?P<rest>.+)$", clause, re.I):
        taught = object_phrase(match["rest"])
        if taught:
            return _fact(f"I teach {taught}", "user.job", (IDENTITY, "job", f"teaches {taught}"))
    if match := re.match(r"^i\s+(?:work|'m working|am working)\s+(?P<where>at|for)\s+(?P<rest>.+)$", clause, re.I):
        return _fact(f"I work {match['where'].lower()} {match['rest']}", "user.workplace", importance=0.8)
    if match := re.match(
        rf"^(?:i\s+study|{I_AM}\s+studying|i'm doing a degree in|i(?:'m)? major(?:ing)? in)\s+(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    ):
        return _fact(f"I study {match['rest']}", "user.study", (IDENTITY, "studies", match["rest"]), importance=0.8)
    if match := re.match(
        r"^(?:i'm|i am|i've been|i have been|i just started|i started)\s+learning\s+(?P<rest>.+)$", clause, re.I
    ):
        learned = object_phrase(match["rest"]) or match["rest"]
        topic = slug(re.split(r"\s+(?:on|with|at|in|from)\s+", learned, maxsplit=1)[0], 3)
        return _fact(f"I'm learning {learned}", f"user.learning.{topic}", importance=0.6, confidence=0.8)
    return None


JOB_FRAGMENT = re.compile(
    r"^(?P<name>[a-zà-ÿ'-]+,\s+)?(?:an?\s+)?"
    r"(?P<job>(?!(?:i|my|our|the|your|his|her|their|we|you|he|she|they|it|this|that)\b)"
    r"[A-Za-z][\w-]*(?:\s+(?!(?:a|an|the|my)\b)[\w-]+){0,3}(?P<where>\s+(?:from|in|at|on|for|out\s+of)\s+[^,;]+)?)$",
    re.IGNORECASE,
)
"""A job said without a verb, as people introduce themselves: "Electrician on offshore wind farms out of
Gothenburg", "gareth, plumber from cardiff" (a place or a name with it: "chet baker" alone is no job)."""


def _is_job(phrase: str) -> bool:
    head = re.split(r"\s+(?:at|in|for|with|from|on|out\s+of)\s+", phrase, maxsplit=1)[0].strip(" .!")
    return bool(head) and head.split()[-1].lower() in PROFESSIONS


def read_health_and_taste(clause: str) -> Candidate | None:
    """Diet, allergies, likes and dislikes, favourites and preferences (negations allowed here)."""
    if found := read_diet_and_allergy(clause):
        return found
    if match := re.match(
        r"^(?P<whose>my|our)\s+(?P<day>(?:wedding\s+)?anniversary|birthday)(?:\s+is|'s)\s+(?:on\s+)?(?:the\s+)?"
        r"(?P<rest>.+)$",
        clause,
        re.I,
    ):
        day = object_phrase(match["rest"])
        if day:
            what = match["day"].lower()
            return _fact(f"{match['whose']} {what} is on {day}", f"user.{slug(what)}", (IDENTITY, what, day))
    if match := re.match(
        rf"^(?:i|we)\s+(?:have|'ve got|have got|own)\s+(?P<count>two|three|four|five|\d)\s+(?P<pets>{PETS})s?"
        r"\s*(?:,|:|called|named)\s*(?P<names>[A-Z]\w*(?:,\s*[A-Z]\w*)*\s+and\s+[A-Z]\w*)$",
        clause,
        re.I,
    ):
        pets = match["pets"].lower()
        return _fact(
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
            return _fact(
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
            return _fact(
                f"I prefer {preferred}",
                f"prefers.{slug(first)}",
                (ProfileSection.LIKES, first.lower(), f"prefers {preferred}"),
                kind=MemoryKind.PREFERENCE,
                importance=0.6,
            )
    return read_like(clause)


FREQUENCY = re.compile(
    r"\b(?:every|each)\s+(?:other\s+)?(?:\w+\s+)?(?:morning|afternoon|evening|night|day|week|weekend|month|year"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b(?:\s+(?:morning|afternoon|evening|night)s?)?"
    r"|\bon\s+(?:weekdays|weekends|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)\b"
    r"|\b(?:daily|weekly|twice a week|once a week|three times a week|every day)\b"
    r"|\b(?:usually|always|often|normally|regularly|typically|generally)\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"^(?:i|we|i've|we've|i'm|we're)\b", re.IGNORECASE)


def read_routine(clause: str) -> Candidate | None:
    """Habits: "every morning I walk the dog", "I usually go climbing on Thursdays"."""
    frequency = FREQUENCY.search(clause)
    if frequency is None:
        return None
    leading = re.match(r"^(?P<when>(?:every|each)\s+[\w\s]+?),?\s+(?P<rest>(?:i|we)\b.+)$", clause, re.IGNORECASE)
    statement = leading["rest"] if leading else clause
    if not FIRST_PERSON.match(statement) or re.match(r"^i(?:'m| am)\s+(?!\w+ing\b)", statement, re.I):
        return None  # "I'm always tired" is a state, not a routine
    if re.match(r"^(?:i|we)(?:'ll|'d|\s+will|\s+would|\s+can|\s+could|\s+should)\b", statement, re.I):
        return None  # "I'll always remember…" is a promise, not a habit
    if len(statement.split()) > 16:
        return None  # a long reflective sentence, not a habit worth a profile line
    activity = FREQUENCY.sub("", statement)
    activity = re.sub(r"^(?:i|we)(?:'ve|\s+have)?\s+(?:been\s+)?", "", activity, flags=re.IGNORECASE).strip(" ,")
    activity = re.sub(r"\s+for\s+(?:a|an|\w+)\s+(?:days?|weeks?|months?|years?)(?:\s+now)?$", "", activity).strip()
    activity = " ".join(activity.split())
    words = [word for word in re.findall(r"[a-z0-9]+", activity.lower()) if word not in PHRASE_STOP | DETERMINERS][:3]
    if not words:
        return None
    return _fact(
        clause,
        f"routine.{'_'.join(words)}",
        (ProfileSection.ROUTINES, activity.lower(), frequency[0].lower()),
        kind=MemoryKind.ROUTINE,
        importance=0.6,
        confidence=0.8,
    )


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
    if plan and plan.groupdict().get("verb") and plan["verb"].lower() in TRANSIENT:
        return None
    ref = when(clause, said_at, future=plan is not None)
    if ref is None or (plan and ref.phrase.lower() in ("today", "tonight", "now")):
        return None
    kind = MemoryKind.PLAN if ref.start > said_at else MemoryKind.EVENT
    return _fact(with_absolute_time(clause, ref), None, kind=kind, refers_to=ref.moment, importance=0.6, confidence=0.8)


def read_hobby(clause: str) -> Candidate | None:
    """ "I play the cello", "I started learning to knit": what the user does, without a schedule."""
    match = re.match(
        r"^i\s+(?:just\s+)?(?:play|started\s+playing|'ve\s+started\s+playing|started\s+learning|practi[cs]e)\s+"
        r"(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    )
    hobby = object_phrase(match["rest"]) if match else None
    if match is None or hobby is None or hobby.split()[0].lower() in ("nothing", "not", "it"):
        return None
    return _fact(
        f"{clause[: match.start('rest')].strip()} {hobby}",
        f"user.hobby.{slug(hobby, 3)}",
        kind=MemoryKind.FACT,
        importance=0.6,
        confidence=0.8,
    )


class RuleExtractor:
    """Reads candidate memories from the user's own words with patterns (see the module docstring)."""

    def extract(self, text: str, said_at: datetime, context: ExtractionContext | None = None) -> list[Candidate]:
        context = context or ExtractionContext()
        people = People(dict(context.known_people), context.recent_person)
        found: list[Candidate] = []
        for sentence in sentences(text):
            style = read_style(sentence)
            if style:
                found.extend(style)
                continue
            if sentence.rstrip().endswith("?") and not QUOTE.search(sentence):
                found.extend(_named_in_question(sentence, people))
            for clause in map(with_implied_i, clauses(sentence)):
                try:
                    candidate = self.read_clause(clause, said_at, people)
                    if candidate is not None:
                        found.append(candidate)
                    if not is_skipped(clause):
                        found.extend(introductions(clause, people))
                except ValidationError:  # a rule produced something malformed: skip the clause, keep the rest
                    continue
        return _unique(found)

    @staticmethod
    def read_clause(clause: str, said_at: datetime, people: People) -> Candidate | None:
        """One clause: skip requests and hypotheticals, then the readers that understand negation ("I don't
        like…"), then, for clauses that deny nothing, the rest."""
        if is_skipped(clause):
            return None
        found = (
            read_health_and_taste(clause) or read_constraint_statement(clause) or read_person(clause, said_at, people)
        )
        if found is not None or NEGATION.search(clause):
            return found
        return (
            read_identity(clause, said_at) or read_routine(clause) or read_event(clause, said_at) or read_hobby(clause)
        )


def _named_in_question(sentence: str, people: People) -> list[Candidate]:
    """ "Can you help me write a birthday message for my brother Pedro?" names him; only a capitalised name counts
    in a question ("what is my dog called?" names nobody)."""
    named = introductions(clean(sentence), people)
    return [candidate for candidate in named if re.search(rf"\b{re.escape(candidate.text.split()[-1])}\b", sentence)]


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    unique = []
    for candidate in candidates:
        marker = candidate.key or candidate.text.lower()
        if marker not in seen:
            seen.add(marker)
            unique.append(candidate)
    return unique
