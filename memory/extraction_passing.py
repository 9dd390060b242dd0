"""Facts said in passing, across a whole message rather than one clause: a pet named a sentence after it
was got ("WE GOT A CAT 🐱 tabby, the kids named her Pisco"), a pet or person introduced in brackets ("then
walk Bruno (our labrador)"), a name's spelling fixed ("*Sjoerd sorry, autocorrect"), and news a person of
the user's told about themselves ("Carolina just told me she's moving to Madrid").
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from memory.extraction import Candidate, fact
from memory.extraction_people import HAS_GOT, NOT_A_NAME, RELATION, People, Person
from memory.extraction_words import (
    NOT_NAMES,
    PET_WORDS,
    PETS,
    PROFESSIONS,
    RELATIONS,
    name_case,
    pet_kind,
    place_phrase,
    slug,
)
from memory.profile import ProfileSection
from memory.records import MemoryKind

NAME = r"[A-ZÀ-Ý][\w'-]*"
PET_GOT = re.compile(
    rf"(?:\b(?:i|we)(?:'ve|\s+have)?\s+(?:just\s+|finally\s+|officially\s+)?(?:got|adopted|rescued|brought\s+home"
    rf"|took\s+in)|\bthere(?:'s|\s+is)(?=\s+a\s+new\b))"
    rf"\s+(?:a|an)\s+(?P<kind>(?:[\w-]+\s+){{0,2}}?(?P<rel>{PETS}))\b(?!\s+(?:{PETS})\b)",  # "beagle puppy": puppy
    re.IGNORECASE,
)
PET_IS = re.compile(
    rf"(?:^|[.!?,]\s*)(?:she|he|it)(?:'s|\s+is)\s+(?:a|an)\s+(?P<kind>(?:[\w-]+\s+){{0,2}}?(?P<rel>{PETS}))"
    r"(?=\s*(?:[,.!?;:()]|$)|\s+(?:and|named|called|who|with|from)\b)",  # not "she's a lab technician"
    re.IGNORECASE,
)
"""With :data:`PET_GOT`: "we finally got a dog!", "there's a new collie pup in the house", "she's a rescue
greyhound": a pet of the user's, named after it ("… her name is Bimba", "Maureen named her Misty")."""
PET_DIED = re.compile(
    rf"\b(?i:my|our)\s+(?i:(?:old|late|dear|beloved|lovely|sweet|poor)\s+)?(?P<kind>(?i:[\w-]+\s+)?(?P<rel>(?i:{PETS})))"
    rf"\s+(?P<name>{NAME})\s+(?i:died|passed(?:\s+away)?|(?:was|had\s+to\s+be)\s+put\s+down)\b"
)
""" "Our old collie Rua died last Thursday": the pet is no longer there."""
PET_NAMED = re.compile(
    rf"\b(?i:named|called)\s+(?i:him|her|it)\s+(?P<name>{NAME})|\b(?i:his|her|its)\s+name\s+(?i:is|'s)\s+(?P<other>{NAME})"
)
IN_BRACKETS = re.compile(
    rf"(?<![\w'-])(?P<name>[A-Za-zÀ-ÿ][\w'-]*+)\s*\((?i:my|our)\s+(?P<rel>(?i:{RELATIONS}|{PETS}))"
    r"(?:\s*[,;]\s*(?i:he|she)(?:'s|\s+is)\s+(?P<age>\d{1,2})\b)?[^)]*\)"
)
""" "walk Bruno (our labrador)", "kayode (my son, he's 5) is allergic to eggs"."""
SEVERAL = re.compile(
    r"\b(?i:i|we)(?:'ve|\s+have)?\s+(?i:got|have)\s+(?i:two|three|four|2|3|4)\s+"
    r"(?P<rel>(?i:sisters|brothers|kids|sons|daughters|children|cousins|grandkids|grandchildren))\s*(?:,|:|\s+called"
    rf"|\s+named)\s*(?P<names>{NAME}(?:\s*,\s*{NAME})*\s+and\s+{NAME})"
)
BEING_A = re.compile(
    r"(?:^|[.!?]\s+)being\s+(?:a|an)\s+(?P<job>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}?)\s+(?:is|isn't|can be|means|has)\b",
    re.IGNORECASE,
)
IS_MY = re.compile(rf"(?:^|[.!?,]\s*)(?P<name>[A-Za-zÀ-ÿ][\w'-]*)\s+is\s+my\s+(?P<rel>(?i:{RELATIONS}|{PETS}))\b")
PRONOUNS = frozenset("he she it this that who what which there here".split())
STUFF = re.compile(
    r"\b(?:sub|substitute|replacement|alternative|swap)\s+for\s+(?P<thing>[a-z][\w-]*)\b[^.!?]*[.!?]?\s*(?:i\s+)?"
    r"(?:can't|cannot)\s+stand\s+(?:the\s+stuff|it|that\s+stuff)\b",
    re.IGNORECASE,
)
NO_THANKS = re.compile(
    r"(?:^|[.!?,]\s*|\bbut\s+)no\s+(?P<thing>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+"
    r"(?:on\s+top\s+|in\s+it\s+|for\s+me\s+)?(?:please|pls|plz|thanks)\b",
    re.IGNORECASE,
)
""" "curry sounds good but no coriander on top pls": a food the user does not want."""
NAME_FIX = re.compile(
    rf"^\s*\*\s*(?P<star>{NAME})\b|^(?P<after>{NAME})\*(?:\s|,|$)"
    rf"|\b(?i:it's|its|it is|spelled|spelt)\s+(?P<spelled>{NAME})\s*,?\s+(?i:not)\s+(?P<old>{NAME})"
)
RENAMED = re.compile(
    rf"\b(?i:so\s+)?(?i:she|he|it)(?:'s|\s+is)\s+(?P<new>{NAME})\s+(?i:now)\b"
    rf"|\b(?i:renamed|re-named)\s+(?i:him|her|it|them)\s+(?P<other>{NAME})"
    rf"|\b(?i:started|now|all|everyone)\s+(?i:calling|calls?)\s+(?P<old>{NAME})\s+[\x27\x22\u2018\u201c]?(?P<called>{NAME}(?:\s+{NAME})?)"
)
"""A pet or person named anew: "so she's Fattoush now", "we renamed him Pip", "Bernadette started calling Admiral
'Sir Wobbles'"."""
PET_WITH = re.compile(
    rf"\b(?i:i|we)\b[^.!?]*?\b(?i:with)\s+(?:[^.!?]*?\b(?i:and)\s+)?(?i:a|an|our|my)\s+"
    rf"(?P<kind>(?i:[\w-]+\s+){{0,2}}?(?P<rel>(?i:{PETS})))\s+(?i:called|named)\s+(?P<name>{NAME})"
)
""" "I live in Plymouth with my partner Bernadette and an enormous tabby called Admiral"."""
TOLD_ME = re.compile(
    rf"^(?P<who>{NAME}|(?i:my|our)\s+(?i:{RELATIONS})(?:\s+{NAME})?)\s+(?i:just\s+|finally\s+)?"
    r"(?i:told me|texted me|called to say|messaged me|rang to say|said|says|announced)(?i:\s+that)?\s+"
    r"(?i:she|he)(?P<rest>'s\s.+|\s+(?i:is|has|got|moved|will|'ll|just|finally)\b.+)$"
)
"""News a person gave about themselves is theirs to tell: read as if the user said it of them."""


