"""The "not in memory" note: whether a question about the user's own life is one memory does not answer, and
what the note (and, where the app is sure, its own reply) says. See :func:`unknown_topic`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.asked_detail import (
    SYNONYMS,
    USER,
    AskedDetail,
    asked_detail,
    gives_detail,
    names_someone_known,
)
from assistant.kin import kin_named, kin_spelled_out
from assistant.prompt import PromptPart
from memory.extraction import stem
from memory.voice import second_person

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
    named = set(_topic_words(" ".join(re.findall(r"(?<!^)\b[A-Z][\w-]+", sentence))))  # who, not what
    shared = False
    for text in kin_spelled_out(known):
        words = set(_topic_words(text, keep_frame=True))
        if head in words and len(topic_words & words) * 2 >= len(topic_words):
            return None
        shared = shared or bool((topic_words - named) & words)  # "Dana's and my anniversary": Dana is no match
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
