"""Who and what a memory names, so that memories can be linked through them: the one hop of multi-hop recall.

"Lena and Max are Tom's kids" names Lena, Max and Tom: it links them. "Lena lives in Bergen" names Lena and
Bergen. Asked "where do Tom's kids live?", mnemo finds Tom named, follows his links to Lena and Max, and
recalls what it knows of them too (see :mod:`memory.retrieval`). "My sister Ana" makes "sister" another way
to name Ana, so "where does my sister live?" also reaches "Ana moved to Lisbon".

Names are found by their capitals, less greetings, fillers, days and months. A capitalised word that opens a
sentence ("Painting helps me") is taken as a name too: memories mostly start with one ("Lena lives in Bergen").
Such a false name costs little: it is only followed when a question says that word, and then it finds texts
that share the word anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from memory.extraction_people import people_in
from memory.topic_words import STOPWORDS

CAPITALISED_RUN = re.compile(r"(?<![\w'’])[A-ZÀ-Þ][\w’'-]*(?:[ \t]+[A-ZÀ-Þ][\w’'-]*)*")
QUERY_WORD = re.compile(r"[\w’'-]+")
POSSESSIVE = re.compile(r"['’]s?$")
MAX_NAME_WORDS = 4
# Capitalised words that are not names: greetings, fillers, pronouns, days and months (which would link
# everything said on a Monday to everything else said on one).
NOT_NAMES = STOPWORDS | frozenset(
    """hey hi hello thanks thank oh ooh wow yeah yep yes nope ok okay well sure sorry great good nice cool awesome
    amazing yesterday today tonight tomorrow last next let lol haha congrats congratulations btw anyway maybe
    definitely really totally absolutely love glad happy remember guess hope please i'm i've i'll i'd it's that's
    there's what's let's we're we've you're you've they're don't can't won't didn't isn't wasn't aren't dear
    mr mrs ms dr sir madam monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december mom mum dad mother father grandma grandpa""".split()
)


@dataclass(frozen=True)
class Mention:
    """One way a text names something: ``key`` is what a question may say (lower case), ``entity`` who it is."""

    key: str
    entity: str


def mentions_in(text: str) -> list[Mention]:
    """The names in ``text`` ("Tom", "New York"), and the kin words that name someone ("my sister Ana": the key
    "sister" for Ana). The speaker label of a stored turn ("Caroline: …") counts as a name too."""
    found: dict[str, Mention] = {}
    for match in CAPITALISED_RUN.finditer(text):
        words = match[0].split()
        while words and POSSESSIVE.sub("", words[0]).lower() in NOT_NAMES:
            words = words[1:]  # "Thanks Mel", "Yesterday Tom": the name is what follows
        while words and POSSESSIVE.sub("", words[-1]).lower() in NOT_NAMES:
            words = words[:-1]
        if not words or len(words) > MAX_NAME_WORDS:
            continue
        name = POSSESSIVE.sub("", " ".join(words))
        if len(name) < 2 or not name[0].isalpha():
            continue
        found.setdefault(name.lower(), Mention(name.lower(), name))
    for name, relation in people_in(text).items():
        entity = found[name].entity if name in found else name.title()
        found[name] = Mention(name, entity)
        for key in {relation.lower(), relation.split()[-1].lower()}:
            found.setdefault(f"{key}\0{name}", Mention(key, entity))
    return list(found.values())


def query_keys(query: str) -> list[str]:
    """Every run of one to three words of ``query``, lower case, possessives dropped ("Tom's kids" → "tom",
    "tom kids", "kids", and "tom's kids" as written): what :func:`mentions_in` keys may match."""
    words = [word.lower() for word in QUERY_WORD.findall(query)]
    bare = [POSSESSIVE.sub("", word) for word in words]
    keys: dict[str, None] = {}
    for sequence in (words, bare):
        for size in (1, 2, 3):
            for start in range(len(sequence) - size + 1):
                run = sequence[start : start + size]
                if run[0] in STOPWORDS or run[-1] in STOPWORDS:
                    continue
                keys[" ".join(run)] = None
    return list(keys)