PERSON, PREFERENCE = MemoryKind.PERSON, MemoryKind.PREFERENCE
NOT_FOOD = frozenset(
    "worries worry problem problems rush way idea ideas need one thing more stress pressure offence offense".split()
)


MOVED_THERE = re.compile(
    r"\b(?P<verb>moved|moving|relocated|relocating|move|lives|living|live)\s+there\b", re.IGNORECASE
)
PLACE_BEFORE = re.compile(r"\b(?:in|to|from)\s+(?P<place>[A-Za-zÀ-ÿ][\w-]*(?:\s+[A-Z][\w-]*)?)")


AREA_AFTER = re.compile(
    rf"\b(?P<said>(?:live|living|lived|based)\s+in\s+{NAME}(?:\s+{NAME})?(?:\s+for\s+\w+\s+(?:years|months))?),\s+"
    rf"(?P<area>(?:(?i:near|up\s+in|down\s+in|over\s+in|out\s+in|just\s+outside|outside|in)\s+){NAME}(?:\s+{NAME})?)"
    r"(?=\s*(?:[,.!?;]|$|\s+(?:with|by|and|since|for)\b))"
)
"""The part of town said after the town ("we live in Lausanne, near Ouchy, by the lake")."""


def with_area_kept(text: str) -> str:
    """ "we live in Lausanne, near Ouchy" → "… in Lausanne near Ouchy": one clause, so the home keeps its area."""
    return AREA_AFTER.sub(lambda found: f"{found['said']} {found['area']}", text)


