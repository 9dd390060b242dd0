"""Facts said in passing, around an emoji, in brackets, after a greeting, or as a change of what came before."""

from datetime import UTC, datetime

import pytest

from memory.extraction import ExtractionContext
from memory.extraction_rules import RuleExtractor

SAID_AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def texts(said: str, context: ExtractionContext | None = None) -> set[str]:
    return {candidate.text for candidate in RuleExtractor().extract(said, SAID_AT, context)}


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "hi! I'm Rafael, most people call me Rafa 🙂 46, living in Rotterdam with my wife Ingrid and our two kids.",
            {"Call me Rafa", "I am 46 years old", "I live in Rotterdam", "My wife is called Ingrid"},
        ),
        ("hi! i'm olu, i teach chemistry at a school. can you help?", {"My name is Olu"}),
        (
            "my birthday's on the 14th of August, first one in Sweden 🎂 ideas for a small dinner at home?",
            {"My birthday is on 14th of August"},
        ),
        (
            "WE GOT A CAT 🐱 tabby, the kids named her Pisco (after the drink, obviously).",
            {"I have a cat called Pisco"},
        ),
        (
            "I swim at 6:30am mon/wed/fri before work, then walk Bruno (our labrador).",
            {"I have a labrador called Bruno"},
        ),
        (
            "kayode (my son, he's 5) is allergic to eggs. any egg-free pancakes?",
            {"My son Kayode is allergic to eggs", "My son Kayode is 5 years old"},
        ),
        ("I was born in Valparaiso btw, came to NL 19 years ago", {"I'm from Valparaiso"}),
        ("i was born in ibadan but last time i went kayode wasn't even born", {"I'm from Ibadan"}),
        (
            "I do long shifts as a logistics planner at a container terminal so weeknights are chaos",
            {"I work as a logistics planner at a container terminal"},
        ),
        (
            "I accepted an operations manager job at a shipping company in Gothenburg!!",
            {"I work as an operations manager at a shipping company in Gothenburg"},
        ),
        ("I've been doing keto since march", {"I'm keto"}),
        ("been on losartan for my blood pressure for about 2 years", {"I take losartan for my blood pressure"}),
        (
            "so i'm 41 and the doctor just told me i've got high blood pressure, they've started me on amlodipine.",
            {"I am 41 years old", "I have high blood pressure", "I take amlodipine"},
        ),
        ("I'm a big jazz guy, any newer artists?", {"I love jazz"}),
        ("low carb please. oh and no coriander please, can't stand the stuff", {"I can't stand coriander"}),
        ("curry sounds good but no coriander on top pls", {"I don't want coriander"}),
        ("Not a fan of country music tbh", {"I'm not a fan of country music"}),
        (
            "oh and I'm restoring an old Crescent road bike I found at a flea market, any tips?",
            {"I'm restoring an old Crescent road bike"},
        ),
        ("ok we're officially Gothenburg people now 🇸🇪 flat in Majorna", {"I live in Gothenburg"}),
        ("GOT IT!!! i'm the new head of science 🎉", {"I work as a head of science"}),
        ("I've got two sisters, Tolu and Bisi", {"My sister is called Tolu", "My sister is called Bisi"}),
        ("I'm left-handed, random fact", {"I'm left-handed"}),
        ("Could you please stop using so many exclamation marks", {"I don't want exclamation marks in answers"}),
        ("and use British spelling", {"I want British spelling"}),
        ("I've had back problems since my car accident in 2019", {"I have back problems"}),
        ("halcyon is based in cardiff so we finally moved there last weekend", {"I live in Cardiff"}),
        ("my own birthday's 3rd october and kemi keeps asking what i want", {"My birthday is on 3rd october"}),
        ("bullet points please, i can't cope with walls of text", {"I want answers in bullet points"}),
        ("keep answers short pls. and pls always give prices in shillings not dollars", {"I want prices in shillings"}),
        ("being a quantity surveyor is NOT glamorous whatever my aunties think", {"I work as a quantity surveyor"}),
        ("ok we've officially moved! living in nyali, mombasa now.", {"I live in Nyali, Mombasa"}),
        (
            "im originally from nyeri. my mum wairimu still lives there",
            {"I'm from Nyeri", "My mum Wairimu lives in Nyeri"},
        ),
        ("its my birthday today!! what should i do tonight", {"My birthday is on 1 June"}),
        ("i got offered a job at kenya ports authority in mombasa!!", {"I work at kenya ports authority in mombasa"}),
        (
            "also i have asthma and always carry my salbutamol inhaler to games",
            {"I have asthma", "I take salbutamol inhaler"},
        ),
    ],
)
def test_facts_said_in_passing_are_read(said: str, expected: set[str]) -> None:
    assert expected <= texts(said)


