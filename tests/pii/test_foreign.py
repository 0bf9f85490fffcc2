"""Which detections in an answer can be another customer's personal data."""

from __future__ import annotations

import pytest

from guardrail.pii.foreign import may_be_foreign


@pytest.mark.parametrize("word", ["Tool", "Sunny", "Navy", "Size"])
def test_a_lone_word_that_is_no_name_only_is_not_foreign(word: str) -> None:
    assert not may_be_foreign("PERSON", word)


@pytest.mark.parametrize(
    ("entity", "value"),
    [
        ("PERSON", "Sarah"),  # a census first name and no English word
        ("PERSON", "Cronin"),  # a census surname
        ("PERSON", "Szabina Gelencsér"),  # several words: as detected
        ("PERSON", "张伟"),  # not Latin: as detected
        ("PHONE_NUMBER", "Tool"),  # only persons are narrowed
        ("EMAIL_ADDRESS", "a@b.example"),
    ],
)
def test_names_and_other_entities_stay_foreign(entity: str, value: str) -> None:
    assert may_be_foreign(entity, value)
