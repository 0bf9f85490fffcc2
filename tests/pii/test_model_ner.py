"""The English NER model over whole texts: names of any culture with no cue,
lower-case names, international multi-line addresses, and ordinary words
(a city given as an answer, sizes and colours, weather) that are no names."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.recognizers.en.address_blocks import _segments_to_code

POLICY = PiiPolicy.default()


def _found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    (raw,) = analyzer.analyze([text], "en")
    return [(d.entity, text[d.start : d.end]) for d in select(text, raw, POLICY)]


def _covered(analyzer: Analyzer, text: str, value: str, entity: str) -> bool:
    """Whether one detection of `entity` covers all of `value`."""
    (raw,) = analyzer.analyze([text], "en")
    start = text.index(value)
    return any(
        d.entity == entity and d.start <= start and start + len(value) <= d.end
        for d in select(text, raw, POLICY)
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param(
            "Olumide Adeyemi-Okafor sent the form on Tuesday.",
            "Olumide Adeyemi-Okafor",
            marks=pytest.mark.xfail(strict=True, reason="known miss: the model reads this name as a company"),
        ),
        ("The parcel was signed for by Bogdan Wróblewski at noon.", "Bogdan Wróblewski"),
        ("Yuki Tanabe and Paavo Heikkinen both asked about the sofa.", "Paavo Heikkinen"),
        ("Yesterday Nguyen Thi Lan wrote that the lamp flickers.", "Nguyen Thi Lan"),
        pytest.param(
            "Forward the invoice to Siobhán Ní Bhriain, she pays for the office.",
            "Siobhán Ní Bhriain",
            marks=pytest.mark.xfail(strict=True, reason="known miss: the model reads 'to <name>' as a place"),
        ),
    ],
)
def test_foreign_names_without_a_cue(analyzer: Analyzer, text: str, name: str):
    assert _covered(analyzer, text, name, "PERSON")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("hi this is maria gonzalez, my parcel is late again", "maria gonzalez"),
        ("can you ask james okoro to call me back about the refund", "james okoro"),
        ("thanks brandon, that fixed it", "brandon"),
    ],
)
def test_lower_case_names(analyzer: Analyzer, text: str, name: str):
    assert _covered(analyzer, text, name, "PERSON")


@pytest.mark.parametrize("text", ["set the path to C:\\tmp first", "size chart says medium"])
def test_lone_lower_case_words_are_no_names(analyzer: Analyzer, text: str):
    assert _found(analyzer, text) == []


FINNISH = "Please send the replacement to:\nKauppakatu 12 B 7\n33100 Tampere\nFinland\n\nThanks"
GERMAN = "New delivery address: Lindenstraße 45, Hinterhaus\n10117 Berlin\nGermany. The old one is closed."


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (FINNISH, "Kauppakatu 12 B 7\n33100 Tampere"),
        (GERMAN, "Lindenstraße 45, Hinterhaus\n10117 Berlin"),
    ],
)
def test_international_multi_line_addresses_found_whole(analyzer: Analyzer, text: str, address: str):
    assert _covered(analyzer, text, address, "STREET_ADDRESS")


@pytest.mark.parametrize(
    "text",
    [
        "Paris",
        "Size M is in stock in navy",
        "Sunny, 21C",
        "Which colour would you like, sage or ivory?",
    ],
)
def test_ordinary_words_are_not_personal_data(analyzer: Analyzer, text: str):
    assert _found(analyzer, text) == []


def test_a_city_is_a_place_not_a_person(analyzer: Analyzer):
    # The name list holds "Paris"; the model reads a bare "Paris" as the city.
    (raw,) = analyzer.analyze(["Paris"], "en")
    assert "PERSON" not in {d.entity for d in raw}
    assert "LOCATION" in {d.entity for d in raw}


def test_patterns_still_found_next_to_the_model(analyzer: Analyzer):
    text = "Card 4111 1111 1111 1111, mail ana.ferreira@example.pt, IBAN DE89 3704 0044 0532 0130 00"
    kinds = {entity for entity, _ in _found(analyzer, text)}
    assert {"CREDIT_CARD", "EMAIL_ADDRESS", "IBAN_CODE"} <= kinds


def test_a_name_found_once_is_masked_everywhere_in_the_text(analyzer: Analyzer):
    text = "Teodora Vasilescu ordered twice. Vasilescu says the second box was empty."
    (raw,) = analyzer.analyze([text], "en")
    persons = [d for d in select(text, raw, POLICY) if d.entity == "PERSON"]
    for at in (text.index("Vasilescu"), text.rindex("Vasilescu")):
        assert any(d.start <= at and at + len("Vasilescu") <= d.end for d in persons)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        # The block's city and country lines, behind e-mail quote marks, down
        # to the line with the postcode.
        (
            "Ship it here:\n> Kauppakatu 12 B 7\n> Apt. 4\n> Tampere\n> Finland 33100\n\nThanks",
            "Kauppakatu 12 B 7\n> Apt. 4\n> Tampere\n> Finland 33100",
        ),
        (
            "Ship to 28245 Puruntie 82 Apt. 595\nLAPPEENRANTA / SK / 53650\nThanks!",
            "28245 Puruntie 82 Apt. 595\nLAPPEENRANTA / SK / 53650",
        ),
        # Streets named after people, which the model reads as names: the
        # house number on their line and the postcode line after make them
        # an address, whole.
        (
            "Please ship it to Via Valentino, 864\n55045, Crociale (LU)",
            "Via Valentino, 864\n55045, Crociale (LU)",
        ),
        (
            "Hi,\nnew address:\nVia Letizia, 20\n37142, Verona (VR)\n\nRegards",
            "Via Letizia, 20\n37142, Verona (VR)",
        ),
        # The place after a postcode on the postcode's own line.
        (
            "Hi,\nnew address:\nPátio de Porto, 47\nVila Tirol\n82883-005 Azevedo Grande / SE\n\nRegards",
            "Pátio de Porto, 47\nVila Tirol\n82883-005 Azevedo Grande / SE",
        ),
        # On one line: the parts after the model's end, landmarks and all,
        # down to the postcode that closes the address.
        (
            "Courier is lost. It is Flat 12B, Lakshmi Residency, 5th Main, near Ganesh Temple, "
            "Indiranagar 2nd Stage, Bengaluru 560038. Please call first.",
            "Flat 12B, Lakshmi Residency, 5th Main, near Ganesh Temple, Indiranagar 2nd Stage, "
            "Bengaluru 560038",
        ),
        (
            "Please note: H.No. 3-6-111/B, opp. Sri Ram Medical Hall, behind HDFC ATM, Himayatnagar, "
            "Hyderabad, Telangana 500029",
            "H.No. 3-6-111/B, opp. Sri Ram Medical Hall, behind HDFC ATM, Himayatnagar, "
            "Hyderabad, Telangana 500029",
        ),
    ],
)
def test_address_block_lines_after_the_street_are_the_address(analyzer: Analyzer, text: str, address: str):
    assert _covered(analyzer, text, address, "STREET_ADDRESS")


def test_a_name_and_a_number_without_an_address_line_stay_a_name(analyzer: Analyzer):
    text = "Maria Lopez, 34\nI ordered the oak table last week."
    assert _covered(analyzer, text, "Maria Lopez", "PERSON")
    assert not _covered(analyzer, text, "Maria Lopez", "STREET_ADDRESS")


def test_a_postcode_opening_the_next_sentence_line_is_the_address(analyzer: Analyzer):
    text = "The shop is at 1436 Redbud Drive\nCite Essanaouber\n 60810. It opens at nine."
    assert _covered(analyzer, text, "60810", "STREET_ADDRESS")
    assert not _covered(analyzer, text, "It opens", "STREET_ADDRESS")


def test_an_address_in_a_sentence_takes_no_words_after_it(analyzer: Analyzer):
    text = "My address is 4 Main Street and my order is late.\nOrder 1234 still not here"
    found = [value for entity, value in _found(analyzer, text) if entity == "STREET_ADDRESS"]
    assert found and all("order" not in value.lower() for value in found)


def test_the_other_items_of_a_list_of_names_are_names(analyzer: Analyzer):
    text = "Usamov and Bowers were precision engineers."
    assert _covered(analyzer, text, "Usamov", "PERSON")
    assert _covered(analyzer, text, "Bowers", "PERSON")


@pytest.mark.parametrize(
    "text", ["Yesterday, Sarah Connor called.", "Thanks, Sarah Connor", "Hi Sarah Connor, Monday works."]
)
def test_a_comma_alone_makes_no_list(analyzer: Analyzer, text: str):
    assert [entity for entity, _ in _found(analyzer, text)] == ["PERSON"]


def test_names_written_in_capitals(analyzer: Analyzer):
    text = "PLEASE TELL MARIA KOWALSKA THAT HER PARCEL IS HERE"
    assert _covered(analyzer, text, "MARIA", "PERSON")
    assert _covered(analyzer, text, "KOWALSKA", "PERSON")
    assert [entity for entity, _ in _found(analyzer, "PLEASE CHECK MY ORDER STATUS TODAY")] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Name on card: OLUWASEGUN ADEYEMI-JOHNSON\nPlease keep it on file.", ["OLUWASEGUN ADEYEMI-JOHNSON"]),
        ("Passenger 1: MRS NGOZI OKAFOR\nPassenger 2: CHIBUIKE OKAFOR", ["NGOZI OKAFOR", "CHIBUIKE OKAFOR"]),
        ("The form says SURNAME: WIŚNIEWSKA, FIRST NAME: KATARZYNA.", ["KATARZYNA"]),
    ],
)
def test_names_in_capitals_inside_ordinary_text(analyzer: Analyzer, text: str, names: list[str]):
    for name in names:
        assert _covered(analyzer, text, name, "PERSON"), name
    for text in (
        "My order is URGENT PLEASE, the TRACKING NUMBER page is down.",
        "I bought the NIKE AIR MAX in size 10 at JD SPORTS.",
        "Status: OUT FOR DELIVERY",
    ):
        assert [entity for entity, _ in _found(analyzer, text)] == [], text


def test_an_address_runs_on_only_to_a_closing_postcode(analyzer: Analyzer):
    text = "I'm at 12 Oak Street, Springfield, and my order 12345 hasn't come."
    assert ("STREET_ADDRESS", "12 Oak Street, Springfield") in _found(analyzer, text)
    # A reference number is no postcode, whatever its digits.
    text = "Deliver to 7 Mill Lane, Bristol, Ticket 45512 is the complaint."
    end = text.index(", Ticket")
    assert _segments_to_code(text, end) == end
    county = text.replace("Ticket", "Avon")
    assert _segments_to_code(county, end) == county.index(" is the")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Olá! I'm Beatriz Cardoso and my parcel never arrived.", "Beatriz Cardoso"),
        ("Xin chào, this is Nguyễn Thị Lan about order 4471.", "Nguyễn Thị Lan"),
        ("Grüezi. Account holder Urs Baumann asks for a new card.", "Urs Baumann"),
        ("Hola, I'm Lucía Fernández; the modem is broken.", "Lucía Fernández"),
    ],
)
def test_greetings_of_other_languages_are_no_names(analyzer: Analyzer, text: str, name: str):
    found = _found(analyzer, text)
    assert ("PERSON", name) in found
    assert [value for entity, value in found if entity == "PERSON"] == [name]


def test_a_surname_after_a_first_name_with_an_accent(analyzer: Analyzer):
    # The word before "Fernández" is "Lucía", not its last letter "a" (an article).
    text = "I am Lucía Fernández and the modem is broken."
    assert _covered(analyzer, text, "Fernández", "PERSON")


def test_a_surname_after_an_article_is_still_a_person(analyzer: Analyzer):
    text = "Unlike the Jensen novel, this one is short."
    assert _covered(analyzer, text, "Jensen", "PERSON")
    assert _found(analyzer, "Does the Austin warehouse ship to Canada?") == []


def test_the_other_speakers_of_a_dialogue_with_a_name(analyzer: Analyzer):
    text = "Tzigane Lantos: Remember me?\nMelanie: You saved my life!"
    assert _covered(analyzer, text, "Melanie", "PERSON")
    assert [e for e, _ in _found(analyzer, "Agent: How can I help?\nCustomer: My order is late.")] == []
