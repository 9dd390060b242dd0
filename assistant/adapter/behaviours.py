"""One builder per behaviour the adapter learns: use what memory holds, heed constraints, say "I don't know
yet", prefer the newest fact, join two facts, read dates, and speak to the user as "you"."""

from __future__ import annotations

import random
from datetime import timedelta

from assistant.adapter.cases import (
    Builder,
    Case,
    World,
    ago_phrase,
    background,
    memory,
    mixed,
    pick,
    profile_of,
)
from assistant.adapter.vocabulary import CITIES, JOBS, NAMES, PARTNERS, WORKPLACES, split
from memory.profile import ProfileEntry, ProfileSection
from memory.records import MemoryKind
from memory.voice import second_person

PET_QUESTIONS = [
    "what's my {species}'s name again?",
    "remind me what my {species} is called?",
    "do you remember what my {species} is called?",
    "sorry, blank moment: my {species}'s name?",
]
CITY_QUESTIONS = [
    "where does my {relation} live?",
    "remind me where {name} lives?",
    "which city is my {relation} in these days?",
    "what city did I say my {relation} lives in?",
]
NAME_QUESTIONS = [
    "tell me my {relation}'s name again?",
    "remind me, what is my {relation} called?",
    "do you remember my {relation}'s name?",
    "who's my {relation} again?",
]
JOB_QUESTIONS = [
    "what do I do for work, remind me?",
    "remind me where I work?",
    "what's my job?",
    "do you remember my job?",
]
CAR_QUESTIONS = ["which car do I drive?", "what car have I got?", "remind me what I drive?", "what do I drive again?"]


def direct(world: World, rng: random.Random, held_out: bool) -> Case:
    topic = rng.choice(["pet", "city", "name", "job", "car"])
    person = rng.choice(world.people)
    species, pet = world.pet
    if topic == "pet":
        index, question = pick(rng, PET_QUESTIONS, held_out)
        needed = memory(world, f"We adopted a {species} called {pet}", rng.randrange(5, 300))
        reply = rng.choice([f"Your {species} is called {pet}.", f"{pet}! That's your {species}'s name."])
        answer = pet
    elif topic == "city":
        index, question = pick(rng, CITY_QUESTIONS, held_out)
        needed = memory(world, f"My {person.relation} {person.name} lives in {person.city}", rng.randrange(5, 300))
        reply = f"Your {person.relation} {person.name} lives in {person.city}."
        answer = person.city
    elif topic == "name":
        index, question = pick(rng, NAME_QUESTIONS, held_out)
        needed = memory(world, f"My {person.relation} is called {person.name}", rng.randrange(5, 300))
        reply = rng.choice(
            [f"Your {person.relation} is called {person.name}.", f"Your {person.relation}'s name is {person.name}."]
        )
        answer = person.name
    elif topic == "job":
        index, question = pick(rng, JOB_QUESTIONS, held_out)
        needed = memory(world, f"I work as a {world.job} at {world.workplace}", rng.randrange(5, 300))
        reply = f"You work as a {world.job} at {world.workplace}."
        answer = world.job
    else:
        index, question = pick(rng, CAR_QUESTIONS, held_out)
        needed = memory(world, f"I drive {world.car}", rng.randrange(5, 300))
        reply = f"You drive {world.car}."
        answer = world.car.split()[-1]
    message = question.format(species=species, relation=person.relation, name=person.name)
    leave = {"pet": "pet", "city": f"person:{person.relation}", "name": f"person:{person.relation}"}.get(topic, topic)
    return Case(
        "direct",
        f"direct-{topic}-{index}",
        message,
        reply,
        world.now,
        profile=profile_of(world, rng),
        memories=mixed([needed], background(world, rng, leave), rng),
        any_of=(answer.lower(),),
    )


MOVE_STATEMENTS = [
    "{name} just moved to {city}",
    "Quick update: my {relation} {name} relocated to {city} last month",
    "Correction: my {relation} lives in {city} now, not {old}",
]
JOB_CHANGES = ["I started a new job as a {job} at {workplace}", "Big news: I'm now a {job} at {workplace}"]


