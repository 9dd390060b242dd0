"""Word lists and small phrase helpers the extraction rules share: relations, pets, jobs, objects, times."""

from __future__ import annotations

import re
from datetime import datetime

from memory.timeparse import TimeRef, find_times

RELATIONS = (
    "best friend|friend|sister|brother|mom|mum|mother|dad|father|wife|husband|partner|girlfriend|boyfriend"
    "|fiancée|fiancee|fiancé|fiance|son|daughter|kid|child|baby|grandma|grandmother|granny|nan|grandpa"
    "|grandfather|granddad|aunt|auntie|uncle|cousin|niece|nephew|boss|manager|colleague|coworker|co-worker"
    "|roommate|flatmate|housemate|neighbour|neighbor|stepmom|stepmum|stepdad|stepson|stepdaughter|twin"
    "|mother-in-law|father-in-law|sister-in-law|brother-in-law|godson|goddaughter|godmother|godfather"
    "|mate|buddy|pal|bestie|granddaughter|grandson|grandchild|grandkid|son-in-law|daughter-in-law"
)
PETS = (
    "dog|puppy|pup|cat|kitten|rabbit|bunny|hamster|guinea pig|parrot|budgie|bird|goldfish|fish|horse|pony"
    "|tortoise|turtle|snake|lizard|gecko|ferret|hen|chicken|rat|mouse|cockatiel|greyhound|labrador|lab|terrier"
    "|spaniel|collie|poodle|beagle|dachshund|pug|husky|retriever|shepherd|whippet|lurcher|tabby"
)
PET_WORDS = frozenset(PETS.split("|"))
SPECIES = {
    **dict.fromkeys(
        "greyhound labrador lab terrier spaniel collie poodle beagle dachshund pug husky retriever shepherd whippet"
        " lurcher".split(),
        "dog",
    ),
    "tabby": "cat",
}
"""What a breed is, so a question about "the dog" finds the greyhound."""


def pet_kind(kind: str, species: str) -> str:
    """The pet as the user put it, with what it is where the word is a breed: "collie pup", "greyhound dog",
    "tabby cat"; a word before it that is no breed ("rescue", "enormous") is left out."""
    words = kind.lower().split()
    breed = words[-2] if len(words) > 1 and words[-2] in PET_WORDS else ""
    species = species.lower()
    return " ".join(filter(None, (breed, species, SPECIES.get(species, ""))))


# Kin words that say whether "he" or "she" can mean the person ("she's a rescue greyhound" is not the brother).
MEN = frozenset(
    """brother husband dad father son boyfriend fiancé fiance grandpa grandfather granddad uncle nephew stepdad
    stepson father-in-law brother-in-law son-in-law godson godfather grandson""".split()
)
WOMEN = frozenset(
    """sister wife mom mum mother daughter girlfriend fiancée fiancee grandma grandmother granny nan aunt auntie
    niece stepmom stepmum stepdaughter mother-in-law sister-in-law daughter-in-law goddaughter godmother
    granddaughter""".split()
)

RELATION_PREFIX = r"(?:(?:older|younger|little|big|twin|oldest|youngest|eldest|baby|new|old|rescue)\s+)?"
# Head nouns that make "I'm a …" / "Lena is a …" a job rather than a description.
PROFESSIONS = frozenset(
    """accountant actor actress analyst architect artist assistant baker barber barista bartender biologist
    builder butcher carpenter cashier chef chemist cleaner clerk coach consultant cook counsellor counselor
    dancer dentist designer detective developer dietitian director doctor driver economist editor electrician
    engineer farmer firefighter gardener geologist guard hairdresser historian illustrator instructor
    journalist judge lawyer lecturer librarian manager mechanic midwife musician nanny nurse officer painter
    paramedic pharmacist photographer physicist physiotherapist pilot plumber poet policeman policewoman
    producer professor programmer psychologist receptionist researcher salesman saleswoman scientist
    secretary singer soldier solicitor student surgeon tailor teacher technician therapist translator tutor
    vet veterinarian waiter waitress writer planner coordinator supervisor administrator operator specialist
    advisor adviser agent broker banker trader courier carer caregiver optician radiographer welder
    machinist roofer decorator plasterer locksmith joiner surveyor dispatcher controller inspector auditor
    recruiter marketer strategist copywriter animator paralegal postman postwoman lifeguard zookeeper
    firefighter tiler bricklayer estimator buyer merchandiser sommelier repairer luthier tuner upholsterer
    cobbler jeweller jeweler potter weaver beekeeper fisherman fishmonger greengrocer shopkeeper""".split()
)
LANGUAGES = (
    "english|portuguese|spanish|french|german|italian|dutch|japanese|chinese|mandarin|cantonese|korean|hindi"
    "|arabic|russian|polish|swedish|norwegian|danish|finnish|greek|turkish|hebrew|ukrainian|czech|romanian"
    "|hungarian|vietnamese|thai|indonesian|urdu|bengali|tamil|catalan|irish|welsh"
)
# Capitalised words that follow "I'm" without being a name.
NOT_NAMES = frozenset(
    set(LANGUAGES.split("|"))
    | set(
        """american british canadian australian irish scottish european asian african latino catholic jewish
        muslim christian hindu buddhist sorry fine good okay ok back here done ready home tired sure new
        vegan vegetarian""".split()
    )
)
# Small words that end a place or an object ("moved to Leeds for a job" → Leeds).
PHRASE_STOP = frozenset(
    """for with and but because since to at on in by from last next this these that who which when while
    where after before until so though although as now again too anymore yet already soon tomorrow today
    yesterday tonight especially i we she he it they there here right just really about around ago btw lol tbh
    haha""".split()
)
OBJECT_END = re.compile(
    r",|;|\s+(?:because|since|especially|but|though|although|when|whenever|while|so much|a lot|more than"
    r"|these days|nowadays|at all|anymore|to be honest|tbh|honestly|lately|recently|myself|personally)\b",
    re.IGNORECASE,
)
PRONOUN_OBJECTS = frozenset("it that this them you your him her these those one everything anything something".split())
VAGUE_OBJECTS = frozenset({"the stuff", "that stuff", "stuff", "the taste", "the smell", "the thing", "things"})
DETERMINERS = frozenset("the a an my our your his her their some any of to".split())
FUTURE_HINT = " (soon)"  # timeparse reads "I'm doing X on March 8th" as past unless the clause sounds future


