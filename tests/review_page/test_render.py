"""Splitting texts into plain, placeholder and flagged segments; the word tables."""

from __future__ import annotations

from guardrail.review.web import i18n
from guardrail.review.web.render import duration, segments
from guardrail.types import Finding, Severity, Span


def finding(start: int, end: int) -> Finding:
    return Finding("tone.x", "tone", Severity.MEDIUM, "reason", Span(start, end))


def test_placeholders_and_flagged_spans_are_separate_segments() -> None:
    text = "Go away <PERSON_1>, read the manual."
    parts = segments(text, [finding(0, 7), finding(20, 35)])
    assert "".join(p.text for p in parts) == text
    assert [p.text for p in parts if p.placeholder] == ["<PERSON_1>"]
    assert [(p.text, p.findings, p.last_of) for p in parts if p.findings] == [
        ("Go away", (1,), (1,)),
        ("read the manual", (2,), (2,)),
    ]


def test_a_span_across_a_placeholder_keeps_both_marks() -> None:
    parts = segments("Hi <PERSON_1> bye", [finding(0, 13)])
    assert [(p.text, p.placeholder, p.findings) for p in parts] == [
        ("Hi ", False, (1,)),
        ("<PERSON_1>", True, (1,)),
        (" bye", False, ()),
    ]
    assert parts[1].classes == "ph flag"


def test_spans_outside_the_text_are_ignored() -> None:
    parts = segments("short", [finding(3, 99), finding(4, 2)])
    assert [p.text for p in parts] == ["short"] and not parts[0].findings


def test_redactions_are_marked_and_revealed_text_is_not() -> None:
    assert [p.placeholder for p in segments("x <REDACTED_EMAIL_ADDRESS> y")] == [False, True, False]
    assert not any(p.placeholder for p in segments("x <PERSON_1>", mark=False))


def test_durations() -> None:
    units = i18n.units("en")
    assert duration(42, units) == "42 s"
    assert duration(125, units) == "2 min"
    assert duration(3900, units) == "1 h 5 min"
    assert duration(-1, units) == "overdue"
    assert duration(3 * 86400, i18n.units("zh")) == "3 天"


def test_both_languages_have_every_string() -> None:
    assert set(i18n.EN) == set(i18n.ZH)
    for key, text in i18n.EN.items():
        assert text.count("{") == i18n.ZH[key].count("{"), key


def test_language_choice() -> None:
    assert i18n.pick_language("zh", "en-US") == "zh"
    assert i18n.pick_language(None, "zh-TW,zh;q=0.9") == "zh"
    assert i18n.pick_language("fr", "de-DE") == "en"
