"""spaCy's own English model as a second opinion beside ours: its people are
taken where ours read a firm, a place or a nationality, never where ours
found nothing, never its lower-case or capitals guesses, and never over what
ours found as a person or an address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from guardrail.pii import Analyzer
from guardrail.pii.nlp import _add_people
from guardrail.pii.second_opinion import other_names, people, sentences_to_read, written_as_a_name


@pytest.fixture(scope="module")
def first_model_alone() -> Analyzer:
    return Analyzer(languages=("en",), second_opinions={"en": None})


def _people(analyzer: Analyzer, text: str) -> list[str]:
    (found,) = analyzer.analyze([text], "en")
    return [text[d.start : d.end] for d in found if d.entity == "PERSON"]


def test_the_second_model_finds_surnames_the_first_reads_as_a_place(
    analyzer: Analyzer, first_model_alone: Analyzer
):
    text = "The courier left it with Staunton, McAteer and Harte next door."
    assert _people(first_model_alone, text) == []
    assert {"Staunton", "McAteer"} <= set(_people(analyzer, text))


@pytest.mark.parametrize(
    "text",
    ["Size M is in stock in navy", "size chart says medium", "GOV LAW GERMAN HOME CTRY = TAX PROVS"],
)
def test_chat_and_capitals_gain_no_names_from_the_second_model(analyzer: Analyzer, text: str):
    assert _people(analyzer, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("J. Smith", True),
        ("Zoë Ågren", True),
        ("McDonald", True),
        ("O'Neil", True),
        ("Size M", False),
        ("size chart", False),
        ("JOHN SMITH", False),
    ],
)
def test_written_as_a_name(text: str, expected: bool):
    assert written_as_a_name(text) is expected


def _doc(words: list[str], ents: list[tuple[int, int, str]]) -> Doc:
    doc = Doc(Vocab(), words=words)
    doc.set_ents([doc.char_span(*_chars(doc, s, e), label=label) for s, e, label in ents])
    return doc


def _chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


def test_a_second_opinion_replaces_a_firm_but_not_a_person_or_an_address():
    words = ["Ask", "Usamov", "Bowers", "at", "12", "Oak", "Street"]
    first = _doc(words, [(1, 3, "ORG"), (4, 7, "STREET_ADDRESS")])
    second = _doc(words, [(1, 3, "PERSON"), (5, 7, "PERSON")])
    _add_people(first, [(e.start_char, e.end_char, e.label_) for e in second.ents])
    assert [(e.text, e.label_) for e in first.ents] == [
        ("Usamov Bowers", "PERSON"),
        ("12 Oak Street", "STREET_ADDRESS"),
    ]


def test_only_sentences_holding_a_firm_place_or_nationality_are_read():
    words = ["Thanks", "for", "that", ".", "The", "parcel", "is", "late", ".", "Ask", "Usamov", "Bowers", ".",
             "Bo", "Li", "rang", "."]
    doc = _doc(words, [(10, 12, "ORG"), (13, 15, "PERSON")])
    read = sentences_to_read(doc.text, other_names(doc))
    assert [doc.text[s:e] for s, e in read] == ["Ask Usamov Bowers ."]


def _reader(names: list[str], seen: list[str]) -> Callable[[list[str]], list[Doc]]:
    def read(texts: list[str]) -> list[Doc]:
        seen.extend(texts)
        out = []
        for text in texts:
            piece = Doc(Vocab(), words=text.split())
            spans = [piece.char_span(text.index(w), text.index(w) + len(w), label="PERSON") for w in names]
            piece.set_ents([s for s in spans if s is not None])
            out.append(piece)
        return out

    return read


def test_the_second_models_people_count_only_over_another_kind_of_name():
    words = ["Thanks", "so", "much", ".", "Ask", "Usamov", "at", "Leeds", "please"]
    doc = _doc(words, [(7, 8, "GPE")])
    seen: list[str] = []
    (found,) = people(_reader(["Ask", "Leeds"], seen), [doc])
    assert seen == [doc.text[doc.text.index("Ask") :]]
    start = doc.text.index("Leeds")
    assert found == [(start, start + 5, "PERSON")]  # not "Ask": the first reading found nothing there


def test_nothing_is_read_when_the_first_reading_found_no_other_name():
    doc = _doc(["Tool", "said", ":", "Sunny", ",", "21C"], [])
    seen: list[str] = []
    assert people(_reader(["Tool", "Sunny"], seen), [doc]) == [[]]
    assert seen == []


def test_an_uninstalled_second_model_is_a_deployment_error():
    with pytest.raises(RuntimeError, match="neither installed nor a model folder"):
        Analyzer(languages=("en",), second_opinions={"en": "no_such_model_xyz"})
