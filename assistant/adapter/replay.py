"""General prompts and the base model's own answers to them, replayed in training so everyday chat (facts,
arithmetic, definitions, how-to, code) does not degrade while the adapter learns to use memory."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

COUNTRIES = """France Japan Kenya Canada Peru Norway Egypt Vietnam Portugal Mexico Poland Chile Ghana Finland Greece
Thailand Ireland Morocco Austria Argentina""".split()
WORDS = """photosynthesis inflation entropy democracy metaphor algorithm osmosis mortgage vaccine recursion
irony gravity compound-interest latency empathy erosion""".split()
TASKS = """boil an egg|tie a tie|change a bike tyre|write a cover letter|fall asleep faster|descale a kettle|
start running as a beginner|remove a red wine stain|prepare for a job interview|save money on groceries|
keep basil alive|make cold brew coffee|learn to touch type|clean a cast iron pan|stretch after a long walk|
write a polite complaint email""".replace("\n", "").split("|")
CODE = """reverses a string|checks whether a number is prime|counts the words in a text|returns the largest item of a
list|reads a CSV file and prints each row|removes duplicates from a list while keeping order|converts Celsius to
Fahrenheit|merges two sorted lists""".replace("\n", " ").split("|")
OPEN = """a good way to spend a rainy Sunday at home|some ideas for a small birthday party|tips for a long train
journey|a simple weekly workout plan|ways to make a small flat feel bigger|ideas for a team-building afternoon|
how to start journaling|things to pack for a weekend hike""".replace("\n", " ").split("|")


def general_prompts(seed: int, count: int) -> list[str]:
    """``count`` everyday prompts in a fixed order for ``seed``."""
    rng = random.Random(seed)
    makers: list[Callable[[], str]] = [
        lambda: f"What is the capital of {rng.choice(COUNTRIES)}?",
        lambda: f"What is {rng.randrange(12, 99)} times {rng.randrange(3, 19)}?",
        lambda: f"In one paragraph, what is {rng.choice(WORDS).replace('-', ' ')}?",
        lambda: f"How do I {rng.choice(TASKS).strip()}?",
        lambda: f"Write a Python function that {' '.join(rng.choice(CODE).split())}.",
        lambda: f"Can you suggest {' '.join(rng.choice(OPEN).split())}?",
    ]
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(rng.choice(makers)(), None)
    return list(seen)


def load_replay(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {row["prompt"]: row["reply"] for row in map(json.loads, path.read_text().splitlines()) if row}


def base_answers(
    prompts: list[str], path: Path, generate: Callable[[str], str], progress: Callable[[int, int], None]
) -> dict[str, str]:
    """The base model's answer to each prompt, kept in ``path`` (JSON lines) so a rerun only asks the missing."""
    answers = load_replay(path)
    missing = [prompt for prompt in prompts if prompt not in answers]
    with path.open("a") as out:
        for done, prompt in enumerate(missing, 1):
            answers[prompt] = generate(prompt).strip()
            out.write(json.dumps({"prompt": prompt, "reply": answers[prompt]}) + "\n")
            out.flush()
            progress(done, len(missing))
    return {prompt: answers[prompt] for prompt in prompts}


def bulleted(answer: str) -> str:
    """The answer as a bullet list, a sentence or a line a bullet (for users who asked for bullet points)."""
    lines = [line.strip(" -*•\t") for line in answer.splitlines() if line.strip()]
    if len(lines) < 3:
        lines = [sentence.strip() for sentence in answer.replace("\n", " ").split(". ") if sentence.strip()]
    return "\n".join(f"- {line.rstrip('.')}" for line in lines[:8] if not line.startswith("```"))


def shortened(answer: str, max_words: int = 45) -> str:
    """The first sentences of the answer, within ``max_words`` (for users who asked for short answers)."""
    kept: list[str] = []
    for sentence in answer.replace("\n", " ").split(". "):
        words = sentence.split()
        if kept and sum(len(part.split()) for part in kept) + len(words) > max_words:
            break
        kept.append(" ".join(words[:max_words]))
    text = ". ".join(kept).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def without_emojis(answer: str) -> str:
    kept = (char for char in answer if ord(char) < 0x2600 or 0x3000 <= ord(char) < 0x1F000)
    return "".join(kept).replace("  ", " ")