def with_there_named(text: str) -> str:
    """ "halcyon is based in cardiff so we moved there" → "… so we moved to Cardiff": "there" is the place just
    named (in the same message), which a memory read weeks later cannot see."""
    moved = MOVED_THERE.search(text)
    if moved is None:
        return text
    places = [
        place for found in PLACE_BEFORE.finditer(text, 0, moved.start()) if (place := place_phrase(found["place"]))
    ]
    if not places:
        return text
    to = "in" if moved["verb"].lower().startswith("liv") else "to"  # "my mum still lives there": in Nyeri
    return f"{text[: moved.start()]}{moved['verb']} {to} {places[-1]}{text[moved.end() :]}"


VISITING = re.compile(
    rf"\b(?i:back\s+from|(?:went|flew|drove|came|going|flying|driving|been)\s+(?:up\s+|down\s+|over\s+)?to|in)\s+"
    rf"(?P<place>{NAME}(?:\s+{NAME})?)\s+(?i:visiting|to\s+visit|to\s+see|seeing|staying\s+with)\s+"
    rf"(?i:my|our)\s+(?P<rel>(?i:{RELATIONS}))\b(?!\s+(?:and|who|at|in|for)\b)"
)
""" "just got back from Kochi visiting my mom": she lives there (a visit at a hotel or a wedding is not said so)."""


def where_visited(text: str) -> list[str]:
    """ "my mom lives in Kochi" for each of the user's people visited where they live, to be read as a clause."""
    return [f"my {match['rel'].lower()} lives in {match['place']}" for match in VISITING.finditer(text)]


def as_their_news(clause: str) -> str:
    """ "Carolina just told me she's moving to Madrid" → "Carolina's moving to Madrid"."""
    match = TOLD_ME.match(clause)
    return f"{match['who']}{match['rest']}" if match else clause


def in_passing(text: str, people: People, found: list[Candidate]) -> list[Candidate]:
    """The message's facts that no single clause holds; ``found`` are the ones its clauses gave."""
    named = {
        word.lower()
        for candidate in found
        if candidate.kind in (MemoryKind.PERSON, MemoryKind.PET)
        for word in re.findall(r"\w+", candidate.text)
    }
    found_in_passing = _people_in_passing(text, people, named | NOT_NAMES)
    return found_in_passing + engaged(text, people) + born(text, people) + _tastes_and_work(text)


