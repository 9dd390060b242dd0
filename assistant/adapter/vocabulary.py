"""The words the adapter's training examples are made of: people, places, pets, jobs, hobbies, constraints.

Every list is split the same way: one entry in five (``held_out``) is kept for the evaluation and never
trained on, so the held-out score measures behaviour on names, cities and foods the adapter has not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

NAMES = """Ana Pedro Lena Max Tom Sara Omar Priya Kenji Zofia Lucas Amara Ines Dmitri Chloe Rafael Hana Yusuf Elena
Mateo Aisha Jonas Mei Felix Nora Tariq Greta Emil Leila Oscar Ruth Diego Ingrid Kofi Maya Anders Rosa Victor Sofia
Ravi Clara Bruno Yara Hugo Alma Malik Freya Theo Nadia Luca Ida Samir Olga Pablo Esme Arjun Lotte Marek Wren
Ciaran""".split()

# (relation, how a question names it)
RELATIONS = [
    ("sister", "sister"),
    ("brother", "brother"),
    ("mum", "mum"),
    ("dad", "dad"),
    ("cousin", "cousin"),
    ("best friend", "best friend"),
    ("boss", "boss"),
    ("neighbour", "neighbour"),
    ("grandmother", "grandmother"),
    ("aunt", "aunt"),
    ("son", "son"),
    ("daughter", "daughter"),
    ("uncle", "uncle"),
    ("flatmate", "flatmate"),
    ("grandfather", "grandfather"),
]
PARTNERS = ["husband", "wife", "partner", "girlfriend", "boyfriend"]

CITIES = [
    ("Porto", "Portugal"),
    ("Lyon", "France"),
    ("Oslo", "Norway"),
    ("Krakow", "Poland"),
    ("Osaka", "Japan"),
    ("Seattle", "the United States"),
    ("Melbourne", "Australia"),
    ("Toronto", "Canada"),
    ("Bilbao", "Spain"),
    ("Leeds", "England"),
    ("Munich", "Germany"),
    ("Gothenburg", "Sweden"),
    ("Cork", "Ireland"),
    ("Bologna", "Italy"),
    ("Utrecht", "the Netherlands"),
    ("Nairobi", "Kenya"),
    ("Pune", "India"),
    ("Valparaiso", "Chile"),
    ("Ghent", "Belgium"),
    ("Brno", "the Czech Republic"),
    ("Tampere", "Finland"),
    ("Aarhus", "Denmark"),
    ("Graz", "Austria"),
    ("Busan", "South Korea"),
    ("Cusco", "Peru"),
    ("Accra", "Ghana"),
    ("Edinburgh", "Scotland"),
    ("Curitiba", "Brazil"),
    ("Wellington", "New Zealand"),
    ("Izmir", "Turkey"),
]
PETS = ["dog", "cat", "rabbit", "parrot", "tortoise", "hamster", "guinea pig", "horse", "ferret", "budgie"]
PET_NAMES = """Bimba Rex Miso Pepper Biscuit Luna Olive Tofu Ziggy Mango Nala Pickles Juno Waffles Kiwi Bean Otis
Pixel Clementine Rufus Noodle Sunny Maple Boris Fig""".split()
JOBS = [
    "nurse",
    "pharmacist",
    "software developer",
    "primary school teacher",
    "architect",
    "electrician",
    "accountant",
    "graphic designer",
    "physiotherapist",
    "chef",
    "librarian",
    "civil engineer",
    "vet",
    "journalist",
    "dental hygienist",
    "bus driver",
    "lab technician",
    "translator",
    "carpenter",
    "data analyst",
]
WORKPLACES = [
    "the city hospital",
    "a small bakery",
    "the university",
    "a logistics firm",
    "the town hall",
    "a design studio",
    "a bank",
    "a bike shop",
    "the public library",
    "a startup",
]
HOBBIES = [
    ("pottery", "pottery classes"),
    ("climbing", "bouldering at the climbing gym"),
    ("piano", "piano lessons"),
    ("running", "running with a club"),
    ("salsa", "salsa classes"),
    ("chess", "playing chess online"),
    ("knitting", "knitting"),
    ("swimming", "swimming laps"),
    ("photography", "a photography course"),
    ("Spanish", "Spanish lessons"),
    ("yoga", "yoga"),
    ("gardening", "an allotment"),
    ("woodwork", "a woodwork class"),
    ("birdwatching", "birdwatching"),
    ("cello", "cello lessons"),
]
CARS = [
    "a blue Skoda Fabia",
    "an old red Volvo",
    "a white Toyota Yaris",
    "a green Fiat Panda",
    "a grey Kia Niro",
    "a black Golf",
    "a silver Honda Jazz",
    "a yellow Renault Clio",
    "a Tesla Model 3",
    "a Nissan Leaf",
]


@dataclass(frozen=True)
class FoodConstraint:
    """A constraint the user states, the requests that clash with it, a safe alternative and the warning words."""

    kind: str  # allergy, intolerance, diet, condition, medication, never
    statement: str  # in the user's voice, as memory keeps it
    subject: str
    clashes: tuple[str, ...]  # what the user might ask for that involves it
    safe: tuple[str, ...]  # what to suggest instead
    reason: str  # why the request clashes, for the reply: "satay sauce is made with peanuts"


CONSTRAINTS = [
    FoodConstraint(
        "allergy",
        "I'm allergic to peanuts",
        "peanuts",
        ("chicken satay", "pad thai", "peanut butter cookies", "a Snickers cheesecake"),
        ("a sweet chilli chicken skewer", "a coconut curry with no nuts"),
        "{dish} is usually made with peanuts",
    ),
    FoodConstraint(
        "allergy",
        "I'm allergic to shellfish",
        "shellfish",
        ("a seafood paella", "garlic prawns", "a lobster roll", "shrimp scampi"),
        ("a chicken and chorizo paella", "a grilled vegetable skewer"),
        "{dish} is made with shellfish",
    ),
    FoodConstraint(
        "allergy",
        "I'm allergic to sesame",
        "sesame",
        ("hummus", "a tahini dressing", "sesame chicken", "halva"),
        ("a white bean dip made without tahini", "a lemon and olive oil dressing"),
        "{dish} usually contains sesame",
    ),
    FoodConstraint(
        "allergy",
        "I'm allergic to eggs",
        "eggs",
        ("a mushroom omelette", "homemade mayonnaise", "a lemon meringue pie", "carbonara"),
        ("a tofu scramble", "an egg-free aquafaba mayo"),
        "{dish} is made with eggs",
    ),
    FoodConstraint(
        "allergy",
        "I have a tree nut allergy",
        "tree nuts",
        ("basil pesto with pine nuts", "baklava", "a walnut brownie", "a cashew curry"),
        ("a nut-free sunflower seed pesto", "a plain chocolate brownie"),
        "{dish} contains nuts",
    ),
    FoodConstraint(
        "intolerance",
        "I'm lactose intolerant",
        "lactose",
        ("a four-cheese pizza", "a creamy mac and cheese", "a milkshake", "a cheesecake"),
        ("an oat-milk smoothie", "a tomato and basil pasta"),
        "{dish} is full of dairy",
    ),
    FoodConstraint(
        "condition",
        "I'm coeliac",
        "coeliac",
        ("a homemade sourdough loaf", "beef and ale pie", "a wheat pasta bake", "pancakes made with flour"),
        ("a rice-based risotto", "gluten-free pasta"),
        "{dish} contains gluten",
    ),
    FoodConstraint(
        "condition",
        "I'm diabetic",
        "diabetes",
        ("a triple chocolate cake", "a sugary milkshake", "a tray of cinnamon buns", "a big bowl of sweets"),
        ("a berry and yoghurt pot with no added sugar", "a cheese and nut plate"),
        "{dish} is very high in sugar",
    ),
    FoodConstraint(
        "condition",
        "I'm pregnant",
        "pregnancy",
        ("a brie and camembert cheese board", "a platter of raw oysters", "a glass of red wine", "salmon sushi"),
        ("a board of hard pasteurised cheeses", "cooked prawn tacos"),
        "{dish} is on the list to avoid during pregnancy",
    ),
    FoodConstraint(
        "diet",
        "I'm vegan",
        "vegan",
        ("a beef lasagne", "a cheese omelette", "a chicken caesar salad", "a honey-glazed ham"),
        ("a lentil lasagne", "a chickpea salad"),
        "{dish} has animal products in it",
    ),
    FoodConstraint(
        "diet",
        "I'm vegetarian",
        "vegetarian",
        ("a steak dinner", "a chicken curry", "a bacon sandwich", "fish and chips"),
        ("a halloumi curry", "a mushroom burger"),
        "{dish} has meat or fish in it",
    ),
    FoodConstraint(
        "diet",
        "I only eat halal",
        "halal",
        ("a pork roast", "a bacon carbonara", "pepperoni pizza", "a glass of wine with dinner"),
        ("a halal lamb kofta", "a chicken shawarma from a halal butcher"),
        "{dish} is not halal",
    ),
    FoodConstraint(
        "medication",
        "I take warfarin",
        "warfarin",
        (
            "ibuprofen for my headache",
            "aspirin for my back",
            "a big grapefruit juice detox",
            "a weekend of heavy drinking",
        ),
        ("paracetamol, after checking with your pharmacist", "a chat with your doctor first"),
        "{dish} can interact with warfarin",
    ),
    FoodConstraint(
        "medication",
        "I'm on lithium",
        "lithium",
        (
            "ibuprofen for my knee",
            "a salt-free crash diet",
            "naproxen for my period pain",
            "a dehydrating sauna marathon",
        ),
        ("paracetamol, after checking with your doctor", "a gentle stretch and a warm bath"),
        "{dish} can change lithium levels",
    ),
    FoodConstraint(
        "never",
        "Never suggest flying to me, I'm terrified of planes",
        "flying",
        (
            "a weekend trip to Rome by plane",
            "a cheap flight to Lisbon",
            "a fly-and-flop holiday",
            "flying to Dublin for a gig",
        ),
        ("the train to the coast", "a ferry to a nearby island"),
        "{dish} means flying",
    ),
]


def split(items: Sequence[T], held_out: bool) -> list[T]:
    """The entries for training (``held_out=False``) or for the evaluation only (one in five)."""
    return [item for index, item in enumerate(items) if (index % 5 == 4) == held_out]
