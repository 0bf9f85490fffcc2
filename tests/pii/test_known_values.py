"""A conversation's known values are masked wherever they come back verbatim."""

from __future__ import annotations

from guardrail.pii.detection import Detection
from guardrail.pii.known_values import KnownValues

VALUES = {
    "PERSON_1": "Priya Raghunathan",
    "PERSON_2": "Priya",
    "EMAIL_ADDRESS_1": "p.r@example.com",
    "PERSON_3": "王小明",
}


def _found(text: str, detections: list[Detection] | None = None) -> list[tuple[str, str]]:
    return [(d.entity, text[d.start : d.end]) for d in KnownValues(VALUES).add_to(text, detections or [])]


def test_whole_values_case_insensitive_longest_first() -> None:
    assert _found('{"name": "priya raghunathan"}') == [("PERSON", "priya raghunathan")]
    assert _found("Priya, or Priya Raghunathan") == [("PERSON", "Priya"), ("PERSON", "Priya Raghunathan")]


def test_whole_words_only_and_han_by_substring() -> None:
    assert _found("Priyanka called") == []
    assert _found("客户王小明来电") == [("PERSON", "王小明")]


def test_what_the_analyzer_found_stays() -> None:
    text = "Mail p.r@example.com now"
    analyzer = [Detection("EMAIL_ADDRESS", 5, 20, 0.9)]
    assert KnownValues(VALUES).add_to(text, analyzer) == analyzer


def test_short_values_are_not_searched() -> None:
    assert not KnownValues({"PERSON_1": "Al"})
