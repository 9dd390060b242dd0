"""From a message to the statements worth reading for memories: sentences, clauses, and what to skip.

Questions, greetings, requests to the assistant, hypotheticals and wishes, reported or quoted speech are
dropped here, before any pattern looks for a fact: that is most of what makes other memory systems store
junk. Answer-style instructions ("keep answers short") are requests too, so they are read first
(see :func:`sentences`, which keeps each sentence whole for them).
"""

from __future__ import annotations

import re

from memory.extraction_words import PETS, RELATIONS

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
QUOTE = re.compile(r"[\"“”«»]")
LEADING = re.compile(
    r"^(?:actually|oh|ah|well|so|btw|by the way|also|and|but|haha+|hah|lol|ok|okay|yeah|yes|yep|no|nope|hey"
    r"|correction|update|fyi|anyway|just so you know|fun fact|guess what|um+|hmm+|oh and|plus|oops|honestly|ugh+"
    r"|hah|ha|wow|alright|right|hi|hello|hey there|(?:quick|small|little|big|another|one more)\s+(?:update|thing)"
    r"|for the record|(?:just\s+)?(?:a\s+)?heads up(?:\s+that)?|note that|side note|one more thing|real quick"
    r"|just so you know(?:\s+that)?|(?:i\s+)?(?:just\s+)?found out(?:\s+that)?|(?:it\s+)?turns out(?:\s+that)?"
    r"|(?:my\s+|the\s+|new\s+)?(?:doctor|gp|dentist|nurse|consultant)\s+(?:just\s+)?(?:says|said|told me)(?:\s+that)?"
    r"|i (?:should|must|need to|have to|forgot to|meant to|wanted to|want to|ought to)\s+(?:probably\s+|also\s+)?"
    r"(?:mention|say|tell you|add|let you know|point out)(?:\s+that)?"
    r"|(?:let me|lemme) (?:mention|tell you|add)(?:\s+that)?)\b[,:;!.\s-]*",
    re.IGNORECASE,
)
TRAILING = re.compile(
    r"[,\s]+(?:by the way|btw|though|haha+|lol|too|as well|these days|now|at the moment|currently|anyway"
    r"|please|obviously|for sure|i guess|tbh|to be honest|lmao|haha|imo|never could|never have|never did"
    r"|always have|always did)$",
    re.IGNORECASE,
)
# Split a sentence into clauses at a comma or conjunction before a new subject ("…, and she keeps…").
CLAUSE_BREAK = re.compile(
    r",\s*(?:and\s+|but\s+|so\s+|because\s+|though\s+|although\s+|since\s+|which\s+)"
    r"|,\s*(?=(?:i|i'm|i've|i'll|she|he|she's|he's|we|we're|they|they're|it|it's|my|not|allergic to)\b)"
    r"|\s+(?:and|but|so|because)\s+(?=(?:i(?!\s+(?:are|were|have|'ve)\b)|i'm|i've|she|he|she's|he's|it|it's"
    r"|my|our|we|we're|we've|always|usually|also)\b)"
    r"|\s+(?:so|and|but)\s+(?=(?:what|what's|whats|how|can|could|would|should|which|where|any)\b)"  # "… so what's …?"
    r"|\s+(?:and|but|so)\s+(?=(?:the|my)\s+(?:doctor|gp|dentist|consultant)\b)"  # "i'm 41 and the doctor told me…"
    r"|\s+and\s+(?=(?:lactose|gluten|dairy)[- ]intolerant\b|allergic\s+to\b)"  # "vegetarian and lactose intolerant"
    r"|,\s*(?=like\b)|:\s+|;\s*|\s+[-–—]\s+|(?<=\w)\s+(?=if\s)",
    re.IGNORECASE,
)
TAG_QUESTION = re.compile(
    r"^(?:did|do|does|is|isn't|are|aren't|have|haven't|was|right|remember|you know|ok|okay|yeah|no)\b"
    r"[\w\s']{0,20}\?$",
    re.IGNORECASE,
)
QUESTION_START = re.compile(
    r"^(?:what|what's|whats|who|whom|whose|when|where|why|how|which|is|are|am|was|were|do|does|did|can|could"
    r"|should|shall|will|would|may|might|have|has|had|isn't|aren't|don't|doesn't|didn't|any idea|any tips)(?![\w'])",
    re.IGNORECASE,
)
SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening|night)|thanks?|thank you|cheers|bye|goodbye"
    r"|see you|ok|okay|cool|nice|great|lol|haha+|yes|no|sure|sorry|hello again|going to bed|night)\b",
    re.IGNORECASE,
)
HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|would|wouldn't|i'd|could|might|maybe|perhaps|wonder|wondering|imagine|suppose|supposing"
    r"|someday|one day|wish|hope|hoping|dream|dreaming|considering|thinking (?:about|of)|what if|should"
    r"|probably|may be)\b",
    re.IGNORECASE,
)
REPORTED = re.compile(
    r"\b(?:said|says|say|saying|told|tells|telling|thinks|thought|according to|claims|claimed|asked|asks"
    r"|reckons|believes|insists|keeps saying|mentioned that)\b",
    re.IGNORECASE,
)
REQUEST = re.compile(
    r"^(?:(?:can|could|would|will) you|(?:please\s+)?(?:write|tell|give|show|help|make|explain|suggest|list"
    r"|find|remind|summari[sz]e|translate|create|draft|generate|let's|lets|recommend|describe|compare|check"
    r"|plan|send|book|calculate|convert|define|fix|rewrite|skip|look up|search)|please|i want you to"
    r"|i need you to|i'd like you to|let me know)\b",
    re.IGNORECASE,
)
NEGATION = re.compile(r"\b(?:not|never|no longer|nothing|nobody|none)\b|n't\b", re.IGNORECASE)


EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
"""Emoji are tone, not fact: "we got a beagle puppy 🐶 named him Turmeric", "I love charcuterie 😩"."""


def clean(clause: str) -> str:
    """Strip discourse markers, emphasis and end punctuation: ``"Actually, I moved to Berlin!"`` → ``"I moved
    to Berlin"``."""
    clause = EMOJI.sub("", clause.replace("’", "'")).strip()
    clause = re.sub(r"\s{2,}", " ", clause)
    previous = None
    while previous != clause:
        previous = clause
        clause = clause.strip(" \t.,;:!…-")
        clause = LEADING.sub("", clause)
        clause = TRAILING.sub("", clause)
    return clause


EMOJI_BREAK = re.compile(
    r"(?<!\s)(?:\s*+[\U0001f000-\U0001faff\u2600-\u27bf][\ufe0f\u200d\U0001f000-\U0001faff]*+)++\s++(?=\S)"
)  # possessive, and never started inside a run of spaces: a 1 MB paste of "\r\n" stays linear
"""An emoji between words parts them as a comma would: "my birthday's on the 14th 🎂 ideas for dinner?", "I'm
Rafael 🙂 46, living in Rotterdam"."""


CONTRACTIONS = {
    "im": "i'm", "ive": "i've", "hes": "he's", "shes": "she's", "cant": "can't", "dont": "don't",
    "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't", "didnt": "didn't", "whats": "what's",
    "thats": "that's", "wont": "won't", "theyre": "they're", "youre": "you're", "weve": "we've",
    "havent": "haven't", "hasnt": "hasn't", "arent": "aren't", "couldnt": "couldn't", "wouldnt": "wouldn't",
}  # fmt: skip
"""Contractions typed without the apostrophe ("im wambui", "hes a pilot", "i cant stand coffee"); words that are
also words of their own ("its", "ill", "id", "were", "well") are left alone."""
BARE_CONTRACTION = re.compile(rf"\b(?:{'|'.join(CONTRACTIONS)})\b", re.IGNORECASE)


def without_emoji(text: str) -> str:
    """The message as words: an emoji followed by more words is a comma, one at the end nothing, and a
    contraction typed without its apostrophe gets it back."""
    text = EMOJI.sub("", EMOJI_BREAK.sub(", ", text.replace("’", "'")))
    return BARE_CONTRACTION.sub(lambda bare: _same_case(CONTRACTIONS[bare.group().lower()], bare.group()), text)


