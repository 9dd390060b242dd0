"""``/concept`` in the chat: register, list, show and remove the user's own things recognised in photos."""

from __future__ import annotations

import shlex
from pathlib import Path

from assistant.command_table import COMMANDS, CommandOutcome
from assistant.concepts import ConceptService
from assistant.media import resolve_attachment_path
from memory.concepts import Concept, ConceptError
from modalities.errors import MediaError


def _line(concept: Concept) -> str:
    plural = "photo" if len(concept.photos) == 1 else "photos"
    about = f" — {concept.description}" if concept.description else ""
    return f"- **{concept.name}** ({concept.kind or 'thing'}, {len(concept.photos)} {plural}){about}"


def run_concept_command(concepts: ConceptService, user: str, argument: str) -> CommandOutcome:
    """``/concept add NAME ["description"] FILES…``, ``list``, ``show NAME``, ``rm NAME``."""
    try:
        words = shlex.split(argument)
    except ValueError as error:
        return CommandOutcome(f"Could not read that: {error}.", error=True)
    action, rest = (words[0].lower(), words[1:]) if words else ("list", [])
    store = concepts.memory.get().concepts
    try:
        if action == "list":
            found = store.list(user)
            if not found:
                return CommandOutcome('No concepts yet. Attach photos and say "this is my dog Bo", or `/concept add`.')
            return CommandOutcome("**Your concepts**\n\n" + "\n".join(_line(concept) for concept in found))
        if action == "show" and rest:
            concept = store.require(user, " ".join(rest))
            photos = "\n".join(f"  - `{photo.sha256[:12]}` {Path(photo.path).name}" for photo in concept.photos)
            return CommandOutcome(_line(concept) + ("\n" + photos if photos else ""))
        if action in ("rm", "remove", "delete") and rest:
            concept = store.delete(user, " ".join(rest))
            return CommandOutcome(f"🗑 deleted concept **{concept.name}** and its {len(concept.photos)} photos")
        if action == "add" and len(rest) >= 2:
            return _add(concepts, user, rest)
    except (ConceptError, MediaError) as error:
        return CommandOutcome(str(error), error=True)
    return CommandOutcome("Usage: " + COMMANDS["/concept"], error=True)


def _add(concepts: ConceptService, user: str, rest: list[str]) -> CommandOutcome:
    name, remaining = rest[0], rest[1:]
    paths: list[Path] = []
    description_words: list[str] = []
    for word in remaining:
        candidate = Path(word).expanduser()
        if candidate.suffix and (candidate.exists() or "/" in word):
            paths.append(resolve_attachment_path(word))
        else:
            description_words.append(word)
    if not paths:
        return CommandOutcome(f"Which photos show {name}? Give their paths after the name.", error=True)
    description = " ".join(description_words)
    kind = description.split()[-1].lower() if description.lower().startswith(("my ", "our ")) else ""
    concept, added = concepts.register(user, name, paths, kind=kind, description=description)
    concept = concepts.memory.get().concepts.require(user, concept.name)
    plural = "photo" if added == 1 else "photos"
    return CommandOutcome(f"🖼 **{concept.name}**: {added} new {plural}; I'll recognise it now.\n\n{_line(concept)}")