def _people_in_passing(text: str, people: People, skip: set[str]) -> list[Candidate]:
    """People and pets named in brackets, in a list, as "X is my …", or named after they were got."""
    extra: list[Candidate] = []
    for match in IN_BRACKETS.finditer(text):  # "kayode (my son, he's 5)"
        person = Person(match["rel"].lower(), name_case(match["name"]))
        if match["name"].lower() not in skip:
            extra.append(_introduce(person, people))
        if match["age"] and not person.is_pet:
            age = f"{match['age']} years old"
            extra.append(fact(f"{person.display} is {age}", f"{person.id}.age", person.profile(age), kind=PERSON))
    for match in SEVERAL.finditer(text):  # "I've got two sisters, Tolu and Bisi"
        relation = match["rel"].lower().removesuffix("s")
        relation = {"childre": "child", "children": "child"}.get(relation, relation)
        for name in re.split(r"\s*,\s*|\s+and\s+", match["names"]):
            if name.lower() not in skip:
                person = people.learn(Person(relation, name_case(name)))
                key = f"{person.id}.relation"  # one key per person: two sisters are two memories
                extra.append(fact(f"My {relation} is called {person.name}", key, person.profile(""), kind=PERSON))
    for match in IS_MY.finditer(text):  # "otieno is my boyfriend"
        if match["name"].lower() not in skip | PRONOUNS and match["name"].lower() not in people.known:
            extra.append(_introduce(Person(match["rel"].lower(), name_case(match["name"])), people))
    if (met := PET_GOT.search(text) or _pet_is(text, people)) and (naming := PET_NAMED.search(text, met.end())):
        name = naming["name"] or naming["other"]
        if name.lower() not in skip:
            extra.append(_introduce(Person(pet_kind(met["kind"], met["rel"]), name), people))
    for with_pet in PET_WITH.finditer(text):
        if with_pet["name"].lower() not in skip | NOT_A_NAME:
            extra.append(_introduce(Person(pet_kind(with_pet["kind"], with_pet["rel"]), with_pet["name"]), people))
    for died in PET_DIED.finditer(text):
        if died["name"].lower() not in NOT_A_NAME:
            pet = people.learn(Person(pet_kind(died["kind"], died["rel"]), died["name"]))
            said, key = f"My {pet.relation} {pet.name} died", pet.introduction()[1]
            profile = pet.profile("died")
            extra.append(Candidate(text=said, kind=MemoryKind.PET, key=key, importance=0.8, profile=profile))
    return extra


ENGAGED = re.compile(
    rf"\b(?:(?i:my)\s+(?P<rel>(?i:{RELATIONS}))\s+)?(?P<who>{NAME})\s+(?i:(?:has\s+)?(?:just\s+|finally\s+)?got|is"
    rf"|'s)\s+(?P<how>(?i:engaged|married))[!.\s]*\s+(?i:to)\s+(?:(?i:a|this)\s+(?P<sex>(?i:guy|man|lad|bloke|girl"
    rf"|woman|lass))\s+(?i:called|named)\s+|(?i:her|his|their)\s+(?P<was>(?i:boyfriend|girlfriend|partner))\s+)?"
    rf"(?P<partner>{NAME})(?:,?\s+(?i:who's|who\s+is|he's|she's|he\s+is|she\s+is)\s+(?i:a|an)\s+(?P<job>[\w-]+))?"
)
""" "my best friend Solene just got engaged!! to a guy called Theo who's a pilot": Theo is Solene's fiancé."""
MEN_WORDS = frozenset("guy man lad bloke boyfriend".split())
WOMEN_WORDS = frozenset("girl woman lass girlfriend".split())


def engaged(text: str, people: People) -> list[Candidate]:
    """One of the user's people engaged or married to someone named: who that is to them, and their work."""
    found: list[Candidate] = []
    for match in ENGAGED.finditer(text):
        who, partner = name_case(match["who"]), name_case(match["partner"])
        known_before = who.lower() in people.known or match["rel"] is not None
        if not known_before or partner.lower() in NOT_A_NAME | people.known.keys():
            continue
        sex = (match["sex"] or match["was"] or "").lower()
        engaged_to = match["how"].lower() == "engaged"
        if sex in MEN_WORDS:
            relation = "fiancé" if engaged_to else "husband"
        elif sex in WOMEN_WORDS:
            relation = "fiancée" if engaged_to else "wife"
        else:
            relation = "fiancé(e)" if engaged_to else "spouse"
        person = people.learn(Person(f"{who}'s {relation}", partner))
        found.append(_introduce(person, people))
        if match["job"] and match["job"].lower() in PROFESSIONS:
            job = match["job"].lower()
            said = f"{person.display} is {'an' if job[0] in 'aeiou' else 'a'} {job}"
            found.append(fact(said, f"{person.id}.job", person.profile(job), kind=PERSON))
    return found


