"""What memory adds to one turn, as the model reads it: the profile, recalled memories, constraint notes and the
reply's opening for them, the answer style, who is who ("not in memory" is :mod:`assistant.unknown_notes`).

Recalled memories and notes go beside the user's message, in the user's own voice ("I'm allergic to
peanuts"), because that is where a small model reads them and because the system prompt above stays the same
turn after turn (its key/value cache survives a new recall). ``layout = "system"`` puts them in the system
prompt instead, as mnemo did before, so the two can be measured against each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.kin import Kin
from assistant.prompt import PromptPart, quoted_if_instruction
from assistant.reply_rules import KEPT_BY_THE_APP, reply_rules, style_opening
from assistant.unknown_notes import ASKS_A_FACT, ASKS_ADVICE
from memory.constraints import DIETS, ConstraintKind
from memory.extraction_text import REQUEST, clean, sentences
from memory.extraction_words import PREPOSITION_OF_TIME, SPECIES
from memory.records import MemoryKind
from memory.timeparse import find_times

if TYPE_CHECKING:
    from memory.constraints import Constraint
    from memory.profile import ProfileEntry
    from memory.records import Memory
    from memory.retrieval import Recalled

SOURCE = "memory"


def memory_line(memory: Memory, now: datetime | None = None) -> str | None:
    """``- I'm allergic to peanuts (12 Nov 2026)``: what was said (an episode's speaker is in its text) and when.

    A turn of the user's own keeps only what it stated: its questions and requests were answered in their chat,
    and a small model shown "can you suggest a wind-down routine?" answers that instead of today's question.
    None when nothing is left.
    """
    moment = memory.refers_to or memory.said_at
    when = f"about {moment:%-d %b %Y}" if memory.refers_to else f"{moment:%-d %b %Y}"
    if now is not None:
        when = f"{when}, {how_long_ago(moment, now)}"
    text = memory.text
    if memory.kind == MemoryKind.EPISODE and not memory.speaker:
        text = " ".join(stated for sentence in sentences(text) if (stated := _stated(sentence)))
    if memory.kind == MemoryKind.EPISODE:
        text = with_dates(text, memory.said_at, now)
    text = quoted_if_instruction(text.strip().rstrip("."))
    return f"- {text} ({when})" if text else None


SAME_DAY = frozenset({"today", "tonight", "this morning", "this afternoon", "this evening"})
RELATIVE_ONLY = re.compile(r"^(?!since\b)(?!.*\b(?:19|20)\d\d\b)", re.IGNORECASE)
""" "last Thursday", "two weeks ago", "today": no year of its own, so it says nothing true once time has passed."""


def with_dates(text: str, said_at: datetime, now: datetime | None = None) -> str:
    """Relative time in an old turn, as a date: "Rua died last Thursday", said on 2 Oct, reads "Rua died on
    1 Oct 2026 (7 weeks ago)". Read weeks later, "last Thursday" and "two weeks ago" mislead a small model."""
    position = 0
    for ref in find_times(text, said_at):
        phrase = ref.phrase.strip(" .!?,")
        found = text.find(phrase, position)
        counted = COUNTED_BEFORE.search(text[:found]) if phrase.lower() == "today" else None
        if found < 0 or not RELATIVE_ONLY.match(phrase) or (phrase.lower() in SAME_DAY and not counted):
            continue  # "the dispensary was chaos today": the line's own date says which day
        days = (ref.end - ref.start).days
        if days <= 1:
            dated = f"on {ref.start:%-d %b %Y}"
        elif days <= 10:
            dated = f"around {ref.moment:%-d %b %Y}"
        else:
            dated = f"in {ref.label()}"
        if now is not None and days <= 10:
            dated = f"{dated} ({how_long_ago(ref.moment, now)})"
        if now is not None and counted:
            dated += _counted_now(counted, ref.start, now)
        before = re.search(PREPOSITION_OF_TIME + "$", text[:found], re.IGNORECASE)
        start = before.start() if before else found
        if re.search(r"\b(?:from|until|till|since|by|before|after)\s+$", text[:found], re.IGNORECASE):
            dated = dated.removeprefix("on ").removeprefix("in ")  # "from this month": "from November 2026"
        text = text[:start] + dated + text[found + len(phrase) :]
        position = start + len(dated)
    return text


NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
COUNTED_BEFORE = re.compile(
    rf"\b(?P<count>\d{{1,3}}|{'|'.join(NUMBER_WORDS)})\s+(?P<unit>day|week|month|year)s?"
    r"(?:\s+(?:old|along|pregnant|sober|clean|in))?\s+$",
    re.IGNORECASE,
)
""" "14 weeks today", "3 months sober today": a count that has grown since it was said."""