def test_a_new_diet_and_a_switched_medication_replace_the_old_ones() -> None:
    keto = RuleExtractor().extract("I've been doing keto since march", SAID_AT)
    fish = RuleExtractor().extract("doctor says I've dropped keto. going pescatarian instead, fish only", SAID_AT)
    assert (
        {c.key for c in keto if "keto" in c.text} == {c.key for c in fish if "pescatarian" in c.text} == {"user.diet"}
    )
    first = RuleExtractor().extract("they've started me on amlodipine", SAID_AT)
    switched = RuleExtractor().extract("new gp switched me from amlodipine to losartan", SAID_AT)
    assert [c.key for c in first] == [c.key for c in switched] == ["medication.amlodipine"]
    assert [c.text for c in switched] == ["I take losartan"]


def test_a_routine_moved_to_another_time_keeps_its_key() -> None:
    morning = RuleExtractor().extract("I swim at 6:30am mon/wed/fri before work", SAID_AT)
    evening = RuleExtractor().extract("so I'm swimming evenings now, tue and thu around 7pm", SAID_AT)
    moved = RuleExtractor().extract("since the move my swims are after work instead, around 6pm", SAID_AT)
    night = RuleExtractor().extract("adult lanes are on thursday evenings so that's my swim night now", SAID_AT)
    assert {c.key for c in morning + evening + moved + night} == {"routine.swim"}
    assert [c.text for c in moved] == ["My swims are after work, around 6pm now"]
    assert [c.text for c in night] == ["My swim is on thursday evenings now"]


def test_a_spelling_fix_with_a_star_renames_the_person_just_introduced() -> None:
    context = ExtractionContext({"sjourd": "mate"}, "sjourd")
    found = RuleExtractor().extract("*Sjoerd sorry, autocorrect. he's a dentist by day", SAID_AT, context)
    assert {c.text for c in found} >= {"My mate is called Sjoerd", "My mate Sjoerd is a dentist by day"}
    assert "mate.name" in {c.key for c in found}


def test_news_a_person_told_about_themselves_and_a_pronoun_after_their_name() -> None:
    context = ExtractionContext({"carolina": "sister", "ingrid": "wife"}, "carolina")
    assert "My sister Carolina's moving to Madrid in August 2026 for work" in texts(
        "Carolina just told me she's moving to Madrid in August for work!", context
    )
    assert "My wife Ingrid is a nurse at Erasmus MC" in texts(
        "came to NL 19 years ago for Ingrid. she's a nurse at Erasmus MC", context
    )
    assert "My dog Biscuit is a beagle" in texts(
        "he's a beagle not whatever that is", ExtractionContext({"biscuit": "dog"}, "biscuit")
    )


@pytest.mark.parametrize(
    "said",
    [
        "my friend Jake said I should try bouldering",  # Jake's advice, not the user's fact
        "no worries please, take your time",
        "if we got a cat we'd name her Pisco",
        "I'm swimming in work, tbh",
    ],
)
def test_what_is_not_a_fact_stays_out(said: str) -> None:
    assert texts(said) == set()


