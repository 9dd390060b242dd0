"""What memory adds to one turn, as the model reads it: recalled memories, constraint notes, "not in memory".

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

from assistant.asked_detail import (
    SYNONYMS,
    USER,
    AskedDetail,
    Kin,
    asked_detail,
    gives_detail,
    kin_named,
    kin_spelled_out,
    names_someone_known,
)
from assistant.prompt import PromptPart, quoted_if_instruction
from memory.constraints import DIETS, ConstraintKind
from memory.extraction import stem
from memory.extraction_text import REQUEST, clean, sentences
from memory.records import MemoryKind
from memory.voice import second_person

if TYPE_CHECKING:
    from memory.constraints import Constraint
    from memory.profile import ProfileEntry
    from memory.records import Memory
    from memory.retrieval import Recalled

SOURCE = "memory"
ABOUT_THE_USER = re.compile(r"\b(?:my|mine|our|i|i'm|i've|i'd|me|we|us)\b", re.IGNORECASE)
ASKS_A_FACT = re.compile(
    r"^(?:what|what's|whats|who|who's|whom|whose|when|where|where's|which|how many|how much|how long|how old"
    r"|do you (?:know|remember)|remind me|can you remind me|tell me|did i|have i|was i|am i|is my|are my|do i)\b",
    re.IGNORECASE,
)
ASKS_ADVICE = re.compile(
    r"\b(?:should|could|can|would|shall|might)\s+(?:i|we)\b|\bhow (?:do|can|should) (?:i|we)\b|\bwhat's a good\b"
    r"|\b(?:recommend|suggest|ideas?|tips?|advice|good idea|worth it)\b"
    r"|\b(?:best|quickest|fastest|cheapest|easiest|safest|good) way\b",
    re.IGNORECASE,
)
QUESTION_FRAME = frozenset(
    """what whats what's who who's whom whose when where where's which how many much long old do does did you know
    remember remind me can could tell is are was were am i i'm my mine our we us the a an of to in on at for
    again name named called call again please exactly ever now currently these days remind again think
    live lives living does have has got get any some it its it's that this there their they them
    originally roughly about around approximately actually usually doing part kind type sort little new
    and or but""".split()
)
DATED = re.compile(
    r"\b(?:(?:a|one|two|three|four|five|six|\d+|a few|few|a couple(?: of)?|several)\s+(?:days?|weeks?|months?|years?)"
    r"(?:\s+or\s+(?:two|so|three))?\s+(?:ago|back)|last\s+(?:week|month|year|summer|winter|spring|autumn|fall))\b",
    re.IGNORECASE,
)
"""A question that dates the event it asks about ("what did I pick up a few weeks ago?")."""
WHEN_ASKED = re.compile(
    r"\b(what|which)\s+(?:year|month|day|date)\s+(?=(?:did|do|does|was|were|is|will|had|have)\b)", re.IGNORECASE
)
""" "What year did I move to Ottawa?" asks when; the year is no topic ("which year group" is)."""
WORD = re.compile(r"[a-z0-9]+")
STRONG_MATCH = 3.0
"""A recalled memory this many standard deviations more similar to the question than a random memory of the user
is about it, when one known text shares a word with the question (see :class:`memory.retrieval.Retriever`'s
calibration)."""
STRONG_MATCH_IN_OTHER_WORDS = 4.0
"""… and when no known text shares a word with it ("I started paragliding" for "what hobby did I pick up?"): "which
car do I drive?" matched a memory about the user's brother 3.2 deviations up, and the model answered "Pedro drives
a car"."""


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
    text = quoted_if_instruction(text.strip().rstrip("."))
    return f"- {text} ({when})" if text else None


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


def recalled_part(recalled: Sequence[Recalled], layout: str, now: datetime | None = None) -> PromptPart:
    shown = [(item, line) for item in recalled if (line := memory_line(item.memory, now)) is not None]
    lines = "\n".join(line for _, line in shown)
    references = tuple(item.memory.id for item, _ in shown)
    strength = max((item.deviations for item, _ in shown), default=0.0)
    if layout == "system":
        title = "What the user told you in earlier chats (their own words: 'I' and 'my' mean the user)"
        return PromptPart(title, lines, order=30, source=SOURCE, references=references, strength=strength)
    title = "What I told you in earlier chats (most relevant first):"
    return PromptPart(title, lines, order=30, source=SOURCE, references=references, placement="turn", strength=strength)


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
        opening=constraint_opening(constraints) if message and not asks_only_a_fact(message) else "",
    )


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
UNITS_SPELLED = {"metric units": "metric units (°C, km, kg, litres; never °F or miles)"}
"""Units spelled out: beside "metric units" alone the model wrote "roast a chicken at 45 degrees Fahrenheit"."""


