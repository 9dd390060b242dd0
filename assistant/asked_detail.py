"""Who the user's people are, as the prompt's texts say it: whether they give the name or age a question asks
for, and who is who when memory names someone only in two steps.

"What's my mum's first name?" is not answered by "My mum loves gardening": the memory speaks of her, and a small
model shown it invents a name. So for the two details models invent most, a known text covers the question only
when it names the person ("my mum Rosa", "Rosa (mother)", "my mum is called Rosa") or gives an age ("she turned
70", "Age: 34"). Other questions keep the looser test of :func:`assistant.unknown_notes.unknown_topic`.

Kin said in two steps ("my brother Pedro" and "Pedro's wife Itziar") counts as said in one (the sister-in-law):
see :mod:`assistant.kin`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.kin import NOT_A_NAME, read_people, spelled_kin, with_relations
from memory.extraction import stem
from memory.extraction_words import PET_WORDS, PETS, PROFESSIONS, RELATIONS

NOT_THE_SUBJECT = frozenset("first new old again now please exactly anyway these days then though lol".split())
SYNONYMS = {  # one spelling for each thing asked about
    "mum": "mother",
    "mom": "mother",
    "mommy": "mother",
    "dad": "father",
    "daddy": "father",
    "hubby": "husband",
    "kids": "children",
    "kid": "child",
    "bday": "birthday",
    "job": "work",
    "workplace": "work",
    "home": "live",
    "love": "like",
    "enjoy": "like",
    "favourite": "like",
    "favorite": "like",
    "prefer": "like",
    "called": "name",
    "took": "take",
    "went": "go",
    "got": "get",
    "met": "meet",
    "bought": "buy",
    "gave": "give",
    "ran": "run",
    "saw": "see",
    "made": "make",
    "left": "leave",
    "drove": "drive",
    "flew": "fly",
    "began": "begin",
    "wrote": "write",
    "taught": "teach",
    "studied": "study",
}
SPECIAL_NAMES = ("last", "maiden", "middle", "sur", "family")
"""Names asked for on their own ("what's my last name?"); a first or full name is asked like the name itself."""
USER = "i"
"""The subject when the question asks about the user themself ("what's my last name?", "how old am I?")."""

NAME_QUESTIONS = (
    re.compile(r"\bmy\s+(?P<kind>first|last|middle|maiden|full|family)\s+name\b", re.I),
    re.compile(r"\bmy\s+(?P<kind>sur)name\b", re.I),
    re.compile(r"\bwhat(?:'s| is| was)\s+my\s+name\b", re.I),
    re.compile(
        r"\b(?:my|our)\s+(?P<subject>[\w-]+(?:\s+[\w-]+)?)'s\s+(?:(?P<kind>first|last|middle|maiden|full|family|sur)"
        r"\s*)?name\b",
        re.I,
    ),
    re.compile(
        r"\b(?P<subject>(?-i:[A-Z])[\w-]+)'s\s+(?:(?P<kind>first|last|middle|maiden|full|family|sur)\s*)?name\b", re.I
    ),
    re.compile(r"\bname of (?:my|our|the)\s+(?P<subject>[\w-]+(?:\s+(?!(?:i|we)\b)[\w-]+)?)", re.I),
    re.compile(
        r"\b(?:my|our)\s+(?P<subject>[\w-]+(?:\s+(?!(?:is|was|are)\b)[\w-]+)?)\s+(?:(?:is|was|are)\s+)?"
        r"(?:called|named)\b(?!\s+(?-i:[A-Z]))",
        re.I,
    ),
    re.compile(r"\bwho(?:'s| is| was)\s+(?:my|our)\s+(?P<subject>[\w-]+)\s*\??$", re.I),
)
AGE_QUESTIONS = (
    re.compile(r"\bhow old\s+(?:am\s+i|i am)\b", re.I),
    re.compile(r"\bhow old(?:'s|\s+is|\s+will)\s+(?:my|our)\s+(?P<subject>[\w-]+(?:\s+[\w-]+)?)", re.I),
    re.compile(r"\bhow old(?:'s|\s+is|\s+will)\s+(?P<subject>(?-i:[A-Z])[\w-]+)", re.I),
)
_SOMEONE = r"(?P<subject>(?-i:[A-Z])[\w-]+|(?:my|our)\s+[\w-]+(?:'s\s+[\w-]+)*(?:\s+(?!do\b|doing\b)[\w-]+)?)"
JOB_QUESTIONS = (
    re.compile(
        rf"\bwhat\s+(?:does|did)\s+{_SOMEONE}\s+do(?:\s+for\s+(?:work|a\s+living))?\s*(?:now|again)?\s*\??$", re.I
    ),
    re.compile(rf"\bwhat(?:'s|\s+is)\s+{_SOMEONE}\s+doing\s+for\s+(?:work|a\s+living)\b", re.I),
    re.compile(rf"\bwhere\s+(?:does|did)\s+{_SOMEONE}\s+work\b", re.I),
    re.compile(rf"\bwhat(?:'s|\s+is)\s+{_SOMEONE}'s\s+(?:job|work|occupation|profession)\b", re.I),
)
"""Questions for the work one of the user's people does; the user's own ("what do I do?") keeps the looser test."""
A_JOB = re.compile(
    r"\b(?:works?|working|worked)\s+(?:as|at|in|for|on)\b|\bjob\b|\b(?:is|was|'s|are)\s+(?:now\s+)?(?:a|an)\s+"
    r"(?!(?:bit|lot|little|real|huge|big|great|good|new|old|rescue|baby|girl|boy|kid|menace)\b)\w+"
    r"|\b(?:teach(?:es|ing)?|runs|ran|owns|studies|studying|retrain\w*|employed|career|profession|retired)\b",
    re.I,
)
TWO_STEPS = {  # kin named in two steps: "Pedro's wife had the baby, a little girl called Lucia" names the niece
    "niece": ("brother|sister|sibling", "daughter|girl|baby"),
    "nephew": ("brother|sister|sibling", "son|boy|lad|baby"),
    "granddaughter": ("son|daughter|child|kid", "daughter|girl|baby|granddaughter"),
    "grandson": ("son|daughter|child|kid", "son|boy|lad|baby|grandson"),
    "brother-in-law": ("sister|wife|husband|partner", "husband|brother|partner|fianc[ée]e?"),
    "sister-in-law": ("brother|wife|husband|partner", "wife|sister|partner|fianc[ée]e?"),
}
AN_AGE = re.compile(
    r"\b\d{1,3}\s*(?:years?|yrs?)\s*old\b|\b(?:turn(?:s|ed|ing)?|aged?|age:?)\s+\d{1,3}\b|\bborn in\s+\d{4}\b"
    r"|\b\d{1,3}(?:st|nd|rd|th)\s+birthday\b|\b(?:I|she|he|they)'?(?:m|s|re)\s+\d{1,3}\b|\bI am\s+\d{1,3}\b"
    r"|\bAge:\s*\d|\b[A-Z][\w-]+ \(\d{1,2}\)",
    re.I,
)
LINKING = frozenset({",", ":", "is", "are", "was", "were", "'s", "called", "named"})
FULL_NAME = re.compile(r"\b(?:[Mm]y name is|Name:)\s+[A-Z][\w'-]+\s+[A-Z][\w'-]+")
MEMBERS = {
    "children": ("son", "daughter", "kid", "child"),
    "child": ("son", "daughter", "kid"),
    "parent": ("mother", "father"),
    "grandkid": ("grandson", "granddaughter", "grandchild"),
    "grandchildren": ("grandson", "granddaughter", "grandkid"),
    "sibling": ("brother", "sister"),
    "partner": ("wife", "husband", "girlfriend", "boyfriend", "fiancé", "fiancée", "fiance", "fiancee", "spouse"),
    "spouse": ("wife", "husband", "partner"),
    "pet": ("dog", "cat", "rabbit", "hamster", "parrot", "puppy", "kitten", "horse", "tortoise", "budgie", "fish"),
}
"""A group asked about ("what are my kids called?") is named by naming its members ("Lena (daughter)")."""
SPOKEN_OF = re.compile(rf"\b(?:{RELATIONS}|{PETS})\b", re.I)
CALLED = re.compile(
    r"\b(?:called|named|name is|name's|nicknamed)\s+(?:(?:him|her|it|them)\s+)?['\"]?"
    r"(?!(?:me|you|us|him|her|it|them|back|off|up|out|a|an|the|my|yesterday|today|after|because)\b)[A-Za-z]",
    re.I,
)


@dataclass(frozen=True)
class AskedDetail:
    """A question asks for ``detail`` ("name", "age" or "job") of ``subject`` (a relation word, or :data:`USER`)."""

    detail: str
    subject: str
    kind: str = ""
    """For a name: "last", "maiden", "middle", "sur", … when the question asks for that name only."""


def asked_detail(sentence: str) -> AskedDetail | None:
    """The name or age the question asks for, if it asks for one of the user's own or their people's, or the work
    one of their people does."""
    for detail, patterns in (("name", NAME_QUESTIONS), ("age", AGE_QUESTIONS), ("job", JOB_QUESTIONS)):
        for pattern in patterns:
            match = pattern.search(sentence)
            if match is None or (match.groupdict().get("subject") or "") in NOT_A_NAME:
                continue
            subject = _subject(match.groupdict().get("subject") or USER)
            return AskedDetail(detail, subject, (match.groupdict().get("kind") or "").lower()) if subject else None
    return None


def names_someone_known(sentence: str, known: Sequence[str]) -> bool:
    """Whether the question names one of the user's people as the known texts name them ("how old is Malik?"
    when memory holds "my husband Malik"): then it is about the user's life too."""
    _, people = read_people(known)
    return any(word.lower() in people for word in re.findall(r"\b[A-Z][\w-]+", sentence))


