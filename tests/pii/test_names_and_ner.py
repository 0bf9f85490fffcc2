"""Names from the census lexicon and cues; NER over the whole text."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.recognizers.en import lexicon

POLICY = PiiPolicy.default()


def _persons(analyzer: Analyzer, text: str) -> list[str]:
    (raw,) = analyzer.analyze([text], "en")
    return [text[d.start : d.end] for d in select(text, raw, POLICY) if d.entity == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Following up on my chat with Brandon yesterday.", "Brandon"),
        ("Delivery for Allen at reception please", "Allen"),
        ("Troy says thanks too!", "Troy"),
        ("and Will Smith sends his regards", "Will Smith"),
        ("Caoimhe McLaughlin called about the order.", "Caoimhe McLaughlin"),
        ("Cheers Carol, that sorted it.", "Carol"),
        ("My account is under Stephanie Reynoldson-McLoon.", "Stephanie Reynoldson-McLoon"),
        ("hey its Tyler again, did u get my email", "Tyler"),
        ("Crystal and I share the account", "Crystal"),
        ("Update my details:\nName - Finn Caldwell\nMobile - 021 555 0199", "Finn Caldwell"),
        ("Transfer it (beneficiary: Todd Wall).", "Todd Wall"),
        ("The technician, Abbi Fisher, never turned up.", "Abbi Fisher"),
    ],
)
def test_finds_names(analyzer: Analyzer, text: str, name: str):
    assert name in _persons(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "Will the parcel arrive in May?",
        "I bought the Jordan trainers last week.",
        "Your store in Sydney closes at 5.",
        "Is the Victoria store open on Sunday?",
        "I live in New York and ordered from Austin.",
        "Grace period ends tomorrow, can I extend?",
        "Thanks Mate, all good.",
        "Email me at brandon.allen@example.com please",
        "Does the Austin warehouse ship to Canada?",
        "The manual is in German only.",
        "Can you update my account? Ta",
    ],
)
def test_names_that_are_words_or_places_stay(analyzer: Analyzer, text: str):
    assert _persons(analyzer, text) == []


def test_lexicon_is_shipped_and_split():
    assert "brandon" in lexicon.first_names()
    assert "will" in lexicon.first_names_words() and "will" not in lexicon.first_names()
    assert "mclaughlin" in lexicon.surnames() and "mason" in lexicon.surnames_words()


def test_ner_reads_the_whole_text(analyzer: Analyzer):
    # No capital letter, no cue word: the model still reads the name.
    text = "ship to 12 baker street, leeds and then call sarah okafor about it"
    assert "sarah okafor" in _persons(analyzer, text)


@pytest.mark.parametrize("text", ["SSN: 123", "Company: 42", "the HomeHub Mini arrived", "IBAN please"])
def test_no_names_in_labels_acronyms_products(analyzer: Analyzer, text: str):
    assert _persons(analyzer, text) == []


def test_phone_after_phoned_from(analyzer: Analyzer):
    text = "Someone phoned me from 5225690982 claiming to be you."
    (raw,) = analyzer.analyze([text], "en")
    found = [(d.entity, text[d.start : d.end]) for d in select(text, raw, POLICY)]
    assert ("PHONE_NUMBER", "5225690982") in found
