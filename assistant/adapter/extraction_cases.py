"""Training and evaluation cases for the extraction adapter: a chat message and the facts it states, as JSON.

The model reads exactly what the app sends it (:data:`memory.extraction.PROMPT` with the message less its questions,
:func:`memory.extraction_text.model_text`), and learns to answer with the memories a careful reader would keep:
short sentences in the user's voice made of the user's own words, with the kind and the key the rules use, so a
fact said again later replaces the old one. Messages are built the way people type: full sentences, lower case
without apostrophes, no "I" or "my" at all, emojis, slang, several facts in one line and chatter around them;
what other people said, passing moments and negations give no fact. Every expected fact passes the app's own
gates (grounded in the message, about the user) or the case is drawn again. One word in five of every list is
kept for the evaluation (:func:`assistant.adapter.vocabulary.split`).
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.adapter.vocabulary import CITIES, JOBS, NAMES, PARTNERS, PET_NAMES, PETS, RELATIONS, split
from memory.extraction import PROMPT, is_about_the_user, is_grounded
from memory.extraction_text import model_text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

ALLERGENS = "peanuts shellfish sesame eggs kiwi penicillin walnuts mustard celery soy shrimp latex cashews milk".split()
FOOD_LIST = [
    "sushi", "olives", "coriander", "mushrooms", "anchovies", "blue cheese", "spicy food", "liquorice",
    "aubergine", "beetroot", "oysters", "marmite", "ramen", "tacos", "dark chocolate", "brussels sprouts",
    "raw onion", "goat cheese", "pho", "curry",
]  # fmt: skip
DIETS = ["vegetarian", "vegan", "pescatarian", "keto", "gluten free", "halal", "dairy free", "plant based"]
CONDITIONS = ["asthma", "type 2 diabetes", "migraines", "high blood pressure", "arthritis", "coeliac disease",
              "eczema", "an underactive thyroid", "ibs", "epilepsy"]  # fmt: skip
DRUGS = ["sertraline", "metformin", "levothyroxine", "ramipril", "propranolol", "omeprazole", "citalopram",
         "amlodipine", "atorvastatin", "lamotrigine"]  # fmt: skip
DOSES = ["10mg", "20mg", "25mg", "50mg", "75mg", "100mg", "5mg", "40mg"]
BREEDS = ["beagle", "border collie", "labrador", "greyhound", "dachshund", "spaniel", "maine coon", "siamese",
          "corgi", "whippet"]  # fmt: skip
ACTIVITIES = [
    ("swimming", "swim"), ("yoga", "yoga"), ("pilates", "pilates"), ("choir", "choir"), ("five a side", "football"),
    ("parkrun", "parkrun"), ("climbing", "climbing"), ("book club", "book club"), ("spin class", "spin"),
    ("salsa", "salsa"), ("chess club", "chess"), ("tennis", "tennis"), ("pottery", "pottery"), ("boxing", "boxing"),
]  # fmt: skip
DAYS = ["mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays", "tuesday evenings",
        "saturday mornings", "weekends", "thursday nights"]  # fmt: skip
DATES = ["on 14 March", "on the 21st", "next Friday", "in June", "on 3 April", "next month", "on the 9th of May",
         "in two weeks", "on Saturday the 28th", "in August"]  # fmt: skip
AGES = [str(age) for age in range(4, 86, 3)]
HOBBIES = ["the guitar", "chess", "sourdough baking", "birdwatching", "crochet", "woodwork", "painting",
           "bouldering", "fishing", "cycling", "gardening", "photography"]  # fmt: skip
NOISE = [
    "had such a long day", "its raining again here", "just got back from work", "cooking pasta tonight",
    "the meeting went fine", "traffic was awful this morning", "feeling a bit tired rn", "thanks for yesterday",
    "my friend said she's gluten free", "a colleague told me he's vegan now", "my neighbour thinks I should get a cat",
    "my mum keeps saying I should move to {city}", "not allergic to anything as far as I know",
    "if I were vegan I'd miss cheese too much", "watched a documentary about {city} last night",
]  # fmt: skip
ASKS = [
    "can you help me plan meals for the week?", "what should I cook tonight?", "any ideas for a birthday present?",
    "how do I fix a squeaky door?", "what's a good stretch for back pain?", "can you suggest a podcast?",
    "whats a quick lunch idea", "how long do I boil an egg", "any tips for sleeping better?",
]  # fmt: skip
EMOJIS = ["🙂", "😅", "🥲", "😂", "🎉", "❤️", "🙃", "👍"]


@dataclass(frozen=True)
class Fact:
    said: str
    text: str
    kind: str
    key: str | None


def key_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


class Words:
    """The vocabularies for training (``held_out=False``) or the evaluation (one word in five)."""

    def __init__(self, held_out: bool) -> None:
        self.names = split(NAMES, held_out)
        self.cities = [city for city, _ in split(CITIES, held_out)]
        self.jobs = split(JOBS, held_out)
        self.relations = [relation for relation, _ in split(RELATIONS, held_out)] + split(PARTNERS, held_out)
        self.pets, self.pet_names = split(PETS, held_out), split(PET_NAMES, held_out)
        self.allergens, self.foods = split(ALLERGENS, held_out), split(FOOD_LIST, held_out)
        self.diets, self.conditions = split(DIETS, held_out), split(CONDITIONS, held_out)
        self.drugs, self.breeds = split(DRUGS, held_out), split(BREEDS, held_out)
        self.activities, self.hobbies = split(ACTIVITIES, held_out), split(HOBBIES, held_out)


def _pick(rng: random.Random, variants: list[tuple[str, str]], **values: str) -> tuple[str, str]:
    said, text = rng.choice(variants)
    return said.format(**values), text.format(**values)


SAYINGS: dict[str, list[tuple[str, str]]] = {
    # topic: (how the user says it, the memory a careful reader keeps)
    "name": [
        ("I'm {n}", "My name is {n}"), ("{n} here", "My name is {n}"), ("my name's {n}", "My name is {n}"),
        ("hi, {n} here", "My name is {n}"), ("everyone calls me {n}", "Everyone calls me {n}"),
    ],
    "age": [("I'm {a}", "I am {a}"), ("{a} years old", "I am {a} years old"), ("just turned {a}", "I just turned {a}"),
            ("{a} now", "I am {a}")],
    "home": [("I live in {c}", "I live in {c}"), ("based in {c}", "I'm based in {c}"),
             ("living in {c} these days", "I'm living in {c}"), ("{c} is home now", "My home is {c}")],
    "move": [("we just moved to {c}", "I moved to {c}"), ("moved to {c} last month", "I moved to {c}"),
             ("relocated to {c} for work", "I relocated to {c}"), ("finally living in {c} now", "I'm living in {c}")],
    "origin": [("I'm from {c} originally", "I'm from {c}"), ("grew up in {c}", "I grew up in {c}"),
               ("born in {c}", "I was born in {c}"), ("originally from {c}", "I'm from {c}")],
    "job": [
        ("I work as {x} {j}", "I work as {x} {j}"), ("I'm {x} {j}", "I am {x} {j}"),
        ("{j} by trade", "I am a {j} by trade"), ("started a new job as {x} {j}", "I started a new job as {x} {j}"),
        ("got promoted to senior {j}", "I am a senior {j}"),
    ],
    "diet": [("I'm {d}", "I am {d}"), ("{d} now", "I am {d}"), ("went {d} last year", "I went {d}"),
             ("I eat {d}", "I eat {d}")],
    "allergy": [
        ("I'm allergic to {f}", "I'm allergic to {f}"), ("allergic to {f}", "I'm allergic to {f}"),
        ("I have a {f} allergy", "I have a {f} allergy"), ("bad {f} allergy", "I have a {f} allergy"),
        ("cant have {f}, allergic", "I'm allergic to {f}"),
    ],
    "condition": [("I have {c}", "I have {c}"), ("diagnosed with {c} last year", "I was diagnosed with {c}"),
                  ("I've got {c}", "I have got {c}")],
    "medicine": [
        ("I take {m} {d} every morning", "I take {m} {d} every morning"), ("on {d} of {m}", "I'm on {d} of {m}"),
        ("doctor upped my {m} to {d}", "My {m} is {d}"), ("I'm on {m}, {d}", "I'm on {m} {d}"),
    ],
    "like": [("I love {f}", "I love {f}"), ("big fan of {f}", "I'm a big fan of {f}"),
             ("{f} is my favourite", "My favourite is {f}"), ("obsessed with {f}", "I'm obsessed with {f}")],
    "dislike": [("I can't stand {f}", "I don't like {f}"), ("not a fan of {f}", "I'm not a fan of {f}"),
                ("I hate {f}", "I hate {f}"), ("no {f} please, I don't like it", "I don't like {f}")],
    "routine": [("I do {a} on {d}", "I do {a} on {d}"), ("{a} every {d1}", "I do {a} every {d1}"),
                ("{d} are for {a}", "I do {a} on {d}"), ("I go to {a} on {d}", "I go to {a} on {d}")],
    "hobby": [("I'm really into {h}", "I'm really into {h}"),
              ("been learning {h} for a year", "I have been learning {h}"), ("my hobby is {h}", "My hobby is {h}"),
              ("I spend weekends on {h}", "I spend weekends on {h}")],
    "plan": [
        ("flying to {c} {t}", "I'm flying to {c} {t}"), ("I'm visiting {c} {t}", "I'm visiting {c} {t}"),
        ("dentist appointment {t}", "I have a dentist appointment {t}"),
        ("job interview {t}", "I have a job interview {t}"),
    ],
    "breed": [("my {p} {n} is a {b}", "My {p} {n} is a {b}"), ("{n}, our {p}, is a {b}", "Our {p} {n} is a {b}")],
    "pet": [
        ("I have a {p} called {n}", "I have a {p} called {n}"), ("our {p} {n}", "I have a {p} called {n}"),
        ("got a {p}! named her {n}", "I have a {p} named {n}"), ("{n} (my {p})", "I have a {p} called {n}"),
    ],
}  # fmt: skip
TOPICS = ["name", "age", "home", "move", "origin", "job", "diet", "allergy", "condition", "medicine", "like", "dislike",
          "routine", "hobby", "plan", "pet", "breed"]  # fmt: skip


def user_fact(rng: random.Random, w: Words) -> Fact:
    """One thing the user says about themselves: a topic, its words, and one of its sayings."""
    topic = rng.choice(TOPICS)
    city, name, job = rng.choice(w.cities), rng.choice(w.names), rng.choice(w.jobs)

    def said(**values: str) -> tuple[str, str]:
        return _pick(rng, SAYINGS[topic], **values)

    if topic == "name":
        return Fact(*said(n=name), "fact", "user.name")
    if topic == "age":
        return Fact(*said(a=rng.choice(AGES[4:])), "fact", "user.age")
    if topic in ("home", "move"):
        return Fact(*said(c=city), "fact", "user.home")
    if topic == "origin":
        return Fact(*said(c=city), "fact", "user.origin")
    if topic == "job":
        words, text = said(x="an" if job[0] in "aeiou" else "a", j=job)
        return Fact(words, text.replace(" a a", " an a"), "fact", "user.job")
    if topic == "diet":
        return Fact(*said(d=rng.choice(w.diets)), "constraint", "user.diet")
    if topic == "allergy":
        food = rng.choice(w.allergens)
        return Fact(*said(f=food), "constraint", f"allergy.{key_word(food)}")
    if topic == "condition":
        condition = rng.choice(w.conditions)
        return Fact(*said(c=condition), "constraint", f"health.{key_word(condition.removeprefix('an '))}")
    if topic == "medicine":
        drug = rng.choice(w.drugs)
        return Fact(*said(m=drug, d=rng.choice(DOSES)), "constraint", f"medication.{drug}")
    if topic in ("like", "dislike"):
        food = rng.choice(w.foods)
        return Fact(*said(f=food), "preference", f"likes.{key_word(food)}")
    if topic == "routine":
        activity, stem_word = rng.choice(w.activities)
        day = rng.choice(DAYS)
        weekly = day.removesuffix("s").replace("s ", " ")
        return Fact(*said(a=activity, d=day, d1=weekly), "routine", f"routine.{key_word(stem_word)}")
    if topic == "hobby":
        hobby = rng.choice(w.hobbies)
        return Fact(*said(h=hobby), "preference", f"hobby.{key_word(hobby.removeprefix('the '))}")
    if topic == "plan":
        return Fact(*said(c=city, t=rng.choice(DATES)), "plan", None)
    pet, pet_name = rng.choice(w.pets), rng.choice(w.pet_names)
    if topic == "breed" and pet in ("dog", "cat"):
        return Fact(*said(p=pet, n=pet_name, b=rng.choice(w.breeds)), "pet", f"{key_word(pet_name)}.breed")
    return Fact(*_pick(rng, SAYINGS["pet"], p=pet, n=pet_name), "pet", f"pet.{key_word(pet_name)}")


def person_facts(rng: random.Random, w: Words) -> list[Fact]:
    """A person of the user's, one or two things about them in one clause."""
    relation, name, city = rng.choice(w.relations), rng.choice(w.names), rng.choice(w.cities)
    job, age = rng.choice(w.jobs), rng.choice(AGES)
    article = "an" if job[0] in "aeiou" else "a"
    values = {"r": relation, "n": name, "c": city, "j": job, "a": age, "x": article}
    named = Fact("", "My {r} is called {n}".format(**values), "person", f"{key_word(relation)}.name")
    home = Fact("", "My {r} {n} lives in {c}".format(**values), "person", f"{key_word(name)}.home")
    work = Fact("", "My {r} {n} is {x} {j}".format(**values), "person", f"{key_word(name)}.job")
    aged = Fact("", "My {r} {n} is {a}".format(**values), "person", f"{key_word(name)}.age")
    variants: list[tuple[str, list[Fact]]] = [
        ("my {r} {n} lives in {c}", [home]),
        ("{n} (my {r}) lives in {c}", [home]),
        ("my {r} {n} just moved to {c}", [Fact("", "My {r} {n} moved to {c}".format(**values), "person", home.key)]),
        ("{r} {n} is in {c} now", [Fact("", "My {r} {n} is in {c}".format(**values), "person", home.key)]),
        ("my {r} {n} works as {x} {j}", [Fact("", "My {r} {n} works as {x} {j}".format(**values), "person", work.key)]),
        ("my {r} {n} is {x} {j}", [work]),
        ("{n}, my {r}, is {x} {j} in {c}", [work, home]),
        ("my {r} {n} is {a}", [aged]),
        ("{n} (my {r}, {a})", [aged]),
        ("my {r}'s name is {n}", [Fact("", "My {r}'s name is {n}".format(**values), "person", named.key)]),
        ("I have a {r} called {n}", [named]),
        ("my {r} {n} says hi", [named]),
        ("{r} {n} wants to go vegan", [named]),
        ("my {r} {n} said she's gluten free", [named]),
    ]
    said, facts = rng.choice(variants)
    said = said.format(**values)
    return [Fact(said, fact.text, fact.kind, fact.key) for fact in facts]