def gives_detail(asked: AskedDetail, known: Sequence[str]) -> bool:
    """Whether the known texts (profile, recalled memories, notes, earlier messages) give it. Memory lines said
    the same day are read together ("we finally got a dog!" and "her name is Bimba"), and a person named
    elsewhere stands for their relation ("the wife Rhian" makes "Rhian's mum" the mother-in-law)."""
    texts, people = read_people(known)
    return any(_gives(asked, spelled_kin(with_relations(text, people))) for text in texts)


def _subject(phrase: str) -> str:
    """The thing named, stemmed and spelled one way: "mum" → "mother", "big band" → "band"."""
    words = [word for word in re.findall(r"[\w-]+", phrase.lower()) if word not in NOT_THE_SUBJECT]
    if not words:
        return ""
    last = words[-1]
    return USER if last == USER else stem(SYNONYMS.get(last, last))


def _gives(asked: AskedDetail, text: str) -> bool:
    if asked.detail == "job":
        return _gives_job(text, asked.subject)
    if asked.detail == "age":
        return bool(AN_AGE.search(text)) and (asked.subject == USER or _mentions(text, asked.subject))
    if asked.kind in ("last", "sur", "family"):
        return bool(re.search(r"\b(?:surname|last name|family name)\b", text, re.I) or FULL_NAME.search(text))
    if asked.kind in SPECIAL_NAMES:  # maiden, middle
        return f"{asked.kind} name" in text.lower() or (asked.kind == "maiden" and " née " in text.lower())
    if asked.subject == USER:
        return bool(re.search(r"\bmy name is\b|\bName:\s*[A-Z]|\bI'?m called\b|\bcall me\b", text, re.I))
    return _names(text, asked.subject)


