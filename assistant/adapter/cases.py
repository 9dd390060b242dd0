"""Training and evaluation cases for the memory adapter, written by code from templates and vocabularies.

A case is what one turn looks like to the model: the user's profile, the memories recalled for the message
(the right ones among others, as retrieval brings them), the constraints on file, the message, and the reply a
careful assistant gives. Each behaviour has question templates; the last of each list, and one word in five of
every vocabulary (:mod:`assistant.adapter.vocabulary`), are kept for the evaluation only.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from assistant.adapter.vocabulary import (
    CARS,
    CITIES,
    CONSTRAINTS,
    HOBBIES,
    JOBS,
    NAMES,
    PARTNERS,
    PET_NAMES,
    PETS,
    RELATIONS,
    WORKPLACES,
    FoodConstraint,
    split,
)
from assistant.memory_notes import how_long_ago
from memory.profile import ProfileEntry, ProfileSection
from memory.records import Memory, MemoryKind


@dataclass
class Case:
    behaviour: str
    template: str
    message: str
    reply: str
    now: datetime
    profile: list[ProfileEntry] = field(default_factory=list)
    memories: list[Memory] = field(default_factory=list)
    """Recalled for this message, most relevant first (the needed ones among others)."""
    constraints: list[Memory] = field(default_factory=list)
    unknown_topic: str | None = None
    """Set when the app would add its "you don't know my … yet" note."""
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    style: str = ""


@dataclass
class Person:
    relation: str
    name: str
    city: str
    country: str


@dataclass
class World:
    """One made-up user: who they are and what they have told the assistant."""

    user_name: str
    people: list[Person]
    pet: tuple[str, str]
    job: str
    workplace: str
    hobby: tuple[str, str]
    car: str
    constraint: FoodConstraint
    now: datetime


@dataclass(frozen=True)
class Vocabulary:
    """The vocabularies of one side of the split."""

    held_out: bool

    def __post_init__(self) -> None:
        for name, items in (
            ("names", NAMES),
            ("relations", RELATIONS),
            ("cities", CITIES),
            ("pets", PETS),
            ("pet_names", PET_NAMES),
            ("jobs", JOBS),
            ("workplaces", WORKPLACES),
            ("hobbies", HOBBIES),
            ("cars", CARS),
            ("constraints", CONSTRAINTS),
            ("partners", PARTNERS),
        ):
            object.__setattr__(self, name, split(items, self.held_out))

    names: Sequence[str] = ()
    relations: Sequence[tuple[str, str]] = ()
    cities: Sequence[tuple[str, str]] = ()
    pets: Sequence[str] = ()
    pet_names: Sequence[str] = ()
    jobs: Sequence[str] = ()
    workplaces: Sequence[str] = ()
    hobbies: Sequence[tuple[str, str]] = ()
    cars: Sequence[str] = ()
    constraints: Sequence[FoodConstraint] = ()
    partners: Sequence[str] = ()


def make_world(rng: random.Random, words: Vocabulary) -> World:
    names = rng.sample(list(words.names), 5)
    relations = rng.sample(list(words.relations), 3)
    people = [
        Person(relation[0], name, *rng.choice(list(words.cities)))
        for relation, name in zip(relations, names[1:], strict=False)
    ]
    now = datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=rng.randrange(0, 360))
    return World(
        user_name=names[0],
        people=people,
        pet=(rng.choice(list(words.pets)), rng.choice(list(words.pet_names))),
        job=rng.choice(list(words.jobs)),
        workplace=rng.choice(list(words.workplaces)),
        hobby=rng.choice(list(words.hobbies)),
        car=rng.choice(list(words.cars)),
        constraint=rng.choice(list(words.constraints)),
        now=now,
    )


def memory(world: World, text: str, days_ago: int, kind: MemoryKind = MemoryKind.FACT, **extra: object) -> Memory:
    return Memory(user="me", text=text, kind=kind, said_at=world.now - timedelta(days=days_ago), **extra)  # type: ignore[arg-type]


def background(world: World, rng: random.Random, leave_out: str = "") -> list[Memory]:
    """Other things the user said, recalled beside the needed memory as retrieval would bring them."""
    species, pet = world.pet
    texts = {
        "pet": f"We adopted a {species} called {pet}",
        "job": f"I work as a {world.job} at {world.workplace}",
        "hobby": f"I started {world.hobby[1]}",
        "car": f"I drive {world.car}",
        **{
            f"person:{person.relation}": f"My {person.relation} {person.name} lives in {person.city}"
            for person in world.people
        },
    }
    chosen = [text for key, text in texts.items() if not key.startswith(leave_out) or not leave_out]
    return [
        memory(world, text, rng.randrange(3, 200)) for text in rng.sample(chosen, min(len(chosen), rng.randrange(1, 4)))
    ]


def profile_of(world: World, rng: random.Random, leave_out: str = "") -> list[ProfileEntry]:
    entries = [ProfileEntry(user="me", section=ProfileSection.IDENTITY, key="name", value=world.user_name)]
    if rng.random() < 0.6 and leave_out != "job":
        entries.append(ProfileEntry(user="me", section=ProfileSection.IDENTITY, key="job", value=world.job))
    for person in world.people:
        if rng.random() < 0.5 and leave_out != f"person:{person.relation}":
            entries.append(
                ProfileEntry(
                    user="me",
                    section=ProfileSection.PEOPLE,
                    key=person.name,
                    value=f"{person.relation}, lives in {person.city}",
                )
            )
    if rng.random() < 0.5 and leave_out != "pet":
        species, pet = world.pet
        entries.append(ProfileEntry(user="me", section=ProfileSection.PETS, key=pet, value=species))
    return entries


def mixed(needed: Sequence[Memory], others: Sequence[Memory], rng: random.Random) -> list[Memory]:
    """The needed memories usually first (retrieval ranks them high), sometimes after another one."""
    found = list(needed)
    rest = list(others)
    if rest and rng.random() < 0.35:
        return [rest[0], *found, *rest[1:]]
    return [*found, *rest]


def pick(rng: random.Random, templates: Sequence[str], held_out: bool) -> tuple[int, str]:
    """A question template: the last of the list is the evaluation's; the others are for training."""
    if held_out:
        return len(templates) - 1, templates[-1]
    index = rng.randrange(len(templates) - 1)
    return index, templates[index]


def ago_phrase(world: World, days: int) -> str:
    return how_long_ago(world.now - timedelta(days=days), world.now)


Builder = Callable[[World, random.Random, bool], Case]
