"""The read path: what mnemo recalls for a message, from both tiers, ranked, diversified and cut to a budget.

1. The query is embedded once and searched by meaning (Chroma) and by words (FTS5 BM25) in both tiers:
   extracted memories and the conversation's own turns. Speakers it names are left out of the search (they
   count through the speaker boost); names it says are followed one hop along their links (below). A short
   span it names ("last weekend", "on 16 June") is searched on its own: what was said in it, or about it, is
   compared by meaning however weakly it shares the query's words (moments are indexed beside the words).
2. Scores are fused on a common scale: a similarity counts by how far it stands above what a random
   memory of this user scores for the same query (a z-score from the collection's mean and covariance,
   calibrated on a sample: memory/calibration.py), BM25 by its share of the best word match. Measured on
   LoCoMo this beat reciprocal rank fusion by 9 points of recall@10.
3. Rerank: a memory said by someone the query names is preferred; importance counts; a forgetting curve
   fades what has not been said or used for a long time (use strengthens it; pinned ones never fade);
   a memory about the time the query asks about ("last week") is preferred.
4. Links: a text about someone the query names another way ("my sister": Ana) or said together with someone
   it names ("Tom's kids": Lena, from "Lena and Max are Tom's kids") gains a share of the score of the text
   that ties them, so the facts of linked people come along (multi-hop questions).
5. Near-duplicates are dropped and the rest is cut to ``k`` and to a token budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from memory.calibration import DENSE_SCALE, Calibrations, Scale, dense_scores
from memory.episodes import EpisodeIndex
from memory.lexical import LexicalIndex
from memory.links import Link, LinkConfig, follow_names, lift
from memory.memories import Memories
from memory.records import Memory, MemoryKind
from memory.store import MemoryStore
from memory.timeparse import TimeRef, find_times

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class RetrievalConfig:
    depth: int = 60
    """Candidates taken from each of the four searches."""
    lexical_weight: float | None = None
    """Weight of the word match beside the meaning score; None: the one tuned for the embedder in use."""
    speaker_boost: float = 1.6
    """A turn said by someone the query names (LoCoMo dev, names taken out of the topic: 1.15 0.855, 1.3 0.863,
    1.6 0.872, 2.0 0.868, 3.0 0.862 recall@10)."""
    semantic_boost: float = 1.1
    """Extracted memories are distilled: prefer them slightly over a raw turn that says the same."""
    time_boost: float = 2.0
    """A text said in (or about) the span the query names counts this much more (LoCoMo dev recall@10, with
    the span's own search: 1.5 0.888, 2.0 0.890, 2.5 0.890 with a better recall@20)."""
    time_depth: int = 20
    """Candidates taken from the texts said in (or about) a span the query names ("on 16 June", "last weekend"),
    however weakly they match its words; 0 turns this search off (LoCoMo dev recall@10: 0 0.888, 10 to 40 0.890)."""
    time_span_days: float = 31.0
    """Only spans up to this long get their own search ("in 2022" is no help in picking a turn)."""
    half_life_days: float = 180.0
    """A memory never used fades to half its recency weight in this long; each use doubles it."""
    recency_floor: float = 0.75
    """Old memories lose at most a quarter of their score: an old fact can still be the answer."""
    duplicate_overlap: float = 0.8
    links: LinkConfig = field(default_factory=LinkConfig)
    calibration_sample: int = 2000
    next_share: float = 0.25
    """A candidate turn gains this share of the score of the next candidate turn, when that one was said within
    ``NEXT_TURN_WITHIN`` after it (mostly the reply right after it): a reply that takes up the question's topic
    marks the turn it answers (LoCoMo dev recall@10: 0 0.874, 0.15
    0.879, 0.22 0.882, 0.3 0.884, 0.4 0.876, 0.5 0.867; the turn before, at 0.15: 0.868)."""


# Tuned on LoCoMo dev (`--fast`, 760 questions): MiniLM's weak meaning scores needed the words' help (1.2); for
# nomic 0.5 is best (recall@10 0.851, against 0.849 at 0.8, 0.846 at 0.3 and 0.836 at 1.2).
LEXICAL_WEIGHTS = {"minilm": 1.2}
EPISODE_COVERED = 0.6  # a turn is left out when memories drawn from it already hold this share of its words
DEFAULT_LEXICAL_WEIGHT = 0.5
NEXT_TURN_WITHIN = timedelta(minutes=5)
TIME_CANDIDATES = 200
"""At most this many of the newest texts of a span the query names are compared with it (a busy month): reading
their vectors is the cost (300 took 28 ms from a 100k-text collection, under load)."""


@dataclass(frozen=True)
class Recalled:
    """A memory or turn brought back for a query, with why it ranked where it did."""

    memory: Memory
    score: float
    dense: float
    lexical: float
    tokens: int
    via: str = ""
    """How a name in the query led here: "Ana" (asked about as "my sister"), "Tom → Lena"; empty otherwise."""

    @property
    def is_episode(self) -> bool:
        return self.memory.kind == MemoryKind.EPISODE

    @property
    def deviations(self) -> float:
        """How many standard deviations more similar to the query it is than a random memory of the user."""
        return self.dense * DENSE_SCALE


class Retriever:
    """Hybrid, reranked retrieval over one user's memories and episodes (never another user's)."""

    def __init__(
        self,
        memories: Memories,
        episodes: EpisodeIndex | None,
        count_tokens: Callable[[str], int] | None = None,
        config: RetrievalConfig | None = None,
    ) -> None:
        self.memories = memories
        self.episodes = episodes
        self.config = config or RetrievalConfig()
        self.count_tokens = count_tokens or approximate_tokens
        self._calibrations = Calibrations(self.config.calibration_sample)

    def forget_user(self, user: str) -> None:
        """Drop the user's calibrations (their collections are being deleted)."""
        self._calibrations.forget_user(user)

    def retrieve(
        self,
        user: str,
        query: str,
        *,
        now: datetime,
        k: int = 10,
        token_budget: int | None = None,
        speakers: Sequence[str] = (),
        exclude_source: str | None = None,
        turns: bool = True,
    ) -> list[Recalled]:
        """The best ``k`` memories and turns for ``query``, within ``token_budget`` tokens when given.

        ``speakers`` are names whose own words should count more when the query names them; items with
        the source ``exclude_source`` (say, this chat session's own turns) are left out. ``turns=False``
        searches the extracted memories only (``mnemo memory search``, ``/forget``).
        """
        if not query.strip():
            return []
        candidates: dict[str, tuple[Memory, float, float]] = {}
        tiers = [(self.memories.store, self.memories.lexical)]
        if turns and self.episodes is not None:
            tiers.append((self.episodes.store, self.episodes.lexical))
        named = {speaker.lower() for speaker in speakers if speaker and speaker.lower() in query.lower()}
        topic = without_names(query, named)
        times = find_times(query, now)
        with self.memories.store.lock:  # both tiers share it: the embedder cannot switch between query and search
            embedder = self.memories.store.embedder
            vector = embedder.embed_queries([topic])[0]
            lexical_weight = self.config.lexical_weight
            if lexical_weight is None:
                lexical_weight = LEXICAL_WEIGHTS.get(embedder.key, DEFAULT_LEXICAL_WEIGHT)
            links: list[Link] = []
            for store, lexical in tiers:
                count = self._search_tier(user, topic, vector, store, lexical, candidates, times)
                found = follow_names(user, topic, named, lexical, count, self.config.links) if count else []
                self._add_linked(user, store, count, vector, found, candidates)
                links += found
        scores = {
            memory.id: self._rerank(memory, dense + lexical_weight * lexical, now, times, named)
            for memory, dense, lexical in candidates.values()
        }
        if self.config.next_share:
            self._lift_by_next_turn(candidates, scores)
        lifted = lift(links, scores)
        ranked = sorted(
            (
                (scores[memory.id] + lifted.get(memory.id, (0.0, ""))[0], memory, dense, lexical)
                for memory, dense, lexical in candidates.values()
                if exclude_source is None or exclude_source not in memory.sources
            ),
            key=lambda item: item[0],
            reverse=True,
        )
        chosen = [
            replace(recalled, via=lifted[recalled.memory.id][1]) if recalled.memory.id in lifted else recalled
            for recalled in self._diversify_and_cut(ranked, k, token_budget)
        ]
        return chosen

    def mark_used(self, user: str, recalled: Sequence[Recalled], now: datetime) -> None:
        """Count the memories among ``recalled`` as used now (the prompt got them): use slows their fading."""
        used = [item.memory for item in recalled if not item.is_episode]
        if used:
            self.memories.store.touch(user, used, now)

    def _lift_by_next_turn(self, candidates: dict[str, tuple[Memory, float, float]], scores: dict[str, float]) -> None:
        """Among the candidate turns in time order, each gains a share of the score of the next one, when that one
        was said within ``NEXT_TURN_WITHIN`` (a turn in between that is no candidate does not break the pair)."""
        turns = sorted((m for m, _, _ in candidates.values() if m.kind == MemoryKind.EPISODE), key=lambda m: m.said_at)
        own = dict(scores)
        for turn, next_turn in zip(turns, turns[1:], strict=False):
            if next_turn.said_at - turn.said_at <= NEXT_TURN_WITHIN:
                scores[turn.id] += self.config.next_share * own[next_turn.id]

    def _search_tier(
        self,
        user: str,
        query: str,
        vector: list[float],
        store: MemoryStore,
        lexical: LexicalIndex,
        candidates: dict[str, tuple[Memory, float, float]],
        times: Sequence[TimeRef] = (),
    ) -> int:
        """Search one tier by meaning and by words, and within the spans of ``times``, into ``candidates``;
        returns how many texts it holds."""
        count = store.count(user)
        if count == 0:
            return 0
        scale = self._calibrations.scale(user, store, count, vector)
        meaning: dict[str, float] = {}
        found: dict[str, Memory] = {}
        for scored in store.search_vector(user, vector, min(self.config.depth, count)):
            meaning[scored.memory.id] = scale.score(scored.similarity)
            found[scored.memory.id] = scored.memory
        for memory, dense in self._within_times(user, store, lexical, vector, times, scale):
            found[memory.id] = memory
            meaning[memory.id] = dense
        word_hits = lexical.search_scored(user, query, self.config.depth)
        best = max((score for _, score in word_hits), default=0.0)
        lexical_scores = {memory_id: score / best for memory_id, score in word_hits} if best > 0 else {}
        # A word match outside the nearest few still has a meaning score: compute it from its stored vector.
        missing = [memory_id for memory_id in lexical_scores if memory_id not in found]
        for memory, dense in dense_scores(user, store, vector, missing, scale):
            found[memory.id] = memory
            meaning[memory.id] = dense
        for memory_id, memory in found.items():
            candidates[memory_id] = (memory, meaning.get(memory_id, 0.0), lexical_scores.get(memory_id, 0.0))
        return count

    def _within_times(
        self,
        user: str,
        store: MemoryStore,
        lexical: LexicalIndex,
        vector: list[float],
        times: Sequence[TimeRef],
        scale: Scale,
    ) -> list[tuple[Memory, float]]:
        """The texts nearest to the query among those said in (or about) each short span it names, with their
        meaning scores (the span's newest ``TIME_CANDIDATES`` are compared)."""
        limit = timedelta(days=self.config.time_span_days)
        spans = [time for time in times if time.end - time.start <= limit] if self.config.time_depth else []
        if not spans:
            return []
        if lexical.times_pending(user):  # a data dir from before moments were indexed: read them once
            lexical.fill_times(user, {memory.id: memory.moments for memory in store.all(user)})
        found: list[tuple[Memory, float]] = []
        for span in spans:
            ids = lexical.within(user, span.start, span.end, TIME_CANDIDATES)
            scored = dense_scores(user, store, vector, ids, scale)
            found += sorted(scored, key=lambda pair: pair[1], reverse=True)[: self.config.time_depth]
        return found

    def _add_linked(
        self,
        user: str,
        store: MemoryStore,
        count: int,
        vector: list[float],
        links: list[Link],
        candidates: dict[str, tuple[Memory, float, float]],
    ) -> None:
        """Texts reached through a name's links are candidates too, with their meaning score (``count``: how
        many texts the tier holds, as its search found)."""
        missing = list({i for link in links for i in [*link.sources, *link.targets] if i not in candidates})
        if not missing:
            return
        scale = self._calibrations.scale(user, store, count, vector)
        for memory, dense in dense_scores(user, store, vector, missing, scale):
            candidates[memory.id] = (memory, dense, 0.0)

    def _rerank(self, memory: Memory, score: float, now: datetime, times: list[TimeRef], named: set[str]) -> float:
        config = self.config
        if memory.speaker and memory.speaker.lower() in named:
            score *= config.speaker_boost
        if memory.kind != MemoryKind.EPISODE:
            score *= config.semantic_boost
        score *= 0.8 + 0.4 * memory.importance
        if memory.pinned:
            score *= 1.2
        else:
            score *= self._recency(memory, now)
        if times and any(_overlaps(memory, time) for time in times):
            score *= config.time_boost
        return score

    def _recency(self, memory: Memory, now: datetime) -> float:
        """A forgetting curve: recall strength halves every half-life since last said or used; use slows it."""
        last = max(memory.said_at, memory.last_used_at or memory.said_at)
        age_days = max((now - last).total_seconds() / 86400.0, 0.0)
        half_life = self.config.half_life_days * (2.0 ** min(memory.use_count, 6))
        strength = 0.5 ** (age_days / half_life)
        return self.config.recency_floor + (1.0 - self.config.recency_floor) * strength

    def _diversify_and_cut(
        self, ranked: list[tuple[float, Memory, float, float]], k: int, token_budget: int | None
    ) -> list[Recalled]:
        chosen: list[Recalled] = []
        chosen_words: list[set[str]] = []
        words_from_source: dict[str, set[str]] = {}
        spent = 0
        for score, memory, dense, lexical in ranked:
            if len(chosen) >= k:
                break
            words = set(WORD.findall(memory.text.lower()))
            if memory.kind == MemoryKind.EPISODE and self._said_already(memory, words, words_from_source):
                continue
            if any(_overlap(words, other) >= self.config.duplicate_overlap for other in chosen_words):
                continue
            tokens = self.count_tokens(render_line(memory))
            if token_budget is not None and spent + tokens > token_budget:
                continue
            spent += tokens
            chosen.append(Recalled(memory, score, dense, lexical, tokens))
            chosen_words.append(words)
            if memory.kind != MemoryKind.EPISODE:
                for source in memory.sources:
                    words_from_source.setdefault(source, set()).update(words)
        return chosen

    @staticmethod
    def _said_already(episode: Memory, words: set[str], words_from_source: dict[str, set[str]]) -> bool:
        """Whether memories drawn from this very turn are in and hold most of what it says. A turn often says
        more than was extracted ("my sister Noor lives in Toronto … she's a dentist"): then it still comes."""
        sources = [source for source in episode.sources if not source.startswith("session:")]
        if not sources or not all(source in words_from_source for source in sources):
            return False
        covered = set().union(*(words_from_source[source] for source in sources))
        content = {word for word in words if len(word) > 3}
        return not content or len(content & covered) / len(content) >= EPISODE_COVERED


def without_names(query: str, names: set[str]) -> str:
    """The query's topic once the speakers it names are taken out: "What is Caroline's job?" searches "What is
    job?". Those names are in nearly every turn the speakers said (and in every "Thanks, Caroline!"), so as
    words they pull in greetings; who said it counts through the speaker boost instead. On LoCoMo dev this
    lifted recall@10 from 0.849 to 0.863 and multi-hop from 0.76 to 0.82. A query of names only stays as it is."""
    if not names:
        return query
    pattern = r"\b(?:" + "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)) + r")(?:'s)?\b"
    topic = " ".join(re.sub(pattern, " ", query, flags=re.IGNORECASE).split())
    return topic if WORD.search(topic) else query


def _overlap(candidate: set[str], chosen: set[str]) -> float:
    """The share of the candidate's words already chosen: a turn that says more than a short memory drawn from it
    ("my sister Noor lives in Toronto … she's a dentist") is not its duplicate."""
    if not candidate or not chosen:
        return 0.0
    return len(candidate & chosen) / len(candidate)


def _overlaps(memory: Memory, time: TimeRef) -> bool:
    moments = [memory.refers_to] if memory.refers_to else [memory.said_at]
    return any(time.start <= moment < time.end for moment in moments)


def approximate_tokens(text: str) -> int:
    """About how many LLM tokens ``text`` takes: words and punctuation, long words counted as two."""
    pieces = re.findall(r"\w+|[^\w\s]", text)
    return sum(2 if len(piece) > 8 else 1 for piece in pieces)


def render_line(memory: Memory, speaker: str = "") -> str:
    """One recalled item as the model sees it: id, date, who said it, what.

    The user's own words carry ``speaker`` (their name), so the model reads "sam: my sister lives in
    Porto" as something sam said, not as its own first-person statement.
    """
    when = f"about {memory.refers_to:%d %b %Y}" if memory.refers_to else f"{memory.said_at:%d %b %Y}"
    text = memory.text if memory.speaker or not speaker else f"{speaker}: {memory.text}"
    return f"[{memory.id}] ({when}) {text}"
