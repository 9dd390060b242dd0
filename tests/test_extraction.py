"""Candidate memories from the user's words: what is kept, how it reads, and what is never stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from memory.extraction import Candidate, ExtractionContext, LLMExtractor, is_grounded
from memory.extraction_people import people_in
from memory.extraction_rules import RuleExtractor
from memory.profile import ProfileSection
from memory.records import MemoryKind

SAID_AT = datetime(2023, 5, 8, 14, 0, tzinfo=UTC)  # a Monday


def extract(text: str, **context: object) -> list[Candidate]:
    return RuleExtractor().extract(text, SAID_AT, ExtractionContext(**context))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message", "text", "key"),
    [
        ("I'm Sam, by the way.", "My name is Sam", "user.name"),
        ("you can call me Jo", "My name is Jo", "user.name"),
        ("Actually I just moved to Leeds for a new job!", "I live in Leeds", "user.home"),
        ("i'm living in new york these days", "I live in New York", "user.home"),
        ("I work as a nurse at the city hospital.", "I work as a nurse at the city hospital", "user.job"),
        ("I'm 34 years old", "I am 34 years old", "user.age"),
        ("my sister Ana lives in Lisbon", "My sister Ana lives in Lisbon", "ana.home"),
        ("My wife's name is Mia.", "My wife is called Mia", "wife.name"),
        ("I have a dog called Bo.", "I have a dog called Bo", "pet.bo"),
        ("I'm allergic to peanuts.", "I'm allergic to peanuts", "allergy.peanuts"),
        ("I'm vegetarian", "I am vegetarian", "user.diet"),
        ("Can't stand horror movies though.", "I can't stand horror movies", "likes.horror_movies"),
        ("I'm a big fan of jazz, especially Coltrane.", "I'm a big fan of jazz", "likes.jazz"),
        ("My favourite book is Dune.", "My favourite book is Dune", "likes.favourite_book"),
        ("Every morning I walk the dog along the canal.", "Every morning I walk the dog along the canal", None),
        ("Keep your answers short please, I read them on my phone.", "I want short answers", "style.length"),
        ("Please answer in Portuguese.", "I want answers in Portuguese", "style.language"),
        ("don't use emojis", "I don't want emojis in answers", "style.emojis"),
        ("Can you stop with the bullet lists?", "I don't want bullet lists in answers", "style.lists"),
        ("I'm vegetarian btw, did I mention?", "I am vegetarian", "user.diet"),
    ],
)
def test_a_self_disclosure_becomes_one_clean_statement_in_its_slot(message: str, text: str, key: str | None) -> None:
    [candidate] = extract(message)
    assert candidate.text == text
    if key is not None:
        assert candidate.key == key


@pytest.mark.parametrize(
    "message",
    [
        "What's the weather?",
        "what's the weather like in Leeds",
        "hi there!",
        "ok thanks",
        "Good morning! How are you today?",
        "If I had a boat I'd sail to Spain.",
        "I wonder if Bo would like the beach.",
        "I'd love to live by the sea someday.",
        "I'm thinking about learning the guitar.",
        "Can you write me a poem about cats?",
        "Write me a haiku about rain.",
        "Tell me a joke.",
        "Taylor Swift is playing in London next month.",
        "The new Dune movie is amazing.",
        "my friend Jake said I should try bouldering",
        'Tom keeps saying "I\'m the best cook in the world".',
        "I didn't sleep well last night.",
        "I'm so tired today.",
        "I'm feeling great this morning.",
        "lol I never said that",
        "I love it!",
        "I really like that idea.",
        "I like how you explained it.",
        "Ana moved to Porto.",  # Ana is nobody the user has mentioned
    ],
)
def test_questions_small_talk_requests_hypotheticals_and_other_peoples_news_are_never_stored(message: str) -> None:
    assert extract(message) == []


def test_yesterday_is_resolved_against_the_date_the_message_was_said() -> None:
    [candidate] = extract("I went to a support group yesterday.")
    assert candidate.kind == MemoryKind.EVENT
    assert candidate.refers_to == datetime(2023, 5, 7, tzinfo=UTC)
    assert candidate.text == "I went to a support group on 7 May 2023"  # still true when read next year


def test_a_dated_plan_is_a_plan_in_the_future() -> None:
    [candidate] = extract("I'm flying to Tokyo next Friday.")
    assert candidate.kind == MemoryKind.PLAN
    assert candidate.refers_to == datetime(2023, 5, 12, tzinfo=UTC)
    assert "12 May 2023" in candidate.text


def test_last_saturday_is_the_saturday_before_the_message() -> None:
    [candidate] = extract("Last Saturday we went hiking in the Peak District.")
    assert candidate.refers_to == datetime(2023, 5, 6, tzinfo=UTC)


def test_news_about_a_known_person_is_linked_to_the_user() -> None:
    [candidate] = extract("Ana moved to Porto last month.", known_people={"ana": "sister"})
    assert candidate.text == "My sister Ana lives in Porto"
    assert candidate.key == "ana.home"
    assert candidate.profile == (ProfileSection.PEOPLE, "Ana", "sister, lives in Porto")


def test_he_refers_to_the_person_just_talked_about() -> None:
    [candidate] = extract("He's a chef.", known_people={"tom": "partner"}, recent_person="tom")
    assert candidate.text == "My partner Tom is a chef"
    assert extract("He's a chef.", known_people={"tom": "partner"}) == []  # nobody to refer to


def test_one_message_can_introduce_someone_and_then_talk_about_them() -> None:
    found = extract("My brother is called Raj. Raj is getting married in Goa on December 12.")
    assert [candidate.text for candidate in found] == [
        "My brother is called Raj",
        "My brother Raj is getting married in Goa on 12 December 2023",
    ]


def test_a_self_introduction_is_split_into_its_facts() -> None:
    found = extract("hey, i'm 45, living in toronto with my husband David")
    assert {candidate.key for candidate in found} == {"user.age", "user.home", "husband.name"}


def test_likes_and_dislikes_of_one_thing_share_a_slot_so_a_change_of_heart_supersedes() -> None:
    [liked] = extract("I love hiking")
    [disliked] = extract("I hate hiking")
    assert liked.key == disliked.key == "likes.hiking"
    assert liked.profile is not None and liked.profile[0] == ProfileSection.LIKES
    assert disliked.profile is not None and disliked.profile[0] == ProfileSection.DISLIKES


def test_people_are_read_back_from_stored_memory_texts() -> None:
    assert people_in("My sister Ana lives in Porto") == {"ana": "sister"}
    assert people_in("Ana's husband Pedro is a teacher") == {"pedro": "Ana's husband"}
    assert people_in("I have a dog called Bo") == {"bo": "dog"}


class ScriptedModel:
    """A ``complete`` callable answering from a script, counting the prompts it was sent."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0) if self.answers else "[]"