def test_a_pet_named_anew_takes_the_old_names_place() -> None:
    named = RuleExtractor().extract("I adopted a rabbit last weekend!! a little lop, I named him Falafel", SAID_AT)
    context = ExtractionContext({"falafel": "rabbit"}, "falafel")
    renamed = RuleExtractor().extract(
        "update on the bunny: the vet says Falafel is actually a girl lol. so she's Fattoush now", SAID_AT, context
    )
    assert ("I have a rabbit called Falafel", "pet.falafel") in {(c.text, c.key) for c in named}
    assert ("I have a rabbit called Fattoush", "pet.falafel") in {(c.text, c.key) for c in renamed}


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "ernesto here. 71, bandoneon repairer, own workshop in ciudad vieja",
            {"My name is Ernesto", "I am 71 years old"},
        ),
        (
            "wife norma wants to swap the cilantro in her chimichurri. can't stand cilantro myself, never could.",
            {"My wife is called Norma", "I can't stand cilantro"},
        ),
        (
            "blood pressure high again at the clinic. on enalapril 10mg mornings.",
            {"My blood pressure is high", "I take enalapril 10mg mornings"},
        ),
        ("born in rosario, argentina. crossed the river young.", {"I'm from Rosario, Argentina"}),
        ("granddaughter valentina, 8, wants to learn bandoneon", {"My granddaughter Valentina is 8 years old"}),
        (
            "son martin, sommelier at a restaurant in madrid, sent a case of malbec",
            {"My son Martin is a sommelier at a restaurant in madrid"},
        ),
        ("card for daughter lucia. something proud but not soppy", {"My daughter is called Lucia"}),
        ("allergic to penicillin. usual alternatives?", {"I'm allergic to penicillin"}),
        ("no cream sauce though. lactose intolerant, learnt that the hard way", {"I am lactose intolerant"}),
        ("hands stiff on cold mornings. arthritis, mostly right thumb.", {"I have arthritis"}),
        ("72 as of yesterday. lunch was good", {"I am 72 years old"}),
        ("own birthday march 3. kids want a party", {"My birthday is on march 3"}),
        (
            "football talk everywhere at the club. moved chess night to tuesdays, quieter crowd",
            {"My chess night is on tuesdays now"},
        ),
    ],
)
def test_telegraphic_messages_drop_i_and_my_and_still_give_facts(said: str, expected: set[str]) -> None:
    assert expected <= texts(said)


def test_a_medicine_swapped_by_the_doctor_replaces_the_old_one_and_a_named_birthday_is_theirs() -> None:
    swapped = RuleExtractor().extract("doctor switched enalapril to losartan 50, the old one gave a dry cough", SAID_AT)
    assert [(c.text, c.key) for c in swapped] == [("I take losartan", "medication.enalapril")]
    context = ExtractionContext({"norma": "wife"}, None)
    assert "My wife Norma's birthday is on 20 february" in texts("norma birthday 20 february. not flowers", context)


def test_a_diet_and_an_intolerance_in_one_sentence_are_two_memories() -> None:
    found = RuleExtractor().extract("im vegetarian btw and lactose intolerant", SAID_AT)
    assert [(c.text, c.key) for c in found] == [
        ("I am vegetarian", "user.diet"),
        ("I am lactose intolerant", "user.intolerance.lactose"),
    ]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("he's a scruffy terrier, his name is Nacho. tips for a puppy that chews?", ("terrier dog", "Nacho")),
        ("good news, there's a new kitten in the flat! my flatmate named her Mochi.", ("kitten", "Mochi")),
        ("we just adopted a spaniel puppy and called him Bramble", ("spaniel puppy", "Bramble")),
        ("I share a flat in Leeds with my girlfriend Amy and a grumpy tabby called Biscuit.", ("tabby cat", "Biscuit")),
    ],
)
def test_a_pet_is_read_with_its_breed_and_what_it_is(said: str, expected: tuple[str, str]) -> None:
    kind, name = expected
    pets = [c for c in RuleExtractor().extract(said, SAID_AT) if c.key == f"pet.{name.lower()}"]
    assert [c.text for c in pets] == [f"I have a {kind} called {name}"]
    assert pets[0].profile is not None and pets[0].profile[1:] == (name, kind)


