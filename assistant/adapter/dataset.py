"""The adapter's training and evaluation sets: cases rendered in the exact layout the app sends the model.

The system prompt and the user's turn are assembled by the app's own code (:mod:`assistant.prompt`,
:mod:`assistant.memory_notes`): persona, date and profile in the system prompt; recalled memories, constraint
notes and the "not in memory" note beside the message. A change of layout in the app changes the training data
with it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from assistant.adapter.behaviours import BUILDERS
from assistant.adapter.cases import Case, Vocabulary, background, make_world, profile_of
from assistant.adapter.replay import bulleted, shortened, without_emojis
from assistant.memory_notes import constraint_part, profile_part, recalled_part
from assistant.prompt import DateProvider, PersonaProvider, PromptBuilder, PromptPart, PromptRequest
from assistant.unknown_notes import unknown_part
from memory.constraints import ConstraintFinder, constraint_of
from memory.profile import ProfileEntry, ProfileSection, render_entries
from memory.retrieval import Recalled, approximate_tokens

DEFAULT_PERSONA = (
    "You are mnemo, a private assistant running on the user's own computer. Answer clearly and concisely. "
    "If you do not know something, say so."
)
# How many cases of each behaviour one "unit" of the training set holds (scaled by ``size``).
MIX = {"direct": 3, "update": 2, "constraint": 3, "abstention": 3, "multihop": 2, "time": 2, "style": 2, "general": 3}
STYLES = {
    "short": ("length", "short answers, a few sentences at most", "Please keep your answers short"),
    "bullets": ("format", "bullet points", "I like answers as bullet points"),
    "no emojis": ("tone", "no emojis", "No emojis in your answers please"),
}


SENTENCE_END = re.compile(r"(?<!\d)([.!?])(?=\s|$)")  # not the "2." of a numbered list

STYLE_REWRITES: dict[str, Callable[[str], str]] = {"short": shortened, "bullets": bulleted, "no emojis": without_emojis}


@dataclass(frozen=True)
class Example:
    """One rendered case: chat messages (system, user, assistant) and how the evaluation checks a reply."""

    messages: tuple[dict[str, str], ...]
    behaviour: str
    template: str
    any_of: tuple[str, ...]
    none_of: tuple[str, ...]
    max_words: int = 0
    needs_bullets: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "messages": list(self.messages),
            "behaviour": self.behaviour,
            "template": self.template,
            "any_of": list(self.any_of),
            "none_of": list(self.none_of),
            "max_words": self.max_words,
            "needs_bullets": self.needs_bullets,
        }


def render(case: Case, persona: str = DEFAULT_PERSONA) -> Example:
    request = PromptRequest(user="me", session_id="training", text=case.message, now=case.now)
    parts: list[PromptPart] = [*PersonaProvider(persona).parts(request), *DateProvider().parts(request)]
    profile, sources = render_entries(case.profile)
    if profile:
        parts.append(profile_part(profile, sources))
    recalled = [Recalled(memory, 1.0, 1.0, 0.0, approximate_tokens(memory.text)) for memory in case.memories]
    if recalled:
        parts.append(recalled_part(recalled, "turn", case.now))
    constraints = [found for found in map(constraint_of, case.constraints) if found]
    bearing = ConstraintFinder().bearing_on(case.message, constraints)
    if bearing:
        parts.append(constraint_part(bearing, "turn"))
    if case.unknown_topic is not None:
        parts.append(unknown_part(case.unknown_topic, "turn"))
    parts.sort(key=lambda part: part.order)
    messages = (
        {"role": "system", "content": PromptBuilder.render(parts)},
        {"role": "user", "content": PromptBuilder.render_turn(parts, case.message)},
        {"role": "assistant", "content": case.reply},
    )
    max_words = 60 if case.style == "short" else 0
    return Example(
        messages, case.behaviour, case.template, case.any_of, case.none_of, max_words, case.style == "bullets"
    )


def general_case(prompt: str, answer: str, rng: random.Random, words: Vocabulary, style: str = "") -> Case:
    """An everyday question with the user's profile and unrelated memories around it: the base model's answer,
    in the style the user asked for."""
    world = make_world(rng, words)
    profile = profile_of(world, rng)
    memories = background(world, rng)
    reply = complete(answer)
    if style:
        key, value, said = STYLES[style]
        profile.append(ProfileEntry(user="me", section=ProfileSection.ANSWER_STYLE, key=key, value=value))
        if rng.random() < 0.5:
            memories.insert(0, memories[0].model_copy(update={"text": said, "said_at": world.now - timedelta(days=9)}))
        reply = STYLE_REWRITES[style](answer)
    return Case(
        "style" if style else "general",
        f"{style or 'general'}",
        prompt,
        reply,
        world.now,
        profile=profile,
        memories=memories,
        style=style,
    )


def complete(answer: str) -> str:
    """The answer without a sentence cut off by the token limit (a reply that stops mid-word teaches that)."""
    text = answer.strip()
    if text.endswith((".", "!", "?", "`", ")", ":")):
        return text
    ends = [found.end(1) for found in SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends and ends[-1] > len(text) // 3 else text


def build(
    seed: int, size: int, held_out: bool, replay: dict[str, str], persona: str = DEFAULT_PERSONA
) -> list[Example]:
    """``size`` units of :data:`MIX`, shuffled. ``held_out`` draws from the evaluation's templates and words."""
    rng = random.Random(seed)
    words = Vocabulary(held_out)
    examples: list[Example] = []
    prompts = sorted(replay)
    for behaviour, count in MIX.items():
        for _ in range(count * size):
            if behaviour in ("general", "style"):
                if not prompts:
                    continue
                prompt = rng.choice(prompts)
                style = rng.choice(sorted(STYLES)) if behaviour == "style" else ""
                case = general_case(prompt, replay[prompt], rng, words, style)
            else:
                case = BUILDERS[behaviour](make_world(rng, words), rng, held_out)
            examples.append(render(case, persona))
    rng.shuffle(examples)
    return examples