def answer(*items: dict[str, str]) -> str:
    return "Sure! Here are the facts:\n" + json.dumps(list(items))


def test_the_model_adds_a_grounded_fact_the_rules_missed() -> None:
    model = ScriptedModel(answer({"text": "I have a kiwi allergy", "kind": "constraint", "key": "Allergy.Kiwi"}))
    found = LLMExtractor(model, RuleExtractor()).extract("bad kiwi allergy tbh", SAID_AT)
    assert [(candidate.text, candidate.key) for candidate in found] == [("I have a kiwi allergy", "allergy.kiwi")]
    assert found[0].confidence < 0.8  # the model's word counts for less than a rule's


def test_the_model_adds_only_facts_in_the_shapes_it_was_trained_on() -> None:
    said = "I collect vintage stamps from Iceland, have a horse called luna. I have a small request."
    model = ScriptedModel(
        answer(
            {"text": "I collect vintage stamps from Iceland", "kind": "fact", "key": "stamps"},
            {"text": "I have a horse called Luna", "kind": "pet", "key": "pet.luna"},
            {"text": "I have a small request", "kind": "fact", "key": "user.request"},
        )
    )
    found = LLMExtractor(model, RuleExtractor()).extract(said, SAID_AT)
    assert [(candidate.text, candidate.key) for candidate in found] == [("I have a horse called Luna", "pet.luna")]


