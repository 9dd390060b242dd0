"""Constraints: typed from what the user said, found for the messages they bear on, shown whatever the model says."""

from datetime import UTC, datetime

import pytest

from memory.constraints import Constraint, ConstraintFinder, ConstraintKind, constraint_of, read_constraint
from memory.extraction_rules import RuleExtractor
from memory.profile import ProfileSection
from memory.records import Memory, MemoryKind
from memory.voice import second_person

SAID_AT = datetime(2026, 11, 12, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("said", "kind", "subject"),
    [
        ("I'm allergic to peanuts", ConstraintKind.ALLERGY, "peanuts"),
        ("I have a severe shellfish allergy", ConstraintKind.ALLERGY, "shellfish"),
        ("I'm lactose intolerant", ConstraintKind.INTOLERANCE, "lactose"),
        ("I have type 2 diabetes", ConstraintKind.CONDITION, "type 2 diabetes"),
        ("I'm pregnant", ConstraintKind.CONDITION, "pregnant"),
        ("I'm vegetarian", ConstraintKind.DIET, "vegetarian"),
        ("I only eat halal", ConstraintKind.DIET, "halal"),
        ("I take warfarin every morning", ConstraintKind.MEDICATION, "warfarin"),
        ("I'm on sertraline", ConstraintKind.MEDICATION, "sertraline"),
        ("I don't drink alcohol", ConstraintKind.NEVER, "alcohol"),
        ("Never suggest flying, I'm terrified of planes", ConstraintKind.NEVER, "flying"),
        ("I can't drive", ConstraintKind.NEVER, "drive"),
    ],
)
def test_what_the_user_said_is_typed_as_a_constraint(said: str, kind: ConstraintKind, subject: str) -> None:
    assert read_constraint(said) == (kind, subject)


@pytest.mark.parametrize(
    "said", ["I'm on holiday next week", "I love peanuts", "My sister lives in Rome", "stress-free"]
)
def test_other_statements_are_not_constraints(said: str) -> None:
    assert read_constraint(said) is None


def constraint(text: str) -> Constraint:
    found = constraint_of(Memory(user="marta", text=text, kind=MemoryKind.CONSTRAINT, said_at=SAID_AT))
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("said", "message"),
    [
        ("I'm allergic to peanuts", "I'm thinking of ordering chicken satay with peanut sauce tonight. Good idea?"),
        ("I'm allergic to peanuts", "What goes well in a pad thai?"),
        ("I'm allergic to peanuts", "what should I cook for dinner tonight?"),
        ("I have type 2 diabetes", "Recommend a dessert for my party"),
        ("I'm vegan", "necesito una receta de torta de cumpleaños para Lukas, algo clásico"),
        ("I'm allergic to eggs", "une bonne recette de crêpes pour dimanche ?"),
        ("I take warfarin", "Should I take ibuprofen for this headache?"),
        ("I'm vegetarian", "Give me a recipe for carbonara"),
        ("Never suggest flying, I'm terrified of planes", "find me cheap flights to Lisbon"),
    ],
)
def test_the_finder_sees_a_clash_that_does_not_name_the_constraint(said: str, message: str) -> None:
    assert ConstraintFinder().bears_on(message, constraint(said))


@pytest.mark.parametrize(
    ("said", "message"),
    [
        ("I'm allergic to peanuts", "Can you help me write a cover letter for a marketing job?"),
        ("I'm allergic to peanuts", "how long do I boil an egg for?"),
        ("I take warfarin", "What's the capital of Australia?"),
        ("Never suggest flying, I'm terrified of planes", "what's worth seeing in York on a day trip by train?"),
        ("I'm vegetarian", "Best lasagne recipe with spinach and ricotta?"),
    ],
)
def test_the_finder_leaves_unrelated_messages_alone(said: str, message: str) -> None:
    assert not ConstraintFinder().bears_on(message, constraint(said))


def test_the_warning_line_speaks_to_the_user_and_says_when() -> None:
    assert constraint("I'm allergic to peanuts").warning == "⚠ You told me you're allergic to peanuts (12 Nov)"


def test_the_reply_opening_names_each_constraint_once_in_the_users_terms() -> None:
    from assistant.memory_notes import constraint_opening

    peanuts, warfarin = constraint("I'm allergic to peanuts"), constraint("I take warfarin every day")
    assert constraint_opening([peanuts]) == "You told me you're allergic to peanuts, so I'd avoid"
    assert constraint_opening([peanuts, warfarin, peanuts]) == (
        "You told me you're allergic to peanuts, and you told me you take warfarin, so I'd avoid"
    )
    # the last words lead to what is safe for the first constraint's kind
    assert constraint_opening([warfarin]) == (
        "You told me you take warfarin, so I'd check with your doctor or pharmacist before"
    )
    assert constraint_opening([constraint("We only eat halal")]).endswith("you only eat halal, so I'd keep it halal")
    assert constraint_opening([constraint("I don't eat pork")]).endswith(", so I'd avoid")
    assert constraint_opening([constraint("I'm coeliac")]) == "You told me you're coeliac, so I'd avoid gluten"
    assert constraint_opening([constraint("I have a bad knee")]).endswith("a bad knee, so I'd be careful with")
    assert constraint_opening([constraint("Never suggest flying to me")]) == (
        "You told me: “Never suggest flying to me”, so rather than flying, I'd suggest going by train or ferry"
    )
    never_driven = constraint_opening([constraint("I've never driven")])
    assert never_driven.endswith("so rather than driving, I'd suggest the train, a bus or a taxi")
    assert constraint_opening([constraint("I'm terrified of heights")]).endswith("rather than heights, I'd suggest")


