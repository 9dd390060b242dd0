"""Words that carry no topic, shared by word search and name finding."""

from __future__ import annotations

# Words that carry no topic: left out of searches so BM25 weighs names and things, not "what did I".
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with about from as is are was were be been being do does did "
    "doing have has had what when where who whom which why how that this these those it its i you he she they we "
    "me him her them my your his their our would could should will can may might shall than then so not no yes "
    "there here just also very too any some into over after before am i'm".split()
)