def name_case(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


def sentence_case(text: str) -> str:
    """Capital "I" and a capital first letter: ``"i usually go climbing"`` → ``"I usually go climbing"``."""
    text = re.sub(r"\bi\b", "I", " ".join(text.split()))
    return text[:1].upper() + text[1:]


def slug(text: str, limit: int = 5) -> str | None:
    """A key part from a phrase: ``"the new Star Wars shows"`` → ``"new_star_wars_shows"``."""
    words = [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in DETERMINERS]
    return "_".join(words[:limit]) or None


def object_phrase(rest: str) -> str | None:
    """What a like, a hate or a job is about, cut where the clause moves on; None for a bare pronoun."""
    phrase = OBJECT_END.split(rest, maxsplit=1)[0].strip(" .!?")
    words = phrase.split()
    if not words or len(words) > 10 or words[0].lower() in PRONOUN_OBJECTS or phrase.lower() in VAGUE_OBJECTS:
        return None  # "I love it", "I like that idea": about the conversation, not the user
    if re.search(r"\b(?:you|your)\b", phrase, re.IGNORECASE):
        return None  # "I like how you explained it"
    return phrase


NOT_A_PLACE_START = frozenset({"my", "our", "his", "her", "their", "your", "a", "an", "this", "that", "there", "here"})


def place_phrase(rest: str) -> str | None:
    """A place name at the start of ``rest``: ``"Leeds for a new job"`` → ``"Leeds"``, ``"the UK"`` stays whole."""
    words = rest.strip(" .!?").replace(",", " , ").split()
    if words and words[0].lower() in NOT_A_PLACE_START:  # "my home country", "a small town": not a name
        return None
    taken: list[str] = []
    if words and words[0].lower() == "the" and len(words) > 1 and words[1][:1].isupper():
        taken, words = ["the"], words[1:]
    for index, word in enumerate(words):
        bare = word.strip(".!?")
        if bare == "," and taken and _town_then_city(words[index + 1 :]):  # "nyali, mombasa now"
            taken += [",", words[index + 1].strip(".!?")]
            break
        if bare == "," or (bare.lower() in PHRASE_STOP and not (taken and bare.lower() in ("de", "da", "do"))):
            break
        if not bare[:1].isalpha() or len(taken) >= 4:
            break
        taken.append(bare)
        if bare != word:  # punctuation ends the place
            break
    if not taken or taken == ["the"]:
        return None
    place = " ".join(word if word == "the" or word[:1].isupper() else name_case(word) for word in taken)
    return place.replace(" , ", ", ")


def _town_then_city(after: list[str]) -> bool:
    """ "Kilimani, Nairobi": one more word after the comma, then nothing (or "now") — a district and its city."""
    if not after or not after[0].strip(".!?").isalpha() or after[0].lower().strip(".!?") in PHRASE_STOP:
        return False
    return len(after) == 1 or after[0][-1:] in ".!?" or after[1].lower().strip(".!?") in ("now", ",", "—", "-")


def when(clause: str, said_at: datetime, *, future: bool = False) -> TimeRef | None:
    """The first time expression in ``clause``, read as future for plans."""
    found = find_times(clause + FUTURE_HINT if future else clause, said_at)
    return found[0] if found else None


PREPOSITION_OF_TIME = r"\b(?:on|in|during|over)\s+(?:the\s+)?"
""" "on", "in the", "over the": replaced with the relative phrase after it ("on Saturday" → "on 6 May 2023")."""


def with_absolute_time(text: str, ref: TimeRef) -> str:
    """Replace the relative phrase by its date, so the memory still reads true next year:
    ``"I went to a pottery class yesterday"`` → ``"… on 12 January 2026"``, "two weeks ago" → "around 3 May 2026"."""
    phrase = ref.phrase.strip(" .!?,")
    label = ref.label()
    preposition = "on" if re.match(r"\d{1,2}\D", label) else "in"  # on 7 May 2023, in May 2023, in 2023
    if 1 < (ref.end - ref.start).days <= 10:  # "two weeks ago", "last week": around its middle, not "on 1–7 May"
        preposition, label = "around", f"{ref.moment:%-d %B %Y}"
    pattern = re.compile(f"(?:{PREPOSITION_OF_TIME})?" + re.escape(phrase), re.IGNORECASE)
    replaced, count = pattern.subn(f"{preposition} {label}", text, count=1)
    return replaced if count else f"{text} ({label})"