BORN = re.compile(
    rf"\b(?:(?i:my)\s+(?P<rel>(?i:{RELATIONS}))\s+)?(?P<parent>{NAME})(?:'s\s+(?i:wife|husband|partner)\s+{NAME})?\s+"
    rf"(?i:(?:just\s+)?had\s+(?:the|a|their|her|his)\s+baby)(?:\s+(?P<sex>(?i:girl|boy)))?\b[^.!?]*?"
    rf"(?:\b(?i:a\s+(?:little|baby|tiny)\s+)(?P<sex2>(?i:girl|boy))\s+(?i:called|named)|\b(?i:named|called)\s+(?i:her|him))"
    rf"\s+(?P<name>{NAME})"
)
""" "Pedro's wife Itziar had the baby, a little girl called Lucia": Pedro's daughter (the niece, said in two
steps, which :mod:`assistant.asked_detail` takes)."""


def born(text: str, people: People) -> list[Candidate]:
    """A baby born to one of the user's people, named: who the child is to them."""
    found: list[Candidate] = []
    for match in BORN.finditer(text):
        parent, child = name_case(match["parent"]), name_case(match["name"])
        sex = (match["sex"] or match["sex2"] or "").lower()
        if not (match["rel"] or parent.lower() in people.known) or child.lower() in NOT_A_NAME | people.known.keys():
            continue
        relation = {"girl": "daughter", "boy": "son"}.get(sex, "baby")
        found.append(_introduce(Person(f"{parent}'s {relation}", child), people))
    return found


def _pet_is(text: str, people: People) -> re.Match[str] | None:
    """ "she's a rescue greyhound": the user's pet, unless a person was just spoken of (it may be theirs)."""
    last = people.known.get(people.last or "", "").split()
    return PET_IS.search(text) if not people.last or (last and last[-1] in PET_WORDS) else None


def _tastes_and_work(text: str) -> list[Candidate]:
    """Dislikes said around a request, and a job said as "being a … is"."""
    extra: list[Candidate] = []
    if (being := BEING_A.search(text)) and being["job"].split()[-1].lower() in PROFESSIONS:
        job = being["job"].lower()  # "being a quantity surveyor is NOT glamorous"
        article = "an" if job[0] in "aeiou" else "a"
        extra.append(
            fact(f"I work as {article} {job}", "user.job", (ProfileSection.IDENTITY, "job", job), confidence=0.8)
        )
    if stuff := STUFF.search(text):  # "whats a good sub for dhania in githeri? i cant stand the stuff"
        extra.append(_dislike("can't stand", stuff["thing"].lower()))
    for match in NO_THANKS.finditer(text):  # "but no coriander on top pls"
        if match["thing"].split()[0].lower() not in NOT_FOOD:
            extra.append(_dislike("don't want", match["thing"].lower()))
    return extra


def _dislike(verb: str, thing: str) -> Candidate:
    section = ProfileSection.DISLIKES
    return fact(f"I {verb} {thing}", f"likes.{slug(thing)}", (section, thing, thing), kind=PREFERENCE, importance=0.6)


INLINE = re.compile(
    rf"(?:\b(?i:my|our)|\b(?i:for|with|to|from|visit|call|text)(?=\s+(?i:{RELATIONS})\s+[a-zà-ÿ][\w-]*\s*(?:$|[,.!?])))"
    rf"\s+(?i:{RELATION})\s+(?:(?P<name>[A-ZÀ-Ý][\w-]*)\b(?!')"
    rf"|(?P<lower>(?i:[a-zà-ÿ][\w-]*))\b(?=\s*(?:$|,|\.|\?|!|;|(?i:and|who|is|was)\b)))"
)
"""A name after "my sister": a capitalised one whatever follows ("my brother Tomás reckons…"), one typed in
lower case only where the clause moves on after it ("… with my husband david and our kids")."""


