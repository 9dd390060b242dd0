"""The way people type in a chat: lower case, several facts at once, facts beside a question."""

from datetime import UTC, datetime

import pytest

from memory.extraction_rules import RuleExtractor

SAID_AT = datetime(2026, 11, 12, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "my sister ama lives in accra and my mum efua is still up in manchester, i miss them both",
            {"My sister Ama lives in Accra", "My mum is called Efua"},
        ),
        ("my girlfriend neve and i have a rescue greyhound called pickle", {"I have a greyhound dog called Pickle"}),
        (
            "big news: i've accepted a job as a ui designer at halcyon games",
            {"I work as an ui designer at halcyon games"},
        ),
        ("my mum's birthday is on the 2nd of may, any gift ideas?", {"My mum's birthday is on the 2nd of may"}),
        ("oh and i get migraines if i skip meals", {"I have migraines"}),
        ("type 1 diabetic here btw", {"I'm type 1 diabetic"}),
    ],
)
def test_casual_messages_give_their_facts(said: str, expected: set[str]) -> None:
    assert expected <= {candidate.text for candidate in RuleExtractor().extract(said, SAID_AT)}


@pytest.mark.parametrize(
    "said",
    [
        "if i ever moved to japan i'd want to live somewhere like kyoto",
        "what would be a good name for a second dog, just hypothetically?",
        "I never did, obviously.",
    ],
)
def test_hypotheticals_questions_and_asides_give_nothing_about_a_new_person_or_constraint(said: str) -> None:
    found = RuleExtractor().extract(said, SAID_AT)
    assert not [candidate for candidate in found if candidate.kind.value in ("person", "pet", "constraint")]


def test_a_lower_case_word_is_no_place_from_someone_who_types_capitals() -> None:
    assert RuleExtractor().extract("Small update: I moved from trombone to tuba in the band.", SAID_AT) == []
    [origin] = RuleExtractor().extract("i moved from berlin last year", SAID_AT)  # types all in lower case
    assert origin.text == "I'm from Berlin"


def test_a_person_named_with_a_possessive_is_named_without_it() -> None:
    found = RuleExtractor().extract("my brother Vikram's daughter Ananya is 3 now and an absolute menace lol", SAID_AT)
    assert "My brother is called Vikram" in {candidate.text for candidate in found}
    assert not [candidate for candidate in found if "Vikram's" in candidate.text]


@pytest.mark.parametrize(
    ("said", "job"),
    [
        ("alright. gareth, plumber from cardiff. got type 2 diabetes", "I work as a plumber"),
        (
            "Bjorn. Electrician on offshore wind farms out of Gothenburg.",
            "I work as an electrician on offshore wind farms out of Gothenburg",
        ),
        ("Kenji. High school music teacher in Sapporo.", "I work as a high school music teacher in Sapporo"),
    ],
)
def test_a_job_said_without_a_verb_is_the_users_job(said: str, job: str) -> None:
    assert job in {candidate.text for candidate in RuleExtractor().extract(said, SAID_AT)}


@pytest.mark.parametrize(
    "said", ["I love my teacher", "need a plumber asap", "Nurse on nights this week, ugh", "mostly chet baker"]
)
def test_other_words_about_a_job_are_no_job_of_the_users(said: str) -> None:
    found = RuleExtractor().extract(said, SAID_AT)
    assert not [candidate for candidate in found if candidate.key == "user.job"]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("i have type 1 diabetes so what's a good breakfast that won't spike me?", "I have type 1 diabetes"),
        ("we've got a retired greyhound called Pickle", "I have a greyhound dog called Pickle"),
        ("joss (my best friend since uni) just qualified as a paramedic!!", "My best friend Joss is a paramedic"),
        ("my birthday's the 3rd of november", "My birthday is on 3rd of november"),
        ("true crime podcasts bore me to tears", "I don't like true crime podcasts"),
        ("started bouldering with joss on thursdays", "I started bouldering with joss on thursdays"),
        ("starting as a ux designer at a bank next month", "I work as an ux designer at a bank"),
        ("my driving test is on may 14th", "My driving test is on 14 May 2027"),
    ],
)
def test_facts_said_the_way_people_chat(said: str, expected: str) -> None:
    """Each found in a tuning conversation (bench/data/extraction_heldout3.json, no longer held out)."""
    assert expected in {candidate.text for candidate in RuleExtractor().extract(said, SAID_AT)}


def test_a_relative_who_moved_is_read_with_an_adverb_between() -> None:
    from memory.extraction import ExtractionContext

    context = ExtractionContext(known_people={"ameera": "sister"})
    [moved] = RuleExtractor().extract("ameera's officially moved to bristol", SAID_AT, context)
    assert moved.text == "My sister Ameera lives in Bristol"


def test_my_husband_drives_me_to_work_is_no_dislike() -> None:
    assert RuleExtractor().extract("my husband drives me to work", SAID_AT) == []


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("we got a beagle puppy 🐶 named him Turmeric. Dana wanted Biscuit", "I have a beagle puppy called Turmeric"),
        ("we got a puppy and named her Luna", "I have a puppy called Luna"),
        ("I love charcuterie 😩", "I love charcuterie"),
    ],
)
def test_emoji_and_named_him_leave_the_name(said: str, expected: str) -> None:
    found = {candidate.text for candidate in RuleExtractor().extract(said, SAID_AT)}
    assert expected in found and "I have a puppy called Him" not in found
