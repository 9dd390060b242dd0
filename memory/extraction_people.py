"""The user's people and pets: "my sister Ana lives in Lisbon", "Ana moved to Porto", "he's a chef".

A statement about someone else is only a memory when it is linked to the user: "my sister …", a name the
user has already introduced as one of theirs (``known``), "Ana's husband Pedro …" (Ana being known), or
"he"/"she" right after one of those. Everything else about other people ("Taylor Swift is playing…") is
left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from memory.extraction import Candidate
from memory.extraction_details import read_detail
from memory.extraction_text import NEGATION
from memory.extraction_words import (
    MEN,
    PET_WORDS,
    PETS,
    PHRASE_STOP,
    PROFESSIONS,
    RELATION_PREFIX,
    RELATIONS,
    WOMEN,
    name_case,
    object_phrase,
    pet_kind,
    place_phrase,
    slug,
    when,
    with_absolute_time,
)
from memory.profile import ProfileSection
from memory.records import MemoryKind

RELATION = rf"(?P<rel>{RELATION_PREFIX}(?:{RELATIONS}|{PETS}))"
NAME = r"(?P<name>[A-Za-zÀ-ÿ][\w'-]*)"
NAMING = re.compile(
    rf"^(?:my|our)\s+{RELATION}(?:'s\s+name\s+is|\s+is\s+called|\s+is\s+named|\s+called|\s+named)\s+{NAME}(?P<rest>.*)$",
    re.IGNORECASE,
)
HAS_GOT = r"(?:'ve|\s+have)?\s+(?:just\s+|finally\s+|also\s+)?(?:have|got|adopted|rescued|own)\s+"
"""After "i" or "we": "'ve got", "just adopted", "have" (a pet named in :data:`HAVING` or in passing)."""
HAVING = re.compile(
    rf"^(?:i|we|(?:my\s+\w+\s+)?\w+\s+and\s+i){HAS_GOT}"
    rf"(?:a|an|another)\s+(?P<breed>\w+\s+)?{RELATION}\s+(?:(?:and\s+)?(?:called|named)\s+(?:him|her|it|them)\s+"
    rf"|(?:called|named)\s+){NAME}(?P<rest>.*)$",
    re.IGNORECASE,
)
MY_RELATION = re.compile(rf"^(?:my|our)\s+{RELATION}(?P<rest>(?:'s|\s).*)?$", re.IGNORECASE)
OWNED = re.compile(rf"^(?P<owner>[A-Z][\w-]*)'s\s+{RELATION}\s+{NAME}(?P<rest>.*)$", re.IGNORECASE)
IN_BRACKETS = re.compile(rf"^{NAME}\s*\((?:my|our)\s+{RELATION}\b[^)]*\)\s*(?P<rest>.*)$", re.IGNORECASE)
SUBJECT_NAME = re.compile(r"^(?P<name>[A-Za-zÀ-ÿ][\w-]*)(?P<rest>(?:'s|\s).*)$")
PRONOUN = re.compile(r"^(?:he|she)(?=\s|'s\b)", re.IGNORECASE)
# Words that can follow "my sister" without being her name.
NOT_A_NAME = (
    frozenset(
        """is was has had lives lived moved works worked just always never really also still recently finally and
    who that loves likes hates turned got gets will would can could should and or but in at from on to with
    and says said thinks keeps started plays goes called named actually currently usually sometimes now often
    probably apparently basically literally totally definitely even only here there too him her it them""".split()
    )
    | PHRASE_STOP
)
PAST_OR_PROGRESSIVE = re.compile(
    r"^(?:is|are|'s|was|were)\s+(?!(?:a|an|the|not|so|very|really)\b)\w+ing\b"
    r"|^(?:just\s+)?(?:went|visited|came|had|started|finished|got|met|ran|won|lost|graduated|retired|passed"
    r"|moved|married|died|left|joined|quit|bought|flew|arrived|returned|celebrated|adopted|broke)\b",
    re.IGNORECASE,
)


@dataclass
class Person:
    """Someone (or some pet) of the user's, as this clause names them."""

    relation: str
    name: str | None = None

    @property
    def is_pet(self) -> bool:
        return self.relation.split()[-1].lower() in PET_WORDS

    @property
    def id(self) -> str:
        return (self.name or self.relation).lower().replace(" ", "_").replace("'", "")

    @property
    def display(self) -> str:
        if "'s " in self.relation:
            return f"{self.relation} {self.name}" if self.name else self.relation
        return f"My {self.relation} {self.name}" if self.name else f"My {self.relation}"

    def introduction(self, was: str | None = None) -> tuple[str, str, MemoryKind]:
        """The memory's text, key and kind that say who they are: "My sister is called Ana" (``sister.name``),
        "I have a dog called Bo" (``pet.bo``; ``was``: the name a renamed pet had, whose slot it takes)."""
        if self.is_pet:
            pet = Person(self.relation, was).id if was else self.id
            return f"I have a {self.relation} called {self.name}", f"pet.{pet}", MemoryKind.PET
        if "'s " in self.relation:  # "Ana's husband Pedro"
            return self.display, f"{self.id}.relation", MemoryKind.PERSON
        return f"My {self.relation} is called {self.name}", f"{slug(self.relation)}.name", MemoryKind.PERSON

    def profile(self, detail: str) -> tuple[ProfileSection, str, str]:
        section = ProfileSection.PETS if self.is_pet else ProfileSection.PEOPLE
        return section, self.name or self.relation, f"{self.relation}, {detail}" if detail else self.relation


