"""Our recognizers on the shapes Presidio's defaults miss, and on text they must leave."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select

POLICY = PiiPolicy.default()


def _found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    (raw,) = analyzer.analyze([text], "en")
    return [(d.entity, text[d.start : d.end]) for d in select(text, raw, POLICY)]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        (
            "Send it to 2328 Figueroa Skyway Apt. 290\nKimberlyview, NJ 78456\nthanks",
            "STREET_ADDRESS",
            "2328 Figueroa Skyway Apt. 290\nKimberlyview, NJ 78456",
        ),
        (
            "Address: Studio 01k\nJosh Tunnel\nPort Maxfort\nS6G 2QE",
            "STREET_ADDRESS",
            "Studio 01k\nJosh Tunnel\nPort Maxfort\nS6G 2QE",
        ),
        ("i live at 12 oak street now", "STREET_ADDRESS", "12 oak street"),
        (
            "Ship to 66/9 Maynard Copse, Connorberg, WA, 2674 please",
            "STREET_ADDRESS",
            "66/9 Maynard Copse, Connorberg, WA, 2674",
        ),
        ("Call me on +44 20 7946 0958.", "PHONE_NUMBER", "+44 20 7946 0958"),
        ("my mobile: 0412 345 678", "PHONE_NUMBER", "0412 345 678"),
        ("ring (530) 401-1980 x364 anytime", "PHONE_NUMBER", "(530) 401-1980 x364"),
        ("card 4111-1111-1111-1111 exp 04/27", "CREDIT_CARD", "4111-1111-1111-1111"),
        ("amex 3782 822463 10005", "CREDIT_CARD", "3782 822463 10005"),
        ("mastercard 2221000000000009", "CREDIT_CARD", "2221000000000009"),
        ("卡号4111111111111111谢谢", "CREDIT_CARD", "4111111111111111"),
        ("邮箱sarah@example.com谢谢", "EMAIL_ADDRESS", "sarah@example.com"),
        ("Hi Priya,\nthe parcel is late.", "PERSON", "Priya"),
        ("Thanks,\nAlan McEwen", "PERSON", "Alan McEwen"),
        ("Kind regards, Shauna Rowan-Killooly", "PERSON", "Shauna Rowan-Killooly"),
    ],
)
def test_detects(analyzer: Analyzer, text: str, entity: str, value: str):
    assert (entity, value) in _found(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "Hi team, my order 48213 was due on 2024-05-12 at 10:30.",
        "It cost $1,299.00 and the version is 1.2.3.",
        "Thanks, I will try again tomorrow.",
        "Dear customer, we have 3 steps left.",
        "Tracking 1Z999AA10123456784 shows it in transit.",
    ],
)
def test_leaves_ordinary_text(analyzer: Analyzer, text: str):
    assert _found(analyzer, text) == []


def test_our_class_names_do_not_shadow_presidio_defaults():
    # Presidio's default registry looks recognizers up by class name among all
    # loaded subclasses; a clash would break any default AnalyzerEngine.
    from presidio_analyzer.recognizer_registry import RecognizerRegistryProvider

    import guardrail.pii.recognizers.en  # noqa: F401

    registry = RecognizerRegistryProvider().create_recognizer_registry()
    assert any(r.name == "EmailRecognizer" for r in registry.recognizers)