PET_IN_PASSING = re.compile(
    rf"\b(?:i|we){HAS_GOT}(?:a|an)\s+"
    rf"(?P<kind>(?:[\w-]+\s+){{0,2}}?(?P<rel>{PETS}))\s+(?:and\s+)?(?:called|named)\s+(?:(?:him|her|it|them)\s+)?"
    rf"(?P<name>[A-Za-zÀ-ÿ][\w-]*)",
    re.IGNORECASE,
)


def introductions(clause: str, people: People) -> list[Candidate]:
    """People named in passing ("… living in toronto with my husband david and our kids"): who they are
    to the user is worth keeping even when the clause is about something else."""
    found = []
    for match in PET_IN_PASSING.finditer(clause):  # "my girlfriend neve and i have a greyhound called pickle"
        if match.start() == 0 or match["name"].lower() in NOT_A_NAME:
            continue
        pet = people.learn(Person(pet_kind(match["kind"], match["rel"]), name_case(match["name"])))
        found.append(
            Candidate(
                text=f"I have a {pet.relation} called {pet.name}",
                kind=MemoryKind.PET,
                key=f"pet.{pet.id}",
                importance=0.8,
                profile=pet.profile(""),
            )
        )
    for match in INLINE.finditer(clause):
        name, relation = match["name"] or match["lower"], match["rel"].lower()
        if match.start() == 0 or name.lower() in NOT_A_NAME or name.lower() in PET_WORDS:
            continue
        if relation.split()[-1] in PET_WORDS:  # "our old beagle Pepper": a beagle, unless it died (in_passing)
            if any(died["name"] == name for died in PET_DIED.finditer(clause)):
                continue
            relation = pet_kind(relation, relation.split()[-1])
        if people.known.get(name.lower()) == relation:
            continue
        person = people.learn(Person(relation, name_case(name)))
        text, key, kind = person.introduction()
        found.append(Candidate(text=text, kind=kind, key=key, importance=0.8, profile=person.profile("")))
    return found


def _introduce(person: Person, people: People, was: str | None = None) -> Candidate:
    """The memory that says who someone is; ``was`` is the name a pet had before, whose slot it takes."""
    people.learn(person)
    text, key, kind = person.introduction(was)
    return Candidate(text=text, kind=kind, key=key, importance=0.8, confidence=0.85, profile=person.profile(""))


def name_fix(text: str, people: People) -> Candidate | None:
    """ "*Sjoerd sorry, autocorrect" after "my mate Sjourd": the person is Sjoerd. The old spelling is the
    known name it is closest to (or the one the user names: "it's Kemi, not Kemmy")."""
    if renamed := RENAMED.search(text):  # "the vet says Falafel is actually a girl lol. so she's Fattoush now"
        old = (renamed["old"] or "").lower() or people.last_named_in(text[: renamed.start()]) or people.last
        new_name = name_case(renamed["new"] or renamed["other"] or renamed["called"]).rstrip("'’")
        if old and old in people.known and new_name.lower() not in set(people.known) | NOT_NAMES:
            return _introduce(Person(people.known.pop(old), new_name), people, was=old)
    match = NAME_FIX.search(text)
    if match is None:
        return None
    new = match["star"] or match["after"] or match["spelled"]
    if new.lower() in people.known or new.lower() in NOT_NAMES:
        return None
    if match["old"]:
        old = match["old"].lower() if match["old"].lower() in people.known else None
    else:
        close = [(SequenceMatcher(None, new.lower(), known).ratio(), known) for known in people.known]
        old = max(close)[1] if close and max(close)[0] >= 0.6 else None
    if old is None:
        return None
    relation = people.known.pop(old)
    return _introduce(Person(relation, name_case(new)), people, was=old)