def style_part(entries: Sequence[ProfileEntry]) -> PromptPart:
    """ "(How I want answers: in Spanish; no emojis.)" beside the message, where a small model still reads it when
    it writes (the profile in the system prompt says the same, far above). It comes before the constraint, kin and
    "not in memory" notes: placed last, it pushed "say you don't know" out of the model's mind. It opens no reply:
    "¡Claro!" or "Doc," as the reply's first words kept the style (0.53 -> 0.76 on personal_qa) but the answers
    after them got worse ("Bien sûr ! Comment puis-je vous aider ?"; direct recall 0.79 -> 0.67). The wish for
    another language is said in that language too, which the model heeds where it ignored the English (style
    0.47 -> 0.76 with units spelled out)."""
    values = [
        f"in {entry.value}" if entry.key == "language" and not entry.value.startswith("in ") else entry.value
        for entry in entries
    ]
    values = [UNITS_SPELLED.get(value.lower(), value) for value in values]
    text = f"(How I want answers: {'; '.join(value.rstrip('. ') for value in values)}.)"
    asked = [
        IN_THEIR_LANGUAGE.get(entry.value.removeprefix("in ").lower()) for entry in entries if entry.key == "language"
    ]
    text += "".join(f" {sentence}" for sentence in asked if sentence)
    return PromptPart("", text, order=88, source="style", placement="turn")


def kin_part(found: Sequence[Kin], layout: str) -> PromptPart:
    """ "(My sister-in-law is Itziar: my brother Pedro's wife.)" beside a question about her: memory names her only
    in two steps, which a small model does not take by itself."""
    if layout == "system":
        said = " ".join(f"The user's {kin.kin} is {kin.name} (their {kin.via.removeprefix('my ')})." for kin in found)
        return PromptPart("Who is who", said, order=92, source="kin")
    said = " ".join(f"My {kin.kin} is {kin.name}: {kin.via}." for kin in found)
    return PromptPart("", f"({said})", order=92, source="kin", placement="turn")


def unknown_reply(topic: str) -> str:
    """What the app answers itself when it is sure nothing was ever said about ``topic``."""
    what = second_person(f"my {topic}") if topic else "that"
    return f"I don't know {what} yet: you haven't told me. If you tell me, I'll remember it."


def unknown_part(topic: str, layout: str, *, certain: bool = False) -> PromptPart:
    """The note for a question about the user's own life that memory has nothing on; when ``certain`` (no memory
    or past message ever mentions what it asks about), the app's own reply too."""
    reply = unknown_reply(topic) if certain else ""
    if layout == "system":
        text = (
            f"Nothing in memory answers this: the user has not told you {f'their {topic}' if topic else 'yet'}. "
            "Say you don't know yet and ask them; never guess."
        )
        return PromptPart("Not in memory", text, order=95, source="unknown", reply=reply)
    what = f"my {topic}" if topic else "the answer"
    text = f"(You don't know {what}: I haven't told you yet. Say you don't know yet; don't guess.)"
    opening = "I don't know" + (f" {second_person(what)}" if topic else "")
    return PromptPart("", text, order=95, source="unknown", placement="turn", reply=reply, opening=opening)


# Kin a user can have without naming the word ("a little girl called Lucia! I'm officially an aunt"): memory may
# hold the answer in other words, so the app never answers these itself.
DERIVED_KIN = re.compile(r"niece|nephew|in-law|grand|cousin|aunt|uncle|step|half", re.IGNORECASE)


def answers_itself(topic: str | None) -> bool:
    """Whether the app may answer "I don't know your … yet" itself: only for a "my …" phrase it can repeat
    ("mother's name", "blood type"), never for kin that other facts may imply."""
    return bool(topic) and not DERIVED_KIN.search(topic or "")


def topic_words(question: str) -> list[str]:
    """The words a question about the user asks about, the thing asked first (``"which car do I drive"`` →
    car, drive), with the other spellings people use for it (mum, mom, mother)."""
    sentence = _question_sentence(question)
    if sentence is None:
        return []
    found = []
    for word in _topic_words(sentence):
        found += [word, *(spelling for spelling, meaning in SYNONYMS.items() if meaning == word)]
    return found