@dataclass
class People:
    """Who the user has introduced so far (lower-case name → relation), and who was talked about last."""

    known: dict[str, str] = field(default_factory=dict)
    last: str | None = None

    def learn(self, person: Person) -> Person:
        if person.name:
            self.known[person.name.lower()] = person.relation
            self.last = person.name.lower()
        return person

    def last_named_in(self, text: str) -> str | None:
        """The last of the user's people the text names (lower case), for the "he" or "she" after it."""
        words = re.findall(r"[\w'-]+", text.lower())
        return next((word for word in reversed(words) if word in self.known), None)

    def named(self, relation: str) -> str | None:
        """The one known name with this relation ("sister" → "Ana"), if there is exactly one."""
        names = [name for name, known in self.known.items() if known.lower() == relation.lower()]
        return name_case(names[0]) if len(names) == 1 else None

    def resolve_pronoun(self, clause: str) -> str:
        """ "he's a chef" → "Tom's a chef" when Tom was the one just talked about; never "she" for a brother
        ("she's a rescue greyhound" after a chat about Pedro is about someone else)."""
        pronoun = PRONOUN.match(clause)
        if self.last and pronoun:
            relation = self.known.get(self.last, "").lower().split()
            kin = relation[-1] if relation else ""
            if kin in (MEN if pronoun.group().lower() == "she" else WOMEN):
                return clause
            return PRONOUN.sub(name_case(self.last), clause, count=1)
        return clause


def _is_name(word: str, people: People) -> bool:
    return word.lower() in people.known or (word[:1].isupper() and word.lower() not in NOT_A_NAME)


# What follows a name in "my sister ama lives in accra": typed in lower case, a name is only taken as one
# when a verb like these comes right after it.
AFTER_A_NAME = re.compile(
    r"^(?:lives|lived|is|was|has|had|moved|works|worked|got|and|turned|turns|'s|loves|likes|plays|goes|started|just"
    r"|still|recently|finally|relocated|teaches|studies|runs|owns|died|passed|married|left|joined|wants|needs|says"
    r"|said|keeps|spends|sent|off|thinks|reckons|turns|doing|called|texted|rang|came|visited)\b|^,",
    re.IGNORECASE,
)


BOTH = re.compile(r"^and\s+(?:his|her|their)?\s*[A-Z][\w'-]*\s+(?=(?:both\s+|all\s+)?(?:just\s+)?[a-z])")


def _lower_case_name(word: str, after: str) -> bool:
    return word.isalpha() and len(word) > 1 and word.lower() not in NOT_A_NAME and bool(AFTER_A_NAME.match(after))


def subject(clause: str, people: People) -> tuple[Person, str, bool] | None:
    """The person a clause is about, the rest of it, and whether the clause introduces them by name, when
    they are one of the user's."""
    if match := IN_BRACKETS.match(clause):  # "joss (my best friend since uni) just qualified as …"
        clause = f"my {match['rel']} {match['name']} {match['rest']}"
    if match := NAMING.match(clause) or HAVING.match(clause):
        relation = match["rel"].lower()
        if relation.split()[-1] in PET_WORDS:  # "a spaniel puppy": its breed too
            relation = pet_kind(f"{match.groupdict().get('breed') or ''}{relation}", relation.split()[-1])
        return people.learn(Person(relation, name_case(match["name"]))), match["rest"].strip(), True
    if match := OWNED.match(clause):
        if match["owner"].lower() in people.known and _is_name(match["name"], people):
            relation = f"{name_case(match['owner'])}'s {match['rel'].lower()}"
            return people.learn(Person(relation, name_case(match["name"]))), match["rest"].strip(), True
    if match := MY_RELATION.match(clause):
        relation, rest = match["rel"].lower(), (match["rest"] or "").strip()
        first = rest.split()[0].strip(".,!") if rest and not rest.startswith("'") else ""
        if re.fullmatch(r"[A-Z][\w-]+['’]s", first):  # "my brother Vikram's daughter …": the brother is Vikram
            return people.learn(Person(relation, name_case(first[:-2]))), "", True
        after = rest[len(first) :].strip()
        named = _is_name(first, people) or _lower_case_name(first, after)
        if first and named and (first[:1].isupper() or len(rest.split()) > 1):
            person = people.learn(Person(relation, name_case(first)))
            return person, rest[len(first) :].strip(" .,!"), True
        return Person(relation, people.named(relation)), rest, False
    if match := SUBJECT_NAME.match(clause):
        name = match["name"].lower()
        if name in people.known:
            people.last = name
            rest = BOTH.sub("", match["rest"].strip())  # "Pedro and Itziar just moved to Bilbao": Pedro did too
            return Person(people.known[name], name_case(name)), rest, False
    return None