@pytest.mark.parametrize(
    ("said", "proposal", "key"),
    [
        ("oi! im rafa, brazilian dev", "I'm Brazilian", "user.name"),  # not a name
        ("my gf marta is a ux designer", "My name is Marta", "user.name"),  # not the user's
        ("marta's sister is vegan and coming for dinner sat", "My sister Marta is vegan", "marta.diet"),
        ("my sister bia is studying medicine in sp", "I'm studying medicine in Sp", "user.job"),
        ("Out of curiosity: if I were allergic to shellfish what", "I'm allergic to shellfish", "allergy.shellfish"),
        ("I have been in this house for thirty-one years", "I have been in this house for 31 years", "user.age"),
        ("My daughter assures me you can help", "My daughter assures me you can help", "user.diet"),
    ],
)  # fmt: skip
def test_a_model_fact_in_the_wrong_slot_or_about_someone_else_is_dropped(said: str, proposal: str, key: str) -> None:
    model = ScriptedModel(answer({"text": proposal, "kind": "fact", "key": key}))
    assert proposal not in [candidate.text for candidate in LLMExtractor(model, RuleExtractor()).extract(said, SAID_AT)]


def test_a_hallucinated_fact_is_dropped() -> None:
    model = ScriptedModel(
        answer(
            {"text": "I love hiking in the Alps", "kind": "preference"},
            {"text": "The user lives in Paris", "kind": "fact"},
        )
    )
    assert LLMExtractor(model, RuleExtractor()).extract("I collect vintage stamps.", SAID_AT) == []


def test_a_malformed_answer_is_asked_again_then_the_rules_stand_alone() -> None:
    model = ScriptedModel("I think the user is vegetarian", '[{"text": "I am vegetarian", "kind": "episode"}]')
    found = LLMExtractor(model, RuleExtractor()).extract("I'm vegetarian.", SAID_AT)
    assert len(model.prompts) == 2
    assert [candidate.text for candidate in found] == ["I am vegetarian"]


def test_a_retry_that_succeeds_is_used() -> None:
    model = ScriptedModel("{not json", answer({"text": "I have a horse called Luna", "kind": "pet", "key": "pet.luna"}))
    found = LLMExtractor(model, RuleExtractor()).extract("have a horse called luna", SAID_AT)
    assert [candidate.text for candidate in found] == ["I have a horse called Luna"]


def test_the_model_never_sees_questions_or_requests() -> None:
    model = ScriptedModel(answer({"text": "I like weather", "kind": "fact"}))
    assert LLMExtractor(model, RuleExtractor()).extract("What's the weather? Write me a poem.", SAID_AT) == []
    assert model.prompts == []


def test_what_the_rules_already_found_is_not_added_twice() -> None:
    model = ScriptedModel(answer({"text": "I am a vegetarian", "kind": "preference", "key": "diet"}))
    found = LLMExtractor(model, RuleExtractor()).extract("I'm vegetarian.", SAID_AT)
    assert [candidate.key for candidate in found] == ["user.diet"]


def test_grounding_needs_every_content_word_in_what_was_said() -> None:
    assert is_grounded("My sister Ana lives in Porto", "my sister Ana moved to Porto last year")
    assert not is_grounded("My sister Ana lives in Lisbon", "my sister Ana moved to Porto last year")