def update(world: World, rng: random.Random, held_out: bool) -> Case:
    if rng.random() < 0.7:
        person = rng.choice(world.people)
        old = person.city
        new = rng.choice([city for city, _ in split(CITIES, held_out) if city != old])
        first = memory(world, f"My {person.relation} {person.name} lives in {old}", rng.randrange(90, 400))
        said = rng.choice(MOVE_STATEMENTS).format(name=person.name, relation=person.relation, city=new, old=old)
        later = memory(world, said, rng.randrange(3, 60))
        index, question = pick(rng, CITY_QUESTIONS, held_out)
        message = question.format(relation=person.relation, name=person.name)
        reply = rng.choice(
            [
                f"Your {person.relation} {person.name} lives in {new} now.",
                f"{person.name} lives in {new} now: you told me they moved there.",
            ]
        )
        needed, template, answer, stale = [later, first], f"update-move-{index}", new, old
    else:
        job = rng.choice([job for job in split(JOBS, held_out) if job != world.job])
        workplace = rng.choice(split(WORKPLACES, held_out))
        first = memory(world, f"I work as a {world.job} at {world.workplace}", rng.randrange(90, 400))
        later = memory(world, rng.choice(JOB_CHANGES).format(job=job, workplace=workplace), rng.randrange(3, 60))
        index, message = pick(rng, JOB_QUESTIONS, held_out)
        since = ago_phrase(world, (world.now - later.said_at).days)
        reply = f"You're a {job} at {workplace} now: you started there {since}."
        needed, template, answer, stale = [later, first], f"update-job-{index}", job, world.job
    if rng.random() < 0.5:
        needed.reverse()  # retrieval does not always rank the newest first: the dates decide
    profile = [entry for entry in profile_of(world, rng, leave_out="job") if stale not in entry.value]
    return Case(
        "update",
        template,
        message,
        reply,
        world.now,
        profile=profile,
        memories=mixed(needed, background(world, rng, "person" if "move" in template else "job"), rng),
        any_of=(answer.lower(),),
        none_of=(stale.lower(),),
    )


# Requests that may clash with a constraint: about food and drink, or about a medicine or a trip.
REQUESTS = {
    "food": [
        "I'm thinking of having {thing} tonight. Good idea?",
        "can you give me a recipe for {thing}?",
        "what do you reckon about {thing} this weekend?",
        "planning {thing} for Saturday, any tips?",
        "would {thing} be a nice treat for me tonight?",
    ],
    "other": [
        "is {thing} ok for me?",
        "thinking about {thing}, fine by you?",
        "can you help me sort out {thing}?",
        "any reason I shouldn't go for {thing}?",
        "would {thing} be a good plan for me this week?",
    ],
}


def constraint(world: World, rng: random.Random, held_out: bool) -> Case:
    rule = world.constraint
    thing = rng.choice(rule.clashes)
    requests = REQUESTS["other" if rule.kind in ("medication", "never") else "food"]
    index, template = pick(rng, requests, held_out)
    stated = memory(world, rule.statement, rng.randrange(5, 300), MemoryKind.CONSTRAINT)
    reason = second_person(rule.reason.format(dish=thing))
    opener = rng.choice(["Careful:", "Wait, before you do:", "Heads up:", "Hold on:"])
    reply = (
        f"{opener} you told me {second_person(rule.statement)}. {reason[:1].upper() + reason[1:]}, so I'd skip it. "
        f"How about {rng.choice(rule.safe)} instead?"
    )
    recalled = mixed([stated], background(world, rng), rng) if rng.random() < 0.7 else background(world, rng)
    profile = profile_of(world, rng)
    if rng.random() < 0.5:
        profile.append(ProfileEntry(user="me", section=ProfileSection.HEALTH, key=rule.subject, value=rule.statement))
    words = {"allergy": ("allerg", rule.subject.split()[-1].rstrip("s")), "never": ("fly", "flight", "plane")}
    return Case(
        "constraint",
        f"constraint-{index}",
        template.format(thing=thing),
        reply,
        world.now,
        profile=profile,
        memories=recalled,
        constraints=[stated],
        any_of=words.get(rule.kind, (rule.subject.split()[0].lower()[:6],)),
    )


UNKNOWN = [
    ("mum's name", "what is my mum called again?"),
    ("blood type", "do you know my blood type?"),
    ("dentist", "who's my dentist?"),
    ("anniversary", "when is my anniversary?"),
    ("shoe size", "what's my shoe size?"),
    ("favourite colour", "remind me what my favourite colour is?"),
    ("car", "which car do I drive?"),
    ("neighbour's name", "what's my neighbour called?"),
    ("wifi password", "what's my wifi password?"),
    ("boss's name", "what's my boss's name again?"),
    ("cousin's name", "what was my cousin's name?"),
    ("uncle", "where does my uncle live?"),
    ("birthday", "remind me when my birthday is?"),
    ("first pet", "what was my first pet called?"),
    ("niece's name", "what's my niece's name?"),
]
ABSTAIN = [
    "I don't know your {topic} yet: you haven't told me. If you tell me, I'll remember it.",
    "You haven't told me your {topic}, so I don't know it yet. Tell me and I'll remember.",
    "I don't know that yet: you've never mentioned your {topic} to me. What is it?",
]


