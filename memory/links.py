"""One hop along the names a question says: the multi-hop part of recall.

"Where do Tom's kids live?" names Tom. The word index knows that "Lena and Max are Tom's kids" says Tom
together with Lena and Max, so what is known of Lena and Max ("Lena lives in Bergen") is brought in, lifted by
a share of how well that tying text matches the question. "Where does my sister live?" names Ana another way
("my sister Ana …"), so "Ana moved to Lisbon" comes too. Speakers of the conversation, and anyone mentioned
in nearly every text, are not followed: they link everything to everything.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from memory.entities import query_keys
from memory.lexical import LexicalIndex


@dataclass(frozen=True)
class LinkConfig:
    name_boost: float = 0.3
    """A memory about someone the query names another way ("my sister" for Ana) gains this share of the score
    of the text that says so ("my sister Ana …")."""
    hop_boost: float = 0.3
    """One hop: a memory about someone said together with the one the query names ("Tom's kids" → Lena) gains
    this share of the score of the text that ties them ("Lena and Max are Tom's kids")."""
    hop_entities: int = 5
    """The most linked names followed from each name in the query."""
    hop_texts: int = 20
    """The most texts (the newest) taken about each name followed."""
    hub_share: float = 0.05
    """Someone mentioned in more than this share of the texts (the user, a speaker) links everything: no hop."""


@dataclass(frozen=True)
class Link:
    """A way from a name in the query to more texts: ``sources`` tie the two together, ``targets`` are lifted."""

    via: str
    """How, for the user: "Ana" (named as "my sister"), "Tom → Lena"."""
    weight: float
    sources: frozenset[str]
    targets: tuple[str, ...]


def follow_names(user: str, query: str, speakers: Set[str], lexical: LexicalIndex, config: LinkConfig) -> list[Link]:
    """The links from the names ``query`` says to the texts about whom they are said together with."""
    said = query_keys(query)
    named = {entity: shown for entity, shown in lexical.entities_named(user, said).items() if entity not in speakers}
    if not named:
        return []
    hub = max(config.hop_texts, config.hub_share * max(lexical.text_count(user), 1))
    found: list[Link] = []
    for entity, shown in named.items():
        if lexical.mention_count(user, entity) > hub:
            continue
        if entity not in said:  # named another way: the query's words alone would miss what is said of her
            naming = frozenset(lexical.naming(user, entity, said))
            targets = tuple(i for i in lexical.mentioning(user, entity, config.hop_texts) if i not in naming)
            found.append(Link(shown, config.name_boost, naming, targets))
        for other, other_shown, _ in lexical.linked(user, entity, config.hop_entities):
            if other in named or other in speakers or lexical.mention_count(user, other) > hub:
                continue
            tying = frozenset(lexical.together(user, entity, other))
            targets = tuple(i for i in lexical.mentioning(user, other, config.hop_texts) if i not in tying)
            found.append(Link(f"{shown} → {other_shown}", config.hop_boost, tying, targets))
    return found


def lift(links: list[Link], scores: dict[str, float]) -> dict[str, tuple[float, str]]:
    """What each linked text adds to its score, and by which link: the link's weight times the score of the
    best text that ties it to the query ("Lena and Max are Tom's kids" matches "Tom's kids" well, so "Lena
    lives in Bergen" gains)."""
    lifted: dict[str, tuple[float, str]] = {}
    for link in links:
        tie = max((scores[source] for source in link.sources if source in scores), default=0.0)
        for target in link.targets:
            if target in scores and link.weight * tie > lifted.get(target, (0.0, ""))[0]:
                lifted[target] = (link.weight * tie, link.via)
    return lifted
