"""Words that carry no topic, shared by word search and name finding."""

from __future__ import annotations

from functools import cache

# Words that carry no topic: left out of searches so BM25 weighs names and things, not "what did I".
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with about from as is are was were be been being do does did "
    "doing have has had what when where who whom which why how that this these those it its i you he she they we "
    "me him her them my your his their our would could should will can may might shall than then so not no yes "
    "there here just also very too any some into over after before am i'm".split()
)

PASSING_WORDS = frozenset(
    (
        "today tonight yesterday tomorrow morning afternoon evening night day days week weekend month year time now "
        "ago last next again still ever got get getting went go going gonna wanna lol haha ok okay oh well great good "
        "nice bad made make feel feeling felt think thought "
        # verbs any story uses: "my shift ran four hours over" is not about "I ran 10k"
        "ran run running came come coming took take taking did done had having saw see seen said say says told "
        "tell know knew want wanted put keep kept let really lot much thing things stuff bit way under over "
        # the units and names of time, which every dated memory line carries ("On 3 December 2026 I ran …")
        "hour hours minute minutes january february march april may june july august september october november "
        "december monday tuesday wednesday thursday friday saturday sunday"
    ).split()
)
"""Words nearly every chat says: sharing one does not make two texts about the same thing."""


def topic_stems(text: str) -> set[str]:
    """The stems of the words in ``text`` that carry a topic: "Lena was up all night" → lena (not "night"); a
    number alone ("3", "2026") is no topic either."""
    from memory.extraction import content_words

    return {word for word in content_words(text) - _passing_stems() if not word.isdigit()}


@cache
def _passing_stems() -> frozenset[str]:
    from memory.extraction import stem

    return frozenset(map(stem, PASSING_WORDS))