def read_person(clause: str, said_at: datetime, people: People) -> Candidate | None:
    """A candidate from a clause about one of the user's people or pets, or None."""
    found = subject(people.resolve_pronoun(clause), people)
    if found is None:
        return None
    person, rest, introduced = found
    kind = MemoryKind.PET if person.is_pet else MemoryKind.PERSON
    said, _, denied = rest.partition(" not ")
    if denied and len(said.split()) >= 2 and not NEGATION.search(said):  # "he's a beagle not whatever that is"
        rest = said
    if rest and not NEGATION.search(rest):
        candidate = _predicate(person, rest, said_at, kind)
        if candidate is not None or not introduced:
            return candidate
    if not introduced or not person.name:
        return None
    ref = when(rest, said_at) if rest else None
    text, key, _ = person.introduction()
    return Candidate(
        text=text,
        kind=kind,
        key=key,
        importance=0.8,
        confidence=0.9,
        refers_to=ref.moment if ref else None,
        profile=person.profile(""),
    )


def _predicate(person: Person, rest: str, said_at: datetime, kind: MemoryKind) -> Candidate | None:
    display = person.display
    if detail := read_detail(person, rest, said_at, kind):  # an age, a birthday, a job said in passing, …
        return detail
    if match := re.match(
        r"^(?:(?:'s|has|is)\s*)?(?:just\s+|recently\s+|finally\s+|now\s+|still\s+|officially\s+)?"
        r"(?:lives|living|moved|relocated|based)\s+(?:back\s+)?(?:in|to)\s+(?P<rest>.+)$",
        rest,
        re.IGNORECASE,
    ):
        place = place_phrase(match["rest"])
        if place is None:
            return None
        ref = when(match["rest"], said_at)
        return Candidate(
            text=f"{display} lives in {place}",
            kind=kind,
            key=f"{person.id}.home",
            importance=0.8,
            confidence=0.9,
            refers_to=ref.moment if ref else None,
            profile=person.profile(f"lives in {place}"),
        )
    if match := re.match(
        r"^(?:works\s+as|is\s+working\s+as|is|'s|(?:just\s+|finally\s+)?(?:qualified|retrained|trained)\s+as"
        r"|(?:just\s+|finally\s+)?(?:got|landed|has|'s\s+got|started)\s+(?:a\s+)?(?:new\s+)?job\s+as)"
        r"\s+(?:now\s+)?(?P<article>a|an)\s+(?P<rest>.+)$",
        rest,
        re.IGNORECASE,
    ):
        what = match["rest"].strip(" .!")
        head = re.split(r"\s+(?:at|in|for|with|from)\s+", what, maxsplit=1)[0]
        if head.split()[-1].lower() in PROFESSIONS:
            return Candidate(
                text=f"{display} is {match['article'].lower()} {what}",
                kind=kind,
                key=f"{person.id}.job",
                importance=0.7,
                profile=person.profile(head),
            )
        described = object_phrase(what)
        if described is None:
            return None
        return Candidate(
            text=f"{display} is {match['article'].lower()} {described}",
            kind=kind,
            key=f"{person.id}.description",
            importance=0.6,
            profile=person.profile(described) if person.is_pet else None,
        )
    if match := re.match(r"^(?:works|is working)\s+(?P<where>at|for|in)\s+(?P<rest>.+)$", rest, re.IGNORECASE):
        return Candidate(
            text=f"{display} works {match['where'].lower()} {match['rest'].strip(' .!')}",
            kind=kind,
            key=f"{person.id}.workplace",
            importance=0.6,
        )
    if match := re.match(r"^(?:is|'s)\s+(?P<age>\d{1,3})(?:\s+years?\s+old)?(?:$|\s+and\b|,)", rest, re.IGNORECASE):
        return Candidate(text=f"{display} is {match['age']} years old", kind=kind, key=f"{person.id}.age")
    if match := re.match(r"^(?:just\s+)?turned\s+(?P<age>\d{1,3})\b", rest, re.IGNORECASE):
        ref = when(rest, said_at)
        text = f"{display} turned {match['age']}"
        return Candidate(
            text=with_absolute_time(f"{text} {rest[match.end() :].strip()}".strip(), ref) if ref else text,
            kind=MemoryKind.EVENT,
            key=f"{person.id}.age",
            refers_to=ref.moment if ref else None,
        )
    if match := re.match(
        r"^(?:just\s+)?(?:started|goes\s+to|attends|is\s+at|is\s+studying\s+at|studies\s+at)\s+"
        r"(?P<what>university|college|school|uni|high\s+school)\s+(?:in|at)\s+(?P<rest>.+)$",
        rest,
        re.IGNORECASE,
    ):
        place = place_phrase(match["rest"])
        if place is None:
            return None
        return Candidate(
            text=f"{display} goes to {match['what'].lower()} in {place}",
            kind=kind,
            key=f"{person.id}.study",
            importance=0.7,
        )
    if match := re.match(
        r"^(?:just\s+)?(?:started\s+(?:playing|learning|doing)|plays|is\s+learning|is\s+playing|learns)\s+"
        r"(?P<rest>.+)$",
        rest,
        re.IGNORECASE,
    ):
        hobby = object_phrase(match["rest"])
        if hobby is None:
            return None
        return Candidate(
            text=f"{display} {rest[: match.start('rest')].strip()} {hobby}",
            kind=kind,
            key=f"{person.id}.hobby.{slug(hobby, 3)}",
            importance=0.6,
        )
    if match := re.match(r"^'s\s+birthday\s+is\s+(?:on\s+)?(?P<rest>.+)$", rest, re.IGNORECASE):
        day = object_phrase(match["rest"])
        if day is None:
            return None
        return Candidate(text=f"{display}'s birthday is on {day}", kind=kind, key=f"{person.id}.birthday")
    if match := re.match(
        r"^(?:really\s+|absolutely\s+)?(?P<verb>loves|likes|adores|enjoys|hates|is into|is a (?:big |huge )?fan of)"
        r"\s+(?P<rest>.+)$",
        rest,
        re.IGNORECASE,
    ):
        liked = object_phrase(match["rest"])
        if liked is None or set(liked.lower().split()) <= ONLY_POINTING:  # "he hates me for it": nothing to keep
            return None
        return Candidate(
            text=f"{display} {match['verb'].lower()} {liked}",
            kind=kind,
            key=f"{person.id}.likes.{slug(liked)}",
            importance=0.5,
        )
    if PAST_OR_PROGRESSIVE.match(rest):
        future = bool(re.match(r"^(?:is|are|'s)\b", rest, re.IGNORECASE))
        ref = when(rest, said_at, future=future)
        if ref is None:
            return None
        plan = ref.start > said_at
        said = display + rest if rest.startswith("'") else f"{display} {rest}"  # "Carolina's moving", not "Carolina 's"
        return Candidate(
            text=with_absolute_time(said.strip(" .!"), ref),
            kind=MemoryKind.PLAN if plan else MemoryKind.EVENT,
            importance=0.6,
            refers_to=ref.moment,
        )
    return None