def _counted_now(counted: re.Match[str], then: datetime, now: datetime) -> str:
    """ ", so about 20 weeks now": "14 weeks today", said 6 weeks ago, plus the time since."""
    count = counted["count"].lower()
    number = int(count) if count.isdigit() else NUMBER_WORDS.index(count) + 1
    unit = counted["unit"].lower()
    grown = number + round((now - then).days / UNIT_DAYS[unit])
    return f", so about {grown} {unit}{'s' if grown != 1 else ''} now" if grown != number else ""


def how_long_ago(moment: datetime, now: datetime) -> str:
    """``"3 weeks ago"``, ``"in 2 days"``: small models cannot subtract dates, so the app does it."""
    days = (now.date() - moment.astimezone(now.tzinfo).date()).days
    ahead, days = days < 0, abs(days)
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow" if ahead else "yesterday"
    for size, unit in ((365, "year"), (30, "month"), (7, "week"), (1, "day")):
        if days >= size * (2 if size > 1 else 1) or size == 1:
            count = round(days / size)
            phrase = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {phrase}" if ahead else f"{phrase} ago"
    return ""


def _asks(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(REQUEST.match(clean(sentence)))


STATED_THEN_ASKED = re.compile(
    r"^(?P<stated>.{12,}?),\s+(?:so\s+|and\s+|but\s+)?(?=(?:what|what's|how|can|could|would|should|any|is|are|do|does"
    r"|which|where|when|who|will)\b)",
    re.IGNORECASE,
)


def _stated(sentence: str) -> str:
    """What a sentence states: all of it, none of a question or request, or the statement a question follows
    ("I ran the Berlin half in February 2024 in 2:05, what's a realistic goal?" states the race)."""
    if not _asks(sentence):
        return sentence
    match = STATED_THEN_ASKED.match(sentence) if sentence.rstrip().endswith("?") else None
    return match["stated"] if match and not _asks(match["stated"]) else ""


PROFILE_TITLE = 'About the person you are talking to (speak to them as "you")'


def profile_part(profile: str, sources: Sequence[str]) -> PromptPart:
    """The user's profile, in the system prompt (it changes rarely, so its key/value cache is kept)."""
    return PromptPart(
        PROFILE_TITLE, profile, order=20, source=SOURCE, references=tuple(f"profile:{source}" for source in sources)
    )


CORRECTED = re.compile(
    r"\b(?:is|it's|its|it is|called|named|spelled|spelt)\s+(?P<new>[A-Z][\w'-]+)\s*,?\s+not\s+(?P<old>[A-Z][\w'-]+)\b"
)
""" "my niece is Anaya, not Ananya": a name the user corrected."""


def recalled_part(recalled: Sequence[Recalled], layout: str, now: datetime | None = None) -> PromptPart:
    shown = _as_corrected([(item, line) for item in recalled if (line := memory_line(item.memory, now)) is not None])
    lines = "\n".join(line for _, line in shown)
    references = tuple(item.memory.id for item, _ in shown)
    strength = max((item.deviations for item, _ in shown), default=0.0)
    if layout == "system":
        title = "What the user told you in earlier chats (their own words: 'I' and 'my' mean the user)"
        return PromptPart(title, lines, order=30, source=SOURCE, references=references, strength=strength)
    title = "What I told you in earlier chats (most relevant first):"
    return PromptPart(title, lines, order=30, source=SOURCE, references=references, placement="turn", strength=strength)


def _as_corrected(shown: list[tuple[Recalled, str]]) -> list[tuple[Recalled, str]]:
    """Lines said before a correction ("my niece is Anaya, not Ananya") show the corrected name: the model took
    the old spelling from "my brother Vikram's daughter Ananya", recalled above the correction."""
    fixes = [
        (item.memory.said_at, found["old"], found["new"])
        for item, _ in shown
        for found in CORRECTED.finditer(item.memory.text)
    ]
    if not fixes:
        return shown
    corrected = []
    for item, line in shown:
        for said_at, old, new in fixes:
            if item.memory.said_at < said_at:
                line = re.sub(rf"\b{re.escape(old)}\b", new, line)
        corrected.append((item, line))
    return corrected


def constraint_part(constraints: Sequence[Constraint], layout: str, message: str = "") -> PromptPart:
    """The note that makes a small model heed an allergy, the warning lines the app shows whatever it says, and
    for a request (not a question of fact: "when did I last fly?") the reply's first words."""
    said = "; ".join(constraint.text.rstrip(".") for constraint in constraints)
    subjects = " or ".join(dict.fromkeys(constraint.subject for constraint in constraints))
    if layout == "system":
        text = (
            f"The user's constraints that bear on this message: {said}. If what they ask involves {subjects}, "
            "warn them first and suggest something safe."
        )
        placement, title = "system", "Careful"
    else:
        text = f"(Important: {said}. If what I'm asking involves {subjects}, warn me first and suggest something safe.)"
        placement, title = "turn", ""
    return PromptPart(
        title,
        text,
        order=90,
        source="constraint",
        references=tuple(constraint.memory_id for constraint in constraints),
        placement=placement,
        notices=tuple(constraint.warning for constraint in constraints),
        opening=constraint_opening(constraints) if _wants_the_opening(message, constraints) else "",
    )


def _wants_the_opening(message: str, constraints: Sequence[Constraint]) -> bool:
    """A request, not a question of fact, and not one that already keeps every constraint ("I made a peanut-free
    pad thai": "You told me you're allergic to peanuts, so I'd avoid" read as if the user had not)."""
    if not message or asks_only_a_fact(message):
        return False
    return not all(keeps(message, constraint.subject) for constraint in constraints)


def keeps(message: str, subject: str) -> bool:
    """Whether the message leaves ``subject`` out itself: "peanut-free", "without dairy", "no nuts in it"."""
    words = subject.lower().split()
    if not words:
        return False
    thing = re.escape(" ".join(words)).removesuffix("s") + r"s?"
    pattern = rf"\b{thing}[- ]free\b|\b(?:without|no|zero|free of|minus)\s+(?:any\s+)?{thing}\b"
    return bool(re.search(pattern, message, re.IGNORECASE))


def asks_only_a_fact(message: str) -> bool:
    """ "When was I last on a plane?", "how old is Malik?": a question of fact, not a request for advice or ideas
    ("what's a good paella recipe?", "should I take ibuprofen?")."""
    return bool(ASKS_A_FACT.match(message.strip())) and not ASKS_ADVICE.search(message)


def constraint_opening(constraints: Sequence[Constraint]) -> str:
    """The reply's first words when constraints bear on a request: "You told me you're allergic to peanuts, so I'd
    avoid" (the model goes on: "chicken satay. How about a grilled chicken skewer instead?"). Without it the 0.5B
    model heeded an allergy noted beside the question in 6 of 19 cases and echoed the request instead ("Order
    chicken satay from the Thai place"). The last words lead it to the safe answer for the first constraint's
    kind: "so" alone led to "so I'll skip that part", and "so I'd avoid" after "you take warfarin" to "avoid it.
    How about ibuprofen instead?"."""
    clauses = [
        f"you told me{'' if reminder.startswith(':') else ' '}{reminder}"
        for reminder in dict.fromkeys(constraint.reminder for constraint in constraints)
    ]
    said = ", and ".join(clauses)
    return f"{said[:1].upper()}{said[1:]}, {_leading_to_safety(constraints[0])}"


def _leading_to_safety(constraint: Constraint) -> str:
    if constraint.kind == ConstraintKind.DIET and re.fullmatch(DIETS, constraint.subject, re.IGNORECASE):
        return f"so I'd keep it {constraint.subject.lower()}"  # "you're vegetarian, so I'd keep it vegetarian"
    if constraint.kind == ConstraintKind.CONDITION and constraint.avoids:
        return f"so I'd avoid {constraint.avoids}"  # "you're coeliac, so I'd avoid gluten"
    if constraint.kind == ConstraintKind.NEVER:  # "so I'd suggest" went on "you drive somewhere"
        doing = _never_doing(constraint.subject)
        return f"so rather than {doing}, I'd suggest {INSTEAD.get(doing, '')}".rstrip()
    return {
        ConstraintKind.MEDICATION: "so I'd check with your doctor or pharmacist before",
        ConstraintKind.CONDITION: "so I'd be careful with",
    }.get(constraint.kind, "so I'd avoid")  # allergies, intolerances, "I don't eat pork"


NEVER_DOING = {
    "driving": "driven drive drove licence license",
    "flying": "flying flown fly flights flight plane planes",
    "swimming": "swim swimming",
    "cycling": "cycle cycling bike",
    "skiing": "ski skiing",
}
INSTEAD = {"flying": "going by train or ferry", "driving": "the train, a bus or a taxi"}
"""The ways to travel instead, so the model plans a trip with them ("rather than flying, I'd suggest going by
car"; "rather than driving, I'd suggest you go to the Eden Project")."""
"""What a "never" constraint rules out, as an activity: "I've never driven" → driving, "never suggest flying to
me" → flying; anything else as said ("alcohol")."""


def _never_doing(subject: str) -> str:
    subject = re.sub(r"\s+(?:to|for)\s+me\b.*$", "", subject.strip(), flags=re.IGNORECASE)
    last = subject.lower().split()[-1] if subject.split() else ""
    return next((doing for doing, words in NEVER_DOING.items() if last in words.split()), subject)


IN_THEIR_LANGUAGE = {
    "spanish": "Responde en español.",
    "french": "Réponds en français.",
    "german": "Antworte auf Deutsch.",
    "italian": "Rispondi in italiano.",
    "portuguese": "Responde em português.",
    "dutch": "Antwoord in het Nederlands.",
    "polish": "Odpowiadaj po polsku.",
    "japanese": "日本語で答えてください。",
    "chinese": "请用中文回答。",
    "mandarin": "请用中文回答。",
}
"""The wish for another language said in that language too: asked in English, the small model answers in English."""


def style_part(entries: Sequence[ProfileEntry], message: str = "") -> PromptPart:
    """ "(How I want answers: in Spanish; short.)" beside the message, where a small model still reads it when it
    writes (the profile in the system prompt says the same, far above). It comes before the constraint, kin and
    "not in memory" notes: placed last, it pushed "say you don't know" out of the model's mind. The wish for
    another language is said in that language too, which the model heeds where it ignored the English (style
    0.47 -> 0.76). The name the user goes by stays bare ("Doc"): written "call me Doc", here and in the profile,
    the model replied "Call me Doc." to "what's my grandson's name?" (personal_qa 0.82 -> 0.79).

    What the app keeps itself (no emojis, metric units, a length: :mod:`assistant.reply_rules`) it keeps on the
    reply, and the note leaves out the first two: beside "metric units (°C, km …)" the model wrote "roast a
    chicken at 4°C", and to "what was I doing a month ago?" it asked what "metric units" meant. A question of fact
    gets the language wish alone ("- Your sister Noor …" came of bullet points noted beside "what's my sister's
    husband called?"). A request opens in the user's language, to their name or on a bullet."""
    request = bool(message) and not asks_only_a_fact(message)
    told = [
        entry
        for entry in entries
        if entry.value.strip().lower().rstrip(".") not in KEPT_BY_THE_APP and (request or entry.key == "language")
    ]
    text = ""
    if told:
        values = [
            f"in {entry.value}" if entry.key == "language" and not entry.value.startswith("in ") else entry.value
            for entry in told
        ]
        text = f"(How I want answers: {'; '.join(value.rstrip('. ') for value in values)}.)"
        asked = [
            IN_THEIR_LANGUAGE.get(entry.value.removeprefix("in ").lower()) for entry in told if entry.key == "language"
        ]
        text += "".join(f" {sentence}" for sentence in asked if sentence)
    opening = style_opening(entries) if request else ""
    return PromptPart("", text, order=88, source="style", placement="turn", opening=opening, rules=reply_rules(entries))


def kin_part(found: Sequence[Kin], layout: str) -> PromptPart:
    """ "(My sister-in-law is Itziar: my brother Pedro's wife.)" beside a question about her: memory names her only
    in two steps, which a small model does not take by itself."""
    if layout == "system":
        said = " ".join(f"The user's {kin.kin} is {kin.name} (their {kin.via.removeprefix('my ')})." for kin in found)
        return PromptPart("Who is who", said, order=92, source="kin")
    said = " ".join(f"My {kin.kin} is {kin.name}: {kin.via}." for kin in found)
    return PromptPart("", f"({said})", order=92, source="kin", placement="turn")


PET_ASKED = {"pup": "dog", "puppy": "dog", "doggo": "dog", "kitten": "cat", "kitty": "cat", "bunny": "rabbit"}
"""What a word in the message asks about: "our pup" is the dog."""


def pet_part(entries: Sequence[ProfileEntry], message: str, layout: str) -> PromptPart | None:
    """ "(Misty is my collie pup. Rua, my collie dog, died.)" beside "what's our dog called these days?" or "what
    breed is Turmeric?": the profile's pets the message names, by name or by what they are, a small model otherwise
    answers with the user's own name or the pet that died."""
    words = set(re.findall(r"[a-z]+", message.lower()))
    asked = {PET_ASKED.get(word.removesuffix("s"), word.removesuffix("s")) for word in words} | words
    said = []
    for entry in entries:
        kind, _, detail = (part.strip() for part in entry.value.partition(","))
        what = {PET_ASKED.get(word, word) for word in kind.lower().split()}
        what |= {SPECIES[word] for word in what if word in SPECIES}
        if not (asked & what or "pet" in asked or entry.key.lower() in message.lower()):  # "pets" reads "pet"
            continue
        name = entry.key.title()
        died = "died" in detail
        if layout == "system":
            said.append(f"The user's {kind} {name} died." if died else f"{name} is the user's {kind}.")
        else:
            said.append(f"{name}, my {kind}, died." if died else f"{name} is my {kind}.")
    if not said:
        return None
    if layout == "system":
        return PromptPart("Who is who", " ".join(said), order=91, source="kin")
    return PromptPart("", f"({' '.join(said)})", order=91, source="kin", placement="turn")