def unknown_topic(question: str, known: Sequence[str], strength: float = 0.0) -> str | None:
    """When ``question`` asks about the user's own life and none of ``known`` (the profile and the recalled
    memories) speaks of it, what it asks about ("mother's name"); otherwise None.

    A question is about the user when it asks for a fact ("what's", "who", "when did I", "remind me") and
    speaks of them ("my", "I"). Kin asked in two steps is asked in one ("my brother's little girl": the niece).
    When it asks for a name, an age or the work one of their people does, a known text must give it
    (:mod:`assistant.asked_detail`): "my mum loves gardening" does not tell her name. Otherwise it is covered when
    one known text holds its first topic word (mostly the thing asked about: "which *car* do I drive?") and at
    least half of the others, or when a recalled memory matched it strongly (``strength``: standard deviations
    above a random memory of the user, :data:`STRONG_MATCH`, or :data:`STRONG_MATCH_IN_OTHER_WORDS` when no known
    text shares a word with it: "I started paragliding" for "what hobby did I pick up?"). A question that dates
    the event it asks about ("a few weeks ago") and names no "my …" phrase gets no note: words cannot tell whether
    memory covers an event. The answer is "" when the question names no "my …" phrase to repeat.
    """
    sentence = _question_sentence(question)
    if sentence is None or ASKS_ADVICE.search(sentence):
        return None
    if not ABOUT_THE_USER.search(sentence) and not names_someone_known(sentence, known):
        return None
    sentence = kin_named(sentence)  # "my brother's little girl" asks about the niece
    asked = asked_detail(sentence)
    if asked is not None:
        return None if gives_detail(asked, known) else _detail_phrase(_topic_phrase(sentence) or "", asked)
    ordered = _topic_words(WHEN_ASKED.sub(r"\1 ", sentence))
    if not ordered or (DATED.search(sentence) and not _topic_phrase(sentence)):
        return None
    head, topic_words = ordered[0], set(ordered)
    shared = False
    for text in kin_spelled_out(known):
        words = set(_topic_words(text, keep_frame=True))
        if head in words and len(topic_words & words) * 2 >= len(topic_words):
            return None
        shared = shared or bool(topic_words & words)
    if strength >= (STRONG_MATCH if shared else STRONG_MATCH_IN_OTHER_WORDS):
        return None
    return _topic_phrase(sentence) or ""


def _detail_phrase(topic: str, asked: AskedDetail) -> str:
    """ "cat" → "cat's name", "mother-in-law" → "mother-in-law's age"; "last name" stays; "how old am I?" → "age"."""
    detail = asked.detail
    if not topic:
        return "age" if detail == "age" and asked.subject == USER else ""
    if detail in topic or (detail == "age" and "birthday" in topic):
        return topic
    return f"{topic}'s {detail}"


def _question_sentence(text: str) -> str | None:
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text.replace("’", "'").strip()):
        cleaned = re.sub(
            r"^(?:so|ok|okay|hey|hi|um|and|but|quick question|btw|oh)[,:!\s]+", "", sentence.strip(), flags=re.I
        )
        if ASKS_A_FACT.match(cleaned) and (sentence.endswith("?") or cleaned.lower().startswith(("remind", "tell"))):
            return cleaned
    return None


def _stem(word: str) -> str:
    """The word's stem (as extraction compares words), with one spelling for each thing (mum, mom → mother)."""
    word = SYNONYMS.get(word, word)
    stemmed = stem(word)
    stemmed = SYNONYMS.get(stemmed, stemmed)
    return stemmed[:-1] if stemmed.endswith("e") and len(stemmed) > 3 else stemmed  # "move" and "moved" alike


def _topic_words(text: str, keep_frame: bool = False) -> list[str]:
    words = WORD.findall(text.lower().replace("'s", ""))
    return list(dict.fromkeys(_stem(word) for word in words if keep_frame or word not in QUESTION_FRAME))


def _topic_phrase(sentence: str) -> str | None:
    """ "What's my mother's name?" → "mother's name"; "where did I park?" → None."""
    match = re.search(
        r"\b(?:my|our)\s+((?:[\w-]+'s\s+)?[\w-]+(?:\s+(?!(?:is|was|are|were|do|does|did|again|called|named|now)\b)"
        r"[\w-]+)?)",
        sentence,
        re.IGNORECASE,
    )
    if match is None:
        return None
    return match[1].rstrip("?.! ").strip()