ONLY_POINTING = frozenset("it that this them him her me you us for about so much".split())
"""Words that only point at something said before: "he hates me for it" keeps nothing a later chat can read."""
BREED = rf"(?P<breed>(?:{PETS})\s+)?"
"""The breed before what a pet is, as the extractor writes it ("I have a tabby cat called Admiral")."""
KNOWN_PATTERNS = (
    re.compile(rf"\b[Mm]y\s+{BREED}{RELATION}\s+(?P<name>[A-Z][\w-]*)"),
    re.compile(rf"\b[Mm]y\s+{RELATION}\s+is\s+called\s+(?P<name>[A-Z][\w-]*)"),
    re.compile(rf"\bI have an?\s+{BREED}{RELATION}\s+called\s+(?P<name>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)"),
    re.compile(rf"\b(?P<owner>[A-Z][\w-]*)'s\s+{RELATION}\s+(?P<name>[A-Z][\w-]*)"),
)


def people_in(text: str) -> dict[str, str]:
    """The people and pets a stored memory names with their relation to the user (lower-case name →
    relation): how the writer rebuilds who the user has introduced, from the memories themselves."""
    found: dict[str, str] = {}
    for pattern in KNOWN_PATTERNS:
        for match in pattern.finditer(text):
            relation = f"{match.groupdict().get('breed') or ''}{match['rel']}".lower()
            if "owner" in match.groupdict() and match["owner"]:
                relation = f"{match['owner']}'s {relation}"
            if match["name"].lower() not in NOT_A_NAME:
                found[match["name"].lower()] = relation
    return found