def _casual(text: str, rng: random.Random) -> str:
    text = text.lower()
    if rng.random() < 0.6:
        text = re.sub(r"\b(i|don|can|it|he|she|that|we)'(m|t|s|re|ve)\b", r"\1\2", text)
    return text


def _telegraphic(said: str) -> str:
    short = re.sub(r"^(?:i'm|i am|i|my)\s+", "", said, flags=re.IGNORECASE)
    return said if short.isdigit() else short


def _noise(rng: random.Random, w: Words) -> str:
    return rng.choice(NOISE).format(city=rng.choice(w.cities))


def case(rng: random.Random, w: Words) -> tuple[str, list[Fact]]:
    """One message: up to three facts (a person's one or two), chatter or a question around them, in a register."""
    register = rng.choice(["plain", "plain", "casual", "casual", "telegraphic"])
    facts: list[Fact] = []
    pieces: list[str] = []
    count = rng.choices([0, 1, 2, 3], weights=[2, 5, 4, 2])[0]
    for _ in range(count):
        found = person_facts(rng, w) if rng.random() < 0.35 else [user_fact(rng, w)]
        said = found[0].said
        if register == "telegraphic" and rng.random() < 0.7:
            said = _telegraphic(said)
        pieces.append(said)
        facts.extend(found)
    if not pieces or rng.random() < 0.4:
        pieces.insert(rng.randrange(len(pieces) + 1), _noise(rng, w))
    joiners = [". ", ", ", " and ", ". btw ", " - ", ". also "] if register != "plain" else [". ", ", and ", ". Also, "]
    message = pieces[0]
    for piece in pieces[1:]:
        joiner = rng.choice(joiners)
        if register != "plain" and rng.random() < 0.25:
            joiner = f" {rng.choice(EMOJIS)} "
        message += joiner + piece
    if rng.random() < 0.4:
        message += ". " + rng.choice(ASKS)
    if register == "plain":
        message = message[:1].upper() + message[1:] + ("" if message.endswith("?") else ".")
    else:
        message = _casual(message, rng)
    return message, facts


def answer(facts: list[Fact]) -> str:
    items = [{"text": fact.text, "kind": fact.kind} | ({"key": fact.key} if fact.key else {}) for fact in facts]
    return json.dumps(items, ensure_ascii=False)


def examples(seed: int, count: int, held_out: bool) -> list[dict[str, object]]:
    """``count`` chats (the app's extraction prompt → the JSON answer), each passing the app's gates."""
    rng = random.Random(seed)
    w = Words(held_out)
    made: list[dict[str, object]] = []
    while len(made) < count:
        message, facts = case(rng, w)
        said = model_text(message)
        if facts and not said:
            continue
        if not all(is_grounded(fact.text, said) and is_about_the_user(fact.text, NOW) for fact in facts):
            continue
        if not said:
            said = message  # chatter alone: the app never asks, but the answer to it is []
        messages = [
            {"role": "user", "content": PROMPT.format(message=said)},
            {"role": "assistant", "content": answer(facts)},
        ]
        made.append(
            {"messages": messages, "behaviour": "extraction", "message": said, "facts": [f.text for f in facts]}
        )
    return made