@pytest.mark.parametrize(
    "said",
    [
        "my colleague Joy, she's a lab technician, her name is on the paper",
        "my sister has a dog called Rex and she lives with a cat called Tom",
        "we got a dog bed for the living room, it's called the Snooze Deluxe",
    ],
)
def test_someone_elses_pet_or_a_pet_word_in_other_sense_is_no_pet_of_the_users(said: str) -> None:
    assert not [c for c in RuleExtractor().extract(said, SAID_AT) if c.key and c.key.startswith("pet.")]


def test_a_pet_that_died_stays_in_the_profile_as_died_under_its_own_key() -> None:
    found = RuleExtractor().extract("awful day, our old beagle Pepper died this morning. she was 15", SAID_AT)
    pet = next(c for c in found if c.key == "pet.pepper")
    assert pet.text == "My beagle dog Pepper died"
    assert pet.profile is not None and pet.profile[1:] == ("Pepper", "beagle dog, died")


def test_a_pet_called_by_a_new_name_keeps_its_slot() -> None:
    context = ExtractionContext({"admiral": "tabby cat"}, None)
    found = RuleExtractor().extract(
        "the kids have started calling Admiral 'Captain Floof' and he only comes to that now", SAID_AT, context
    )
    assert ("I have a tabby cat called Captain Floof", "pet.admiral") in {(c.text, c.key) for c in found}


def test_a_liking_that_only_points_back_keeps_nothing() -> None:
    context = ExtractionContext({"pierogi": "cat"}, "pierogi")
    found = texts("now he gets pills twice a day and he hates me for it", context)
    assert not [text for text in found if "hates" in text]
    assert "My cat Pierogi hates the vet" in texts("he hates the vet", context)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("just got back from Lagos visiting my grandma, so much jollof", "My grandma lives in Lagos"),
        ("driving up to Inverness to see my dad this weekend, any podcast tips?", "My dad lives in Inverness"),
    ],
)
def test_one_of_the_users_people_visited_lives_there(said: str, expected: str) -> None:
    assert expected in texts(said)


def test_a_visit_with_more_to_it_says_nothing_of_where_they_live() -> None:
    assert not [text for text in texts("I went to London to see my dad at the hospital") if "lives" in text]


def test_a_word_after_my_dad_is_no_name_cut_short() -> None:
    assert not [text for text in texts("I'll see my dad this weekend") if "called" in text]  # was "called Th"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("we live in Lausanne, near Ouchy, by the lake", "I live in Lausanne, near Ouchy"),
        ("I live in Leeds, in Headingley, with two flatmates", "I live in Leeds, in Headingley"),
        ("I live in Leeds, in a tiny flat", "I live in Leeds"),
    ],
)
def test_the_part_of_town_said_after_the_town_stays_with_the_home(said: str, expected: str) -> None:
    assert expected in texts(said)


def test_one_of_the_users_people_engaged_to_someone_named_gives_who_that_is_and_their_work() -> None:
    found = texts("my cousin Ines just got engaged!! to a guy called Rui who's a nurse, wedding next year")
    assert {"Ines's fiancé Rui", "Ines's fiancé Rui is a nurse"} <= found
    assert "Lara's wife Mia" in texts("Lara got married to her girlfriend Mia", ExtractionContext({"lara": "sister"}))
    assert not [text for text in texts("Lara got married to her girlfriend Mia") if "Mia" in text]  # who is Lara?


def test_a_baby_born_to_one_of_the_users_people_is_their_child() -> None:
    context = ExtractionContext({"pedro": "brother"})
    found = texts("so Pedro's wife Itziar had the baby yesterday, a little girl called Lucia!", context)
    assert "Pedro's daughter Lucia" in found
    assert "Noor's son Zayd" in texts("my sister Noor had a baby boy last week, they named him Zayd")
    assert not [text for text in texts("my colleague had a baby, a little boy called Max") if "Max" in text]
