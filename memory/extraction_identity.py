"""Who the user is: name, age, home, origin, traits ("I'm left-handed"), job, workplace and studies.

Each reader takes one clause in the user's own words and returns a candidate memory in a clean first-person
sentence with the slot it fills (``user.home``, ``user.job``): a later one in the same slot replaces it.
"""

from __future__ import annotations

import re
from datetime import datetime

from memory.extraction import Candidate, fact
from memory.extraction_words import NOT_NAMES, PROFESSIONS, name_case, object_phrase, place_phrase, slug, when
from memory.profile import ProfileSection

I_AM = r"(?i:i'm|i am|im)"
AREA = re.compile(
    r"^(?P<town>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)(?:\s+for\s+\w+\s+(?:years|months))?\s+"
    r"(?P<area>(?:near|up in|down in|over in|out in|just outside|outside|in)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)"
    r"(?=\s*(?:[,.;!?]|$))"
)
"""A home with its part of town: "Lausanne near Ouchy" (the comma taken out by ``with_area_kept``)."""
IDENTITY = ProfileSection.IDENTITY

TRAITS = (
    r"left-handed|right-handed|left handed|colou?r-?blind|colou?r blind|dyslexic|autistic|deaf|hard of hearing"
    r"|short-sighted|long-sighted|an only child|a twin|an identical twin|a night owl|a morning person|an early riser"
    r"|an introvert|an extrovert|neurodivergent|adhd"
)
"""What the user is, said in passing ("I'm left-handed, random fact")."""


