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
    hop_entities: int = 4
    """The most linked names followed from each name in the query."""
    hop_texts: int = 10
    """The most texts (the newest) taken about each name followed."""
    ambiguous: int = 3
    """A word that names more than this many ("dog" in a life with many dogs) is followed to none of them."""
    most_named: int = 4
    """The most names of one question followed."""
    tying_texts: int = 5
    """The most texts that tie two names together taken to judge the link by."""
    most_texts: int = 40
    """The most texts brought in through links for one question (each is scored from its stored vector)."""
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


def follow_names(
    user: str, query: str, speakers: Set[str], lexical: LexicalIndex, texts: int, config: LinkConfig
) -> list[Link]:
    """The links from the names ``query`` says to the texts about whom they are said together with, among
    the user's ``texts`` texts in this index; at most ``config.most_texts`` texts in all."""
    said = query_keys(query)
    named = _named(lexical.entities_named(user, said), speakers, config)
    if not named:
        return []
    hub = max(config.hop_texts, config.hub_share * texts)
    found: list[Link] = []
    budget = config.most_texts
    for entity, shown in named.items():
        if budget <= 0 or lexical.mention_count(user, entity) > hub:
            continue
        if entity not in said:  # named another way: the query's words alone would miss what is said of her
            naming = frozenset(lexical.naming(user, entity, said))
            targets = [i for i in lexical.mentioning(user, entity, config.hop_texts) if i not in naming]
            found.append(Link(shown, config.name_boost, naming, tuple(targets[:budget])))
            budget -= len(naming) + len(targets)
        for other, other_shown, together in lexical.linked(user, entity, config.hop_entities):
            if budget <= 0:
                break
            if other in named or other in speakers or lexical.mention_count(user, other) > hub:
                continue
            tying = frozenset(together[: config.tying_texts])
            targets = [i for i in lexical.mentioning(user, other, config.hop_texts) if i not in tying]
            found.append(Link(f"{shown} → {other_shown}", config.hop_boost, tying, tuple(targets[:budget])))
            budget -= len(tying) + len(targets)
    return found


def _named(rows: list[tuple[str, str, str]], speakers: Set[str], config: LinkConfig) -> dict[str, str]:
    """The entities a query names (lower case → as written): a longer name wins over the words in it ("Helga
    Ivanova", not also every Helga); a word that names many ("dog" among forty dogs) names none of them."""
    entities_of: dict[str, dict[str, str]] = {}
    for key, entity, shown in rows:
        entities_of.setdefault(key, {})[entity] = shown
    named: dict[str, str] = {}
    for key, entities in entities_of.items():
        inside_longer = any(f" {key} " in f" {other} " for other in entities_of if other != key)
        if inside_longer or len(entities) > config.ambiguous:
            continue
        named.update((entity, shown) for entity, shown in entities.items() if entity not in speakers)
    return dict(list(named.items())[: config.most_named])


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