def _same_case(word: str, typed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def sentences(text: str) -> list[str]:
    """The message's sentences, with their end punctuation."""
    text = without_emoji(text)
    return [part.strip() for part in SENTENCE_END.split(text) if part and part.strip(" .")]


BRACKETED_COMMA = "\u201a"  # a comma inside brackets parts nothing: "kayode (my son, he's 5) is allergic to eggs"


def tells_only(text: str) -> bool:
    """Whether no sentence of the message asks or requests anything ("My cousin Farid lives in Oslo.")."""
    said = clean(text)
    if "?" in said:
        return False
    return not any(REQUEST.match(sentence.strip()) for sentence in sentences(said) or [said])


def clauses(sentence: str) -> list[str]:
    """The cleaned statement clauses of one sentence; a question, or quoted speech, gives none.

    A trailing tag question ("I'm vegetarian btw, did I mention?") does not make the statement a question, and
    a statement clause before a question keeps its own ("I'm allergic to sesame, so can you suggest…?").
    """
    if QUOTE.search(sentence):
        return []
    sentence = re.sub(r"\([^()]*\)", lambda aside: aside.group().replace(",", BRACKETED_COMMA), sentence)
    parts = [part.replace(BRACKETED_COMMA, ",") for part in CLAUSE_BREAK.split(sentence) if part and part.strip()]
    if sentence.rstrip().endswith("?"):
        head, _, tag = sentence.rpartition(",")
        if head and TAG_QUESTION.match(tag.strip()):
            parts = [part for part in CLAUSE_BREAK.split(head) if part and part.strip()]
        else:  # "I'm allergic to sesame, so can you suggest a sauce?", "… she loves gardening, any gift ideas?"
            said, _, asked = parts[-1].rpartition(",")
            parts = parts[:-1] + ([said] if said.strip() and len(asked.split()) <= 12 else [])
    cleaned = [clean(fragment) for part in parts for fragment in _introduction(clean(part))]
    return [part for part in cleaned if part and not QUESTION_START.match(part) and not SMALL_TALK.fullmatch(part)]


INTRODUCTION = re.compile(r"^\s*(?:i'm|i am)\s+(?!\w+ing\b)[^,]+,", re.IGNORECASE)  # not "I'm swimming evenings, …"
SELF_FRAGMENT = re.compile(r"^(?:and\s+)?(?P<fragment>\d{1,3}\b.*|\w+ing\b.*|from\b.*|an?\s+\w+.*)$", re.IGNORECASE)


def _introduction(part: str) -> list[str]:
    """ "i'm marcus, 45, living in toronto" → "i'm marcus", "I'm 45", "I'm living in toronto": each piece of a
    self-introduction is its own statement."""
    if not INTRODUCTION.match(part):
        return [part]
    first, *rest = part.split(",")
    fragments = [first]
    for fragment in rest:
        match = SELF_FRAGMENT.match(fragment.strip())
        fragments.append(f"I'm {match['fragment']}" if match else fragment)
    return fragments


DROPPED_I = re.compile(
    r"^(?:just\s+|finally\s+|recently\s+|also\s+)?(?:started|joined|took up|booked|moved|adopted|quit|dropped|bought"
    r"|passed|finished|signed up|switched|got|gave up|picked up|starting as|went|saw|visited|watched|tried"
    r"|ran|spent|had|living in|based in|moving to|always|usually|often)\b",
    re.IGNORECASE,
)


DROPPED_AM = re.compile(
    r"^(?:allergic\s+to|(?:lactose|gluten)[- ]intolerant|intolerant\s+to|on\s+(?=\w+\s+\d+\s*mg\b))", re.IGNORECASE
)
DROPPED_WAS = re.compile(r"^born\s+(?:and\s+raised\s+)?in\b", re.IGNORECASE)
DROPPED_MY = re.compile(rf"^(?=(?:{RELATIONS}|{PETS})\s+[a-zà-ÿ][\w'-]+\b(?:,|\s+(?!is\b|are\b|was\b)\w))", re.I)
"""Telegraphic chat drops "I'm", "I was" and "my": "allergic to penicillin", "born in rosario", "wife norma wants …"."""


def with_implied_i(clause: str) -> str:
    """ "started bouldering on thursdays" → "i started bouldering on thursdays": chat drops the "I"."""
    if DROPPED_AM.match(clause):
        return f"i'm {clause}"
    if DROPPED_WAS.match(clause):
        return f"i was {clause}"
    if DROPPED_MY.match(clause):
        return f"my {clause}"
    if not DROPPED_I.match(clause):
        return clause
    clause = clause[:1].lower() + clause[1:]  # "Went to see Hamilton" → "i went to see Hamilton"
    return f"i'm {clause}" if clause.startswith(("starting", "living", "based", "moving")) else f"i {clause}"


def is_skipped(clause: str) -> bool:
    """Requests, hypotheticals and wishes, and reported speech: never a memory."""
    return bool(REQUEST.match(clause) or HYPOTHETICAL.search(clause) or REPORTED.search(clause))


def statements(text: str) -> list[str]:
    """The clauses of ``text`` that state something (the only text the model may take facts from)."""
    return [clause for sentence in sentences(text) for clause in clauses(sentence) if not is_skipped(clause)]


def model_text(text: str) -> str:
    """What the extraction model reads of a message: its sentences less questions and requests to the assistant
    (a statement before a question in the same sentence stays: "I'm allergic to sesame, any sauce ideas?").
    Looser than :func:`statements`, which the rules need: telegraphic chat ("have a horse called luna", "had
    a long day, allergic to shrimp") reads like a question or small talk to them, and the model tells better."""
    kept = []
    for sentence in sentences(text):
        if sentence.rstrip().endswith("?"):
            sentence = sentence.rpartition(",")[0]
        sentence = sentence.strip()
        if sentence and not REQUEST.match(sentence) and not QUOTE.search(sentence):
            kept.append(sentence)
    return " ".join(kept)