def _gives_job(text: str, subject: str) -> bool:
    """Whether a sentence that speaks of ``subject``, or the next one when it goes on "she …", says what they do:
    the profile's "Job: electrician" is the user's, not their girlfriend's."""
    pieces = re.split(r"(?<=[.!?;])\s+|\n+|\s+-\s+", text)
    for index, piece in enumerate(pieces):
        if not _mentions(piece, subject):
            continue
        after = pieces[index + 1] if index + 1 < len(pieces) else ""
        said = [piece, after] if re.match(r"(?:she|he|they)\b", after, re.I) else [piece]
        if any(A_JOB.search(one) or PROFESSIONS & set(re.findall(r"[a-z]+", one.lower())) for one in said):
            return True
    return False


def _mentions(text: str, subject: str) -> bool:
    return any(_same(word, subject) for word in re.findall(r"[\w-]+", text.lower()))


def _same(word: str, subject: str) -> bool:
    """Whether ``word`` speaks of ``subject``: "mum" of mother; "son" or "daughter" of the kids, one of a group."""
    word = stem(SYNONYMS.get(word, word))
    both_pets = word in PET_WORDS and subject in PET_WORDS  # "what's my dog called?" of a named greyhound
    return word == subject or word in MEMBERS.get(subject, ()) or both_pets