def read_identity(clause: str, said_at: datetime) -> Candidate | None:
    """Name, age, home, origin, job, studies."""
    if match := re.match(
        r"^(?:my name is|my name's|name's|i'm called|i am called|(?:you can |please |just )?call me)\s+(?P<name>\w+)$",
        clause,
        re.IGNORECASE,
    ):
        name = name_case(match["name"])
        return fact(f"My name is {name}", "user.name", (IDENTITY, "name", name))
    if (match := re.match(rf"^{I_AM}\s+(?P<name>[A-Z][a-zà-ÿ'-]+)$", clause)) and match[
        "name"
    ].lower() not in NOT_NAMES:
        return fact(f"My name is {match['name']}", "user.name", (IDENTITY, "name", match["name"]))
    if match := re.match(
        rf"^(?:{I_AM}|i just turned|i turned)\s+(?P<age>\d{{1,3}})(?:\s+years?\s+old)?$", clause, re.I
    ):
        if 3 <= int(match["age"]) <= 120:
            return fact(f"I am {match['age']} years old", "user.age", (IDENTITY, "age", match["age"]))
    if match := re.match(
        r"^(?:i|we)(?:'ve|'m|'re|\s+have|\s+am|\s+are)?(?:\s+(?:just|recently|finally|now|still|actually))?\s+"
        r"(?:live|moved|relocated|living|based|moving)\s+"
        r"(?:back\s+)?(?:in|to)\s+(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    ):
        place = place_phrase(match["rest"])
        if area := AREA.match(match["rest"]):  # "Lausanne near Ouchy" (see with_area_kept)
            place = f"{area['town']}, {area['area']}"
        ref = when(match["rest"], said_at)
        if place:
            return fact(
                f"I live in {place}", "user.home", (IDENTITY, "home", place), refers_to=ref.moment if ref else None
            )
    if (match := re.match(r"^(?P<name>[a-zà-ÿ][\w'-]+)\s+here$", clause, re.I)) and match["name"].lower() not in (
        NOT_NAMES | {"me", "i", "you", "everyone", "nobody", "we", "same", "back", "all"}
    ):  # "ernesto here. 71, …"
        name = name_case(match["name"])
        return fact(f"My name is {name}", "user.name", (IDENTITY, "name", name))
    if match := re.match(r"^(?P<age>\d{2,3})\s+as\s+of\s+(?:yesterday|today|this\s+week|last\s+week)$", clause, re.I):
        return fact(f"I am {match['age']} years old", "user.age", (IDENTITY, "age", match["age"]))
    if re.match(r"^(?:it's|its|it is)\s+my\s+birthday\s+today$", clause, re.I):
        day = f"{said_at.day} {said_at:%B}"
        return fact(f"My birthday is on {day}", "user.birthday", (IDENTITY, "birthday", day))
    if match := re.match(rf"^(?:{I_AM}\s+)?(?:officially|now|finally)\s+(?P<age>\d{{1,3}})$", clause, re.I):
        if 13 <= int(match["age"]) <= 120:  # "its my birthday today!! officially 29"
            return fact(f"I am {match['age']} years old", "user.age", (IDENTITY, "age", match["age"]))
    if match := re.match(rf"^{I_AM}\s+(?P<trait>{TRAITS})$", clause, re.I):
        trait = match["trait"].lower()
        return fact(f"I'm {trait}", f"user.trait.{slug(trait, 3)}", (IDENTITY, trait, trait), importance=0.6)
    if match := re.match(
        rf"^(?:{I_AM}|we're|we are)\s+(?:officially\s+|now\s+|finally\s+)*(?P<place>[A-Z][\w-]+)\s+"
        r"(?:people|locals|residents|folks)(?:\s+now)?(?:,.*)?$",
        clause,
    ):  # "we're officially Gothenburg people now"
        return fact(f"I live in {match['place']}", "user.home", (IDENTITY, "home", match["place"]))
    if match := re.match(
        rf"^(?:{I_AM}\s+(?:originally\s+)?from|i come from|i grew up in|i was born(?:\s+and\s+raised)?\s+in"
        rf"|(?:i|we)\s+(?:moved|came|emigrated)"
        rf"\s+(?:here\s+|over\s+)?from)\s+(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    ):
        careful_case = re.search(r"\bI\b", clause) and match["rest"][:1].islower()  # "I moved from trombone to tuba"
        if not careful_case and (place := place_phrase(match["rest"])):
            return fact(f"I'm from {place}", "user.origin", (IDENTITY, "from", place))
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
    elif (
        match := re.match(
            r"^i\s*(?:'ve|have)?\s+(?:just\s+|finally\s+)?(?:accepted|got|landed|started|taken|took|was offered"
            r"|been offered|start)\s+(?:a|an|the|my)\s+(?:new\s+)?(?P<job>[\w\s-]{3,40}?)\s+(?:job|position|role)\b"
            r"(?P<where>\s+(?:at|in|for|with)\s+.+)?$",
            clause,
            re.I,
        )
    ) and _is_job(match["job"]):
        job = match["job"] + (match["where"] or "")
    elif (match := re.match(r"^i\s+(?!am\b|'m\b)[\w\s,'-]{2,40}?\s+as\s+(?:a|an)\s+(?P<job>.+)$", clause, re.I)) and (
        _is_job(match["job"])
    ):  # "I do long shifts as a logistics planner at a container terminal"
        job = re.split(r"\s+(?:so|and|but|which)\s+", match["job"], maxsplit=1)[0]
    elif match := re.match(
        r"^i\s+(?:just\s+)?(?:got|was|have been|'ve been)\s+promoted\s+to\s+(?P<job>.+)$", clause, re.I
    ):
        job = re.sub(r"^(?:a|an|the)\s+", "", match["job"], flags=re.IGNORECASE)
    elif (match := re.match(rf"^{I_AM}\s+(?:now\s+)?(?:a|an)\s+(?P<job>.+)$", clause, re.I)) and _is_job(match["job"]):
        job = match["job"]
    elif match := re.match(
        rf"^{I_AM}\s+(?:now\s+)?(?:the\s+)?(?:new\s+)?(?P<job>(?:head|director|deputy head|chair|dean|captain|leader)"
        r"\s+of\s+[\w\s&-]{3,30}?)(?:\s+(?:at|in|for)\s+.+|\s+now)?$",
        clause,
        re.I,
    ):  # "i'm the new head of science"
        job = match["job"]
    elif (match := JOB_FRAGMENT.match(clause)) and (match["name"] or match["where"]) and _is_job(match["job"]):
        job = re.split(r"\s+from\s+", match["job"], maxsplit=1)[0]  # where they're from is not where they work
        job = job[:1].lower() + job[1:] if job[1:2].islower() else job  # "Electrician on …" began a sentence
    if job is not None:
        ref = when(job, said_at)
        job = re.sub(r"[^\w)]+$", "", job.replace(ref.phrase, "") if ref else job).strip()  # no "🎉" or "!"
        head = re.split(r"\s+(?:at|in|for|with|on|out\s+of)\s+", job, maxsplit=1)[0]
        article = "an" if job[:1].lower() in "aeiou" else "a"
        return fact(
            f"I work as {article} {job}",
            "user.job",
            (IDENTITY, "job", head),
            refers_to=ref.moment if ref else None,
        )
    if match := re.match(r"^i\s+(?:teach|lecture|lecture in)\s+(?P<rest>.+)$", clause, re.I):
        taught = object_phrase(match["rest"])
        if taught:
            return fact(f"I teach {taught}", "user.job", (IDENTITY, "job", f"teaches {taught}"))
    if match := re.match(
        r"^i\s+(?:work|'m working|am working|(?:just\s+)?(?:got|accepted|took|landed)\s+(?:offered\s+)?(?:a\s+)?"
        r"(?:new\s+)?job)\s+(?P<where>at|for|with)\s+(?P<rest>.+)$",
        clause,
        re.I,
    ):
        return fact(f"I work {match['where'].lower()} {match['rest']}", "user.workplace", importance=0.8)
    if match := re.match(
        rf"^(?:i\s+study|{I_AM}\s+studying|i'm doing a degree in|i(?:'m)? major(?:ing)? in)\s+(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    ):
        return fact(f"I study {match['rest']}", "user.study", (IDENTITY, "studies", match["rest"]), importance=0.8)
    if match := re.match(
        r"^(?:i'm|i am|i've been|i have been|i just started|i started)\s+learning\s+(?P<rest>.+)$", clause, re.I
    ):
        learned = object_phrase(match["rest"]) or match["rest"]
        topic = slug(re.split(r"\s+(?:on|with|at|in|from)\s+", learned, maxsplit=1)[0], 3)
        return fact(f"I'm learning {learned}", f"user.learning.{topic}", importance=0.6, confidence=0.8)
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