@pytest.mark.parametrize(
    ("message", "only_a_fact"),
    [
        ("When was I last on a plane?", True),
        ("how old is Malik now?", True),
        ("what's a good paella recipe for 6 people?", False),
        ("I've a thumping headache. Should I take ibuprofen or an aspirin?", False),
        ("what meats should I get for the platter?", False),
        ("fancy making falafel wraps for lunch, what do I need?", False),
    ],
)
def test_only_a_request_gets_the_reply_opening(message: str, only_a_fact: bool) -> None:
    from assistant.memory_notes import asks_only_a_fact, constraint_part

    assert asks_only_a_fact(message) is only_a_fact
    part = constraint_part([constraint("I'm allergic to peanuts")], "turn", message)
    assert bool(part.opening) is not only_a_fact and part.notices  # the warning line shows either way


@pytest.mark.parametrize(
    ("message", "opening"),
    [
        ("I made a peanut-free pad thai tonight and it was great", False),
        ("any ideas for a satay sauce without peanuts?", False),
        ("what's a good pad thai recipe?", True),
        ("is there a peanut free version of satay?", False),
    ],
)
def test_a_message_that_already_keeps_the_constraint_gets_no_opening(message: str, opening: bool) -> None:
    from assistant.memory_notes import constraint_part

    part = constraint_part([constraint("I'm allergic to peanuts")], "turn", message)
    assert bool(part.opening) is opening and part.notices  # the warning line still shows


def test_second_person_turns_the_users_words_around() -> None:
    assert second_person("My brother Pedro lives in Seville") == "your brother Pedro lives in Seville"
    assert second_person("I am vegetarian and I have a cat") == "you are vegetarian and you have a cat"


def test_a_compound_sentence_becomes_separate_memories_with_a_constraint_among_them() -> None:
    said = "Hi! I'm Marta. I'm allergic to peanuts and my brother Pedro lives in Seville."
    found = {candidate.text: candidate for candidate in RuleExtractor().extract(said, SAID_AT)}
    assert set(found) == {"My name is Marta", "I'm allergic to peanuts", "My brother Pedro lives in Seville"}
    allergy = found["I'm allergic to peanuts"]
    assert allergy.kind == MemoryKind.CONSTRAINT and allergy.key == "allergy.peanuts"
    assert allergy.profile == (ProfileSection.HEALTH, "allergic to peanuts", "allergic to peanuts")
    assert found["My brother Pedro lives in Seville"].key == "pedro.home"


@pytest.mark.parametrize(
    ("said", "text", "kind"),
    [
        (
            "Oh, I should mention I'm allergic to hazelnuts, so nothing with Nutella for me.",
            "I'm allergic to hazelnuts",
            MemoryKind.CONSTRAINT,
        ),
        (
            "Quick update: my cousin Farid relocated to Bergen last month.",
            "My cousin Farid lives in Bergen",
            MemoryKind.PERSON,
        ),
        ("I have type 2 diabetes, so go easy on the cake ideas", "I have type 2 diabetes", MemoryKind.CONSTRAINT),
        ("fyi I'm on warfarin now", "I take warfarin", MemoryKind.CONSTRAINT),
        ("just so you know we only eat halal, at home and out.", "I only eat halal", MemoryKind.CONSTRAINT),
        ("got type 2 diabetes, diagnosed back in 2023", "I have type 2 diabetes", MemoryKind.CONSTRAINT),
        (
            "heads up that I'm severely allergic to shellfish: shrimp, crab, all of it.",
            "I'm allergic to shellfish",
            MemoryKind.CONSTRAINT,
        ),
        ("Found out I'm lactose intolerant the hard way lol.", "I am lactose intolerant", MemoryKind.CONSTRAINT),
        ("doctor says my blood pressure is too high, so no salt", "My blood pressure is high", MemoryKind.CONSTRAINT),
        ("been vegetarian since I was 15.", "I'm vegetarian", MemoryKind.CONSTRAINT),
        (
            "I'm allergic to sesame, so can you suggest a stir fry sauce?",
            "I'm allergic to sesame",
            MemoryKind.CONSTRAINT,
        ),
        (
            "can you help me write a birthday message for my brother Pedro?",
            "My brother is called Pedro",
            MemoryKind.PERSON,
        ),
    ],
)
def test_everyday_phrasings_are_remembered(said: str, text: str, kind: MemoryKind) -> None:
    found = [(candidate.text, candidate.kind) for candidate in RuleExtractor().extract(said, SAID_AT)]
    assert (text, kind) in found


@pytest.mark.parametrize(
    ("said", "text"),
    [
        ("can you answer in bullet points from now on?", "I want answers in bullet points"),
        ("please always reply to me in Spanish, even when I write in English", "I want answers in Spanish"),
        ("small request: please answer me in French.", "I want answers in French"),
        ("please use metric units only with me.", "I want metric units"),
        ("Answer me in one sentence, I mean it.", "I want answers of one sentence"),
        ("Everyone calls me Doc, so you may as well call me Doc too.", "Call me Doc"),
    ],
)
def test_how_the_user_wants_answers_is_remembered(said: str, text: str) -> None:
    assert text in [candidate.text for candidate in RuleExtractor().extract(said, SAID_AT)]


def test_a_question_names_nobody_by_a_lower_case_word() -> None:
    assert RuleExtractor().extract("What is my dog called?", SAID_AT) == []