def _names(text: str, subject: str) -> bool:
    """ "my mum Rosa", "Rosa (mother)", "my mum is called Rosa", "Rosa is my mum", "a dog named Bimba"."""
    tokens = re.findall(r"[\w'-]+|[(),:]", text)
    for index, token in enumerate(tokens):
        if not _same(token.lower().removesuffix("'s"), subject):
            continue
        after = [word for word in tokens[index + 1 : index + 5] if word.lower() not in LINKING]
        if after and _is_name(after[0]):  # "my mum Rosa", "wife is Agnieszka", "kids are Elis (9) and Megan"
            return True
        opening = [place for place in range(max(index - 4, 1), index + 1) if tokens[place] == "("]
        named = tokens[opening[-1] - 1] if opening else ""
        if opening and ")" not in tokens[opening[-1] : index] and _is_name(named) and not _same(named.lower(), subject):
            return True  # the profile's "Rosa (mother" or "Aoife (husband's sister", never "Mom (mom, lives in …"
        if index >= 3 and tokens[index - 1].lower() == "my" and tokens[index - 2].lower() in ("is", "'s", "was"):
            if _is_name(tokens[index - 3]):  # "Rosa is my mum"
                return True
    if subject in TWO_STEPS and _names_second(text, *TWO_STEPS[subject]):
        return True
    namings = [match for match in CALLED.finditer(text) if not text[: match.start()].lower().endswith("my ")]
    return any(_nearest_is(text, match.start(), subject) for match in namings)  # not "my name is Aisha"


def _names_second(text: str, first: str, second: str) -> bool:
    """Whether the text names the second step ("a little girl called Lucia", "her husband Kwame") and speaks of the
    first (the brother, for a niece; the sister, for her husband) at another place."""
    first_at = {match.start() for match in re.finditer(rf"\b(?:{first})\b", text, re.I)}
    named = re.finditer(rf"\b(?:{second})\b,?\s+(?:(?:is\s+)?(?:called|named)\s+)?(?-i:[A-Z])[\w-]+", text, re.I)
    return any(first_at - {match.start()} for match in named)


def _nearest_is(text: str, position: int, subject: str) -> bool:
    """Whether the person or pet spoken of nearest ``position`` is ``subject``: "we got a dog!" and "her name is
    Bimba", said the same day, name the dog; "my mum!! my brother is called Vikram" names the brother."""
    spoken_of = [(match.start(), match[0].lower()) for match in SPOKEN_OF.finditer(text)]
    words = re.finditer(r"[\w-]+", text)
    spoken_of += [(match.start(), match[0].lower()) for match in words if _same(match[0].lower(), subject)]
    if not spoken_of:
        return False
    _, nearest = min(spoken_of, key=lambda found: abs(found[0] - position))
    return _same(nearest, subject)


def _is_name(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][\w'-]*", word)) and word.removesuffix("'s") not in NOT_A_NAME