@pytest.mark.parametrize(
    ("message", "proposal"),
    [
        ("Taylor Swift is playing in Manchester next month.", "Taylor Swift is playing in Manchester next month"),
        ("So I'll visit her there instead.", "I'll visit her there instead"),
        ("I didn't sleep well last night.", "I didn't sleep well last night"),
        ("Going to bed now, good night!", "I'm going to bed"),
    ],
)
def test_a_grounded_proposal_must_still_be_a_lasting_fact_about_the_user(message: str, proposal: str) -> None:
    model = ScriptedModel(answer({"text": proposal, "kind": "fact"}))
    assert LLMExtractor(model, RuleExtractor()).extract(message, SAID_AT) == []


def test_the_rules_never_fail_on_real_conversation_text() -> None:
    """Every turn of a real long conversation (LoCoMo) goes through the rules without an error."""
    from tests.conftest import SHARED_DATA

    conversations = json.loads((SHARED_DATA / "locomo" / "locomo_dev.json").read_text())
    extractor = RuleExtractor()
    said_at = datetime(2023, 5, 8, tzinfo=UTC)
    turns = [
        turn["text"]
        for conversation in conversations
        for key, session in conversation["conversation"].items()
        if key.startswith("session_") and isinstance(session, list)
        for turn in session
    ]
    found = [candidate for text in turns for candidate in extractor.extract(text, said_at)]
    assert found and all(candidate.text for candidate in found)


@pytest.mark.parametrize("text", ["I've known them since I moved from my home country.", "I live in a small town."])
def test_a_description_is_not_taken_for_a_place_name(text: str) -> None:
    assert RuleExtractor().extract(text, datetime(2026, 11, 26), ExtractionContext({}, None)) == []


def test_a_long_message_is_read_a_few_sentences_at_a_time() -> None:
    first = "My sister Ana lives in Porto and works at the big hospital there on the night shift. " * 3
    second = "Tomás, my brother, is a luthier in Lima these days, and he loves it."
    proposal = {"text": "My brother Tomás is a luthier", "kind": "person", "key": "tomas.job"}
    model = ScriptedModel("[]", answer(proposal))
    found = LLMExtractor(model, RuleExtractor()).extract(first + second, SAID_AT)
    assert len(model.prompts) == 2 and second in model.prompts[1] and second not in model.prompts[0]
    assert ("My brother Tomás is a luthier", "tomas.job") in [(candidate.text, candidate.key) for candidate in found]


def test_an_answer_cut_off_by_the_token_limit_keeps_its_whole_items() -> None:
    cut = '[{"text": "I have a horse called Luna", "kind": "pet", "key": "pet.luna"}, {"text": "I hav'
    found = LLMExtractor(ScriptedModel(cut), RuleExtractor()).extract("have a horse called luna", SAID_AT)
    assert [candidate.text for candidate in found] == ["I have a horse called Luna"]


def test_a_key_the_text_does_not_name_is_replaced_or_dropped_so_it_overwrites_nothing() -> None:
    model = ScriptedModel(
        answer(
            {"text": "My sister Ana lives in Porto", "kind": "person", "key": "user.home"},
            {"text": "I have a horse called Luna", "kind": "pet", "key": "pet.rex"},
        )
    )
    found = LLMExtractor(model, RuleExtractor()).extract(
        "My sister Ana lives in Porto, have a horse called luna", SAID_AT
    )
    keys = {candidate.text: candidate.key for candidate in found}
    assert keys["I have a horse called Luna"] == "pet.luna"  # the key comes from the text: it replaces no Rex
    assert "user.home" not in keys.values()  # the sister's home is not the user's


def test_an_allergy_said_after_a_comma_without_i_is_a_constraint() -> None:
    found = RuleExtractor().extract("had a long day, allergic to shrimp lol", SAID_AT)
    assert [(candidate.text, candidate.key) for candidate in found] == [("I'm allergic to shrimp", "allergy.shrimp")]


def test_a_long_paste_asks_the_model_about_its_first_passages_only() -> None:
    model = ScriptedModel()
    LLMExtractor(model, RuleExtractor()).extract("I walked to the old harbour again this morning. " * 400, SAID_AT)
    assert 1 <= len(model.prompts) <= 6