def abstention(world: World, rng: random.Random, held_out: bool) -> Case:
    known = {person.relation for person in world.people} | {"car"}
    pool = [item for item in split(UNKNOWN, held_out) if not any(word in item[0] for word in known)]
    topic, message = rng.choice(pool)
    note = topic if rng.random() < 0.7 else None
    return Case(
        "abstention",
        f"abstention-{topic}",
        message,
        rng.choice(ABSTAIN).format(topic=topic),
        world.now,
        profile=profile_of(world, rng),
        memories=background(world, rng, "car" if topic == "car" else ""),
        unknown_topic=note,
        any_of=("don't know", "haven't told", "not know", "never mentioned"),
    )


MULTIHOP = [
    "which country is my {relation}'s {partner} from?",
    "where's my {relation}'s {partner} from originally?",
    "what country does {partner_name} come from?",
    "remind me where my {relation}'s {partner} grew up?",
]


def multihop(world: World, rng: random.Random, held_out: bool) -> Case:
    person = rng.choice(world.people)
    if rng.random() < 0.6:
        partner = rng.choice(split(PARTNERS, held_out))
        partner_name = rng.choice([name for name in split(NAMES, held_out) if name != person.name])
        city, country = rng.choice(split(CITIES, held_out))
        married = memory(
            world, f"My {person.relation} {person.name}'s {partner} is {partner_name}", rng.randrange(20, 300)
        )
        origin = memory(
            world, f"{partner_name} grew up in {city}, {country}", rng.randrange(5, 300), MemoryKind.EPISODE
        )
        index, question = pick(rng, MULTIHOP, held_out)
        message = question.format(relation=person.relation, partner=partner, partner_name=partner_name)
        reply = f"{partner_name}, your {person.relation}'s {partner}, is from {country}: they grew up in {city}."
        needed, answer, template = [married, origin], country, f"multihop-origin-{index}"
    else:
        species, pet = world.pet
        questions = [
            "what's the name of my {relation}'s {species}?",
            "what is {name}'s {species} called?",
            "remind me of my {relation}'s {species}'s name?",
            "what did my {relation} call their {species}?",
        ]
        named = memory(world, f"My {person.relation} is {person.name}", rng.randrange(20, 300))
        owns = memory(world, f"{person.name} got a {species} called {pet}", rng.randrange(5, 300))
        index, question = pick(rng, questions, held_out)
        message = question.format(relation=person.relation, species=species, name=person.name)
        reply = f"Your {person.relation} {person.name}'s {species} is called {pet}."
        needed, answer, template = [owns, named], pet, f"multihop-pet-{index}"
    return Case(
        "multihop",
        template,
        message,
        reply,
        world.now,
        profile=profile_of(world, rng, "pet"),
        memories=mixed(needed, background(world, rng, "pet"), rng),
        any_of=(answer.lower(),),
    )


TIME_QUESTIONS = [
    "how long have I been doing {hobby} now?",
    "when did I start {hobby}?",
    "roughly how long ago did I take up {hobby}?",
    "how long have I been at {hobby} again?",
]


def time(world: World, rng: random.Random, held_out: bool) -> Case:
    hobby, phrase = world.hobby
    days = rng.randrange(8, 500)
    started = memory(world, f"I started {phrase}", days, refers_to=world.now - timedelta(days=days))
    ago = ago_phrase(world, days)
    index, question = pick(rng, TIME_QUESTIONS, held_out)
    date = f"{started.said_at:%-d %B %Y}"
    reply = rng.choice(
        [
            f"You started {phrase} {ago}, around {date}.",
            f"About {ago.replace(' ago', '')}: you started {phrase} around {date}.",
        ]
    )
    return Case(
        "time",
        f"time-{index}",
        question.format(hobby=hobby),
        reply,
        world.now,
        profile=profile_of(world, rng),
        memories=mixed([started], background(world, rng, "hobby"), rng),
        any_of=(ago.split()[0],),
    )


BUILDERS: dict[str, Builder] = {
    "direct": direct,
    "update": update,
    "constraint": constraint,
    "abstention": abstention,
    "multihop": multihop,
    "time": time,
}
